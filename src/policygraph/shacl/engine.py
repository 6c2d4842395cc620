"""The fast validator: each constraint of each shape is one SPARQL query over all its focus nodes at once.

A focus set is a SPARQL group that binds ?this (the shape's targets, or the values a nested shape is
applied to). A constraint's query returns its failing (?this, ?v) pairs; nested shapes (sh:node, sh:or,
sh:xone, sh:and, sh:not) are evaluated bottom-up over the distinct values they apply to, and their
verdicts joined back in Python. The results are those pyshacl reports, including the details it nests
under sh:node results (which our report lists like any other result).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from policygraph.oxrdf import from_ox
from policygraph.prefixes import RDF, RDF_TYPE, RDFS, SUBCLASS_OF
from policygraph.shacl.literals import SAFE_LEXICAL, datatype_matches, in_range, quiet_rdflib
from policygraph.shacl.model import Constraint, Model, Shape, SparqlConstraint
from policygraph.shacl.report import Result, short_ox
from policygraph.shacl.rewrite import not_exists_as_minus

Term = ox.NamedNode | ox.BlankNode | ox.Literal
TYPE_OF = f"<{RDF_TYPE}>/<{SUBCLASS_OF}>*"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = RDF + "langString"
RDFS_LITERAL = RDFS + "Literal"
NODE_KINDS = {
    "IRI": "isIRI(?v)", "BlankNode": "isBlank(?v)", "Literal": "isLiteral(?v)",
    "BlankNodeOrIRI": "(isBlank(?v) || isIRI(?v))", "BlankNodeOrLiteral": "(isBlank(?v) || isLiteral(?v))",
    "IRIOrLiteral": "(isIRI(?v) || isLiteral(?v))",
}
RANGE_OPS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
VALUES_LIMIT = 2000  # above this, join failing values in Python rather than in a VALUES block


@dataclass(frozen=True)
class Hit:
    """One result and the node it belongs to: the focus node of the shape that produced it (for a
    nested detail, the focus node of the outer shape) — at the top level, the validated focus node."""

    owner: Term
    result: Result
    detail: bool = False


def sparql_term(term: Term) -> str | None:
    """The term as a SPARQL constant (blank nodes have none)."""
    return None if isinstance(term, ox.BlankNode) else str(term)


def focus_group(shape: Shape) -> str:
    """A group binding ?this to the shape's focus nodes.

    A node may be bound more than once (two types under the target class): every query that uses a
    focus group selects DISTINCT or counts DISTINCT values.
    """
    parts = []
    for kind, term in shape.targets:
        if kind == "targetClass":
            parts.append(f"{{ ?this {TYPE_OF} {term} }}")
        elif kind == "targetNode":
            parts.append(f"{{ VALUES ?this {{ {term} }} }}")
        elif kind == "targetSubjectsOf":
            parts.append(f"{{ ?this {term} ?any }}")
        else:
            parts.append(f"{{ ?any {term} ?this }}")
    return f"{{ {' UNION '.join(parts)} }}"


class Engine:
    """Runs the queries. `restricted`: the focus nodes are a few given ones (incremental validation),
    so per-node FILTER NOT EXISTS beats MINUS, which would evaluate its pattern over the whole store."""

    def __init__(self, store: ox.Store, restricted: bool = False) -> None:
        self.store = store
        self.restricted = restricted
        self.queries = 0

    def select(self, query: str) -> ox.QuerySolutions:
        self.queries += 1
        solutions = self.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    def rows(self, query: str) -> list[tuple[Term, Term | None]]:
        solutions = self.select(query)
        if any(v.value == "v" for v in solutions.variables):
            return [(sol["this"], sol["v"]) for sol in solutions]
        return [(sol["this"], None) for sol in solutions]

    def values_block(self, pattern: str, restrict: list[str]) -> str:
        """`VALUES ?this {...}` of the nodes among `restrict` that match `pattern` ("" if none do)."""
        query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {' '.join(restrict)} }} {pattern} }}"
        nodes = [sparql_term(t) for t, _ in self.rows(query)]
        return f"VALUES ?this {{ {' '.join(n for n in nodes if n)} }} " if nodes else ""

    # ---- shapes

    def evaluate(self, shape: Shape, focus: str) -> list[Hit]:
        """All results of `shape` on the focus nodes that `focus` binds to ?this."""
        if shape.deactivated:
            return []
        hits: list[Hit] = []
        for constraint in shape.constraints:
            hits += self.constraint(shape, constraint, focus)
        for prop in shape.properties:
            hits += self.evaluate(prop, focus)
        return hits

    def result(self, shape: Shape, focus: Term, value: Term | None) -> Hit:
        path = shape.path.iri if shape.path is not None and shape.path.iri else ""
        return Hit(focus, Result(shape.severity, short_ox(focus), path, shape.message or "", short_ox(value)))

    def constraint(self, shape: Shape, c: Constraint, focus: str) -> list[Hit]:
        if c.kind in ("node", "or", "xone", "and", "not"):
            return self.nested(shape, c, focus)
        rows = self.failing_rows(shape, c, focus)
        return [self.result(shape, this, value) for this, value in rows]

    def failing_rows(self, shape: Shape, c: Constraint, focus: str) -> list[tuple[Term, Term | None]]:
        path = shape.path.sparql if shape.path is not None else None
        values = f"{focus} ?this {path} ?v ." if path else f"{focus} BIND(?this AS ?v)"
        kind = c.kind
        if kind == "minCount":
            if c.value == 0:
                return []
            if c.value == 1:
                query = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
            else:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {c.value})")
            return [(t, None) for t, _ in self.rows(query)]
        if kind == "maxCount":
            if c.value == 0:
                query = f"SELECT DISTINCT ?this WHERE {{ {values} }}"
            elif c.value == 1:  # a self-join is about twice as fast as grouping in Oxigraph
                query = f"SELECT DISTINCT ?this WHERE {{ {values} ?this {path} ?w . FILTER (!sameTerm(?v, ?w)) }}"
            else:
                query = f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {c.value})"
            return [(t, None) for t, _ in self.rows(query)]
        if kind == "uniqueLang":
            query = (f"SELECT ?this ?lang WHERE {{ {values} FILTER (isLiteral(?v) && LANG(?v) != \"\") BIND (LCASE(LANG(?v)) AS ?lang) }} "
                     "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)")
            return [(t, None) for t, _ in self.rows(query)]
        if kind == "hasValue":
            if path:
                query = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {c.value} }} }}"
            else:
                query = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {c.value})) }}"
            return [(t, None) for t, _ in self.rows(query)]
        if kind == "class":
            # over all focus nodes, MINUS evaluates the class's instances once (NOT EXISTS walks the path per value)
            test = "FILTER NOT EXISTS" if self.restricted else "MINUS"
            return self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} {test} {{ ?v {TYPE_OF} <{c.value}> }} }}")
        if kind == "datatype":
            return self.datatype_rows(values, c.value)
        if kind == "nodeKind":
            return self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} FILTER (!{NODE_KINDS[c.value]}) }}")
        if kind == "in":
            allowed = " || ".join(f"sameTerm(?v, {t})" for t in c.value) or "false"
            return self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} FILTER (!({allowed})) }}")
        if kind in ("minLength", "maxLength"):
            if kind == "minLength" and c.value == 0:
                return []
            op = "<" if kind == "minLength" else ">"
            return self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} FILTER (isBlank(?v) || STRLEN(STR(?v)) {op} {c.value}) }}")
        if kind in RANGE_OPS:
            rows = self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} "
                             f"FILTER (!(isNumeric(?v) && ?v {RANGE_OPS[kind]} {c.value.n3()})) }}")
            with quiet_rdflib():  # the values SPARQL could not order: compare them as pyshacl does
                return [(t, v) for t, v in rows if not in_range(from_ox(v), kind, c.value)]
        raise AssertionError(f"unknown constraint {kind}")  # the model admits only the kinds above

    def datatype_rows(self, values: str, datatype: str) -> list[tuple[Term, Term | None]]:
        if datatype == XSD + "string":
            ok = f"isLiteral(?v) && DATATYPE(?v) = <{datatype}>"
        elif datatype == RDF_LANGSTRING:
            ok = 'isLiteral(?v) && LANG(?v) != ""'
        elif datatype == RDFS_LITERAL:
            ok = "isLiteral(?v)"
        elif datatype in SAFE_LEXICAL:
            ok = f'isLiteral(?v) && DATATYPE(?v) = <{datatype}> && REGEX(STR(?v), "{SAFE_LEXICAL[datatype]}")'
        else:
            ok = "false"
        rows = self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {values} FILTER (!({ok})) }}")
        with quiet_rdflib():  # literals of the datatype that SPARQL left open: rdflib decides, as in pyshacl
            return [(t, v) for t, v in rows if v is None or not datatype_matches(from_ox(v), datatype)]

    # ---- nested shapes

    def value_focus(self, shape: Shape, focus: str) -> str:
        """A focus group for the distinct values of `shape` at the nodes of `focus`."""
        if shape.path is None:
            return focus
        return (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS ?outer) WHERE {focus} }} "
                f"?outer {shape.path.sparql} ?this }} }}")

    def all_values(self, focus: str) -> set[Term]:
        return {t for t, _ in self.rows(f"SELECT DISTINCT ?this WHERE {focus}")}

    def failing(self, shape: Shape, focus: str) -> set[Term]:
        """Nodes that do not conform to `shape` (pyshacl allows warnings: only violations count)."""
        return {h.owner for h in self.evaluate(shape, focus) if not h.detail and h.result.severity == "Violation"}

    def nested(self, shape: Shape, c: Constraint, focus: str) -> list[Hit]:
        inner_focus = self.value_focus(shape, focus)
        details: dict[Term, list[Hit]] = defaultdict(list)
        if c.kind == "node":
            for hit in self.evaluate(c.value, inner_focus):
                details[hit.owner].append(hit)
            bad = set(details)
        elif c.kind == "or":
            fails = [self.failing(m, inner_focus) for m in c.value]
            bad = set.intersection(*fails) if fails else set()
        elif c.kind == "and":
            bad = set().union(*(self.failing(m, inner_focus) for m in c.value))
        elif c.kind == "xone":
            fails = [self.failing(m, inner_focus) for m in c.value]
            bad = {v for v in self.all_values(inner_focus) if sum(v not in f for f in fails) != 1} if fails else set()
        else:  # not
            failed = self.failing(c.value, inner_focus)
            bad = {v for v in self.all_values(inner_focus) if v not in failed}
        if not bad:
            return []
        hits = []
        for this, value in self.pairs(shape, focus, bad):
            hits.append(self.result(shape, this, value))
            hits += [Hit(this, d.result, detail=True) for d in details.get(value, ())]
        return hits

    def pairs(self, shape: Shape, focus: str, wanted: set[Term]) -> list[tuple[Term, Term]]:
        """The (focus node, value) pairs of `shape` whose value is in `wanted`."""
        if shape.path is None:
            return [(t, t) for t in wanted]
        constants = [sparql_term(t) for t in wanted]
        block = ""
        if len(wanted) <= VALUES_LIMIT and all(constants):
            block = f"VALUES ?v {{ {' '.join(c for c in constants if c)} }} "
        rows = self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {block}{focus} ?this {shape.path.sparql} ?v . }}")
        return [(t, v) for t, v in rows if v in wanted]  # type: ignore[misc]

    # ---- SHACL-SPARQL constraints

    def sparql(self, constraints: Iterable[SparqlConstraint], restrict: list[str] | None = None,
               rewrite: bool = True) -> list[Hit]:
        """Each constraint as one query: $this becomes ?this, bound by the target pattern placed first
        in the WHERE group (the same solutions as pyshacl's pre-binding for these SELECT constraints).
        As in pyshacl, the value is ?value when the query binds it, else the focus node; {?var} and
        {$var} in the message take the solution's values."""
        hits: list[Hit] = []
        targeted: dict[str, str] = {}
        for c in constraints:
            focus, values = f"?this {TYPE_OF} <{c.target}> .", ""
            if restrict is not None:  # only the given nodes that are in the target class
                if c.target not in targeted:
                    targeted[c.target] = self.values_block(focus, restrict)
                if not targeted[c.target]:
                    continue
                focus = values = targeted[c.target]
            query = c.select.replace("$this", "?this")
            query = _WHERE.sub(lambda _m, focus=focus: f"WHERE {{ {focus}", query, count=1)
            where = _WHERE.search(query)
            if rewrite and where:
                query = not_exists_as_minus(query, where.end() - 1, values)
            query = re.sub(r"SELECT\s+\?this\b", "SELECT DISTINCT ?this", query, count=1, flags=re.I)
            solutions = self.select(query)
            names = [v.value for v in solutions.variables]
            for sol in solutions:
                this = sol["this"]
                bound = {name: sol[name] for name in names if sol[name] is not None}
                bound.setdefault("value", this)
                text = c.message
                for name, term in bound.items():
                    text = text.replace("{?" + name + "}", term.value).replace("{$" + name + "}", term.value)
                hits.append(Hit(this, Result(c.severity, short_ox(this), "", text, short_ox(bound["value"]))))
        return hits


_WHERE = re.compile(r"WHERE\s*\{", re.I)


def validate_hits(store: ox.Store, model: Model, restrict: list[str] | None = None,
                  engine: Engine | None = None) -> list[Hit]:
    """Every result of the model on the store, or only for the focus nodes in `restrict` (SPARQL terms)."""
    engine = engine or Engine(store, restricted=restrict is not None)
    hits: list[Hit] = []
    for shape in model.shapes:
        focus = focus_group(shape)
        if restrict is not None:  # the given nodes that are focus nodes of the shape, as constants
            block = engine.values_block(focus, restrict)
            if not block:
                continue
            focus = f"{{ {block}}}"
        hits += engine.evaluate(shape, focus)
    hits += engine.sparql(model.sparql, restrict)
    return hits
