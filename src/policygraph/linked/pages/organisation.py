"""The organisation page: who it is, what it works on, with whom, and the quote behind every fact."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policygraph.linked.pages.common import Involvement, Page, base_page, first_ref, involvements_of_thing, merged_involvements
from policygraph.linked.reader import Evidence, Reader, Ref, n
from policygraph.prefixes import DCTERMS, FOAF, PG, PROV, SCHEMA, SKOS


@dataclass
class IssueRow:
    issue: Ref
    sections: list[Ref]  # the headings of the organisation's profile that name the issue
    initiatives: list[Ref]  # the organisation's initiatives about it


@dataclass
class BasketGroup:
    basket: Ref
    issues: list[IssueRow]


@dataclass
class Account:
    service: str
    name: str
    section: Ref | None


@dataclass
class PartnershipRow:
    partnership: Ref
    kind: Ref | None
    about: Ref | None
    partners: list[Involvement]
    evidence: list[Evidence]


@dataclass
class OrganisationPage(Page):
    org_type: Ref | None = None
    profile: Ref | None = None
    description: list[str] = field(default_factory=list)  # paragraphs of the profile's opening text
    description_section: Ref | None = None
    evidence: list[Evidence] = field(default_factory=list)
    issues: list[BasketGroup] = field(default_factory=list)
    initiatives: list[Involvement] = field(default_factory=list)
    publications: list[Involvement] = field(default_factory=list)
    partnerships: list[PartnershipRow] = field(default_factory=list)
    partners: list[Ref] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)


def organisation_page(reader: Reader, iri: str) -> OrganisationPage:
    page = OrganisationPage(**base_page(reader, iri, "organisation"), template="ld/organisation.html")  # type: ignore[arg-type]
    page.org_type = first_ref(reader, iri, PG + "organisationType")
    page.profile = first_ref(reader, iri, PG + "profile")
    page.evidence = reader.evidence(iri)
    if page.profile:
        description = _description_section(reader, page.profile.iri)
        if description:
            page.description_section = reader.ref(description)
            text = reader.value(description, PG + "text") or ""
            page.description = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    page.initiatives, page.publications = _initiatives(reader, iri)
    page.issues = _issues(reader, iri, page.profile, page.initiatives + page.publications)
    page.partnerships = _partnerships(reader, iri)
    page.partners = reader.refs(reader.iris(iri, PG + "partnerOf"))
    page.accounts = _accounts(reader, iri)
    return page


def _description_section(reader: Reader, profile: str) -> str | None:
    for section in reader.iris(profile, PG + "section"):
        if PG + "DescriptionSection" in reader.iris(section, PG + "sectionType"):
            return section
    return None


def _initiatives(reader: Reader, org: str) -> tuple[list[Involvement], list[Involvement]]:
    """The initiatives and publications the organisation has a part in, with its roles in each, the
    profiles that state them and their quotes (those of the involvement statements, not of the thing)."""
    pairs = [(thing, inv) for inv in reader.subjects(PG + "agent", org) for thing in reader.subjects(PG + "involvement", inv)
             if reader.has_type(thing, PG + "Initiative")]
    initiatives, publications = [], []
    for row in merged_involvements(reader, pairs):
        row.kind = first_ref(reader, row.thing.iri, PG + "kind")
        (publications if reader.has_type(row.thing.iri, SCHEMA + "CreativeWork") else initiatives).append(row)
    return initiatives, publications


def _issues(reader: Reader, org: str, profile: Ref | None, involvements: list[Involvement]) -> list[BasketGroup]:
    """The issues it works on, grouped by basket, each with the headings and initiatives behind it."""
    sections: dict[str, list[Ref]] = {}
    if profile:
        for section in reader.iris(profile.iri, PG + "section"):
            for issue in reader.iris(section, PG + "issue"):
                sections.setdefault(issue, []).append(reader.ref(section))
    initiatives: dict[str, list[Ref]] = {}
    for row in involvements:
        for issue in reader.iris(row.thing.iri, DCTERMS + "subject"):
            initiatives.setdefault(issue, []).append(row.thing)
    groups: dict[str, list[IssueRow]] = {}
    for issue in set(reader.iris(org, PG + "worksOn")) | set(sections) | set(initiatives):
        broader = reader.iris(issue, SKOS + "broader")
        basket = sorted(broader)[0] if broader else issue
        groups.setdefault(basket, []).append(
            IssueRow(reader.ref(issue), sorted(sections.get(issue, []), key=lambda r: r.label),
                     sorted(set(initiatives.get(issue, [])), key=lambda r: r.label.casefold()))
        )
    out = [BasketGroup(reader.ref(b), sorted(rows, key=lambda r: r.issue.label)) for b, rows in groups.items()]
    return sorted(out, key=lambda g: g.basket.label)


def _partnerships(reader: Reader, org: str) -> list[PartnershipRow]:
    rows = []
    for p in reader.subjects(PG + "partner", org):
        rows.append(PartnershipRow(
            reader.ref(p), first_ref(reader, p, PG + "kind"), first_ref(reader, p, SCHEMA + "about"),
            involvements_of_thing(reader, p), reader.evidence(p),
        ))
    return sorted(rows, key=lambda r: r.partnership.label.casefold())


def _accounts(reader: Reader, org: str) -> list[Account]:
    out = []
    for acc in reader.iris(org, FOAF + "account"):
        section = reader.value(acc, PROV + "wasDerivedFrom")
        out.append(Account(reader.value(acc, PG + "service") or "", reader.value(acc, FOAF + "accountName") or "",
                           reader.ref(section) if section else None))
    return sorted(out, key=lambda a: (a.service.casefold(), a.name))


@dataclass
class Summary:
    """One line of the home page's table of profiled organisations."""

    organisation: Ref
    initiatives: int
    publications: int
    partners: int
    partnerships: int
    issues: int


def profiled_summaries(reader: Reader) -> list[Summary]:
    """The profiled organisations in the order of the source, with what the data holds for each."""
    rows = []
    for q in reader.store.quads_for_pattern(None, n(PG + "profile"), None, None):
        org, profile = q.subject.value, q.object.value
        initiatives, publications = _initiatives(reader, org)
        issues = {i for s in reader.iris(profile, PG + "section") for i in reader.iris(s, PG + "issue")}
        start = int(reader.value(profile, PG + "startLine") or 0)
        rows.append((start, Summary(reader.ref(org), len(initiatives), len(publications), len(reader.iris(org, PG + "partnerOf")),
                                    len(reader.subjects(PG + "partner", org)), len(issues))))
    return [summary for _, summary in sorted(rows, key=lambda r: (r[0], r[1].organisation.iri))]
