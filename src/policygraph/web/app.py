"""The Flask app factory: settings -> store handle -> blueprints -> one error handler."""

from __future__ import annotations

from typing import Any

from flask import Flask

from policygraph.settings import Settings, load_settings
from policygraph.store import LocalStore
from policygraph.store.remote import RemoteStore
from policygraph.web.assets import bp as assets_bp
from policygraph.web.bounds import register_input_bounds
from policygraph.web.catalogue import bp as catalogue_bp
from policygraph.web.context import SETTINGS, STORE
from policygraph.web.dumps import bp as dumps_bp
from policygraph.web.errors import register_error_handlers
from policygraph.web.explore import bp as explore_bp
from policygraph.web.graphstore import bp as graphstore_bp
from policygraph.web.home import bp as home_bp
from policygraph.web.resources import bp as resources_bp
from policygraph.web.search import bp as search_bp
from policygraph.web.security import register_security_headers
from policygraph.web.sparql import bp as sparql_bp
from policygraph.web.vocab import bp as vocab_bp
from policygraph.web.void import bp as void_bp

# One blueprint per route family: pages, assets and the explorer; linked data (resources, vocabularies,
# dumps, the VoID description); the SPARQL endpoint, the Graph Store Protocol and the query catalogue.
BLUEPRINTS = (home_bp, assets_bp, explore_bp, resources_bp, vocab_bp, dumps_bp, void_bp, sparql_bp, graphstore_bp,
              catalogue_bp, search_bp)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings(**overrides)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions[SETTINGS] = settings  # read by the views through web/context.py
    app.extensions[STORE] = RemoteStore(settings) if settings.store_is_remote else LocalStore(settings.store_path)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_handlers(app)  # one error shape: JSON for API clients, a page for browsers
    register_input_bounds(app)  # every header, parameter and path part within its bound (limits.py)
    register_security_headers(app)  # CSP, nosniff, frame options
    return app
