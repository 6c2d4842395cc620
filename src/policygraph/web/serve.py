"""Run the app under waitress, a production WSGI server, with host, port and limits from the settings.

The query worker pool (and, when writes are on, the writer process) starts before the first request, so
the first query does not wait for it, and it is stopped when the server stops (SIGTERM or Ctrl-C), so no
worker outlives the server. On a remote store, start-up checks the engine answers and unions its graphs.

Oversized bodies: waitress reads a whole request before it calls the app, so it is waitress that must stop
a body over `max_request_bytes`, as soon as it sees the Content-Length (or, when chunked, as soon as the
body grows past the cap), before buffering it. Its own answer would be a plain-text page; our error task
answers with the app's 413 (JSON, or a page for browsers, with the app's headers) instead.
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from flask import Flask, Response
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.utilities import RequestEntityTooLarge

from policygraph.settings import Settings
from policygraph.web.app import create_app
from policygraph.web.context import service_for
from policygraph.web.errors import error_response, too_large_message
from policygraph.writes import start_writer, stop_writers


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds waitress, then the `finally` below stops the workers


def too_large_response(app: Flask, path: str, method: str, accept: str | None, content_length: int | None) -> Response:
    """The app's own 413 for a body waitress refused, negotiated on the request's Accept header."""
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    headers = {"Accept": accept} if accept else {}
    try:
        context = app.test_request_context(path, method=method, headers=headers)
    except (ValueError, UnicodeError):  # a path the router cannot take: answer as for the home page
        context = app.test_request_context("/", method=method, headers=headers)
    with context:
        response = error_response("RequestEntityTooLarge", 413, too_large_message(content_length, limit))
        return app.process_response(response)  # the app's after-request hooks: security headers, CORS


class _ErrorTask(ErrorTask):
    def execute(self) -> None:
        if not isinstance(self.request.error, RequestEntityTooLarge):
            super().execute()
            return
        headers = self.request.headers
        try:
            length: int | None = int(headers.get("CONTENT_LENGTH", ""))
        except ValueError:
            length = None  # chunked: the size is not known, only that it passed the cap
        app: Flask = self.channel.server.flask_app
        response = too_large_response(app, self.request.path or "/", self.request.command or "GET",
                                      headers.get("ACCEPT"), length)
        body = response.get_data()
        self.status = response.status
        self.response_headers.extend((k, v) for k, v in response.headers.items() if k.lower() != "content-length")
        self.set_close_on_finish()  # the rest of the body is not read: this connection cannot carry another request
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask


class _Server(TcpWSGIServer):
    channel_class = _Channel
    flask_app: Flask


def _waitress_server(app: Flask, settings: Settings) -> TcpWSGIServer | MultiSocketServer:
    """waitress's create_server, with our channel (so our error task) on every listening socket."""
    adj = Adjustments(
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="policygraph",
        # Over the cap by one byte is refused before buffering (waitress refuses at >= this size).
        max_request_body_size=settings.max_request_bytes + 1,
    )
    socket_map: dict[int, object] = {}
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    servers = []
    for sockinfo in adj.listen:  # a host name may resolve to several addresses (IPv4 and IPv6)
        server = _Server(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
        server.flask_app = app
        servers.append(server)
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(socket_map, adj, listening, dispatcher, servers[-1].log_info)


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Inputs the server reads later are checked now: a missing one stops it here, naming its setting,
    # rather than failing the first /queries request or the first write.
    settings.input_dir("queries_dir")
    if settings.write_token:
        settings.input_dir("shapes_dir")
    app = create_app(settings)
    service = service_for(app.extensions)
    service.start()
    local_writes = bool(settings.write_token) and not settings.store_is_remote
    if local_writes:
        start_writer(settings)  # loads in the background: the first write need not wait for it
    signal.signal(signal.SIGTERM, _stop)
    server = _waitress_server(app, settings)
    serving = settings.store if settings.store_is_remote else settings.store_path
    print(f"policygraph serving {serving} at http://{settings.host}:{settings.port}/", flush=True)
    try:
        server.run()
    finally:
        service.close()
        if local_writes:
            stop_writers()
        sys.stdout.flush()
