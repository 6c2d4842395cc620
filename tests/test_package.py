"""The package as a user gets it: built from the checkout, installed alone into a new virtual environment,
run from outside the checkout.

The sdist is built from the checkout and the wheel from the sdist (as `python -m build` does), so both are
known to be complete. The wheel is installed without the test extras, its dependencies from PyPI, into a
virtual environment that sees nothing of the checkout or of the project's environment: an import the
dependencies do not declare, or a file the wheel does not carry (a template, a shape, a catalogue query, a
front-end file), fails here. Only the profiles and curated data come from the checkout, through the
settings a user would set.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from policygraph.bundle import ASSETS
from tests.support.paths import ROOT
from tests.support.server import free_port

pytestmark = pytest.mark.slow

PROFILES = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/policygraph/ontology#Profile> }"


def plain_env(**settings: str) -> dict[str, str]:
    """The environment of a user's shell: nothing of the checkout or of the test run (a PYTHONPATH to the
    checkout would even make pip think the package is installed already; PIP_* stays: it is how this machine
    reaches PyPI), plus the given POLICYGRAPH_* settings."""
    kept = {k: v for k, v in os.environ.items()
            if not k.startswith("POLICYGRAPH_") and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    return {**kept, **{f"POLICYGRAPH_{k.upper()}": v for k, v in settings.items()}}


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path  # an empty working directory outside the checkout

    @property
    def command(self) -> str:
        return str(self.venv / "bin" / "policygraph")

    def run(self, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.command, *args], cwd=self.home, env=plain_env(**settings), capture_output=True,
                              text=True, timeout=600)


def _run(args: list[str | Path], cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=plain_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("package")
    dist, wheels, unpacked, home = work / "dist", work / "wheels", work / "unpacked", work / "home"
    for folder in (dist, wheels, unpacked, home):
        folder.mkdir()
    # The sdist, with the project's setuptools (as `python -m build --sdist --no-isolation`).
    name = _run([sys.executable, "-c", "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))", dist],
                cwd=ROOT).strip().splitlines()[-1]
    with tarfile.open(dist / name) as archive:
        archive.extractall(unpacked, filter="data")
    # The wheel from the unpacked sdist, in pip's build isolation: setuptools from PyPI, as `pip install .`
    # gets it. (From a folder, not the archive: pip would keep a wheel built from an archive in its cache.)
    source = next(unpacked.iterdir())
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, source], cwd=work)
    wheel = next(wheels.glob("policygraph-*.whl"))
    # A new environment (without pip of its own: the project's pip installs into it, which saves seconds)
    # and the wheel with its declared dependencies only.
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", wheel], cwd=work)
    return Installed(venv, home)


def test_the_plain_install_is_the_package_alone_and_has_the_command(installed: Installed) -> None:
    where = subprocess.run([str(installed.venv / "bin" / "python"), "-c",
                            "import importlib.util, policygraph; print(policygraph.__file__); print(importlib.util.find_spec('pytest'))"],
                           cwd=installed.home, env=plain_env(), capture_output=True, text=True, timeout=60)
    module, pytest_spec = where.stdout.splitlines()
    assert Path(module).is_relative_to(installed.venv), module  # not the checkout's src/
    assert pytest_spec == "None"  # no test extras
    helped = installed.run("--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("build", "serve", "query", "export"):
        assert command in helped.stdout


def test_without_data_a_build_names_the_setting_to_set(installed: Installed, tmp_path: Path) -> None:
    result = installed.run("build", store=str(tmp_path / "store"))
    assert result.returncode == 2
    assert "setting sources_dir" in result.stderr and "POLICYGRAPH_SOURCES_DIR" in result.stderr
    assert not (tmp_path / "store").exists()


@pytest.fixture(scope="module")
def served(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`policygraph build` on the checkout's data into a new store, then `policygraph serve` on it."""
    store = tmp_path_factory.mktemp("installed-store") / "store"
    data = {"sources_dir": str(ROOT / "data" / "sources"), "curated_dir": str(ROOT / "data" / "curated"), "store": str(store)}
    built = installed.run("build", **data)
    assert built.returncode == 0, built.stderr
    assert "0 violations" in built.stdout
    port = free_port()
    log = tmp_path_factory.mktemp("installed-log") / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([installed.command, "serve"], cwd=installed.home, stdout=out, stderr=subprocess.STDOUT,
                                   env=plain_env(**data, port=str(port), workers="1"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                requests.get(url + "/static/style.css", timeout=5)
                break
            except requests.ConnectionError:  # not listening yet
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_installed_server_answers_sparql(served: str) -> None:
    response = requests.post(served + "/sparql", data={"query": PROFILES},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "10"


def test_the_installed_server_serves_its_pages_and_every_file_they_load(served: str) -> None:
    html = {"Accept": "text/html"}
    loaded: set[str] = set()
    for path in ("/sparql", "/explore"):
        page = requests.get(served + path, headers=html, timeout=60)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        loaded |= set(re.findall(r'(?:src|href)="(/(?:assets|static)/[^"]+)"', page.text))
    assert {"/assets/yasgui/yasgui.min.js", "/assets/cytoscape/cytoscape.min.js"} <= loaded
    for path in sorted(loaded):
        response = requests.get(served + path, timeout=60)
        assert response.status_code == 200, path
        if path.startswith("/assets/"):  # the very file npm installed in the checkout
            name, file = path.split("/")[2:4]
            asset = ASSETS[name]
            assert response.content == (ROOT / "node_modules" / asset.npm / asset.folder / file).read_bytes(), path
    wmo = requests.get(served + "/id/organisation/wmo", headers=html, timeout=60)
    assert wmo.status_code == 200 and "World Meteorological Organization" in wmo.text


def test_the_installed_server_has_the_whole_catalogue(served: str) -> None:
    listing = requests.get(served + "/queries", params={"format": "json"}, timeout=60).json()["queries"]
    assert sorted(q["name"] for q in listing) == sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
