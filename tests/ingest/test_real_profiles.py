"""The ten real profiles, checked against the source text itself."""

from __future__ import annotations

import re

import pytest

from policygraph.build import Built
from policygraph.ingest.parser import normalise_space
from policygraph.pipeline import check
from policygraph.settings import Settings
from tests.support.data import select

TEN = ["wmo", "unige", "wto", "wef", "unece", "unitar", "unicc", "unctad", "south-centre", "kofi-annan-foundation"]


def test_ten_organisations_in_source_order(built: Built) -> None:
    assert [p.key for p in built.profiles] == TEN
    assert {p.key: p.acronym for p in built.profiles if p.acronym} == {
        "wmo": "WMO", "unige": "UNIGE", "wto": "WTO", "wef": "WEF", "unece": "UNECE", "unitar": "UNITAR",
        "unicc": "UNICC", "unctad": "UNCTAD"}
    rows = select(built.store, "SELECT ?o ?doc ?start WHERE { ?o a pg:Organisation ; pg:profile ?doc . ?doc pg:startLine ?start }")
    assert len(rows) == 10


def test_sections_cover_every_non_blank_line(built: Built, source_lines: list[str]) -> None:
    covered: dict[int, str] = {}
    for profile in built.profiles:
        for section in profile.sections:
            covered[section.start_line] = "heading"
            for number, text in section.lines:
                assert source_lines[number - 1] == text  # the text is the source line, unchanged
                covered.setdefault(number, section.path)
    missing = [n for n, line in enumerate(source_lines, 1) if normalise_space(line) and n not in covered]
    assert missing == []


def test_section_line_ranges_and_text_match_the_source(built: Built, source_lines: list[str]) -> None:
    rows = select(built.store, """SELECT ?s ?heading ?start ?end ?text WHERE {
        ?s a pg:Section ; pg:heading ?heading ; pg:startLine ?start ; pg:endLine ?end . OPTIONAL { ?s pg:text ?text } }""")
    assert len(rows) == sum(len(p.sections) for p in built.profiles)
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert normalise_space(source_lines[start - 1]) == row["heading"]
        body = "\n".join(source_lines[start:end]).strip("\n")
        assert row.get("text", "") == body.strip("\n"), row["s"]
        assert normalise_space(source_lines[end - 1]) or start == end


def _issue_headings_from_text(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    """(line, heading) of the headings inside the issues part of one profile, read from the source lines."""
    out, inside = [], False
    for n in range(start, end + 1):
        text = normalise_space(lines[n - 1])
        if re.fullmatch(r"Digital policy issues( and tools)?", text, re.I):
            inside = True
        elif re.fullmatch(r"Digital tools( and initiatives)?|Social medial? channels", text, re.I):
            inside = False
        elif inside and text and not normalise_space(lines[n - 2]) and not normalise_space(lines[n]):
            out.append((n, text))
    return out


def test_issue_lists_match_the_headings_in_the_text(built: Built, settings: Settings, source_lines: list[str]) -> None:
    from policygraph.build import load_vocabularies
    from policygraph.ingest import IssueMatcher

    matcher = IssueMatcher.from_graph(load_vocabularies(settings, built.minter)["issues"])
    for profile in built.profiles:
        headings = _issue_headings_from_text(source_lines, profile.start_line, profile.end_line)
        first: dict[str, int] = {}
        for line, heading in headings:
            for key in matcher.match(heading):
                first.setdefault(key, line)
        expected = sorted((line, key) for key, line in first.items())
        rows = select(built.store, f"""SELECT ?issue (MIN(?line) AS ?first) WHERE {{
            <{built.minter.resource('organisation', profile.key)}> pg:profile/pg:section ?s .
            ?s pg:issue ?issue ; pg:startLine ?line }} GROUP BY ?issue ORDER BY ?first""")
        assert sorted((int(r["first"]), r["issue"].rsplit("/", 1)[-1]) for r in rows) == expected, profile.key
        assert expected, profile.key


def test_every_issue_heading_section_has_a_concept(built: Built) -> None:
    rows = select(built.store, """SELECT ?s WHERE { ?s pg:sectionType pg:IssueHeadingSection .
        FILTER NOT EXISTS { ?s pg:issue ?i . ?i a pg:PolicyIssue } }""")
    assert rows == []


def _accounts_from_text(lines: list[str], start: int, end: int) -> list[tuple[str, str]]:
    """(service, account) pairs read from the lines under the social media heading, by '@' positions."""
    services = ["Facebook", "Flickr", "Instagram", "LinkedIn", "X", "Twitter", "YouTube", "TikTok", "Flipboard"]
    out: list[tuple[str, str]] = []
    inside = False
    for n in range(start, end + 1):
        text = normalise_space(lines[n - 1])
        if re.fullmatch(r"Social medial? channels", text, re.I):
            inside = True
            continue
        if not inside or "@" not in text:
            continue
        service, rest = text.split("@", 1)
        service = service.strip()
        for handle in rest.split("@"):
            handle = handle.strip()
            glued = next((s for s in sorted(services, key=len, reverse=True)
                          if handle.endswith(s) and len(handle) > len(s) and rest.count("@") > 0), None)
            if glued and handle != rest.split("@")[-1].strip():
                out.append((service, handle[: -len(glued)]))
                service = glued
            else:
                out += [(service, h.strip()) for h in handle.split(", @")] if ", " in handle and "@" in rest else [
                    (service, handle)]
    return out


def test_social_media_accounts_as_written(built: Built, source_lines: list[str]) -> None:
    total = 0
    for profile in built.profiles:
        expected = sorted(_accounts_from_text(source_lines, profile.start_line, profile.end_line))
        rows = select(built.store, f"""SELECT ?service ?name WHERE {{
            <{built.minter.resource('organisation', profile.key)}> foaf:account ?a .
            ?a pg:service ?service ; foaf:accountName ?name }}""")
        assert sorted((r["service"], r["name"]) for r in rows) == [(s, n.rstrip(",")) for s, n in expected], profile.key
        total += len(rows)
    # Every '@' of every social media line is one account.
    at_signs = sum(line.count("@") for line in source_lines if re.match(
        r"^(Facebook|Flickr|Instagram|LinkedIn|X|Twitter|YouTube|TikTok|Flipboard) @", normalise_space(line)))
    assert total == at_signs
    rows = select(built.store, """SELECT ?service ?name WHERE { ?o foaf:account ?a . ?a pg:service ?service ;
        foaf:accountName ?name . FILTER (?name IN ("UNCTAD", "UNCTADOnline")) }""")
    assert {(r["service"], r["name"]) for r in rows} >= {("Twitter", "UNCTAD"), ("YouTube", "UNCTADOnline")}


def test_heading_typo_social_medial_channels(built: Built) -> None:
    wto = next(p for p in built.profiles if p.key == "wto")
    section = wto.section("social-media-channels")
    assert section.heading == "Social medial channels" and len(wto.accounts) == 5


def test_real_sources_pass_shacl(settings: Settings, built: Built) -> None:
    _again, report = check(settings)
    assert report.conforms, report.text()
    assert report.warnings == []


@pytest.mark.parametrize("key", TEN)
def test_profile_is_a_provenance_entity_with_sections(built: Built, key: str) -> None:
    rows = select(built.store, f"""SELECT (COUNT(?s) AS ?n) WHERE {{
        <{built.minter.resource('profile', key)}> a pg:Profile ; pg:section ?s . ?s a pg:Section }}""")
    assert int(rows[0]["n"]) >= 5
