"""One write applied, validated and committed in place, in the writer process.

The writer process keeps three things between writes (WriteContext): the compiled shapes, an in-memory
copy of the current store (validation over Oxigraph's memory store runs about 3 times faster than over
RocksDB), and the current build opened read-write. Under the store's exclusive write lock
(store.local.store_lock), a write:

1. brings the copies to the current store (`prepare`): completes a write recorded but interrupted before
   its swap, reopens after a rebuild, loads the copy once;
2. applies the change to the in-memory copy, noting each quad's original presence (Tracker). A write whose
   change is explicit (INSERT DATA / DELETE DATA updates, every Graph Store Protocol write:
   sparql/changes.py) takes the fast path:
   - the derived graph (pg:partnerOf, pg:worksOn, pg:involvedIn) is recomputed only for the agents the
     change can touch (derive.derived_subjects / derive.derive_for); a triple written into the derived
     graph by hand is recomputed away, as a full derive does;
   - validation covers only the focus nodes the change can affect (policygraph.shacl.affected_nodes,
     taken before and after each stage: the explicit change, then the derived graph's), which gives the
     results a full validation reports at those nodes; no other node's results can have changed (the
     store was valid when it was committed). Where the change cannot be followed that way (rdfs:subClassOf,
     blank nodes on a path), everything is validated;
   any other update (DELETE/INSERT ... WHERE, CLEAR, DROP, ...) takes the general path: run as SPARQL
   Update on the copy, the derived graph derived again whole, everything validated, and the change found
   by comparing the copy's quads before and after (seconds at 1M triples);
3. any violation refuses the write whole: the copy is put back (422 with the report; nothing on disk
   changed);
4. commits: the delta record (net quads removed and added) written and fsynced under a new version name
   (sparql/deltas.py), the name linked to the build, the change applied to the build on disk as one
   Oxigraph transaction (one SPARQL update: DELETE DATA, DROP, INSERT DATA; quads with blank nodes,
   which DELETE DATA cannot name, are removed and added one call at a time, the record then covering
   an interruption), and `current` swapped to the new name. The query workers follow with the record.

A crash before the record is written leaves the old state; after it, the writer completes the write
(the record is idempotent) before it does anything else: the new state. Never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policygraph.derive import DERIVED_PREDICATES, derive_for, derive_query, derived_quads_of, derived_subjects
from policygraph.errors import InputError, NotFound, StoreError
from policygraph.namespaces import Minter
from policygraph.settings import Settings
from policygraph.shacl import Change, Model, Report, read_model, validate_hits
from policygraph.shacl.engine import sparql_term
from policygraph.shacl.incremental import SUBCLASS, Dep, Unfollowable, affected_nodes, model_deps
from policygraph.sparql.changes import Explicit, explicit_graph_write, explicit_update
from policygraph.sparql.deltas import Delta, pending, write_record
from policygraph.store.change import apply_request, has_graph
from policygraph.store.local import build_path, current_path, link_version, store_lock, swap_current, version_name
from policygraph.store.merge import DefaultGraphWrite, in_default, merge_change
from policygraph.store.updates import change_update, has_blank
from policygraph.validate import load_shapes
from policygraph.web.mediatypes import GRAPHS

Nodes = set[ox.NamedNode | ox.BlankNode | ox.Literal] | None  # None: validate everything


@dataclass(frozen=True)
class Applied:
    """What a committed write did (the writer turns it into a WriteResult)."""

    created: bool
    quads_before: int
    quads_after: int
    version: str
    fast: bool  # the explicit-change path (False: the general path)
    validated: int | None  # focus nodes validated; None: all


@dataclass
class WriteContext:
    """What the writer process keeps between writes."""

    settings: Settings
    model: Model = field(init=False)
    disk: ox.Store | None = None  # the current build, read-write
    build: Path | None = None  # its directory
    memory: ox.Store | None = None  # a copy of the current store
    version: str = ""  # the version the copy holds
    quads: int = 0  # and its number of quads

    def __post_init__(self) -> None:
        self.model = read_model(load_shapes(self.settings.path(self.settings.shapes_dir)))
        model_deps(self.model)  # computed once, on the first call

    @property
    def root(self) -> Path:
        return self.settings.store_path

    @property
    def derived(self) -> str:
        return str(Minter(self.settings.base_iri).graph["derived"])

    @property
    def base(self) -> str:
        return Minter(self.settings.base_iri).base

    def close(self) -> None:
        self.memory = self.disk = self.build = None

    def prepare(self) -> tuple[ox.Store, ox.Store]:
        """Step 1 (call it holding the store lock): the build open read-write, an interrupted write
        completed, the in-memory copy at the current version. Raises StoreError."""
        build = build_path(self.root)
        if self.disk is None or build != self.build:
            self.close()
            try:
                self.disk = ox.Store(str(build))
            except (OSError, RuntimeError) as exc:
                raise StoreError(f"the store {build} cannot be opened for writing: {exc}") from exc
            self.build = build
        left = pending(self.root, current_path(self.root).name)
        if left is not None:
            self._commit(left)
            if self.memory is not None and self.version == left.base:
                left.apply(self.memory)
                self.version, self.quads = left.version, left.quads
        version = current_path(self.root).name
        if self.memory is None or self.version != version:
            memory = ox.Store()
            memory.bulk_extend(self.disk.quads_for_pattern(None, None, None, None))
            self.memory, self.version, self.quads = memory, version, len(memory)
        return self.disk, self.memory

    def _commit(self, delta: Delta) -> None:
        """Step 4 after the record: the version name, the change on disk, the swap. Idempotent."""
        assert self.disk is not None and self.build is not None
        link_version(self.root, delta.version, self.build)
        try:
            write_to_disk(self.disk, delta)
        except (OSError, RuntimeError) as exc:
            self.close()
            raise StoreError(f"the change could not be written to the store on disk ({exc}); it is recorded and "
                             "will be completed before the next write") from exc
        swap_current(self.root, delta.version)

    def commit(self, removed: tuple[ox.Quad, ...], added: tuple[ox.Quad, ...], dropped: tuple[str, ...],
               quads: int) -> str:
        delta = Delta(version_name(), self.version, quads, removed, added, dropped)
        write_record(self.root, delta)
        self._commit(delta)
        self.version, self.quads = delta.version, quads
        return delta.version


def warm(ctx: WriteContext) -> None:
    """Step 1 ahead of the first write (the writer process runs it at start). Problems wait for a write."""
    try:
        with store_lock(ctx.root):
            ctx.prepare()
    except StoreError:
        ctx.close()


def write_to_disk(store: ox.Store, delta: Delta) -> None:
    """Apply a record to the store on disk: one transaction, unless blank nodes make that impossible."""
    if any(has_blank(q) for q in delta.removed + delta.added):
        delta.apply(store)  # several transactions; the record makes an interruption recoverable
        return
    text = change_update(delta.removed, delta.added, [ox.NamedNode(g) for g in delta.dropped])
    if text:
        try:
            store.update(text)
        except (SyntaxError, ValueError):  # a term SPARQL cannot spell back: then call by call
            delta.apply(store)


class Tracker:
    """Removes and adds quads in a store, noting whether each was there at first, to give the net change."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.was: dict[ox.Quad, bool] = {}

    def _note(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            if quad not in self.was:
                self.was[quad] = quad in self.store

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        self._note(quads)
        for quad in quads:
            self.store.remove(quad)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        self._note(quads)
        self.store.extend(quads)

    def net(self) -> tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]]:
        """(removed, added): the quads that were there and are gone, and those that were not and are."""
        now = {quad: quad in self.store for quad in self.was}
        return (tuple(q for q, was in self.was.items() if was and not now[q]),
                tuple(q for q, was in self.was.items() if not was and now[q]))


def _graph_quads(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, None, None, graph))


def explicit_change(store: ox.Store, request: object) -> tuple[Explicit | None, bool]:
    """The write's explicit change (None: an update of the general kind) and whether its graph existed.
    Raises InputError (malformed update or data, unknown format), NotFound (DELETE of a missing graph)."""
    operation = getattr(request, "operation", "")
    if operation == "update":
        return explicit_update(getattr(request, "update", None) or ""), False
    if operation not in ("put", "post", "delete"):
        raise InputError(f"unknown write operation {operation!r}")
    name = getattr(request, "graph", None)
    graph: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(name) if name else ox.DefaultGraph()
    existed = has_graph(store, graph)
    if operation == "delete" and not existed:
        raise NotFound(f"there is no graph {name or '(default)'} to delete")
    fmt = getattr(request, "rdf_format", None)
    if operation != "delete" and fmt not in GRAPHS:
        raise InputError(f"cannot read RDF in format {fmt!r}")
    rdf_format = GRAPHS[fmt][1] if fmt in GRAPHS else None
    return explicit_graph_write(operation, graph, lambda g: _graph_quads(store, g), getattr(request, "data", None),
                                rdf_format), existed


def _stage(store: ox.Store, deps: set[Dep], nodes: Nodes, tracker: Tracker, removed: tuple[ox.Quad, ...] = (),
           added: tuple[ox.Quad, ...] = (), dropped: Iterable[ox.NamedNode] = ()) -> Nodes:
    """Apply one step of the change, adding the focus nodes it can affect, found before and after it."""
    change = Change(added, removed).effective(store)
    nodes = _affected(store, deps, change, nodes)
    tracker.remove(change.removed)
    for graph in dropped:
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    tracker.add(change.added)
    return _affected(store, deps, change, nodes)


def _affected(store: ox.Store, deps: set[Dep], change: Change, nodes: Nodes) -> Nodes:
    if nodes is None:
        return nodes
    read = _predicates(deps)  # only quads whose predicate some shape reads can affect a result
    change = Change(tuple(q for q in change.added if q.predicate.value in read),
                    tuple(q for q in change.removed if q.predicate.value in read))
    if not (change.added or change.removed):
        return nodes
    try:
        return nodes | affected_nodes(store, deps, change)
    except Unfollowable:
        return None


_read: dict[int, frozenset[str]] = {}


def _predicates(deps: set[Dep]) -> frozenset[str]:
    if id(deps) not in _read:  # model_deps returns the same set for a model every time
        _read[id(deps)] = frozenset(d.predicate for d in deps) | {SUBCLASS}
    return _read[id(deps)]


def _merge_stage(store: ox.Store, deps: set[Dep], nodes: Nodes, tracker: Tracker) -> Nodes:
    """The default graph brought back to the merge of the named graphs, for every triple changed so far."""
    removed, added = merge_change(store, list(tracker.was))
    return _stage(store, deps, nodes, tracker, tuple(removed), tuple(added)) if removed or added else nodes


def apply_explicit(store: ox.Store, ctx: WriteContext, explicit: Explicit, tracker: Tracker) -> tuple[Report, Nodes]:
    """The fast path, step 2, on the in-memory copy (through `tracker`). Returns the report of the affected
    focus nodes and the nodes validated (None: all)."""
    deps, derived = model_deps(ctx.model), ctx.derived
    if any(in_default(q) for q in (*explicit.added, *explicit.removed)):
        raise DefaultGraphWrite()
    nodes = _stage(store, deps, set(), tracker, tuple(explicit.removed), tuple(explicit.added), explicit.dropped)
    nodes = _merge_stage(store, deps, nodes, tracker)  # the derived graph is computed from the default graph
    changed = list(tracker.was)

    # The derived graph, for the agents the change can touch (all of it if a blank node is in the way).
    graph = ox.NamedNode(derived)
    subjects = derived_subjects(store, changed, derived)
    if subjects is None:
        old = _graph_quads(store, graph)
    else:
        old = derived_quads_of(store, derived, subjects)
    stray = tuple(q for q in old if q.predicate.value not in DERIVED_PREDICATES)  # written by hand: DERIVE reads them
    if stray:
        nodes = _stage(store, deps, nodes, tracker, removed=stray)
    if subjects is None:
        new = {ox.Quad(t.subject, t.predicate, t.object, graph)
               for t in store.query(derive_query(ctx.base))}  # type: ignore[union-attr]
    else:
        new = set(derive_for(store, derived, ctx.base, subjects))
    kept = set(old) - set(stray)
    nodes = _stage(store, deps, nodes, tracker, removed=tuple(kept - new), added=tuple(new - kept))
    nodes = _merge_stage(store, deps, nodes, tracker)

    if nodes is not None and not all(sparql_term(n) for n in nodes):
        nodes = None
    if nodes is None:
        hits = validate_hits(store, ctx.model)
    else:
        hits = validate_hits(store, ctx.model, sorted(str(sparql_term(n)) for n in nodes)) if nodes else []
    return Report(tuple(h.result for h in hits)), nodes


def apply_write(ctx: WriteContext, request: object) -> Applied:
    """Steps 1-4 of the module docstring. Raises ValidationFailed, InputError, NotFound, StoreError."""
    with store_lock(ctx.root):
        _disk, memory = ctx.prepare()
        before = ctx.quads
        explicit, existed = explicit_change(memory, request)
        try:
            if explicit is not None:
                tracker = Tracker(memory)
                report, nodes = apply_explicit(memory, ctx, explicit, tracker)
                removed, added = tracker.net()
                # a graph replaced by PUT keeps its name: only a graph left empty is dropped from the list
                dropped = tuple(g.value for g in explicit.dropped if not has_graph(memory, g))
            else:
                snapshot, graphs = set(memory), set(memory.named_graphs())
                apply_request(memory, request, ctx.settings.base_iri)
                report, nodes = Report(tuple(h.result for h in validate_hits(memory, ctx.model))), None
                now = set(memory)
                removed, added = tuple(snapshot - now), tuple(now - snapshot)
                dropped = tuple(g.value for g in graphs - set(memory.named_graphs()) if isinstance(g, ox.NamedNode))
                del snapshot, now
        except BaseException as exc:
            # A malformed update is refused before it changes anything (an update is one transaction);
            # after any other error the copy may be changed part way: it is loaded again by the next write.
            if not (explicit is None and isinstance(exc, InputError)) or isinstance(exc, DefaultGraphWrite):
                ctx.memory = None
            raise
        if not report.conforms:
            for quad in added:
                memory.remove(quad)
            memory.extend(removed)
            report.raise_if_failed()
        after = before + len(added) - len(removed)
        version = ctx.commit(removed, added, dropped, after)
    operation = getattr(request, "operation", "")
    return Applied(created=operation in ("put", "post") and not existed, quads_before=before, quads_after=after,
                   version=version, fast=explicit is not None, validated=len(nodes) if nodes is not None else None)
