"""Validate a write incrementally: only the focus nodes whose results the change can alter.

Each shape (and each SHACL-SPARQL constraint) depends on the triples around its focus node that its
paths walk: a dependency says "triples with predicate p leaving (or entering) the nodes at path R from
the focus". A changed triple therefore affects the focus nodes that reach its subject (or object) by
such an R: found by walking R backwards from the changed nodes, in the store before and after the
change. Those nodes are validated in full (every shape, every rule), which gives exactly the results a
full validation reports for them; every other node's results cannot have changed.

Falls back to validating everything when the change touches rdfs:subClassOf (class membership moves
everywhere), when a focus node is a blank node (no SPARQL constant names it), or when a SPARQL rule's
pattern cannot be followed from $this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from policygraph.prefixes import RDF_TYPE, SUBCLASS_OF
from policygraph.shacl.engine import Term, sparql_term
from policygraph.shacl.model import Model, Shape, SparqlConstraint, path_sparql

SUBCLASS = SUBCLASS_OF


@dataclass(frozen=True)
class Dep:
    path: str | None  # SPARQL path from the focus node to the node whose triples matter; None: the focus
    direction: str  # "out": triples with that node as subject; "in": as object
    predicate: str


class Unfollowable(Exception):
    """A dependency we cannot state as paths: validate everything instead."""


@dataclass(frozen=True)
class Change:
    added: tuple[ox.Quad, ...] = ()
    removed: tuple[ox.Quad, ...] = ()

    def effective(self, store: ox.Store) -> Change:
        """The quads that really change: removed ones present, added ones absent (after the removal)."""
        removed = tuple(q for q in dict.fromkeys(self.removed) if q in store)
        gone = set(removed)
        added = tuple(q for q in dict.fromkeys(self.added) if q in gone or q not in store)
        return Change(added, removed)


def _join(prefix: str | None, path: str | None) -> str | None:
    if prefix is None:
        return path
    return prefix if path is None else f"{prefix}/{path}"


def _invert(tree: tuple[Any, ...]) -> tuple[Any, ...]:
    tag, arg = tree
    if tag == "pred":
        return ("inv", tree)
    if tag == "inv":
        return arg
    if tag == "seq":
        return ("seq", tuple(_invert(t) for t in reversed(arg)))
    if tag == "alt":
        return ("alt", tuple(_invert(t) for t in arg))
    return (tag, _invert(arg))


def path_deps(tree: tuple[Any, ...], prefix: str | None = None) -> set[Dep]:
    """The triples a path walks from the focus node."""
    tag, arg = tree
    if tag == "pred":
        return {Dep(prefix, "out", arg)}
    if tag == "inv":
        return {Dep(prefix, "in", arg[1])} if arg[0] == "pred" else path_deps(_invert(arg), prefix)
    if tag == "seq":
        deps: set[Dep] = set()
        for step in arg:
            deps |= path_deps(step, prefix)
            prefix = _join(prefix, path_sparql(step))
        return deps
    if tag == "alt":
        return set().union(*(path_deps(t, prefix) for t in arg))
    if tag in ("star", "plus"):
        return path_deps(arg, _join(prefix, f"({path_sparql(arg)})*"))
    return path_deps(arg, prefix)  # opt


def _prefixed(prefix: str | None, deps: Iterable[Dep]) -> set[Dep]:
    return {Dep(_join(prefix, d.path), d.direction, d.predicate) for d in deps}


def shape_deps(shape: Shape) -> set[Dep]:
    """What the results of `shape` at a focus node depend on (targets aside)."""
    deps: set[Dep] = set()
    values = shape.path.sparql if shape.path is not None else None
    if shape.path is not None:
        deps |= path_deps(shape.path.tree)
    for c in shape.constraints:
        if c.kind == "class":
            deps.add(Dep(values, "out", RDF_TYPE))
        elif c.kind in ("node", "not"):
            deps |= _prefixed(values, shape_deps(c.value))
        elif c.kind in ("or", "xone", "and"):
            for member in c.value:
                deps |= _prefixed(values, shape_deps(member))
    for prop in shape.properties:
        deps |= shape_deps(prop)
    return deps


def target_deps(shape: Shape) -> set[Dep]:
    deps = set()
    for kind, term in shape.targets:
        if kind == "targetClass":
            deps.add(Dep(None, "out", RDF_TYPE))
        elif kind == "targetSubjectsOf":
            deps.add(Dep(None, "out", term[1:-1]))
        elif kind == "targetObjectsOf":
            deps.add(Dep(None, "in", term[1:-1]))
    return deps


def _triples(node: Any) -> Iterable[tuple[Any, Any, Any]]:
    """Every triple pattern in a parsed query, including those inside EXISTS and NOT EXISTS."""
    if isinstance(node, CompValue):
        if node.name in ("BGP", "TriplesBlock"):  # inside EXISTS rdflib keeps the parsed TriplesBlock
            for triple in node["triples"]:
                # inside EXISTS, a subject with several predicates (`?s p1 ?a ; p2 ?b`) is one flat list
                flat = list(triple)
                for i in range(0, len(flat) - 2, 3):
                    yield flat[i], flat[i + 1], flat[i + 2]
        for value in node.values():
            yield from _triples(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _triples(value)


def _edges(s: Any, p: Any, o: Any, fresh: list[int]) -> list[tuple[Any, str, Any]]:
    if isinstance(p, URIRef):
        return [(s, str(p), o)]
    if isinstance(p, InvPath):
        return _edges(o, p.arg, s, fresh)
    if isinstance(p, AlternativePath):
        return [e for alt in p.args for e in _edges(s, alt, o, fresh)]
    if isinstance(p, SequencePath):
        edges, current = [], s
        for i, step in enumerate(p.args):
            fresh[0] += 1
            nxt = o if i == len(p.args) - 1 else Variable(f"_step{fresh[0]}")
            edges += _edges(current, step, nxt, fresh)
            current = nxt
        return edges
    raise Unfollowable(f"the predicate {p!r}")


def sparql_deps(constraint: SparqlConstraint) -> set[Dep]:
    """The dependencies of a SHACL-SPARQL rule, read from its triple patterns (paths from $this).

    Each variable gets its shortest path from $this (breadth first). A triple pattern depends on one of its
    ends: a solution binds every variable at once, so the changed triple is reached from the focus along any
    path of the pattern, and the shortest will do (the store is read before and after the change). Of two
    ends as near, the subject's: a triple's subject is usually the more specific node (its object is often
    a concept many triples share, such as an issue), so fewer focus nodes are validated again.
    """
    query = prepareQuery(constraint.select.replace("$this", "?this"))
    fresh = [0]
    edges = [e for s, p, o in _triples(query.algebra) for e in _edges(s, p, o, fresh)]
    this = Variable("this")
    paths: dict[Any, tuple[int, str | None]] = {this: (0, None)}
    frontier = [this]
    while frontier:
        reached = []
        for node in frontier:
            depth, path = paths[node]
            for s, p, o in edges:
                for here, there, step in ((s, o, f"<{p}>"), (o, s, f"^<{p}>")):
                    if here == node and isinstance(there, (Variable, BNode)) and there not in paths:
                        paths[there] = (depth + 1, _join(path, step))
                        reached.append(there)
        frontier = reached
    deps: set[Dep] = set()
    for s, p, o in edges:
        ends = [(paths[s][0], 0, Dep(paths[s][1], "out", p))] if s in paths else []
        ends += [(paths[o][0], 1, Dep(paths[o][1], "in", p))] if o in paths else []
        if not ends:
            raise Unfollowable("a triple pattern not connected to $this")
        deps.add(min(ends, key=lambda end: end[:2])[2])
    return deps


def model_deps(model: Model) -> set[Dep]:
    """Everything any result depends on, as dependencies of focus nodes (computed once per model)."""
    if "deps" not in model.cache:
        model.cache["deps"] = _model_deps(model)
    return model.cache["deps"]  # type: ignore[no-any-return]


def _model_deps(model: Model) -> set[Dep]:
    deps: set[Dep] = set()
    for shape in model.shapes:
        deps |= shape_deps(shape) | target_deps(shape)
    for constraint in model.sparql:
        deps |= sparql_deps(constraint) | {Dep(None, "out", RDF_TYPE)}
    return deps


def affected_nodes(store: ox.Store, deps: set[Dep], change: Change) -> set[Term]:
    """The focus nodes whose results may differ because of `change`, in the store as it is now."""
    quads = change.added + change.removed
    if any(q.predicate.value == SUBCLASS for q in quads):
        raise Unfollowable("a change of rdfs:subClassOf")
    nodes: set[Term] = set()
    by_path: dict[str, set[Term]] = {}
    for dep in deps:
        touched = {q.subject if dep.direction == "out" else q.object for q in quads if q.predicate.value == dep.predicate}
        if dep.path is None:
            nodes |= touched  # type: ignore[arg-type]
        elif touched:
            by_path.setdefault(dep.path, set()).update(touched)  # type: ignore[arg-type]
    for path, touched in by_path.items():
        constants = [sparql_term(t) for t in touched]
        if not all(constants):
            raise Unfollowable("a blank node on a dependency path")
        query = f"SELECT DISTINCT ?f WHERE {{ VALUES ?x {{ {' '.join(c for c in constants if c)} }} ?f {path} ?x }}"
        nodes |= {sol["f"] for sol in store.query(query)}  # type: ignore[union-attr]
    return nodes
