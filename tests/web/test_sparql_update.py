"""SPARQL Update over the protocol, against a live server on a copy of the store (on either store):

- the update dataset (SPARQL 1.1 Protocol §2.2.3): `using-graph-uri` and `using-named-graph-uri`, once or
  several times, alone or together, in the query string or the form, as the W3C protocol tests describe
  them (update_dataset_default_graph, _default_graphs, _named_graphs, _full, and the refused conflict with
  USING or WITH in the text); each test reads the store's contents after the write;
- relative IRIs in updates resolve against the dataset's base IRI (settings.base_iri), never the server's
  address; a BASE in the text wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from policygraph.build import Built
from tests.support.server import LiveServer, server_on_copy, stop_server
from tests.web.sparql_support import sparql

TOKEN = "update-dataset-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "https://w3id.org/policygraph/"
GRAPH, ID = BASE + "graph/", BASE + "id/"
WMO, WTO = GRAPH + "curated/wmo", GRAPH + "curated/wto"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_on_copy(store_dir, tmp_path_factory.mktemp("update"), {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    yield server
    stop_server(server)


def update(server: LiveServer, text: str, params: list[tuple[str, str]] | None = None,
           form: bool = False) -> requests.Response:
    """An update by POST application/sparql-update (parameters in the query string) or form-encoded
    (parameters as form fields, next to `update`)."""
    if form:
        return requests.post(server.url + "/sparql", data=[("update", text), *(params or [])], headers=AUTH, timeout=180)
    return requests.post(server.url + "/sparql", params=params or [], data=text.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-update", **AUTH}, timeout=180)


def committed(response: requests.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "committed"


def seed(server: LiveServer, tag: str) -> None:
    """Two marker labels: one WMO's profile states (in its graph), one WTO's (in its graph)."""
    committed(update(server, SKOS + f"""INSERT DATA {{
        GRAPH <{WMO}> {{ <{ID}organisation/wmo> skos:altLabel "{tag} wmo" }}
        GRAPH <{WTO}> {{ <{ID}organisation/wto> skos:altLabel "{tag} wto" }} }}"""))


def labels(server: LiveServer, tag: str) -> set[tuple[str, str, str]]:
    """(graph, organisation, label) of every skos:altLabel that starts with `tag`, as the store holds them."""
    query = SKOS + f'SELECT ?g ?o ?l WHERE {{ GRAPH ?g {{ ?o skos:altLabel ?l FILTER(STRSTARTS(?l, "{tag} ")) }} }}'
    rows = sparql(server, query).json()["results"]["bindings"]
    return {(r["g"]["value"][len(GRAPH):], r["o"]["value"][len(ID):], r["l"]["value"]) for r in rows}


def version(server: LiveServer) -> str:
    return sparql(server, "ASK { ?s ?p ?o }").headers["X-Policygraph-Version"]


def copy_labels(tag: str, into: str = WMO) -> str:
    """Copy every marker label the default graph holds, as a new label ('… copied') in `into`."""
    return SKOS + f"""INSERT {{ GRAPH <{into}> {{ ?o skos:altLabel ?copy }} }}
WHERE {{ ?o skos:altLabel ?l FILTER(STRSTARTS(?l, "{tag} ")) BIND(CONCAT(?l, " copied") AS ?copy) }}"""


# -- the update dataset


def test_one_using_graph_uri_is_the_default_graph_of_the_pattern(writable: LiveServer) -> None:
    seed(writable, "ds1")
    committed(update(writable, copy_labels("ds1"), [("using-graph-uri", WMO)]))
    assert labels(writable, "ds1") == {
        ("curated/wmo", "organisation/wmo", "ds1 wmo"), ("curated/wto", "organisation/wto", "ds1 wto"),
        ("curated/wmo", "organisation/wmo", "ds1 wmo copied"),  # WTO's label is not in the given graph
    }


def test_several_using_graph_uris_are_merged(writable: LiveServer) -> None:
    seed(writable, "ds2")
    committed(update(writable, copy_labels("ds2"), [("using-graph-uri", WMO), ("using-graph-uri", WTO)], form=True))
    assert {row for row in labels(writable, "ds2") if row[2].endswith("copied")} == {
        ("curated/wmo", "organisation/wmo", "ds2 wmo copied"), ("curated/wmo", "organisation/wto", "ds2 wto copied"),
    }


def test_using_named_graph_uri_names_the_graphs_a_graph_pattern_sees(writable: LiveServer) -> None:
    seed(writable, "ds3")
    text = SKOS + """INSERT { GRAPH ?g { ?o skos:altLabel ?copy } }
WHERE { GRAPH ?g { ?o skos:altLabel ?l FILTER(STRSTARTS(?l, "ds3 ")) } BIND(CONCAT(?l, " copied") AS ?copy) }"""
    committed(update(writable, text, [("using-named-graph-uri", WTO)]))
    assert {row for row in labels(writable, "ds3") if row[2].endswith("copied")} == {
        ("curated/wto", "organisation/wto", "ds3 wto copied"),
    }
    # With named graphs only, the default graph of the pattern is empty: a pattern outside GRAPH finds nothing.
    before = labels(writable, "ds3")
    committed(update(writable, copy_labels("ds3"), [("using-named-graph-uri", WMO)]))
    assert labels(writable, "ds3") == before


def test_both_parameters_together_give_the_whole_dataset(writable: LiveServer) -> None:
    seed(writable, "ds4")
    text = SKOS + f"""INSERT {{ GRAPH <{WMO}> {{ ?a skos:altLabel ?both }} }}
WHERE {{ ?a skos:altLabel ?x FILTER(STRSTARTS(?x, "ds4 "))
        GRAPH ?g {{ ?b skos:altLabel ?y FILTER(STRSTARTS(?y, "ds4 ")) }}
        BIND(CONCAT(?x, " + ", ?y) AS ?both) }}"""
    committed(update(writable, text, [("using-graph-uri", WMO), ("using-named-graph-uri", WTO)]))
    assert {row for row in labels(writable, "ds4") if "+" in row[2]} == {
        ("curated/wmo", "organisation/wmo", "ds4 wmo + ds4 wto"),  # without the dataset: four combinations
    }


def test_delete_where_shorthand_matches_in_the_given_graphs(writable: LiveServer) -> None:
    """DELETE WHERE { P } is DELETE { P } WHERE { P }: the dataset applies to its pattern."""
    seed(writable, "ds5")
    shorthand = SKOS + 'DELETE WHERE { GRAPH ?g { ?o skos:altLabel "ds5 wto" } }'
    committed(update(writable, shorthand, [("using-named-graph-uri", WMO)]))
    assert len(labels(writable, "ds5")) == 2  # WTO's graph was not in the dataset: nothing deleted
    committed(update(writable, shorthand, [("using-named-graph-uri", WTO)]))
    assert labels(writable, "ds5") == {("curated/wmo", "organisation/wmo", "ds5 wmo")}


@pytest.mark.parametrize(("text", "word"), [
    (SKOS + f'DELETE {{ GRAPH <{WMO}> {{ ?o skos:altLabel "x" }} }} USING <{WMO}> WHERE {{ ?o skos:altLabel "x" }}', "USING"),
    (SKOS + f'DELETE {{ GRAPH ?g {{ ?o skos:altLabel "x" }} }} USING NAMED <{WMO}> WHERE {{ GRAPH ?g {{ ?o skos:altLabel "x" }} }}',
     "USING"),
    (SKOS + f'WITH <{WMO}> DELETE {{ ?o skos:altLabel "x" }} WHERE {{ ?o skos:altLabel "x" }}', "WITH"),
])
@pytest.mark.parametrize("form", [False, True], ids=["sparql-update", "form"])
def test_a_dataset_given_twice_is_refused_and_changes_nothing(writable: LiveServer, text: str, word: str, form: bool) -> None:
    before = version(writable)
    response = update(writable, text, [("using-graph-uri", WTO)], form=form)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "QueryRefused"
    assert word in body["message"] and "using-graph-uri" in body["message"] and "line 2" in body["message"]
    assert version(writable) == before


@pytest.mark.parametrize("name", ["using-graph-uri", "using-named-graph-uri"])
def test_a_parameter_that_is_no_absolute_iri_is_refused_by_name(writable: LiveServer, name: str) -> None:
    before = version(writable)
    response = update(writable, copy_labels("bad"), [(name, "not an iri")])
    assert response.status_code == 400
    assert name in response.json()["message"] and "not an iri" in response.json()["message"]
    assert version(writable) == before


def test_a_syntax_error_keeps_the_clients_position(writable: LiveServer) -> None:
    text = SKOS + f'INSERT {{ GRAPH <{WMO}> {{ ?o skos:altLabel "y" }} }}\nWHERE {{ ?o skos:altLabel }}'
    plain, given = update(writable, text), update(writable, text, [("using-graph-uri", WMO)])
    assert plain.status_code == given.status_code == 400
    assert given.json()["message"] == plain.json()["message"] and "error at 3:" in given.json()["message"]


# -- relative IRIs


def test_relative_iris_in_a_data_update_resolve_against_the_base(writable: LiveServer) -> None:
    committed(update(writable, SKOS + 'INSERT DATA { GRAPH <graph/curated/wmo> { <id/organisation/wmo> skos:altLabel "rel1 data" } }'))
    assert labels(writable, "rel1") == {("curated/wmo", "organisation/wmo", "rel1 data")}
    assert "127.0.0.1" not in sparql(writable, "CONSTRUCT WHERE { ?s ?p ?o }").text


def test_relative_iris_in_a_pattern_update_resolve_against_the_base(writable: LiveServer) -> None:
    text = SKOS + """INSERT { GRAPH <graph/curated/wto> { ?o skos:altLabel "rel2 pattern" } }
WHERE { BIND(<id/organisation/wto> AS ?o) <id/organisation/wto> skos:prefLabel ?name }"""
    committed(update(writable, text))
    assert labels(writable, "rel2") == {("curated/wto", "organisation/wto", "rel2 pattern")}


def test_a_base_of_the_update_text_wins(writable: LiveServer) -> None:
    text = SKOS + f"""BASE <{ID}>
INSERT DATA {{ GRAPH <../graph/curated/wmo> {{ <organisation/wmo> skos:altLabel "rel3 own base" }} }}"""
    committed(update(writable, text))
    assert labels(writable, "rel3") == {("curated/wmo", "organisation/wmo", "rel3 own base")}
