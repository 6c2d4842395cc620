"""Labels and quotes with markup characters are escaped in HTML: a fixture organisation whose name holds
`<script>alert(1)</script>` shows it as text.

The fixture is a tiny dataset of its own (the repo's ontology and shapes, one source profile, one curated
file), built, validated and stored by the real pipeline under a base IRI of its own, and served by a real
server process. So the same tests show that the base IRI is a setting: the data keeps its IRIs while
the pages link to this server.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef

from policygraph.namespaces import DEFAULT_BASE
from policygraph.pipeline import build_and_store
from policygraph.settings import load_settings
from tests.support.paths import ROOT
from tests.support.server import LiveServer, start_server, stop_server
from tests.web.linked_support import Page, get

BASE = "https://example.org/escaping-test/"
NAME = "Acme <script>alert(1)</script> Foundation"
PARTNER = 'Beta <i>Org</i> & "Co"'
INITIATIVE = "Widget <img src=x onerror=alert(2)> Programme"
QUOTE = "ACME runs the Widget <img src=x onerror=alert(2)> Programme"

SOURCE = f"""{NAME}

The {NAME} (ACME) works on <b>digital</b> things & more, with the help of {PARTNER} in Geneva.

Digital activities

ACME builds tools for everyone.

Digital policy issues

Artificial intelligence

{QUOTE} together with {PARTNER} since 2024.

Social media channels

X @acme_foundation
"""

CURATED = f"""organisation: acme
organisation_type:
  type: foundation
  evidence:
    quote: "works on <b>digital</b> things & more"
organisations:
  - key: beta
    name: '{PARTNER}'
    type: private-sector
    evidence:
      quote: 'with the help of {PARTNER} in Geneva'
initiatives:
  - key: widget
    name: "{INITIATIVE}"
    kind: programme
    role: lead
    participants:
      - {{org: beta, role: partner}}
    issues: [artificial-intelligence]
    description: "a <script>alert(3)</script> programme"
    evidence:
      quote: '{QUOTE} together with {PARTNER} since 2024'
partnerships:
  - key: acme-beta-widget
    kind: cooperation
    partners:
      - {{org: acme, role: lead}}
      - {{org: beta, role: partner}}
    about: widget
    evidence:
      quote: '{QUOTE} together with {PARTNER} since 2024'
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("escaping")
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    # The shapes name the schemes by their IRIs under the default base; the build moves the vocabularies
    # to the configured base but not the shapes, so this fixture moves them (reported to the lead).
    for shape in (root / "shapes").glob("*.ttl"):
        shape.write_text(shape.read_text(encoding="utf-8").replace(DEFAULT_BASE + "id/", BASE + "id/"), encoding="utf-8")
    (root / "data" / "sources").mkdir(parents=True)
    (root / "data" / "curated").mkdir(parents=True)
    (root / "data" / "sources" / "acme.txt").write_text(SOURCE, encoding="utf-8")
    (root / "data" / "curated" / "acme.yaml").write_text(CURATED, encoding="utf-8")
    store = root / "store"
    build_and_store(load_settings(environ={}, root=root, store=str(store), base_iri=BASE))
    live = start_server(store, extra_env={"POLICYGRAPH_BASE_IRI": BASE}, log=root / "server.log")
    yield live
    stop_server(live)


def text_of(server: LiveServer, path: str) -> tuple[str, Page]:
    response = server.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.text[:500])
    return response.text, Page(response.text)


@pytest.mark.parametrize("path", [
    "/id/organisation/acme", "/id/organisation/beta", "/id/initiative/widget", "/id/partnership/acme-beta-widget",
    "/id/profile/acme", "/id/section/acme/description", "/id/section/acme/digital-policy-issues/artificial-intelligence",
    "/id/organisation/", "/id/initiative/", "/", "/id/issue/artificial-intelligence",
])
def test_markup_in_labels_and_quotes_shows_as_text(server: LiveServer, path: str) -> None:
    html, page = text_of(server, path)
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>Org</i>" not in html and "<b>digital" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x" in html or "&lt;i&gt;Org" in html
    assert not page.errors
    assert not [a for a in page.assets if not a.startswith("/")]  # no script or image came from the data


def test_the_organisation_page_reads_the_names_back_verbatim(server: LiveServer) -> None:
    _html, page = text_of(server, "/id/organisation/acme")
    assert page.h1 == [NAME]
    assert INITIATIVE in page.text and PARTNER in page.text and QUOTE in page.text


def test_highlighted_quotes_are_escaped_too(server: LiveServer) -> None:
    html, page = text_of(server, "/id/section/acme/digital-policy-issues/artificial-intelligence")
    assert "<mark" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert QUOTE in page.text


def test_the_404_page_escapes_the_requested_iri(server: LiveServer) -> None:
    response = server.get("/id/organisation/%3Cscript%3Ealert(4)%3C%2Fscript%3E", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<script>alert(4)" not in response.text and "&lt;script&gt;alert(4)" in response.text


def test_the_base_iri_is_a_setting(server: LiveServer) -> None:
    """Under another base, the RDF keeps the base's IRIs while pages link to this server's paths."""
    iri = BASE + "id/organisation/acme"
    g = Graph()
    g.parse(data=get(server, "/id/organisation/acme", "text/turtle").text, format="turtle")
    assert (URIRef(iri), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal(NAME, lang="en")) in g
    assert all("127.0.0.1" not in str(t) for triple in g for t in triple)
    _html, page = text_of(server, "/id/organisation/acme")
    assert "/id/initiative/widget" in page.links and "/id/organisation/beta" in page.links
    assert not [link for link in page.links if link.startswith(BASE)]
    assert BASE + "id/organisation/acme" in page.text  # the permanent IRI is shown, as text


def test_json_and_rdf_forms_keep_the_markup_as_data(server: LiveServer) -> None:
    doc = get(server, "/id/initiative/widget", "application/ld+json").text
    g = Graph()
    g.parse(data=doc, format="json-ld")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert (URIRef(BASE + "id/initiative/widget"), label, Literal(INITIATIVE, lang="en")) in g

