"""Shared fixtures: the real data built and validated once per session into a temporary store, and a
live server process on it (the helpers are in tests/support/). Tests mirror src/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from policygraph.build import Built
from policygraph.pipeline import build_and_store
from policygraph.settings import Settings, load_settings
from tests.support.app import InProcess, in_process
from tests.support.paths import ROOT, SOURCE
from tests.support.server import REMOTE, LiveServer, remote_for, start_server, stop_remotes, stop_server


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run when POLICYGRAPH_BROWSER_TESTS=1 (CI sets it) or when chromium is installed.
    Tests marked `local_store` test the embedded store itself (its files, its worker processes): a run on a
    remote store leaves them out, and says why."""
    if REMOTE:
        local = pytest.mark.skip(reason="about the embedded store's own files or worker processes; this run uses a remote store")
        for item in items:
            if "local_store" in item.keywords:
                item.add_marker(local)
    if os.environ.get("POLICYGRAPH_BROWSER_TESTS") == "1" or shutil.which("chromium"):
        return
    skip = pytest.mark.skip(reason="no chromium here; CI installs it and sets POLICYGRAPH_BROWSER_TESTS=1")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _stop_remotes() -> Iterator[None]:
    yield
    stop_remotes()


@pytest.fixture(scope="session")
def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def settings(store_dir: Path) -> Settings:
    return load_settings(environ={}, root=ROOT, store=str(store_dir))


@pytest.fixture(scope="session")
def built(settings: Settings) -> Built:
    """The real data, built, validated (SHACL) and stored once per session."""
    return build_and_store(settings).built


@pytest.fixture(scope="session")
def app_server(built: Built, store_dir: Path) -> Iterator[InProcess]:
    """The app in this process over the session's store (on a remote run: the remote engine holding a copy
    of it), read-only: for view tests, which need no server process."""
    target = remote_for(store_dir) if REMOTE else str(store_dir)
    extra = {"remote_cache_seconds": 3600} if REMOTE else {}
    with in_process(load_settings(environ={}, root=ROOT, store=target, **extra)) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real `policygraph serve` process on the session's store (read-only public endpoint)."""
    server = start_server(store_dir, log=tmp_path_factory.mktemp("logs") / "server.log")
    yield server
    stop_server(server)
