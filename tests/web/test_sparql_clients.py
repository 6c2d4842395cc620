"""Real clients against a live server: SPARQLWrapper (JSON, XML, CSV, TSV, Turtle, RDF/XML), rdflib's
SPARQLStore, and raw HTTP requests for every method and every format. Every response body is parsed in
the format its Content-Type declares and compared with what the built store answers."""

from __future__ import annotations

import json
import urllib.error
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from policygraph.build import Built
from policygraph.oxrdf import to_graph
from tests.web.sparql_support import (
    ASK_PROFILED,
    CONSTRUCT_PARTNERS,
    DESCRIBE_WMO,
    ORGANISATIONS,
    SRX,
    csv_table,
    csv_values,
    json_rows,
    norm_json_term,
    ox_rows,
    rows_multiset,
    sparql,
    store_select,
    store_triples,
    xml_rows,
)

METHODS = ["GET", "form", "direct"]
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml"}


def expected_rows(built: Built) -> list[dict[str, Any]]:
    rows = store_select(built.store, ORGANISATIONS)
    assert len(rows) >= 10  # the ten profiled organisations
    return rows


def expected_graph(built: Built, text: str) -> Graph:
    graph = to_graph(store_triples(built.store, text))
    assert len(graph) > 0
    return graph


def content_type(response: Any) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


def parse_solutions(mime: str, body: bytes, names: list[str]) -> Counter[Any]:
    """A body in its declared format, as comparable rows (CSV keeps only lexical values)."""
    if mime == "application/sparql-results+json":
        return rows_multiset(json_rows(json.loads(body)))
    if mime == "application/sparql-results+xml":
        return rows_multiset(xml_rows(body))
    if mime == "text/tab-separated-values":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        return rows_multiset(ox_rows([{n: s[n] for n in names if s[n] is not None} for s in parsed]))
    header, rows = csv_table(body)
    assert header == names
    return Counter(tuple(r) for r in rows)


# -- raw requests: every method, every format


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mime", list(RESULT_TYPES))
def test_select_by_every_method_in_every_format(live_server: Any, built: Built, method: str, mime: str) -> None:
    response = sparql(live_server, ORGANISATIONS, method=method, accept=mime)
    assert response.status_code == 200, response.text
    assert content_type(response) == mime
    rows = expected_rows(built)
    names = ["org", "name", "acronym"]
    expected = csv_values(rows, names) if mime == "text/csv" else rows_multiset(ox_rows(rows))
    assert parse_solutions(mime, response.content, names) == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mime", list(RESULT_TYPES))
def test_ask_by_every_method_in_every_format(live_server: Any, method: str, mime: str) -> None:
    response = sparql(live_server, ASK_PROFILED, method=method, accept=mime)
    assert response.status_code == 200
    assert content_type(response) == mime
    if mime.endswith("json"):
        assert json.loads(response.content)["boolean"] is True
    elif mime.endswith("xml"):
        assert ET.fromstring(response.content).find(SRX + "boolean").text == "true"
    else:
        assert response.text.strip() == "true"
    negative = sparql(live_server, ASK_PROFILED.replace("pg:profile", "pg:noSuchProperty"), method=method, accept=mime)
    assert "false" in negative.text


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mime", list(GRAPH_TYPES))
@pytest.mark.parametrize("text", [CONSTRUCT_PARTNERS, DESCRIBE_WMO], ids=["construct", "describe"])
def test_graph_queries_by_every_method_in_every_format(live_server: Any, built: Built, method: str, mime: str, text: str) -> None:
    response = sparql(live_server, text, method=method, accept=mime)
    assert response.status_code == 200, response.text
    assert content_type(response) == mime
    graph = Graph().parse(data=response.content, format=GRAPH_TYPES[mime])
    assert isomorphic(graph, expected_graph(built, text))


# -- SPARQLWrapper


def wrapper(live_server: Any, text: str, fmt: str, method: str | None = None, convert: bool = True) -> Any:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(text)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    result = client.query()
    return result.convert() if convert else result.response.read()


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_json(live_server: Any, built: Built, method: str | None) -> None:
    result = wrapper(live_server, ORGANISATIONS, JSON, method)
    assert rows_multiset(json_rows(result)) == rows_multiset(ox_rows(expected_rows(built)))
    assert wrapper(live_server, ASK_PROFILED, JSON, method)["boolean"] is True


def test_sparqlwrapper_xml(live_server: Any, built: Built) -> None:
    document = wrapper(live_server, ORGANISATIONS, XML)  # an xml.dom.minidom Document
    assert rows_multiset(xml_rows(document.toxml().encode("utf-8"))) == rows_multiset(ox_rows(expected_rows(built)))


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_and_tsv(live_server: Any, built: Built, fmt: str, delimiter: str) -> None:
    body = wrapper(live_server, ORGANISATIONS, fmt)
    header, rows = csv_table(body, delimiter)
    assert [h.lstrip("?") for h in header] == ["org", "name", "acronym"]
    assert len(rows) == len(expected_rows(built))


def test_sparqlwrapper_turtle_and_rdfxml(live_server: Any, built: Built) -> None:
    expected = expected_graph(built, CONSTRUCT_PARTNERS)
    turtle = wrapper(live_server, CONSTRUCT_PARTNERS, TURTLE)
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), expected)
    # SPARQLWrapper's own RDF/XML conversion builds a deprecated rdflib ConjunctiveGraph (a warning,
    # hence an error here), so its request is made by SPARQLWrapper and the body parsed by rdflib.
    rdfxml = wrapper(live_server, CONSTRUCT_PARTNERS, RDFXML, convert=False)
    assert isomorphic(Graph().parse(data=rdfxml, format="xml"), expected)
    as_xml = wrapper(live_server, CONSTRUCT_PARTNERS, XML, convert=False)  # it sends format=xml for RDF/XML too
    assert isomorphic(Graph().parse(data=as_xml, format="xml"), expected)


# -- rdflib's SPARQLStore


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_select_and_ask(live_server: Any, built: Built, return_format: str, method: str) -> None:
    store = SPARQLStore(query_endpoint=live_server.url + "/sparql", returnFormat=return_format, method=method)
    graph = Graph(store=store)
    rows = list(graph.query(ORGANISATIONS))
    expected = expected_rows(built)
    assert len(rows) == len(expected)
    assert {str(r[0]) for r in rows} == {r["org"].value for r in expected}
    if return_format != "csv":  # the CSV results format defines no boolean, so rdflib cannot read one
        assert graph.query(ASK_PROFILED).askAnswer is True


def test_rdflib_sparqlstore_construct_and_triples(live_server: Any, built: Built) -> None:
    store = SPARQLStore(query_endpoint=live_server.url + "/sparql")
    graph = Graph(store=store)
    constructed = graph.query(CONSTRUCT_PARTNERS).graph
    assert isomorphic(constructed, expected_graph(built, CONSTRUCT_PARTNERS))
    wmo = URIRef("https://w3id.org/policygraph/id/organisation/wmo")
    from_endpoint = set(graph.triples((wmo, None, None)))
    expected = {(t.subject, t.predicate, t.object) for t in built.store.quads_for_pattern(ox.NamedNode(wmo), None, None, None)}
    assert len(from_endpoint) == len(expected) > 0


def test_json_terms_keep_languages_and_datatypes(live_server: Any) -> None:
    text = ("PREFIX pg: <https://w3id.org/policygraph/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?name ?line WHERE { <https://w3id.org/policygraph/id/organisation/wmo> skos:prefLabel ?name ; "
            "pg:profile/pg:startLine ?line }")
    (row,) = json.loads(sparql(live_server, text).content)["results"]["bindings"]
    assert norm_json_term(row["name"]) == ("lit", "World Meteorological Organization", "@en")
    assert row["line"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def test_a_client_library_gets_the_whole_answer_or_an_error_never_a_part(live_server: Any, built: Built) -> None:
    """SPARQLWrapper and rdflib take whatever rows come for the whole answer: over the cap they must get an
    error, under it every row."""
    total = len(store_select(built.store, ALL_TRIPLES))
    cap = 10_000  # the served default of max_results
    assert total > cap
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(ALL_TRIPLES)
    client.setReturnFormat(JSON)
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query().convert()
    assert refused.value.code == 422
    error = json.loads(refused.value.read())
    assert error["error"] == "ResultTooLarge" and "LIMIT" in error["message"]
    with pytest.raises(ValueError, match="did something wrong"):  # rdflib says so for any 4xx
        list(SPARQLStore(live_server.url + "/sparql", returnFormat="json").query(ALL_TRIPLES))
    # Paged as the message says, the pages make the whole answer.
    rows: list[dict[str, Any]] = []
    for offset in range(0, total, cap):
        client.setQuery(f"{ALL_TRIPLES} ORDER BY ?s ?p ?o LIMIT {cap} OFFSET {offset}")
        page = client.query().convert()
        assert isinstance(page, dict)
        rows += page["results"]["bindings"]
    assert len(rows) == total
    assert rows_multiset([{k: norm_json_term(v) for k, v in row.items()} for row in rows]) == rows_multiset(
        ox_rows(store_select(built.store, ALL_TRIPLES)))
