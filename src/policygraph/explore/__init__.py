"""The partnership explorer's services (no Flask here): the network read by SPARQL, filtered views,
search, neighbourhoods, paths, analytics and exports. `Explorer` is what the web layer calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policygraph.errors import InputError
from policygraph.explore.analytics import analytics, partnership_network
from policygraph.explore.export import FORMATS, NETWORKS, view_graph, write
from policygraph.explore.filters import Filters, View, ancestors, filtered_view, parse_filters, view_json
from policygraph.explore.model import INITIATIVE, ORGANISATION, PARTNERSHIP, Network, key_of, load_network
from policygraph.explore.nodes import details, find_node, neighbourhood, search
from policygraph.explore.paths import find_paths, parse_via
from policygraph.explore.sparql import OxigraphSparql, Sparql

__all__ = ["Explorer", "OxigraphSparql", "Sparql", "Network", "Filters", "View", "FORMATS", "NETWORKS"]


class Explorer:
    """The explorer over one state of the store. Cheap to call once built: build one per store version."""

    def __init__(self, sparql: Sparql, base: str) -> None:
        self.sparql = sparql
        self.net = load_network(sparql, base if base.endswith("/") else base + "/")

    def facets(self) -> dict[str, Any]:
        """The choices of the filter controls, with how many organisations each would keep."""
        net = self.net
        orgs = [n for n in net.nodes.values() if n.type == ORGANISATION]
        below: dict[str, set[str]] = {}
        for issue in net.issues:
            below[issue] = {i for i in net.issues if issue in ancestors(net, i)}

        def issue_json(iri: str) -> dict[str, Any]:
            return {"key": key_of(iri), "label": net.label(iri),
                    "organisations": sum(1 for o in orgs if o.issues & below[iri])}

        baskets = sorted((i for i in net.issues.values() if i.basket), key=lambda i: i.label)
        types = {o.org_type for o in orgs}
        kinds = {n.kind for n in net.nodes.values() if n.type == PARTNERSHIP}
        return {
            "baskets": [
                issue_json(b.iri) | {"issues": [issue_json(i.iri) for i in sorted(net.issues.values(), key=lambda i: i.label)
                                                if b.iri in i.broader]}
                for b in baskets
            ],
            "types": [{"key": key_of(t), "label": net.label(t)} for t in net.schemes.get("organisation-type", []) if t in types],
            "kinds": [{"key": key_of(k), "label": net.label(k)} for k in net.schemes.get("partnership-kind", []) if k in kinds],
            "initiatives": ["shared", "all", "none"],
            "organisations": sorted(({"iri": o.iri, "label": o.label, "short": o.short} for o in orgs),
                                    key=lambda o: o["label"].lower()),
        }

    def view(self, args: Mapping[str, str]) -> tuple[Filters, View]:
        filters = parse_filters(args, self.net)
        return filters, filtered_view(self.net, self.sparql, filters)

    def graph(self, args: Mapping[str, str]) -> dict[str, Any]:
        filters, view = self.view(args)
        return view_json(self.net, view, filters)

    def search(self, q: str | None, limit: int = 10) -> dict[str, Any]:
        return {"q": q, "results": search(self.net, self.sparql, q, limit)}

    def node(self, iri: str | None, depth: int = 1, limit: int = 100) -> dict[str, Any]:
        node = find_node(self.net, iri)
        view, truncated = neighbourhood(self.net, node, depth, limit)
        counts = {t: len(view.of_type(t)) for t in (ORGANISATION, INITIATIVE, PARTNERSHIP)}
        return {
            "node": details(self.net, self.sparql, node),
            "neighbourhood": {
                "depth": depth,
                "limit": limit,
                "truncated": truncated,
                "counts": counts | {"edges": len(view.edges)},
                "nodes": [self.net.node_json(n, view.degree.get(n.iri, 0)) for n in view.nodes],
                "edges": [self.net.edge_json(e) for e in view.edges],
            },
        }

    def paths(self, source: str | None, target: str | None, via: str | None = None,
              limit: int = 3, max_hops: int = 6) -> dict[str, Any]:
        return find_paths(self.net, self.sparql, source, target, parse_via(via), limit, max_hops)

    def analytics(self, top: int = 25) -> dict[str, Any]:
        return analytics(self.net, top)

    def export(self, fmt: str, args: Mapping[str, str], network: str = "view", node: str | None = None,
               depth: int = 1, limit: int = 100) -> tuple[bytes, str]:
        """The bytes of an export and a file name. `network="partnerships"` exports the whole partnership
        network; otherwise the view that the filters select, or the neighbourhood of `node`."""
        if fmt not in FORMATS:
            raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
        if network not in NETWORKS:
            raise InputError(f"network={network!r}: choose one of {', '.join(NETWORKS)}")
        if network == "partnerships":
            return write(partnership_network(self.net), fmt), f"policygraph-partnerships.{fmt}"
        if node:
            found = find_node(self.net, node)
            view, _ = neighbourhood(self.net, found, depth, limit)
            name = f"policygraph-{key_of(found.iri)}"
        else:
            filters, view = self.view(args)
            name = "-".join(["policygraph-view", *filters.as_params().values()])
        return write(view_graph(self.net, view), fmt), f"{name}.{fmt}"
