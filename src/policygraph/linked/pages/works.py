"""Initiative and partnership pages: who takes part in which role, about what, and the quotes."""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.linked.pages.common import Involvement, Page, base_page, first_ref, involvements_of_thing
from policygraph.linked.pages.said import ProfileSays, said_about
from policygraph.linked.reader import Evidence, Reader, Ref
from policygraph.prefixes import DCTERMS, PG, PROV, SCHEMA


@dataclass
class Dates:
    date: str | None = None
    start: str | None = None
    end: str | None = None

    def __bool__(self) -> bool:
        return bool(self.date or self.start or self.end)


@dataclass
class InitiativePage(Page):
    kind_ref: Ref | None = None
    publication: bool = False
    identifier: str | None = None
    description: str | None = None
    dates: Dates = field(default_factory=Dates)
    organisations: list[Involvement] = field(default_factory=list)
    issues: list[Ref] = field(default_factory=list)
    no_issue_reason: str | None = None
    part_of: list[Ref] = field(default_factory=list)
    parts: list[Ref] = field(default_factory=list)
    partnerships: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    said: list[ProfileSays] = field(default_factory=list)  # who says what, profile by profile


@dataclass
class PartnershipPage(Page):
    kind_ref: Ref | None = None
    about: list[Ref] = field(default_factory=list)
    partners: list[Involvement] = field(default_factory=list)
    dates: Dates = field(default_factory=Dates)
    sources: list[Ref] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    issues: list[Ref] = field(default_factory=list)
    said: list[ProfileSays] = field(default_factory=list)


def _dates(reader: Reader, iri: str) -> Dates:
    value = reader.value
    return Dates(value(iri, DCTERMS + "date"), value(iri, SCHEMA + "startDate"), value(iri, SCHEMA + "endDate"))


def initiative_page(reader: Reader, iri: str) -> InitiativePage:
    page = InitiativePage(**base_page(reader, iri, "initiative"), template="ld/initiative.html")  # type: ignore[arg-type]
    page.kind_ref = first_ref(reader, iri, PG + "kind")
    page.publication = reader.has_type(iri, SCHEMA + "CreativeWork")
    page.identifier = reader.value(iri, DCTERMS + "identifier")
    page.description = reader.value(iri, DCTERMS + "description")
    page.dates = _dates(reader, iri)
    page.organisations = involvements_of_thing(reader, iri)
    page.issues = reader.refs(reader.iris(iri, DCTERMS + "subject"))
    page.no_issue_reason = reader.value(iri, PG + "noIssueReason")
    page.part_of = reader.refs(reader.iris(iri, DCTERMS + "isPartOf"))
    page.parts = reader.refs(s for s in reader.subjects(DCTERMS + "isPartOf", iri) if reader.has_type(s, PG + "Initiative"))
    page.partnerships = reader.refs(reader.subjects(SCHEMA + "about", iri))
    page.sources = reader.refs(reader.iris(iri, PROV + "wasDerivedFrom"))
    page.evidence = reader.evidence(iri)
    page.said = said_about(reader, iri)
    return page


def partnership_page(reader: Reader, iri: str) -> PartnershipPage:
    page = PartnershipPage(**base_page(reader, iri, "partnership"), template="ld/partnership.html")  # type: ignore[arg-type]
    page.kind_ref = first_ref(reader, iri, PG + "kind")
    page.about = reader.refs(reader.iris(iri, SCHEMA + "about"))
    page.partners = involvements_of_thing(reader, iri)
    # Partners stated without an involvement still show (SHACL forbids it, but a page must not hide data).
    listed = {row.thing.iri for row in page.partners}
    page.partners += [Involvement(reader.ref(p), []) for p in reader.iris(iri, PG + "partner") if p not in listed]
    page.dates = _dates(reader, iri)
    page.sources = reader.refs(reader.iris(iri, PROV + "wasDerivedFrom"))
    page.evidence = reader.evidence(iri)
    page.issues = reader.refs(reader.iris(iri, DCTERMS + "subject"))
    page.said = said_about(reader, iri)
    return page
