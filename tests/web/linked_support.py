"""Helpers shared by the linked-data tests: expectations from SPARQL on the session's built
store, written independently of the service's own code, and a strict-enough HTML reader."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import TypeVar

import pyoxigraph as ox
import requests

from policygraph.build import Built
from tests.support.app import Answer, InProcess
from tests.support.server import LiveServer

BASE = "https://w3id.org/policygraph/"
ID = BASE + "id/"
PREFIXES = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
RDF_FORMS = {  # media type -> (suffix, rdflib parser)
    "text/turtle": ("ttl", "turtle"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
T = TypeVar("T")


def rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def resources_by_kind(built: Built) -> dict[str, list[str]]:
    """Every document IRI under id/ (no hash IRIs), by kind: what must dereference."""
    found = rows(built.store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o .
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}") && !CONTAINS(STR(?s), "#")) }}""")
    out: dict[str, list[str]] = {}
    for row in found:
        kind = row["s"][len(ID):].split("/", 1)[0]
        out.setdefault(kind, []).append(row["s"])
    return {k: sorted(v) for k, v in out.items()}


def types_and_labels(built: Built, iri: str) -> tuple[set[str], set[str]]:
    sub = {ox.Variable("x"): ox.NamedNode(iri)}
    types = {s["t"].value for s in built.store.query("SELECT ?x ?t WHERE { ?x a ?t }", substitutions=sub)}  # type: ignore[union-attr]
    labels = {s["l"].value for s in built.store.query(  # type: ignore[union-attr]
        PREFIXES + "SELECT ?x ?l WHERE { ?x rdfs:label|skos:prefLabel ?l }", substitutions=sub)}
    return types, labels


def path_of(iri: str, base: str = BASE) -> str:
    assert iri.startswith(base), iri
    return "/" + iri[len(base):]


def parallel(fn: Callable[[T], object], items: Iterable[T], workers: int = 8) -> list[object]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def get(server: LiveServer | InProcess, path: str, accept: str | None = None,
        session: requests.Session | None = None) -> requests.Response | Answer:
    """GET `path` from a live server (over `session` when given) or from the app in-process."""
    headers = {"Accept": accept} if accept else {}
    if session is None:
        return server.get(path, headers=headers)
    return session.get(server.url + path, headers=headers, timeout=60)


class Page(HTMLParser):
    """Reads a page: its text, links, ids and headings, and checks that elements nest properly."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text_parts: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[tuple[int, str]] = []
        self.h1: list[str] = []
        self.lang: str | None = None
        self.assets: list[str] = []
        self._heading: list[str] | None = None
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed elements at the end: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag in ("script", "img") and a.get("src"):
            self.assets.append(a["src"] or "")
        if tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(a.get("href") or "")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = []
            self.headings.append((int(tag[1]), ""))
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._heading is not None:
            text = " ".join("".join(self._heading).split())
            self.headings[-1] = (int(tag[1]), text)
            if tag == "h1":
                self.h1.append(text)
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def heading_levels_in_order(self) -> bool:
        """No heading skips a level on the way down (h1 then h2, never h1 then h3)."""
        level = 0
        for h, _ in self.headings:
            if h > level + 1:
                return False
            level = h
        return bool(self.headings) and self.headings[0][0] == 1
