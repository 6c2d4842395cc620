"""The forms of linked-data documents beyond the four graph syntaxes, and where the dataset description
says the service is (the app in-process, on either store):

- a resource answers N3 (its Turtle, labelled text/n3), and N-Quads and TriG with each statement in every
  named graph that states it (who said what);
- the list of a kind (`/id/<kind>/`) has an RDF form, negotiated like a resource;
- VoID and the SPARQL service description name the endpoint and the dumps where the request reached the
  service (Vary: Host), or under the configured public URL; the dataset keeps its IRI under the base.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from policygraph.build import Built
from policygraph.settings import load_settings
from tests.support.app import Answer, InProcess, in_process
from tests.support.paths import ROOT
from tests.web.linked_support import BASE, ID, path_of, resources_by_kind

AI_ACT = ID + "initiative/ai-act"
VOID = "http://rdfs.org/ns/void#"
RDFS_MEMBER = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#member")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABELS = {ox.NamedNode(iri) for iri in ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                                        "https://w3id.org/policygraph/ontology#heading", "http://purl.org/dc/terms/title")}
DATASET = ox.NamedNode(BASE + ".well-known/void#dataset")
SD = "http://www.w3.org/ns/sparql-service-description#"


def triples_of(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


def quads_of(body: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    return set(ox.parse(body, format=fmt))


def stated(built: Built, triples: set[ox.Triple]) -> set[ox.Quad]:
    """Every quad of the store's named graphs that holds one of `triples`: what the quad forms must give."""
    return {q for t in triples for q in built.store.quads_for_pattern(t.subject, t.predicate, t.object, None)
            if isinstance(q.graph_name, ox.NamedNode)}


# -- a resource in N3, N-Quads and TriG


def test_n3_is_the_turtle_labelled_n3(app_server: InProcess) -> None:
    path = path_of(AI_ACT)
    n3 = app_server.get(path, headers={"Accept": "text/n3"})
    turtle = app_server.get(path, headers={"Accept": "text/turtle"})
    assert n3.status_code == 200 and n3.headers["Content-Type"] == "text/n3; charset=utf-8"
    assert n3.content == turtle.content
    assert n3.headers["Content-Location"] == path + ".n3" and "Accept" in n3.headers["Vary"]
    assert app_server.get(path + ".n3").content == n3.content
    assert app_server.get(path, params={"format": "n3"}).content == n3.content
    assert triples_of(n3.content, ox.RdfFormat.N3) == triples_of(turtle.content, ox.RdfFormat.TURTLE)


@pytest.mark.parametrize(("mime", "suffix", "fmt"), [("application/n-quads", "nq", ox.RdfFormat.N_QUADS),
                                                    ("application/trig", "trig", ox.RdfFormat.TRIG)])
@pytest.mark.parametrize("iri", [AI_ACT, ID + "organisation/wmo", ID + "issue/artificial-intelligence"])
def test_the_quad_forms_keep_the_graph_of_every_statement(app_server: InProcess, built: Built, mime: str, suffix: str,
                                                          fmt: ox.RdfFormat, iri: str) -> None:
    path = path_of(iri)
    response = app_server.get(path, headers={"Accept": mime})
    assert response.status_code == 200 and response.headers["Content-Type"] == f"{mime}; charset=utf-8"
    assert response.headers["Content-Location"] == f"{path}.{suffix}"
    assert app_server.get(f"{path}.{suffix}").content == response.content
    quads = quads_of(response.content, fmt)
    triples = triples_of(app_server.get(path, headers={"Accept": "application/n-triples"}).content, ox.RdfFormat.N_TRIPLES)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in quads} == triples  # the same description
    assert quads == stated(built, triples)  # each triple in every named graph that states it, and nowhere else


def test_who_said_what_survives_in_the_quads(app_server: InProcess, built: Built) -> None:
    """The AI Act: WTO, WEF and the Kofi Annan Foundation each state their part, in their own graph."""
    quads = quads_of(app_server.get(path_of(AI_ACT) + ".nq").content, ox.RdfFormat.N_QUADS)
    involvement = ox.NamedNode("https://w3id.org/policygraph/ontology#involvement")
    graphs = {q.graph_name.value for q in quads if q.subject == ox.NamedNode(AI_ACT) and q.predicate == involvement}  # type: ignore[union-attr]
    assert {BASE + f"graph/curated/{org}" for org in ("wto", "wef", "kofi-annan-foundation")} <= graphs


def test_every_form_is_linked_from_every_other(app_server: InProcess) -> None:
    path = path_of(ID + "organisation/wmo")
    response = app_server.get(path, headers={"Accept": "application/trig"})
    links = response.headers["Link"]
    for mime, suffix in [("text/html", "html"), ("text/turtle", "ttl"), ("text/n3", "n3"),
                         ("application/n-quads", "nq"), ("application/n-triples", "nt")]:
        assert f'<{path}.{suffix}>; rel="alternate"; type="{mime}"' in links
    assert 'type="application/trig"' not in links  # the form served


def test_the_page_links_its_quad_forms(app_server: InProcess) -> None:
    page = app_server.get(path_of(AI_ACT), headers={"Accept": "text/html"}).text
    assert f'<link rel="alternate" type="application/n-quads" href="{path_of(AI_ACT)}.nq">' in page
    assert f'href="{path_of(AI_ACT)}.trig" type="application/trig">TriG (with named graphs)</a>' in page


# -- the list of a kind


@pytest.mark.parametrize("kind", ["organisation", "issue", "initiative-kind"])
def test_a_kind_list_has_an_rdf_form(app_server: InProcess, built: Built, kind: str) -> None:
    path = f"/id/{kind}/"
    response = app_server.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == f"{path}?format=turtle"
    triples = triples_of(response.content, ox.RdfFormat.TURTLE)
    here = ox.NamedNode(ID + kind + "/")
    expected = resources_by_kind(built)[kind]
    assert {t.object.value for t in triples if t.subject == here and t.predicate == RDFS_MEMBER} == set(expected)
    assert ox.Triple(here, RDF_TYPE, ox.NamedNode(VOID + "Dataset")) in triples
    assert ox.Triple(DATASET, ox.NamedNode(VOID + "subset"), here) in triples
    entities = [t.object.value for t in triples if t.subject == here and t.predicate == ox.NamedNode(VOID + "entities")]
    assert entities == [str(len(expected))]
    # Each member with its types and labels, as the store states them.
    named = {ox.Triple(q.subject, q.predicate, q.object) for iri in expected
             for q in built.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
             if q.predicate == RDF_TYPE or q.predicate in LABELS}
    assert {t for t in triples if t.subject != here and t.subject != DATASET} == named


def test_a_kind_list_in_quads_keeps_the_graphs_and_follows_the_search(app_server: InProcess, built: Built) -> None:
    response = app_server.get("/id/organisation/", params={"q": "world", "format": "nquads"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/n-quads")
    quads = quads_of(response.content, ox.RdfFormat.N_QUADS)
    here = ox.NamedNode(ID + "organisation/")
    members = {q.object.value for q in quads if q.subject == here and q.predicate == RDFS_MEMBER}
    assert ID + "organisation/wmo" in members and ID + "organisation/wto" in members
    assert len(members) < len(resources_by_kind(built)["organisation"])
    listed = {q for q in quads if q.subject == here or q.subject == DATASET}
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in listed)  # the list itself is made here
    rest = quads - listed
    assert rest and all(isinstance(q.graph_name, ox.NamedNode) and q in built.store for q in rest)
    assert {q.subject.value for q in rest} == members


def test_a_kind_list_is_negotiated_like_a_resource(app_server: InProcess) -> None:
    html = app_server.get("/id/issue/", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert '<link rel="alternate" type="application/trig" href="/id/issue/?format=trig">' in html.text
    assert app_server.get("/id/issue/").headers["Content-Type"].startswith("text/html")  # */*: the page
    jsonld = app_server.get("/id/issue/", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200 and jsonld.headers["Content-Type"].startswith("application/ld+json")
    n3 = app_server.get("/id/issue/", headers={"Accept": "text/n3"})
    assert n3.headers["Content-Type"].startswith("text/n3")
    assert n3.content == app_server.get("/id/issue/", params={"format": "turtle"}).content
    links = app_server.get("/id/issue/", params={"q": "data"}, headers={"Accept": "text/turtle"}).headers["Link"]
    assert '</id/issue/?q=data&format=nquads>; rel="alternate"; type="application/n-quads"' in links
    refused = app_server.get("/id/issue/", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/n3" in refused.json()["message"]


# -- where the service is


def at_host(app: InProcess, path: str, root: str, accept: str = "text/turtle") -> Answer:
    """A request that reached the app at `root` (scheme, host and mount point)."""
    response = app.client.get(path, base_url=root, headers={"Accept": accept})
    try:
        return Answer(response.status_code, response.headers, response.get_data())
    finally:
        response.close()


def void_at(app: InProcess, root: str) -> tuple[Answer, set[ox.Triple]]:
    response = at_host(app, "/.well-known/void", root)
    assert response.status_code == 200
    return response, triples_of(response.content, ox.RdfFormat.TURTLE)


def service_urls(triples: set[ox.Triple]) -> set[str]:
    """The endpoint and dump URLs the VoID names."""
    wanted = {VOID + "sparqlEndpoint", VOID + "dataDump", "http://www.w3.org/ns/dcat#downloadURL",
              "http://www.w3.org/ns/dcat#endpointURL"}
    return {t.object.value for t in triples if t.predicate.value in wanted}


@pytest.mark.parametrize("root", ["http://policy.example.org/", "https://data.example.net:8443/graph/"])
def test_void_names_the_service_where_the_request_reached_it(app_server: InProcess, root: str) -> None:
    response, triples = void_at(app_server, root)
    assert "Host" in response.headers["Vary"]
    endpoint = [t.object.value for t in triples if t.subject == DATASET and t.predicate.value == VOID + "sparqlEndpoint"]
    assert endpoint == [root + "sparql"]
    urls = service_urls(triples)
    assert urls and all(url.startswith(root) for url in urls)
    assert root + "dumps/policygraph.trig" in urls
    # The dataset keeps its own IRI under the base, whatever host serves it, and so do the data's IRIs.
    assert ox.Triple(DATASET, RDF_TYPE, ox.NamedNode(VOID + "Dataset")) in triples
    space = [t.object.value for t in triples if t.subject == DATASET and t.predicate.value == VOID + "uriSpace"]
    assert space == [ID]
    page = at_host(app_server, "/.well-known/void", root, "text/html")
    assert "Host" in page.headers["Vary"] and f'href="{root}sparql"' in page.text


def test_one_hosts_void_is_never_served_to_another(app_server: InProcess) -> None:
    """Whatever the app keeps between requests (counts, dump files), the links are made per request."""
    first, second = "http://one.example/", "http://two.example/"
    for root, other in [(first, second), (second, first), (first, second)]:
        _response, triples = void_at(app_server, root)
        urls = service_urls(triples)
        assert all(url.startswith(root) for url in urls) and not any(other in url for url in urls)
    # The dump files behind those links are the same bytes for every host.
    one = at_host(app_server, "/dumps/policygraph.ttl", first).content
    two = at_host(app_server, "/dumps/policygraph.ttl", second).content
    assert one == two and b"one.example" not in one


def test_the_service_description_names_the_endpoint_where_it_is_reached(app_server: InProcess) -> None:
    root = "http://sparql.example.org/mounted/"
    response = at_host(app_server, "/sparql", root)
    assert response.status_code == 200 and "Host" in response.headers["Vary"]
    triples = triples_of(response.content, ox.RdfFormat.TURTLE)
    service = ox.NamedNode(root + "sparql")
    assert ox.Triple(service, ox.NamedNode(SD + "endpoint"), service) in triples
    assert ox.Triple(service, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                     ox.NamedNode(root + ".well-known/void")) in triples


def test_a_malformed_host_gets_the_datasets_base(app_server: InProcess) -> None:
    for path in ("/.well-known/void", "/sparql"):
        response = app_server.client.get(path, headers={"Accept": "application/n-triples", "Host": "not a host"})
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200
        assert f"<{BASE}sparql>" in body and "http:///" not in body


@pytest.fixture(scope="module")
def published(app_server: InProcess) -> Iterator[InProcess]:
    """The app over the same store with a public URL configured (behind a proxy, say)."""
    settings = load_settings(environ={}, root=ROOT, store=app_server.settings.store, public_url="https://policygraph.example.org",
                             remote_cache_seconds=app_server.settings.remote_cache_seconds)
    with in_process(settings) as app:
        yield app


def test_with_a_public_url_the_service_is_named_there_from_any_host(published: InProcess) -> None:
    root = "https://policygraph.example.org/"
    for host in ("http://127.0.0.1:5000/", "http://internal.example/"):
        response, triples = void_at(published, host)
        assert "Host" not in response.headers.get("Vary", "")
        urls = service_urls(triples)
        assert root + "sparql" in urls and all(url.startswith(root) for url in urls)
        description = at_host(published, "/sparql", host)
        assert "Host" not in description.headers.get("Vary", "")
        sd = triples_of(description.content, ox.RdfFormat.TURTLE)
        assert ox.Triple(ox.NamedNode(root + "sparql"), RDF_TYPE, ox.NamedNode(SD + "Service")) in sd
