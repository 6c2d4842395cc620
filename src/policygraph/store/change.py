"""One write applied to a store in memory: the change itself, then the default graph (the merge of the
named graphs) and the derived graph recomputed.

Shared by every write path: an update runs as SPARQL Update; the Graph Store Protocol's PUT replaces a
graph, POST merges into it, DELETE drops it. Writes name their graphs: one that changes the default graph
is refused (store/merge.py). The derived graph (pg:partnerOf, pg:worksOn, pg:involvedIn) follows from the
stated facts, so it is recomputed after the change: a write to it is overwritten.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from policygraph.derive import derive
from policygraph.errors import InputError, NotFound
from policygraph.namespaces import Minter
from policygraph.store.merge import DefaultGraphWrite, default_quads, rebuild_merge
from policygraph.web.mediatypes import GRAPHS


def has_graph(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def clear(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    store.clear_graph(graph)
    if isinstance(graph, ox.NamedNode) and store.contains_named_graph(graph):
        store.remove_graph(graph)


def apply_request(store: ox.Store, request: Any, base_iri: str) -> bool:
    """Apply a sparql.writes.WriteRequest, then the merge and the derived graph. Returns whether a Graph Store
    write created its graph. Raises InputError (malformed update or data; DefaultGraphWrite after changing
    the store: reload it), NotFound."""
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(request.graph) if request.graph else ox.DefaultGraph()
    if isinstance(target, ox.DefaultGraph) and request.operation != "update":
        raise DefaultGraphWrite()
    existed = has_graph(store, target)
    default = default_quads(store) if request.operation == "update" else None
    try:
        if request.operation == "update":
            store.update(request.update or "")
        elif request.operation == "delete":
            if not existed:
                raise NotFound(f"there is no graph {request.graph or '(default)'} to delete")
            clear(store, target)
        elif request.operation in ("put", "post"):
            if request.rdf_format not in GRAPHS:
                raise InputError(f"cannot read RDF in format {request.rdf_format!r}")
            if request.operation == "put":
                clear(store, target)
            store.load(request.data or b"", format=GRAPHS[request.rdf_format][1], to_graph=target)
        else:
            raise InputError(f"unknown write operation {request.operation!r}")
    except SyntaxError as exc:
        what = "update" if request.operation == "update" else "RDF data"
        raise InputError(f"malformed {what}: {exc}") from None
    except ValueError as exc:
        raise InputError(f"the write cannot be applied: {exc}") from None
    if default is not None and default_quads(store) != default:
        raise DefaultGraphWrite()
    rebuild_merge(store)  # derive reads the default graph
    derived = str(Minter(base_iri).graph["derived"])
    clear(store, ox.NamedNode(derived))
    derive(store, derived, Minter(base_iri).base)
    rebuild_merge(store)
    return request.operation in ("put", "post") and not existed
