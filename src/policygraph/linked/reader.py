"""Reading the store one resource at a time: index look-ups over all named graphs, no query strings.

Pages walk the graph hop by hop (an organisation's involvements, an involvement's role...); Oxigraph's
quad indexes answer each hop directly, so this stays cheap and never pastes a term into a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.linked.iris import IriMap
from policygraph.prefixes import DCTERMS, OA, PG, PROV, RDF, RDFS, SKOS

RDF_TYPE = ox.NamedNode(RDF + "type")

# The properties that name a thing, best first.
LABELS = (RDFS + "label", SKOS + "prefLabel", PG + "heading", DCTERMS + "title")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass(frozen=True)
class Ref:
    """A link to a resource: its IRI, what to call it, and where this server shows it."""

    iri: str
    label: str
    href: str
    note: str = ""  # a role, a kind: what the page says next to the link


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote, the section it comes from (with its lines in the source) and the profile."""

    iri: str
    quote: str
    section: Ref | None
    href: str = ""  # the quote's own page
    lines: str = ""  # "lines 473–485" of the source file
    profile: Ref | None = None


@dataclass
class Statement:
    """One row of the 'all statements' table: property, value (a link or a literal)."""

    prop: Ref
    value: Ref | None = None
    literal: str | None = None
    language: str | None = None


@dataclass
class Reader:
    store: ox.Store
    map: IriMap
    _labels: dict[str, str] = field(default_factory=dict)
    cache: dict[str, object] = field(default_factory=dict)  # per-request memo for lists that several parts use

    # ------------------------------------------------------------------ hops

    def objects(self, subject: str, prop: str) -> list[Term]:
        seen: dict[Term, None] = {}
        for q in self.store.quads_for_pattern(n(subject), n(prop), None, None):
            seen.setdefault(q.object, None)  # the same triple may sit in several named graphs
        return list(seen)

    def iris(self, subject: str, prop: str) -> list[str]:
        return [t.value for t in self.objects(subject, prop) if isinstance(t, ox.NamedNode)]

    def subjects(self, prop: str, obj: str) -> list[str]:
        seen: dict[str, None] = {}
        for q in self.store.quads_for_pattern(None, n(prop), n(obj), None):
            if isinstance(q.subject, ox.NamedNode):
                seen.setdefault(q.subject.value, None)
        return list(seen)

    def value(self, subject: str, prop: str) -> str | None:
        for t in self.objects(subject, prop):
            return t.value
        return None

    def values(self, subject: str, prop: str) -> list[str]:
        return sorted({t.value for t in self.objects(subject, prop) if isinstance(t, ox.Literal)})

    def types(self, iri: str) -> list[str]:
        return self.iris(iri, RDF_TYPE.value)

    def has_type(self, iri: str, cls: str) -> bool:
        return cls in self.types(iri)

    def exists(self, iri: str) -> bool:
        """A resource exists when the store says something about it (a malformed IRI names nothing)."""
        try:
            node = n(iri)
        except ValueError:  # from a request path such as /id/organisation/<script>
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None, None)), None) is not None

    def outgoing(self, iri: str) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(n(iri), None, None, None)

    def incoming(self, iri: str) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, n(iri), None)

    # ------------------------------------------------------------------ naming

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            self._labels[iri] = self._find_label(iri)
        return self._labels[iri]

    def _find_label(self, iri: str) -> str:
        for prop in LABELS:
            found = [t for t in self.objects(iri, prop) if isinstance(t, ox.Literal)]
            english = [t for t in found if t.language in (None, "en")]
            if english or found:
                return (english or found)[0].value
        kind = self.map.kind_of(iri)
        if kind == "quote":
            text = self.value(iri, OA + "exact") or ""
            return "“" + (text if len(text) <= 90 else text[:89] + "…") + "”"
        if kind == "statement":
            return self._statement_label(iri) or self.compact(iri)
        return self.compact(iri)

    def _statement_label(self, iri: str) -> str:
        """What a statement says, in words: 'WTO profile: European Union — lead — AI Act'."""
        profile = self.iris(iri, PG + "statedIn")
        by = f"{self.label(profile[0])}: " if profile else ""
        agents, roles = self.iris(iri, PG + "agent"), self.iris(iri, PG + "role")
        if agents:
            things = self.subjects(PG + "involvement", iri)
            role = self.label(roles[0]).lower() if roles else "involved"
            return f"{by}{self.label(agents[0])} — {role} — {self.label(things[0]) if things else '?'}"
        s, p = self.iris(iri, RDF + "subject"), self.iris(iri, RDF + "predicate")
        o = self.objects(iri, RDF + "object")
        if not (s and p and o):
            return ""
        value = self.label(o[0].value) if isinstance(o[0], ox.NamedNode) else "…"
        derived = " (derived)" if PG + "Derivation" in self.types(iri) else ""
        return f"{by}{self.label(s[0])} — {self.compact(p[0])} — {value}{derived}"

    def compact(self, iri: str) -> str:
        """'http://www.w3.org/2004/02/skos/core#prefLabel' -> 'skos:prefLabel'; resources keep their last segment."""
        if iri.startswith(self.map.id_base):
            return local_name(iri)
        best = ""
        for prefix, ns in self.map.prefixes().items():
            if iri.startswith(ns) and len(ns) > len(best) and iri[len(ns):] and "/" not in iri[len(ns):]:
                best, name = ns, f"{prefix}:{iri[len(ns):]}"
        return name if best else iri

    def ref(self, iri: str, note: str = "") -> Ref:
        return Ref(iri, self.label(iri), self.map.href(iri), note)

    def refs(self, iris: Iterable[str], note: str = "") -> list[Ref]:
        return sorted((self.ref(i, note) for i in set(iris)), key=lambda r: r.label.casefold())

    # ------------------------------------------------------------------ provenance

    def evidence(self, fact: str) -> list[Evidence]:
        """The quotes that support a statement or curated fact, each with its section and profile."""
        return sorted((self.quote(ev) for ev in self.iris(fact, PG + "evidence")),
                      key=lambda e: (e.profile.label if e.profile else "", e.section.label if e.section else "", e.quote))

    def quote(self, ev: str) -> Evidence:
        key = "quote " + ev
        if key not in self.cache:
            text = self.value(ev, OA + "exact") or ""
            section = self.value(ev, PROV + "wasDerivedFrom")
            lines, profile = "", None
            if section:
                start, end = self.value(section, PG + "startLine"), self.value(section, PG + "endLine")
                lines = (f"line {start}" if start == end else f"lines {start}–{end}") if start and end else ""
                found = self.iris(section, DCTERMS + "isPartOf")
                profile = self.ref(found[0]) if found else None
            self.cache[key] = Evidence(ev, text, self.ref(section) if section else None, self.map.href(ev), lines, profile)
        return self.cache[key]  # type: ignore[return-value]

    def statements(self, iri: str) -> list[Statement]:
        """Every statement about `iri`, for the table at the foot of each page."""
        rows: dict[tuple[str, str, str | None], Statement] = {}
        for q in self.outgoing(iri):
            obj = q.object
            key = (q.predicate.value, str(obj), None)
            if key in rows:
                continue
            prop = self.ref(q.predicate.value)
            if isinstance(obj, ox.Literal):
                rows[key] = Statement(prop, literal=obj.value, language=obj.language)
            elif isinstance(obj, ox.NamedNode):
                rows[key] = Statement(prop, value=self.ref(obj.value))
            else:
                rows[key] = Statement(prop, literal=f"_:{obj.value}")
        return sorted(rows.values(), key=lambda s: (s.prop.label.casefold(), s.value.label if s.value else s.literal or ""))

    def incoming_statements(self, iri: str) -> list[Statement]:
        """What links to `iri`: (property, subject) pairs."""
        rows: dict[tuple[str, str], Statement] = {}
        for q in self.incoming(iri):
            if isinstance(q.subject, ox.NamedNode):
                key = (q.predicate.value, q.subject.value)
                if key not in rows:
                    rows[key] = Statement(self.ref(q.predicate.value), self.ref(q.subject.value))
        return sorted(rows.values(), key=lambda s: (s.prop.label.casefold(), s.value.label.casefold() if s.value else ""))


def local_name(iri: str) -> str:
    """The last segment of an IRI, for things that have no label."""
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri
