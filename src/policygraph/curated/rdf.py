"""Compile checked curated data to RDF: one graph per profile, holding everything its file states.

Every relationship is a statement node that names the profile stating it and the quotes that support it
(see the ontology page, "Who said what"):

- an involvement (organisation, role) in an initiative or partnership is an n-ary `pg:Involvement`
  node: `?thing pg:involvement ?v . ?v pg:agent ?org ; pg:role ?role ; pg:statedIn ?profile ; pg:evidence ?q`;
- an issue tag, a part-of link, a partnership's subject and a description are plain triples
  (`dcterms:subject`, `dcterms:isPartOf`, `schema:about`, `dcterms:description`) that users query as
  ever, each stated again as a `pg:StatedTriple` (RDF reification: `rdf:subject`, `rdf:predicate`,
  `rdf:object`) with `pg:statedIn` and `pg:evidence`;
- a quote is one `pg:Evidence` node per profile, section and text (`oa:exact`, `prov:wasDerivedFrom`
  the section), shared by every statement it supports.

Statement IRIs are stable: `id/statement/{profile}/{initiative|partnership}/{key}/{what}`, e.g.
`.../statement/wto/initiative/ai-act/issue/artificial-intelligence`.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from policygraph.curated.model import Claim, Curated, Entry, Initiative, Involvement, Organisation, Partnership, Quote
from policygraph.namespaces import OA, PG, SCHEMA, Minter


def _date(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=datatype)


def quote_slug(quote: Quote) -> str:
    """The stable last part of a quote's IRI: `{profile}/{digest of section and text}`."""
    digest = hashlib.sha1((quote.section + "\n" + quote.text).encode()).hexdigest()[:12]
    return f"{quote.profile}/{digest}"


class _Compiler:
    def __init__(self, data: Curated, minter: Minter) -> None:
        self.data, self.m = data, minter

    def org(self, key: str) -> URIRef:
        return URIRef(self.m.resource("organisation", key))

    def initiative(self, key: str) -> URIRef:
        return URIRef(self.m.resource("initiative", key))

    def concept(self, scheme: str, key: str) -> URIRef:
        return URIRef(self.m.concept(scheme, key))

    def profile(self, key: str) -> URIRef:
        return URIRef(self.m.resource("profile", key))

    def section(self, quote: Quote) -> URIRef:
        return URIRef(self.m.resource("section", f"{quote.profile}/{quote.section}"))

    def quote(self, g: Graph, quote: Quote) -> URIRef:
        node = URIRef(self.m.resource("quote", quote_slug(quote)))
        g.add((node, RDF.type, PG.Evidence))
        g.add((node, OA.exact, Literal(quote.text)))
        g.add((node, PROV.wasDerivedFrom, self.section(quote)))
        return node

    def evidence(self, g: Graph, node: URIRef, quotes: list[Quote], sources: bool = True) -> None:
        """`node pg:evidence` each quote (and, for an entity, `prov:wasDerivedFrom` each quote's section)."""
        for quote in quotes:
            g.add((node, PG.evidence, self.quote(g, quote)))
            if sources:
                g.add((node, PROV.wasDerivedFrom, self.section(quote)))

    def statement(self, entry: Entry, kind: str, *what: str) -> URIRef:
        return URIRef(self.m.resource("statement", "/".join((entry.profile, kind, entry.key, *what))))

    def stated(self, g: Graph, entry: Entry, kind: str, node: URIRef, prop: URIRef, value: URIRef | Literal,
               quotes: list[Quote], *what: str) -> None:
        """The triple, and its statement node with the profile and the quotes."""
        g.add((node, prop, value))
        s = self.statement(entry, kind, *what)
        g.add((s, RDF.type, PG.StatedTriple))
        g.add((s, RDF.subject, node))
        g.add((s, RDF.predicate, prop))
        g.add((s, RDF.object, value))
        g.add((s, PG.statedIn, self.profile(entry.profile)))
        self.evidence(g, s, quotes, sources=False)

    def involvement(self, g: Graph, entry: Entry, kind: str, node: URIRef, inv: Involvement) -> None:
        v = self.statement(entry, kind, "involvement", inv.org, inv.role)
        g.add((node, PG.involvement, v))
        g.add((v, RDF.type, PG.Involvement))
        g.add((v, PG.agent, self.org(inv.org)))
        g.add((v, PG.role, self.concept("role", inv.role)))
        g.add((v, PG.statedIn, self.profile(entry.profile)))
        self.evidence(g, v, inv.quotes, sources=False)

    def names(self, g: Graph, node: URIRef, decl: Organisation | Initiative) -> None:
        """The name this file uses: the preferred label if it is the canonical one, else an alternative."""
        name = Literal(decl.name, lang="en")
        if decl.name == self.data.canonical_name(decl.key):
            g.add((node, SKOS.prefLabel, name))
            g.add((node, RDFS.label, name))
        else:
            g.add((node, SKOS.altLabel, name))
        for other in decl.names:
            g.add((node, SKOS.altLabel, Literal(other, lang="en")))
        for acronym in decl.acronyms:
            g.add((node, PG.acronym, Literal(acronym)))
            g.add((node, SKOS.altLabel, Literal(acronym)))

    def description(self, g: Graph, entry: Entry, kind: str, node: URIRef, text: str | None) -> None:
        if text:
            self.stated(g, entry, kind, node, DCTERMS.description, Literal(text, lang="en"), entry.evidence, "description")

    def dates(self, g: Graph, node: URIRef, date: str | None, start: str | None, end: str | None) -> None:
        if date:
            g.add((node, DCTERMS.date, _date(date)))
        if start:
            g.add((node, SCHEMA.startDate, _date(start)))
        if end:
            g.add((node, SCHEMA.endDate, _date(end)))

    def tags(self, g: Graph, entry: Initiative | Partnership, kind: str, node: URIRef) -> None:
        for tag in entry.issues:
            self.stated(g, entry, kind, node, DCTERMS.subject, URIRef(self.m.resource("issue", tag.issue)), tag.quotes,
                        "issue", tag.issue)

    def link(self, g: Graph, entry: Entry, kind: str, node: URIRef, prop: URIRef, claim: Claim, target: str,
             what: str) -> None:
        self.stated(g, entry, kind, node, prop, self.initiative(target), claim.quotes, what, target)

    def initiative_graph(self, g: Graph, ini: Initiative) -> None:
        node = self.initiative(ini.key)
        g.add((node, RDF.type, PG.Initiative))
        if ini.publication:
            g.add((node, RDF.type, SCHEMA.CreativeWork))
        if ini.unnamed:
            g.add((node, RDF.type, PG.UnnamedActivity))
        self.names(g, node, ini)
        g.add((node, PG.kind, self.concept("initiative-kind", ini.kind)))
        self.tags(g, ini, "initiative", node)
        if ini.no_issue:
            g.add((node, PG.noIssueReason, Literal(ini.no_issue, lang="en")))
        self.description(g, ini, "initiative", node, ini.description)
        if ini.identifier:
            g.add((node, DCTERMS.identifier, Literal(ini.identifier)))
        if ini.part_of:
            self.link(g, ini, "initiative", node, DCTERMS.isPartOf, ini.part_of, ini.part_of.target, "part-of")
        self.dates(g, node, ini.date, ini.start, ini.end)
        for inv in ini.involvements:
            self.involvement(g, ini, "initiative", node, inv)
        self.evidence(g, node, ini.evidence)

    def partnership_graph(self, g: Graph, p: Partnership) -> None:
        node = URIRef(self.m.resource("partnership", p.key))
        g.add((node, RDF.type, PG.Partnership))
        g.add((node, PG.kind, self.concept("partnership-kind", p.kind)))
        names = [self.short_name(inv.org) for inv in p.partners]
        about = f" on {self.data.canonical_name(p.about.target)}" if p.about else ""
        g.add((node, RDFS.label, Literal(f"{' – '.join(names)}{about}", lang="en")))
        for inv in p.partners:
            g.add((node, PG.partner, self.org(inv.org)))
            self.involvement(g, p, "partnership", node, inv)
        if p.about:
            self.link(g, p, "partnership", node, SCHEMA.about, p.about, p.about.target, "about")
        self.tags(g, p, "partnership", node)
        self.description(g, p, "partnership", node, p.description)
        self.dates(g, node, p.date, p.start, p.end)
        self.evidence(g, node, p.evidence)

    def short_name(self, key: str) -> str:
        declared = self.data.organisations.get(key)
        if not declared:
            return key.upper() if len(key) <= 6 else key.replace("-", " ").title()
        acronyms = [a for d in declared for a in d.acronyms]
        return acronyms[0] if acronyms else self.data.canonical_name(key)


def curated_graphs(data: Curated, minter: Minter) -> dict[str, Graph]:
    """One graph per profile whose file states something (keyed by the profile key)."""
    c = _Compiler(data, minter)
    graphs: dict[str, Graph] = {}

    def graph(profile: str) -> Graph:
        return graphs.setdefault(profile, Graph())

    for key, mine in data.profiled.items():
        for decl in mine:
            g, node = graph(decl.profile), c.org(key)
            if decl.type:
                g.add((node, PG.organisationType, c.concept("organisation-type", decl.type)))
            for other in decl.names:
                g.add((node, SKOS.altLabel, Literal(other, lang="en")))
            for acronym in decl.acronyms:
                g.add((node, PG.acronym, Literal(acronym)))
                g.add((node, SKOS.altLabel, Literal(acronym)))
            c.evidence(g, node, decl.quotes)

    for key, declared in data.organisations.items():
        for org in declared:
            g, node = graph(org.profile), c.org(key)
            g.add((node, RDF.type, PG.Organisation))
            c.names(g, node, org)
            g.add((node, PG.organisationType, c.concept("organisation-type", org.type)))
            c.evidence(g, node, org.quotes)

    for declared_ini in data.initiatives.values():
        for ini in declared_ini:
            c.initiative_graph(graph(ini.profile), ini)
    for p in data.partnerships.values():
        c.partnership_graph(graph(p.profile), p)
    return graphs
