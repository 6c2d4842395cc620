"""The explicit change of a write: the quads it adds and removes, found without touching the store.

A SPARQL update made only of INSERT DATA and DELETE DATA operations, and every Graph Store Protocol
write, says exactly which quads it adds and removes. Each data operation is run alone on an empty
in-memory store (a DELETE DATA as the INSERT DATA of the same block), which gives its quads with
Oxigraph's own parser, prefixes and base IRI included; the operations are then combined in order (the
last operation on a quad decides). Any other update (DELETE/INSERT ... WHERE, CLEAR, DROP, ADD, ...)
depends on the data it matches: it has no explicit change here and takes the general write path.

Operations are found with the guards' tokenizer (policygraph.sparql.guards), which reads strings, IRIs
and comments as the grammar does: a ';' or a keyword inside them cannot split or disguise an operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.errors import InputError
from policygraph.sparql.guards import Token, keyword, tokens

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


def explicit_update(text: str) -> Explicit | None:
    """The change of an update made only of INSERT DATA / DELETE DATA; None for any other update (those
    go through the general path, which reports their syntax errors). Raises InputError (400, with
    Oxigraph's position in the text) for a data update that does not parse."""
    operations = data_operations(text)
    if operations is None:
        return None
    checked = ox.Store()
    try:
        checked.update(text)  # the whole text, for positions in errors; data operations read nothing
    except SyntaxError as exc:
        raise malformed("update", exc) from None
    if len(operations) == 1 and operations[0].insert:
        return Explicit(added=list(checked))
    state: dict[ox.Quad, bool] = {}  # quad -> inserted (True) or deleted (False) by the last operation on it
    for operation in operations:
        scratch = ox.Store()
        try:
            scratch.update(operation.text)
        except SyntaxError as exc:
            raise malformed("update", exc) from None
        for quad in scratch:
            state[quad] = operation.insert
    return Explicit(added=[q for q, ins in state.items() if ins], removed=[q for q, ins in state.items() if not ins])


def explicit_graph_write(operation: str, graph: Graph, quads_of: Callable[[Graph], Iterable[ox.Quad]],
                         data: bytes | None = None, rdf_format: ox.RdfFormat | None = None) -> Explicit:
    """A Graph Store Protocol write: PUT replaces `graph`, POST merges into it, DELETE drops it.
    `quads_of(graph)` reads the graph's quads in the store. Raises InputError for data that does not parse."""
    change = Explicit()
    if operation in ("put", "delete"):
        change.removed = list(quads_of(graph))
        if isinstance(graph, ox.NamedNode):
            change.dropped = [graph]
    if operation in ("put", "post"):
        scratch = ox.Store()
        try:
            scratch.load(data or b"", format=rdf_format, to_graph=graph)
        except SyntaxError as exc:
            raise malformed("RDF data", exc) from None
        except ValueError as exc:
            raise InputError(f"the write cannot be applied: {exc}") from None
        change.added = list(scratch)
    return change
