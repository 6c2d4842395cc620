"""Compile checked curated data to RDF: organisations, initiatives, partnerships, evidence."""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from policygraph.curated.loader import Curated, Involvement, Quote
from policygraph.namespaces import OA, PG, SCHEMA, Minter


def _date(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=datatype)


class _Compiler:
    def __init__(self, minter: Minter) -> None:
        self.m = minter

    def org(self, key: str) -> URIRef:
        return URIRef(self.m.resource("organisation", key))

    def initiative(self, key: str) -> URIRef:
        return URIRef(self.m.resource("initiative", key))

    def concept(self, scheme: str, key: str) -> URIRef:
        return URIRef(self.m.concept(scheme, key))

    def section(self, quote: Quote) -> URIRef:
        return URIRef(self.m.resource("section", f"{quote.profile}/{quote.section}"))

    def evidence(self, g: Graph, fact: URIRef, quotes: list[Quote]) -> None:
        for quote in quotes:
            digest = hashlib.sha1(f"{quote.section}\n{quote.text}".encode()).hexdigest()[:10]
            node = URIRef(f"{fact}#evidence-{digest}")
            section = self.section(quote)
            g.add((fact, PG.evidence, node))
            g.add((fact, PROV.wasDerivedFrom, section))
            g.add((node, RDF.type, PG.Evidence))
            g.add((node, OA.exact, Literal(quote.text)))
            g.add((node, PROV.wasDerivedFrom, section))

    def involvement(self, g: Graph, fact: URIRef, inv: Involvement) -> None:
        node = URIRef(f"{fact}#{inv.org}-{inv.role}")
        g.add((fact, PG.involvement, node))
        g.add((node, RDF.type, PG.Involvement))
        g.add((node, PG.agent, self.org(inv.org)))
        g.add((node, PG.role, self.concept("role", inv.role)))

    def dates(self, g: Graph, fact: URIRef, date: str | None, start: str | None, end: str | None) -> None:
        if date:
            g.add((fact, DCTERMS.date, _date(date)))
        if start:
            g.add((fact, SCHEMA.startDate, _date(start)))
        if end:
            g.add((fact, SCHEMA.endDate, _date(end)))


def curated_graphs(data: Curated, minter: Minter) -> dict[str, Graph]:
    """One graph per curated file (keyed by the file's profiled organisation key is not enough: by file)."""
    c = _Compiler(minter)
    graphs: dict[str, Graph] = {}

    def graph(file: str) -> Graph:
        return graphs.setdefault(file, Graph())

    for key, (typ, quotes) in data.profiled_types.items():
        g = graph(f"profiled:{key}")
        g.add((c.org(key), PG.organisationType, c.concept("organisation-type", typ)))
        c.evidence(g, c.org(key), quotes)

    for org in data.organisations.values():
        g, node = graph(org.file), c.org(org.key)
        g.add((node, RDF.type, PG.Organisation))
        g.add((node, SKOS.prefLabel, Literal(org.name, lang="en")))
        g.add((node, RDFS.label, Literal(org.name, lang="en")))
        for name in org.names:
            g.add((node, SKOS.altLabel, Literal(name, lang="en")))
        for acronym in org.acronyms:
            g.add((node, PG.acronym, Literal(acronym)))
            g.add((node, SKOS.altLabel, Literal(acronym)))
        g.add((node, PG.organisationType, c.concept("organisation-type", org.type)))
        c.evidence(g, node, org.evidence)

    for ini in data.initiatives.values():
        g, node = graph(ini.file), c.initiative(ini.key)
        g.add((node, RDF.type, PG.Initiative))
        if ini.publication:
            g.add((node, RDF.type, SCHEMA.CreativeWork))
        g.add((node, SKOS.prefLabel, Literal(ini.name, lang="en")))
        g.add((node, RDFS.label, Literal(ini.name, lang="en")))
        for acronym in ini.acronyms:
            g.add((node, PG.acronym, Literal(acronym)))
            g.add((node, SKOS.altLabel, Literal(acronym)))
        for name in ini.names:
            g.add((node, SKOS.altLabel, Literal(name, lang="en")))
        g.add((node, PG.kind, c.concept("initiative-kind", ini.kind)))
        for issue in ini.issues:
            g.add((node, DCTERMS.subject, URIRef(minter.resource("issue", issue))))
        if ini.no_issue:
            g.add((node, PG.noIssueReason, Literal(ini.no_issue, lang="en")))
        if ini.description:
            g.add((node, DCTERMS.description, Literal(ini.description, lang="en")))
        if ini.identifier:
            g.add((node, DCTERMS.identifier, Literal(ini.identifier)))
        if ini.part_of:
            g.add((node, DCTERMS.isPartOf, c.initiative(ini.part_of)))
        c.dates(g, node, ini.date, ini.start, ini.end)
        for inv in ini.involvements:
            c.involvement(g, node, inv)
        c.evidence(g, node, ini.evidence)

    for p in data.partnerships.values():
        g, node = graph(p.file), URIRef(minter.resource("partnership", p.key))
        g.add((node, RDF.type, PG.Partnership))
        g.add((node, PG.kind, c.concept("partnership-kind", p.kind)))
        names = [_label(data, inv.org) for inv in p.partners]
        about = f" on {data.initiatives[p.about].name}" if p.about else ""
        g.add((node, RDFS.label, Literal(f"{' – '.join(names)}{about}", lang="en")))
        for inv in p.partners:
            g.add((node, PG.partner, c.org(inv.org)))
            c.involvement(g, node, inv)
        if p.about:
            g.add((node, SCHEMA.about, c.initiative(p.about)))
        if p.description:
            g.add((node, DCTERMS.description, Literal(p.description, lang="en")))
        c.dates(g, node, p.date, p.start, p.end)
        c.evidence(g, node, p.evidence)
    return graphs


def _label(data: Curated, key: str) -> str:
    org = data.organisations.get(key)
    if org is None:
        return key.upper() if len(key) <= 6 else key.replace("-", " ").title()
    return org.acronyms[0] if org.acronyms else org.name
