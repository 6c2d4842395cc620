"""Writes: SPARQL Update and the Graph Store HTTP Protocol, each one transaction validated before commit.

Writes run in one long-lived writer process per server (started with the server by `start_writer`, or
by the first write), which keeps what every write needs ready: the imports (rdflib, the validator), the
compiled shapes, an in-memory copy of the store and the build open read-write — about a second of
start-up a process per write would pay, and the copy saves loading the store per write. Each write is
validated on the copy, recorded, then committed in place as one transaction and named by swapping the
`current` link (sparql/apply.py: the fast path for writes with an explicit change, the general path for
the others). Query workers follow a committed write through its delta record (sparql/deltas.py).

The write timeout still stops a write: the writer process is killed (a crash at any point leaves the
old state or the new one, never a mix: see sparql/apply.py) and a fresh one is started. The writer
watches the server's process and exits with it. Writes from one server are one at a time (a thread lock
here, and the store's file lock across processes).

The token is compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import hmac
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from policygraph.errors import Forbidden, PolicygraphError, ValidationFailed
from policygraph.settings import Settings
from policygraph.sparql.errors import QueryTimeout, Unauthorized
from policygraph.sparql.guards import inspect_update

log = logging.getLogger("policygraph.sparql")


@dataclass(frozen=True)
class WriteRequest:
    operation: str  # 'update' | 'put' | 'post' | 'delete'
    update: str | None = None
    graph: str | None = None  # a named graph IRI; None: the default graph
    data: bytes | None = None
    rdf_format: str | None = None  # a key of web.mediatypes.GRAPHS, for 'put' and 'post'


@dataclass(frozen=True)
class WriteResult:
    ok: bool
    status: int
    message: str
    created: bool = False
    quads_before: int = 0
    quads_after: int = 0
    version: str = ""
    report: str = ""
    violations: int = 0
    path: str = ""  # 'fast' (explicit change, incremental) or 'general'
    validated: int | None = None  # focus nodes validated on the fast path; None: the whole dataset


class WriteFailed(PolicygraphError):
    """A write refused inside the writer process, with the status it chose there."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def authorise(settings: Settings, header: str | None) -> None:
    """Writes are off unless a token is configured; then they need `Authorization: Bearer <token>`."""
    if not settings.write_token:
        raise Forbidden("writes are disabled on this server (no write token is configured)")
    if not header:
        raise Unauthorized("this write needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    valid = hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8"))
    if scheme.lower() != "bearer" or not valid:
        raise Forbidden("the write token is not valid")


def check_update(settings: Settings, text: str) -> None:
    inspect_update(text, settings.max_query_length, settings.max_nesting)


class Writer:
    """The parent's side of the writer process: a pipe, and the process's life cycle."""

    def __init__(self, settings: Settings) -> None:
        ctx = multiprocessing.get_context("forkserver")
        self.conn: Connection
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=writer_main, args=(child, settings, os.getpid()), name="policygraph-writer",
                                   daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(max(0.0, timeout)):
            _tag, problem = self.conn.recv()
            if problem:
                raise WriteFailed(f"the writer process could not start: {problem}", 503)
            self.ready = True
        return self.ready

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


_writers: dict[Settings, Writer] = {}
_lock = threading.Lock()  # one write at a time from this process; also guards _writers


def _writer(settings: Settings) -> Writer:
    writer = _writers.get(settings)
    if writer is None or not writer.process.is_alive():
        if writer is not None:
            writer.kill()
        writer = _writers[settings] = Writer(settings)
    return writer


def start_writer(settings: Settings) -> None:
    """Start the writer process now (it loads in the background), so the first write does not wait for it."""
    with _lock:
        _writer(settings)


def stop_writers() -> None:
    with _lock:
        while _writers:
            _writers.popitem()[1].kill()


def perform_write(settings: Settings, request: WriteRequest) -> WriteResult:
    """Run the write in the writer process, within settings.write_timeout. Raises typed errors."""
    with _lock:
        deadline = time.monotonic() + settings.write_timeout
        writer = _writer(settings)
        try:
            if not writer.wait_ready(deadline - time.monotonic()):
                raise TimeoutError
            writer.conn.send(request)
            if not writer.conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            result: WriteResult = writer.conn.recv()
        except TimeoutError:
            writer.kill()
            _writers.pop(settings, None)
            _writer(settings)  # a fresh one, loading while the client reads the answer
            raise QueryTimeout(
                f"the write did not finish within {settings.write_timeout:g} s and was stopped before its commit "
                "reported back; check the store before retrying"
            ) from None
        except (EOFError, OSError):
            writer.kill()
            _writers.pop(settings, None)
            raise WriteFailed("the process applying the write stopped unexpectedly; nothing was committed", 500) from None
        except WriteFailed:  # it could not start (say, unreadable shapes): the next write tries a new one
            writer.kill()
            _writers.pop(settings, None)
            raise
    if result.ok:
        return result
    if result.status == 422:
        raise ValidationFailed(result.report, result.violations)
    raise WriteFailed(result.message, result.status)


# ---- the writer process


def writer_main(conn: Connection, settings: Settings, server: int) -> None:
    """Load what writes need, report ready, then apply writes one at a time until the pipe closes."""
    from policygraph.sparql.worker import exit_with_server

    threading.Thread(target=exit_with_server, args=(server,), daemon=True).start()
    try:
        from policygraph.sparql.apply import WriteContext

        ctx = WriteContext(settings)
    except (PolicygraphError, OSError, SyntaxError, ValueError) as exc:
        conn.send(("ready", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", ""))
    from policygraph.sparql.apply import warm

    warm(ctx)  # a write sent meanwhile waits in the pipe
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_write(ctx, request))


def run_write(ctx: Any, request: WriteRequest) -> WriteResult:
    """One write, its outcome as a WriteResult (errors included: they cross the pipe as data)."""
    from policygraph.sparql.apply import apply_write

    started = time.perf_counter()
    try:
        done = apply_write(ctx, request)
    except ValidationFailed as exc:
        return WriteResult(False, 422, exc.message, report=exc.report, violations=exc.count)
    except PolicygraphError as exc:
        return WriteResult(False, exc.status, exc.message)
    except SyntaxError as exc:
        return WriteResult(False, 400, f"malformed {'update' if request.operation == 'update' else 'RDF data'}: {exc}")
    except ValueError as exc:
        return WriteResult(False, 400, f"the write cannot be applied: {exc}")
    except OSError as exc:
        return WriteResult(False, 503, f"the store could not be read or written: {exc}")
    log.info("write committed as %s in %.0f ms (%s path, %s focus nodes validated)", done.version,
             (time.perf_counter() - started) * 1000, "fast" if done.fast else "general",
             "all" if done.validated is None else done.validated)
    return WriteResult(True, 201 if done.created else 200, "committed", created=done.created,
                       quads_before=done.quads_before, quads_after=done.quads_after, version=done.version,
                       path="fast" if done.fast else "general", validated=done.validated)
