"""Exports of the explorer's views and of the partnership network: GraphML and GEXF load with networkx
and hold the same nodes and edges as the JSON view; a CSV edge list has one row per edge."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pyoxigraph as ox
import pytest

from policygraph.build import Built
from tests.support.app import InProcess

PG = "https://w3id.org/policygraph/ontology#"


def first_issue_key(built: Built) -> str:
    """The narrower issue most organisations work on (so that the filtered view is not empty)."""
    result = built.store.query(
        "PREFIX pg: <https://w3id.org/policygraph/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?i (COUNT(?o) AS ?n) WHERE { ?i skos:broader ?b . ?o pg:worksOn ?i } GROUP BY ?i ORDER BY DESC(?n) ?i LIMIT 1",
    )
    assert isinstance(result, ox.QuerySolutions)
    return next(iter(result))["i"].value.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def views(built: Built) -> list[dict[str, str]]:
    return [{}, {"issue": first_issue_key(built)}, {"initiatives": "all"}]


def read(fmt: str, body: bytes) -> nx.Graph:
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(body))
    return nx.read_gexf(io.BytesIO(body))


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_view_exports_load_with_networkx_and_match_the_view(app_server: InProcess, views: list[dict[str, str]], fmt: str) -> None:
    for params in views:
        view = app_server.get("/api/graph", params=params).json()
        response = app_server.get(f"/api/export.{fmt}", params=params)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == f"application/{fmt}+xml; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        graph = read(fmt, response.content)
        assert graph.is_directed()
        assert set(graph.nodes) == {n["id"] for n in view["nodes"]}
        assert {(u, v) for u, v in graph.edges} == {(e["source"], e["target"]) for e in view["edges"]}
        for node in view["nodes"]:
            data = graph.nodes[node["id"]]
            assert data["label"] == node["label"] and data["type"] == node["type"]
            assert int(data["degree"]) == node["degree"]
        for edge in view["edges"]:
            assert graph.edges[edge["source"], edge["target"]]["relation"] == edge["relation"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_partnership_network_exports_load_with_networkx(app_server: InProcess, built: Built, fmt: str) -> None:
    response = app_server.get(f"/api/export.{fmt}", params={"network": "partnerships"})
    assert response.status_code == 200
    graph = read(fmt, response.content)
    assert not graph.is_directed()
    stated = built.store.quads_for_pattern(None, ox.NamedNode(PG + "partnerOf"), None, None)
    pairs = {frozenset((q.subject.value, q.object.value)) for q in stated}
    assert {frozenset(e) for e in graph.edges} == pairs
    for u, v, data in graph.edges(data=True):
        partnerships = data["partnerships"].split()
        assert int(data["weight"]) == len(partnerships)
        for p in partnerships:  # every partnership named on an edge has both organisations as partners
            for org in (u, v):
                assert any(built.store.quads_for_pattern(ox.NamedNode(p), ox.NamedNode(PG + "partner"), ox.NamedNode(org), None))


def test_csv_edge_lists_have_one_row_per_edge(app_server: InProcess, views: list[dict[str, str]]) -> None:
    for params in views:
        view = app_server.get("/api/graph", params=params).json()
        response = app_server.get("/api/export.csv", params=params)
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = csv_rows(response.content)
        assert len(rows) == len(view["edges"])
        expected = {(e["source"], e["target"], e["relation"]) for e in view["edges"]}
        assert {(r["source"], r["target"], r["relation"]) for r in rows} == expected
        labels = {n["id"]: n["label"] for n in view["nodes"]}
        assert all(r["source_label"] == labels[r["source"]] and r["target_label"] == labels[r["target"]] for r in rows)
    network = app_server.get("/api/export.graphml", params={"network": "partnerships"})
    edges = nx.read_graphml(io.BytesIO(network.content)).number_of_edges()
    rows = csv_rows(app_server.get("/api/export.csv", params={"network": "partnerships"}).content)
    assert len(rows) == edges
    assert all(int(r["weight"]) == len(r["partnerships"].split()) for r in rows)


def test_neighbourhood_export(app_server: InProcess, built: Built) -> None:
    org = next(iter(built.store.quads_for_pattern(None, ox.NamedNode(PG + "partner"), None, None))).object.value
    hood = app_server.get("/api/node", params={"iri": org, "depth": 2, "limit": 40}).json()["neighbourhood"]
    graph = read("graphml", app_server.get("/api/export.graphml", params={"node": org, "depth": 2, "limit": 40}).content)
    assert set(graph.nodes) == {n["iri"] for n in hood["nodes"]}
    assert graph.number_of_edges() == len(hood["edges"])


@pytest.mark.parametrize("path, params, status", [
    ("/api/export.pdf", {}, 404),
    ("/api/export.graphml", {"network": "everything"}, 400),
    ("/api/export.gexf", {"issue": "no-such-issue"}, 400),
    ("/api/export.csv", {"node": "https://w3id.org/policygraph/id/organisation/nobody"}, 404),
    ("/api/export.csv", {"node": "https://w3id.org/policygraph/id/organisation/wmo", "depth": "x"}, 400),
])
def test_bad_export_requests(app_server: InProcess, path: str, params: dict[str, str], status: int) -> None:
    response = app_server.get(path, params=params)
    assert response.status_code == status
    assert response.json()["message"]
