"""The RDF form of a resource, and serialising it.

A resource's description holds:
- its own triples, and those of the hash IRIs of its document ('.../organisation/x#account-x');
- its quotes (pg:Evidence nodes), and the statements the profiles make about it with their quotes: the
  involvements of an initiative or partnership and its stated triples (issue tags, part-of links,
  subject, descriptions), so that who said what travels with the description;
- the incoming links (who points at it); for an organisation's involvements in initiatives and
  partnerships, the involvement nodes themselves (agent, role, profile, quotes) and the link from their
  initiative;
- the labels and types of everything it links to, so that a client can show the links without
  fetching each of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from policygraph.linked.iris import IriMap
from policygraph.linked.reader import LABELS, RDF_TYPE
from policygraph.oxrdf import from_ox
from policygraph.prefixes import PG, prologue

# What describes ?this (the resource; bound with substitutions, never pasted): every branch binds ?s ?p ?o,
# its last pattern, STATED(...), being the described triple itself.
_DESCRIBED = """{
  { STATED(?this ?p ?o) BIND(?this AS ?s) }
  UNION
  { # nodes of this document: evidence, involvements, accounts
    ?this ?link ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?this), "#")))
    STATED(?s ?p ?o) }
  UNION
  { # evidence nodes of this resource that live elsewhere
    ?this pg:evidence ?s . STATED(?s ?p ?o) }
  UNION
  { # the statements about it: involvements of an initiative or partnership ...
    ?this pg:involvement ?s . STATED(?s ?p ?o) }
  UNION
  { # ... and stated triples (issue tags, part-of links, subjects, descriptions) ...
    ?s rdf:subject ?this ; a pg:StatedTriple . STATED(?s ?p ?o) }
  UNION
  { # ... with the quotes of each (each branch starts from ?this: Oxigraph evaluates a group in order)
    ?this pg:involvement ?statement . ?statement pg:evidence ?s . STATED(?s ?p ?o) }
  UNION
  { ?statement rdf:subject ?this . ?statement a pg:StatedTriple ; pg:evidence ?s . STATED(?s ?p ?o) }
  UNION
  { STATED(?s ?p ?this) BIND(?this AS ?o) }
  UNION
  { # an organisation's part in initiatives and partnerships: the involvement nodes and their quotes ...
    ?s pg:agent ?this . STATED(?s ?p ?o) }
  UNION
  { ?inv pg:agent ?this . ?inv pg:evidence ?s . STATED(?s ?p ?o) }
  UNION
  { # ... and the link from their initiative or partnership to them
    ?inv pg:agent ?this . STATED(?s pg:involvement ?inv) BIND(pg:involvement AS ?p) BIND(?inv AS ?o) }
}"""
_STATED = re.compile(r"STATED\(([^)]*)\)")
# The triples, found in the default graph (the merge of the named graphs) ...
DESCRIBE = prologue("pg", "rdf") + "CONSTRUCT { ?s ?p ?o } WHERE " + _STATED.sub(r"\1 .", _DESCRIBED)
# ... and the same ones as quads, each in every named graph that states it (who said what): the paths to
# them are walked in the merge, the described triple itself is looked up graph by graph.
DESCRIBE_QUADS = (prologue("pg", "rdf") + "SELECT DISTINCT ?s ?p ?o ?g ?this WHERE "
                  + _STATED.sub(r"GRAPH ?g { \1 }", _DESCRIBED))


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The description of `iri` (empty when the store knows nothing about it)."""
    result = store.query(DESCRIBE, substitutions={ox.Variable("this"): ox.NamedNode(iri)})
    core: dict[ox.Triple, None] = dict.fromkeys(result)  # type: ignore[arg-type]
    if not core:
        return []
    labels = (ox.Triple(q.subject, q.predicate, q.object) for q in neighbour_labels(store, core, iri))
    return list(dict.fromkeys([*core, *labels]))


def describe_quads(store: ox.Store, iri: str) -> list[ox.Quad]:
    """The description of `iri` as quads: each triple in every named graph that states it, so that the
    quad syntaxes keep who said what (empty when the store knows nothing about it)."""
    rows = store.query(DESCRIBE_QUADS, substitutions={ox.Variable("this"): ox.NamedNode(iri)})
    core: dict[ox.Quad, None] = dict.fromkeys(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[union-attr]
    if not core:
        return []
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in core}
    labels = (q for q in neighbour_labels(store, triples, iri) if isinstance(q.graph_name, ox.NamedNode))
    return list(dict.fromkeys([*core, *labels]))


def neighbour_labels(store: ox.Store, triples: Iterable[ox.Triple], iri: str) -> list[ox.Quad]:
    """Labels and types of the resources the description mentions (other than itself), as the quads that
    state them (the local store's default graph included)."""
    mentioned: set[ox.NamedNode] = set()
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode) and term.value != iri:
                mentioned.add(term)
    mentioned -= {RDF_TYPE}
    out: dict[ox.Quad, None] = {}
    naming = [ox.NamedNode(p) for p in LABELS[:2]] + [RDF_TYPE]
    for node in mentioned:
        for prop in naming:
            for q in store.quads_for_pattern(node, prop, None, None):
                out.setdefault(q, None)
    return list(out)


def jsonld_context(map_: IriMap) -> dict[str, object]:
    """The published JSON-LD context: the project's prefixes (and nothing that could change meaning)."""
    return {"@context": {name: ns for name, ns in sorted(map_.prefixes().items())}}


def to_rdflib(triples: Iterable[ox.Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return g


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat, map_: IriMap) -> bytes:
    """One graph in one RDF syntax. JSON-LD is compacted with the published context (rdflib does
    the compaction; Oxigraph writes expanded JSON-LD only)."""
    if fmt == ox.RdfFormat.JSON_LD:
        graph = to_rdflib(triples)
        context = jsonld_context(map_)["@context"]
        text = graph.serialize(format="json-ld", context=context, auto_compact=True)
        return text.encode("utf-8")
    kwargs = {"prefixes": _used_prefixes(triples, map_)} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt, **kwargs) or b""


def _used_prefixes(triples: list[ox.Triple], map_: IriMap) -> dict[str, str]:
    """Only the prefixes a document uses, so small documents stay small."""
    terms = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    types = {tr.object.value for tr in triples if tr.predicate == RDF_TYPE and isinstance(tr.object, ox.NamedNode)}
    used = {}
    for name, ns in map_.prefixes().items():
        if any(t.startswith(ns) for t in terms | types):
            used[name] = ns
    return used


def serialize_quads(quads: list[ox.Quad], fmt: ox.RdfFormat, map_: IriMap) -> bytes:
    """Quads in a dataset syntax (N-Quads, TriG), each in its graph; TriG with the prefixes it uses."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    kwargs = {"prefixes": _used_prefixes(triples, map_)} if fmt == ox.RdfFormat.TRIG else {}
    return ox.serialize(quads, format=fmt, **kwargs) or b""


def context_bytes(map_: IriMap) -> bytes:
    return json.dumps(jsonld_context(map_), indent=2).encode("utf-8")


__all__ = ["DESCRIBE", "DESCRIBE_QUADS", "PG", "context_bytes", "describe", "describe_quads", "jsonld_context", "serialize",
           "serialize_quads"]
