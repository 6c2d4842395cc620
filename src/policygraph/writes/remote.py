"""Writes to a remote store: validated here, committed there as one update request.

The same guarantees as a write to the embedded store, with the engine's transaction as the commit:

1. read the remote dataset into memory (under this server's write lock, so its own writes never
   interleave): its named graphs, and their merge as the default graph, as the engine holds it;
2. apply the write there and validate it, with the very code of the embedded store (writes/apply.py):
   the fast path and incremental validation for an explicit change, the general path for other updates;
   a violation refuses the write whole (422) and the remote is not touched;
3. commit: the difference (quads removed, quads added, the default graph's included) as one update
   request, `DELETE DATA ... ; INSERT DATA ...`, which Oxigraph, Fuseki and GraphDB run as one
   transaction. A graph that loses a blank-node triple is replaced whole (DELETE DATA cannot name blank
   nodes), and the default graph's blank-node triples with it.

Writes by other clients of the same engine between steps 1 and 3 are not seen: give policygraph the only
write access to its remote store (see README, "Remote store").
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from policygraph.settings import Settings
from policygraph.shacl import Model, read_model
from policygraph.store.local import store_lock
from policygraph.store.merge import in_default, merged
from policygraph.store.remote import RemoteDataset, RemoteEndpoint, bump_version, remote_version
from policygraph.store.updates import change_update, has_blank
from policygraph.validate import load_shapes
from policygraph.writes.apply import apply_change, rules_for
from policygraph.writes.model import WriteRequest, WriteResult

_lock = threading.Lock()
_models: dict[str, Model] = {}  # shapes directory -> compiled shapes (read once per server)


def _model(settings: Settings) -> Model:
    folder = settings.input_dir("shapes_dir")
    key = str(folder)
    if key not in _models:
        _models[key] = read_model(load_shapes(folder))
    return _models[key]


def perform_remote_write(settings: Settings, request: WriteRequest) -> WriteResult:
    """Apply, validate and commit one write (steps 1-3). Raises the typed errors of writes/apply.py."""
    endpoint = RemoteEndpoint(settings)
    with _lock, store_lock(settings.files_path):
        store = ox.Store()
        store.extend(RemoteDataset(endpoint).all_quads())  # the named graphs
        store.extend(list(merged(store)))  # and their merge, which the engine holds as its default graph
        before = len(store)
        applied = apply_change(store, rules_for(settings, _model(settings)), request)
        removed, added = set(applied.removed), set(applied.added)
        # A graph that loses a blank-node triple is replaced whole (DELETE DATA cannot name blank nodes); the
        # default graph's blank-node triples then too (their nodes are the re-inserted graphs' new ones).
        replaced = {q.graph_name for q in removed if has_blank(q) and isinstance(q.graph_name, ox.NamedNode)}
        prune = ""
        if replaced or any(has_blank(q) and in_default(q) for q in removed):
            blank_merge = {q for q in store if in_default(q) and has_blank(q)}
            removed = {q for q in removed if q.graph_name not in replaced and not (in_default(q) and has_blank(q))}
            added = ({q for q in store if q.graph_name in replaced} | blank_merge
                     | {q for q in added if q.graph_name not in replaced and not in_default(q)}
                     | {q for q in added if in_default(q) and not has_blank(q)})
            prune = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) } ;\n"
        dropped = [ox.NamedNode(g) for g in applied.dropped]
        if removed or added or replaced or dropped:
            endpoint.update(prune + change_update(removed, added, set(replaced) | set(dropped)))
        bump_version(settings)
    return WriteResult(True, 201 if applied.created else 200, "committed", created=applied.created, quads_before=before,
                       quads_after=len(store), version=remote_version(settings), path="fast" if applied.fast else "general",
                       validated=len(applied.nodes) if applied.nodes is not None else None)
