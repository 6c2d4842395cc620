"""The pool of query worker processes, the line of requests waiting for one, and the timeout that stops a
query by stopping its process.

Layout: `size` general workers plus one fast-lane worker, and one line of waiting requests.

- A request joins the line (at most `queue_length` wait at once: one more gets 503 with Retry-After) and
  is served first come, first served: a burst queues instead of being refused.
- The request at the head of the line takes the first general worker that is idle or frees up. When every
  general worker has stayed busy for a short grace period (long queries hold them), the earliest request
  that has waited that long takes the fast lane instead, where it may run only `fast_timeout` seconds: cheap
  queries keep being answered while the general workers are taken.
- A query that outruns the fast lane is stopped there and goes back to the head of the line, to run in the
  next general worker with the whole timeout: it waited longest, and it is not refused.
- A request waits in the line for at most `timeout` seconds (the query timeout bounds the wait as it bounds
  the run); past that the server is overloaded, and the answer is 503 with Retry-After.

A worker that runs past its limit is killed (SIGKILL: a running Oxigraph query cannot be interrupted
otherwise) and a replacement is started in the background; a worker that dies while running a query
(Oxigraph aborts the process on some inputs: a stack overflow in its parser or evaluator) is replaced the
same way, and that request gets 400 "too complex to evaluate": the query did it, not the server.

Workers are started with the 'forkserver' method: the fork server is a clean single-threaded process
that has already imported the worker module, so a replacement starts in milliseconds plus the time to
load the store, and it never inherits the server's threads or locks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policygraph.errors import Busy, QueryTimeout, QueryTooComplex
from policygraph.sparql.worker import Job, Reply, main

log = logging.getLogger("policygraph.sparql")

_START_TIMEOUT = 120.0  # loading a large store into a new worker can take a while
GRACE = 0.25  # seconds a request waits for a busy general worker before it may take the fast lane
GENERAL, FAST = "general", "fast"


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


@dataclass(eq=False)
class _Waiting:
    """One request in the line: when it joined, until when it may wait, and whether the fast lane is open to it."""

    joined: float
    deadline: float
    fast_allowed: bool = True
    lanes: list[str] = field(default_factory=list)


class QueryPool:
    def __init__(self, root: Path, size: int, timeout: float, fast_timeout: float, prefixes: dict[str, str],
                 queue_length: int = 64) -> None:
        self.root, self.size, self.timeout = root, max(1, size), timeout
        self.fast_timeout = min(fast_timeout, timeout)
        self.queue_length = max(1, queue_length)
        self.prefixes = prefixes
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["policygraph.sparql.worker"])
        self._idle: dict[str, list[Worker]] = {GENERAL: [], FAST: []}
        self._line: deque[_Waiting] = deque()
        self._changed = threading.Condition()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._serial = 0
        self.replaced = 0  # workers killed or lost and replaced (for logs and tests)
        self.refused = 0  # requests answered 503 because the line was full or the wait too long

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
        workers = [(self._spawn(GENERAL), GENERAL) for _ in range(self.size)]
        workers.append((self._spawn(FAST), FAST))
        for worker, lane in workers:
            worker.wait_ready(_START_TIMEOUT)
            self._release(worker, lane)
        log.info("query pool: %d general workers and 1 fast-lane worker on %s", self.size, self.root)

    def close(self) -> None:
        self._closed = True
        with self._changed:
            idle = [w for lane in self._idle.values() for w in lane]
            for lane in self._idle.values():
                lane.clear()
        for worker in idle:
            worker.kill()

    def _release(self, worker: Worker, lane: str) -> None:
        with self._changed:
            self._idle[lane].append(worker)
            self._changed.notify_all()

    def _replace(self, worker: Worker, lane: str) -> None:
        """Kill `worker` and put a fresh one in its lane, in the background (the request is answered now)."""
        self.replaced += 1

        def run() -> None:
            worker.kill()
            while not self._closed:
                fresh = self._spawn(lane)
                try:
                    fresh.wait_ready(_START_TIMEOUT)
                except (TimeoutError, EOFError, OSError) as exc:
                    log.error("query pool: a replacement worker failed to start: %s", exc)
                    fresh.kill()
                    time.sleep(1.0)
                    continue
                self._release(fresh, lane)
                return

        threading.Thread(target=run, name="policygraph-respawn", daemon=True).start()

    # -- the line

    def waiting(self) -> int:
        """Requests waiting for a worker now (for logs and tests)."""
        with self._changed:
            return len(self._line)

    def _take(self, me: _Waiting, now: float) -> tuple[Worker, str] | None:
        """A worker for `me` if it may have one now: general workers go in the line's order; the fast lane to
        the earliest request that may use it and has waited the grace period. Called holding the lock."""
        if self._idle[GENERAL] and self._line[0] is me:
            return self._idle[GENERAL].pop(), GENERAL
        if self._idle[FAST] and me.fast_allowed and now - me.joined >= GRACE:
            if next(w for w in self._line if w.fast_allowed) is me:
                return self._idle[FAST].pop(), FAST
        return None

    def _acquire(self, me: _Waiting, first: bool) -> tuple[Worker, str]:
        with self._changed:
            if first and len(self._line) >= self.queue_length:
                self.refused += 1
                raise Busy(
                    f"the server is busy: {len(self._line)} requests are already waiting for a query worker "
                    f"(the line holds {self.queue_length}, setting queue_length). Retry later.",
                    retry_after=max(1, int(self.timeout // 2)),
                )
            if first:
                self._line.append(me)
            else:
                self._line.appendleft(me)  # back from the fast lane: it has waited longest
            try:
                while True:
                    now = time.monotonic()
                    taken = self._take(me, now)
                    if taken is not None:
                        return taken
                    if now >= me.deadline:
                        self.refused += 1
                        raise Busy(
                            f"the server is overloaded: this query waited {self.timeout:g} s (the query timeout) "
                            "for a free worker. Retry later.",
                            retry_after=max(1, int(self.timeout)),
                        )
                    wake = me.deadline
                    if me.fast_allowed and now - me.joined < GRACE:
                        wake = min(wake, me.joined + GRACE)
                    self._changed.wait(max(0.001, wake - now))
            finally:
                self._line.remove(me)
                self._changed.notify_all()  # the next in line may take a worker now

    # -- running queries

    def run(self, job: Job) -> Reply:
        self.start()
        now = time.monotonic()
        me = _Waiting(joined=now, deadline=now + self.timeout)
        first = True
        while True:
            worker, lane = self._acquire(me, first)
            first = False
            if not worker.process.is_alive():
                self._replace(worker, lane)  # died while idle (e.g. killed from outside): take another
                continue
            budget = self.fast_timeout if lane == FAST else self.timeout
            try:
                reply = worker.ask(job, budget)
            except TimeoutError:
                self._replace(worker, lane)
                if lane == FAST and budget < self.timeout:
                    # Outran the fast lane: back to the head of the line, for a general worker and the whole timeout.
                    now = time.monotonic()
                    me = _Waiting(joined=now, deadline=now + self.timeout, fast_allowed=False, lanes=[*me.lanes, FAST])
                    continue
                raise QueryTimeout(
                    f"the query ran longer than the {budget:g} s limit and was stopped; "
                    "narrow it (LIMIT, more specific patterns) and try again"
                ) from None
            except (EOFError, OSError):
                self._replace(worker, lane)
                raise QueryTooComplex(
                    "the query is too complex to evaluate: the process running it stopped (Oxigraph aborted it, "
                    "for instance on very deep nesting); simplify it. The server replaced the process and goes on answering"
                ) from None
            self._release(worker, lane)
            reply.lane = lane if not me.lanes else "+".join([*me.lanes, lane])
            return reply
