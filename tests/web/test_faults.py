"""Faults: a server killed during an authorised write, then restarted on the same store, holds
exactly the old dataset or exactly the new one, never a mix; a write it reported as committed is never
lost; and the server and the command line start cleanly on an existing store, and name the path and the
problem when the store is missing, locked or corrupt.

Every kill takes the whole process tree (the server, its fork server, query workers and the writer
process): SIGKILL, as a crash or `kill -9` would. The checks are on behaviour only (what the restarted
server answers, what the store holds), so they hold for any write implementation."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from policygraph.store import open_store
from policygraph.validate import load_shapes, validate_graph
from tests.support.paths import ROOT
from tests.support.server import LiveServer, start_server, stop_server
from tests.web.sparql_support import sparql

# All of it is about the embedded store's files (a remote engine commits a write as one update request).
pytestmark = pytest.mark.local_store

TOKEN = "fault-test-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
ID = "https://w3id.org/policygraph/id/"
NEW = ID + "initiative/fault-test-initiative"
NEW_STATEMENTS = ID + "statement/{profile}/initiative/fault-test-initiative/"
PG = "https://w3id.org/policygraph/ontology#"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# The inserted triples: the new initiative's own and those of its statement nodes.
COUNT_NEW = (f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?s = <{NEW}> || '
             f'(STRSTARTS(STR(?s), "{ID}statement/") && CONTAINS(STR(?s), "/initiative/fault-test-initiative/"))) }}')
# When the kill comes, counted from the moment the write is sent ...
FIXED_DELAYS = [0.0, 0.5, 2.0]
# ... as fractions of how long the uninterrupted write took (so some land late, near the commit) ...
FRACTIONS = [0.95]
# ... or counted from the first change the write makes on disk (a new or changed file under the store) ...
AFTER_DISK_CHANGE = [0.0, 0.5]
# ... or from the first change beside the builds (a new build being written, a record of the change, a
# new name for `current`: not the files inside an existing build, which opening it for writing touches),
# which is when a commit is under way, whatever the write implementation. Commits take milliseconds.
AFTER_COMMIT_STARTS = [0.0, 0.005, 0.02, 0.1]
WRITE_TIMEOUT = "60"  # seconds; a write stuck behind a lock left by the killed server fails the test in time


# -- the process tree


def _parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) may hold spaces and parentheses: the parent pid follows the last ')'.
        found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def process_tree(root: int) -> set[int]:
    """`root` and every process descended from it."""
    parents = _parents()
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its exit status is left


def kill_tree(process: subprocess.Popen[bytes], known: frozenset[int] = frozenset()) -> None:
    """SIGKILL the server and every descendant at once. They are stopped first, so none can spawn a
    child or be reparented while the tree is collected; then the whole tree dies together. The `known`
    part of the tree is stopped before the tree is collected, so the kill lands within microseconds."""
    for pid in known:
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            pass
    tree: set[int] = set()
    while True:
        found = process_tree(process.pid) | tree
        for pid in found - tree - known:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        if found == tree:
            break
        tree = found
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in tree):
        assert time.monotonic() < deadline, "a killed process is still running"
        time.sleep(0.05)


# -- the write and the states


def insert_text(built: Built) -> str:
    """A valid SPARQL update: a copy of an existing initiative (so it passes the shapes) under a new IRI,
    with its statement nodes (involvements, issue tags...), in the same curated graph."""
    rows = built.store.query(f"""SELECT ?i ?g WHERE {{ GRAPH ?g {{ ?i a <{PG}Initiative> ; <{PG}involvement> ?x }}
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/policygraph/graph/curated/")) }} ORDER BY ?i LIMIT 1""")
    assert isinstance(rows, ox.QuerySolutions)
    source, graph = next(iter((row["i"], row["g"]) for row in rows))
    profile = graph.value.rsplit("/", 1)[1]
    old_statements = f"{ID}statement/{profile}/initiative/{source.value.rsplit('/', 1)[1]}/"
    lines = []
    for quad in built.store.quads_for_pattern(None, None, None, graph):
        subject = quad.subject.value
        if subject != source.value and not subject.startswith(old_statements):
            continue
        terms = []
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode) and term == source:
                term = ox.NamedNode(NEW)
            elif isinstance(term, ox.NamedNode) and term.value.startswith(old_statements):
                term = ox.NamedNode(NEW_STATEMENTS.format(profile=profile) + term.value[len(old_statements):])
            elif isinstance(term, ox.Literal) and quad.predicate.value.endswith(("#prefLabel", "#label")):
                term = ox.Literal("Fault test initiative", language=term.language) if term.language else ox.Literal(
                    "Fault test initiative")
            terms.append(str(term))
        lines.append(" ".join(terms) + " .")
    assert len(lines) >= 8, "the copied initiative has its own triples, an involvement and evidence"
    return f"INSERT DATA {{ GRAPH {graph} {{\n" + "\n".join(lines) + "\n} }"


def named(quads: frozenset[ox.Quad]) -> int:
    """How many quads the named graphs hold (what COUNT_ALL counts: the default graph is their merge)."""
    return sum(1 for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))


def number(server: LiveServer, query: str) -> int:
    response = sparql(server, query)
    assert response.status_code == 200, response.text[:300]
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def dataset(store_root: Path) -> frozenset[ox.Quad]:
    """Every quad of the current store, read from disk (read-only: a server may be running on it)."""
    return frozenset(open_store(store_root))


@dataclass(frozen=True)
class States:
    """The dataset before the write and after it, from an uninterrupted reference run."""

    text: str
    old: frozenset[ox.Quad]
    new: frozenset[ox.Quad]
    inserted: int  # triples about the new initiative
    seconds: float  # how long the uninterrupted write took, from request to answer


@pytest.fixture(scope="module")
def states(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> States:
    text = insert_text(built)
    store = copy_store(store_dir, tmp_path_factory.mktemp("reference"))
    old = dataset(store)
    server = start_server(store, extra_env={"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    try:
        assert number(server, COUNT_NEW) == 0
        started = time.monotonic()
        response = requests.post(server.url + "/sparql", data=text.encode(), headers=AUTH, timeout=300)
        seconds = time.monotonic() - started
        assert response.status_code == 200, response.text[:1000]
        inserted = number(server, COUNT_NEW)
    finally:
        stop_server(server)
    new = dataset(store)
    shutil.rmtree(store.parent)
    assert inserted == text.count("\n") - 1 and len(new) > len(old)
    return States(text, old, new, inserted, seconds)


def copy_store(store_dir: Path, into: Path) -> Path:
    target = into / "store"
    shutil.copytree(store_dir, target, symlinks=True)  # never write to the session's store
    return target


# -- the kill test


@pytest.fixture
def store_copy(built: Built, store_dir: Path, tmp_path: Path) -> Iterator[Path]:
    yield copy_store(store_dir, tmp_path)


@dataclass(frozen=True)
class Kill:
    name: str
    after_send: float | None = None
    fraction: float | None = None
    after_disk_change: float | None = None
    beside_builds: bool = False  # count from the first change outside the existing builds


KILLS = ([Kill(f"{d:g}s-after-sending", after_send=d) for d in FIXED_DELAYS]
         + [Kill(f"at-{round(f * 100)}-percent-of-the-write", fraction=f) for f in FRACTIONS]
         + [Kill(f"{d:g}s-after-the-first-change-on-disk", after_disk_change=d) for d in AFTER_DISK_CHANGE]
         + [Kill(f"{d:g}s-after-the-commit-starts", after_disk_change=d, beside_builds=True) for d in AFTER_COMMIT_STARTS])


def disk_state(directory: Path, beside_builds: bool = False, top: bool = True) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file and directory under the store (lock files aside:
    taking a lock is not a change of the data); with `beside_builds`, not those in existing builds."""
    found: dict[str, tuple[int, int]] = {}
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return found  # removed meanwhile: the listing above it changes
    for entry in entries:
        if entry.name.endswith(".lock") or entry.name == "LOCK" or (beside_builds and top and entry.name.startswith("build-")):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            found[entry.path] = (info.st_size, info.st_mtime_ns)
            if entry.is_dir(follow_symlinks=False):
                found.update(disk_state(Path(entry.path), beside_builds, top=False))
        except OSError:
            continue
    return found


def wait_for_disk_change(store: Path, kill: Kill, writing: threading.Thread, server: LiveServer) -> frozenset[int]:
    """Start the write and return as soon as it changes the store on disk (as `kill` says where), with
    the server's process tree as it is then."""
    everywhere = disk_state(store)
    beside = disk_state(store, beside_builds=True)
    writing.start()
    deadline = time.monotonic() + 120
    while disk_state(store) == everywhere and writing.is_alive():
        assert time.monotonic() < deadline, "the write changed nothing on disk within 120 s"
        time.sleep(0.002)
    tree = frozenset(process_tree(server.process.pid))  # the write's processes have started by now
    if kill.beside_builds:
        while disk_state(store, beside_builds=True) == beside and writing.is_alive():
            assert time.monotonic() < deadline, "the write committed nothing within 120 s"
    return tree


def diagnosis(server: LiveServer, log: Path) -> str:
    """What the server's processes are doing and what it logged: for a failure message."""
    lines = []
    for pid in sorted(process_tree(server.process.pid)):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:80]
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            continue
        lines.append(f"  {pid} waiting in {wchan or '-'}: {command}")
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return "processes:\n" + "\n".join(lines) + "\nlog:\n" + tail


@pytest.mark.slow
@pytest.mark.parametrize("kill", KILLS, ids=[k.name for k in KILLS])
def test_a_write_killed_at_any_point_leaves_the_old_or_the_new_state(
    states: States, store_copy: Path, tmp_path: Path, kill: Kill
) -> None:
    env = {"POLICYGRAPH_WRITE_TOKEN": TOKEN, "POLICYGRAPH_WRITE_TIMEOUT": WRITE_TIMEOUT}
    server = start_server(store_copy, extra_env=env, log=tmp_path / "killed.log")
    outcome: dict[str, requests.Response | Exception] = {}

    def write() -> None:
        try:
            outcome["response"] = requests.post(server.url + "/sparql", data=states.text.encode(), headers=AUTH, timeout=300)
        except requests.RequestException as exc:  # the server died under it
            outcome["error"] = exc

    thread = threading.Thread(target=write)
    known: frozenset[int] = frozenset()
    try:
        assert number(server, COUNT_ALL) == named(states.old)
        sent = time.monotonic()
        if kill.after_disk_change is not None:
            known = wait_for_disk_change(store_copy, kill, thread, server)
            time.sleep(kill.after_disk_change)
        else:
            thread.start()
            time.sleep(kill.after_send if kill.after_send is not None else states.seconds * (kill.fraction or 0.0))
        killed_at = time.monotonic() - sent
    finally:
        kill_tree(server.process, known)  # also when a check above failed: no server outlives the test
    thread.join(60)
    assert not thread.is_alive()
    response = outcome.get("response")
    committed = isinstance(response, requests.Response) and response.status_code == 200

    # Restarted on the same store, the server serves the old state or the new one (a write it reported
    # as committed is never lost) ...
    log = tmp_path / "restarted.log"
    restarted = start_server(store_copy, extra_env=env, log=log)
    try:
        served = (number(restarted, COUNT_NEW), number(restarted, COUNT_ALL))
        assert served in ((0, named(states.old)), (states.inserted, named(states.new))), (
            f"a mix after a kill at {killed_at:.2f} s: {served[0]} of the {states.inserted} new triples, {served[1]} quads")
        if committed:
            assert served[0] == states.inserted, "the server said the write was committed, and it was lost"
        # ... and so does the store on disk, quad for quad.
        on_disk = dataset(store_copy)
        assert on_disk in (states.old, states.new), (
            f"a mix on disk after a kill at {killed_at:.2f} s: {len(on_disk)} quads, neither the old "
            f"{len(states.old)} nor the new {len(states.new)}")
        if kill.after_disk_change is not None:
            # Killed after the write touched the disk: the store takes writes again (no lock, pending
            # change or half-written directory is left in the way).
            again = requests.post(restarted.url + "/sparql", data=states.text.encode(), headers=AUTH, timeout=300)
            assert again.status_code == 200, f"{again.text[:1000]}\n{diagnosis(restarted, log)}"
            assert number(restarted, COUNT_NEW) == states.inserted
    finally:
        stop_server(restarted)

    # Whichever state it is, it passes the shapes.
    report = validate_graph(None, load_shapes(ROOT / "shapes"), open_store(store_copy))
    assert report.conforms, report.text()


# -- starting on a store: cleanly, or with a clear error naming the path


def cli(*args: str, store: Path, timeout: float = 120, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYGRAPH_STORE": str(store)}
    return subprocess.run([sys.executable, "-m", "policygraph.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


ASK = "ASK { ?s a <https://w3id.org/policygraph/ontology#Organisation> }"
# The command line is checked with a SELECT: `policygraph query` cannot print an ASK yet (pyoxigraph 0.5
# answers it with a QueryBoolean, which cli.run_query does not expect).
SELECT_WMO = ("SELECT ?name WHERE { <https://w3id.org/policygraph/id/organisation/wmo> "
              "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }")



def test_the_server_and_the_cli_start_cleanly_on_an_existing_store(live_server: LiveServer, store_dir: Path) -> None:
    assert live_server.process.poll() is None
    assert sparql(live_server, ASK).json()["boolean"] is True
    query = cli("query", "-", "--format", "json", store=store_dir, stdin=SELECT_WMO)
    assert query.returncode == 0, query.stderr
    assert "World Meteorological Organization" in query.stdout
    stats = cli("stats", store=store_dir)
    assert stats.returncode == 0, stats.stderr
    assert "Organisation" in stats.stdout


def corrupt(store: Path) -> Path:
    """Overwrite every file of the current build with garbage. Returns the build's path."""
    build = (store / "current").resolve()
    for file in build.iterdir():
        if file.is_file():
            file.write_bytes(b"garbage")
    return build


def dangling(store: Path) -> Path:
    build = (store / "current").resolve()
    shutil.rmtree(build)
    return build


@pytest.mark.parametrize(
    ("case", "says"),
    [
        pytest.param("missing", "does not exist: run 'policygraph build' first", id="missing"),
        pytest.param("empty", "holds no built store", id="empty"),
        pytest.param("corrupt", "cannot be opened (corrupt or unreadable)", id="corrupt"),
        pytest.param("dangling", "is missing: run 'policygraph build' again", id="dangling-current"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["query", "-"], ["stats"], ["export", "--format", "nquads"]],
                         ids=["serve", "query", "stats", "export"])
def test_a_missing_empty_or_corrupt_store_is_named_with_its_problem(
    store_dir: Path, built: Built, tmp_path: Path, case: str, says: str, command: list[str]
) -> None:
    store = tmp_path / "store"
    named = store
    if case == "empty":
        store.mkdir()
    elif case in ("corrupt", "dangling"):
        shutil.copytree(store_dir, store, symlinks=True)
        named = corrupt(store) if case == "corrupt" else dangling(store)
    env_port = ["--port", "0"] if command == ["serve"] else []
    result = cli(*command, *env_port, store=store, stdin=ASK, timeout=60)
    assert result.returncode == 3, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    message = result.stderr.strip().splitlines()
    assert message and message[-1].startswith("policygraph: "), result.stderr[-2000:]
    assert str(named) in message[-1] and says in message[-1], message[-1]
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == "", "nothing is served or printed from a broken store"


HOLD = """import sys, time
import pyoxigraph as ox
store = ox.Store(sys.argv[1])  # read-write: holds RocksDB's lock on the directory
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def held_store(store_dir: Path, built: Built, tmp_path: Path) -> Iterator[Path]:
    """A copy of the store whose current build another process holds open read-write (so locked)."""
    store = copy_store(store_dir, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str((store / "current").resolve())],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield store
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_store_locked_by_another_process_is_named_when_opened_for_writing(held_store: Path) -> None:
    from policygraph.errors import StoreError

    build = (held_store / "current").resolve()
    with pytest.raises(StoreError) as raised:
        open_store(held_store, read_only=False)
    assert f"the store {build} is locked by another process" in raised.value.message


def test_while_another_process_holds_the_store_reads_go_on_and_a_write_says_why(held_store: Path, built: Built) -> None:
    """The server and the command line open the store read-only, which RocksDB allows under the lock; a
    write needs the store for writing, so it is refused with 503, naming the store and the lock, and
    changes nothing."""
    build, text = (held_store / "current").resolve(), insert_text(built)
    query = cli("query", "-", "--format", "json", store=held_store, stdin=SELECT_WMO)
    assert query.returncode == 0, query.stderr
    assert "World Meteorological Organization" in query.stdout
    server = start_server(held_store, extra_env={"POLICYGRAPH_WRITE_TOKEN": TOKEN, "POLICYGRAPH_WRITE_TIMEOUT": WRITE_TIMEOUT})
    try:
        assert sparql(server, ASK).json()["boolean"] is True
        before = number(server, COUNT_ALL)
        response = requests.post(server.url + "/sparql", data=text.encode(), headers=AUTH, timeout=300)
        if response.status_code == 200:  # a write implementation that writes a new build beside the held one
            assert number(server, COUNT_NEW) == text.count("\n") - 1
        else:  # one that writes in place, so needs the held build for writing
            assert response.status_code == 503, response.text[:1000]
            message = response.json()["message"]
            assert str(build) in message and "lock" in message.lower(), message
            assert number(server, COUNT_ALL) == before and number(server, COUNT_NEW) == 0
        assert sparql(server, ASK).json()["boolean"] is True  # and reads go on
    finally:
        stop_server(server)
