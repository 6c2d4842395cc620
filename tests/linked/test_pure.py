"""The pure parts of the linked-data services: IRI mapping and quote highlighting (no store, no server)."""

from __future__ import annotations

import pytest

from policygraph.linked.iris import IriMap, explorer_href, sparql_ui_href
from policygraph.linked.pages import highlight
from policygraph.linked.reader import Evidence


@pytest.mark.parametrize(("base", "iri", "href"), [
    ("https://w3id.org/policygraph/", "https://w3id.org/policygraph/id/organisation/wmo", "/id/organisation/wmo"),
    ("https://w3id.org/policygraph/", "https://w3id.org/policygraph/id/initiative/x#evidence-1", "/id/initiative/x#evidence-1"),
    ("https://w3id.org/policygraph/", "https://w3id.org/policygraph/ontology#Organisation", "/ontology#Organisation"),
    ("https://example.org/pg/", "https://w3id.org/policygraph/ontology#partnerOf", "/ontology#partnerOf"),
    ("https://example.org/pg/", "https://example.org/pg/id/issue/access", "/id/issue/access"),
    ("https://example.org/pg/", "https://w3id.org/policygraph/id/issue/access", "https://w3id.org/policygraph/id/issue/access"),
    ("https://w3id.org/policygraph/", "https://schema.org/Organization", "https://schema.org/Organization"),
    ("https://example.org/pg/", "https://w3id.org/policygraph/ontologyX", "https://w3id.org/policygraph/ontologyX"),
])
def test_iris_under_the_base_map_to_local_paths(base: str, iri: str, href: str) -> None:
    assert IriMap.of(base).href(iri) == href


def test_a_mounted_app_keeps_its_script_root_and_kinds_come_from_the_path() -> None:
    m = IriMap.of("https://w3id.org/policygraph", script_root="/pg/")
    assert m.href("https://w3id.org/policygraph/id/section/wmo/a/b") == "/pg/id/section/wmo/a/b"
    assert m.kind_of("https://w3id.org/policygraph/id/section/wmo/a/b") == "section"
    assert m.kind_of("https://w3id.org/policygraph/id/nothing/x") is None
    assert m.document("https://w3id.org/policygraph/id/initiative/x#y") == "https://w3id.org/policygraph/id/initiative/x"
    assert m.root_url("sparql") == "https://w3id.org/policygraph/sparql"
    assert IriMap.of("https://w3id.org/policygraph/", service_url="https://pg.example").root_url("dumps") == "https://pg.example/dumps"


def test_links_to_the_explorer_and_the_sparql_ui_carry_the_iri() -> None:
    m = IriMap.of("https://w3id.org/policygraph/")
    iri = "https://w3id.org/policygraph/id/organisation/wmo"
    assert explorer_href(m, iri) == "/explore?focus=https%3A%2F%2Fw3id.org%2Fpolicygraph%2Fid%2Forganisation%2Fwmo"
    assert sparql_ui_href(m, iri) == "/sparql?query=DESCRIBE+%3Chttps%3A%2F%2Fw3id.org%2Fpolicygraph%2Fid%2Forganisation%2Fwmo%3E"


def ev(quote: str) -> Evidence:
    return Evidence("https://w3id.org/policygraph/id/initiative/x#e", quote, None)


def test_highlight_marks_each_occurrence_and_merges_overlaps() -> None:
    text = "alpha beta gamma delta beta"
    segments = highlight(text, [ev("beta"), ev("gamma delta"), ev("beta gamma")])
    assert "".join(s.text for s in segments) == text  # nothing lost, nothing added
    marked = [s.text for s in segments if s.evidence]
    assert marked == ["beta gamma delta", "beta"]
    assert len(next(s for s in segments if s.text == "beta gamma delta").evidence) == 3


def test_highlight_leaves_text_without_quotes_alone() -> None:
    assert [(s.text, s.evidence) for s in highlight("<b>plain</b>", [ev("absent"), ev("")])] == [("<b>plain</b>", [])]
