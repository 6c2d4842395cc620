"""Turn parsed profiles into structural RDF: organisation, profile, sections, accounts, links."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from policygraph.ingest.parser import Profile, Section
from policygraph.namespaces import PG, Minter, slugify

SECTION_TYPES = {
    "description": PG.DescriptionSection,
    "digital-activities": PG.ActivitiesSection,
    "digital-policy-issues": PG.IssuesSection,
    "digital-tools": PG.ToolsSection,
    "social-media-channels": PG.SocialMediaSection,
    "issue": PG.IssueHeadingSection,
    "sub-heading": PG.SubHeadingSection,
}


def organisation_iri(minter: Minter, key: str) -> URIRef:
    return URIRef(minter.resource("organisation", key))


def section_iri(minter: Minter, profile: Profile, section: Section | str) -> URIRef:
    path = section if isinstance(section, str) else section.path
    return URIRef(minter.resource("section", f"{profile.key}/{path}"))


def profile_graph(profile: Profile, minter: Minter) -> Graph:
    """The structural triples of one profile (one named graph per organisation)."""
    g = Graph()
    org = organisation_iri(minter, profile.key)
    doc = URIRef(minter.resource("profile", profile.key))
    g.add((org, RDF.type, PG.Organisation))
    g.add((org, SKOS.prefLabel, Literal(profile.name, lang="en")))
    g.add((org, RDFS.label, Literal(profile.name, lang="en")))
    if profile.acronym:
        g.add((org, PG.acronym, Literal(profile.acronym)))
        g.add((org, SKOS.altLabel, Literal(profile.acronym)))
    g.add((org, PG.profile, doc))

    g.add((doc, RDF.type, PG.Profile))
    g.add((doc, PG.profileOf, org))
    g.add((doc, RDFS.label, Literal(f"Profile of {profile.name}", lang="en")))
    g.add((doc, PG.sourceFile, Literal(profile.file)))
    g.add((doc, PG.startLine, Literal(profile.start_line, datatype=XSD.integer)))
    g.add((doc, PG.endLine, Literal(profile.end_line, datatype=XSD.integer)))

    for order, section in enumerate(profile.sections, start=1):
        node = section_iri(minter, profile, section)
        g.add((doc, PG.section, node))
        g.add((node, RDF.type, PG.Section))
        g.add((node, DCTERMS.isPartOf, doc))
        g.add((node, PG.sectionType, SECTION_TYPES[section.kind]))
        g.add((node, PG.heading, Literal(section.heading)))
        label = section.heading if section.level else f"{section.heading} ({profile.name})"
        g.add((node, RDFS.label, Literal(label, lang="en")))
        if section.text:
            g.add((node, PG.text, Literal(section.text)))
        g.add((node, PG.startLine, Literal(section.start_line, datatype=XSD.integer)))
        g.add((node, PG.endLine, Literal(section.end_line, datatype=XSD.integer)))
        g.add((node, PG.order, Literal(order, datatype=XSD.integer)))
        if section.parent:
            g.add((node, PG.parentSection, section_iri(minter, profile, section.parent)))
        for issue in section.issues:
            g.add((node, PG.issue, URIRef(minter.resource("issue", issue))))
        for url in section.urls:
            g.add((node, PG.link, URIRef(url)))

    social = section_iri(minter, profile, "social-media-channels")
    for account in profile.accounts:
        node = URIRef(f"{org}#account-{slugify(account.service)}-{slugify(account.name) or 'x'}")
        g.add((org, FOAF.account, node))
        g.add((node, RDF.type, FOAF.OnlineAccount))
        g.add((node, PG.service, Literal(account.service)))
        g.add((node, FOAF.accountName, Literal(account.name)))
        g.add((node, RDFS.label, Literal(f"{account.service} @{account.name}")))
        g.add((node, PROV.wasDerivedFrom, social))
    return g
