"""Reading SPARQL text without a parser: positions, and relative IRIs resolved as Oxigraph resolves them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph.sparqltext import offset_of, position, resolve_iri

# RFC 3986 §5.4: the normal and abnormal examples, against its base.
RFC_BASE = "http://a/b/c/d;p?q"
RFC_REFERENCES = [
    "g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x", "g;x?y#s", "", ".", "./",
    "..", "../", "../g", "../..", "../../", "../../g", "../../../g", "../../../../g", "/./g", "/../g", "g.", ".g",
    "g..", "..g", "./../g", "./g/.", "g/./h", "g/../h", "g;x=1/./y", "g;x=1/../y", "g?y/./x", "g?y/../x", "g#s/./x",
    "g#s/../x", "http:g",
]
POLICYGRAPH = "https://w3id.org/policygraph/"


def oxigraph_resolves(reference: str, base: str) -> str:
    """What Oxigraph's own parser makes of a reference against a base (the reference for resolve_iri)."""
    quad = next(iter(ox.parse(f"<{reference}> <{reference}> <{reference}> .".encode(), format=ox.RdfFormat.TURTLE,
                              base_iri=base)))
    return quad.subject.value  # type: ignore[union-attr]


@pytest.mark.parametrize("base", [RFC_BASE, POLICYGRAPH, POLICYGRAPH + "id/organisation/", "http://x.org"])
def test_relative_iris_resolve_as_oxigraph_resolves_them(base: str) -> None:
    for reference in [*RFC_REFERENCES, "id/organisation/wmo", "graph/curated/wmo", "../ontology#Organisation"]:
        assert resolve_iri(reference, base) == oxigraph_resolves(reference, base), reference


def test_the_rfc_examples_give_the_rfc_answers() -> None:
    assert resolve_iri("../g", RFC_BASE) == "http://a/b/g"
    assert resolve_iri("?y", RFC_BASE) == "http://a/b/c/d;p?y"
    assert resolve_iri("../../../g", RFC_BASE) == "http://a/g"
    assert resolve_iri("id/organisation/wmo", POLICYGRAPH) == POLICYGRAPH + "id/organisation/wmo"


def test_without_a_base_a_reference_stays_as_it_is() -> None:
    assert resolve_iri("id/organisation/wmo", None) == "id/organisation/wmo"
    assert resolve_iri("http://example.org/a/../b", None) == "http://example.org/b"


def test_offsets_and_positions_are_inverse() -> None:
    text = "SELECT *\nWHERE {\n\n  ?s ?p ?o }"
    for offset in range(len(text) + 1):
        assert offset_of(text, *position(text, offset)) == offset
    assert offset_of(text, 9, 1) == len(text)  # past the end: clamped
