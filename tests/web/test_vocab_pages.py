"""/ontology documents every class and property; /issues is the issue scheme as a browsable tree with
counts; both also negotiate to RDF. Expectations come from SPARQL on the session's built store."""

from __future__ import annotations

import pytest
from rdflib import Graph

from policygraph.build import Built
from tests.support.app import InProcess
from tests.web.linked_support import RDF_FORMS, Page, get, path_of, rows

PG = "https://w3id.org/policygraph/ontology#"
ONTOLOGY_GRAPH = "https://w3id.org/policygraph/graph/ontology"
ISSUES_GRAPH = "https://w3id.org/policygraph/graph/issues"
COMPACT = {
    "http://www.w3.org/ns/org#": "org:", "https://schema.org/": "schema:", "http://www.w3.org/ns/prov#": "prov:",
    "http://xmlns.com/foaf/0.1/": "foaf:", "http://www.w3.org/2004/02/skos/core#": "skos:", "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/oa#": "oa:", "http://www.w3.org/2001/XMLSchema#": "xsd:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    PG: "pg:",
}


def compact(iri: str) -> str:
    for ns, prefix in COMPACT.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


class TermSections(Page):
    """The text of each term's section on the ontology page, by anchor."""

    def __init__(self, html: str) -> None:
        self.terms: dict[str, list[str]] = {}
        self._open: list[str | None] = []
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            a = dict(attrs)
            self._open.append(a.get("id") if a.get("class") == "term" else None)
            if self._open[-1]:
                self.terms[self._open[-1] or ""] = []
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._open:
            self._open.pop()
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        term = next((t for t in reversed(self._open) if t), None)
        if term:
            self.terms[term].append(data)
        super().handle_data(data)

    def text_of(self, term: str) -> str:
        return " ".join("".join(self.terms[term]).split())


def vocabulary(built: Built, graph: str) -> set[tuple[str, str, str]]:
    return {(r["s"], r["p"], r["o"]) for r in rows(built.store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}


@pytest.fixture(scope="module")
def ontology(app_server: InProcess) -> TermSections:
    response = app_server.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    return TermSections(response.text)


def test_every_class_and_property_is_documented(ontology: TermSections, built: Built) -> None:
    assert not ontology.errors and ontology.heading_levels_in_order()
    owl = "http://www.w3.org/2002/07/owl#"
    terms = rows(built.store, f"""SELECT ?t ?label ?comment WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
        ?t a ?kind ; rdfs:label ?label ; rdfs:comment ?comment .
        VALUES ?kind {{ <{owl}Class> <{owl}ObjectProperty> <{owl}DatatypeProperty> }} }} }}""")
    assert len(terms) > 30
    for term in terms:
        name = term["t"][len(PG):]
        assert name in ontology.terms, name
        text = ontology.text_of(name)
        assert term["label"] in text and " ".join(term["comment"].split()) in text, name


def test_domains_ranges_and_alignments_are_shown(ontology: TermSections, built: Built) -> None:
    facts = rows(built.store, f"""SELECT ?t ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t ?p ?o
        VALUES ?p {{ rdfs:domain rdfs:range rdfs:subClassOf rdfs:subPropertyOf }} FILTER(STRSTARTS(STR(?t), "{PG}")) }} }}""")
    alignments = [f for f in facts if f["p"].endswith(("subClassOf", "subPropertyOf")) and not f["o"].startswith(PG)]
    assert {compact(f["o"]).split(":")[0] for f in alignments} >= {"org", "schema", "prov", "foaf", "skos", "dcterms"}
    for fact in facts:
        text = ontology.text_of(fact["t"][len(PG):])
        shown = compact(fact["o"])
        if fact["o"].startswith(PG):  # our own terms are shown by their label and linked to their anchor
            label = rows(built.store, f"SELECT ?l WHERE {{ <{fact['o']}> rdfs:label ?l }}")[0]["l"]
            assert label in text or shown in text, fact
        else:
            assert shown in text, fact


def test_ontology_anchors_match_the_term_iris(ontology: TermSections) -> None:
    """IRIs such as pg:Organisation map to /ontology#Organisation on this server, and that anchor exists."""
    for anchor in ("Organisation", "Initiative", "PolicyIssue", "Partnership", "partnerOf", "worksOn", "evidence"):
        assert anchor in ontology.ids


@pytest.mark.parametrize(("path", "graph"), [("/ontology", ONTOLOGY_GRAPH), ("/issues", ISSUES_GRAPH)])
def test_vocabularies_negotiate_to_rdf(app_server: InProcess, built: Built, path: str, graph: str) -> None:
    expected = vocabulary(built, graph)
    for mime, (suffix, parser) in RDF_FORMS.items():
        for response in (get(app_server, path, mime), app_server.get(f"{path}.{suffix}")):
            assert response.status_code == 200 and response.headers["Content-Type"].startswith(mime)
            g = Graph()
            g.parse(data=response.content, format=parser)
            assert {(str(s), str(p), str(o)) for s, p, o in g} == expected
    negotiated = get(app_server, path, "text/turtle")
    assert "Accept" in negotiated.headers["Vary"] and f'<{path}.jsonld>; rel="alternate"' in negotiated.headers["Link"]


def test_the_version_iri_answers(app_server: InProcess, built: Built) -> None:
    version = rows(built.store, f"SELECT ?v WHERE {{ <{PG[:-1]}> <http://www.w3.org/2002/07/owl#versionIRI> ?v }}")[0]["v"]
    assert app_server.get(path_of(version)).status_code == 200
    assert app_server.get("/ontology/99.99.99").status_code == 404


class IssueTree(Page):
    """The issue links of the /issues tree, each with the counts shown next to it and its depth."""

    def __init__(self, html: str) -> None:
        self.entries: list[tuple[str, int, str]] = []  # (href, depth, counts text)
        self._depth = 0
        self._counts: list[str] | None = None
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "ul" and (a.get("class") == "tree" or self._depth):
            self._depth += 1
        if tag == "a" and self._depth and (a.get("href") or "").startswith("/id/issue/"):
            self.entries.append((a.get("href") or "", self._depth, ""))
        if tag == "span" and a.get("class") == "counts":
            self._counts = []
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._depth:
            self._depth -= 1
        if tag == "span" and self._counts is not None:
            href, depth, _ = self.entries[-1]
            self.entries[-1] = (href, depth, " ".join("".join(self._counts).split()))
            self._counts = None
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._counts is not None:
            self._counts.append(data)
        super().handle_data(data)


def test_the_issue_tree_shows_every_issue_under_its_basket_with_counts(app_server: InProcess, built: Built) -> None:
    response = app_server.get("/issues", headers={"Accept": "text/html"})
    tree = IssueTree(response.text)
    assert not tree.errors
    concepts = rows(built.store, """SELECT ?c (COUNT(?up) AS ?ancestors) WHERE {
        ?c skos:inScheme <https://w3id.org/policygraph/id/scheme/issues> . OPTIONAL { ?c skos:broader+ ?up } } GROUP BY ?c""")
    listed = {href: (depth, counts) for href, depth, counts in tree.entries}
    assert {path_of(c["c"]) for c in concepts} == set(listed)
    for concept in concepts:
        depth, counts = listed[path_of(concept["c"])]
        assert depth == 1 + int(concept["ancestors"]), concept  # baskets at the top, issues nested under them
        reach = f"""?i skos:broader* <{concept['c']}> ."""
        orgs = rows(built.store, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {reach} ?o pg:worksOn ?i }}")[0]["n"]
        inis = rows(built.store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {reach} ?x a pg:Initiative ; dcterms:subject ?i }}")[0]["n"]
        assert counts.startswith(f"{orgs} organisation") and f", {inis} initiative" in counts, (concept, counts)
    # Each issue sits inside the list that follows its broader issue, before the next entry at that level.
    order = [href for href, _, _ in tree.entries]
    scheme = "https://w3id.org/policygraph/id/scheme/issues"
    for row in rows(built.store, f"SELECT ?c ?b WHERE {{ ?c skos:broader ?b ; skos:inScheme <{scheme}> }}"):
        at = order.index(path_of(row["b"]))
        level = tree.entries[at][1]
        end = min([i for i, (_, d, _) in enumerate(tree.entries) if i > at and d <= level] or [len(order)])
        assert at < order.index(path_of(row["c"])) < end, row


def test_issue_pages_show_broader_narrower_and_who_works_on_them(app_server: InProcess, built: Built) -> None:
    basket = rows(built.store, "SELECT ?b (COUNT(?c) AS ?n) WHERE { ?c skos:broader ?b } GROUP BY ?b ORDER BY DESC(?n) ?b LIMIT 1")[0]["b"]
    page = Page(app_server.get(path_of(basket)).text)
    narrower = {path_of(r["c"]) for r in rows(built.store, f"SELECT ?c WHERE {{ ?c skos:broader <{basket}> }}")}
    assert narrower <= set(page.links)
    via = rows(built.store, f"SELECT DISTINCT ?o WHERE {{ ?i skos:broader <{basket}> . ?o pg:worksOn ?i }}")
    assert {path_of(r["o"]) for r in via} <= set(page.links)  # organisations on narrower issues count too
    issue = sorted(narrower)[0]
    child = Page(app_server.get(issue).text)
    assert path_of(basket) in child.links
