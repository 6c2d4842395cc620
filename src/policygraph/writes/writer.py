"""The writer process: writes to the embedded store run in one long-lived writer process per server
(started with the server by `start_writer`, or by the first write), which keeps what every write needs
ready: the imports (rdflib, the validator), the compiled shapes, an in-memory copy of the store and the
build open read-write — about a second of start-up a process per write would pay, and the copy saves
loading the store per write. Each write is
validated on the copy, recorded, then committed in place as one transaction and named by swapping the
`current` link (writes/in_place.py, writes/apply.py). Query workers follow a committed write through its
delta record (store/deltas.py).

The write timeout still stops a write: the writer process is killed (a crash at any point leaves the
old state or the new one, never a mix: see writes/in_place.py) and a fresh one is started. The writer
watches the server's process and exits with it. Writes from one server are one at a time (a thread lock
here, and the store's file lock across processes).

Errors cross the pipe as data with their class name, and are raised again here as the same class
(errors.by_name): a write gets the same error name and status from both stores.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from policygraph.errors import PolicygraphError, QueryTimeout, ValidationFailed, WriteFailed, by_name
from policygraph.settings import Settings
from policygraph.writes.model import WriteRequest, WriteResult

log = logging.getLogger("policygraph.writes")


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
    raise by_name(result.error, result.message, result.status)


# ---- the writer process


def writer_main(conn: Connection, settings: Settings, server: int) -> None:
    """Load what writes need, report ready, then apply writes one at a time until the pipe closes."""
    from policygraph.processes import exit_with_server

    threading.Thread(target=exit_with_server, args=(server,), daemon=True).start()
    try:
        from policygraph.writes.in_place import WriteContext

        ctx = WriteContext(settings)
    except (PolicygraphError, OSError, SyntaxError, ValueError) as exc:
        conn.send(("ready", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", ""))
    from policygraph.writes.in_place import warm

    warm(ctx)  # a write sent meanwhile waits in the pipe
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_write(ctx, request))


def run_write(ctx: Any, request: WriteRequest) -> WriteResult:
    """One write, its outcome as a WriteResult (errors included: they cross the pipe as data)."""
    from policygraph.writes.in_place import apply_write

    started = time.perf_counter()
    try:
        done = apply_write(ctx, request)
    except ValidationFailed as exc:
        return WriteResult(False, 422, exc.message, report=exc.report, violations=exc.count)
    except PolicygraphError as exc:
        return WriteResult(False, exc.status, exc.message, error=type(exc).__name__)
    except SyntaxError as exc:
        what = "update" if request.operation == "update" else "RDF data"
        return WriteResult(False, 400, f"malformed {what}: {exc}", error="InputError")
    except ValueError as exc:
        return WriteResult(False, 400, f"the write cannot be applied: {exc}", error="InputError")
    except OSError as exc:
        return WriteResult(False, 503, f"the store could not be read or written: {exc}", error="StoreError")
    log.info("write committed as %s in %.0f ms (%s path, %s focus nodes validated)", done.version,
             (time.perf_counter() - started) * 1000, "fast" if done.fast else "general",
             "all" if done.validated is None else done.validated)
    return WriteResult(True, 201 if done.created else 200, "committed", created=done.created,
                       quads_before=done.quads_before, quads_after=done.quads_after, version=done.version,
                       path="fast" if done.fast else "general", validated=done.validated)
