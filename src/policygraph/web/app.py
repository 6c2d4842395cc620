"""The Flask app factory: settings -> store handle -> blueprints -> one error handler."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from policygraph.settings import Settings, load_settings
from policygraph.store import LocalStore
from policygraph.store.remote import RemoteStore


def get_store() -> LocalStore | RemoteStore:
    """The store handle of the running app (the only state the web tier holds)."""
    return current_app.extensions["policygraph.store"]


def get_settings() -> Settings:
    return current_app.extensions["policygraph.settings"]


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings(**overrides)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["policygraph.settings"] = settings
    app.extensions["policygraph.store"] = RemoteStore(settings) if settings.store_is_remote else LocalStore(settings.store_path)

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
    from policygraph.web.catalogue import bp as catalogue_bp
    from policygraph.web.graphstore import bp as graphstore_bp
    from policygraph.web.sparql import bp as sparql_bp

    for sparql_part in (sparql_bp, graphstore_bp, catalogue_bp):  # SPARQL endpoint and catalogue (issue 5)
        app.register_blueprint(sparql_part)

    # One error shape for the whole app: JSON for API clients, a page for browsers (web/errors.py).
    from policygraph.web.errors import register_error_handlers

    register_error_handlers(app)
    from policygraph.web.security import register_security_headers

    register_security_headers(app)  # CSP, nosniff, frame options (issue 9)

    return app
