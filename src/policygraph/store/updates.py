"""Changes as SPARQL Update text: the one request that removes, drops and adds quads.

Used to commit a write in place (writes/in_place.py) and on a remote engine (writes/remote.py). Imports
pyoxigraph only, so every layer can use it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def data_block(quads: Iterable[ox.Quad]) -> str:
    """Quads in the syntax of INSERT DATA / DELETE DATA (N-Triples terms are SPARQL terms), by graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(graph, []).append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join("\n".join(t) if not g else f"GRAPH {g} {{\n{chr(10).join(t)}\n}}" for g, t in by_graph.items())


def change_update(removed: Iterable[ox.Quad], added: Iterable[ox.Quad], dropped: Iterable[ox.NamedNode] = ()) -> str:
    """One update request (one transaction in Oxigraph and the engines that have them) that removes, drops
    whole graphs, then adds. DELETE DATA cannot name blank nodes: callers replace such graphs whole."""
    removed, added = list(removed), list(added)
    operations = [f"DELETE DATA {{\n{data_block(removed)}\n}}" if removed else "",
                  *(f"DROP SILENT GRAPH {g}" for g in dropped),
                  f"INSERT DATA {{\n{data_block(added)}\n}}" if added else ""]
    return " ;\n".join(op for op in operations if op)
