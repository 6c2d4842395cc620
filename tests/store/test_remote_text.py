"""What the remote store reads from a query's text itself: its FROM clauses, resolved to absolute IRIs."""

from __future__ import annotations

from policygraph.store.remote import dataset_clauses

BASE = "https://w3id.org/policygraph/"


def test_from_clauses_resolve_against_the_base_declarations() -> None:
    text = f"BASE <{BASE}> SELECT * FROM <graph/curated/wmo> FROM NAMED <graph/curated/wto> WHERE {{ ?s ?p ?o }}"
    assert dataset_clauses(text) == ([BASE + "graph/curated/wmo"], [BASE + "graph/curated/wto"])


def test_a_later_base_of_the_query_wins_and_relative_bases_resolve_against_earlier_ones() -> None:
    text = f"BASE <{BASE}> # the server's\nBASE <graph/> PREFIX c: <curated/>\nSELECT * FROM c:wmo FROM <profile/wmo> {{}}"
    assert dataset_clauses(text) == ([BASE + "graph/curated/wmo", BASE + "graph/profile/wmo"], [])


def test_absolute_from_clauses_and_none() -> None:
    assert dataset_clauses("SELECT * FROM <http://example.org/g> { ?s ?p ?o }") == (["http://example.org/g"], [])
    assert dataset_clauses("SELECT * { ?s ?p ?o }") == (None, None)
