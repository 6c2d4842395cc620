"""The command line as a user runs it: real processes, real stores."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from policygraph.build import Built
from policygraph.store import open_store
from tests.support.paths import ROOT

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def run(*args: str, root: Path = ROOT, store: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYGRAPH_")}
    env["POLICYGRAPH_ROOT"] = str(root)
    if store is not None:
        env["POLICYGRAPH_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "policygraph.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=600)


def count(store_dir: Path) -> int:
    store = open_store(store_dir)
    return int(next(iter(store.query(COUNT)))["n"].value)  # type: ignore[index]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def test_invalid_build_exits_non_zero_reports_and_keeps_the_previous_store(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = run("build", root=project, store=store)
    assert first.returncode == 0, first.stderr
    before, current = count(store), (store / "current").resolve()
    # An issue without a definition breaks the PolicyIssue shape: a SHACL violation, not a parse error.
    issues = project / "ontology" / "issues.ttl"
    issues.write_text(issues.read_text(encoding="utf-8").replace(
        'skos:definition "Taxation of the digital economy."@en', 'skos:note "no definition"@en'), encoding="utf-8")
    second = run("build", root=project, store=store)
    assert second.returncode == 1
    assert "violation" in second.stderr and "https://w3id.org/policygraph/id/issue/taxation" in second.stderr
    assert "A policy issue needs a definition." in second.stderr
    assert (store / "current").resolve() == current
    assert count(store) == before
    answered = run("query", "-", "--format", "json", root=project, store=store, stdin=COUNT)
    assert json.loads(answered.stdout) == [{"n": str(before)}]


def test_bad_source_input_fails_build_naming_file_and_line(project: Path, tmp_path: Path) -> None:
    (project / "data" / "sources" / "zz-broken.txt").write_bytes(b"Broken Org\n\nText.\n\n\x00binary")
    result = run("build", root=project, store=tmp_path / "store")
    assert result.returncode == 2
    assert "data/sources/zz-broken.txt:5: binary data" in result.stderr
    assert not (tmp_path / "store" / "current").exists()


@pytest.mark.parametrize("fmt, rdflib_format, quads", [
    ("turtle", "turtle", False), ("ntriples", "nt", False), ("rdfxml", "xml", False),
    ("nquads", "nquads", True), ("trig", "trig", True), ("jsonld", "json-ld", True),
])
def test_export_parses_back_to_the_same_count(built: Built, store_dir: Path, tmp_path: Path,
                                             fmt: str, rdflib_format: str, quads: bool) -> None:
    out = tmp_path / f"dump.{fmt}"
    result = run("export", "--format", fmt, "--output", str(out), store=store_dir)
    assert result.returncode == 0, result.stderr
    if quads:
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        named = [q for q in built.store if not isinstance(q.graph_name, ox.DefaultGraph)]
        assert sum(1 for _ in ds.quads((None, None, None, None))) == len(named)  # the named graphs, not their merge
    else:
        g = rdflib.Graph()
        g.parse(out, format=rdflib_format)
        distinct = {(q.subject, q.predicate, q.object) for q in built.store.quads_for_pattern(None, None, None, None)}
        assert len(g) == len(distinct) == len(list(built.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))


def test_query_formats(built: Built, store_dir: Path) -> None:
    q = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\nSELECT ?o WHERE { ?o pg:profile ?p } ORDER BY ?o"
    table = run("query", "-", store=store_dir, stdin=q)
    assert table.returncode == 0 and table.stdout.strip().endswith("(10 rows)")
    rows = list(csv.DictReader(io.StringIO(run("query", "-", "--format", "csv", store=store_dir, stdin=q).stdout)))
    assert len(rows) == 10 and rows[0]["o"].startswith("https://w3id.org/policygraph/id/organisation/")
    bad = run("query", "-", store=store_dir, stdin="SELECT WHERE {")
    assert bad.returncode == 2 and "malformed query" in bad.stderr


def test_stats_prints_counts_per_organisation(built: Built, store_dir: Path) -> None:
    result = run("stats", store=store_dir)
    assert result.returncode == 0
    for profile in built.profiles:
        assert profile.name in result.stdout
    for heading in ("initiatives", "publications", "partners", "partnerships"):
        assert heading in result.stdout


def test_readme_table_is_the_stats_output(built: Built, store_dir: Path) -> None:
    table = run("stats", "--markdown", store=store_dir).stdout
    org_table = table[table.index("| organisation"):].strip()
    assert org_table in (ROOT / "README.md").read_text(encoding="utf-8")


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = run("stats", store=tmp_path / "nowhere")
    assert result.returncode == 3
    assert "does not exist" in result.stderr and "policygraph build" in result.stderr
