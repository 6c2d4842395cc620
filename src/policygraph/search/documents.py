"""The documents the search index holds, read from the store with SPARQL (so the same code reads the
embedded store and a remote engine).

One document per organisation, initiative, publication (an initiative of kind publication, or a
schema:CreativeWork), partnership and profile section. A thing's document has its names (preferred and
other labels, acronyms), its descriptions, and the verbatim quotes of every statement about it; a section's
has its heading and text. Each records where it comes from (the profiles that state it, the section of its
first quote) and what it involves (organisations, issues), for the facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.explore.sparql import Sparql
from policygraph.prefixes import PG, SCHEMA

KINDS = ("organisation", "initiative", "publication", "partnership", "section")
PUBLICATION_KIND = "initiative-kind/publication"

THINGS = """
SELECT ?s ?type ?kind WHERE {
  VALUES ?type { pg:Organisation pg:Initiative pg:Partnership schema:CreativeWork }
  ?s a ?type . OPTIONAL { ?s pg:kind ?kind }
}"""
NAMES = """
SELECT ?s ?p ?name WHERE {
  VALUES ?type { pg:Organisation pg:Initiative pg:Partnership }
  VALUES ?p { skos:prefLabel rdfs:label skos:altLabel pg:acronym }
  ?s a ?type ; ?p ?name .
}"""
DESCRIPTIONS = """
SELECT ?s ?d WHERE {
  VALUES ?type { pg:Organisation pg:Initiative pg:Partnership }
  ?s a ?type ; dcterms:description ?d .
}"""
QUOTES = """
SELECT DISTINCT ?s ?quote ?section WHERE {
  VALUES ?type { pg:Organisation pg:Initiative pg:Partnership }
  ?s a ?type .
  { ?s pg:evidence ?e } UNION { ?s pg:involvement/pg:evidence ?e } UNION { ?st rdf:subject ?s ; pg:evidence ?e }
  ?e oa:exact ?quote . OPTIONAL { ?e prov:wasDerivedFrom ?section }
}"""
AGENTS = """
SELECT DISTINCT ?s ?org WHERE {
  { ?s pg:involvement/pg:agent ?org } UNION { ?s pg:partner ?org }
  ?org a pg:Organisation .
}"""
ISSUES = """
SELECT DISTINCT ?s ?issue WHERE {
  { ?s dcterms:subject ?issue } UNION { ?s pg:worksOn ?issue }
  ?issue a pg:PolicyIssue .
}"""
STATED_IN = """
SELECT DISTINCT ?s ?g WHERE {
  VALUES ?type { pg:Organisation pg:Initiative pg:Partnership }
  GRAPH ?g { ?s a ?type }
}"""
SECTIONS = """
SELECT ?s ?heading ?text ?profile ?org ?issue ?order WHERE {
  ?s a pg:Section ; pg:heading ?heading .
  ?profile pg:section ?s ; pg:profileOf ?org .
  OPTIONAL { ?s pg:text ?text } OPTIONAL { ?s pg:issue ?issue } OPTIONAL { ?s pg:order ?order }
}"""
PROFILES = "SELECT ?org ?profile WHERE { ?org pg:profile ?profile }"
ISSUE_LABELS = "SELECT ?issue ?label WHERE { ?issue a pg:PolicyIssue ; skos:prefLabel ?label }"


@dataclass
class Document:
    """One searchable thing: what is matched (names, description, text) and what is shown or faceted."""

    iri: str
    kind: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # quotes, or a section's text
    profiles: set[str] = field(default_factory=set)  # profile IRIs
    section: str = ""  # the section of its first quote, or the section itself
    organisations: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)


def _rows(sparql: Sparql, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT in a fixed order, so that every store (and every engine) gives the same documents:
    the same label when there are several, the same first quote, the same texts in the same order."""
    return sorted(sparql.select(query), key=lambda row: sorted(row.items()))


def _add(values: list[str], value: str) -> None:
    if value and value not in values:
        values.append(value)


def read_documents(sparql: Sparql, base_iri: str) -> list[Document]:
    """Every document of the store, in a stable order (kind, then IRI)."""
    id_base = base_iri + "id/"
    docs: dict[str, Document] = {}
    for row in _rows(sparql, THINGS):
        iri, kind = row["s"], row.get("kind", "")
        if not iri.startswith(id_base):
            continue
        is_publication = kind == id_base + PUBLICATION_KIND or row["type"] == SCHEMA + "CreativeWork"
        found = docs.get(iri)
        if found is None:
            name = {PG + "Organisation": "organisation", PG + "Partnership": "partnership"}.get(row["type"], "initiative")
            found = docs[iri] = Document(iri, name)
        if is_publication:
            found.kind = "publication"
    for row in _rows(sparql, NAMES):
        if (doc := docs.get(row["s"])) is not None:
            _add(doc.names, row["name"])
            if row["p"].endswith(("#prefLabel", "#label")) and not doc.label:
                doc.label = row["name"]
    for row in _rows(sparql, DESCRIPTIONS):
        if (doc := docs.get(row["s"])) is not None:
            _add(doc.descriptions, row["d"])
    for row in _rows(sparql, QUOTES):
        if (doc := docs.get(row["s"])) is not None:
            _add(doc.texts, row["quote"])
            if not doc.section and row.get("section", "").startswith(id_base + "section/"):
                doc.section = row["section"]
    for row in _rows(sparql, AGENTS):
        if (doc := docs.get(row["s"])) is not None:
            doc.organisations.add(row["org"])
    for row in _rows(sparql, ISSUES):
        if (doc := docs.get(row["s"])) is not None:
            doc.issues.add(row["issue"])
    profile_of = {row["org"]: row["profile"] for row in _rows(sparql, PROFILES)}
    graph_base = base_iri + "graph/curated/"
    for row in _rows(sparql, STATED_IN):
        if (doc := docs.get(row["s"])) is not None and row["g"].startswith(graph_base):
            doc.profiles.add(id_base + "profile/" + row["g"][len(graph_base):])
    for iri, doc in docs.items():
        if doc.kind == "organisation":
            doc.organisations.add(iri)
            if iri in profile_of:
                doc.profiles.add(profile_of[iri])
        if not doc.label:
            doc.label = doc.names[0] if doc.names else iri.rsplit("/", 1)[-1]
    for row in _rows(sparql, SECTIONS):
        iri = row["s"]
        doc = docs.get(iri)
        if doc is None:
            doc = docs[iri] = Document(iri, "section", label=row["heading"], names=[row["heading"]], section=iri)
            if row.get("text"):
                doc.texts.append(row["text"])
        doc.profiles.add(row["profile"])
        doc.organisations.add(row["org"])
        if row.get("issue"):
            doc.issues.add(row["issue"])
    return sorted(docs.values(), key=lambda d: (KINDS.index(d.kind), d.iri))


def read_labels(sparql: Sparql) -> dict[str, str]:
    """The names of what facets offer that are not documents themselves: the policy issues."""
    return {row["issue"]: row["label"] for row in _rows(sparql, ISSUE_LABELS)}
