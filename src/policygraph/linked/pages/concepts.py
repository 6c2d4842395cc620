"""Pages for SKOS concepts: policy issues (who works on them) and the controlled kinds, types and roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.linked.pages.common import Page, base_page, first_ref
from policygraph.linked.reader import Reader, Ref
from policygraph.prefixes import DCTERMS, PG, SKOS


@dataclass
class ConceptPage(Page):
    definition: str | None = None
    scheme: Ref | None = None
    broader: list[Ref] = field(default_factory=list)
    narrower: list[Ref] = field(default_factory=list)
    members: list[Ref] = field(default_factory=list)  # for a scheme: its concepts
    used_by: list[Ref] = field(default_factory=list)  # what has this kind / type / role


@dataclass
class IssuePage(ConceptPage):
    basket: bool = False
    organisations: list[Ref] = field(default_factory=list)
    initiatives: list[Ref] = field(default_factory=list)
    sections: list[Ref] = field(default_factory=list)


def _concept_fields(reader: Reader, iri: str) -> dict[str, object]:
    return {
        "definition": reader.value(iri, SKOS + "definition") or reader.value(iri, DCTERMS + "description"),
        "scheme": first_ref(reader, iri, SKOS + "inScheme"),
        "broader": reader.refs(reader.iris(iri, SKOS + "broader")),
        "narrower": reader.refs(reader.subjects(SKOS + "broader", iri)),
    }


def issue_page(reader: Reader, iri: str) -> IssuePage:
    page = IssuePage(**base_page(reader, iri, "issue"), **_concept_fields(reader, iri), template="ld/issue.html")  # type: ignore[arg-type]
    page.basket = reader.has_type(iri, PG + "Basket")
    # An issue's organisations and initiatives include those of its narrower issues, marked 'via'.
    scope = [(iri, "")] + [(n.iri, f"via {n.label}") for n in page.narrower]
    orgs: dict[str, str] = {}
    initiatives: dict[str, str] = {}
    for issue, note in scope:
        for org in reader.subjects(PG + "worksOn", issue):
            orgs.setdefault(org, note)
        for thing in reader.subjects(DCTERMS + "subject", issue):
            if reader.has_type(thing, PG + "Initiative"):
                initiatives.setdefault(thing, note)
    page.organisations = _sorted([reader.ref(o, note) for o, note in orgs.items()])
    page.initiatives = _sorted([reader.ref(i, note) for i, note in initiatives.items()])
    sections = []
    for section in reader.subjects(PG + "issue", iri):
        profile = reader.value(section, DCTERMS + "isPartOf")
        org = reader.value(profile, PG + "profileOf") if profile else None
        sections.append(reader.ref(section, reader.label(org) if org else ""))
    page.sections = _sorted(sections)
    return page


def concept_page(reader: Reader, iri: str, kind: str) -> ConceptPage:
    page = ConceptPage(**base_page(reader, iri, kind), **_concept_fields(reader, iri), template="ld/concept.html")  # type: ignore[arg-type]
    page.members = reader.refs(reader.subjects(SKOS + "inScheme", iri))
    used: list[Ref] = []
    for prop in (PG + "kind", PG + "organisationType"):
        used += [reader.ref(s) for s in reader.subjects(prop, iri)]
    for inv in reader.subjects(PG + "role", iri):  # a role: the initiatives and partnerships it is played in
        agents = ", ".join(reader.label(a) for a in reader.iris(inv, PG + "agent"))
        used += [reader.ref(thing, agents) for thing in reader.subjects(PG + "involvement", inv)]
    page.used_by = _sorted(list({(r.iri, r.note): r for r in used}.values()))
    return page


def _sorted(refs: list[Ref]) -> list[Ref]:
    return sorted(refs, key=lambda r: (r.label.casefold(), r.note))
