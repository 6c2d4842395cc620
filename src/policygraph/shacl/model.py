"""The shapes graph read into a small model that the fast validator turns into SPARQL.

Only what the fast validator evaluates exactly like pyshacl is accepted; any other SHACL feature raises
UnsupportedShape naming the shape and the feature, so that a new shape never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from policygraph.errors import InputError

# Constraint parameters the fast validator evaluates (each is one constraint component).
SUPPORTED = {
    "minCount", "maxCount", "datatype", "class", "node", "hasValue", "in", "nodeKind", "uniqueLang",
    "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    "or", "xone", "and", "not", "property",
}
# Shape properties that are not constraints (or that are read elsewhere: sh:sparql).
NOT_CONSTRAINTS = {
    "path", "message", "severity", "name", "description", "order", "group", "defaultValue", "deactivated",
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "sparql", "declare", "prefixes",
}
TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger,
           XSD.positiveInteger, XSD.short, XSD.byte}


class UnsupportedShape(InputError):
    """A shape uses a SHACL feature the fast validator does not evaluate (use engine="pyshacl")."""

    def __init__(self, shape: str, feature: str) -> None:
        super().__init__(f"shape {shape}: {feature} is not supported by the fast validator (use engine='pyshacl')")


@dataclass(frozen=True)
class Path:
    """A SHACL property path: SPARQL syntax, the IRI when it is one predicate, and its structure."""

    sparql: str
    iri: str | None
    tree: tuple[Any, ...]  # ("pred", iri) | ("inv"|"star"|"plus"|"opt", tree) | ("seq"|"alt", (tree, ...))


@dataclass(frozen=True)
class Constraint:
    kind: str  # a key of SUPPORTED, e.g. "minCount"
    value: Any  # int | str (IRI or SPARQL term) | Literal | Shape | tuple[Shape, ...] | tuple[str, ...]


@dataclass(eq=False)
class Shape:
    id: str
    path: Path | None = None
    severity: str = "Violation"
    message: str | None = None
    targets: list[tuple[str, str]] = field(default_factory=list)  # (kind, SPARQL term)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    deactivated: bool = False


@dataclass(frozen=True)
class SparqlConstraint:
    """A SHACL-SPARQL constraint of a node shape: one SELECT query over all focus nodes at once."""

    shape: str
    target: str  # the target class IRI
    select: str  # with its PREFIX declarations
    message: str
    severity: str = "Violation"


@dataclass
class Model:
    shapes: list[Shape]  # the shapes with targets; the others are reached through them
    sparql: list[SparqlConstraint]
    cache: dict[str, Any] = field(default_factory=dict)  # derived once per model (incremental dependencies)


def term_sparql(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise TypeError(f"no SPARQL constant for {term!r}")


class _Reader:
    def __init__(self, g: Graph) -> None:
        self.g = g
        self.built: dict[Node, Shape] = {}
        self.stack: list[Node] = []

    def name(self, node: Node) -> str:
        return f"<{node}>" if isinstance(node, URIRef) else f"[blank node shape {node}]"

    def one(self, node: Node, key: str) -> Node | None:
        values = list(self.g.objects(node, SH[key]))
        if len(values) > 1:
            raise UnsupportedShape(self.name(node), f"more than one sh:{key}")
        return values[0] if values else None

    def integer(self, node: Node, key: str) -> int:
        value = self.one(node, key)
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and int(value) >= 0):
            raise UnsupportedShape(self.name(node), f"sh:{key} that is not a non-negative xsd:integer")
        return int(value)

    def shape(self, node: Node) -> Shape:
        if node in self.built:
            return self.built[node]
        if node in self.stack:
            raise UnsupportedShape(self.name(node), "a recursive shape")
        self.stack.append(node)
        try:
            shape = self._read(node)
        finally:
            self.stack.pop()
        self.built[node] = shape
        return shape

    def _read(self, node: Node) -> Shape:
        name = self.name(node)
        for p in set(self.g.predicates(node, None)):
            if isinstance(p, URIRef) and p.startswith(str(SH)):
                key = p[len(str(SH)):]
                if key not in SUPPORTED and key not in NOT_CONSTRAINTS:
                    raise UnsupportedShape(name, f"sh:{key}")
        if (node, RDF.type, RDFS.Class) in self.g:
            raise UnsupportedShape(name, "an implicit class target (a shape that is also an rdfs:Class)")
        severity = self.one(node, "severity")
        if severity is not None and severity not in SEVERITIES:
            raise UnsupportedShape(name, f"severity {severity}")
        message = self.one(node, "message")
        path = self.one(node, "path")
        deactivated = self.one(node, "deactivated")
        shape = Shape(
            id=name,
            path=self.path(name, path) if path is not None else None,
            severity=SEVERITIES[severity] if severity is not None else "Violation",
            message=str(message) if message is not None else None,
            deactivated=bool(isinstance(deactivated, Literal) and deactivated.value is True),
        )
        for kind in TARGETS:
            for target in self.g.objects(node, SH[kind]):
                if isinstance(target, BNode) or (kind != "targetNode" and not isinstance(target, URIRef)):
                    raise UnsupportedShape(name, f"a blank node or literal as sh:{kind}")
                shape.targets.append((kind, term_sparql(target)))
        self._constraints(node, shape)
        return shape

    def _constraints(self, node: Node, shape: Shape) -> None:
        name, add = shape.id, shape.constraints.append
        is_property = shape.path is not None
        for key in ("minCount", "maxCount", "uniqueLang"):
            if self.one(node, key) is not None and not is_property:
                raise UnsupportedShape(name, f"sh:{key} on a node shape")
        if self.one(node, "minCount") is not None:
            add(Constraint("minCount", self.integer(node, "minCount")))
        if self.one(node, "maxCount") is not None:
            add(Constraint("maxCount", self.integer(node, "maxCount")))
        for key in ("minLength", "maxLength"):
            for _ in self.g.objects(node, SH[key]):
                add(Constraint(key, self.integer(node, key)))
        datatype = self.one(node, "datatype")
        if datatype is not None:
            if not isinstance(datatype, URIRef) or datatype == RDFS.Datatype:
                raise UnsupportedShape(name, f"sh:datatype {datatype}")
            add(Constraint("datatype", str(datatype)))
        for cls in self.g.objects(node, SH["class"]):
            if not isinstance(cls, URIRef):
                raise UnsupportedShape(name, "a sh:class that is not an IRI")
            add(Constraint("class", str(cls)))
        for value in self.g.objects(node, SH.hasValue):
            if isinstance(value, BNode):
                raise UnsupportedShape(name, "a blank node as sh:hasValue")
            add(Constraint("hasValue", term_sparql(value)))
        for kind in self.g.objects(node, SH.nodeKind):
            if kind not in (SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral):
                raise UnsupportedShape(name, f"sh:nodeKind {kind}")
            add(Constraint("nodeKind", str(kind)[len(str(SH)):]))
        for members in self.g.objects(node, SH["in"]):
            items = list(Collection(self.g, members))
            if any(isinstance(i, BNode) for i in items):
                raise UnsupportedShape(name, "a blank node in sh:in")
            add(Constraint("in", tuple(term_sparql(i) for i in items)))
        uniq = self.one(node, "uniqueLang")
        if isinstance(uniq, Literal) and uniq.value is True:
            add(Constraint("uniqueLang", True))
        for key in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            bound = self.one(node, key)
            if bound is not None:
                if not (isinstance(bound, Literal) and bound.datatype in NUMERIC and bound.value is not None):
                    raise UnsupportedShape(name, f"sh:{key} with a bound that is not a number")
                add(Constraint(key, bound))
        for ref in self.g.objects(node, SH.node):
            nested = self.nested(name, ref)
            if nested.path is not None:
                raise UnsupportedShape(name, "sh:node pointing to a property shape")
            add(Constraint("node", nested))
        for key in ("or", "xone", "and"):
            for members in self.g.objects(node, SH[key]):
                add(Constraint(key, tuple(self.nested(name, m) for m in Collection(self.g, members))))
        for ref in self.g.objects(node, SH["not"]):
            add(Constraint("not", self.nested(name, ref)))
        for ref in self.g.objects(node, SH.property):
            prop = self.shape(ref)
            if prop.path is None:
                raise UnsupportedShape(name, "sh:property pointing to a shape without sh:path")
            shape.properties.append(prop)

    def nested(self, name: str, ref: Node) -> Shape:
        """A shape used by another one; its SPARQL constraints would be skipped there, so refuse them."""
        if (ref, SH.sparql, None) in self.g:
            raise UnsupportedShape(name, f"a shape with SPARQL constraints ({self.name(ref)}) used inside another shape")
        return self.shape(ref)

    def path(self, name: str, node: Node) -> Path:
        tree = self._tree(name, node)
        return Path(sparql=path_sparql(tree), iri=str(node) if isinstance(node, URIRef) else None, tree=tree)

    def _tree(self, name: str, node: Node) -> tuple[Any, ...]:
        if isinstance(node, URIRef):
            return ("pred", str(node))
        if (node, RDF.first, None) in self.g:
            return ("seq", tuple(self._tree(name, n) for n in Collection(self.g, node)))
        for key, tag in (("inversePath", "inv"), ("zeroOrMorePath", "star"), ("oneOrMorePath", "plus"),
                         ("zeroOrOnePath", "opt")):
            inner = self.g.value(node, SH[key])
            if inner is not None:
                return (tag, self._tree(name, inner))
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return ("alt", tuple(self._tree(name, n) for n in Collection(self.g, alternatives)))
        raise UnsupportedShape(name, f"the property path {node}")


def path_sparql(tree: tuple[Any, ...]) -> str:
    tag, arg = tree
    if tag == "pred":
        return f"<{arg}>"
    if tag == "inv":
        return f"^({path_sparql(arg)})"
    if tag in ("seq", "alt"):
        return "(" + ("/" if tag == "seq" else "|").join(path_sparql(t) for t in arg) + ")"
    return f"({path_sparql(arg)}){_REPEAT[tag]}"


_REPEAT = {"star": "*", "plus": "+", "opt": "?"}


def read_model(shapes: Graph) -> Model:
    """Read every shape with a target (and, through them, the shapes they use). Raises UnsupportedShape."""
    reader = _Reader(shapes)
    for node in shapes.subjects(RDF.type, SH.ConstraintComponent):
        raise UnsupportedShape(reader.name(node), "a custom constraint component")
    roots = {s for kind in TARGETS for s in shapes.subjects(SH[kind], None)}
    for node in shapes.subjects(SH.target, None):
        raise UnsupportedShape(reader.name(node), "sh:target (SHACL advanced targets)")
    top = [reader.shape(node) for node in sorted(roots, key=str)]
    for shape in top:
        _check_messages(shape, reported=True, seen=set())
    sparql = _sparql_constraints(shapes, reader)
    return Model(shapes=[s for s in top if not s.deactivated], sparql=sparql)


def _check_messages(shape: Shape, reported: bool, seen: set[tuple[int, bool]]) -> None:
    """A shape whose results reach the report needs exactly one sh:message: pyshacl's generic messages
    (and its choice among several) are not reproduced. Members of sh:or/xone/and/not report nothing."""
    if (id(shape), reported) in seen:
        return
    seen.add((id(shape), reported))
    own = [c for c in shape.constraints if c.kind != "property"]
    if reported and own and shape.message is None:
        raise UnsupportedShape(shape.id, "a constraint without sh:message (pyshacl's generic messages)")
    for c in shape.constraints:
        if c.kind == "node":
            _check_messages(c.value, reported, seen)
        elif c.kind in ("or", "xone", "and"):
            for member in c.value:
                _check_messages(member, False, seen)
        elif c.kind == "not":
            _check_messages(c.value, False, seen)
    for prop in shape.properties:
        _check_messages(prop, reported, seen)


def _sparql_constraints(shapes: Graph, reader: _Reader) -> list[SparqlConstraint]:
    out: list[SparqlConstraint] = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=lambda t: (str(t[0]), str(t[1]))):
        name = reader.name(shape)
        select = shapes.value(constraint, SH.select)
        message = shapes.value(constraint, SH.message)
        kinds = {k for k in TARGETS if (shape, SH[k], None) in shapes}
        if select is None or message is None or kinds != {"targetClass"} or shapes.value(shape, SH.path) is not None:
            raise UnsupportedShape(name, "a SPARQL constraint other than a SELECT with a message on a sh:targetClass node shape")
        if shapes.value(shape, SH.message) is not None:
            raise UnsupportedShape(name, "sh:message on a shape with SPARQL constraints (pyshacl reports both messages)")
        if any(v in str(select) for v in ("$PATH", "$currentShape", "$shapesGraph")):
            raise UnsupportedShape(name, "a SPARQL constraint using $PATH, $currentShape or $shapesGraph")
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for p in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(p, SH.declare)
        )
        severity = shapes.value(shape, SH.severity)
        deactivated = shapes.value(shape, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.value is True:
            continue
        for target in shapes.objects(shape, SH.targetClass):
            out.append(SparqlConstraint(name, str(target), prefixes + str(select), str(message),
                                        SEVERITIES.get(severity, "Violation") if severity is not None else "Violation"))
    return out
