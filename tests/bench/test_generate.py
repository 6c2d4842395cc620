"""The synthetic data generator (bench/generate.py): deterministic, scalable, valid, and it breaks
exactly what it says it breaks."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from bench.generate import KINDS, generate, main

from policygraph.shacl import read_model, validate_store
from policygraph.validate import load_shapes
from tests.support.paths import ROOT

MODEL = read_model(load_shapes(ROOT / "shapes"))
PG = "https://w3id.org/policygraph/ontology#"


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(f"PREFIX pg: <{PG}> ASK {{ {query} }}"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "small.nq"
    generate(out, 10_000, seed=5)
    return out


def test_generated_data_passes_shacl(small: Path) -> None:
    report = validate_store(load(small), MODEL)
    assert not report.results, report.text()  # not even a warning


def test_same_seed_same_bytes_other_seed_other_data(small: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again.nq", 10_000, seed=5)
    generate(tmp_path / "other.nq", 10_000, seed=6)
    assert (tmp_path / "again.nq").read_bytes() == small.read_bytes()
    assert (tmp_path / "other.nq").read_bytes() != small.read_bytes()


@pytest.mark.parametrize("target", [20_000, 40_000])  # the vocabulary and its merge are 6,000 quads
def test_size_follows_the_target(tmp_path: Path, target: int) -> None:
    done = generate(tmp_path / "sized.nq", target, seed=2)
    assert 0.8 * target <= done.quads <= 1.2 * target
    assert len(load(tmp_path / "sized.nq")) == done.quads  # no quad written twice


def test_named_graphs_like_the_real_build(small: Path) -> None:
    graphs = {g.value.rsplit("/graph/", 1)[1].split("/")[0] for g in load(small).named_graphs()}
    assert graphs == {"ontology", "issues", "kinds", "profile", "curated", "derived"}


def test_the_model_is_complete_and_coherent(small: Path) -> None:
    store = load(small)
    for cls in ("Organisation", "Profile", "Section", "Initiative", "Involvement", "Partnership", "Evidence", "PolicyIssue"):
        assert ask(store, f"?x a pg:{cls}"), cls
    assert ask(store, "?o a pg:Organisation ; pg:organisationType ?t ; <http://xmlns.com/foaf/0.1/account> ?a ; pg:profile ?p")
    # every quote is a substring of the text of the section it cites
    assert not ask(store, "?e a pg:Evidence ; <http://www.w3.org/ns/oa#exact> ?q ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . "
                          "?s pg:text ?t FILTER (!CONTAINS(?t, ?q))")
    # every issue heading maps to an issue of the real scheme, under one of its labels
    assert not ask(store, "?s pg:sectionType pg:IssueHeadingSection FILTER NOT EXISTS { ?s pg:issue ?i . ?i a pg:PolicyIssue }")
    assert not ask(store, "?s pg:sectionType pg:IssueHeadingSection ; pg:heading ?h ; pg:issue ?i FILTER NOT EXISTS { "
                          "?i <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2004/02/skos/core#altLabel> ?l "
                          "FILTER (STR(?l) = ?h) }")
    # partnerships have at least two distinct partners, each with a role; initiatives have kinds and subjects
    assert not ask(store, "?p a pg:Partnership FILTER NOT EXISTS { ?p pg:partner ?a , ?b FILTER (?a != ?b) }")
    assert ask(store, "?p a pg:Partnership ; <https://schema.org/about> ?i . ?i a pg:Initiative")
    assert not ask(store, "?i a pg:Initiative FILTER NOT EXISTS { ?i pg:kind ?k ; <http://purl.org/dc/terms/subject> ?s }")
    assert ask(store, "GRAPH ?g { ?a pg:partnerOf ?b }")


def test_injected_violations_are_listed_and_found(tmp_path: Path) -> None:
    out = tmp_path / "broken.nq"
    assert main(["--triples", "30000", "--out", str(out), "--inject", "3", "--kinds", "bad-kind,no-issue",
                 "--seed", "4"]) == 0
    manifest = json.loads((tmp_path / "broken.nq.manifest.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in manifest["injected"]] == ["bad-kind", "no-issue", "bad-kind"]
    results = validate_store(load(out), MODEL).results
    for entry in manifest["injected"]:
        assert any(r.focus == entry["focus"] and entry["message"] in r.message for r in results), entry


def test_unknown_kinds_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown violation kind"):
        generate(tmp_path / "x.nq", 10_000, inject=1, kinds=["no-such-kind"])
    assert len(KINDS) >= 15
