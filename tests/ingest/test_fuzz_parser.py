"""Property-based tests of the profile parser: any input either parses without losing a line, or fails
with an IngestError naming the file and a line inside it. Fixed budget (max_examples) for CI."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from policygraph.errors import IngestError
from policygraph.ingest import IssueMatcher
from policygraph.ingest.parser import decode, normalise_space, parse_text
from tests.support.paths import ROOT

_g = Graph()
_g.parse(ROOT / "ontology" / "issues.ttl", format="turtle")
MATCHER = IssueMatcher.from_graph(_g)

HEADINGS = ["Digital activities", "Digital policy issues", "Digital tools", "Social media channels",
            "Artificial intelligence", "Data governance", "Blockchain and cryptocurrencies", "Some sub-heading",
            "Organisation Name", "Twitter @handle", "X @a @b"]
line = st.one_of(
    st.sampled_from(HEADINGS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=80),
    st.just(""),
    st.just("\u00a0"),
    st.builds(lambda s: f"  • {s}", st.text(max_size=30).filter(lambda s: "\n" not in s and "\r" not in s)),
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(line, max_size=40))
def test_parse_keeps_every_line_or_fails_cleanly(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        profiles = parse_text(text, "fuzz.txt", MATCHER)
    except IngestError as exc:
        assert exc.file == "fuzz.txt"
        assert 1 <= exc.line <= max(1, len(lines))
        assert exc.reason
        return
    covered: set[int] = set()
    for profile in profiles:
        for section in profile.sections:
            covered.add(section.start_line)
            covered.update(n for n, _ in section.lines)
    source = text.split("\n")
    for number, content in enumerate(source, start=1):
        if normalise_space(content):
            assert number in covered, (number, content)


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        parse_text(decode(data, "bytes.txt"), "bytes.txt", MATCHER)
    except IngestError as exc:
        assert exc.file == "bytes.txt" and exc.line >= 1
