"""One write committed in place to the embedded store, in the writer process.

The writer process keeps three things between writes (WriteContext): the compiled shapes, an in-memory
copy of the current store (validation over Oxigraph's memory store runs about 3 times faster than over
RocksDB), and the current build opened read-write. Under the store's exclusive write lock
(store.local.store_lock), a write:

1. brings the copies to the current store (`prepare`): completes a write recorded but interrupted before
   its swap, reopens after a rebuild, loads the copy once;
2. is applied to the in-memory copy and validated there (writes/apply.py: the fast path for an explicit
   change, incremental validation; the general path for other updates);
3. a violation refuses the write whole: the copy is put back (422 with the report; nothing on disk
   changed);
4. commits: the delta record (net quads removed and added) written and fsynced under a new version name
   (store/deltas.py), the name linked to the build, the change applied to the build on disk as one
   Oxigraph transaction (one SPARQL update: DELETE DATA, DROP, INSERT DATA; quads with blank nodes,
   which DELETE DATA cannot name, are removed and added one call at a time, the record then covering
   an interruption), and `current` swapped to the new name. The query workers follow with the record.

A crash before the record is written leaves the old state; after it, the writer completes the write
(the record is idempotent) before it does anything else: the new state. Never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policygraph.errors import DefaultGraphWrite, InputError, NotFound, StoreError
from policygraph.settings import Settings
from policygraph.shacl import Model, read_model
from policygraph.shacl.incremental import model_deps
from policygraph.store.deltas import Delta, pending, write_record
from policygraph.store.local import build_path, current_path, link_version, store_lock, swap_current, version_name
from policygraph.store.updates import change_update, has_blank
from policygraph.validate import load_shapes
from policygraph.writes.apply import Rules, apply_change, rules_for
from policygraph.writes.model import WriteRequest


@dataclass(frozen=True)
class Committed:
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
        self.model = read_model(load_shapes(self.settings.input_dir("shapes_dir")))
        model_deps(self.model)  # computed once, on the first call

    @property
    def root(self) -> Path:
        return self.settings.store_path

    @property
    def rules(self) -> Rules:
        return rules_for(self.settings, self.model)

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


def apply_write(ctx: WriteContext, request: WriteRequest) -> Committed:
    """Steps 1-4 of the module docstring. Raises ValidationFailed, InputError, NotFound, StoreError."""
    with store_lock(ctx.root):
        _disk, memory = ctx.prepare()
        before = ctx.quads
        try:
            applied = apply_change(memory, ctx.rules, request)
        except DefaultGraphWrite:
            ctx.memory = None  # refused after the general path changed the copy: load it again
            raise
        except (InputError, NotFound):
            raise  # refused before anything changed
        except BaseException:
            ctx.memory = None  # the copy may be changed part way: load it again
            raise
        after = before + len(applied.added) - len(applied.removed)
        version = ctx.commit(applied.removed, applied.added, applied.dropped, after)
    return Committed(created=applied.created, quads_before=before, quads_after=after, version=version,
                     fast=applied.fast, validated=len(applied.nodes) if applied.nodes is not None else None)
