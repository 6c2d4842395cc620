"""Lists of resources: the index page of each kind (and its RDF form), searching them, and suggestions for
unknown IRIs."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from policygraph.linked.iris import ALL_KINDS
from policygraph.linked.reader import LABELS, RDF_TYPE, Reader, Ref
from policygraph.linked.void import dataset_iri
from policygraph.prefixes import DCTERMS, PG, RDFS, SKOS, VOID, XSD

# What the index shows next to each resource of a kind.
NOTE_PROPERTY = {
    "organisation": PG + "organisationType",
    "initiative": PG + "kind",
    "partnership": PG + "kind",
    "issue": SKOS + "broader",
    "section": PG + "sectionType",
    "profile": PG + "profileOf",
    "statement": PG + "statedIn",
}

KIND_TITLES = {
    "organisation": "Organisations", "initiative": "Initiatives and publications", "issue": "Policy issues",
    "partnership": "Partnerships", "profile": "Profiles", "section": "Sections of the profiles",
    "initiative-kind": "Initiative kinds", "partnership-kind": "Partnership kinds",
    "organisation-type": "Organisation types", "role": "Roles", "scheme": "Concept schemes",
    "statement": "Statements of the profiles (and derivations)", "quote": "Quotes from the profiles",
}


@dataclass
class IndexPage:
    kind: str
    title: str
    items: list[Ref]
    total: int
    query: str = ""


def resources_by_kind(reader: Reader) -> dict[str, list[str]]:
    """Every resource (document IRI) under id/, by kind. Every resource has a type, so the type index
    lists them all without scanning the whole store. Cached for the life of the reader (one request)."""
    if "by_kind" not in reader.cache:
        found: dict[str, set[str]] = {}
        for q in reader.store.quads_for_pattern(None, RDF_TYPE, None, None):
            iri = q.subject.value
            if isinstance(q.subject, ox.NamedNode) and "#" not in iri:
                kind = reader.map.kind_of(iri)
                if kind is not None:
                    found.setdefault(kind, set()).add(iri)
        reader.cache["by_kind"] = {k: sorted(v) for k, v in found.items()}
    return reader.cache["by_kind"]  # type: ignore[return-value]


def resources_of(reader: Reader, kind: str) -> list[str]:
    return resources_by_kind(reader).get(kind, [])


def _note(reader: Reader, iri: str, kind: str) -> str:
    prop = NOTE_PROPERTY.get(kind)
    found = sorted(reader.iris(iri, prop)) if prop else []
    return reader.label(found[0]) if found else ""


def _matches(reader: Reader, iri: str, words: list[str]) -> bool:
    names = " ".join([reader.label(iri), iri.rsplit("/", 1)[-1], *reader.values(iri, SKOS + "altLabel")]).casefold()
    return all(w in names for w in words)


def index_page(reader: Reader, kind: str, query: str = "") -> IndexPage:
    iris = resources_of(reader, kind)
    words = query.casefold().split()
    chosen = [i for i in iris if _matches(reader, i, words)] if words else iris
    items = sorted((reader.ref(i, _note(reader, i, kind)) for i in chosen), key=lambda r: (r.label.casefold(), r.iri))
    return IndexPage(kind, KIND_TITLES.get(kind, kind), items, len(iris), query)


def index_quads(reader: Reader, index: IndexPage) -> list[ox.Quad]:
    """The RDF form of a list of a kind: the list `<base>id/<kind>/` is the VoID subset of the dataset
    whose IRIs start with it (void:uriSpace, void:entities: every resource of the kind), with an
    rdfs:member link to each resource the page lists (all of them, or those matching the search), and
    each member's types and labels as the data states them. The list's own triples are in the default
    graph; the members' types and labels keep the named graphs that state them, for the quad syntaxes."""
    here = ox.NamedNode(reader.map.id_base + index.kind + "/")
    default = ox.DefaultGraph()
    own = [
        (here, ox.NamedNode(RDF_TYPE.value), ox.NamedNode(VOID + "Dataset")),
        (ox.NamedNode(dataset_iri(reader.map)), ox.NamedNode(VOID + "subset"), here),
        (here, ox.NamedNode(DCTERMS + "title"), ox.Literal(index.title, language="en")),
        (here, ox.NamedNode(VOID + "uriSpace"), ox.Literal(here.value)),
        (here, ox.NamedNode(VOID + "entities"), ox.Literal(str(index.total), datatype=ox.NamedNode(XSD + "integer"))),
    ]
    members = sorted({r.iri for r in index.items})
    own += [(here, ox.NamedNode(RDFS + "member"), ox.NamedNode(m)) for m in members]
    quads = [ox.Quad(s, p, o, default) for s, p, o in own]
    wanted = set(members)
    stated: set[ox.Quad] = set()
    for prop in (RDF_TYPE.value, *LABELS):
        for q in reader.store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            if q.subject.value in wanted and isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode):
                stated.add(q)
    return quads + sorted(stated, key=str)


def kind_counts(reader: Reader) -> list[tuple[str, str, int]]:
    """(kind, title, number of resources) for every kind that has resources."""
    return titled_counts({kind: len(iris) for kind, iris in resources_by_kind(reader).items()})


def titled_counts(sizes: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, title, count) in the order pages list kinds, for the kinds with a count."""
    return [(kind, KIND_TITLES.get(kind, kind), sizes[kind]) for kind in ALL_KINDS if sizes.get(kind)]


def suggestions(reader: Reader, iris: list[str]) -> list[Ref]:
    """Links to the resources a did-you-mean look-up found (linked/suggest.py), each with its note."""
    return [reader.ref(c, _note(reader, c, reader.map.kind_of(c) or "")) for c in iris]
