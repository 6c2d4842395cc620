"""Run the app under waitress, a production WSGI server."""

from __future__ import annotations

from waitress import serve as waitress_serve

from policygraph.settings import Settings
from policygraph.web.app import create_app


def serve(settings: Settings) -> None:
    app = create_app(settings)
    print(f"policygraph serving {settings.store_path} at http://{settings.host}:{settings.port}/", flush=True)
    waitress_serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="policygraph")
