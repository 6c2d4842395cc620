"""Run the app under waitress, a production WSGI server, with host, port and limits from the settings.

The query worker pool starts before the first request, so the first query does not wait for it, and it
is stopped when the server stops (SIGTERM or Ctrl-C), so no worker outlives the server.
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from waitress import serve as waitress_serve

from policygraph.settings import Settings
from policygraph.web.app import create_app
from policygraph.web.sparql import service_for


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds waitress, then the `finally` below stops the workers


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    service = service_for(app.extensions)
    service.pool.start()
    signal.signal(signal.SIGTERM, _stop)
    print(f"policygraph serving {settings.store_path} at http://{settings.host}:{settings.port}/", flush=True)
    try:
        waitress_serve(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            ident="policygraph",
            # Flask refuses bodies over max_request_bytes with the app's 413; waitress stops far larger
            # ones before buffering them.
            max_request_body_size=max(4 * settings.max_request_bytes, 1 << 20),
        )
    finally:
        service.close()
        sys.stdout.flush()
