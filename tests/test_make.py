"""`make run` sets up, builds, validates and serves: started as a real process, it answers 200."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.support.paths import ROOT
from tests.support.server import free_port


def test_make_run_builds_and_serves(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "POLICYGRAPH_PORT": str(port), "POLICYGRAPH_STORE": str(tmp_path / "store")}
    log = open(tmp_path / "make-run.log", "wb")
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/", timeout=60)
                break
            except requests.ConnectionError:  # not listening yet
                time.sleep(0.5)
        assert response is not None, (tmp_path / "make-run.log").read_text(errors="replace")
        assert response.status_code == 200
        assert "policygraph" in response.text
        assert (tmp_path / "store" / "current").is_symlink()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
