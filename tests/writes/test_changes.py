"""The explicit change of a write, read from the update text or the Graph Store request alone."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph.errors import InputError
from policygraph.writes.apply import data_operations, explicit_graph_write, explicit_update

EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}>\n"


def quad(s: str, o: str, graph: str | None = None) -> ox.Quad:
    g = ox.NamedNode(EX + graph) if graph else ox.DefaultGraph()
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), g)


def test_insert_and_delete_data_give_their_quads() -> None:
    change = explicit_update(PREFIX + 'INSERT DATA { ex:a ex:p "1" . GRAPH ex:g { ex:b ex:p "2" } } ;\n'
                                      'DELETE DATA { GRAPH ex:g { ex:c ex:p "3" } }')
    assert change is not None
    assert set(change.added) == {quad("a", "1"), quad("b", "2", "g")}
    assert change.removed == [quad("c", "3", "g")]


def test_the_last_operation_on_a_quad_decides() -> None:
    change = explicit_update(PREFIX + 'INSERT DATA { ex:a ex:p "1" } ; DELETE DATA { ex:a ex:p "1" } ;'
                                      'DELETE DATA { ex:b ex:p "2" } ; INSERT DATA { ex:b ex:p "2" }')
    assert change is not None
    assert change.added == [quad("b", "2")] and change.removed == [quad("a", "1")]


def test_prefixes_and_base_carry_over_to_later_operations() -> None:
    text = f'BASE <{EX}>\nPREFIX ex: <{EX}>\nINSERT DATA {{ <a> ex:p "1" }} ;\nDELETE DATA {{ ex:b <p> "2" }}'
    change = explicit_update(text)
    assert change is not None
    assert change.added == [quad("a", "1")] and change.removed == [quad("b", "2")]


@pytest.mark.parametrize("literal", ['"a ; DELETE WHERE { ?s ?p ?o }"', '"""two\nlines ; }"""', "'x } ;'"])
def test_keywords_and_semicolons_inside_strings_do_not_split_operations(literal: str) -> None:
    change = explicit_update(PREFIX + f"# a comment ; INSERT\nINSERT DATA {{ ex:a ex:p {literal} }} # the end ;")
    assert change is not None and len(change.added) == 1 and not change.removed


@pytest.mark.parametrize("text", [
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE WHERE { ?s <http://example.org/p> ?o }",
    'INSERT { <http://example.org/a> <http://example.org/p> "1" } WHERE {}',
    "CLEAR GRAPH <http://example.org/g>",
    "DROP ALL",
    'WITH <http://example.org/g> INSERT { ?s ?p "1" } WHERE { ?s ?p ?o }',
    'INSERT DATA { <http://example.org/a> <http://example.org/p> "1" } ; CLEAR DEFAULT',
])
def test_updates_that_depend_on_the_data_have_no_explicit_change(text: str) -> None:
    assert data_operations(text) is None
    assert explicit_update(text) is None


def test_a_malformed_update_is_refused_with_its_position() -> None:
    with pytest.raises(InputError, match="malformed update: error at 2:"):
        explicit_update('INSERT DATA {\n <http://example.org/a> <http://example.org/p> }')


def test_blank_nodes_in_delete_data_are_refused() -> None:
    with pytest.raises(InputError, match="malformed update"):
        explicit_update('DELETE DATA { _:b <http://example.org/p> "1" }')


def test_graph_store_put_replaces_post_merges_delete_drops() -> None:
    graph = ox.NamedNode(EX + "g")
    old = [quad("a", "1", "g"), quad("b", "2", "g")]
    data = f'<{EX}c> <{EX}p> "3" .'.encode()
    put = explicit_graph_write("put", graph, lambda g: old, data, ox.RdfFormat.TURTLE)
    assert put.removed == old and put.added == [quad("c", "3", "g")] and put.dropped == [graph]
    post = explicit_graph_write("post", graph, lambda g: old, data, ox.RdfFormat.N_TRIPLES)
    assert post.removed == [] and post.added == [quad("c", "3", "g")] and post.dropped == []
    delete = explicit_graph_write("delete", graph, lambda g: old)
    assert delete.removed == old and delete.added == [] and delete.dropped == [graph]
    with pytest.raises(InputError, match="malformed RDF data"):
        explicit_graph_write("post", graph, lambda g: old, b"<a> <b> .", ox.RdfFormat.TURTLE)
