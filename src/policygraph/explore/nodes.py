"""One node: its details for the side panel (issues, evidence, description, link), its bounded
neighbourhood, and search by name or acronym with ranked suggestions."""

from __future__ import annotations

from typing import Any

from policygraph.errors import InputError, NotFound
from policygraph.explore.filters import View
from policygraph.explore.model import Network, Node, key_of
from policygraph.explore.sparql import Sparql, iri, literal
from policygraph.limits import MAX_SEARCH

MAX_DEPTH = 3
MAX_NEIGHBOURHOOD = 300
MAX_SUGGESTIONS = 25
MAX_QUERY = MAX_SEARCH  # characters of search text

EVIDENCE = """
SELECT ?node ?quote ?section ?heading ?line ?profile WHERE {
  ?node pg:evidence ?evidence . ?evidence oa:exact ?quote .
  OPTIONAL { ?evidence prov:wasDerivedFrom ?section .
             OPTIONAL { ?section pg:heading ?heading } OPTIONAL { ?section pg:startLine ?line }
             OPTIONAL { ?section dcterms:isPartOf ?profile } }
} ORDER BY ?profile ?line ?quote"""

DESCRIPTION = """
SELECT ?node ?description WHERE { ?node dcterms:description ?description } ORDER BY ?description"""

SEARCH = """
SELECT DISTINCT ?node ?text ?q WHERE {
  VALUES ?class { pg:Organisation pg:Initiative pg:Partnership }
  ?node a ?class .
  { ?node skos:prefLabel ?text } UNION { ?node skos:altLabel ?text } UNION { ?node rdfs:label ?text }
  FILTER (CONTAINS(LCASE(STR(?text)), ?q))
}"""

TYPE_ORDER = {"organisation": 0, "initiative": 1, "partnership": 2}


def find_node(net: Network, value: str | None) -> Node:
    """A node of the network by IRI (or by its local page path, /id/...)."""
    if not value or not value.strip():
        raise InputError("give the node's IRI, e.g. iri=" + net.base + "id/organisation/wmo")
    value = value.strip()
    if value.startswith("/id/"):
        value = net.base + value[1:]
    iri(value, "node")  # a 400 for what is not an IRI at all, a 404 below for an unknown one
    node = net.nodes.get(value)
    if node is None:
        raise NotFound(f"{value} is not an organisation, initiative or partnership of the explorer")
    return node


def evidence(net: Network, sparql: Sparql, node_iri: str, limit: int = 20) -> list[dict[str, Any]]:
    out = []
    for row in sparql.select(EVIDENCE, {"node": iri(node_iri)})[:limit]:
        section = row.get("section")
        profile = row.get("profile")
        out.append({
            "quote": row["quote"],
            "section": section,
            "heading": row.get("heading"),
            "line": int(row["line"]) if row.get("line") else None,
            "page": net.page(section) if section else None,
            "profile": profile,
            "profileLabel": net.label(profile) if profile else None,
        })
    return out


def details(net: Network, sparql: Sparql, node: Node) -> dict[str, Any]:
    """Everything the side panel shows about one node."""
    out = net.node_json(node)
    out["names"] = node.names
    out["issues"] = [net.concept_json(i) for i in sorted(node.issues, key=net.label)]
    out["baskets"] = [net.concept_json(b) for b in sorted({b for i in node.issues for b in net.baskets_of(i)})]
    rows = sparql.select(DESCRIPTION, {"node": iri(node.iri)})
    out["description"] = rows[0]["description"] if rows else None
    out["evidence"] = evidence(net, sparql, node.iri)
    links = []
    for edge in net.neighbours().get(node.iri, []):
        other = edge.target if edge.source == node.iri else edge.source
        links.append({
            "iri": other,
            "label": net.label(other),
            "type": net.nodes[other].type,
            "relation": edge.relation,
            "roles": [net.label(r) for r in edge.roles],
            "profiles": sorted({net.label(s.profile) for s in edge.statements if s.profile}),
            "outgoing": edge.source == node.iri,
        })
    out["links"] = sorted(links, key=lambda link: (TYPE_ORDER[link["type"]], link["label"].lower()))
    out["degree"] = len(links)
    return out


def neighbourhood(net: Network, node: Node, depth: int = 1, limit: int = 100) -> tuple[View, bool]:
    """Nodes within `depth` links of `node`, at most `limit` of them (nearest first; the best-connected
    first within one ring). Returns the view and whether it was cut short."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InputError(f"depth must be between 1 and {MAX_DEPTH}, not {depth}")
    if not 1 <= limit <= MAX_NEIGHBOURHOOD:
        raise InputError(f"limit must be between 1 and {MAX_NEIGHBOURHOOD}, not {limit}")
    adjacency = net.neighbours()
    total = {iri_: len(edges) for iri_, edges in adjacency.items()}
    kept, ring, truncated = [node.iri], [node.iri], False
    seen = {node.iri}
    for _ in range(depth):
        found: set[str] = set()
        for current in ring:
            for edge in adjacency.get(current, []):
                other = edge.target if edge.source == current else edge.source
                if other not in seen:
                    found.add(other)
        ordered = sorted(found, key=lambda i: (-total.get(i, 0), net.nodes[i].label.lower(), i))
        room = limit - len(kept)
        if len(ordered) > room:
            ordered, truncated = ordered[:room], True
        kept += ordered
        seen.update(ordered)
        ring = ordered
        if truncated or not ring:
            break
    keep = set(kept)
    edges = [e for e in net.edges if e.source in keep and e.target in keep]
    degree = {i: 0 for i in kept}
    for edge in edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    return View([net.nodes[i] for i in kept], edges, degree), truncated


def search(net: Network, sparql: Sparql, q: str | None, limit: int = 10) -> list[dict[str, Any]]:
    """Organisations, initiatives and partnerships whose name, acronym or label contains `q`, best first:
    exact matches, then prefixes, then word starts, then anywhere; organisations before initiatives."""
    q = (q or "").strip()
    if not q:
        raise InputError("give some text to search for: q=...")
    if len(q) > MAX_QUERY:
        raise InputError(f"the search text is longer than {MAX_QUERY} characters")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InputError(f"limit must be between 1 and {MAX_SUGGESTIONS}, not {limit}")
    needle = q.lower()
    best: dict[str, tuple[tuple[int, int, int, str], str]] = {}
    for row in sparql.select(SEARCH, {"q": literal(needle)}):
        node = net.nodes.get(row["node"])
        if node is None:
            continue
        text = row["text"].lower()
        words = [w for w in text.replace("-", " ").split() if w]
        rank = 0 if text == needle else 1 if text.startswith(needle) else 2 if any(w.startswith(needle) for w in words) else 3
        score = (rank, TYPE_ORDER[node.type], len(node.label), node.label.lower())
        if node.iri not in best or score < best[node.iri][0]:
            best[node.iri] = (score, row["text"])
    ranked = sorted(best.items(), key=lambda item: item[1][0])[:limit]
    return [
        {
            "iri": node_iri,
            "label": net.nodes[node_iri].label,
            "short": net.nodes[node_iri].short,
            "type": net.nodes[node_iri].type,
            "matched": matched,
            "kind": key_of(net.nodes[node_iri].kind or net.nodes[node_iri].org_type or "") or None,
            "page": net.page(node_iri),
        }
        for node_iri, (_score, matched) in ranked
    ]
