"""One write applied to a dataset in memory and validated: the same code for the embedded store (on the
writer process's copy, writes/in_place.py) and for a remote one (on a copy read from the engine,
writes/remote.py).

1. The change a write states. A SPARQL update made only of INSERT DATA and DELETE DATA operations, and
   every Graph Store Protocol write, says exactly which quads it adds and removes (the explicit change,
   found without touching the store). Each data operation is run alone on an empty in-memory store (a
   DELETE DATA as the INSERT DATA of the same block), which gives its quads with Oxigraph's own parser,
   prefixes and BASE included (relative IRIs resolve against the dataset's base IRI, settings.base_iri,
   unless the text declares a BASE of its own); the operations are then combined in order (the last
   operation on a quad decides). Operations are found with the SPARQL tokenizer (policygraph.sparqltext), which reads
   strings, IRIs and comments as the grammar does: a ';' or a keyword inside them cannot split or
   disguise an operation.
2. An explicit change takes the fast path, in stages, each noted by a Tracker (every quad's presence
   before the write):
   - the change itself; a write that names the default graph is refused (the default graph is the merge
     of the named graphs, store/merge.py);
   - the default graph brought back to the merge for the changed triples (the derived graph is computed
     from it);
   - the derived graph (pg:partnerOf, pg:worksOn, pg:involvedIn and their derivations) recomputed only
     for the agents the change can touch (derive.derived_subjects / derive.derive_for); a triple written
     into the derived graph by hand is recomputed away, as a full derive does; then the merge again;
   - validation covers only the focus nodes the change can affect (shacl.affected_nodes, taken before and
     after each stage), which gives the results a full validation reports at those nodes; no other
     node's results can have changed (the dataset was valid before). Where the change cannot be followed
     that way (rdfs:subClassOf, blank nodes on a path), everything is validated.
3. Any other update (DELETE/INSERT ... WHERE, CLEAR, DROP, ADD, ...) depends on the data it matches and
   takes the general path: run as SPARQL Update (with the request's using-graph-uri and
   using-named-graph-uri written in as USING clauses, writes/dataset.py), the merge and the derived graph
   computed again whole, everything validated, and the change found by comparing the quads before and after (seconds at 1M
   triples).
4. A violation refuses the write whole: the dataset is put back and ValidationFailed (422) raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.derive import DERIVED_PREDICATES, derive, derive_for, derived_quads, derived_quads_of, derived_subjects
from policygraph.errors import DefaultGraphWrite, InputError, NotFound
from policygraph.formats import GRAPHS
from policygraph.namespaces import Minter
from policygraph.settings import Settings
from policygraph.shacl import Change, Hit, Model, Report, validate_hits
from policygraph.shacl.engine import sparql_term
from policygraph.shacl.incremental import SUBCLASS, Dep, Unfollowable, affected_nodes, model_deps
from policygraph.sparqltext import Token, keyword, tokens
from policygraph.store.merge import default_quads, in_default, merge_change, rebuild_merge
from policygraph.writes.dataset import with_dataset
from policygraph.writes.model import Operation, WriteRequest

Graph = ox.NamedNode | ox.DefaultGraph


@dataclass
class Explicit:
    """The change a write states: removals apply first, then additions (a quad in both stays)."""

    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)
    dropped: list[ox.NamedNode] = field(default_factory=list)  # named graphs a Graph Store write empties whole


@dataclass(frozen=True)
class _Operation:
    insert: bool
    text: str  # the operation as an INSERT DATA update, with every prologue declaration before it


def malformed(what: str, exc: Exception) -> InputError:
    return InputError(f"malformed {what}: {exc}")


def data_operations(text: str) -> list[_Operation] | None:
    """The update's operations if every one is INSERT DATA or DELETE DATA; else None. Text that does not
    parse may give either: `explicit_update` then parses the whole text."""
    found = [t for t in tokens(text) if t.kind != "comment"]
    operations: list[_Operation] = []
    prologue: list[str] = []
    i = 0
    while i < len(found):
        word = keyword(found[i])
        if word in ("PREFIX", "BASE"):
            end = i + (3 if word == "PREFIX" else 2)  # PREFIX name: <iri> | BASE <iri>
            if end > len(found):
                return None
            prologue.append(text[found[i].start:found[end - 1].start + len(found[end - 1].text)])
            i = end
            continue
        if found[i].kind == "other" and found[i].text == ";":
            i += 1
            continue
        if word not in ("INSERT", "DELETE") or i + 2 >= len(found) or keyword(found[i + 1]) != "DATA" \
                or found[i + 2].text != "{":
            return None
        close = _closing(found, i + 2)
        if close is None:
            return None
        block = text[found[i + 1].start:found[close].start + 1]  # "DATA { ... }"
        operations.append(_Operation(word == "INSERT", "\n".join([*prologue, "INSERT " + block])))
        i = close + 1
        if i < len(found) and not (found[i].kind == "other" and found[i].text == ";"):
            return None  # something after the data block that is not the next operation
    return operations


def _closing(found: list[Token], opening: int) -> int | None:
    depth = found[opening].depth
    for j in range(opening + 1, len(found)):
        if found[j].kind == "close" and found[j].depth == depth:
            return j
    return None


def explicit_update(text: str, base_iri: str | None = None) -> Explicit | None:
    """The change of an update made only of INSERT DATA / DELETE DATA; None for any other update (those
    go through the general path, which reports their syntax errors). Relative IRIs resolve against
    `base_iri`. Raises InputError (400, with Oxigraph's position in the text) for a data update that does
    not parse."""
    operations = data_operations(text)
    if operations is None:
        return None
    checked = ox.Store()
    try:
        # The whole text, for positions in errors; data operations read nothing.
        checked.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise malformed("update", exc) from None
    if len(operations) == 1 and operations[0].insert:
        return Explicit(added=list(checked))
    state: dict[ox.Quad, bool] = {}  # quad -> inserted (True) or deleted (False) by the last operation on it
    for operation in operations:
        scratch = ox.Store()
        try:
            scratch.update(operation.text, base_iri=base_iri)
        except SyntaxError as exc:
            raise malformed("update", exc) from None
        for quad in scratch:
            state[quad] = operation.insert
    return Explicit(added=[q for q, ins in state.items() if ins], removed=[q for q, ins in state.items() if not ins])


def explicit_graph_write(operation: Operation, graph: Graph, quads_of: Callable[[Graph], Iterable[ox.Quad]],
                         data: bytes | None = None, rdf_format: ox.RdfFormat | None = None) -> Explicit:
    """A Graph Store Protocol write: PUT replaces `graph`, POST merges into it, DELETE drops it.
    `quads_of(graph)` reads the graph's quads in the store. Raises InputError for data that does not parse."""
    change = Explicit()
    if operation in (Operation.PUT, Operation.DELETE):
        change.removed = list(quads_of(graph))
        if isinstance(graph, ox.NamedNode):
            change.dropped = [graph]
    if operation in (Operation.PUT, Operation.POST):
        scratch = ox.Store()
        try:
            scratch.load(data or b"", format=rdf_format, to_graph=graph)
        except SyntaxError as exc:
            raise malformed("RDF data", exc) from None
        except ValueError as exc:
            raise InputError(f"the write cannot be applied: {exc}") from None
        change.added = list(scratch)
    return change


def has_graph(store: ox.Store, graph: Graph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def explicit_change(store: ox.Store, request: WriteRequest, base_iri: str | None = None) -> tuple[Explicit | None, bool]:
    """The write's explicit change (None: an update of the general kind) and whether its graph existed;
    an update's relative IRIs resolve against `base_iri`. Raises InputError (malformed update or data,
    unknown format), NotFound (DELETE of a missing graph)."""
    if request.operation is Operation.UPDATE:
        return explicit_update(request.update or "", base_iri), False
    graph: Graph = ox.NamedNode(request.graph) if request.graph else ox.DefaultGraph()
    existed = has_graph(store, graph)
    if request.operation is Operation.DELETE and not existed:
        raise NotFound(f"there is no graph {request.graph or '(default)'} to delete")
    if request.operation is not Operation.DELETE and request.rdf_format not in GRAPHS:
        raise InputError(f"cannot read RDF in format {request.rdf_format!r}")
    rdf_format = GRAPHS[request.rdf_format][1] if request.rdf_format in GRAPHS else None
    return explicit_graph_write(request.operation, graph, lambda g: list(store.quads_for_pattern(None, None, None, g)),
                                request.data, rdf_format), existed


def apply_general_update(store: ox.Store, update: str, derived: str, base: str, using: Sequence[str] = (),
                         using_named: Sequence[str] = ()) -> None:
    """Run an update of the general kind, its relative IRIs resolved against `base` and the protocol's
    dataset (`using`, `using_named`) written in as USING clauses, then compute the default graph (the merge
    of the named graphs) and the derived graph again whole. Raises InputError (malformed update, with the
    position in the client's text; QueryRefused when the text has its own USING or WITH besides a dataset;
    DefaultGraphWrite when it changed the default graph: the store is then changed, load it again)."""
    rewritten = with_dataset(update, using, using_named)
    before = default_quads(store)
    try:
        store.update(rewritten.text, base_iri=base)
    except SyntaxError as exc:
        raise InputError(f"malformed update: {rewritten.explain(str(exc))}") from None
    except ValueError as exc:
        raise InputError(f"the update cannot be applied: {exc}") from None
    if default_quads(store) != before:
        raise DefaultGraphWrite()
    rebuild_merge(store)  # derive reads the default graph
    graph = ox.NamedNode(derived)
    store.clear_graph(graph)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    derive(store, derived, base)
    rebuild_merge(store)


Nodes = set[ox.NamedNode | ox.BlankNode | ox.Literal] | None  # None: validate everything


@dataclass(frozen=True)
class Rules:
    """What applying a write needs besides the data: the shapes, the derived graph and the resource base."""

    model: Model
    derived: str  # the derived graph's IRI
    base: str  # the resource base IRI (with its trailing slash), which an update's relative IRIs resolve against


def rules_for(settings: Settings, model: Model) -> Rules:
    minter = Minter(settings.base_iri)
    return Rules(model, str(minter.graph["derived"]), minter.base)


@dataclass(frozen=True)
class Applied:
    """What a write did to the dataset (already applied; put back when it was refused)."""

    removed: tuple[ox.Quad, ...]
    added: tuple[ox.Quad, ...]
    dropped: tuple[str, ...]  # named graphs the write left empty and removed
    created: bool  # a Graph Store write created its graph
    fast: bool  # the explicit-change path (False: the general path)
    nodes: Nodes  # the focus nodes validated (None: all)
    hits: tuple[Hit, ...]  # the validation results at those nodes

    @property
    def report(self) -> Report:
        return Report(tuple(h.result for h in self.hits))


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


def apply_explicit(store: ox.Store, rules: Rules, explicit: Explicit, tracker: Tracker) -> tuple[tuple[Hit, ...], Nodes]:
    """The fast path (step 2 above), through `tracker`. Returns the validation results of the affected
    focus nodes and those nodes (None: all)."""
    deps, derived = model_deps(rules.model), rules.derived
    if any(in_default(q) for q in (*explicit.added, *explicit.removed)):
        raise DefaultGraphWrite()
    nodes = _stage(store, deps, set(), tracker, tuple(explicit.removed), tuple(explicit.added), explicit.dropped)
    nodes = _merge_stage(store, deps, nodes, tracker)  # the derived graph is computed from the default graph
    changed = list(tracker.was)

    # The derived graph, for the agents the change can touch (all of it if a blank node is in the way).
    graph = ox.NamedNode(derived)
    subjects = derived_subjects(store, changed, derived)
    old = _graph_quads(store, graph) if subjects is None else derived_quads_of(store, derived, subjects)
    stray = tuple(q for q in old if q.predicate.value not in DERIVED_PREDICATES)  # written by hand: DERIVE reads them
    if stray:
        nodes = _stage(store, deps, nodes, tracker, removed=stray)
    if subjects is None:
        new = set(derived_quads(store, derived, rules.base))
    else:
        new = set(derive_for(store, derived, rules.base, subjects))
    kept = set(old) - set(stray)
    nodes = _stage(store, deps, nodes, tracker, removed=tuple(kept - new), added=tuple(new - kept))
    nodes = _merge_stage(store, deps, nodes, tracker)

    if nodes is not None and not all(sparql_term(n) for n in nodes):
        nodes = None
    if nodes is None:
        return tuple(validate_hits(store, rules.model)), None
    focus = sorted(str(sparql_term(n)) for n in nodes)
    return (tuple(validate_hits(store, rules.model, focus)) if nodes else ()), nodes


def apply_change(store: ox.Store, rules: Rules, request: WriteRequest) -> Applied:
    """Apply and validate one write on `store` (steps 1-4 above). The store keeps a valid write; a refused
    one raises ValidationFailed with the store put back. Raises InputError (malformed input; after a
    DefaultGraphWrite or any other error the store may be changed part way: load it again), NotFound."""
    explicit, existed = explicit_change(store, request, rules.base)
    if explicit is not None:
        tracker = Tracker(store)
        hits, nodes = apply_explicit(store, rules, explicit, tracker)
        removed, added = tracker.net()
        # a graph replaced by PUT keeps its name: only a graph left empty is dropped from the list
        dropped = tuple(g.value for g in explicit.dropped if not has_graph(store, g))
    else:
        snapshot, graphs = set(store), set(store.named_graphs())
        apply_general_update(store, request.update or "", rules.derived, rules.base, request.using_graphs,
                             request.using_named_graphs)
        hits, nodes = tuple(validate_hits(store, rules.model)), None
        now = set(store)
        removed, added = tuple(snapshot - now), tuple(now - snapshot)
        dropped = tuple(g.value for g in graphs - set(store.named_graphs()) if isinstance(g, ox.NamedNode))
        del snapshot, now
    applied = Applied(removed, added, dropped, request.creates and not existed, explicit is not None, nodes, hits)
    if not applied.report.conforms:
        for quad in added:
            store.remove(quad)
        store.extend(removed)
        applied.report.raise_if_failed()
    return applied
