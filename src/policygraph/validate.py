"""Validate a dataset with the SHACL shapes and turn the results into a readable report.

Two engines give the same results (tests/test_fast_validation.py proves it on the real data, every shape
fixture and generated data with injected violations):

- "fast" (the default): every constraint as SPARQL over an Oxigraph store (policygraph.shacl);
- "pyshacl": pyshacl for the core constraints over an rdflib graph, and the SHACL-SPARQL constraints
  as one query each in Oxigraph (pyshacl's own SPARQL evaluation takes minutes on the real data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from policygraph.errors import InputError
from policygraph.oxrdf import to_ox
from policygraph.shacl import read_model, validate_hits
from policygraph.shacl.engine import Engine
from policygraph.shacl.model import SparqlConstraint
from policygraph.shacl.report import Report, Result, short

__all__ = ["Report", "Result", "load_shapes", "run_sparql_constraints", "split_shapes", "validate_graph"]

EngineName = TypingLiteral["fast", "pyshacl"]


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
    return short(str(term)) if isinstance(term, Literal) else str(term)


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


def run_sparql_constraints(store: ox.Store, constraints: list[tuple[str, str, str]]) -> list[Result]:
    """Evaluate SHACL-SPARQL constraints in Oxigraph: one query per constraint over all focus nodes,
    each as written (the fast engine also rewrites FILTER NOT EXISTS; this is its reference)."""
    listed = [SparqlConstraint("", target, select, message) for target, select, message in constraints]
    return [hit.result for hit in Engine(store).sparql(listed, rewrite=False)]


def _store_of(data: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(*map(to_ox, t)) for t in data)  # type: ignore[misc]
    return store


def validate_graph(data: Graph | None, shapes: Graph, store: ox.Store | None = None,
                   engine: EngineName = "fast") -> Report:
    """Validate the dataset, which should include the ontology (for rdfs:subClassOf targets).

    `store` holds the dataset in Oxigraph (built from `data` when not given); the fast engine needs
    only the store, the pyshacl engine needs `data` as well.
    """
    if engine == "fast":
        if store is None:
            if data is None:
                raise ValueError("validate_graph needs the data as a graph or a store")
            store = _store_of(data)
        return Report(tuple(hit.result for hit in validate_hits(store, read_model(shapes))))
    if engine != "pyshacl":
        raise ValueError(f"unknown validation engine {engine!r} (fast or pyshacl)")
    if data is None:
        raise ValueError("the pyshacl engine needs the data as an rdflib graph")
    core, constraints = split_shapes(shapes)
    results = _pyshacl(data, core)
    if constraints:
        results += run_sparql_constraints(store if store is not None else _store_of(data), constraints)
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
