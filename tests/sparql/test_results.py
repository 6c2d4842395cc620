"""The native, capped serialisation of solutions (sparql/results.py) against the reference path.

The native path counts solutions in the bytes pyoxigraph writes; these tests put values in the data that
look like solution boundaries in every format (JSON braces, XML tags, line breaks, quotes) and results that
span many writes, and check that every format, at every cap, gives what the reference path gives.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph.sparql.results import RESULT_FORMATS, reference_solutions, serialise_solutions

EX = "http://example.org/"
TRICKY = [
    "plain", ',{}', '[{}', ',{"a":1}', "<result>", "</result><result>", "line\nbreak", "crlf\r\nvalue",
    'quote"inside', "tab\tinside", "back\\slash", "é ünïcödé 🌍", "", " ", "}]}", '"},{"', "&lt;&amp;",
]
QUERY = """SELECT ?s ?label ?lang ?n ?missing WHERE {
  { ?s <http://example.org/label> ?label . OPTIONAL { ?s <http://example.org/lang> ?lang }
    OPTIONAL { ?s <http://example.org/n> ?n } OPTIONAL { ?s <http://example.org/none> ?missing } }
  UNION { BIND(1 AS ?unused) }
} ORDER BY ?s ?label"""


def store_with(values: list[str]) -> ox.Store:
    store = ox.Store()
    quads = []
    for i, value in enumerate(values):
        s = ox.NamedNode(f"{EX}item/{i:05d}") if i % 5 else ox.BlankNode(f"b{i}")
        quads.append(ox.Quad(s, ox.NamedNode(f"{EX}label"), ox.Literal(value)))
        if i % 3 == 0:
            quads.append(ox.Quad(s, ox.NamedNode(f"{EX}lang"), ox.Literal(value, language="en")))
        if i % 4 == 0:
            quads.append(ox.Quad(s, ox.NamedNode(f"{EX}n"), ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    store.extend(quads)
    return store


def parsed(body: bytes, fmt: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """Variables and rows of a results document, each term as its N-Triples text."""
    if fmt == "json":  # the truncation note is an extra member: read the document as JSON first
        doc = json.loads(body)
        body = json.dumps({"head": doc["head"], "results": doc["results"]}).encode()
    result = ox.parse_query_results(body, format=RESULT_FORMATS[fmt])
    names = [v.value for v in result.variables]
    return names, [tuple(None if row[n] is None else str(row[n]) for n in names) for row in result]


def compare(store: ox.Store, text: str, fmt: str, limit: int) -> None:
    reruns = []

    def rerun() -> ox.QuerySolutions:
        reruns.append(1)
        return store.query(text)

    native = serialise_solutions(store.query(text), fmt, limit, rerun)
    reference = reference_solutions(store.query(text), fmt, limit)
    assert (native.count, native.truncated) == (reference.count, reference.truncated), (fmt, limit)
    if fmt == "csv":  # CSV loses term kinds: compare the text itself
        assert native.body == reference.body, (fmt, limit)
    else:
        assert parsed(native.body, fmt) == parsed(reference.body, fmt), (fmt, limit)
    if fmt in ("xml", "tsv"):
        assert native.body == reference.body, (fmt, limit)  # both written by pyoxigraph
    if fmt == "json" and native.truncated:
        doc = json.loads(native.body)
        assert doc["truncated"] is True and f"first {limit} rows" in doc["note"]


@pytest.fixture(scope="module")
def big() -> ox.Store:
    # ~2,000 solutions over many 8 KiB writes, so boundaries fall across writes at every offset.
    return store_with([TRICKY[i % len(TRICKY)] * (1 + i % 7) for i in range(2000)])


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
@pytest.mark.parametrize("limit", [0, 1, 2, 17, 511, 1000, 1999, 2000, 2001, 10_000])
def test_native_equals_reference_at_every_cap(big: ox.Store, fmt: str, limit: int) -> None:
    compare(big, QUERY, fmt, limit)


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_plain_results_are_cut_without_running_the_query_again(fmt: str) -> None:
    store = store_with([f"value {i}" for i in range(3000)])
    text = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }} ORDER BY ?label"

    def rerun() -> ox.QuerySolutions:
        raise AssertionError("the reference path was taken")

    out = serialise_solutions(store.query(text), fmt, 1234, rerun)
    assert (out.count, out.truncated) == (1234, True)
    assert len(parsed(out.body, fmt)[1]) == 1234
    whole = serialise_solutions(store.query(text), fmt, 3000, rerun)
    assert (whole.count, whole.truncated) == (3000, False)
    assert whole.body == store.query(text).serialize(format=RESULT_FORMATS[fmt])


def test_empty_solutions_and_no_variables() -> None:
    store = store_with(["a", "b"])
    for text in ["SELECT * WHERE { }", "SELECT ?x WHERE { }", "SELECT ?x WHERE { VALUES ?y { 1 2 3 } }",
                 f"SELECT ?s WHERE {{ ?s <{EX}nothing> ?o }}"]:
        for fmt in RESULT_FORMATS:
            for limit in (0, 1, 2, 3, 4):
                compare(store, text, fmt, limit)


def test_a_doubtful_count_at_the_cap_takes_the_reference_path() -> None:
    # Literal values holding ',{}' make the JSON count an upper bound; quoted values do the same for CSV.
    store = store_with([",{}" * 3] * 50)
    text = f"SELECT ?label WHERE {{ ?s <{EX}label> ?label }}"
    for fmt in ("json", "csv"):
        reruns: list[int] = []

        def rerun(reruns: list[int] = reruns) -> ox.QuerySolutions:
            reruns.append(1)
            return store.query(text)

        out = serialise_solutions(store.query(text), fmt, 10, rerun)
        assert reruns == [1], fmt
        assert (out.count, out.truncated) == (10, True)
        # Under the cap even by the upper bound (JSON: 4 markers a solution): written natively, counted exactly.
        whole = serialise_solutions(store.query(text), fmt, 1000, rerun)
        assert (whole.count, whole.truncated) == (50, False) and reruns == [1]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(values=st.lists(st.text(alphabet=st.sampled_from(list(',{}[]"<>/\\\n\r\tresultaé🌍 ')), max_size=40),
                       min_size=0, max_size=300),
       fmt=st.sampled_from(sorted(RESULT_FORMATS)), limit=st.integers(min_value=0, max_value=320))
def test_native_equals_reference_on_arbitrary_values(values: list[str], fmt: str, limit: int) -> None:
    compare(store_with(values), QUERY, fmt, limit)
