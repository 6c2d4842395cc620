"""The Flask app factory: settings -> store handle -> blueprints -> one error handler."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify

from policygraph.errors import PolicygraphError
from policygraph.settings import Settings, load_settings
from policygraph.store import LocalStore


def get_store() -> LocalStore:
    """The store handle of the running app (the only state the web tier holds)."""
    return current_app.extensions["policygraph.store"]


def get_settings() -> Settings:
    return current_app.extensions["policygraph.settings"]


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings(**overrides)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["policygraph.settings"] = settings
    app.extensions["policygraph.store"] = LocalStore(settings.store_path)

    # One blueprint per concern; each module registers its routes here.
    from policygraph.web.assets import bp as assets_bp
    from policygraph.web.dumps import bp as dumps_bp
    from policygraph.web.explore import bp as explore_bp
    from policygraph.web.home import bp as home_bp
    from policygraph.web.resources import bp as resources_bp
    from policygraph.web.vocab import bp as vocab_bp
    from policygraph.web.void import bp as void_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(explore_bp)
    for linked_bp in (resources_bp, vocab_bp, dumps_bp, void_bp):  # linked data (issue 6)
        app.register_blueprint(linked_bp)

    @app.errorhandler(PolicygraphError)
    def handle(exc: PolicygraphError):  # type: ignore[no-untyped-def]
        return jsonify({"error": type(exc).__name__, "status": exc.status, "message": exc.message}), exc.status

    return app
