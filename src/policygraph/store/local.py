"""The embedded Oxigraph store on disk.

Layout of the store directory:

    var/store/
      build-20261128T121314-123456789/  one complete Oxigraph store per build (`policygraph build`)
      v-20261128T121400-987654321 -> build-...   one name per committed write (a symlink to the build
                                                 the write was applied to, in place)
      current -> build-... | v-...      symlink, swapped atomically (rename) after a build or a write
      deltas/v-...                      what each write changed (store/deltas.py)
      .write.lock                       flock: one writer at a time (writes, and the swap of a build)

A build loads into a fresh hidden directory (`.building-<stamp>-<pid>`), renames it into place, then
swaps `current`: a build that fails or is killed at any point leaves `current` untouched.

A write is applied in place to the current build, by the one writer process that holds it open
read-write (writes/in_place.py), as one Oxigraph transaction. Its durable record comes first: the delta
record is written and fsynced, then the version name (`version_name`, linked by `link_version`), then the transaction, then the
swap of `current` to the new name. The name of `current` therefore changes with every write (the result
cache and the query workers key on it) while the build directory stays. A crash after the record and
before the swap leaves a record whose base is the current name: the writer completes it (the record is
idempotent) before anything else, so the data is the old state or the new one, never a mix.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from policygraph.errors import StoreError
from policygraph.store.copies import CURRENT, open_read_only
from policygraph.store.deltas import alive, sweep_records

KEEP_BUILDS = 2  # the current build and the one before, for readers still holding it
KEEP_DELTAS = 64  # delta records kept, so that a copy a few writes behind catches up without a reload
LOCK_FILE = ".write.lock"


@contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """The exclusive write lock on the store directory, across processes (released if the holder dies)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


_STAMP = re.compile(r"^(?:build|v)-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)-\d{9}$")


def _stamp() -> str:
    """'20261128T121314-123456789': UTC time to the nanosecond, so that names sort in time order."""
    now = time.time_ns()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f"-{now % 1_000_000_000:09d}"


def changed_at(version: str) -> str | None:
    """When the store of a version name was built or last written: 'v-20261128T123500-142948113' ->
    '2026-11-28T12:35:00Z'; None for a name of another kind (a remote store's)."""
    m = _STAMP.match(version)
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}Z" if m else None


def _names(root: Path) -> tuple[Path, Path]:
    """A hidden directory to build in and the build name it gets once complete."""
    stamp = _stamp()
    return root / f".building-{stamp}-{os.getpid()}", root / f"build-{stamp}"


def write_store(nquads: bytes | IO[bytes], root: Path) -> Path:
    """Load N-Quads into a new store under `root` and make it current. Returns the new store's path."""
    root.mkdir(parents=True, exist_ok=True)
    _sweep_partial(root)
    partial, final = _names(root)
    try:
        store = ox.Store(str(partial))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        partial.rename(final)
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError(f"loading the built graph into {partial} failed: {exc}") from exc
    with store_lock(root):  # a write in progress finishes first; the build then replaces its result
        _swap_current(root, final.name)
        _sweep_old(root, keep=final.name)
    return final


def version_name() -> str:
    """A new name for the current store after a write."""
    return "v-" + _stamp()


def link_version(root: Path, name: str, build: Path) -> None:
    """Make `name` a symlink to the build directory (its durability comes with the swap's fsync)."""
    if not (root / name).is_symlink():
        os.symlink(build.name, root / name)


def swap_current(root: Path, target: str) -> None:
    """Point `current` at `target` (a build or a version name); call it holding `store_lock`."""
    _swap_current(root, target)
    _sweep_old(root, keep=(root / target).resolve().name)


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
    """Remove hidden build directories left by builds and writes whose process is gone (or is this one:
    each process runs one build or write at a time), never those another live process is filling."""
    for path in root.glob(".building-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or not alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _sweep_old(root: Path, keep: str) -> None:
    """Keep the newest builds (and the one `current` is in), the newest version names and records."""
    builds = sorted(p for p in root.glob("build-*") if p.is_dir() and not p.is_symlink())
    for old in builds[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    current = os.readlink(root / CURRENT) if (root / CURRENT).is_symlink() else ""
    versions = sorted(p for p in root.glob("v-*") if p.is_symlink())
    for old in versions[:-KEEP_DELTAS]:
        if old.name != current:
            old.unlink(missing_ok=True)
    for version in versions[-KEEP_DELTAS:]:
        if version.name != current and not version.exists():  # its build was swept
            version.unlink(missing_ok=True)
    sweep_records(root, KEEP_DELTAS)


def current_path(root: Path) -> Path:
    """The current store as `current` names it: a build directory, or a version name (a symlink to the
    build a write changed). Its `.name` changes with every build and every write."""
    if not root.exists():
        raise StoreError(f"the store directory {root} does not exist: run 'policygraph build' first, or set "
                         "POLICYGRAPH_STORE (the store setting) to a built one")
    link = root / CURRENT
    if not link.is_symlink() and not link.exists():
        raise StoreError(f"the store directory {root} holds no built store ('{CURRENT}' is missing): run 'policygraph build', "
                         "or set POLICYGRAPH_STORE (the store setting) to a built one")
    target = root / os.readlink(link)
    if not target.is_dir():
        raise StoreError(f"the current store {target} is missing: run 'policygraph build' again")
    return target


def build_path(root: Path) -> Path:
    """The build directory the current store is in (version names resolved)."""
    return current_path(root).resolve()


def open_store(root: Path, read_only: bool = True) -> ox.Store:
    """Open the current built store. Clear StoreErrors for missing, locked or corrupt stores."""
    path = current_path(root)
    try:
        return open_read_only(path) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(f"the store {path} is locked by another process: {text}") from exc
        raise StoreError(f"the store {path} cannot be opened (corrupt or unreadable): {text}") from exc


class LocalStore:
    """A handle on the current built store that follows the `current` link when a new build lands."""

    def __init__(self, root: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self._clock = clock  # seconds; the link is looked at once a second at most
        self._path = current_path(root)
        self._store = open_store(root)
        self._checked = clock()

    @property
    def path(self) -> Path:
        return self._path

    def get(self) -> ox.Store:
        now = self._clock()
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
