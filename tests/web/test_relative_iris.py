"""Relative IRIs in queries resolve against the dataset's base IRI (settings.base_iri), on either store,
never against the server's own address; a BASE in the query wins. Against the live server's endpoint."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from tests.support.server import LiveServer
from tests.web.sparql_support import sparql

BASE = "https://w3id.org/policygraph/"
ID = BASE + "id/"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def bindings(server: LiveServer, text: str) -> list[dict[str, Any]]:
    response = sparql(server, text)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]  # type: ignore[no-any-return]


def test_a_relative_iri_finds_what_the_absolute_one_finds(live_server: LiveServer) -> None:
    absolute = bindings(live_server, SKOS + f"SELECT ?name WHERE {{ <{ID}organisation/wmo> skos:prefLabel ?name }}")
    relative = bindings(live_server, SKOS + "SELECT ?name WHERE { <id/organisation/wmo> skos:prefLabel ?name }")
    assert relative == absolute and absolute[0]["name"]["value"] == "World Meteorological Organization"


def test_answers_carry_the_resolved_iris(live_server: LiveServer) -> None:
    rows = bindings(live_server, 'SELECT ?a ?b WHERE { BIND(<id/organisation/wmo> AS ?a) BIND(IRI("graph/curated/wmo") AS ?b) }')
    assert (rows[0]["a"]["value"], rows[0]["b"]["value"]) == (ID + "organisation/wmo", BASE + "graph/curated/wmo")
    described = sparql(live_server, "DESCRIBE <id/organisation/wmo>", accept="application/n-triples")
    assert described.status_code == 200 and f"<{ID}organisation/wmo>" in described.text
    assert "127.0.0.1" not in described.text and "localhost" not in described.text


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_a_relative_from_clause_names_the_same_graph(live_server: LiveServer, method: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) FROM <{}> WHERE {{ ?s ?p ?o }}"
    absolute = sparql(live_server, count.format(BASE + "graph/curated/wmo"), method).json()
    relative = sparql(live_server, count.format("graph/curated/wmo"), method).json()
    everything = sparql(live_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", method).json()
    n = int(relative["results"]["bindings"][0]["n"]["value"])
    assert relative == absolute and 0 < n < int(everything["results"]["bindings"][0]["n"]["value"])


def test_a_base_of_the_query_wins(live_server: LiveServer) -> None:
    own = bindings(live_server, SKOS + f"BASE <{ID}>\nSELECT ?name WHERE {{ <organisation/wmo> skos:prefLabel ?name }}")
    assert [r["name"]["value"] for r in own] == ["World Meteorological Organization"]
    elsewhere = SKOS + "BASE <http://example.org/>\nSELECT ?name WHERE { <id/organisation/wmo> skos:prefLabel ?name }"
    assert bindings(live_server, elsewhere) == []
    relative_base = SKOS + "BASE <id/>\nSELECT ?name WHERE { <organisation/wmo> skos:prefLabel ?name }"  # against ours
    assert [r["name"]["value"] for r in bindings(live_server, relative_base)] == ["World Meteorological Organization"]


def test_a_malformed_query_keeps_its_own_position(live_server: LiveServer) -> None:
    text = "SELECT ?name\nWHERE { <id/organisation/wmo> ?p }"
    with pytest.raises(SyntaxError) as parsed:
        ox.Store().query(text, base_iri=BASE)
    expected = str(parsed.value)
    response = sparql(live_server, text)
    assert response.status_code == 400
    assert expected.startswith("error at 2:") and expected in response.json()["message"]
