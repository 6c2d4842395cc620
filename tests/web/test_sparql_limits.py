"""Limits, against live servers: the query timeout (a slow query is stopped at the limit while a simple
one sent meanwhile is answered), the fast lane, SERVICE and LOAD refused with no outbound request, length
and nesting refused before the text reaches Oxigraph, a worker crash contained, and the result cap."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from policygraph.errors import QueryRefused
from policygraph.sparql.guards import inspect_query
from tests.support.server import LiveServer, start_server, stop_server
from tests.web.sparql_support import (
    ASK_PROFILED,
    CONSTRUCT_PARTNERS,
    ORGANISATIONS,
    sparql,
    store_select,
)

TIMEOUT = 3.0
FAST_LANE = 1.0
MAX_RESULTS = 5
MAX_GRAPH_TRIPLES = 20_000  # more than any one profile's graph, less than the merge of them all
MAX_NESTING = 50
MAX_LENGTH = 50_000
# Three unrelated patterns over every triple: about 16,000³ solutions to count; it never ends by itself.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def limited(built: Built, store_dir: Path) -> Iterator[LiveServer]:
    """One general worker, a short timeout, a small result cap, shallow nesting."""
    server = start_server(store_dir, extra_env={
        "POLICYGRAPH_QUERY_TIMEOUT": str(TIMEOUT),
        "POLICYGRAPH_FAST_LANE_TIMEOUT": str(FAST_LANE),
        "POLICYGRAPH_WORKERS": "1",
        "POLICYGRAPH_MAX_RESULTS": str(MAX_RESULTS),
        "POLICYGRAPH_MAX_GRAPH_TRIPLES": str(MAX_GRAPH_TRIPLES),
        "POLICYGRAPH_MAX_NESTING": str(MAX_NESTING),
        "POLICYGRAPH_MAX_QUERY_LENGTH": str(MAX_LENGTH),
        "POLICYGRAPH_CACHE_ENTRIES": "0",  # every repeated simple query must reach a worker lane
    })
    yield server
    stop_server(server)


class Listener:
    """A local TCP port that counts connections: proof that the server made no outbound request."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(5)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.mark.local_store
def test_a_slow_query_is_stopped_at_the_limit_while_a_simple_one_is_answered(limited: LiveServer) -> None:
    settled(limited)
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["response"] = sparql(limited, EXPENSIVE)
        slow["elapsed"] = time.monotonic() - started
        slow["done"] = time.monotonic()

    thread = threading.Thread(target=run_slow)
    thread.start()
    quick = while_general_is_busy(limited)
    quick_done = time.monotonic()
    thread.join(120)

    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert "response" in slow and quick_done < slow["done"], "the simple query waited for the slow one"
    assert slow["response"].status_code == 504
    assert f"{TIMEOUT:g} s limit" in slow["response"].json()["message"]
    assert slow["elapsed"] >= TIMEOUT  # it ran up to the limit, and an answer came: it was stopped
    # The stopped worker was replaced: the server goes on answering, in the general lane too.
    assert sparql(limited, ASK_PROFILED).status_code == 200
    settled(limited)


def settled(server: LiveServer) -> None:
    """Wait until a general worker answers again (a stopped one is replaced in the background)."""
    deadline = time.monotonic() + 60
    while sparql(server, ASK_PROFILED).headers.get("X-Policygraph-Lane") != "general":
        assert time.monotonic() < deadline, "no general worker came back"
        time.sleep(0.2)


def while_general_is_busy(server: LiveServer) -> requests.Response:
    """A simple query answered while the only general worker runs the slow one (so in the fast lane)."""
    deadline = time.monotonic() + 30
    while True:
        quick = sparql(server, ASK_PROFILED)
        if quick.headers.get("X-Policygraph-Lane") == "fast":
            return quick
        assert time.monotonic() < deadline, "the slow query never took the general worker"
        time.sleep(0.05)  # the slow query has not reached its worker yet


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "select * where { ?x ?y ?z . service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://127.0.0.1:{port}/> } } } }",
        "SELECT * WHERE { ?s ?p ?o.SERVICE <http://127.0.0.1:{port}/> {} }",
    ],
)
def test_service_is_refused_with_its_position_and_no_request_leaves(live_server: LiveServer, listener: Listener, text: str) -> None:
    query = text.replace("{port}", str(listener.port))
    response = sparql(live_server, query)
    assert response.status_code == 400
    message = response.json()["message"]
    assert "SERVICE" in message and "refused" in message
    column = query.upper().index("SERVICE") + 1
    assert f"line 1, column {column}" in message
    time.sleep(0.3)
    assert listener.connections == 0


def test_the_word_service_elsewhere_is_no_keyword(live_server: LiveServer) -> None:
    text = ('PREFIX pg: <https://w3id.org/policygraph/ontology#>\n'
            'SELECT ?service WHERE { ?account pg:service ?service # SERVICE <http://example.org/>\n'
            ' FILTER (?service != "SERVICE <http://example.org/> {}") }')
    assert sparql(live_server, text).status_code == 200


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/data.ttl", "file:///etc/hostname"])
def test_load_is_refused_as_a_query_with_no_request_or_file_read(live_server: LiveServer, listener: Listener, target: str) -> None:
    response = sparql(live_server, f"LOAD <{target.replace('{port}', str(listener.port))}>")
    assert response.status_code == 400
    assert "LOAD is refused" in response.json()["message"] and "line 1, column 1" in response.json()["message"]
    time.sleep(0.3)
    assert listener.connections == 0


def test_nesting_is_refused_before_parsing(limited: LiveServer) -> None:
    ok = "ASK " + "{" * (MAX_NESTING - 1) + "}" * (MAX_NESTING - 1)
    assert sparql(limited, ok).status_code == 200
    for text in ("ASK " + "{" * (MAX_NESTING + 10) + "}" * (MAX_NESTING + 10),
                 "ASK { FILTER (" + "(" * 20_000 + "1" + ")" * 20_000 + ") }"):
        response = sparql(limited, text, method="direct")
        assert response.status_code == 400
        message = response.json()["message"]
        # The guard's message, not Oxigraph's: the text never reached the parser.
        assert f"nests brackets more than {MAX_NESTING} deep" in message and "error at" not in message
    assert sparql(limited, ASK_PROFILED).json()["boolean"] is True


def test_length_is_refused_before_parsing(limited: LiveServer) -> None:
    text = "ASK {}" + "#" * MAX_LENGTH
    response = sparql(limited, text, method="direct")
    assert response.status_code == 400
    assert f"the limit is {MAX_LENGTH:,}" in response.json()["message"]


@pytest.mark.local_store
def test_a_crash_in_oxigraph_takes_down_one_worker_not_the_server(built: Built, store_dir: Path) -> None:
    """Without the nesting guards Oxigraph's parser overflows its stack on ~2,200 nested groups and the
    process dies; here it is a worker process: the request fails, the server goes on."""
    server = start_server(store_dir, extra_env={"POLICYGRAPH_MAX_NESTING": "1000000", "POLICYGRAPH_MAX_CHAIN": "1000000"})
    try:
        deep = "ASK " + "{" * 6000 + "}" * 6000
        response = sparql(server, deep, method="direct")
        assert response.status_code == 400
        assert response.json()["error"] == "QueryTooComplex"
        assert "too complex to evaluate" in response.json()["message"]
        assert "Traceback" not in response.text
        assert server.process.poll() is None
        for _ in range(3):
            assert sparql(server, ASK_PROFILED).json()["boolean"] is True
    finally:
        stop_server(server)


def refused_as_too_large(response: requests.Response, what: str) -> None:
    assert response.status_code == 422, response.text[:500]
    error = response.json()
    assert error["error"] == "ResultTooLarge"
    assert f"more than {MAX_RESULTS:,} {what}" in error["message"] and "/dumps" in error["message"]
    assert "X-Policygraph-Truncated" not in response.headers


def test_an_answer_over_the_cap_is_refused_never_cut(limited: LiveServer, built: Built) -> None:
    total = len(store_select(built.store, ORGANISATIONS))
    assert total > MAX_RESULTS
    for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values",
                   "application/sparql-results+xml"):
        refused_as_too_large(sparql(limited, ORGANISATIONS, accept=accept), "solutions")
    assert "LIMIT" in sparql(limited, ORGANISATIONS).json()["message"]
    refused_as_too_large(sparql(limited, CONSTRUCT_PARTNERS, accept="application/n-triples"), "triples")
    # At the cap exactly, the whole answer comes, and it is whole.
    page = sparql(limited, ORGANISATIONS.rstrip() + f"\nLIMIT {MAX_RESULTS}")
    assert page.status_code == 200 and len(page.json()["results"]["bindings"]) == MAX_RESULTS
    assert "truncated" not in page.json()
    assert sparql(limited, ASK_PROFILED).status_code == 200


def test_a_graph_store_read_is_whole_up_to_its_own_cap_and_refused_over_it(limited: LiveServer, built: Built) -> None:
    graph = "https://w3id.org/policygraph/graph/curated/wmo"
    expected = len(list(built.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))
    assert MAX_RESULTS < expected < MAX_GRAPH_TRIPLES
    whole = limited.get("/rdf-graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert whole.status_code == 200
    assert len([line for line in whole.text.splitlines() if line.strip()]) == expected
    merged = limited.get("/rdf-graph-store", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert merged.status_code == 422 and merged.json()["error"] == "ResultTooLarge"
    assert "max_graph_triples" in merged.json()["message"] and "/dumps" in merged.json()["message"]


def test_the_catalogue_page_says_when_results_are_capped_and_its_data_forms_refuse(limited: LiveServer) -> None:
    page = limited.get("/queries/who-works-on-issue", headers={"Accept": "text/html"}).text
    assert f"the first {MAX_RESULTS} only" in page
    refused_as_too_large(limited.get("/queries/who-works-on-issue", params={"format": "json"}), "solutions")
    refused_as_too_large(limited.get("/queries/who-works-on-issue", params={"format": "csv"}), "solutions")


# -- the guard itself, as a function: what it reads as code, what as strings, IRIs and comments


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("SELECT * WHERE { SERVICE <x:y> {} }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o . sErViCe ?e {} }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o.SERVICE <x:y> {} }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p 'it''s'. SERVICE <x:y> {} }", "SERVICE"),
        ('SELECT * WHERE { ?s ?p """a\\""" . SERVICE <x:y> {} """ }', None),  # all one long string
        ('SELECT * WHERE { ?s ?p "a\\"b" . SERVICE <x:y> {} }', "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o } # SERVICE <x:y> {}", None),
        ("SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }", None),
        ("PREFIX service: <x:> SELECT * WHERE { ?s service:load ?o }", None),
        ("SELECT ?service ?load WHERE { ?service ?p 'LOAD' }", None),
        ('SELECT * WHERE { ?s ?p "x"@service }', None),
        ("LOAD <file:///etc/hostname>", "LOAD"),
        ("SELECT * WHERE { ?s ?p 'never closed }", "never closed"),
    ],
)
def test_the_guard_finds_keywords_only_in_code(text: str, refused: str | None) -> None:
    if refused is None:
        assert inspect_query(text, 10_000, 50).form == "SELECT"
    else:
        with pytest.raises(QueryRefused, match=refused):
            inspect_query(text, 10_000, 50)


@pytest.mark.parametrize(
    ("text", "form", "has_from"),
    [
        ("# a comment\nPREFIX a: <x:> BASE <x:> ASK {}", "ASK", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
        ("DESCRIBE <x:y>", "DESCRIBE", False),
        ("SELECT * FROM <x:g> WHERE { { SELECT * WHERE { ?s ?p ?o } } }", "SELECT", True),
        ("SELECT * FROM NAMED <x:g> WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
    ],
)
def test_the_guard_tells_the_query_form(text: str, form: str, has_from: bool) -> None:
    info = inspect_query(text, 10_000, 50)
    assert (info.form, info.has_dataset_clause) == (form, has_from)


# -- N heavy queries at once, N = the number of general workers: cheap queries still get through


HEAVY_WORKERS = 2


@pytest.fixture(scope="module")
def two_workers(built: Built, store_dir: Path) -> Iterator[LiveServer]:
    server = start_server(store_dir, extra_env={
        "POLICYGRAPH_WORKERS": str(HEAVY_WORKERS),
        "POLICYGRAPH_QUERY_TIMEOUT": str(TIMEOUT),
        "POLICYGRAPH_FAST_LANE_TIMEOUT": str(FAST_LANE),
        "POLICYGRAPH_CACHE_ENTRIES": "0",
    })
    yield server
    stop_server(server)


def cheap(server: LiveServer, serial: int) -> requests.Response:
    """A cheap ASK, different each time so that no cached answer stands in for a worker's."""
    return sparql(server, ASK_PROFILED.replace("?p }", f"?p FILTER(?org != <urn:cheap:{serial}>) }}"))


@pytest.mark.local_store
def test_cheap_queries_are_answered_while_every_general_worker_runs_a_heavy_one(two_workers: LiveServer) -> None:
    heavy: dict[int, requests.Response] = {}
    finished: dict[int, float] = {}

    def run_heavy(i: int) -> None:
        heavy[i] = sparql(two_workers, EXPENSIVE.replace("?n", f"?heavy{i}"))
        finished[i] = time.monotonic()

    threads = [threading.Thread(target=run_heavy, args=(i,)) for i in range(HEAVY_WORKERS)]
    for thread in threads:
        thread.start()
    # Once a cheap query is answered in the fast lane, every general worker is held by a heavy query.
    deadline, serial = time.monotonic() + 30, 0
    while True:
        serial += 1
        first = cheap(two_workers, serial)
        assert first.status_code == 200, first.text[:300]
        if first.headers.get("X-Policygraph-Lane") == "fast":
            break
        assert time.monotonic() < deadline, "the heavy queries never took every general worker"
        time.sleep(0.05)
    answered = [first]
    for _ in range(3):  # and the next ones too, one after the other, while the heavy ones still run
        serial += 1
        answered.append(cheap(two_workers, serial))
    cheap_done = time.monotonic()
    for thread in threads:
        thread.join(120)

    for response in answered:
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert response.headers["X-Policygraph-Lane"] == "fast"
    assert all(cheap_done < done for done in finished.values()), "the cheap queries waited for the heavy ones"
    assert sorted(heavy) == list(range(HEAVY_WORKERS))
    for response in heavy.values():
        assert response.status_code == 504
        assert f"{TIMEOUT:g} s limit" in response.json()["message"]
    # The stopped workers are replaced: the general lane answers again.
    deadline = time.monotonic() + 60
    while cheap(two_workers, serial := serial + 1).headers.get("X-Policygraph-Lane") != "general":
        assert time.monotonic() < deadline, "no general worker came back"
        time.sleep(0.2)
