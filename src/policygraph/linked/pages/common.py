"""What every resource page has: title, types, links to the explorer and the SPARQL UI, all statements."""

from __future__ import annotations

from dataclasses import dataclass, field

from policygraph.linked.iris import explorer_href, sparql_ui_href
from policygraph.linked.reader import RDF_TYPE, Evidence, Reader, Ref, Statement
from policygraph.prefixes import PG, SKOS


@dataclass
class Involvement:
    """An organisation's part in an initiative or partnership, seen from either side."""

    thing: Ref  # the initiative / partnership, or the organisation
    roles: list[Ref]
    kind: Ref | None = None
    evidence: list[Evidence] = field(default_factory=list)  # the quotes of the involvement statements
    profiles: list[Ref] = field(default_factory=list)  # the profiles that state it


@dataclass
class Page:
    """A resource page. Kind-specific pages subclass it; `template` names the template that shows it."""

    iri: str
    kind: str
    title: str
    types: list[Ref]
    explore_href: str
    sparql_href: str
    statements: list[Statement]
    incoming: list[Statement]
    alt_labels: list[str] = field(default_factory=list)
    template: str = "ld/resource.html"


def base_page(reader: Reader, iri: str, kind: str) -> dict[str, object]:
    """The fields every page shares, as keyword arguments for a Page subclass."""
    label = reader.label(iri)
    alt = [a for a in reader.values(iri, SKOS + "altLabel") + reader.values(iri, PG + "acronym") if a != label]
    return {
        "iri": iri,
        "kind": kind,
        "title": label,
        "types": reader.refs(reader.iris(iri, RDF_TYPE.value)),
        "explore_href": explorer_href(reader.map, iri),
        "sparql_href": sparql_ui_href(reader.map, iri),
        "statements": reader.statements(iri),
        "incoming": reader.incoming_statements(iri),
        "alt_labels": sorted(set(alt)),
    }


def merged_involvements(reader: Reader, pairs: list[tuple[str, str]]) -> list[Involvement]:
    """(other end, involvement statement) pairs as one row per other end: its roles, the quotes of the
    statements and the profiles that state them."""
    rows: dict[str, Involvement] = {}
    for other, inv in pairs:
        row = rows.setdefault(other, Involvement(reader.ref(other), []))
        row.roles += [reader.ref(r) for r in reader.iris(inv, PG + "role") if reader.ref(r) not in row.roles]
        row.evidence += [e for e in reader.evidence(inv) if e not in row.evidence]
        row.profiles += [reader.ref(p) for p in reader.iris(inv, PG + "statedIn") if reader.ref(p) not in row.profiles]
    for row in rows.values():
        row.roles.sort(key=lambda r: r.label)
        row.profiles.sort(key=lambda r: r.label)
    return sorted(rows.values(), key=lambda r: r.thing.label.casefold())


def involvements_of_thing(reader: Reader, thing: str) -> list[Involvement]:
    """The organisations involved in an initiative or partnership, each with its roles."""
    return merged_involvements(reader, [(agent, inv) for inv in reader.iris(thing, PG + "involvement")
                                        for agent in reader.iris(inv, PG + "agent")])


def first_ref(reader: Reader, iri: str, prop: str) -> Ref | None:
    found = reader.iris(iri, prop)
    return reader.ref(sorted(found)[0]) if found else None
