"""The web tier: a Flask app factory and its blueprints."""

from policygraph.web.app import create_app

__all__ = ["create_app"]
