"""How two organisations connect: the shortest paths through partnerships, shared initiatives and
shared issues, each step explained by the triples that state it and the quotes of the very statements
it uses (with their profile and section).

Fewer steps come first. Among paths of as many steps, what is most telling comes first: a partnership
or a partnership's subject costs 1, an involvement in an initiative 2, working on the same issue 5. Only
statements of joint work make a step (an organisation that supports, adopts or uses an initiative is not
linked through it), and a step is drawn only where its statements carry quotes.
"""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx

from policygraph.errors import InputError
from policygraph.explore.model import ISSUE, ORGANISATION, Edge, Network
from policygraph.explore.nodes import evidence, find_node
from policygraph.explore.sparql import Sparql, iri
from policygraph.prefixes import DCTERMS, PG

SCHEMA_ABOUT = "https://schema.org/about"
DCTERMS_SUBJECT = DCTERMS + "subject"
VIA = ("partnerships", "initiatives", "issues")
WEIGHTS = {"partner": 1.0, "about": 1.0, "involved": 2.0, "worksOn": 5.0}
HOP = 100.0  # added to every step, so that a path of fewer steps always costs less (8 steps of 5 < 100)
MAX_PATHS = 10
MAX_HOPS = 8
MAX_CANDIDATES = 200  # simple paths examined at most, so that a bad pair cannot run for long

# Why an organisation works on an issue: what its derivation comes from — a heading of its profile, or a
# profile's statements of its joint-work role in an initiative and of that initiative's issue tag.
WORKS_ON = """
SELECT ?section ?heading ?line ?profile ?involvement ?initiative ?tag ?org ?issue WHERE {
  ?d rdf:subject ?org ; rdf:predicate pg:worksOn ; rdf:object ?issue .
  { ?d prov:wasDerivedFrom ?section . ?section a pg:Section ; pg:heading ?heading ; dcterms:isPartOf ?profile .
    OPTIONAL { ?section pg:startLine ?line } }
  UNION
  { ?d prov:wasDerivedFrom ?involvement . ?involvement a pg:Involvement ; pg:statedIn ?profile .
    ?initiative pg:involvement ?involvement .
    ?d prov:wasDerivedFrom ?tag . ?tag a pg:StatedTriple ; rdf:subject ?initiative ; pg:statedIn ?profile }
} ORDER BY ?line ?initiative LIMIT 5"""


def parse_via(value: str | None) -> tuple[str, ...]:
    if not value or not value.strip():
        return VIA
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in VIA]
    if unknown or not chosen:
        raise InputError(f"via={value!r}: choose among {', '.join(VIA)} (comma-separated)")
    return chosen


def path_graph(net: Network, via: tuple[str, ...]) -> nx.Graph:
    """The graph paths run on: joint-work edges only, each weighted by HOP plus its relation's weight."""
    graph = nx.Graph()
    allowed = {"partner": "partnerships" in via, "involved": "initiatives" in via,
               "about": "partnerships" in via and "initiatives" in via}
    for edge in net.edges:
        if allowed[edge.relation] and edge.joint_statements():
            graph.add_edge(edge.source, edge.target, weight=HOP + WEIGHTS[edge.relation], edge=edge)
    if "issues" in via:
        for node in net.nodes.values():
            if node.type == ORGANISATION:
                for issue in node.issues:
                    graph.add_edge(node.iri, issue, weight=HOP + WEIGHTS["worksOn"], edge=Edge(node.iri, issue, "worksOn"))
    return graph


def _triple(s: str, p: str, o: str) -> dict[str, str]:
    return {"s": s, "p": p, "o": o}


def _involvement_triples(fact: str, edge: Edge, agent: str) -> list[dict[str, str]]:
    out = []
    for statement in edge.joint_statements():
        out += [_triple(fact, PG + "involvement", statement.iri), _triple(statement.iri, PG + "agent", agent)]
        if statement.role:
            out.append(_triple(statement.iri, PG + "role", statement.role))
        if statement.profile:
            out.append(_triple(statement.iri, PG + "statedIn", statement.profile))
    return out


def _statement_quotes(net: Network, sparql: Sparql, edge: Edge, limit: int = 3) -> list[dict[str, Any]]:
    """The quotes of the joint-work statements behind an edge (each names its profile and section)."""
    out: list[dict[str, Any]] = []
    for statement in edge.joint_statements():
        out += [q | {"statement": statement.iri} for q in evidence(net, sparql, statement.iri)]
    return out[:limit]


def _sentence(net: Network, edge: Edge, forward: bool) -> str:
    def name(node_iri: str) -> str:  # organisations by acronym, the rest by label
        node = net.nodes.get(node_iri)
        return node.short if node is not None and node.type == ORGANISATION else net.label(node_iri)

    s, t = name(edge.source), name(edge.target)
    roles = ", ".join(net.label(r).lower() for r in edge.roles)
    role = f" (role: {roles})" if roles else ""
    text = {
        "partner": (f"{s} is a partner in {t}{role}", f"{t} has {s} as a partner{role}"),
        "involved": (f"{s} is involved in {t}{role}", f"{t} involves {s}{role}"),
        "about": (f"{s} is about {t}", f"{t} is the subject of {s}"),
        "worksOn": (f"{s} works on {t}", f"{t} is worked on by {s}"),
    }[edge.relation]
    return text[0] if forward else text[1]


def explain(net: Network, sparql: Sparql, edge: Edge, forward: bool) -> dict[str, Any]:
    """One step: a sentence, the triples of the store that state it, and the evidence behind it."""
    step: dict[str, Any] = {
        "from": edge.source if forward else edge.target,
        "to": edge.target if forward else edge.source,
        "relation": edge.relation,
        "roles": [net.label(r) for r in edge.roles],
        "text": _sentence(net, edge, forward),
    }
    if edge.relation == "partner":
        triples = [_triple(edge.target, PG + "partner", edge.source), *_involvement_triples(edge.target, edge, edge.source)]
        quotes = _statement_quotes(net, sparql, edge)
    elif edge.relation == "involved":
        triples = _involvement_triples(edge.target, edge, edge.source)
        quotes = _statement_quotes(net, sparql, edge)
    elif edge.relation == "about":
        triples = [_triple(edge.source, SCHEMA_ABOUT, edge.target)]
        quotes = _statement_quotes(net, sparql, edge)
    else:  # worksOn: the derived triple, and what it is derived from
        triples, quotes = [_triple(edge.source, PG + "worksOn", edge.target)], []
        rows = sparql.select(WORKS_ON, {"org": iri(edge.source), "issue": iri(edge.target)})
        row = rows[0] if rows else {}
        if row.get("section"):  # a heading of its own profile: the heading is the quote
            triples += [_triple(edge.source, PG + "profile", row["profile"]),
                        _triple(row["profile"], PG + "section", row["section"]),
                        _triple(row["section"], PG + "issue", edge.target)]
            quotes = [{"quote": row["heading"], "section": row["section"], "heading": row["heading"],
                       "line": int(row["line"]) if row.get("line") else None, "page": net.page(row["section"]),
                       "profile": row["profile"], "profileLabel": net.label(row["profile"])}]
        elif row.get("initiative"):
            triples += [_triple(row["initiative"], PG + "involvement", row["involvement"]),
                        _triple(row["involvement"], PG + "agent", edge.source),
                        _triple(row["initiative"], DCTERMS_SUBJECT, edge.target),
                        _triple(row["tag"], PG + "statedIn", row["profile"])]
            quotes = ([q | {"statement": row["involvement"]} for q in evidence(net, sparql, row["involvement"])][:1]
                      + [q | {"statement": row["tag"]} for q in evidence(net, sparql, row["tag"])][:1])
            step["via"] = {"iri": row["initiative"], "label": net.label(row["initiative"])}
    step["triples"] = triples
    step["evidence"] = quotes
    return step


def _node_json(net: Network, node_iri: str) -> dict[str, Any]:
    if node_iri in net.issues:
        return {"id": node_iri, "iri": node_iri, "type": ISSUE, "label": net.label(node_iri),
                "short": net.label(node_iri), "page": net.page(node_iri)}
    return net.node_json(net.nodes[node_iri])


def find_paths(
    net: Network,
    sparql: Sparql,
    source: str | None,
    target: str | None,
    via: tuple[str, ...] = VIA,
    limit: int = 3,
    max_hops: int = 6,
) -> dict[str, Any]:
    """Up to `limit` cheapest simple paths of at most `max_hops` steps between two organisations."""
    if not 1 <= limit <= MAX_PATHS:
        raise InputError(f"limit must be between 1 and {MAX_PATHS}, not {limit}")
    if not 1 <= max_hops <= MAX_HOPS:
        raise InputError(f"maxHops must be between 1 and {MAX_HOPS}, not {max_hops}")
    a, b = find_node(net, source), find_node(net, target)
    for end, name in ((a, "from"), (b, "to")):
        if end.type != ORGANISATION:
            raise InputError(f"{name}: {end.label} is a {end.type}; paths run between two organisations")
    if a.iri == b.iri:
        raise InputError("from and to are the same organisation; choose two different ones")
    graph = path_graph(net, via)
    found: list[list[str]] = []
    if graph.has_node(a.iri) and graph.has_node(b.iri):
        try:
            candidates = nx.shortest_simple_paths(graph, a.iri, b.iri, weight="weight")
            for path in itertools.islice(candidates, MAX_CANDIDATES):
                if len(path) - 1 <= max_hops:
                    found.append(path)
                if len(found) == limit:
                    break
        except nx.NetworkXNoPath:
            pass
    paths = []
    for path in found:
        steps = []
        for u, v in itertools.pairwise(path):
            edge: Edge = graph.edges[u, v]["edge"]
            steps.append(explain(net, sparql, edge, forward=edge.source == u))
        paths.append({
            "cost": sum(graph.edges[u, v]["weight"] - HOP for u, v in itertools.pairwise(path)),
            "hops": len(path) - 1,
            "nodes": [_node_json(net, n) for n in path],
            "steps": steps,
        })
    return {
        "from": net.node_json(a),
        "to": net.node_json(b),
        "via": list(via),
        "limit": limit,
        "maxHops": max_hops,
        "paths": paths,
    }
