"""Page models for the HTML form of resources: plain data, no Flask. The web tier renders them."""

from __future__ import annotations

from policygraph.errors import NotFound
from policygraph.linked.pages.common import Involvement, Page, base_page
from policygraph.linked.pages.concepts import ConceptPage, IssuePage, concept_page, issue_page
from policygraph.linked.pages.index import IndexPage, index_page, index_quads, kind_counts, resources_of, suggestions, titled_counts
from policygraph.linked.pages.organisation import OrganisationPage, organisation_page
from policygraph.linked.pages.said import ProfileSays, QuotePage, Said, StatementPage, quote_page, said_about, statement_page
from policygraph.linked.pages.sources import ProfilePage, SectionPage, Segment, highlight, profile_page, section_page
from policygraph.linked.pages.works import InitiativePage, PartnershipPage, initiative_page, partnership_page
from policygraph.linked.reader import Reader

BUILDERS = {
    "organisation": organisation_page,
    "initiative": initiative_page,
    "partnership": partnership_page,
    "issue": issue_page,
    "profile": profile_page,
    "section": section_page,
    "statement": statement_page,
    "quote": quote_page,
}


def page_for(reader: Reader, iri: str) -> Page:
    """The page model of a resource. Raises NotFound for IRIs the store knows nothing about."""
    if not reader.exists(iri):
        raise NotFound(f"no resource {iri} in this dataset")
    kind = reader.map.kind_of(iri)
    builder = BUILDERS.get(kind or "")
    if builder is not None:
        return builder(reader, iri)
    if kind is not None:
        return concept_page(reader, iri, kind)
    return Page(**base_page(reader, iri, "resource"))  # type: ignore[arg-type]


__all__ = [
    "ConceptPage", "IndexPage", "InitiativePage", "Involvement", "IssuePage", "OrganisationPage", "Page",
    "PartnershipPage", "ProfilePage", "ProfileSays", "QuotePage", "Said", "SectionPage", "Segment", "StatementPage",
    "highlight", "index_page", "index_quads", "kind_counts", "page_for", "resources_of", "said_about", "suggestions",
    "titled_counts",
]
