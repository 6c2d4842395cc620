"""Curated knowledge: evidence is verbatim, organisations are one node each, links are complete."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policygraph.build import Built
from policygraph.curated import normalised_name
from policygraph.errors import CurationError
from policygraph.pipeline import check
from policygraph.settings import load_settings
from tests.support.data import select
from tests.support.paths import ROOT

CURATED = sorted((ROOT / "data" / "curated").glob("*.yaml"))
def test_every_quote_is_verbatim_in_the_section_it_cites(built: Built, source_lines: list[str]) -> None:
    rows = select(built.store, """SELECT ?ev ?quote ?start ?end WHERE {
        ?ev a pg:Evidence ; oa:exact ?quote ; prov:wasDerivedFrom ?s . ?s pg:startLine ?start ; pg:endLine ?end }""")
    assert len(rows) > 800
    for row in rows:
        # The section's heading and text, read from the source file by the section's line range.
        text = "\n".join(source_lines[int(row["start"]) - 1: int(row["end"])])  # the heading line too
        assert row["quote"] in text, (row["ev"], row["quote"])


def test_every_curated_fact_has_evidence(built: Built) -> None:
    rows = select(built.store, """SELECT ?x WHERE {
        { ?x a pg:Initiative } UNION { ?x a pg:Partnership } UNION { ?x a pg:Organisation FILTER NOT EXISTS { ?x pg:profile ?p } }
        FILTER NOT EXISTS { ?x pg:evidence ?e } }""")
    assert rows == []


def test_organisations_are_one_node_each(built: Built) -> None:
    rows = select(built.store, """SELECT ?o ?label WHERE { ?o a pg:Organisation .
        { ?o skos:prefLabel ?label } UNION { ?o skos:altLabel ?label } }""")
    owner: dict[str, str] = {}
    for row in rows:
        norm = normalised_name(row["label"])
        assert owner.setdefault(norm, row["o"]) == row["o"], (row["label"], owner[norm], row["o"])
    names = select(built.store, "SELECT ?o (COUNT(?l) AS ?n) WHERE { ?o a pg:Organisation ; skos:prefLabel ?l } GROUP BY ?o")
    assert all(int(r["n"]) == 1 for r in names)


def test_referenced_organisations_exist(built: Built) -> None:
    rows = select(built.store, """SELECT DISTINCT ?o WHERE { { ?x pg:involvement/pg:agent ?o } UNION { ?p pg:partner ?o }
        FILTER NOT EXISTS { ?o a pg:Organisation ; skos:prefLabel ?l } }""")
    assert rows == []


def test_partnerships_have_two_distinct_partners(built: Built) -> None:
    rows = select(built.store, """SELECT ?p (COUNT(DISTINCT ?o) AS ?n) (COUNT(?inv) AS ?roles) WHERE {
        ?p a pg:Partnership ; pg:involvement ?inv . ?inv pg:agent ?o } GROUP BY ?p""")
    assert len(rows) >= 40
    for row in rows:
        assert int(row["n"]) >= 2 and int(row["n"]) == int(row["roles"]), row


def test_initiatives_have_an_organisation_and_an_issue_or_a_reason(built: Built) -> None:
    rows = select(built.store, """SELECT ?i WHERE { ?i a pg:Initiative .
        FILTER (NOT EXISTS { ?i pg:involvement/pg:agent ?o }
                || (NOT EXISTS { ?i dcterms:subject ?s } && NOT EXISTS { ?i pg:noIssueReason ?r })) }""")
    assert rows == []
    assert len(select(built.store, "SELECT ?i WHERE { ?i a pg:Initiative }")) > 300


@pytest.mark.parametrize("path", CURATED, ids=[p.stem for p in CURATED])
def test_each_curated_file_builds_and_validates_on_its_own(path: Path, tmp_path: Path) -> None:
    root = _copy_inputs(tmp_path, curated=[path])
    built, report = check(load_settings(environ={}, root=root))
    assert report.conforms, report.text()
    assert built.curated.initiatives or built.curated.partnerships


def _copy_inputs(tmp_path: Path, curated: list[Path]) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "data/sources"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data" / "curated").mkdir(parents=True)
    for path in curated:
        shutil.copy(path, root / "data" / "curated" / path.name)
    return root


BROKEN = [
    ("malformed", "organisation: wmo\ninitiatives: [\n", "line 3", "malformed YAML"),
    ("unknown organisation", """organisation: wmo
partnerships:
  - key: wmo-nobody
    kind: cooperation
    partners: [{org: wmo, role: partner}, {org: nobody, role: partner}]
    evidence: {quote: "Data is in WMO’s DNA."}
""", "partnership 'wmo-nobody'", "unknown organisation key 'nobody'"),
    ("unknown issue", """organisation: wmo
initiatives:
  - key: dna
    name: DNA
    kind: programme
    role: lead
    issues: [space-law]
    evidence: {quote: "Data is in WMO’s DNA."}
""", "initiatives[0] 'dna'", "unknown issue 'space-law'"),
    ("missing quote", """organisation: wmo
initiatives:
  - key: dna
    name: DNA
    kind: programme
    role: lead
    issues: [data-governance]
    evidence: {quote: "WMO has a secret weather machine."}
""", "initiatives[0] 'dna'", "quote not found verbatim"),
    ("unknown profiled organisation", "organisation: nasa\n", "organisation", "unknown profiled organisation"),
    ("no issue", """organisation: wmo
initiatives:
  - key: dna
    name: DNA
    kind: programme
    role: lead
    evidence: {quote: "Data is in WMO’s DNA."}
""", "initiatives[0] 'dna'", "no issue"),
    ("duplicate organisation", """organisation: wmo
organisations:
  - key: world-meteorological-org
    name: World Meteorological Organization
    type: un-system
    evidence: {quote: "Data is in WMO’s DNA."}
""", "organisation 'world-meteorological-org'", "also names organisation 'wmo'"),
]


@pytest.mark.parametrize("name, text, entry, reason", BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_curated_input_fails_with_file_entry_and_reason(tmp_path: Path, name: str, text: str,
                                                           entry: str, reason: str) -> None:
    root = _copy_inputs(tmp_path, curated=[])
    (root / "data" / "curated" / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CurationError) as info:
        check(load_settings(environ={}, root=root))
    assert info.value.file == "data/curated/broken.yaml"
    assert entry in info.value.entry
    assert reason in info.value.reason
