"""Deeply nested and long-chained SPARQL, form by form, with the depth at which each one killed a process
running pyoxigraph 0.5.13 (measured by bisection in fresh processes; the figures are in the docstring of
src/policygraph/sparql/guards.py). The guard tests send each form just over its limit, below it, and at
the depth that crashed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

P = "<urn:p>"


@dataclass(frozen=True)
class Form:
    name: str
    make: Callable[[int], str]  # the text at depth (or chain length) n
    limit: str  # "nesting" (brackets and operators in a row) or "chain"
    crash: int | None  # the depth that killed the process; None: it never crashed (slow, or refused by the parser)
    update: bool = False
    marker: str = ""  # for chains: the token that counts one element of the chain

    def __str__(self) -> str:
        return self.name


def _chain(op: str, n: int, atom: str = "1") -> str:
    return op.join([atom] * (n + 1))


FORMS: list[Form] = [
    # nesting: brackets
    Form("braces", lambda n: "SELECT * WHERE " + "{" * n + "}" * n, "nesting", 2_192),
    Form("parentheses", lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "true" + ")" * n + ") }", "nesting", 4_672),
    Form("function-calls", lambda n: "SELECT * WHERE { FILTER(" + "STR(" * n + "1" + ")" * n + ") }", "nesting", 952),
    Form("filter-exists", lambda n: "SELECT * WHERE { " + "FILTER EXISTS {" * n + "}" * n + " }", "nesting", 840),
    Form("nested-optional", lambda n: "SELECT * WHERE { " + "?s ?p ?o OPTIONAL {" * n + "}" * n + " }", "nesting", 2_624),
    Form("nested-sub-selects", lambda n: "SELECT * WHERE { " + "{SELECT * WHERE " * n + "{}" + "}" * n + " }", "nesting", 2_544),
    Form("not-brackets", lambda n: "SELECT * WHERE { FILTER(" + "!(" * n + "true" + ")" * n + ") }", "nesting", 3_872),
    Form("blank-nodes", lambda n: f"CONSTRUCT {{ ?s {P} " + f"[{P} " * n + "1" + "]" * n + " } WHERE {}", "nesting", 3_648),
    Form("path-parentheses", lambda n: "SELECT * WHERE { ?s " + "(" * n + P + ")" * n + " ?o }", "nesting", 13_824),
    Form("path-modifiers", lambda n: "SELECT * WHERE { ?s " + "(" * n + P + ")*" * n + " ?o }", "nesting", 13_824),
    # nesting: prefix operators in a row
    Form("not-operators", lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }", "nesting", 9_344),
    Form("spaced-not-operators", lambda n: "SELECT * WHERE { FILTER(" + "! " * n + "true) }", "nesting", 9_344),
    Form("minus-signs", lambda n: "SELECT * WHERE { FILTER(" + "-" * n + "1) }", "nesting", None),
    Form("inverse-paths", lambda n: "SELECT * WHERE { ?s " + "^ " * n + P + " ?o }", "nesting", None),
    # chains: flat text, deep trees
    Form("additions", lambda n: "SELECT * WHERE { FILTER(" + _chain("+", n) + ") }", "chain", 6_912, marker="+"),
    Form("multiplications", lambda n: "SELECT ?s WHERE { FILTER(" + _chain("*", n) + ") }", "chain", 6_912, marker="*"),
    Form("signed-numbers", lambda n: "SELECT * WHERE { FILTER(1" + " -1" * n + ") }", "chain", 6_912, marker="-"),
    Form("or", lambda n: "SELECT * WHERE { FILTER(" + _chain("||", n, "true") + ") }", "chain", 9_344, marker="||"),
    Form("and", lambda n: "SELECT * WHERE { FILTER(" + _chain("&&", n, "true") + ") }", "chain", 9_344, marker="&&"),
    Form("union", lambda n: "SELECT * WHERE { " + _chain("UNION", n, "{}") + " }", "chain", 6_592, marker="UNION"),
    Form("minus", lambda n: "SELECT * WHERE { ?s ?p ?o " + "MINUS{}" * n + "}", "chain", 2_624, marker="MINUS"),
    Form("bind", lambda n: "SELECT * WHERE { " + "".join(f"BIND(1 AS ?v{i})" for i in range(n)) + "}", "chain", 2_624,
         marker="BIND"),
    Form("filters", lambda n: "SELECT * WHERE { " + "FILTER(1)" * n + "}", "chain", 9_344, marker="FILTER"),
    Form("optionals", lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL{}" * n + "}", "chain", None, marker="OPTIONAL"),
    Form("groups", lambda n: "SELECT * WHERE { ?s ?p ?o " + "{}" * n + "}", "chain", None, marker="{}"),
    Form("path-alternatives", lambda n: "SELECT * WHERE { ?s " + _chain("|", n, P) + " ?o }", "chain", 10_944, marker="|"),
    Form("path-sequences", lambda n: "SELECT * WHERE { ?s " + _chain("/", n, P) + " ?o }", "chain", None, marker="/"),
    # the same in SPARQL Update
    Form("update-braces", lambda n: "DELETE { ?s ?p ?o } WHERE " + "{" * n + "}" * n, "nesting", 2_192, update=True),
    Form("update-not-operators", lambda n: "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }", "nesting",
         9_344, update=True),
    Form("update-data-blank-nodes", lambda n: f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> {P} " + f"[{P} " * n + "1" + "]" * n
         + " } }", "nesting", 3_648, update=True),
    Form("update-data-collections", lambda n: f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> {P} " + "(" * n + "1" + ")" * n
         + " } }", "nesting", 11_904, update=True),
    Form("update-additions", lambda n: "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(" + _chain("+", n) + ") }", "chain",
         6_912, update=True, marker="+"),
    Form("update-union", lambda n: "DELETE { ?s ?p ?o } WHERE { " + _chain("UNION", n, "{}") + " }", "chain", 6_592,
         update=True, marker="UNION"),
    Form("update-minus", lambda n: "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o " + "MINUS{}" * n + "}", "chain", 2_624,
         update=True, marker="MINUS"),
]
CRASHING = [f for f in FORMS if f.crash is not None]


def refused_at(form: Form, text: str, max_nesting: int) -> int:
    """Where the guard must refuse a nesting form, found independently of the guard: the first opening
    bracket that makes the nesting deeper than `max_nesting`, or the first operator of a run that does."""
    depth = run = 0
    for offset, char in enumerate(text):
        if char in "({[":
            depth += 1
            run = 0
            if depth > max_nesting:
                return offset
        elif char in ")}]":
            depth -= 1
            run = 0
        elif char in "!-+^":
            run += 1
            if run > 1 and depth + run - 1 > max_nesting:  # a run of k operators nests k - 1 deep
                return offset
        elif not char.isspace():
            run = 0
    raise AssertionError(f"{form}: nothing in the text is nested over {max_nesting}")
