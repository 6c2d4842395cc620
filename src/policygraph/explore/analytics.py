"""Network analytics with networkx, on the server.

The partnership network has one node per organisation that is partner in at least one partnership and
one edge per pair of organisations that are partners together in roles of joint work (`pg:partnerOf`), weighted by the number
of partnerships they share. It is the graph that `/api/export.graphml?network=partnerships` writes, and
it is built in a canonical order (nodes and edges sorted) so that anyone who reads the export back and
sorts it the same way gets the same numbers from networkx.
"""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx

from policygraph.errors import InputError
from policygraph.explore.model import ORGANISATION, Network, key_of

MAX_TOP = 500


def canonical(graph: nx.Graph) -> nx.Graph:
    """The same graph with nodes and edges in sorted order (networkx results can depend on order)."""
    out = nx.Graph()
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: item[0]))
    out.add_edges_from(sorted(((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)), key=lambda e: (e[0], e[1])))
    return out


def partnership_network(net: Network) -> nx.Graph:
    partners: dict[str, list[str]] = {}
    for edge in net.edges:
        if edge.relation == "partner" and edge.joint_statements():  # as pg:partnerOf: joint work only
            partners.setdefault(edge.target, []).append(edge.source)
    graph = nx.Graph()
    for partnership, orgs in sorted(partners.items()):
        kind = key_of(net.nodes[partnership].kind or "")
        for org in orgs:
            node = net.nodes[org]
            graph.add_node(org, label=node.label, short=node.short, type=ORGANISATION,
                           organisationType=key_of(node.org_type or ""), profiled=node.profiled,
                           issues=" ".join(sorted(key_of(i) for i in node.issues)))
        for u, v in itertools.combinations(sorted(set(orgs)), 2):
            if graph.has_edge(u, v):
                data = graph.edges[u, v]
                data["weight"] += 1
                data["partnerships"] += " " + partnership
                data["kinds"] = " ".join(sorted(set(data["kinds"].split()) | {kind}))
            else:
                graph.add_edge(u, v, weight=1, partnerships=partnership, kinds=kind)
    for org in graph.nodes:
        graph.nodes[org]["partnerships"] = sum(1 for p in partners.values() if org in p)
    return canonical(graph)


def centrality(graph: nx.Graph) -> dict[str, Any]:
    """Degree, weighted degree, betweenness and greedy-modularity communities of a partnership network."""
    degree = dict(graph.degree())
    strength = dict(graph.degree(weight="weight"))
    betweenness = nx.betweenness_centrality(graph)  # unweighted: weights count partnerships, not distance
    communities = [sorted(c) for c in nx.community.greedy_modularity_communities(graph, weight="weight")]
    modularity = nx.community.modularity(graph, communities, weight="weight") if graph.number_of_edges() else 0.0
    return {"degree": degree, "strength": strength, "betweenness": betweenness,
            "communities": communities, "modularity": modularity}


def issue_overlap(net: Network, top: int) -> dict[str, Any]:
    """Jaccard similarity of the issue sets of organisations (the organisation–issue bipartite graph),
    ranked, plus the matrix among the profiled organisations."""
    bipartite = nx.Graph()
    orgs = sorted(n.iri for n in net.nodes.values() if n.type == ORGANISATION and n.issues)
    for org in orgs:
        bipartite.add_edges_from((org, issue) for issue in net.nodes[org].issues)
    # A list, not a generator: networkx reads the pairs twice (checks, then scores).
    scores = {(u, v): s for u, v, s in nx.jaccard_coefficient(bipartite, list(itertools.combinations(orgs, 2)))}
    ranked = sorted(
        ((u, v, s) for (u, v), s in scores.items() if s > 0),
        key=lambda t: (-t[2], -len(net.nodes[t[0]].issues & net.nodes[t[1]].issues), net.label(t[0]), net.label(t[1])),
    )
    pairs = [
        {
            "a": {"iri": u, "label": net.label(u), "short": net.nodes[u].short},
            "b": {"iri": v, "label": net.label(v), "short": net.nodes[v].short},
            "jaccard": s,
            "shared": sorted(key_of(i) for i in net.nodes[u].issues & net.nodes[v].issues),
        }
        for u, v, s in ranked[:top]
    ]
    profiled = sorted((n for n in net.nodes.values() if n.profiled and n.issues), key=lambda n: n.short.lower())

    def score(u: str, v: str) -> float:
        return 1.0 if u == v else scores.get((u, v), scores.get((v, u), 0.0))

    return {
        "method": "Jaccard similarity of the sets of issues organisations work on (pg:worksOn)",
        "organisations": len(orgs),
        "pairs": pairs,
        "matrix": {
            "organisations": [{"iri": n.iri, "label": n.label, "short": n.short} for n in profiled],
            "values": [[score(u.iri, v.iri) for v in profiled] for u in profiled],
        },
    }


def analytics(net: Network, top: int = 25) -> dict[str, Any]:
    if not 1 <= top <= MAX_TOP:
        raise InputError(f"top must be between 1 and {MAX_TOP}, not {top}")
    graph = partnership_network(net)
    numbers = centrality(graph)
    community_of = {org: i for i, members in enumerate(numbers["communities"]) for org in members}
    organisations = sorted(
        (
            {
                "iri": org,
                "label": net.label(org),
                "short": net.nodes[org].short,
                "degree": numbers["degree"][org],
                "weightedDegree": numbers["strength"][org],
                "betweenness": numbers["betweenness"][org],
                "community": community_of[org],
            }
            for org in graph.nodes
        ),
        key=lambda o: (-o["betweenness"], -o["degree"], o["label"].lower()),
    )
    return {
        "network": {
            "description": "organisations linked when they are partners in the same partnership (pg:partnerOf), "
                           "weighted by the number of partnerships they share",
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "density": nx.density(graph) if graph.number_of_nodes() > 1 else 0.0,
            "components": nx.number_connected_components(graph),
        },
        "organisations": organisations,
        "communities": {
            "method": "greedy modularity maximisation (networkx, edge weight = shared partnerships)",
            "modularity": numbers["modularity"],
            "groups": [
                {
                    "id": i,
                    "size": len(members),
                    "members": [{"iri": m, "label": net.label(m), "short": net.nodes[m].short} for m in members],
                }
                for i, members in enumerate(numbers["communities"])
            ],
        },
        "issueOverlap": issue_overlap(net, top),
    }
