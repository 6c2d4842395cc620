"""Every resource IRI dereferences, for people and machines.

The list of resources comes from SPARQL over the session's built store; the server is a live process.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from rdflib import RDF, Graph, Literal, URIRef

from policygraph.build import Built
from tests.support.server import LiveServer
from tests.web.linked_support import ID, RDF_FORMS, Page, get, parallel, path_of, resources_by_kind, rows, types_and_labels

KINDS = ["organisation", "initiative", "issue", "partnership", "profile", "section", "statement", "quote",
         "initiative-kind", "partnership-kind", "organisation-type", "role", "scheme"]
# Thousands of statements and quotes: every one is fetched by the crawl (tests/web/test_crawl.py); here a
# sample of each is checked in every form.
SAMPLED = {"statement": 60, "quote": 30}


def sample(iris: list[str], kind: str) -> list[str]:
    """Every resource of a kind, or an evenly spread sample of the big kinds (always the same one)."""
    wanted = SAMPLED.get(kind)
    if wanted is None or len(iris) <= wanted:
        return iris
    step = len(iris) / wanted
    return [iris[int(i * step)] for i in range(wanted)]


@pytest.fixture(scope="module")
def resources(built: Built) -> dict[str, list[str]]:
    return resources_by_kind(built)


def test_the_kinds_cover_every_resource(resources: dict[str, list[str]]) -> None:
    assert set(resources) == set(KINDS)
    assert all(resources[k] for k in KINDS)


def check_resource(server: LiveServer, built: Built, iri: str) -> list[str]:
    """Every form of one resource; returns the problems found (empty: all good)."""
    problems: list[str] = []
    types, labels = types_and_labels(built, iri)
    path = path_of(iri)
    named_by_data = bool(labels)  # statements and quotes are titled by what they say, not by a label
    if not types or not (labels or path.startswith(("/id/statement/", "/id/quote/"))):
        return [f"{iri}: the store gives it no type or no label"]
    with requests.Session() as session:
        for mime, (_suffix, parser) in RDF_FORMS.items():
            response = get(server, path, mime, session)
            if response.status_code != 200 or not response.headers["Content-Type"].startswith(mime):
                problems.append(f"{path} as {mime}: {response.status_code} {response.headers.get('Content-Type')}")
                continue
            g = Graph()
            g.parse(data=response.content, format=parser, publicID=iri)
            missing_types = {t for t in types if (URIRef(iri), RDF.type, URIRef(t)) not in g}
            found_labels = {str(o) for o in g.objects(URIRef(iri), None) if isinstance(o, Literal)}
            if missing_types or (named_by_data and not labels <= found_labels):
                problems.append(f"{path} as {mime}: missing types {missing_types} or labels {labels - found_labels}")
        response = get(server, path, "text/html", session)
        if response.status_code != 200 or not response.headers["Content-Type"].startswith("text/html"):
            problems.append(f"{path} as HTML: {response.status_code}")
        else:
            page = Page(response.text)
            if page.errors or not page.heading_levels_in_order() or page.lang != "en":
                problems.append(f"{path} as HTML: {page.errors[:3]}, headings {page.headings[:4]}, lang {page.lang}")
            if not page.h1 or (named_by_data and not any(label in page.h1 for label in labels)):
                problems.append(f"{path} as HTML: h1 {page.h1} is none of {labels}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_every_resource_answers_in_every_form(live_server: LiveServer, built: Built, resources: dict[str, list[str]],
                                              kind: str) -> None:
    results = parallel(lambda iri: check_resource(live_server, built, iri), sample(resources[kind], kind))
    problems = [p for found in results for p in found]  # type: ignore[attr-defined]
    assert not problems, f"{len(problems)} problems, first: {problems[:5]}"


def test_suffix_urls_serve_each_form(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    for kind in KINDS:
        path = path_of(resources[kind][0])
        for mime, (suffix, _parser) in {**RDF_FORMS, "text/html": ("html", "")}.items():
            by_suffix = live_server.get(f"{path}.{suffix}")
            by_accept = get(live_server, path, mime)
            assert by_suffix.status_code == 200, (path, suffix)
            assert by_suffix.headers["Content-Type"].startswith(mime)
            assert by_suffix.content == by_accept.content, (path, suffix)
            assert "Accept" not in by_suffix.headers.get("Vary", "")  # a suffix URL has one form only


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/rdf+xml;q=0.1, text/html;q=0", "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/turtle;q=0, */*;q=0.5", "text/html"),
    ("application/n-triples", "application/n-triples"),
    ("text/*;q=0.9, application/ld+json;q=0.2", "text/html"),
    ("application/json", "application/ld+json"),
    ("text/turtle, application/rdf+xml;q=0.8", "text/turtle"),
    ("", "text/html"),
])
def test_q_values_decide_the_form(live_server: LiveServer, resources: dict[str, list[str]], accept: str, expected: str) -> None:
    response = get(live_server, path_of(resources["organisation"][0]), accept or None)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


def test_nothing_acceptable_is_a_406_naming_the_forms(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    response = get(live_server, path_of(resources["organisation"][0]), "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.json()["message"]


def parse_links(header: str) -> dict[str, str]:
    """'<a.ttl>; rel="alternate"; type="text/turtle", ...' -> {'text/turtle': 'a.ttl'}"""
    out = {}
    for part in header.split(","):
        target, *params = [p.strip() for p in part.split(";")]
        attrs = dict(p.split("=", 1) for p in params)
        assert attrs["rel"] == '"alternate"'
        out[attrs["type"].strip('"')] = target.strip("<>")
    return out


@pytest.mark.parametrize("kind", ["organisation", "section", "issue"])
def test_link_and_vary_headers_tie_the_forms_together(live_server: LiveServer, resources: dict[str, list[str]], kind: str) -> None:
    path = path_of(resources[kind][0])
    response = live_server.get(path, headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == f"{path}.ttl"
    links = parse_links(response.headers["Link"])
    assert set(links) == {"text/html", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/n3",
                          "application/n-quads", "application/trig"}
    for mime, target in links.items():
        alternate = live_server.get(target)
        assert alternate.status_code == 200
        assert alternate.headers["Content-Type"].startswith(mime)
        back = parse_links(alternate.headers["Link"])
        assert back["text/turtle"] == f"{path}.ttl"  # every form links to the others


def test_rdf_form_holds_incoming_links_labels_and_document_nodes(live_server: LiveServer, built: Built) -> None:
    """For every organisation: the triples pointing at it, the labels of what it links to, and its hash nodes."""
    orgs = resources_by_kind(built)["organisation"]
    for iri in orgs[:40]:
        g = Graph()
        g.parse(data=get(live_server, path_of(iri), "application/n-triples").content, format="nt")
        incoming = rows(built.store, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }}")
        for row in incoming:
            assert (URIRef(row["s"]), URIRef(row["p"]), URIRef(iri)) in g, row
        linked = rows(built.store, f"""SELECT DISTINCT ?o ?l WHERE {{ <{iri}> ?p ?o .
            ?o rdfs:label|skos:prefLabel ?l FILTER(!STRSTARTS(STR(?o), "{iri}#")) }}""")
        for row in linked:
            assert row["l"] in {str(o) for o in g.objects(URIRef(row["o"]), None)}, row
        involvements = rows(built.store, f"SELECT ?inv ?role WHERE {{ ?inv pg:agent <{iri}> ; pg:role ?role }}")
        for row in involvements:
            assert (URIRef(row["inv"]), URIRef("https://w3id.org/policygraph/ontology#role"), URIRef(row["role"])) in g


def test_every_hash_node_is_described_in_its_document(live_server: LiveServer, built: Built) -> None:
    hash_nodes = rows(built.store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER(STRSTARTS(STR(?s), "{ID}") && CONTAINS(STR(?s), "#")) }}""")
    by_document: dict[str, set[str]] = {}
    for row in hash_nodes:
        by_document.setdefault(row["s"].split("#", 1)[0], set()).add(row["s"])
    assert len(hash_nodes) > 50  # the social media accounts of the profiled organisations

    def missing(doc: str) -> set[str]:
        g = Graph()
        g.parse(data=get(live_server, path_of(doc), "application/n-triples").content, format="nt")
        return {n for n in by_document[doc] if (URIRef(n), RDF.type, None) not in g}

    lost = [m for found in parallel(missing, list(by_document)) for m in found]  # type: ignore[attr-defined]
    assert not lost, lost[:5]


def test_html_links_stay_on_this_server_while_rdf_keeps_permanent_iris(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    iri = resources["organisation"][0]
    page = Page(live_server.get(path_of(iri)).text)
    assert not [link for link in page.links if link.startswith(ID)]
    assert any(link.startswith("/id/") for link in page.links)
    turtle = get(live_server, path_of(iri), "text/turtle").text
    assert "127.0.0.1" not in turtle and "localhost" not in turtle
    g = Graph()
    g.parse(data=turtle, format="turtle")
    assert (URIRef(iri), None, None) in g


def test_every_page_links_to_the_explorer_and_a_ready_sparql_query(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    for kind in ("organisation", "initiative", "issue", "partnership", "profile", "section"):
        iri = resources[kind][-1]
        page = Page(live_server.get(path_of(iri)).text)
        explore = [urlsplit(link) for link in page.links if link.startswith("/explore?")]
        sparql = [urlsplit(link) for link in page.links if link.startswith("/sparql?")]
        assert [parse_qs(u.query)["focus"] for u in explore] == [[iri]]
        queries = [parse_qs(u.query)["query"][0] for u in sparql]
        assert queries == [f"DESCRIBE <{iri}>"]


def test_unknown_iris_get_a_helpful_404(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    known = resources["organisation"][0]
    slug = known.rsplit("/", 1)[-1]
    response = live_server.get(f"/id/organisation/{slug}x", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    page = Page(response.text)
    assert not page.errors
    assert f"/id/organisation/{slug}" in page.links  # a suggestion for the near miss
    assert "q" in page.ids  # and a search box
    machine = live_server.get(f"/id/organisation/{slug}x", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404
    assert machine.json()["status"] == 404 and slug in machine.json()["message"]
    for path in ("/id/nothing/at-all", "/id/organisation/" + slug + ".xyz", "/id/organisation/" + slug + "/extra", "/id/nothing/"):
        assert live_server.get(path).status_code == 404, path


def test_index_pages_list_every_resource_of_a_kind(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    for kind in KINDS:
        page = Page(live_server.get(f"/id/{kind}/").text)
        assert not page.errors
        assert {path_of(i) for i in resources[kind]} <= set(page.links), kind
    kinds_page = Page(live_server.get("/id/").text)
    assert {f"/id/{k}/" for k in KINDS} <= set(kinds_page.links)


def test_index_search_filters_by_name(live_server: LiveServer, built: Built) -> None:
    name = rows(built.store, "SELECT ?l WHERE { ?o pg:profile ?p ; skos:prefLabel ?l } ORDER BY ?l LIMIT 1")[0]["l"]
    word = max(name.split(), key=len)
    page = Page(live_server.get("/id/organisation/", params={"q": word}).text)
    matching = rows(built.store, "SELECT ?o ?l WHERE { ?o a pg:Organisation ; skos:prefLabel ?l }")
    expected = {path_of(r["o"]) for r in matching if word.casefold() in r["l"].casefold()}
    listed = {link for link in page.links if link.startswith("/id/organisation/") and link != "/id/organisation/"
              and "?" not in link}  # the list's own RDF forms are '/id/organisation/?q=…&format=…'
    assert expected <= listed
    assert len(listed) < len(matching)


def test_jsonld_uses_the_published_context(live_server: LiveServer, resources: dict[str, list[str]]) -> None:
    doc = get(live_server, path_of(resources["initiative"][0]), "application/ld+json").json()
    context = live_server.get("/dumps/context.jsonld").json()["@context"]
    assert doc["@context"] == context
    assert json.dumps(doc).count("rdfs:label") >= 1  # compacted, not expanded
