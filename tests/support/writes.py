"""A write applied from scratch: the reference the production path (incremental, in stages) must equal."""

from __future__ import annotations

import pyoxigraph as ox

from policygraph.derive import derive
from policygraph.namespaces import Minter
from policygraph.store.merge import rebuild_merge
from policygraph.writes import WriteRequest
from policygraph.writes.apply import apply_general_update, explicit_change


def apply_from_scratch(store: ox.Store, request: WriteRequest, base_iri: str) -> None:
    """Apply a write the plain way: the change as stated, then the merge and the derived graph computed
    again whole (no stages, no incremental derive)."""
    minter = Minter(base_iri)
    derived = str(minter.graph["derived"])
    explicit, _existed = explicit_change(store, request, minter.base)
    if explicit is None:
        apply_general_update(store, request.update or "", derived, minter.base, request.using_graphs,
                             request.using_named_graphs)
        return
    for quad in explicit.removed:
        store.remove(quad)
    for graph in explicit.dropped:
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    store.extend(explicit.added)
    rebuild_merge(store)
    store.clear_graph(ox.NamedNode(derived))
    if store.contains_named_graph(ox.NamedNode(derived)):
        store.remove_graph(ox.NamedNode(derived))
    derive(store, derived, minter.base)
    rebuild_merge(store)
