"""The vocabulary pages: the ontology documented term by term, and the issue scheme as a tree with counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.linked.counts import DatasetCounts
from policygraph.linked.reader import RDF_TYPE, Reader, Ref
from policygraph.prefixes import DCTERMS, PG, RDFS, SKOS

OWL = "http://www.w3.org/2002/07/owl#"
ONTOLOGY = "https://w3id.org/policygraph/ontology"
TERM_KINDS = (
    ("class", OWL + "Class", "Classes"),
    ("object-property", OWL + "ObjectProperty", "Object properties"),
    ("datatype-property", OWL + "DatatypeProperty", "Datatype properties"),
    ("section-type", PG + "SectionType", "Section types"),
)


@dataclass
class Term:
    iri: str
    name: str  # the local name, also the page anchor: /ontology#Organisation
    label: str
    comment: str
    kind: str
    types: list[Ref] = field(default_factory=list)  # other types (owl:SymmetricProperty ...)
    parents: list[Ref] = field(default_factory=list)  # subClassOf / subPropertyOf inside the ontology
    alignments: list[Ref] = field(default_factory=list)  # ... to ORG, schema.org, PROV, FOAF, SKOS, DCTERMS
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    subterms: list[Ref] = field(default_factory=list)
    usage: int = 0  # instances of a class, triples of a property, sections of a section type


@dataclass
class OntologyPage:
    iri: str
    title: str
    comment: str
    version: str | None
    version_iri: str | None
    license: Ref | None
    prefix: str | None
    groups: list[tuple[str, str, list[Term]]]  # (anchor, heading, terms)


def ontology_page(reader: Reader, counts: DatasetCounts) -> OntologyPage:
    groups = []
    seen: set[str] = set()
    for kind, cls, heading in TERM_KINDS:
        terms = []
        for iri in sorted(reader.subjects(RDF_TYPE.value, cls)):
            if iri.startswith(PG) and iri not in seen:
                seen.add(iri)
                terms.append(_term(reader, iri, kind, counts))
        groups.append((kind, heading, sorted(terms, key=lambda t: t.name.casefold())))
    license_iri = reader.value(ONTOLOGY, DCTERMS + "license")
    return OntologyPage(
        iri=ONTOLOGY,
        title=reader.label(ONTOLOGY),
        comment=reader.value(ONTOLOGY, RDFS + "comment") or "",
        version=reader.value(ONTOLOGY, OWL + "versionInfo"),
        version_iri=reader.value(ONTOLOGY, OWL + "versionIRI"),
        license=reader.ref(license_iri) if license_iri else None,
        prefix=reader.value(ONTOLOGY, "http://purl.org/vocab/vann/preferredNamespacePrefix"),
        groups=groups,
    )


def _term(reader: Reader, iri: str, kind: str, counts: DatasetCounts) -> Term:
    up = RDFS + ("subClassOf" if kind == "class" else "subPropertyOf")
    parents = reader.iris(iri, up)
    if kind == "class":
        usage = counts.classes.get(iri, 0)
    elif kind == "section-type":
        usage = len(reader.subjects(PG + "sectionType", iri))
    else:
        usage = counts.property_triples.get(iri, 0)
    skip = {OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", PG + "SectionType"}
    return Term(
        iri=iri,
        name=iri[len(PG):],
        label=reader.label(iri),
        comment=reader.value(iri, RDFS + "comment") or "",
        kind=kind,
        types=reader.refs(t for t in reader.types(iri) if t not in skip),
        parents=reader.refs(p for p in parents if p.startswith(PG)),
        alignments=[_named(reader, p) for p in sorted(parents) if not p.startswith(PG)],
        domain=[_named(reader, d) for d in sorted(reader.iris(iri, RDFS + "domain"))],
        range=[_named(reader, r) for r in sorted(reader.iris(iri, RDFS + "range"))],
        inverse=reader.refs(reader.iris(iri, OWL + "inverseOf")),
        subterms=reader.refs(reader.subjects(up, iri)),
        usage=usage,
    )


def _named(reader: Reader, iri: str) -> Ref:
    """External terms are shown by their prefixed name (schema:Organization), ours by their label."""
    ref = reader.ref(iri)
    return ref if iri.startswith(PG) else Ref(iri, reader.compact(iri), ref.href)


def vocabulary_triples(store: ox.Store, graph: str) -> list[ox.Triple]:
    """The triples of one vocabulary's named graph, as the build loaded it."""
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


# ---------------------------------------------------------------------- the issue scheme


@dataclass
class IssueNode:
    issue: Ref
    definition: str
    organisations: int
    initiatives: int
    children: list[IssueNode] = field(default_factory=list)


@dataclass
class IssueTree:
    scheme: Ref
    description: str
    baskets: list[IssueNode]
    issue_count: int


def issue_tree(reader: Reader) -> IssueTree:
    scheme = reader.map.resource("scheme", "issues")
    tops = reader.iris(scheme, SKOS + "hasTopConcept") or reader.subjects(SKOS + "topConceptOf", scheme)
    baskets = [_node(reader, top, set()) for top in tops]
    total = len(reader.subjects(SKOS + "inScheme", scheme))
    return IssueTree(reader.ref(scheme), reader.value(scheme, DCTERMS + "description") or "",
                     sorted(baskets, key=lambda b: b.issue.label), total)


def _node(reader: Reader, issue: str, ancestors: set[str]) -> IssueNode:
    children = [] if issue in ancestors else [
        _node(reader, c, ancestors | {issue}) for c in reader.subjects(SKOS + "broader", issue)
    ]
    orgs, initiatives = _reach(reader, issue, ancestors)
    return IssueNode(reader.ref(issue), reader.value(issue, SKOS + "definition") or "", len(orgs), len(initiatives),
                     sorted(children, key=lambda c: c.issue.label))


def _reach(reader: Reader, issue: str, ancestors: set[str]) -> tuple[set[str], set[str]]:
    """Organisations and initiatives that work on the issue or on an issue under it (distinct)."""
    orgs = set(reader.subjects(PG + "worksOn", issue))
    initiatives = {s for s in reader.subjects(DCTERMS + "subject", issue) if reader.has_type(s, PG + "Initiative")}
    if issue not in ancestors:
        for child in reader.subjects(SKOS + "broader", issue):
            o, i = _reach(reader, child, ancestors | {issue})
            orgs |= o
            initiatives |= i
    return orgs, initiatives
