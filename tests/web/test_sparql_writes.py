"""Writes against a live server on a copy of the store: off without a token; with one, SPARQL Update
and the Graph Store Protocol, each validated with the shapes before commit and refused whole (422 with
the report) when invalid, the store then unchanged; a committed write is seen by the next query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from policygraph.build import Built
from tests.support.server import LiveServer, server_on_copy, stop_server
from tests.web.sparql_support import sparql, store_select

TOKEN = "s3cret-write-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/policygraph/graph/"
ID = "https://w3id.org/policygraph/id/"
PREFIXES = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# An organisation with neither a name nor evidence: the organisation shape refuses it.
INVALID = PREFIXES + f"""INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{
  <{ID}organisation/nameless-test-body> a pg:Organisation .
}} }}"""


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a write token, on its own copy of the store (the session store stays untouched)."""
    server = server_on_copy(store_dir, tmp_path_factory.mktemp("writable"), {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    yield server
    stop_server(server)


def update(server: LiveServer, text: str, headers: dict[str, str] | None = None, form: bool = False) -> requests.Response:
    if form:
        return requests.post(server.url + "/sparql", data={"update": text}, headers=headers or {}, timeout=180)
    return requests.post(server.url + "/sparql", data=text.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-update", **(headers or {})}, timeout=180)


def total(server: LiveServer) -> int:
    return int(sparql(server, COUNT).json()["results"]["bindings"][0]["n"]["value"])


def current(server: LiveServer) -> str:
    """The store version the server answers from (a new one after every committed write)."""
    return sparql(server, "ASK { ?s ?p ?o }").headers["X-Policygraph-Version"]


def test_writes_are_off_without_a_configured_token(live_server: LiveServer) -> None:
    response = update(live_server, INVALID, AUTH)
    assert response.status_code == 403
    assert "writes are disabled" in response.json()["message"]
    gsp = requests.put(live_server.url + "/rdf-graph-store", params={"graph": GRAPH + "x"}, data=b"",
                       headers={"Content-Type": "text/turtle", **AUTH}, timeout=30)
    assert gsp.status_code == 403


def test_an_update_without_the_token_is_refused(writable: LiveServer) -> None:
    response = update(writable, INVALID)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = update(writable, INVALID, {"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    assert TOKEN not in wrong.text and "not-the-token" not in wrong.text
    assert "Access-Control-Allow-Origin" not in wrong.headers  # writes are not open to other origins


def test_an_invalid_authorised_update_is_refused_with_the_report_and_changes_nothing(writable: LiveServer) -> None:
    before, version = total(writable), current(writable)
    response = update(writable, INVALID, AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationFailed" and body["status"] == 422
    assert f"{ID}organisation/nameless-test-body" in body["message"]
    assert "needs exactly one name" in body["message"]  # the shape's own sh:message
    assert total(writable) == before
    assert current(writable) == version
    ask = PREFIXES + f"ASK {{ <{ID}organisation/nameless-test-body> ?p ?o }}"
    assert sparql(writable, ask).json()["boolean"] is False


@pytest.mark.parametrize("form", [False, True], ids=["sparql-update", "form"])
def test_a_valid_update_is_visible_to_the_next_query(writable: LiveServer, form: bool) -> None:
    label = f"Weather and Climate Agency ({'form' if form else 'direct'})"
    text = PREFIXES + f'INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ <{ID}organisation/wmo> skos:altLabel "{label}" }} }}'
    before, version = total(writable), current(writable)
    response = update(writable, text, AUTH, form=form)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "committed"
    assert current(writable) != version
    ask = PREFIXES + f'ASK {{ <{ID}organisation/wmo> skos:altLabel "{label}" }}'
    assert sparql(writable, ask).json()["boolean"] is True
    assert total(writable) == before + 1
    found = writable.get("/queries/search-labels", params={"text": label, "format": "json"}).json()
    assert [b["resource"]["value"] for b in found["results"]["bindings"]] == [f"{ID}organisation/wmo"]


def test_the_derived_graph_follows_the_stated_facts(writable: LiveServer, built: Built) -> None:
    """A shortcut written by hand into the derived graph is recomputed away at commit."""
    fake = f"<{ID}organisation/wmo> pg:worksOn <{ID}issue/taxation>"
    stated = store_select(built.store, PREFIXES + f"SELECT * WHERE {{ {fake} }}")
    assert stated == []  # WMO does not work on taxation in the data
    response = update(writable, PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}derived> {{ {fake} }} }}", AUTH)
    assert response.status_code == 200
    assert sparql(writable, PREFIXES + f"ASK {{ {fake} }}").json()["boolean"] is False


def test_load_and_service_are_refused_even_with_the_token(writable: LiveServer) -> None:
    before = current(writable)
    for text, word in [("LOAD <file:///etc/hostname>", "LOAD"),
                       ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE")]:
        response = update(writable, text, AUTH)
        assert response.status_code == 400
        assert f"{word}" in response.json()["message"] and "refused" in response.json()["message"]
    assert current(writable) == before


def test_a_malformed_update_gets_400_with_the_position(writable: LiveServer) -> None:
    response = update(writable, "INSERT DATA {\n  <http://example.org/a> <http://example.org/b> \n}", AUTH)
    assert response.status_code == 400
    assert "error at 3:" in response.json()["message"]


# -- the Graph Store HTTP Protocol


def gsp(server: LiveServer, method: str, graph: str, data: bytes | None = None, content_type: str = "text/turtle",
        headers: dict[str, str] | None = None) -> requests.Response:
    all_headers = {"Content-Type": content_type, **(headers if headers is not None else AUTH)}
    return requests.request(method, server.url + "/rdf-graph-store", params={"graph": graph}, data=data,
                            headers=all_headers, timeout=180)


def test_graph_store_get_is_a_public_read(writable: LiveServer, built: Built) -> None:
    name = GRAPH + "curated/unige"
    response = writable.get("/rdf-graph-store", params={"graph": name}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    expected = store_select(built.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    assert len(Graph().parse(data=response.text, format="nt")) == int(expected[0]["n"].value)
    assert writable.get("/rdf-graph-store", params={"graph": GRAPH + "no-such-graph"}).status_code == 404
    assert writable.get("/rdf-graph-store").status_code == 400


def test_graph_store_put_post_delete(writable: LiveServer) -> None:
    name = GRAPH + "test/extra-labels"
    wmo = URIRef(ID + "organisation/wmo")
    first = f'<{wmo}> <{SKOS.altLabel}> "Met Organisation" .'.encode()
    assert gsp(writable, "PUT", name, first, headers={}).status_code == 401
    created = gsp(writable, "PUT", name, first)
    assert created.status_code == 201
    read = Graph().parse(data=writable.get("/rdf-graph-store", params={"graph": name}).text, format="turtle")
    assert set(read) == {(wmo, SKOS.altLabel, Literal("Met Organisation"))}
    more = f'<{wmo}> <{SKOS.altLabel}> "Meteorological Organisation" .'.encode()
    assert gsp(writable, "POST", name, more, content_type="application/n-triples").status_code == 204
    read = Graph().parse(data=writable.get("/rdf-graph-store", params={"graph": name}).text, format="turtle")
    assert len(read) == 2
    replaced = gsp(writable, "PUT", name, more)
    assert replaced.status_code == 204
    read = Graph().parse(data=writable.get("/rdf-graph-store", params={"graph": name}).text, format="turtle")
    assert set(read) == {(wmo, SKOS.altLabel, Literal("Meteorological Organisation"))}
    assert gsp(writable, "DELETE", name).status_code == 204
    assert writable.get("/rdf-graph-store", params={"graph": name}).status_code == 404
    assert gsp(writable, "DELETE", name).status_code == 404


def test_graph_store_refuses_invalid_data_whole(writable: LiveServer) -> None:
    name = GRAPH + "test/invalid"
    before, version = total(writable), current(writable)
    data = (f'<{wmo_iri()}> <{SKOS.altLabel}> "fine" .\n'
            f'<{ID}initiative/unnamed-test-thing> a <https://w3id.org/policygraph/ontology#Initiative> .').encode()
    response = gsp(writable, "PUT", name, data)
    assert response.status_code == 422
    assert f"{ID}initiative/unnamed-test-thing" in response.json()["message"]
    assert writable.get("/rdf-graph-store", params={"graph": name}).status_code == 404  # not even the fine triple
    assert total(writable) == before and current(writable) == version


def test_graph_store_bad_bodies(writable: LiveServer) -> None:
    name = GRAPH + "test/bad"
    broken = gsp(writable, "PUT", name, b"<a> <b> .")
    assert broken.status_code == 400 and "malformed" in broken.json()["message"]
    assert gsp(writable, "PUT", name, b"x", content_type="application/x-unknown").status_code == 415


def wmo_iri() -> str:
    return ID + "organisation/wmo"


def test_service_description_announces_update_when_writes_are_on(writable: LiveServer) -> None:
    description: Any = writable.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>" in description


# -- errors keep their class: the same refused write gets the same error on either store (this module runs on
# both), though on the embedded store it is refused in the writer process and crosses a pipe to the view

REFUSED = [
    ("an invalid write", "update", INVALID, "ValidationFailed", 422),
    ("a write naming the default graph", "update",
     f"INSERT DATA {{ <{ID}organisation/wmo> <{SKOS.altLabel}> \"default\" }}", "DefaultGraphWrite", 400),
    ("a general update naming the default graph", "update",
     f"INSERT {{ <{ID}organisation/wmo> <{SKOS.altLabel}> \"default\" }} WHERE {{}}", "DefaultGraphWrite", 400),
    ("a delete of a missing graph", "DELETE", GRAPH + "test/never-written", "NotFound", 404),
    ("a malformed Turtle body", "PUT", GRAPH + "test/bad-body", "InputError", 400),
]


@pytest.mark.parametrize(("what", "how", "text", "error", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_write_answers_its_own_error_on_either_store(writable: LiveServer, what: str, how: str, text: str,
                                                                error: str, status: int) -> None:
    before, version = total(writable), current(writable)
    if how == "update":
        response = update(writable, text, AUTH)
    else:
        response = gsp(writable, how, text, b"<a> <b> ." if how == "PUT" else None)
    body = response.json()
    assert (response.status_code, body["error"], body["status"]) == (status, error, status), body
    assert total(writable) == before and current(writable) == version


@pytest.mark.local_store  # a remote store's version names carry no time: its VoID has no dcterms:modified
def test_void_names_when_the_store_last_changed_after_a_write(writable: LiveServer) -> None:
    """VoID's dcterms:modified is the time of the latest committed write, not lost after it."""
    def modified() -> str:
        void = Graph().parse(data=writable.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, format="turtle")
        found = {str(o) for o in void.objects(None, URIRef("http://purl.org/dc/terms/modified"))}
        assert len(found) == 1, found
        return found.pop()

    before = datetime.fromisoformat(modified())
    label = "A label written to move the VoID's modified time"
    text = PREFIXES + f'INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ <{ID}organisation/wmo> skos:altLabel "{label}" }} }}'
    sent = datetime.now(UTC).replace(microsecond=0)
    assert update(writable, text, AUTH).status_code == 200
    after = datetime.fromisoformat(modified())  # still there, and the write's time
    assert after >= sent and after >= before
