"""Every statement, derivation and quote dereferences, so that it can be cited: all of them, through Flask's
in-process test client (thousands of pages from three templates; the crawl fetches a sample over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, Graph, URIRef

from policygraph.build import Built
from policygraph.settings import Settings
from policygraph.web.app import create_app
from tests.web.linked_support import ID, Page, path_of, resources_by_kind, rows

PG = "https://w3id.org/policygraph/ontology#"
# In-process over the embedded store; on the remote-store run the crawl fetches a sample of these pages.
pytestmark = pytest.mark.local_store


@pytest.fixture(scope="module")
def client(built: Built, settings: Settings) -> Iterator[FlaskClient]:
    app = create_app(settings)
    with app.test_client() as test_client:
        yield test_client


@pytest.mark.parametrize("kind", ["statement", "quote"])
def test_every_statement_and_quote_page_answers_in_html_and_rdf(client: FlaskClient, built: Built, kind: str) -> None:
    iris = resources_by_kind(built)[kind]
    assert len(iris) > (3000 if kind == "statement" else 700)
    problems = []
    for n, iri in enumerate(iris):
        path = path_of(iri)
        page = client.get(path, headers={"Accept": "text/html"})
        if page.status_code != 200:
            problems.append(f"{path}: {page.status_code}")
            continue
        html = Page(page.get_data(as_text=True))
        if html.errors or not "".join(html.h1).strip():
            problems.append(f"{path}: {html.errors[:2]} h1 {html.h1}")
        if n % 5:
            continue  # the RDF forms of one in five (the dereference tests check samples in every form)
        turtle = client.get(path, headers={"Accept": "text/turtle"})
        g = Graph()
        g.parse(data=turtle.get_data(), format="turtle")
        if not any(g.objects(URIRef(iri), RDF.type)):
            problems.append(f"{path}: its RDF does not type it")
    assert not problems, f"{len(problems)} problems, first: {problems[:5]}"


def test_a_statement_page_says_who_states_what_with_the_quotes(client: FlaskClient, built: Built) -> None:
    iri = ID + "statement/kofi-annan-foundation/initiative/ai-act/involvement/kofi-annan-foundation/supporter"
    page = Page(client.get(path_of(iri)).get_data(as_text=True))
    text = " ".join(page.text.split())
    assert "Profile of Kofi Annan Foundation" in text and "Supporter" in text and "AI Act" in text
    assert "/id/profile/kofi-annan-foundation" in page.links and "/id/initiative/ai-act" in page.links
    assert "Artificial Intelligence Act" in text  # the Foundation's own sentence ...
    assert "TBT Committee" not in text  # ... and never WTO's


def test_a_derivation_page_names_the_statements_it_comes_from(client: FlaskClient, built: Built) -> None:
    derivation = next(i for i in resources_by_kind(built)["statement"] if "/statement/derived/organisation/wmo/works-on/" in i)
    page = Page(client.get(path_of(derivation)).get_data(as_text=True))
    assert "derived" in " ".join(page.h1)
    assert any(link.startswith(("/id/statement/wmo/", "/id/section/wmo/")) for link in page.links)


def test_a_quote_page_lists_the_statements_it_supports(client: FlaskClient, built: Built) -> None:
    quote = rows(built.store, f"""SELECT ?q WHERE {{ ?s a pg:Involvement ; pg:statedIn <{ID}profile/wmo> ; pg:evidence ?q }}
        ORDER BY ?q LIMIT 1""")[0]["q"]
    page = Page(client.get(path_of(quote)).get_data(as_text=True))
    assert any(link.startswith("/id/statement/wmo/") for link in page.links)
    assert any(link.startswith("/id/section/wmo/") for link in page.links)
