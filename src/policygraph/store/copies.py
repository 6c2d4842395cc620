"""In-memory copies of the current build that follow it: what a query worker and the writer process hold.

A copy is loaded from the build `current` names, read-only (`open_read_only` retries a reader that meets
a compaction of the writer's), and brought forward after a write by its delta records (store/deltas.py:
milliseconds for a write), or loaded again when there is no chain of records to the current version (a
rebuild, a write of the general kind). Imports only pyoxigraph and the standard library (every worker
process imports it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyoxigraph as ox

from policygraph.store.deltas import chain

CURRENT = "current"  # the link store/local.py swaps after a build or a write


def store_version(root: Path) -> str:
    """The name of the build `current` points at; changes with every build and every write."""
    try:
        return os.readlink(root / CURRENT)
    except OSError as exc:
        raise OSError(f"the store directory {root} holds no built store ('current' is missing): {exc}") from exc


OPEN_ATTEMPTS = 5


def open_read_only(path: Path) -> ox.Store:
    """Open a store read-only, retrying a few times: the writer process keeps the current build open
    read-write, and a compaction there can delete a file between the moment a reader reads the list of
    files and the moment it opens them (RocksDB then reports corruption or a missing file). A reader that
    has opened the store keeps its files open, so only the opening needs this."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            text = str(exc)
            if attempt + 1 == OPEN_ATTEMPTS or not ("Corruption" in text or "No such file" in text):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def load_current(root: Path) -> tuple[str, ox.Store]:
    """An in-memory copy of the current store, and its version (see `follow` for a copy that holds more
    than its version says)."""
    version = store_version(root)
    on_disk = open_read_only(root / version)
    memory = ox.Store()
    memory.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
    del on_disk
    return version, memory


def follow(root: Path, version: str | None, store: ox.Store | None) -> tuple[str, ox.Store]:
    """The copy brought to the current build: unchanged, moved on by its delta records, or reloaded."""
    current = store_version(root)
    if store is not None and version is not None and current != version:
        deltas = chain(root, version, current)
        if deltas is not None:
            for delta in deltas:
                delta.apply(store)
            return current, store
    if store is None or current != version:
        return load_current(root)
    return current, store
