"""Writes committed in place, against a live server with two general query workers (and the fast lane):

- a sequence of writes (INSERT DATA, DELETE DATA, both in one update, Graph Store PUT / POST / DELETE, a
  DELETE/INSERT WHERE update, a triple written into the derived graph) leaves exactly the store that the
  same writes applied from scratch give (each applied whole, the derived graph derived again whole);
- after every write, every query worker answers from the new state (asked more times than there are
  workers, one after the other and all at once; each query text differs, so no cache answers);
- the derived graph follows: a new partnership gets its pg:partnerOf shortcuts, removing it removes them;
- quads with blank nodes (which DELETE DATA cannot name) are written, followed and deleted as well;
- an invalid write with an explicit change is refused with exactly the violations a full validation of
  the changed dataset reports, and changes nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from policygraph.store.copies import open_read_only
from policygraph.validate import load_shapes, validate_graph
from policygraph.writes import WriteRequest
from tests.support.paths import ROOT
from tests.support.server import LiveServer, start_server, stop_server
from tests.support.writes import apply_from_scratch

# The embedded store's in-place commit, delta records and worker catch-up (remote writes: test_remote_store.py).
pytestmark = pytest.mark.local_store

TOKEN = "fast-writes-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/policygraph/id/"
GRAPH = "https://w3id.org/policygraph/graph/"
PG = "https://w3id.org/policygraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
WORKERS = 2  # general workers; the pool adds one fast-lane worker
SOURCE = ID + "partnership/south-centre-undp-sri-lanka-workshop"  # two partners, both in roles of joint work
CLONE = ID + "partnership/south-centre-wmo-test-clone"


@pytest.fixture(scope="module")
def server(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    copy = tmp_path_factory.mktemp("fast-writes") / "store"
    shutil.copytree(store_dir, copy, symlinks=True)
    live = start_server(copy, extra_env={"POLICYGRAPH_WRITE_TOKEN": TOKEN, "POLICYGRAPH_WORKERS": str(WORKERS)},
                        log=tmp_path_factory.mktemp("logs") / "fast-writes.log")
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def reference(built: Built) -> ox.Store:
    """The dataset the server started from, to apply the same writes to from scratch."""
    store = ox.Store()
    store.extend(built.store)
    return store


def clone_partnership(built: Built) -> str:
    """N-Triples of a new partnership: an existing one with WMO in place of one partner."""
    lines = []
    statements = ID + "statement/south-centre/partnership/" + SOURCE.rsplit("/", 1)[1] + "/"
    for q in built.store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH + "curated/south-centre")):
        if q.subject.value == SOURCE or q.subject.value.startswith(statements):
            text = f"{q.subject} {q.predicate} {q.object} ."
            text = text.replace(statements, statements.replace(SOURCE.rsplit("/", 1)[1], CLONE.rsplit("/", 1)[1]))
            lines.append(text.replace(SOURCE, CLONE).replace(ID + "organisation/undp", ID + "organisation/wmo"))
    assert len(lines) > 10
    return "\n".join(lines)


def writes(built: Built) -> list[tuple[str, WriteRequest]]:
    partnership = clone_partnership(built)
    wmo, curated = f"<{ID}organisation/wmo>", f"<{GRAPH}curated/wmo>"
    extra = GRAPH + "test/fast-extra"
    return [
        ("insert data", WriteRequest("update", update=f"INSERT DATA {{ GRAPH {curated} {{\n{partnership}\n}} }}")),
        ("insert data, two graphs", WriteRequest("update", update=(
            f'PREFIX skos: <{SKOS}>\nINSERT DATA {{ GRAPH {curated} {{ {wmo} skos:altLabel "Fast one"@en , "Fast two"@en }}'
            f' GRAPH <{extra}> {{ {wmo} skos:altLabel "Elsewhere"@en }} }}'))),
        ("delete data", WriteRequest("update", update=f'DELETE DATA {{ GRAPH {curated} {{ {wmo} <{SKOS}altLabel> "Fast one"@en }} }}')),
        ("delete and insert data", WriteRequest("update", update=(
            f'DELETE DATA {{ GRAPH {curated} {{ {wmo} <{SKOS}altLabel> "Fast two"@en }} }} ;\n'
            f'INSERT DATA {{ GRAPH {curated} {{ {wmo} <{SKOS}altLabel> "Fast three"@en }} }}'))),
        ("graph store put", WriteRequest("put", graph=GRAPH + "test/fast-gsp", rdf_format="turtle",
                                         data=f'{wmo} <{SKOS}altLabel> "Put one"@en , "Put two"@en .'.encode())),
        ("graph store post", WriteRequest("post", graph=GRAPH + "test/fast-gsp", rdf_format="ntriples",
                                          data=f'{wmo} <{SKOS}altLabel> "Posted"@en .'.encode())),
        ("graph store put again", WriteRequest("put", graph=GRAPH + "test/fast-gsp", rdf_format="turtle",
                                               data=f'{wmo} <{SKOS}altLabel> "Put two"@en , "Put three"@en .'.encode())),
        ("graph store delete", WriteRequest("delete", graph=extra)),
        ("a triple in the derived graph", WriteRequest("update", update=(
            f"INSERT DATA {{ GRAPH <{GRAPH}derived> {{ {wmo} <{PG}worksOn> <{ID}issue/taxation> }} }}"))),
        ("delete/insert where", WriteRequest("update", update=(
            f"PREFIX skos: <{SKOS}>\nDELETE {{ GRAPH ?g {{ ?o skos:altLabel ?l }} }} INSERT {{ GRAPH ?g {{ ?o skos:altLabel ?u }} }}"
            f' WHERE {{ GRAPH ?g {{ ?o skos:altLabel ?l }} FILTER (STRSTARTS(STR(?l), "Put ")) BIND (STRLANG(UCASE(?l), "en") AS ?u) }}'))),
        ("delete the partnership", WriteRequest("update", update=f"DELETE DATA {{ GRAPH {curated} {{\n{partnership}\n}} }}")),
    ]


def send(server: LiveServer, write: WriteRequest) -> requests.Response:
    if write.operation == "update":
        return requests.post(server.url + "/sparql", data=(write.update or "").encode(), timeout=180,
                             headers={"Content-Type": "application/sparql-update", **AUTH})
    types = {"turtle": "text/turtle", "ntriples": "application/n-triples"}
    headers = {"Content-Type": types.get(write.rdf_format or "", "text/turtle"), **AUTH}
    return requests.request(write.operation.upper(), server.url + "/rdf-graph-store", params={"graph": write.graph},
                            data=write.data, timeout=180, headers=headers)


def asked(server: LiveServer, query: str, nonce: int) -> requests.Response:
    # A different projection each time: the text differs, so the result cache cannot answer it.
    text = query.replace("?n", f"?n{nonce}")
    return requests.get(server.url + "/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"},
                        timeout=60)


def every_worker_sees(server: LiveServer, query: str, expected: str, round_: int) -> None:
    """One after the other (the general workers take turns), then all at once (the fast lane too)."""
    times = 3 * (WORKERS + 1)
    answers = [asked(server, query, round_ * 100 + i) for i in range(times)]
    with ThreadPoolExecutor(times) as pool:
        answers += list(pool.map(lambda i: asked(server, query, round_ * 100 + 50 + i), range(times)))
    values = [next(iter(r.json()["results"]["bindings"][0].values()))["value"] for r in answers]
    assert values == [expected] * len(values)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def named(store: ox.Store) -> str:
    """The number of quads in the named graphs (what COUNT counts; the default graph is their merge)."""
    return str(sum(1 for q in store if not isinstance(q.graph_name, ox.DefaultGraph)))
PARTNERS = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}organisation/wmo> <{PG}partnerOf> <{ID}organisation/south-centre> }}"


def test_writes_leave_the_store_a_from_scratch_application_gives(server: LiveServer, built: Built,
                                                                   reference: ox.Store) -> None:
    base = server.settings.base_iri
    assert int(asked(server, PARTNERS, 0).json()["results"]["bindings"][0]["n0"]["value"]) == 0
    for round_, (name, write) in enumerate(writes(built), start=1):
        response = send(server, write)
        assert response.status_code in (200, 201, 204), (name, response.text)
        apply_from_scratch(reference, write, base)
        every_worker_sees(server, COUNT, named(reference), round_)
        partners = next(iter(reference.query(PARTNERS)))[0]  # type: ignore[index]
        every_worker_sees(server, PARTNERS, partners.value, round_)
        if name == "insert data":
            assert partners.value == "1"  # the new partnership's shortcut, derived at once
    assert partners.value == "0"  # and gone with the partnership
    on_disk = set(open_read_only(Path(server.settings.store) / os.readlink(Path(server.settings.store) / "current")))
    assert on_disk == set(reference)


def test_blank_nodes_are_written_and_followed_too(server: LiveServer, reference: ox.Store) -> None:
    """Quads with blank nodes cannot be named in DELETE DATA: they reach the disk call by call, and the
    copies follow the record with the same blank nodes (so a later delete finds them)."""
    graph = GRAPH + "test/fast-blank"
    base = server.settings.base_iri
    post = WriteRequest("post", graph=graph, rdf_format="turtle",
                        data=f'[] <{SKOS}altLabel> "anonymous one"@en , "anonymous two"@en .'.encode())
    for round_, write in enumerate([post, WriteRequest("delete", graph=graph)], start=70):
        assert send(server, write).status_code in (201, 204)
        apply_from_scratch(reference, write, base)
        every_worker_sees(server, COUNT, named(reference), round_)
        store = Path(server.settings.store)
        on_disk = open_read_only(store / os.readlink(store / "current"))
        blank = [q for q in on_disk.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        assert len(blank) == (2 if write is post else 0) and all(isinstance(q.subject, ox.BlankNode) for q in blank)


def full_violations(reference: ox.Store, write: WriteRequest, base: str) -> set[str]:
    changed = ox.Store()
    changed.extend(reference)
    apply_from_scratch(changed, write, base)
    report = validate_graph(None, load_shapes(ROOT / "shapes"), changed)
    return {r.line() for r in report.violations}


@pytest.mark.parametrize("name", ["a nameless organisation", "an organisation loses its name"])
def test_an_invalid_write_gets_the_violations_of_a_full_validation_and_changes_nothing(
        server: LiveServer, reference: ox.Store, built: Built, name: str) -> None:
    name_quad = next(q for q in built.store.quads_for_pattern(ox.NamedNode(ID + "organisation/unctad"),
                                                                ox.NamedNode(SKOS + "prefLabel"), None, None)
                     if not isinstance(q.graph_name, ox.DefaultGraph))
    update = {
        "a nameless organisation":
            f"INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ <{ID}organisation/nameless-fast> a <{PG}Organisation> }} }}",
        "an organisation loses its name": f"DELETE DATA {{ GRAPH {name_quad.graph_name} {{ {name_quad.subject} {name_quad.predicate} "
                                          f"{name_quad.object} }} }}",
    }[name]
    write = WriteRequest("update", update=update)
    expected = full_violations(reference, write, server.settings.base_iri)
    assert expected
    version = os.readlink(Path(server.settings.store) / "current")
    response = send(server, write)
    assert response.status_code == 422
    lines = {line for line in response.json()["message"].splitlines() if line.startswith("[Violation]")}
    assert lines == expected
    assert os.readlink(Path(server.settings.store) / "current") == version
    every_worker_sees(server, COUNT, named(reference), 90 if name.startswith("a ") else 95)
