"""The SPARQL 1.1 Protocol at /sparql against a live server: negotiation, dataset, errors, service
description, the UI for browsers, CORS, request limits. Expectations come from the built store."""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from policygraph.build import Built
from tests.web.sparql_support import (
    ASK_PROFILED,
    ORGANISATIONS,
    PREFIXES,
    get_json,
    json_rows,
    ox_rows,
    rows_multiset,
    sparql,
    store_select,
    xml_rows,
)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CURATED_WMO = "https://w3id.org/policygraph/graph/curated/wmo"
PROFILE_WMO = "https://w3id.org/policygraph/graph/profile/wmo"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def count(response: requests.Response) -> int:
    return int(get_json(response)["results"]["bindings"][0]["n"]["value"])


def store_count(built: Built, **kwargs: Any) -> int:
    return int(store_select(built.store, COUNT, **kwargs)[0]["n"].value)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*;q=0.8, application/sparql-results+json;q=0.1", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_accept_header_with_q_values_chooses_the_results_format(live_server: Any, accept: str | None, expected: str) -> None:
    response = sparql(live_server, ASK_PROFILED, accept=accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_format_parameter_wins_over_accept(live_server: Any, fmt: str) -> None:
    response = sparql(live_server, ASK_PROFILED, accept="application/sparql-results+xml", format=fmt)
    names = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv", "tsv": "text/tab-separated-values"}
    assert response.headers["Content-Type"].split(";")[0] == names[fmt]


def test_unacceptable_accept_gets_406_naming_what_is_available(live_server: Any) -> None:
    response = sparql(live_server, ORGANISATIONS, accept="image/png")
    assert response.status_code == 406
    assert response.json()["status"] == 406
    assert "application/sparql-results+json" in response.json()["message"]
    graph = sparql(live_server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", accept="text/csv")
    assert graph.status_code == 406  # CSV is for solutions, not for graphs


def test_unknown_format_parameter_gets_406(live_server: Any) -> None:
    assert sparql(live_server, ORGANISATIONS, format="yaml").status_code == 406


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_malformed_query_gets_400_with_the_parser_message_and_position(live_server: Any, method: str) -> None:
    text = "SELECT ?s WHERE {\n  ?s ?p \n}"
    response = sparql(live_server, text, method=method)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "MalformedQuery"
    # Oxigraph reports "error at LINE:COLUMN"; the object is missing where the group closes, on line 3.
    assert re.search(r"error at 3:\d+", body["message"]), body["message"]


def test_the_merge_of_the_named_graphs_is_the_default_graph_when_no_dataset_is_given(live_server: Any, built: Built) -> None:
    assert count(sparql(live_server, COUNT)) == store_count(built)


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_default_graph_uri_selects_the_default_graph(live_server: Any, built: Built, method: str) -> None:
    response = sparql(live_server, COUNT, method=method, **{"default-graph-uri": CURATED_WMO})
    expected = store_count(built, default_graph=[ox.NamedNode(CURATED_WMO)])
    assert count(response) == expected
    assert 0 < expected < store_count(built)


def test_two_default_graph_uris_merge(live_server: Any, built: Built) -> None:
    graphs = [CURATED_WMO, PROFILE_WMO]
    response = requests.get(live_server.url + "/sparql", params={"query": COUNT, "default-graph-uri": graphs}, timeout=30)
    expected = store_count(built, default_graph=[ox.NamedNode(g) for g in graphs])
    assert count(response) == expected


def test_named_graph_uri_limits_the_named_graphs(live_server: Any) -> None:
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = sparql(live_server, text, **{"named-graph-uri": PROFILE_WMO})
    rows = get_json(response)["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [PROFILE_WMO]
    # ...and the default graph is then empty, as the protocol says.
    assert count(sparql(live_server, COUNT, **{"named-graph-uri": PROFILE_WMO})) == 0


def test_from_in_the_query_defines_the_dataset(live_server: Any, built: Built) -> None:
    text = f"SELECT (COUNT(*) AS ?n) FROM <{CURATED_WMO}> WHERE {{ ?s ?p ?o }}"
    expected = store_count(built, default_graph=[ox.NamedNode(CURATED_WMO)])
    assert count(sparql(live_server, text)) == expected


def test_dataset_iris_are_checked(live_server: Any) -> None:
    response = sparql(live_server, COUNT, **{"default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "default-graph-uri" in response.json()["message"]


def test_select_results_equal_the_store(live_server: Any, built: Built) -> None:
    expected = rows_multiset(ox_rows(store_select(built.store, ORGANISATIONS)))
    assert rows_multiset(json_rows(get_json(sparql(live_server, ORGANISATIONS)))) == expected
    xml = sparql(live_server, ORGANISATIONS, accept="application/sparql-results+xml")
    assert rows_multiset(xml_rows(xml.content)) == expected


def test_service_description_for_rdf_clients(live_server: Any, built: Built) -> None:
    response = live_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(live_server.url + "/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # no write token here
    assert (endpoint, RDFS.seeAlso, URIRef(live_server.url + "/.well-known/void")) in graph
    named = {str(o) for o in graph.objects(None, SD.name)}
    assert named == {g.value for g in built.store.named_graphs()}


@pytest.mark.parametrize(("fmt", "parser"), [("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_service_description_in_other_formats(live_server: Any, fmt: str, parser: str) -> None:
    response = live_server.get("/sparql", params={"format": fmt})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=parser)
    assert (URIRef(live_server.url + "/sparql"), SD.feature, SD.UnionDefaultGraph) in graph


def test_browsers_get_the_query_ui(live_server: Any) -> None:
    response = live_server.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    for asset in re.findall(r'(?:src|href)="(/(?:assets|static)/[^"]+)"', page):
        assert live_server.get(asset).status_code == 200, asset
    config = json.loads(re.search(r'<script type="application/json" id="sparql-config">(.*?)</script>', page, re.S).group(1))
    assert config["prefixes"]["pg"] == "https://w3id.org/policygraph/ontology#"
    assert len(config["examples"]) >= 15
    assert "/assets/yasgui/yasgui.min.js" in page


def test_a_shared_link_opens_the_query_in_the_ui_for_browsers_and_runs_for_clients(live_server: Any, built: Built) -> None:
    page = live_server.get("/sparql", params={"query": ORGANISATIONS}, headers={"Accept": BROWSER})
    assert page.headers["Content-Type"].startswith("text/html")
    config = json.loads(re.search(r'id="sparql-config">(.*?)</script>', page.text, re.S).group(1))
    assert config["query"] == ORGANISATIONS and config["run"] is True
    client = live_server.get("/sparql", params={"query": ORGANISATIONS})
    assert len(get_json(client)["results"]["bindings"]) == len(store_select(built.store, ORGANISATIONS))


def test_cors_on_reads_and_their_errors(live_server: Any) -> None:
    assert sparql(live_server, ASK_PROFILED).headers["Access-Control-Allow-Origin"] == "*"
    assert sparql(live_server, ASK_PROFILED, method="direct").headers["Access-Control-Allow-Origin"] == "*"
    assert sparql(live_server, "SELECT nonsense").headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(live_server.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_request_body_over_the_limit_gets_413(live_server: Any) -> None:
    limit = live_server.settings.max_request_bytes
    text = PREFIXES + "ASK {}" + " " * limit
    response = sparql(live_server, text, method="direct")
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_unreadable_body_type_gets_415(live_server: Any) -> None:
    response = requests.post(live_server.url + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["message"]


def test_update_by_get_is_refused(live_server: Any) -> None:
    response = live_server.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 400


def test_an_update_sent_as_query_is_named_as_such(live_server: Any) -> None:
    response = sparql(live_server, "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    assert response.status_code == 400
    assert "SPARQL Update" in response.json()["message"]


def test_errors_are_json_for_clients_and_a_page_for_browsers(live_server: Any) -> None:
    text = "SELECT * WHERE { ?s ?p }"
    as_json = sparql(live_server, text, method="form")
    as_page = sparql(live_server, text, method="form", accept=BROWSER)  # a browser GET would get the editor
    assert as_json.status_code == as_page.status_code == 400
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert as_page.headers["Content-Type"].startswith("text/html")
    message = as_json.json()["message"]
    assert set(as_json.json()) == {"error", "status", "message"}
    assert message.replace("<", "&lt;").replace(">", "&gt;") in as_page.text or message in as_page.text
    assert "Traceback" not in as_page.text and "Traceback" not in as_json.text
    missing = live_server.get("/no/such/page", headers={"Accept": BROWSER})
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert live_server.get("/no/such/page").json()["status"] == 404


def test_wrong_method_keeps_allow_header(live_server: Any) -> None:
    response = requests.put(live_server.url + "/sparql", data=b"x", timeout=30)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.json()["status"] == 405
