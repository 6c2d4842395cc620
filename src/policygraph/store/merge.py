"""The default graph: the RDF merge of the named graphs, kept by policygraph.

Every curated file's statements live in that file's named graph, so a fact that several profiles state
(the AI Act is an initiative; the UN is named "United Nations") is a triple in several graphs. A SPARQL
dataset whose default graph is the *union* of the named graphs counts such a triple once per graph in
Oxigraph 0.5 (oxigraph#1919: a bag, not a set): the UN, declared in seven files, would come back 1,715
times from a four-pattern query. So the store holds the merge itself, as its default graph: each
distinct triple of the named graphs once. Queries read it as their default graph (`GRAPH ?g` still
reaches the named graphs), builds write it, and every write keeps it equal to the merge
(`merge_change`). Writes name their graphs: the default graph is not written directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()
Triple = tuple[ox.NamedNode | ox.BlankNode | ox.Triple, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


def in_default(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.DefaultGraph)


def merged(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The distinct triples of the named-graph quads, as quads of the default graph."""
    seen: set[Triple] = set()
    for q in quads:
        if in_default(q):
            continue
        key = (q.subject, q.predicate, q.object)
        if key not in seen:
            seen.add(key)
            yield ox.Quad(q.subject, q.predicate, q.object, DEFAULT)


def in_named(store: ox.Store, triple: Triple) -> bool:
    """Whether a named graph of `store` holds the triple."""
    s, p, o = triple
    return any(not in_default(q) for q in store.quads_for_pattern(s, p, o, None))


def merge_change(store: ox.Store, changed: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(removed, added): the default-graph quads that keep the default graph the merge, for the triples of
    `changed` (named-graph quads a write added or removed; `store` is after the write)."""
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    triples: set[Triple] = {(q.subject, q.predicate, q.object) for q in changed if not in_default(q)}
    for triple in triples:
        quad = ox.Quad(triple[0], triple[1], triple[2], DEFAULT)
        wanted, present = in_named(store, triple), quad in store
        if wanted and not present:
            added.append(quad)
        elif present and not wanted:
            removed.append(quad)
    return removed, added


def rebuild_merge(store: ox.Store) -> None:
    """Make the default graph the merge of the named graphs again, whole (after a change of unknown extent)."""
    store.clear_graph(DEFAULT)
    store.extend(list(merged(store.quads_for_pattern(None, None, None, None))))


def default_quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, DEFAULT))
