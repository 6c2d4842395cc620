"""Real server processes for the tests about the process and the wire: `policygraph serve` on a store,
and the remote engines (`oxigraph serve`) a remote-store run puts under it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests

from policygraph.settings import Settings, load_settings
from tests.support.paths import OXIGRAPH, ROOT

# POLICYGRAPH_TEST_STORE=remote runs every server of the suite on a remote store: an `oxigraph serve`
# process per store directory, holding a copy of that directory's current build.
REMOTE = os.environ.get("POLICYGRAPH_TEST_STORE") == "remote"
_remotes: dict[Path, tuple[str, subprocess.Popen[bytes]]] = {}


def remote_for(store: Path) -> str:
    """The query URL of an `oxigraph serve` holding `store`'s current build (started on first use, then
    kept, so a server restarted on the same store finds the same data)."""
    key = store.resolve()
    found = _remotes.get(key)
    if found is not None and found[1].poll() is None:
        return found[0]
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(base + "/query", params={"query": "ASK {}"}, timeout=5)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("oxigraph serve did not start") from None
            time.sleep(0.1)
    data = ox.Store.read_only(str(store / "current")).dump(format=ox.RdfFormat.N_QUADS) or b""
    requests.post(base + "/store", data=data, headers={"Content-Type": "application/n-quads"}, timeout=120).raise_for_status()
    _remotes[key] = (base + "/query", process)
    return base + "/query"


def stop_remotes() -> None:
    for _url, process in _remotes.values():
        process.kill()
        process.wait()


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (its query workers, their fork server, the writer), read from /proc:
    a worker that died and was replaced shows as one pid gone and another come."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # gone meanwhile
            fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
            if fields[0] != "Z":  # a zombie has ended
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = {child for child, parent in parents.items() if parent == current} - found
        found |= children
        frontier.extend(children)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    settings: Settings

    def get(self, path: str, **kw: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kw)  # type: ignore[arg-type]

    def post(self, path: str, **kw: object) -> requests.Response:
        return requests.post(self.url + path, timeout=30, **kw)  # type: ignore[arg-type]


def start_server(store: Path | str, extra_env: dict[str, str] | None = None, log: Path | None = None) -> LiveServer:
    """`policygraph serve` as a real process on a free port; waits until it answers. `store` is a store
    directory (on a remote run: the remote engine holding a copy of it) or a remote store's URL."""
    port = free_port()
    if isinstance(store, str):
        target = store
    else:
        target = remote_for(store) if REMOTE else str(store)
    # Only the test's own servers write to a test engine, and they bump the version: no staleness window.
    remote = {"POLICYGRAPH_REMOTE_CACHE_SECONDS": "3600"} if target.startswith("http") else {}
    env = {**os.environ, **remote, "POLICYGRAPH_STORE": target, "POLICYGRAPH_PORT": str(port), **(extra_env or {})}
    out = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "policygraph.cli", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )
    if log:
        out.close()  # the child has its own descriptor
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url + "/static/style.css", timeout=5)  # cheap: answers as soon as the app is up
            return LiveServer(url, process, load_settings(environ={}, root=ROOT, store=target, port=port))
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not answer within 60 s")


def server_on_copy(store: Path, directory: Path, extra_env: dict[str, str] | None = None) -> LiveServer:
    """A server on its own copy of `store` (for writes: the session store stays untouched)."""
    copy = directory / "store"
    shutil.copytree(store, copy, symlinks=True)
    return start_server(copy, extra_env=extra_env)


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
