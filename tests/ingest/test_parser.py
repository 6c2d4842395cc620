"""The profile parser on written-on-the-spot input: a fictional profile, flaws, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from policygraph.errors import IngestError
from policygraph.ingest import IssueMatcher, load_profiles, parse_text
from policygraph.ingest.parser import decode, parse_accounts
from tests.support.paths import ROOT, SOURCE


@pytest.fixture(scope="module")
def matcher() -> IssueMatcher:
    g = Graph()
    g.parse(ROOT / "ontology" / "issues.ttl", format="turtle")
    return IssueMatcher.from_graph(g)


FICTIONAL = """Lake Geneva Data Observatory

The Lake Geneva Data Observatory (LGDO) is a fictional research network that studies data flows around the lake.

LGDO publishes an open atlas of sensors.

Digital activities

LGDO runs the Shoreline Sensor Grid and the annual Data Regatta, see https://lgdo.example.org/grid.

Digital policy issues

Data governance

LGDO drafted the Lakeside Data Charter with partner cities.

Charter working group

The working group meets monthly.

Blockchain and cryptocurrencies

LGDO tests ledgers for water rights.

Digital tools

Sensor dashboard

A public dashboard shows water temperature.

Social media channels

Mastodon @lgdo

Twitter @LGDOYouTube @LGDOvideos
"""


def test_fictional_profile_in_its_own_file(tmp_path: Path, matcher: IssueMatcher) -> None:
    sources = tmp_path / "data" / "sources"
    sources.mkdir(parents=True)
    (sources / "000_real.txt").write_bytes(SOURCE.read_bytes())
    (sources / "lgdo.txt").write_text(FICTIONAL, encoding="utf-8")
    profiles = load_profiles(sources, matcher)
    assert len(profiles) == 11
    lgdo = profiles[-1]
    assert (lgdo.name, lgdo.acronym, lgdo.key) == ("Lake Geneva Data Observatory", "LGDO", "lgdo")
    assert [s.path for s in lgdo.sections] == [
        "description", "digital-activities", "digital-policy-issues", "digital-policy-issues/data-governance",
        "digital-policy-issues/data-governance/charter-working-group",
        "digital-policy-issues/blockchain-and-cryptocurrencies", "digital-tools", "digital-tools/sensor-dashboard",
        "social-media-channels",
    ]
    assert lgdo.issues == ["data-governance", "blockchain", "cryptocurrencies"]
    assert lgdo.section("digital-policy-issues/data-governance/charter-working-group").parent == (
        "digital-policy-issues/data-governance")
    assert lgdo.section("digital-activities").urls == ["https://lgdo.example.org/grid"]
    assert [(a.service, a.name) for a in lgdo.accounts] == [
        ("Mastodon", "lgdo"), ("Twitter", "LGDO"), ("YouTube", "LGDOvideos")]
    desc = lgdo.section("description")
    assert (desc.start_line, desc.end_line) == (1, 5)


def test_fictional_profile_appended_to_the_real_file(matcher: IssueMatcher) -> None:
    text = SOURCE.read_text(encoding="utf-8") + "\n\n" + FICTIONAL
    profiles = parse_text(text, "appended.txt", matcher)
    assert [p.key for p in profiles][-2:] == ["kofi-annan-foundation", "lgdo"]
    offset = len(SOURCE.read_text(encoding="utf-8").split("\n")) + 1
    assert profiles[-1].start_line == offset + 1


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Twitter @UNCTADYouTube @UNCTADOnline", [("Twitter", "UNCTAD"), ("YouTube", "UNCTADOnline")]),
        ("Instagram @unigeneve, @unigenumerique", [("Instagram", "unigeneve"), ("Instagram", "unigenumerique")]),
        ("LinkedIn @ World Economic Forum", [("LinkedIn", "World Economic Forum")]),
        ("LinkedIn @South Centre, Geneva", [("LinkedIn", "South Centre, Geneva")]),
        ("X @WMO", [("X", "WMO")]),
        ("Sign up for the monthly newsletter.", []),
    ],
)
def test_accounts(line: str, expected: list[tuple[str, str]]) -> None:
    assert [(a.service, a.name) for a in parse_accounts(line, 1)] == expected


def test_non_breaking_spaces_and_unbulleted_lists_keep_their_text(matcher: IssueMatcher) -> None:
    text = ("Org\u00a0Name\n\nOrg Name does things.\u00a0\n\nDigital activities\n\nIt runs programmes. Key initiatives include:\n\n"
            "Alpha – the first\n\nBeta – the second\n\nDigital policy issues\n\nArtificial intelligence\u00a0\n\nAI work.\n")
    [profile] = parse_text(text, "nbsp.txt", matcher)
    assert profile.name == "Org Name"
    activities = profile.section("digital-activities")
    assert "Alpha – the first" in activities.text and "Beta – the second" in activities.text
    assert "Org Name does things.\u00a0" in profile.section("description").text
    assert profile.issues == ["artificial-intelligence"]


MALFORMED = [
    ("empty.txt", b"", 1, "empty"),
    ("blank.txt", b"\n \n\t\n", 1, "empty"),
    ("binary.txt", b"Org\n\n\x00\x01\x02", 3, "binary"),
    ("latin1.txt", "Org\n\nCaf\u00e9 text.\n".encode("latin-1"), 3, "UTF-8"),
    ("no-heading.txt", b"This profile starts with a sentence.\n\nDigital activities\n", 1, "organisation heading"),
    ("keyword-first.txt", b"Digital activities\n\nText.\n", 1, "organisation heading"),
    ("unmapped.txt", b"Org\n\nText.\n\nDigital policy issues\n\nSpace diplomacy\n\nText.\n", 7, "maps to no concept"),
    ("partial.txt", b"Org\n\nText.\n\nDigital policy issues\n\nCybersecurity and space law\n\nText.\n", 7, "in part"),
    ("twice.txt", b"Org\n\nText.\n\nDigital activities\n\nA.\n\nDigital activities\n\nB.\n", 9, "second"),
]


@pytest.mark.parametrize("name, data, line, reason", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_fails_with_file_and_line(name: str, data: bytes, line: int, reason: str,
                                                  matcher: IssueMatcher) -> None:
    with pytest.raises(IngestError) as info:
        parse_text(decode(data, name), name, matcher)
    assert info.value.file == name and info.value.line == line
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{name}:{line}: ")


def test_duplicate_profile_keys_across_files_fail(tmp_path: Path, matcher: IssueMatcher) -> None:
    (tmp_path / "a.txt").write_text(FICTIONAL, encoding="utf-8")
    (tmp_path / "b.txt").write_text(FICTIONAL, encoding="utf-8")
    with pytest.raises(IngestError, match="has the key 'lgdo'"):
        load_profiles(tmp_path, matcher)
