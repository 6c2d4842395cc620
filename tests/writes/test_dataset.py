"""The protocol's update dataset (using-graph-uri, using-named-graph-uri) written into the update text:
each rewritten update is run on a real Oxigraph store and gives what the same update with USING clauses
written by hand gives."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph.errors import QueryRefused
from policygraph.writes.dataset import with_dataset

EX = "http://example.org/"
G1, G2, OUT = EX + "g1", EX + "g2", EX + "out"
DATA = f"""INSERT DATA {{
  GRAPH <{G1}> {{ <{EX}a> <{EX}p> "1" }}
  GRAPH <{G2}> {{ <{EX}b> <{EX}p> "2" }}
  <{EX}c> <{EX}p> "3"
}}"""
COPY = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{EX}q> ?o }} }} WHERE {{ ?s <{EX}p> ?o }}"
COPY_NAMED = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{EX}q> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"


def run(update: str) -> set[str]:
    """The subjects copied into <out> by `update` on a fresh store holding DATA."""
    store = ox.Store()
    store.update(DATA)
    store.update(update)
    return {q.subject.value[len(EX):] for q in store.quads_for_pattern(None, None, None, ox.NamedNode(OUT))}


def remaining(update: str) -> set[str]:
    """The subjects left with <p> after `update` on a fresh store holding DATA."""
    store = ox.Store()
    store.update(DATA)
    store.update(update)
    return {q.subject.value[len(EX):] for q in store.quads_for_pattern(None, ox.NamedNode(EX + "p"), None, None)}


def test_without_parameters_the_text_is_unchanged() -> None:
    rewritten = with_dataset(COPY)
    assert rewritten.text == COPY and not rewritten.inserted
    assert run(rewritten.text) == {"c"}  # the store's default graph


@pytest.mark.parametrize(("using", "named", "update", "expected"), [
    ([G1], [], COPY, {"a"}),
    ([G1, G2], [], COPY, {"a", "b"}),
    ([], [G2], COPY_NAMED, {"b"}),
    ([], [G2], COPY, set()),  # USING NAMED alone: an empty default graph
    ([G1], [], COPY_NAMED, set()),  # USING alone: no named graph
    ([G1], [G2], COPY_NAMED, {"b"}),
    ([G1], [G2], COPY, {"a"}),
])
def test_the_parameters_act_as_using_clauses(using: list[str], named: list[str], update: str, expected: set[str]) -> None:
    rewritten = with_dataset(update, using, named)
    assert run(rewritten.text) == expected
    by_hand = update.replace(" WHERE", "".join(f" USING <{g}>" for g in using)
                             + "".join(f" USING NAMED <{g}>" for g in named) + " WHERE")
    assert run(by_hand) == expected


def test_every_operation_of_a_request_gets_the_dataset() -> None:
    text = f"{COPY} ;\nDELETE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
    rewritten = with_dataset(text, [G2], [G2])
    assert rewritten.text.count(f"USING <{G2}> USING NAMED <{G2}> WHERE") == 2
    assert run(rewritten.text) == {"b"}
    assert remaining(rewritten.text) == {"a", "c"}  # only the triple matched in g2 was deleted


def test_delete_where_is_written_out_with_the_dataset() -> None:
    text = f"DELETE WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
    rewritten = with_dataset(text, [], [G1])
    assert rewritten.text.startswith("DELETE       {") and f"USING NAMED <{G1}> WHERE {{ GRAPH ?g" in rewritten.text
    assert remaining(rewritten.text) == {"b", "c"}
    assert remaining(text) == {"c"}  # without the dataset: every named graph
    # USING without USING NAMED leaves no named graph for the pattern's GRAPH block: nothing is deleted.
    assert remaining(with_dataset(text, [G1]).text) == {"a", "b", "c"}


def test_data_operations_and_graph_management_are_left_alone() -> None:
    text = f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}x> <{EX}p> "where" }} }} ;\nCLEAR GRAPH <{G2}>'
    assert with_dataset(text, [G1], [G2]).text == text


def test_where_inside_a_pattern_string_or_comment_is_not_an_operation() -> None:
    text = f'INSERT {{ GRAPH <{OUT}> {{ ?s <{EX}q> "WHERE" }} }} # WHERE\nWHERE {{ {{ SELECT ?s WHERE {{ ?s <{EX}p> ?o }} }} }}'
    rewritten = with_dataset(text, [G1])
    assert rewritten.text.count("USING") == 1
    assert run(rewritten.text) == {"a"}


@pytest.mark.parametrize(("text", "word", "column"), [
    (f"DELETE {{ ?s ?p ?o }} USING <{G1}> WHERE {{ ?s ?p ?o }}", "USING", 21),
    (f"DELETE {{ ?s ?p ?o }} USING NAMED <{G1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "USING", 21),
    (f"WITH <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", "WITH", 1),
    (f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }} ;\nwith <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", "WITH", 1),
])
def test_a_dataset_in_the_text_and_in_the_parameters_is_refused(text: str, word: str, column: int) -> None:
    with pytest.raises(QueryRefused) as refused:
        with_dataset(text, [G2])
    assert word in refused.value.message and "using-graph-uri" in refused.value.message
    assert refused.value.column == column
    assert with_dataset(text).text == text  # without the parameters: the text's own dataset, unchanged


def malformed(text: str) -> str:
    try:
        ox.Store().update(text)
    except SyntaxError as exc:
        return str(exc)
    raise AssertionError(f"{text!r} parsed")


@pytest.mark.parametrize("text", [
    f"INSERT {{ GRAPH <{OUT}> {{ ?s ?p 1 }} }} WHERE {{ ?s ?p ) }}",
    f"DELETE WHERE {{ ?s ?p ?o }} ;\nINSERT {{ GRAPH <{OUT}> {{ ?s ?p 1 }} }} WHERE {{ ?s ?p }}\n",
    f"DELETE WHERE {{ ?s ?p ?o }} ; INSERT {{ GRAPH <{OUT}> {{ ?s ?p 1 }} }} WHERE {{ ?s ?p . ?x }}",
    "DELETE WHERE { ?s ?p ?o ) }",
])
def test_errors_in_the_rewritten_text_point_into_the_clients_text(text: str) -> None:
    rewritten = with_dataset(text, [G1], [G2])
    assert rewritten.explain(malformed(rewritten.text)) == malformed(text)
