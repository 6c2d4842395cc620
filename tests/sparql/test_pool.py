"""The worker pool's line (sparql/pool.py), on real worker processes over the session's store: a burst
queues instead of being refused, a query that outruns the fast lane goes back to the head of the line and
is answered, a full line refuses with Retry-After, and a worker that dies answers 400."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from policygraph.build import Built
from policygraph.errors import Busy, QueryTooComplex
from policygraph.namespaces import PREFIXES
from policygraph.sparql.pool import QueryPool
from policygraph.sparql.worker import Job, Reply

pytestmark = pytest.mark.local_store

ASK = "ASK { ?s a <https://w3id.org/policygraph/ontology#Organisation> }"
# Every label against every triple: about 31 million solutions to count, seconds of work on any machine
# (2.8 s on the 2-core reference machine), far more than FAST below and far less than the timeout.
MODERATE = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?l . ?b ?p ?o }")
FAST = 0.3


def job(text: str) -> Job:
    return Job(text=text, fmt="json", limit=100)


@pytest.fixture
def make_pool(built: Built, store_dir: Path) -> Iterator[object]:
    pools: list[QueryPool] = []

    def make(size: int = 1, timeout: float = 60.0, queue_length: int = 64) -> QueryPool:
        pool = QueryPool(store_dir, size=size, timeout=timeout, fast_timeout=FAST, prefixes=dict(PREFIXES),
                         queue_length=queue_length)
        pool.start()
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def in_background(pool: QueryPool, text: str) -> tuple[threading.Thread, dict[str, Reply | Exception]]:
    out: dict[str, Reply | Exception] = {}

    def run() -> None:
        try:
            out["reply"] = pool.run(job(text))
        except Exception as exc:  # noqa: BLE001 - the test looks at which error it was
            out["reply"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def wait_for(condition: object, what: str) -> None:
    event = threading.Event()
    for _ in range(600):
        if condition():  # type: ignore[operator]
            return
        event.wait(0.05)
    raise AssertionError(f"never happened: {what}")


def test_a_burst_larger_than_the_pool_queues_and_every_request_is_answered(make_pool) -> None:  # type: ignore[no-untyped-def]
    pool = make_pool(size=1)
    with ThreadPoolExecutor(max_workers=24) as clients:
        replies = list(clients.map(lambda _: pool.run(job(ASK)), range(96)))
    assert all(reply.ok and b"true" in reply.body for reply in replies)
    assert pool.refused == 0 and pool.replaced == 0
    assert {reply.lane for reply in replies} <= {"general", "fast"}


def test_a_query_that_outruns_the_fast_lane_is_answered_by_a_general_worker(make_pool) -> None:  # type: ignore[no-untyped-def]
    pool = make_pool(size=1)
    first, first_out = in_background(pool, MODERATE)
    wait_for(lambda: not pool._idle["general"], "the first query took the general worker")
    second = pool.run(job(MODERATE))
    first.join(120)
    assert isinstance(first_out["reply"], Reply) and first_out["reply"].ok
    # It took the fast lane, ran past FAST there, was stopped, and waited at the head of the line.
    assert second.ok and second.lane == "fast+general"
    assert second.body == first_out["reply"].body
    assert pool.replaced == 1 and pool.refused == 0


def test_a_full_line_refuses_with_retry_after_and_nothing_else_is_refused(make_pool) -> None:  # type: ignore[no-untyped-def]
    pool = make_pool(size=1, queue_length=1)
    first, first_out = in_background(pool, MODERATE)
    wait_for(lambda: not pool._idle["general"], "the general worker is busy")
    second, second_out = in_background(pool, MODERATE.replace("?b", "?c"))
    # The second outruns the fast lane and waits at the head of the line: the line (one place) is full.
    wait_for(lambda: pool.replaced == 1 and pool.waiting() == 1, "the second query waits in the line")
    with pytest.raises(Busy) as refused:
        pool.run(job(ASK))
    assert refused.value.status == 503 and int(refused.value.headers["Retry-After"]) >= 1
    assert "queue_length" in refused.value.message
    for thread in (first, second):
        thread.join(120)
    assert isinstance(first_out["reply"], Reply) and first_out["reply"].ok
    assert isinstance(second_out["reply"], Reply) and second_out["reply"].lane == "fast+general"
    assert pool.refused == 1


def test_a_worker_that_dies_on_a_query_answers_400_too_complex(make_pool) -> None:  # type: ignore[no-untyped-def]
    pool = make_pool(size=1)
    # Past the guards (this calls the pool directly): Oxigraph's parser overflows its stack and the process dies.
    with pytest.raises(QueryTooComplex) as died:
        pool.run(job("ASK " + "{" * 20_000 + "}" * 20_000))
    assert died.value.status == 400 and "too complex to evaluate" in died.value.message
    assert pool.replaced == 1
    wait_for(lambda: len(pool._idle["general"]) == 1, "the worker was replaced")
    assert pool.run(job(ASK)).ok
