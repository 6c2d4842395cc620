"""Who said what: the statements of each profile about a thing, each with its quotes; and the pages of a
statement, a quote and a derivation (every statement node dereferences, so it can be cited)."""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.linked.pages.common import Page, base_page
from policygraph.linked.reader import Evidence, Reader, Ref
from policygraph.prefixes import DCTERMS, PG, PROV, RDF, SCHEMA

WHAT = {DCTERMS + "subject": "issue", DCTERMS + "isPartOf": "part of", SCHEMA + "about": "about",
        DCTERMS + "description": "description"}
ORDER = ("description", "role", "issue", "part of", "about")


@dataclass
class Said:
    """One statement of one profile: an organisation's role, an issue tag, a link or a description."""

    iri: str
    href: str
    what: str  # one of ORDER
    subject: Ref  # the initiative or partnership it is about
    org: Ref | None = None  # for a role
    role: Ref | None = None
    value: Ref | None = None  # the issue, or the initiative of a part-of / about link
    text: str | None = None  # a description
    evidence: list[Evidence] = field(default_factory=list)
    profile: Ref | None = None


@dataclass
class ProfileSays:
    """What one profile says about a thing."""

    profile: Ref
    organisation: Ref | None  # the organisation the profile describes
    statements: list[Said]
    quotes: list[Evidence]  # every quote of this profile about the thing


def said(reader: Reader, statement: str, subject: str | None = None) -> Said | None:
    """A statement node as plain data (None when the node is neither an involvement nor a stated triple)."""
    profile = reader.iris(statement, PG + "statedIn")
    common = {"iri": statement, "href": reader.map.href(statement), "evidence": reader.evidence(statement),
              "profile": reader.ref(profile[0]) if profile else None}
    if reader.has_type(statement, PG + "Involvement"):
        things = [subject] if subject else reader.subjects(PG + "involvement", statement)
        if not things:
            return None
        agents, roles = reader.iris(statement, PG + "agent"), reader.iris(statement, PG + "role")
        return Said(what="role", subject=reader.ref(things[0]), org=reader.ref(agents[0]) if agents else None,
                    role=reader.ref(roles[0]) if roles else None, **common)  # type: ignore[arg-type]
    if reader.has_type(statement, PG + "StatedTriple"):
        s, p = reader.iris(statement, RDF + "subject"), reader.iris(statement, RDF + "predicate")
        objects = reader.objects(statement, RDF + "object")
        if not (s and p and objects):
            return None
        obj = objects[0]
        what = WHAT.get(p[0], reader.compact(p[0]))
        if what == "description":
            return Said(what=what, subject=reader.ref(s[0]), text=obj.value, **common)  # type: ignore[arg-type]
        return Said(what=what, subject=reader.ref(s[0]), value=reader.ref(obj.value), **common)  # type: ignore[arg-type]
    return None


def _rank(item: Said) -> tuple[int, str]:
    name = item.org.label if item.org else item.value.label if item.value else ""
    return ORDER.index(item.what) if item.what in ORDER else len(ORDER), name.casefold()


def said_about(reader: Reader, thing: str) -> list[ProfileSays]:
    """Every profile's statements about an initiative or partnership, profile by profile."""
    found: list[Said] = []
    for statement in reader.iris(thing, PG + "involvement"):
        item = said(reader, statement, thing)
        if item is not None:
            found.append(item)
    for statement in reader.subjects(RDF + "subject", thing):
        if reader.has_type(statement, PG + "StatedTriple"):
            item = said(reader, statement)
            if item is not None:
                found.append(item)
    by_profile: dict[str, list[Said]] = {}
    for item in found:
        by_profile.setdefault(item.profile.iri if item.profile else "", []).append(item)
    quotes: dict[str, list[Evidence]] = {}
    for quote in reader.evidence(thing):
        quotes.setdefault(quote.profile.iri if quote.profile else "", []).append(quote)
    out = []
    for profile in sorted(set(by_profile) | set(quotes), key=lambda p: reader.label(p).casefold() if p else "~"):
        if not profile:
            continue
        organisations = reader.iris(profile, PG + "profileOf")
        out.append(ProfileSays(reader.ref(profile), reader.ref(organisations[0]) if organisations else None,
                               sorted(by_profile.get(profile, []), key=_rank), quotes.get(profile, [])))
    return out


@dataclass
class StatementPage(Page):
    said: Said | None = None
    derivation: DerivedFrom | None = None


@dataclass
class DerivedFrom:
    """A derived shortcut: the triple, and the statements or sections it comes from."""

    subject: Ref
    predicate: Ref
    object: Ref
    statements: list[Said]
    sections: list[Ref]


@dataclass
class QuotePage(Page):
    quote: Evidence | None = None
    supports: list[Said] = field(default_factory=list)  # the statements it supports
    things: list[Ref] = field(default_factory=list)  # the entities it is evidence of


def statement_page(reader: Reader, iri: str) -> StatementPage:
    page = StatementPage(**base_page(reader, iri, "statement"), template="ld/statement.html")  # type: ignore[arg-type]
    page.explore_href = ""  # the explorer draws organisations, initiatives and partnerships
    page.said = said(reader, iri)
    if page.said is not None:
        page.title = _title(page.said)
    elif reader.has_type(iri, PG + "Derivation"):
        s, p, o = (reader.iris(iri, RDF + x) for x in ("subject", "predicate", "object"))
        sources = reader.iris(iri, PROV + "wasDerivedFrom")
        statements = [x for x in (said(reader, src) for src in sources) if x is not None]
        sections = [src for src in sources if reader.has_type(src, PG + "Section")]
        if s and p and o:
            page.derivation = DerivedFrom(reader.ref(s[0]), reader.ref(p[0]), reader.ref(o[0]),
                                          sorted(statements, key=_rank), reader.refs(sections))
            page.title = f"{reader.label(s[0])} {reader.label(p[0])} {reader.label(o[0])} (derived)"
    return page


def _title(item: Said) -> str:
    by = f"{item.profile.label}: " if item.profile else ""
    if item.what == "role":
        return f"{by}{item.org.label if item.org else '?'} — {item.role.label.lower() if item.role else 'involved'} — {item.subject.label}"
    if item.what == "description":
        return f"{by}description of {item.subject.label}"
    return f"{by}{item.subject.label} — {item.what} — {item.value.label if item.value else '?'}"


def quote_page(reader: Reader, iri: str) -> QuotePage:
    page = QuotePage(**base_page(reader, iri, "quote"), template="ld/quote.html")  # type: ignore[arg-type]
    page.explore_href = ""
    page.quote = reader.quote(iri)
    page.title = f"“{page.quote.quote}”"
    supports, things = [], []
    for subject in reader.subjects(PG + "evidence", iri):
        item = said(reader, subject)
        if item is not None:
            supports.append(item)
        else:
            things.append(subject)
    page.supports = sorted(supports, key=lambda x: (x.subject.label.casefold(), *_rank(x)))
    page.things = reader.refs(things)
    return page
