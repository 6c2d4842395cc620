"""The embedded Oxigraph store on disk.

Layout of the store directory:

    var/store/
      build-20261128T121314-123456/   one complete Oxigraph store per successful build
      current -> build-...            symlink, swapped atomically (rename) after a build succeeds

A build loads into a fresh hidden directory, renames it into place, then swaps `current`. A build that
fails or is killed at any point leaves `current` (and so the serving store) untouched.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from policygraph.errors import StoreError

CURRENT = "current"
KEEP_BUILDS = 2  # the current build and the one before, for readers still holding it


def write_store(nquads: bytes | IO[bytes], root: Path) -> Path:
    """Load N-Quads into a new store under `root` and make it current. Returns the new store's path."""
    root.mkdir(parents=True, exist_ok=True)
    _sweep_partial(root)
    now = time.time_ns()  # names sort in time order: seconds, then nanoseconds within the second
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f"-{now % 1_000_000_000:09d}"
    partial = root / f".building-{stamp}-{os.getpid()}"
    final = root / f"build-{stamp}"
    try:
        store = ox.Store(str(partial))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        partial.rename(final)
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError(f"loading the built graph into {partial} failed: {exc}") from exc
    _swap_current(root, final.name)
    _sweep_old(root, keep=final.name)
    return final


def _swap_current(root: Path, target: str) -> None:
    link = root / CURRENT
    tmp = root / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic on POSIX: readers see the old or the new store, never none
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep_partial(root: Path) -> None:
    for path in root.glob(".building-*"):
        shutil.rmtree(path, ignore_errors=True)


def _sweep_old(root: Path, keep: str) -> None:
    builds = sorted(p for p in root.glob("build-*") if p.is_dir())
    for old in builds[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def current_path(root: Path) -> Path:
    if not root.exists():
        raise StoreError(f"the store directory {root} does not exist: run 'policygraph build' first")
    link = root / CURRENT
    if not link.is_symlink() and not link.exists():
        raise StoreError(f"the store directory {root} holds no built store ('{CURRENT}' is missing): run 'policygraph build'")
    target = link.resolve()
    if not target.is_dir():
        raise StoreError(f"the current store {target} is missing: run 'policygraph build' again")
    return target


def open_store(root: Path, read_only: bool = True) -> ox.Store:
    """Open the current built store. Clear StoreErrors for missing, locked or corrupt stores."""
    path = current_path(root)
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(f"the store {path} is locked by another process: {text}") from exc
        raise StoreError(f"the store {path} cannot be opened (corrupt or unreadable): {text}") from exc


class LocalStore:
    """A handle on the current built store that follows the `current` link when a new build lands."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._path = current_path(root)
        self._store = open_store(root)
        self._checked = time.monotonic()

    @property
    def path(self) -> Path:
        return self._path

    def get(self) -> ox.Store:
        now = time.monotonic()
        if now - self._checked > 1.0:
            self._checked = now
            path = current_path(self.root)
            if path != self._path:
                self._store, self._path = open_store(self.root), path
        return self._store

    @property
    def version(self) -> str:
        """Changes whenever another build becomes current (used for caching)."""
        self.get()
        return self._path.name
