"""The guards on query and update text (sparql/guards.py), as functions: every deep form is refused just
over its limit with the position of the token that crosses it, passes just below it, and what the guards
read as strings, comments, IRIs or data never counts. Every catalogue query passes with the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.errors import QueryRefused
from policygraph.settings import Settings
from policygraph.sparql.guards import inspect_query, inspect_update
from policygraph.sparqltext import position
from tests.support.deep import FORMS, Form, refused_at
from tests.support.paths import ROOT

DEFAULTS = Settings()
LENGTH, NESTING, CHAIN = 1_000_000, DEFAULTS.max_nesting, DEFAULTS.max_chain


def inspect(form: Form, text: str, nesting: int = NESTING, chain: int = CHAIN) -> None:
    (inspect_update if form.update else inspect_query)(text, LENGTH, nesting, chain)


def just_over(form: Form, nesting: int = NESTING, chain: int = CHAIN) -> int:
    """The least depth (or chain length) at which a form crosses its limit, found without the guard."""
    if form.limit == "chain":
        return chain + 1
    for n in range(1, nesting + 2):
        try:
            refused_at(form, form.make(n), nesting)
        except AssertionError:
            continue
        return n
    raise AssertionError(f"{form} never crosses {nesting}")


def refusal(form: Form, text: str, nesting: int = NESTING, chain: int = CHAIN) -> QueryRefused:
    with pytest.raises(QueryRefused) as caught:
        inspect(form, text, nesting, chain)
    return caught.value


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_each_form_just_over_its_limit_is_refused_with_the_position(form: Form) -> None:
    text = form.make(just_over(form))
    error = refusal(form, text)
    assert error.line is not None and error.column is not None, error.message
    offset = error.column - 1  # one line each
    if form.limit == "nesting":
        assert (error.line, error.column) == position(text, refused_at(form, text, NESTING)), error.message
        assert f"more than {NESTING} deep" in error.message
    else:
        assert text[offset:].startswith(form.marker), (error.message, text[offset:offset + 20])
        assert text[:offset].count(form.marker) <= CHAIN  # it let no more than the limit through
        assert f"more than {CHAIN} operators or groups" in error.message


def below(form: Form, nesting: int = NESTING, chain: int = CHAIN) -> int:
    """A depth just below the limit: one less for nesting; for a chain, a few less, since the limit counts
    the chains along the nesting (the FILTER or group around a chain is one more element)."""
    return just_over(form, nesting, chain) - (1 if form.limit == "nesting" else 5)


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_each_form_just_below_its_limit_passes(form: Form) -> None:
    inspect(form, form.make(below(form)))


@pytest.mark.parametrize("form", [f for f in FORMS if f.crash is not None], ids=str)
def test_the_depth_that_crashed_is_refused_far_below_it(form: Form) -> None:
    assert form.crash is not None
    assert just_over(form) * 4 < form.crash  # the limits leave a wide margin under every measured crash
    refusal(form, form.make(form.crash))


@pytest.mark.parametrize(("nesting", "chain"), [(10, 20), (50, 100)])
def test_the_limits_are_settings(nesting: int, chain: int) -> None:
    for form in FORMS:
        over = just_over(form, nesting, chain)
        refusal(form, form.make(over), nesting, chain)
        inspect(form, form.make(below(form, nesting, chain)), nesting, chain)


def test_chains_nested_in_each_other_add_up() -> None:
    """`(x)+1+1+…` puts x at the bottom of the chain: a chain of 300 nested as the first element of
    another chain of 300 is 600 deep, although no level holds more than 300."""
    inner = "(" + "+".join(["1"] * 301) + ")"
    text = "SELECT * WHERE { FILTER(" + inner + "+1" * 300 + ") }"
    error = refusal(FORMS[0], text)
    assert "counting the chains nested" in error.message
    inspect_query("SELECT * WHERE { FILTER(" + inner + "+1" * 100 + ") }", LENGTH, NESTING, CHAIN)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { VALUES ?x { " + " ".join(f"-{i}" for i in range(5_000)) + " } }",
    "SELECT * WHERE { VALUES (?x ?y) { " + " ".join(f"({i} -{i})" for i in range(2_000)) + " } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(str(i) for i in range(5_000)) + ")) }",
    "SELECT * WHERE { ?s ?p \"" + "((((!!!!||||" * 1_000 + "\" } # " + "{{{{ UNION " * 1_000,
    "SELECT * WHERE { ?s <urn:" + "a" * 5_000 + "> ?o }",
])
def test_data_strings_comments_and_iris_never_count(text: str) -> None:
    inspect_query(text, LENGTH, NESTING, CHAIN)


def test_a_long_insert_data_is_never_refused() -> None:
    triples = " ".join(f"<urn:s{i}> <urn:p> -{i}, \"{i}\"^^<urn:t>, ( -1 -2 ) ." for i in range(5_000))
    inspect_update(f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }} ; DELETE DATA {{ GRAPH <urn:g> {{ {triples} }} }}",
                   LENGTH, NESTING, CHAIN)


def test_positions_count_lines_and_columns() -> None:
    text = "PREFIX ex: <urn:>\nSELECT * WHERE {\n  FILTER(\n    " + "!" * 300 + "true) }"
    error = refusal(FORMS[0], text)
    assert error.line == 4
    assert error.column == 5 + NESTING - 1  # two brackets around it: the 200th '!' crosses 200


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_every_catalogue_query_passes_the_guards(path: Path) -> None:
    inspect_query(path.read_text(encoding="utf-8"), DEFAULTS.max_query_length, NESTING, CHAIN)
