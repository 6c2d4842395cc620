"""The explorer's only way into the data: SPARQL SELECT and ASK through a small interface.

Services take a `Sparql` (not a pyoxigraph store), so that the same code runs over the embedded store
today and over a remote SPARQL endpoint later (an adapter with the same two methods).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pyoxigraph as ox

from policygraph.errors import InputError
from policygraph.prefixes import prologue

PREFIXES = prologue("pg", "rdf", "rdfs", "skos", "dcterms", "schema", "prov", "oa")

Row = dict[str, str]
Bindings = Mapping[str, ox.NamedNode | ox.Literal]


class Sparql(Protocol):
    """What the explorer needs from a store: SELECT rows (values as plain strings) and ASK."""

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...


class OxigraphSparql:
    """`Sparql` over an embedded pyoxigraph store, across all named graphs."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def _run(self, query: str, bindings: Bindings | None) -> ox.QuerySolutions | ox.QueryBoolean:
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        result = self.store.query(PREFIXES + query, substitutions=substitutions)
        assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
        return result

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._run(query, bindings)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term.value
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._run(query, bindings)
        assert isinstance(result, ox.QueryBoolean)
        return bool(result)


def iri(value: str, what: str = "IRI") -> ox.NamedNode:
    """A checked IRI for a substitution; a person gets a 400 for anything that is not one."""
    if not value.startswith(("http://", "https://")):
        raise InputError(f"{what} {value!r} is not an absolute http(s) IRI")
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a valid IRI") from None


def literal(value: str) -> ox.Literal:
    return ox.Literal(value)
