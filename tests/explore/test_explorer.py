"""The explorer's services in-process, without Flask: the network they read from the store, and the
checks on their inputs (the HTTP API over them is tested in tests/web/test_explore_api.py)."""

from __future__ import annotations

import pytest

from policygraph.build import Built
from policygraph.errors import InputError
from policygraph.explore import Explorer, OxigraphSparql
from policygraph.explore.paths import VIA, parse_via
from tests.support.data import select

BASE = "https://w3id.org/policygraph/"
PG = "https://w3id.org/policygraph/ontology#"


@pytest.fixture(scope="module")
def explorer(built: Built) -> Explorer:
    return Explorer(OxigraphSparql(built.store), BASE)


def test_the_network_holds_every_organisation_and_partnership_of_the_store(explorer: Explorer, built: Built) -> None:
    def of(cls: str) -> set[str]:
        return {row["x"] for row in select(built.store, f"SELECT DISTINCT ?x WHERE {{ ?x a <{PG}{cls}> }}")}

    types = {iri: node.type for iri, node in explorer.net.nodes.items()}
    assert {iri for iri, t in types.items() if t == "partnership"} == of("Partnership")
    assert of("Organisation") & {iri for iri, t in types.items() if t == "organisation"} == \
        {iri for iri, t in types.items() if t == "organisation"}
    profiled = {row["o"] for row in select(built.store, f"SELECT ?o WHERE {{ ?o <{PG}profile> ?p }}")}
    assert len(profiled) == 10 and profiled <= set(types)


def test_every_edge_joins_two_nodes_of_the_network(explorer: Explorer) -> None:
    nodes = explorer.net.nodes
    assert explorer.net.edges
    assert all(edge.source in nodes and edge.target in nodes for edge in explorer.net.edges)


def test_paths_run_both_ways_with_the_same_lengths(explorer: Explorer) -> None:
    wmo, unitar = BASE + "id/organisation/wmo", BASE + "id/organisation/unitar"
    there = explorer.paths(wmo, unitar)
    back = explorer.paths(unitar, wmo)
    assert there["paths"], there
    assert [len(p["steps"]) for p in there["paths"]] == [len(p["steps"]) for p in back["paths"]]


@pytest.mark.parametrize("via", ["roads", "partnerships,roads", ","])
def test_an_unknown_relation_to_go_via_is_refused_naming_the_choices(via: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_via(via)
    assert repr(via) in str(refused.value) and all(choice in str(refused.value) for choice in VIA)


def test_no_relation_named_means_every_relation() -> None:
    assert parse_via(None) == parse_via("  ") == VIA
