"""Validate a graph with the SHACL shapes (pyshacl) and turn the results into a readable report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from policygraph.errors import InputError, ValidationFailed
from policygraph.oxrdf import to_ox


@dataclass(frozen=True)
class Result:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    value: str

    def line(self) -> str:
        path = f" path {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"[{self.severity}] {self.focus}{path}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        if not self.results:
            return "Conforms: no violations, no warnings."
        lines = [r.line() for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.focus, r.path))]
        head = f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *lines])

    def raise_if_failed(self) -> None:
        if not self.conforms:
            raise ValidationFailed(self.text(), len(self.violations))


def load_shapes(shapes_dir: Path) -> Graph:
    shapes = Graph()
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise InputError(f"{shapes_dir}: no SHACL shape files (*.ttl)")
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except (SyntaxError, ValueError) as exc:
            raise InputError(f"{path}: cannot parse shapes: {exc}") from None
    return shapes


def _short(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        text = str(term)
        return text if len(text) <= 120 else text[:117] + "..."
    return str(term)


def split_shapes(shapes: Graph) -> tuple[Graph, list[tuple[str, str, str]]]:
    """Core shapes (for pyshacl) and the SPARQL constraints as (target class, select query, message)."""
    core = Graph()
    core += shapes
    constraints: list[tuple[str, str, str]] = []
    for shape, _, constraint in list(shapes.triples((None, SH.sparql, None))):
        core.remove((shape, SH.sparql, constraint))
        select = shapes.value(constraint, SH.select)
        message = shapes.value(constraint, SH.message)
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for p in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(p, SH.declare)
        )
        for target in shapes.objects(shape, SH.targetClass):
            constraints.append((str(target), prefixes + str(select), str(message)))
    return core, constraints


_WHERE = re.compile(r"WHERE\s*\{", re.I)


def run_sparql_constraints(store: ox.Store, constraints: list[tuple[str, str, str]]) -> list[Result]:
    """Evaluate SHACL-SPARQL constraints in Oxigraph: one query per constraint over all focus nodes.

    `$this` becomes a variable bound by the target pattern placed first in the WHERE group, which gives
    the same solutions as pyshacl's per-focus-node pre-binding for these SELECT constraints.
    """
    results: list[Result] = []
    for target, select, message in constraints:
        query = select.replace("$this", "?this")
        query = _WHERE.sub(
            "WHERE { ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <" + target + "> .",
            query, count=1,
        )
        query = re.sub(r"SELECT\s+\?this\b", "SELECT DISTINCT ?this", query, count=1, flags=re.I)
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for sol in solutions:
            value = sol["value"] if "value" in names else None
            text = message
            for name in names:
                if sol[name] is not None:
                    text = text.replace("{?" + name + "}", sol[name].value).replace("{$" + name + "}", sol[name].value)
            results.append(Result("Violation", sol["this"].value, "", text, _short_ox(value)))
    return results


def _short_ox(term: object) -> str:
    if term is None:
        return ""
    text = term.value  # type: ignore[attr-defined]
    return text if len(text) <= 120 else text[:117] + "..."


def validate_graph(data: Graph, shapes: Graph, store: ox.Store | None = None) -> Report:
    """Validate `data` (which should include the ontology, for rdfs:subClassOf targets).

    Core constraints run in pyshacl; SPARQL constraints run in Oxigraph (`store` holds the same data;
    built from `data` when not given).
    """
    core, constraints = split_shapes(shapes)
    results = _pyshacl(data, core)
    if constraints:
        if store is None:
            store = ox.Store()
            store.extend(ox.Quad(*map(to_ox, t)) for t in data)  # type: ignore[misc]
        results += run_sparql_constraints(store, constraints)
    return Report(tuple(results))


def _pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    _conforms, results_graph, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    assert isinstance(results_graph, Graph)
    results = []
    for node in results_graph.subjects(SH.resultSeverity, None):
        severity = results_graph.value(node, SH.resultSeverity)
        message = results_graph.value(node, SH.resultMessage)
        path = results_graph.value(node, SH.resultPath)
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1],
                focus=_short(results_graph.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else "",
                message=str(message) if message else str(results_graph.value(node, SH.sourceConstraintComponent)),
                value=_short(results_graph.value(node, SH.value)),
            )
        )
    return results
