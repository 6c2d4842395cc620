"""The pool of query worker processes, and the timeout that stops a query by stopping its process.

Layout: `size` general workers plus one fast-lane worker. A query takes an idle general worker and may
run up to `timeout` seconds. When every general worker stays busy for a short grace period (long
queries hold them), the query runs in the fast lane, but only up to `fast_timeout`: cheap queries keep being answered while the general
workers are taken, and a long query that finds the pool full is told to retry (503, Retry-After) rather
than taking the fast lane for long. When the fast lane is busy as well, the query waits for a general
worker for up to `timeout` seconds, then gets 503.

A worker that runs past its limit is killed (SIGKILL: a running Oxigraph query cannot be interrupted
otherwise) and a replacement is started in the background; a worker that dies (Oxigraph aborts the
process on some inputs) is replaced the same way, and only its request fails.

Workers are started with the 'forkserver' method: the fork server is a clean single-threaded process
that has already imported the worker module, so a replacement starts in milliseconds plus the time to
load the store, and it never inherits the server's threads or locks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policygraph.errors import Busy, QueryTimeout, WorkerFailed
from policygraph.sparql.worker import Job, Reply, main

log = logging.getLogger("policygraph.sparql")

_START_TIMEOUT = 120.0  # loading a large store into a new worker can take a while
GRACE = 0.25  # seconds a query waits for a busy general worker before it takes the fast lane


class Worker:
    def __init__(self, ctx: Any, root: Path, prefixes: dict[str, str], name: str) -> None:
        self.conn: Connection
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=main, args=(child, str(root), prefixes, os.getpid()), name=name, daemon=True)
        self.process.start()
        child.close()
        self.name = name

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise TimeoutError(f"{self.name} did not start within {timeout:.0f} s")
        _tag, _version, problem = self.conn.recv()
        if problem:
            log.warning("%s started without a store: %s", self.name, problem)

    def ask(self, job: Job, timeout: float) -> Reply:
        """Send a job and wait up to `timeout` s. TimeoutError if it runs longer; EOFError if it died."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            raise TimeoutError
        return self.conn.recv()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    def __init__(self, root: Path, size: int, timeout: float, fast_timeout: float, prefixes: dict[str, str]) -> None:
        self.root, self.size, self.timeout = root, max(1, size), timeout
        self.fast_timeout = min(fast_timeout, timeout)
        self.prefixes = prefixes
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["policygraph.sparql.worker"])
        self._general: queue.Queue[Worker] = queue.Queue()
        self._fast: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._serial = 0
        self.replaced = 0  # workers killed or lost and replaced (for logs and tests)

    # -- life cycle

    def _spawn(self, lane: str) -> Worker:
        with self._lock:
            self._serial += 1
            name = f"policygraph-query-{lane}-{self._serial}"
        return Worker(self._ctx, self.root, self.prefixes, name)

    def start(self) -> None:
        """Start every worker and wait until each has loaded the store (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        workers = [(self._spawn("general"), self._general) for _ in range(self.size)]
        workers.append((self._spawn("fast"), self._fast))
        for worker, lane in workers:
            worker.wait_ready(_START_TIMEOUT)
            lane.put(worker)
        log.info("query pool: %d general workers and 1 fast-lane worker on %s", self.size, self.root)

    def close(self) -> None:
        self._closed = True
        for lane in (self._general, self._fast):
            while True:
                try:
                    lane.get_nowait().kill()
                except queue.Empty:
                    break

    def _replace(self, worker: Worker, lane: queue.Queue[Worker], kind: str) -> None:
        """Kill `worker` and put a fresh one in its lane, in the background (the request is answered now)."""
        self.replaced += 1

        def run() -> None:
            worker.kill()
            while not self._closed:
                fresh = self._spawn(kind)
                try:
                    fresh.wait_ready(_START_TIMEOUT)
                except (TimeoutError, EOFError, OSError) as exc:
                    log.error("query pool: a replacement worker failed to start: %s", exc)
                    fresh.kill()
                    time.sleep(1.0)
                    continue
                lane.put(fresh)
                return

        threading.Thread(target=run, name="policygraph-respawn", daemon=True).start()

    # -- running queries

    def _acquire(self) -> tuple[Worker, queue.Queue[Worker], str, float]:
        # A general worker if one is idle or frees up within the grace period (cheap queries hold one for
        # milliseconds, and a long query should not be sent to the fast lane because of them); else the
        # fast lane; else wait for a general worker up to the timeout.
        try:
            return self._general.get(timeout=GRACE), self._general, "general", self.timeout
        except queue.Empty:
            pass
        try:
            return self._fast.get_nowait(), self._fast, "fast", self.fast_timeout
        except queue.Empty:
            pass
        try:
            return self._general.get(timeout=self.timeout), self._general, "general", self.timeout
        except queue.Empty:
            raise Busy(
                f"every query worker is busy with long queries; none was free within {self.timeout:g} s. Retry later.",
                retry_after=int(self.timeout),
            ) from None

    def run(self, job: Job) -> Reply:
        self.start()
        while True:
            worker, lane, kind, budget = self._acquire()
            if worker.process.is_alive():
                break
            self._replace(worker, lane, kind)  # died while idle (e.g. killed from outside): take another
        try:
            reply = worker.ask(job, budget)
        except TimeoutError:
            self._replace(worker, lane, kind)
            if kind == "fast" and budget < self.timeout:
                raise Busy(
                    f"the server is busy with long queries and this one did not finish within the "
                    f"{budget:g} s the fast lane allows; it was stopped. Retry later.",
                    retry_after=int(self.timeout),
                ) from None
            raise QueryTimeout(
                f"the query ran longer than the {budget:g} s limit and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            ) from None
        except (EOFError, OSError):
            self._replace(worker, lane, kind)
            raise WorkerFailed(
                "the process running this query stopped unexpectedly (Oxigraph aborted it); "
                "the server replaced it and goes on answering"
            ) from None
        lane.put(worker)
        reply.lane = kind
        return reply
