"""The ontology and the SKOS schemes: they parse, every term is documented, headings map to issues."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policygraph.ingest import IssueMatcher
from policygraph.namespaces import PG
from tests.support.paths import ROOT, SOURCE

ONTOLOGY = ROOT / "ontology"


def parse(name: str) -> Graph:
    g = Graph()
    g.parse(ONTOLOGY / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse("policygraph.ttl")


@pytest.fixture(scope="module")
def issues() -> Graph:
    return parse("issues.ttl")


@pytest.mark.parametrize("name", ["policygraph.ttl", "issues.ttl", "kinds.ttl"])
def test_vocabulary_files_parse(name: str) -> None:
    assert len(parse(name)) > 20


def test_ontology_has_version_iri(ontology: Graph) -> None:
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert ontology.value(onto, RDFS.comment) is not None


def test_every_term_has_a_label_and_a_comment(ontology: Graph) -> None:
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, PG.SectionType]
    terms = {s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(str(PG))}
    assert len(terms) >= 30
    undocumented = [t for t in terms if not ontology.value(t, RDFS.label) or not ontology.value(t, RDFS.comment)]
    assert undocumented == []


def test_the_four_classes_are_aligned(ontology: Graph) -> None:
    expected = {
        PG.Organisation: URIRef("http://www.w3.org/ns/org#Organization"),
        PG.Initiative: URIRef("https://schema.org/Project"),
        PG.PolicyIssue: SKOS.Concept,
        PG.Partnership: URIRef("http://www.w3.org/ns/org#OrganizationalCollaboration"),
    }
    for cls, parent in expected.items():
        assert (cls, RDFS.subClassOf, parent) in ontology


def test_properties_have_domain_or_range(ontology: Graph) -> None:
    props = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    bare = [p for p in props if ontology.value(p, RDFS.domain) is None and ontology.value(p, RDFS.range) is None
            and ontology.value(p, RDFS.subPropertyOf) is None]
    assert bare == []


def test_issue_scheme_structure(issues: Graph) -> None:
    concepts = set(issues.subjects(RDF.type, PG.PolicyIssue))
    baskets = set(issues.subjects(RDF.type, PG.Basket))
    assert {str(b).rsplit("/", 1)[-1] for b in baskets} >= {
        "infrastructure", "security", "human-rights", "legal-and-regulatory", "economic", "development", "sociocultural",
    }
    for concept in concepts - baskets:
        assert issues.value(concept, SKOS.broader) is not None, concept
    for concept in concepts:
        assert issues.value(concept, SKOS.prefLabel) is not None and issues.value(concept, SKOS.definition) is not None


def _issue_part_headings(lines: list[str]) -> list[tuple[int, str, bool]]:
    """Heading lines inside every 'Digital policy issues' part, read straight from the source:
    (line, heading, first-of-part). A heading is a short line between blank lines without closing punctuation."""
    out: list[tuple[int, str, bool]] = []
    inside, first = False, False
    for i, raw in enumerate(lines):
        text = raw.replace("\u00a0", " ").strip()
        if re.fullmatch(r"Digital policy issues( and tools)?", text, re.I):
            inside, first = True, True
            continue
        if re.fullmatch(r"Digital tools( and initiatives)?|Social medial? channels", text, re.I):
            inside = False
            continue
        blank_around = (i == 0 or not lines[i - 1].strip()) and (i + 1 == len(lines) or not lines[i + 1].strip())
        if inside and text and blank_around and not text.endswith((".", ":", ";", ",")) and len(text) < 160:
            out.append((i + 1, text, first))
            first = False
    return out


def test_every_issue_heading_in_the_source_maps_to_the_scheme(issues: Graph) -> None:
    matcher = IssueMatcher.from_graph(issues)
    headings = _issue_part_headings(SOURCE.read_text(encoding="utf-8").split("\n"))
    assert len(headings) > 60
    # The first heading of each issues part cannot be a sub-heading: it must name an issue.
    for line, heading, first in headings:
        if first:
            assert matcher.match(heading), f"line {line}: {heading!r}"
        # A heading that names issues only in part would be an unmapped issue heading.
        if not matcher.match(heading):
            assert matcher.partial(heading) == [], f"line {line}: {heading!r} maps only in part"
    mapped = [h for _, h, _ in headings if matcher.match(h)]
    # The headings the issue names as hard cases map, compound ones to every issue they name.
    assert matcher.match("Network security/critical infrastructure/cybersecurity") == [
        "network-security", "critical-infrastructure", "cybersecurity"]
    assert matcher.match("E-commerce and trade and digital business models") == ["e-commerce-and-trade", "digital-business-models"]
    assert matcher.match("Blockchain and cryptocurrencies") == ["blockchain", "cryptocurrencies"]
    assert matcher.match("Intellectual property law and data governance") == ["intellectual-property-rights", "data-governance"]
    assert matcher.match("Artificial intelligence for energy") == ["artificial-intelligence"]
    for heading in ("Network security/critical infrastructure/cybersecurity", "Artificial intelligence for energy",
                    "Intellectual property law and data governance"):
        assert heading in mapped


@pytest.mark.parametrize("scheme, minimum", [("initiative-kind", 40), ("partnership-kind", 8),
                                             ("organisation-type", 10), ("role", 20)])
def test_kind_schemes(scheme: str, minimum: int) -> None:
    kinds = parse("kinds.ttl")
    iri = URIRef(f"https://w3id.org/policygraph/id/scheme/{scheme}")
    concepts = list(kinds.subjects(SKOS.inScheme, iri))
    assert len(concepts) >= minimum
    assert all(kinds.value(c, SKOS.prefLabel) and kinds.value(c, SKOS.definition) for c in concepts)


def test_curated_readme_lists_every_controlled_key() -> None:
    readme = (ROOT / "data" / "curated" / "README.md").read_text(encoding="utf-8")
    kinds = parse("kinds.ttl")
    for concept in kinds.subjects(RDF.type, SKOS.Concept):
        key = str(concept).rsplit("/", 1)[-1]
        assert f"`{key}`" in readme, key
    for concept in parse("issues.ttl").subjects(RDF.type, PG.PolicyIssue):
        assert f"`{str(concept).rsplit('/', 1)[-1]}`" in readme


def test_source_checksum_is_recorded() -> None:
    import hashlib

    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert digest in (ROOT / "data" / "sources" / "README.md").read_text(encoding="utf-8")


def test_every_role_says_whether_it_means_joint_work() -> None:
    """Derived shortcuts and the explorer count joint work only: each role concept says which it is, and
    supporting, adopting or using something is not joint work."""
    kinds = parse("kinds.ttl")
    roles = list(kinds.subjects(SKOS.inScheme, URIRef("https://w3id.org/policygraph/id/scheme/role")))
    flags = {str(r).rsplit("/", 1)[-1]: [o.toPython() for o in kinds.objects(r, PG.jointWork)] for r in roles}
    assert all(len(v) == 1 and isinstance(v[0], bool) for v in flags.values()), flags
    assert {k for k, v in flags.items() if not v[0]} >= {"supporter", "adopter", "user", "signatory", "beneficiary", "observer"}
    assert {k for k, v in flags.items() if v[0]} >= {"lead", "co-lead", "partner", "member", "funder", "organiser", "host"}


def test_issue_hidden_labels_are_not_headings(issues: Graph) -> None:
    """skos:hiddenLabel names an issue in running text (the support check); headings map by the preferred and
    alternative labels only, so a hidden label cannot turn a sub-heading into an issue heading."""
    matcher = IssueMatcher.from_graph(issues)
    hidden = [str(label) for label in issues.objects(None, SKOS.hiddenLabel)]
    assert len(hidden) > 40
    assert not [label for label in hidden if matcher.match(label) and str(label).lower() not in
                {str(x).lower() for p in (SKOS.prefLabel, SKOS.altLabel) for x in issues.objects(None, p)}]
