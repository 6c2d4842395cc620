"""Exports of a view, or of the whole partnership network, as GraphML, GEXF (Gephi) and CSV edge lists,
written by networkx. Attribute values are scalars (lists are joined with spaces) so that every format
can hold them."""

from __future__ import annotations

import csv
import io

import networkx as nx

from policygraph.errors import InputError
from policygraph.explore.filters import View
from policygraph.explore.model import Network, key_of

FORMATS = ("graphml", "gexf", "csv")
NETWORKS = ("view", "partnerships")


def view_graph(net: Network, view: View) -> nx.DiGraph:
    """A view as a directed graph: organisation -> partnership / initiative, partnership -> initiative."""
    graph = nx.DiGraph()
    for node in view.nodes:
        attrs: dict[str, str | int | bool] = {
            "label": node.label,
            "short": node.short,
            "type": node.type,
            "degree": view.degree.get(node.iri, 0),
            "issues": " ".join(sorted(key_of(i) for i in node.issues)),
        }
        if node.acronyms:
            attrs["acronyms"] = " ".join(node.acronyms)
        if node.org_type:
            attrs["organisationType"] = key_of(node.org_type)
        if node.kind:
            attrs["kind"] = key_of(node.kind)
        if node.type == "organisation":
            attrs["profiled"] = node.profiled
        graph.add_node(node.iri, **attrs)
    for edge in view.edges:
        graph.add_edge(edge.source, edge.target, relation=edge.relation, roles=" ".join(key_of(r) for r in edge.roles))
    return graph


def _edge_rows(graph: nx.Graph) -> tuple[list[str], list[list[str]]]:
    keys = sorted({k for _u, _v, d in graph.edges(data=True) for k in d})
    header = ["source", "target", "source_label", "target_label", *keys]
    rows = [
        [u, v, graph.nodes[u].get("label", ""), graph.nodes[v].get("label", ""), *(str(d.get(k, "")) for k in keys)]
        for u, v, d in graph.edges(data=True)
    ]
    return header, rows


def write(graph: nx.Graph, fmt: str) -> bytes:
    """Serialise a graph: 'graphml', 'gexf' or 'csv' (one row per edge, after a header)."""
    if fmt == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(graph, buffer, encoding="utf-8")
        return buffer.getvalue()
    if fmt == "gexf":
        buffer = io.BytesIO()
        nx.write_gexf(graph, buffer, encoding="utf-8")
        return buffer.getvalue()
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")  # RFC 4180
        header, rows = _edge_rows(graph)
        writer.writerow(header)
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")
    raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
