"""Writes committed in place: the record first, then one transaction, then the swap; a write interrupted
anywhere is completed or absent, never half there; copies follow the records; the derived graph is
recomputed for a few agents exactly as a full derive does."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from policygraph.build import Built
from policygraph.derive import SHORTCUTS, derive_for, derive_query
from policygraph.settings import Settings, load_settings
from policygraph.store.copies import follow, load_current, open_read_only
from policygraph.store.deltas import Delta, read_record, write_record
from policygraph.store.local import current_path, version_name
from policygraph.writes import WriteRequest
from policygraph.writes.in_place import WriteContext, apply_write, warm, write_to_disk
from tests.support.paths import ROOT

WMO = "https://w3id.org/policygraph/id/organisation/wmo"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
GRAPH = "https://w3id.org/policygraph/graph/curated/wmo"


def label(text: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(WMO), ox.NamedNode(ALT), ox.Literal(text, language="en"), ox.NamedNode(GRAPH))


def insert(*texts: str) -> WriteRequest:
    body = " ".join(f'<{WMO}> <{ALT}> "{t}"@en .' for t in texts)
    return WriteRequest("update", update=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {body} }} }}")


def quads(path: Path) -> set[ox.Quad]:
    return set(open_read_only(path))


@pytest.fixture
def copy(built: Built, store_dir: Path, tmp_path: Path) -> Settings:
    target = tmp_path / "store"
    shutil.copytree(store_dir, target, symlinks=True)
    return load_settings(environ={}, root=ROOT, store=str(target))


def test_derive_for_some_agents_equals_the_full_derive(built: Built) -> None:
    derived, base = str(built.minter.graph["derived"]), built.minter.base
    full = {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(derived))
            for t in built.store.query(derive_query(base))}  # type: ignore[union-attr]
    agents = {q.subject for q in full if q.predicate.value in SHORTCUTS}
    assert len(agents) > 50
    assert set(derive_for(built.store, derived, base, agents)) == full  # type: ignore[arg-type]
    one = next(iter(sorted(agents, key=str)))
    derivations = {q.subject for q in full if q.predicate.value.endswith("#subject") and q.object == one}
    assert derivations
    mine = {q for q in full if q.subject == one or q.subject in derivations}
    assert set(derive_for(built.store, derived, base, {one})) == mine  # type: ignore[arg-type]


def test_a_write_recorded_but_not_applied_is_completed_by_the_next_writer(copy: Settings) -> None:
    """A crash after the record and before (or after) the transaction, before the swap."""
    root = copy.store_path
    base = current_path(root).name
    for applied in (False, True):
        base = current_path(root).name
        delta = Delta(version_name(), base, 0, (), (label(f"recorded {applied}"),), ())
        write_record(root, delta)
        if applied:  # the transaction went through too
            disk = ox.Store(str(current_path(root)))
            write_to_disk(disk, delta)
            del disk
        assert current_path(root).name == base  # readers still see the old version
        ctx = WriteContext(copy)
        warm(ctx)
        assert current_path(root).name == delta.version
        assert label(f"recorded {applied}") in ctx.memory  # type: ignore[operator]
        ctx.close()
        assert label(f"recorded {applied}") in quads(current_path(root))


def test_copies_follow_the_records_and_reload_without_them(copy: Settings) -> None:
    root = copy.store_path
    version, memory = load_current(root)
    ctx = WriteContext(copy)
    first = apply_write(ctx, insert("first"))
    second = apply_write(ctx, insert("second"))
    apply_write(ctx, WriteRequest("update", update=f'DELETE DATA {{ GRAPH <{GRAPH}> {{ <{WMO}> <{ALT}> "first"@en }} }}'))
    ctx.close()
    on_disk = quads(current_path(root))
    # two records behind: the chain is followed, not the store reloaded (the same object comes back)
    now, followed = follow(root, version, memory)
    assert followed is memory and now == current_path(root).name and set(followed) == on_disk
    # a copy that already holds part of the changes (loaded while a write was being applied) ends the same
    partial = ox.Store()
    partial.extend(quads(current_path(root)) - {label("second")} | {label("first")})
    _, caught_up = follow(root, first.version, partial)
    assert set(caught_up) == on_disk
    # a missing record: the copy is loaded again
    (root / "deltas" / second.version).unlink()
    _, reloaded = follow(root, version, ox.Store())
    assert set(reloaded) == on_disk
    assert read_record(root, second.version) is None


WRITER = """
import sys
from pathlib import Path
from policygraph.settings import load_settings
from policygraph.writes import WriteRequest
from policygraph.writes.in_place import WriteContext, apply_write
settings = load_settings(environ={}, root=Path(sys.argv[1]), store=sys.argv[2])
ctx = WriteContext(settings)
G, S, P = "<%s>" % sys.argv[3], "<%s>" % sys.argv[4], "<%s>" % sys.argv[5]
def block(k):
    return " ".join('%s %s "kill %d-%d"@en .' % (S, P, k, i) for i in range(20))
clean = 'DELETE { GRAPH %s { %s %s ?l } } WHERE { GRAPH %s { %s %s ?l } FILTER (STRSTARTS(STR(?l), "kill ")) }' % (G, S, P, G, S, P)
apply_write(ctx, WriteRequest("update", update=clean + " ; INSERT DATA { GRAPH %s { %s } }" % (G, block(0))))
print("ready", flush=True)
k = 0
while True:
    k += 1
    text = "DELETE DATA { GRAPH %s { %s } } ; INSERT DATA { GRAPH %s { %s } }" % (G, block(k - 1), G, block(k))
    apply_write(ctx, WriteRequest("update", update=text))
"""


def test_sigkill_during_writes_leaves_one_whole_write(copy: Settings) -> None:
    """Each write replaces 20 labels by 20 others; killed at any point, then restarted: exactly one
    write's labels are there, all 20, on disk and in the writer's copy."""
    root = copy.store_path
    for delay in (0.3, 0.7, 1.1):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(ROOT), str(root), GRAPH, WMO, ALT],
                                  stdout=subprocess.PIPE, cwd=ROOT)
        assert writer.stdout is not None and writer.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        ctx = WriteContext(copy)
        warm(ctx)
        for store in (ctx.memory, quads(current_path(root))):
            found = {q.object.value for q in store if q.object.value.startswith("kill ")}  # type: ignore[union-attr]
            writes = {text.split()[1].split("-")[0] for text in found}
            assert len(writes) == 1 and len(found) == 20, sorted(found)
        ctx.close()
