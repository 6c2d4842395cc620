"""Delta records: what a committed write changed, so that in-memory copies follow it without a reload.

Every committed write (writes/in_place.py) leaves a record, written and fsynced before the write touches
the store on disk, under the version name the write gives the store (store.local):

    <store>/deltas/v-<stamp>     JSON: {"base": <the version it applies to>, "quads": <count after>,
                                        "removed": N-Quads, "added": N-Quads, "dropped": [graph IRIs]}

Applying a record to a copy of its base gives a copy of the new version: remove `removed`, drop the
`dropped` named graphs (already empty by then), add `added`. Blank nodes keep their labels (N-Quads
round-trips them), so the copy stays equal to the store on disk. Applying a record is idempotent, and so
is applying a chain of them to a copy that already holds some of their changes: each quad ends as the
last record that names it says. A copy several writes behind follows the chain of records back to its
own version; where a link is missing (a rebuild, a record swept away) the copy is reloaded whole.

Imported by the query workers: the standard library and pyoxigraph only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

DELTAS = "deltas"
MAX_CHAIN = 64  # records followed back from the current build before a copy is reloaded instead


@dataclass(frozen=True)
class Delta:
    version: str  # the build this record leads to
    base: str  # the build it applies to
    quads: int  # the number of quads after it
    removed: tuple[ox.Quad, ...] = ()
    added: tuple[ox.Quad, ...] = ()
    dropped: tuple[str, ...] = ()  # named graphs removed from the store's list of graphs

    def apply(self, store: ox.Store) -> None:
        for quad in self.removed:
            store.remove(quad)
        for graph in self.dropped:
            name = ox.NamedNode(graph)
            if store.contains_named_graph(name):
                store.remove_graph(name)
        store.extend(self.added)


def record_path(root: Path, version: str) -> Path:
    return root / DELTAS / version


def _nquads(quads: tuple[ox.Quad, ...]) -> str:
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")


def write_record(root: Path, delta: Delta) -> Path:
    """Write the record durably (temporary file, fsync, rename, fsync of the directory)."""
    folder = root / DELTAS
    folder.mkdir(exist_ok=True)
    body = json.dumps({"base": delta.base, "quads": delta.quads, "removed": _nquads(delta.removed),
                       "added": _nquads(delta.added), "dropped": list(delta.dropped)})
    final = record_path(root, delta.version)
    partial = folder / f".{delta.version}-{os.getpid()}"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, final)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def read_record(root: Path, version: str) -> Delta | None:
    """The record that leads to `version`, or None if there is none (or it cannot be read)."""
    try:
        data = json.loads(record_path(root, version).read_text(encoding="utf-8"))
        removed = tuple(ox.parse(data["removed"].encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        added = tuple(ox.parse(data["added"].encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        return Delta(version, str(data["base"]), int(data["quads"]), removed, added, tuple(data.get("dropped", ())))
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):
        return None


def chain(root: Path, have: str, want: str) -> list[Delta] | None:
    """The records that take a copy of build `have` to build `want`, oldest first; None if the chain
    is broken (or longer than MAX_CHAIN): then the copy must be reloaded."""
    found: list[Delta] = []
    version = want
    while version != have:
        if len(found) >= MAX_CHAIN:
            return None
        delta = read_record(root, version)
        if delta is None:
            return None
        found.append(delta)
        version = delta.base
    return found[::-1]


def pending(root: Path, current: str) -> Delta | None:
    """The newest record if it leads from `current` to a version `current` does not name yet: a write
    recorded, then interrupted before its swap (the writer completes it)."""
    folder = root / DELTAS
    names = sorted(p.name for p in folder.iterdir() if p.name.startswith("v-")) if folder.is_dir() else []
    if not names or names[-1] == current:
        return None
    delta = read_record(root, names[-1])
    return delta if delta is not None and delta.base == current else None


def sweep_records(root: Path, keep: int) -> None:
    """Keep the `keep` newest records (names sort in time order) and no stray temporary files."""
    folder = root / DELTAS
    if not folder.is_dir():
        return
    records = sorted(p for p in folder.iterdir() if p.name.startswith("v-"))
    for old in records[:-keep] if keep else records:
        old.unlink(missing_ok=True)
    for stray in folder.glob(".v-*"):
        pid = stray.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not alive(int(pid)):
            stray.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (also under another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
