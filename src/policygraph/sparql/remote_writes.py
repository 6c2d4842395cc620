"""Writes to a remote store: validated here, committed there as one update request.

The same guarantees as a local write, with the engine's transaction as the commit:

1. read the remote dataset into memory (under this server's write lock, so its own writes never interleave);
2. apply the change there (SPARQL Update, or a graph replaced, merged or dropped) and recompute the default
   graph (the merge of the named graphs) and the derived graph, exactly as a local write does
   (store.change.apply_request);
3. validate the whole dataset with the shapes; a violation refuses the write whole (422) and the remote is
   not touched;
4. commit: the difference (quads removed, quads added) as one update request, `DELETE DATA ... ; INSERT
   DATA ...`, which Oxigraph, Fuseki and GraphDB run as one transaction. A graph that loses a blank-node
   triple is replaced whole (DELETE DATA cannot name blank nodes).

Writes by other clients of the same engine between steps 1 and 4 are not seen: give policygraph the only
write access to its remote store (see README, "Remote store").
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from policygraph.settings import Settings
from policygraph.store.change import apply_request
from policygraph.store.local import store_lock
from policygraph.store.merge import in_default, merged
from policygraph.store.remote import RemoteDataset, RemoteEndpoint, bump_version
from policygraph.store.updates import change_update, has_blank
from policygraph.validate import load_shapes, validate_graph

_lock = threading.Lock()


def perform_remote_write(settings: Settings, request: object) -> tuple[bool, int, int]:
    """Apply, validate and commit one write. Returns (created, quads before, quads after)."""
    endpoint = RemoteEndpoint(settings)
    with _lock, store_lock(settings.files_path):
        store = ox.Store()
        store.extend(RemoteDataset(endpoint).all_quads())  # the named graphs
        store.extend(list(merged(store)))  # and their merge, which the engine holds as its default graph
        before = set(store)
        created = apply_request(store, request, settings.base_iri)
        report = validate_graph(None, load_shapes(settings.path(settings.shapes_dir)), store)
        report.raise_if_failed()
        after = set(store)
        removed, added = before - after, after - before
        # A graph that loses a blank-node triple is replaced whole (DELETE DATA cannot name blank nodes); the
        # default graph's blank-node triples then too (their nodes are the re-inserted graphs' new ones).
        replaced = {q.graph_name for q in removed if has_blank(q) and isinstance(q.graph_name, ox.NamedNode)}
        prune = ""
        if replaced or any(has_blank(q) and in_default(q) for q in removed):
            blank_merge = {q for q in after if in_default(q) and has_blank(q)}
            removed = {q for q in removed if q.graph_name not in replaced and not (in_default(q) and has_blank(q))}
            added = ({q for q in after if q.graph_name in replaced} | blank_merge
                     | {q for q in added if q.graph_name not in replaced and not in_default(q)}
                     | {q for q in added if in_default(q) and not has_blank(q)})
            prune = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) } ;\n"
        if removed or added or replaced:
            endpoint.update(prune + change_update(removed, added, replaced))
        bump_version(settings)
    return created, len(before), len(after)
