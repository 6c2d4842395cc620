"""The store as a remote SPARQL engine: `oxigraph serve` started here, policygraph building into it,
serving from it and writing to it; the same answers as the embedded store; clear errors when the remote is
unreachable or does not union its graphs. (The whole HTTP suite also runs on a remote store:
POLICYGRAPH_TEST_STORE=remote, which `make test` does.)"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from policygraph.settings import Settings
from policygraph.store.remote import with_bindings
from tests.support.paths import OXIGRAPH, ROOT
from tests.support.server import LiveServer, free_port, start_server, stop_server

TOKEN = "remote-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
JSON = {"Accept": "application/sparql-results+json"}
GRAPH = "https://w3id.org/policygraph/graph/"
ID = "https://w3id.org/policygraph/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass
class Engine:
    url: str  # the query endpoint
    process: subprocess.Popen[bytes]


def start_engine(*flags: str) -> Engine:
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", *flags],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=5)
            return Engine(url, process)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policygraph.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    found = start_engine()
    yield found
    found.process.kill()
    found.process.wait()


@pytest.fixture(scope="module")
def remote_server(engine: Engine, built: Built) -> Iterator[LiveServer]:
    done = cli("--store", engine.url, "build")
    assert done.returncode == 0, done.stderr
    server = start_server_on(engine.url)
    yield server
    stop_server(server)


def start_server_on(url: str, extra: dict[str, str] | None = None) -> LiveServer:
    return start_server(url, extra_env=extra)


def rows(server: LiveServer, query: str) -> list[dict[str, object]]:
    response = requests.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_build_into_the_remote_gives_the_same_statistics(remote_server: LiveServer, engine: Engine, settings: Settings) -> None:
    local = cli("--store", str(settings.store_path), "stats", "--markdown")
    remote = cli("--store", engine.url, "stats", "--markdown")
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_queries_catalogue_pages_and_explorer_answer_as_on_the_embedded_store(remote_server: LiveServer,
                                                                               live_server: LiveServer) -> None:
    organisation = "https://w3id.org/policygraph/ontology#Organisation"
    query = f"SELECT ?o ?name WHERE {{ ?o a <{organisation}> ; <{SKOS}prefLabel> ?name }} ORDER BY ?name"
    assert rows(remote_server, query) == rows(live_server, query)
    listing = live_server.get("/queries", params={"format": "json"}).json()["queries"]
    for entry in listing:
        path = f"/queries/{entry['name']}"
        local = live_server.get(path, params={"format": "json"})
        remote = remote_server.get(path, params={"format": "json"})
        assert remote.status_code == local.status_code == 200, entry["name"]
        assert remote.json() == local.json(), entry["name"]
    for path in ("/id/organisation/wmo", "/api/graph", "/.well-known/void"):
        local = live_server.get(path, headers={"Accept": "application/json" if path.startswith("/api") else "text/turtle"})
        remote = remote_server.get(path, headers={"Accept": "application/json" if path.startswith("/api") else "text/turtle"})
        assert remote.status_code == local.status_code == 200, path
        if path.startswith("/api"):
            assert remote.json() == local.json()
        elif path == "/id/organisation/wmo":
            assert _graph(remote.content) == _graph(local.content), path
        else:  # the counts; dump checksums differ with the order the engines list quads in
            assert _counts(remote.content) == _counts(local.content)
            assert len(_counts(local.content)) > 20


def _counts(turtle: bytes) -> set[tuple[str, str]]:
    """VoID's numbers: (predicate, value) of every void:triples, void:entities, void:distinct... statement."""
    void = "http://rdfs.org/ns/void#"
    return {(t.predicate.value, t.object.value) for t in _graph(turtle)
            if t.predicate.value.startswith(void) and isinstance(t.object, ox.Literal)}


def _graph(turtle: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


def test_a_write_is_validated_here_and_committed_there(engine: Engine, built: Built) -> None:
    own = start_engine()
    try:
        assert cli("--store", own.url, "build").returncode == 0
        server = start_server_on(own.url, {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
        try:
            wmo = f"{ID}organisation/wmo"
            labels = f"SELECT ?l WHERE {{ <{wmo}> <{SKOS}altLabel> ?l }}"
            before = rows(server, labels)
            add = f'INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ <{wmo}> <{SKOS}altLabel> "Remote label"@en }} }}'
            done = requests.post(server.url + "/sparql", data=add.encode(), headers=AUTH, timeout=120)
            assert done.status_code == 200, done.text
            assert len(rows(server, labels)) == len(before) + 1
            # And on the engine itself, not only through policygraph.
            direct = requests.get(own.url, params={"query": labels}, headers=JSON, timeout=30).json()
            assert {"type": "literal", "value": "Remote label", "xml:lang": "en"} in [b["l"] for b in direct["results"]["bindings"]]
            # An organisation without a name or evidence: refused whole, the engine unchanged.
            count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            total = rows(server, count)
            nameless = f"<{ID}organisation/nameless> a <https://w3id.org/policygraph/ontology#Organisation>"
            bad = f"INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ {nameless} }} }}"
            refused = requests.post(server.url + "/sparql", data=bad.encode(), headers=AUTH, timeout=120)
            assert refused.status_code == 422 and "organisation/nameless" in refused.text
            assert rows(server, count) == total
        finally:
            stop_server(server)
    finally:
        own.process.kill()
        own.process.wait()


def engine_quads(engine: Engine, graph: str) -> list[tuple[str, str, str]]:
    """The graph's triples as the engine itself holds them (blank nodes as 'bnode')."""
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    found = requests.get(engine.url, params={"query": query}, headers=JSON, timeout=30).json()["results"]["bindings"]
    return sorted(tuple("bnode" if b[v]["type"] == "bnode" else b[v]["value"] for v in "spo") for b in found)


def test_writes_of_blank_nodes_reach_the_engine_and_are_removed_there(built: Built) -> None:
    """DELETE DATA cannot name blank nodes: a graph that loses a blank-node triple is replaced whole on the
    engine, in the same update; everything outside it stays as it was."""
    own = start_engine()
    try:
        assert cli("--store", own.url, "build").returncode == 0
        server = start_server_on(own.url, {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
        try:
            graph = GRAPH + "test/remote-blank"
            others = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) }}"
            before = rows(server, others)
            turtle = f'[] <{SKOS}altLabel> "anonymous one"@en . [] <{SKOS}altLabel> "anonymous two"@en .'
            posted = requests.post(server.url + "/rdf-graph-store", params={"graph": graph}, data=turtle.encode(),
                                   headers={**AUTH, "Content-Type": "text/turtle"}, timeout=120)
            assert posted.status_code == 201, posted.text
            label = f"{SKOS}altLabel"
            assert engine_quads(own, graph) == [("bnode", label, "anonymous one"), ("bnode", label, "anonymous two")]
            drop_one = f'DELETE WHERE {{ GRAPH <{graph}> {{ ?b <{label}> "anonymous one"@en }} }}'
            done = requests.post(server.url + "/sparql", data=drop_one.encode(), headers=AUTH, timeout=120)
            assert done.status_code == 200, done.text
            assert engine_quads(own, graph) == [("bnode", label, "anonymous two")]
            deleted = requests.delete(server.url + "/rdf-graph-store", params={"graph": graph}, headers=AUTH, timeout=120)
            assert deleted.status_code == 204, deleted.text
            assert engine_quads(own, graph) == []
            assert rows(server, others) == before
        finally:
            stop_server(server)
    finally:
        own.process.kill()
        own.process.wait()


def refusal_to_serve(url: str) -> str:
    """`policygraph serve` on the remote store at `url` must exit at start: what it says on stderr."""
    served = subprocess.run([sys.executable, "-m", "policygraph.cli", "--store", url, "serve", "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert served.returncode != 0
    return served.stderr


def test_a_remote_that_unions_its_graphs_is_refused_at_start(built: Built) -> None:
    """policygraph keeps the merge of the named graphs as the engine's default graph: an engine that answers
    queries without GRAPH over the union of its graphs would count every triple twice (or more)."""
    union = start_engine("--union-default-graph")
    try:
        assert cli("--store", union.url, "build").returncode == 0
        refused = refusal_to_serve(union.url)
        assert "union" in refused and "--union-default-graph" in refused
    finally:
        union.process.kill()
        union.process.wait()


def test_a_remote_without_the_merge_is_refused_at_start(built: Built) -> None:
    """Data loaded into the engine by other means (named graphs only) has no default graph to query."""
    plain = start_engine()
    try:
        named = [q for q in built.store if not isinstance(q.graph_name, ox.DefaultGraph)]
        body = ox.serialize(named, format=ox.RdfFormat.N_QUADS) or b""
        loaded = requests.post(plain.url.removesuffix("/query") + "/store", data=body,
                               headers={"Content-Type": "application/n-quads"}, timeout=120)
        assert loaded.status_code in (200, 201, 204), loaded.text
        refused = refusal_to_serve(plain.url)
        assert "none in its default graph" in refused and "policygraph build" in refused
    finally:
        plain.process.kill()
        plain.process.wait()


def test_an_unreachable_remote_is_named_in_the_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    done = cli("--store", url, "stats")
    assert done.returncode != 0
    assert "cannot be reached" in done.stderr and f"127.0.0.1:{url.split(':')[2].split('/')[0]}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT ?a WHERE { ?a ?p ?o }", "SELECT ?a WHERE { VALUES (?a) { (<urn:x>) } ?a ?p ?o }"),
    ("SELECT * { ?a ?p ?o }", "SELECT * { VALUES (?a) { (<urn:x>) } ?a ?p ?o }"),
    ("CONSTRUCT { ?a ?p ?o } WHERE { ?a ?p ?o }", "CONSTRUCT { ?a ?p ?o } WHERE { VALUES (?a) { (<urn:x>) } ?a ?p ?o }"),
    ("CONSTRUCT { ?a ?p ?o } { ?a ?p ?o }", "CONSTRUCT { ?a ?p ?o } { VALUES (?a) { (<urn:x>) } ?a ?p ?o }"),
    ("# SELECT { not here\nASK { ?a ?p '{' }", "# SELECT { not here\nASK { VALUES (?a) { (<urn:x>) } ?a ?p '{' }"),
])
def test_bindings_go_at_the_start_of_the_where_group(text: str, expected: str) -> None:
    assert with_bindings(text, {"a": ox.NamedNode("urn:x")}) == expected


def test_a_query_that_kills_the_parser_costs_a_checking_worker_not_the_server(remote_server: LiveServer, engine: Engine) -> None:
    """On a remote store every query is parsed and planned here first (for the same error positions as on
    the embedded store). That runs in a worker process under the timeout: with the nesting guards switched
    off, a query that makes Oxigraph's parser abort answers 400 and the server goes on."""
    server = start_server_on(engine.url, {"POLICYGRAPH_MAX_NESTING": "1000000", "POLICYGRAPH_MAX_CHAIN": "1000000"})
    try:
        deep = "ASK " + "{" * 20_000 + "}" * 20_000
        response = requests.post(server.url + "/sparql", data=deep.encode(), timeout=120,
                                 headers={"Content-Type": "application/sparql-query", **JSON})
        assert response.status_code == 400, response.text[:300]
        assert response.json()["error"] == "QueryTooComplex"
        assert server.process.poll() is None
        assert rows(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
        malformed = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers=JSON, timeout=60)
        assert malformed.status_code == 400 and "1:" in malformed.json()["message"]
    finally:
        stop_server(server)
