"""Profile and section pages: the source text itself, where each part sits, and what cites it."""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.linked.pages.common import Page, base_page, first_ref
from policygraph.linked.reader import Evidence, Reader, Ref
from policygraph.prefixes import DCTERMS, OA, PG, PROV


@dataclass
class SectionRow:
    section: Ref
    depth: int
    start: str | None
    end: str | None
    issues: list[Ref]


@dataclass
class ProfilePage(Page):
    organisation: Ref | None = None
    source_file: str | None = None
    start: str | None = None
    end: str | None = None
    sections: list[SectionRow] = field(default_factory=list)


@dataclass
class Segment:
    """A run of section text; `evidence` lists the quotes that cover it (empty: plain text)."""

    text: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Citation:
    fact: Ref
    evidence: Evidence


@dataclass
class SectionPage(Page):
    heading: str | None = None
    section_type: Ref | None = None
    profile: Ref | None = None
    organisation: Ref | None = None
    parent: Ref | None = None
    children: list[Ref] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    issues: list[Ref] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    derived: list[Ref] = field(default_factory=list)  # things read from the section (accounts, mentions)


def profile_page(reader: Reader, iri: str) -> ProfilePage:
    page = ProfilePage(**base_page(reader, iri, "profile"), template="ld/profile.html")  # type: ignore[arg-type]
    page.organisation = first_ref(reader, iri, PG + "profileOf")
    page.source_file = reader.value(iri, PG + "sourceFile")
    page.start, page.end = reader.value(iri, PG + "startLine"), reader.value(iri, PG + "endLine")
    rows = []
    for section in reader.iris(iri, PG + "section"):
        depth, parent = 0, reader.value(section, PG + "parentSection")
        while parent and depth < 20:  # the parse yields a tree; the bound guards against a bad graph
            depth, parent = depth + 1, reader.value(parent, PG + "parentSection")
        order = int(reader.value(section, PG + "order") or 0)
        rows.append((order, SectionRow(reader.ref(section), depth, reader.value(section, PG + "startLine"),
                                       reader.value(section, PG + "endLine"), reader.refs(reader.iris(section, PG + "issue")))))
    page.sections = [row for _, row in sorted(rows, key=lambda r: r[0])]
    return page


def section_page(reader: Reader, iri: str) -> SectionPage:
    page = SectionPage(**base_page(reader, iri, "section"), template="ld/section.html")  # type: ignore[arg-type]
    page.heading = reader.value(iri, PG + "heading")
    page.section_type = first_ref(reader, iri, PG + "sectionType")
    page.profile = first_ref(reader, iri, DCTERMS + "isPartOf")
    if page.profile:
        page.organisation = first_ref(reader, page.profile.iri, PG + "profileOf")
    page.parent = first_ref(reader, iri, PG + "parentSection")
    children = reader.subjects(PG + "parentSection", iri)
    page.children = [reader.ref(c) for c in sorted(children, key=lambda c: int(reader.value(c, PG + "order") or 0))]
    page.start, page.end = reader.value(iri, PG + "startLine"), reader.value(iri, PG + "endLine")
    page.issues = reader.refs(reader.iris(iri, PG + "issue"))
    page.links = sorted(reader.iris(iri, PG + "link"))
    citing: list[Citation] = []
    derived: list[str] = []
    for thing in reader.subjects(PROV + "wasDerivedFrom", iri):
        if reader.has_type(thing, PG + "Evidence"):
            quote = reader.value(thing, OA + "exact") or ""
            ev = Evidence(thing, quote, reader.ref(iri), thing.split("#", 1)[-1])
            for fact in reader.subjects(PG + "evidence", thing):
                citing.append(Citation(reader.ref(fact), ev))
        else:
            derived.append(thing)
    page.citations = sorted(citing, key=lambda c: (c.fact.label.casefold(), c.evidence.quote))
    page.derived = reader.refs(derived)
    page.segments = highlight(reader.value(iri, PG + "text") or "", [c.evidence for c in page.citations])
    return page


def highlight(text: str, quotes: list[Evidence]) -> list[Segment]:
    """Split `text` into runs, marking every place a quote occurs (overlapping quotes merge)."""
    spans: list[tuple[int, int, Evidence]] = []
    for ev in quotes:
        if not ev.quote:
            continue
        start = text.find(ev.quote)
        while start != -1:
            spans.append((start, start + len(ev.quote), ev))
            start = text.find(ev.quote, start + 1)
    spans.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, list[Evidence]]] = []
    for start, end, ev in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            evs = last[2] if ev in last[2] else [*last[2], ev]
            merged[-1] = (last[0], max(last[1], end), evs)
        else:
            merged.append((start, end, [ev]))
    out, at = [], 0
    for start, end, evs in merged:
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], evs))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out
