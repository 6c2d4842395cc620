"""The on-disk store: atomic swap, killed builds leave the previous store serving, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from policygraph.errors import StoreError
from policygraph.store import open_store, write_store
from policygraph.store.local import LocalStore, changed_at, current_path, version_name
from tests.support.paths import ROOT

NQ = b'<http://example.org/s> <http://example.org/p> "%d" <http://example.org/g> .\n'


def count(root: Path) -> int:
    return len(open_store(root))


def test_write_store_swaps_current(tmp_path: Path) -> None:
    first = write_store(NQ % 1, tmp_path)
    assert current_path(tmp_path) == first and count(tmp_path) == 1
    second = write_store(NQ % 1 + NQ % 2, tmp_path)
    assert current_path(tmp_path) == second and count(tmp_path) == 2
    third = write_store(NQ % 3, tmp_path)
    builds = sorted(p.name for p in tmp_path.glob("build-*"))
    assert builds == sorted([second.name, third.name])  # the previous build is kept, older ones swept


def test_bad_data_leaves_current_untouched(tmp_path: Path) -> None:
    good = write_store(NQ % 1, tmp_path)
    with pytest.raises(StoreError, match="loading the built graph"):
        write_store(b"<not a quad", tmp_path)
    assert current_path(tmp_path) == good and count(tmp_path) == 1
    assert not list(tmp_path.glob(".building-*"))


def test_handle_follows_a_new_build(tmp_path: Path) -> None:
    write_store(NQ % 1, tmp_path)
    now = [100.0]
    handle = LocalStore(tmp_path, clock=lambda: now[0])
    old = handle.version
    write_store(NQ % 1 + NQ % 2, tmp_path)
    now[0] += 0.5  # the handle looks at the link at most once a second
    assert len(handle.get()) == 1 and handle.version == old
    now[0] += 0.6
    assert len(handle.get()) == 2 and handle.version != old


def test_missing_and_corrupt_stores_are_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="no built store"):
        open_store(tmp_path / "empty")
    build = write_store(NQ % 1, tmp_path / "corrupt")
    for file in build.iterdir():
        if file.is_file():
            file.write_bytes(b"garbage")
    with pytest.raises(StoreError, match="corrupt or unreadable"):
        open_store(tmp_path / "corrupt")
    os.unlink(tmp_path / "corrupt" / "current")
    os.symlink("build-gone", tmp_path / "corrupt" / "current")
    with pytest.raises(StoreError, match="is missing"):
        open_store(tmp_path / "corrupt")


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0, 5.0, 7.0])
def test_build_killed_at_any_point_leaves_the_previous_store(tmp_path: Path, delay: float) -> None:
    store = tmp_path / "store"
    write_store(NQ % 1, store)
    before = current_path(store)
    env = {**os.environ, "POLICYGRAPH_STORE": str(store), "POLICYGRAPH_ROOT": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "build"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = process.poll() is not None
    if not finished:
        process.send_signal(signal.SIGKILL)
    process.wait()
    now = current_path(store)
    data = open_store(store)
    if now == before:
        assert len(data) == 1  # the old state, whole
    else:
        # Killed, or it finished on its own (also between the poll and the signal: then the signal found no process).
        assert process.returncode in (0, -signal.SIGKILL)
        assert len(data) > 10_000  # the new state, whole
        assert bool(data.query("ASK { GRAPH ?g { ?s a <https://w3id.org/policygraph/ontology#Profile> } }"))
    # A later build cleans what the killed one left half-written.
    write_store(NQ % 1, store)
    assert not list(store.glob(".building-*"))


def test_oxigraph_read_only_sees_data(tmp_path: Path) -> None:
    write_store(NQ % 5, tmp_path)
    assert isinstance(open_store(tmp_path), ox.Store)


def test_a_build_and_a_write_name_the_time_the_store_changed(tmp_path: Path) -> None:
    """The VoID description's dcterms:modified comes from the version name: a build's and a write's alike."""
    before = datetime.now(UTC).replace(microsecond=0)
    build = write_store(NQ % 1, tmp_path).name
    names = [build, version_name()]
    after = datetime.now(UTC)
    for name in names:
        when = changed_at(name)
        assert when is not None and before <= datetime.fromisoformat(when.replace("Z", "+00:00")) <= after, name
    assert changed_at("remote-0a1b2c") is None and changed_at("build-2026") is None
