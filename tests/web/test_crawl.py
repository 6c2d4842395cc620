"""A crawler that starts from the home page and follows only links and IRIs in the data reaches every
organisation, initiative, issue and partnership, and meets no 404 and no 5xx."""

from __future__ import annotations

import zlib
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests
from rdflib import Graph, URIRef

from policygraph.build import Built
from tests.support.server import LiveServer
from tests.web.linked_support import BASE, Page, parallel, path_of, resources_by_kind

# A few thousand requests; on the remote-store run (`make test`'s second pass) too, where the quads around
# each node are fetched once per store version (store/remote.py), so the crawl takes about two minutes.
pytestmark = pytest.mark.slow

# Pages of the linked-data part are read for further links; other parts of the site (the SPARQL UI,
# the explorer, the query catalogue) are fetched and must answer, but their own links are theirs to test.
EXPAND = ("/id/", "/ontology", "/issues", "/dumps", "/.well-known/void")
DOWNLOADS = "/dumps/"  # files: fetched for their status only
# Statements and quotes: thousands of pages from two templates. The crawl fetches one in ten of them (the
# same ones every time) for their status and reads none of their links (what they link to is linked from
# the pages of the things they are about, which are read); tests/web/test_statement_pages.py renders every
# one of them in-process, in every form.
LEAVES = ("/id/statement/", "/id/quote/")


def wanted(path: str) -> bool:
    return not path.startswith(LEAVES) or zlib.crc32(path.encode()) % 10 == 0


def local(url: str, server: LiveServer) -> str | None:
    """The path (and query) of a same-origin URL, without fragment; None for other sites."""
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != server.url:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def data_paths(turtle: bytes) -> set[str]:
    """IRIs under the base that occur in a resource's RDF, as this server's paths."""
    g = Graph()
    g.parse(data=turtle, format="turtle")
    iris = {str(t) for triple in g for t in triple if isinstance(t, URIRef)}
    return {"/" + urldefrag(i)[0][len(BASE):] for i in iris if i.startswith(BASE) and "/graph/" not in i}


@pytest.fixture(scope="module")
def crawl(live_server: LiveServer) -> dict[str, int]:
    status: dict[str, int] = {}
    frontier = ["/"]

    def visit(path: str) -> tuple[str, int, set[str]]:
        with requests.Session() as session:
            download = path.startswith(DOWNLOADS)
            response = session.get(live_server.url + path, headers={"Accept": "text/html"}, timeout=120, stream=download)
            found: set[str] = set()
            expand = path == "/" or (path.split("?")[0].startswith(EXPAND) and not path.startswith(LEAVES))
            html = response.headers.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and not download and expand and html:
                page = Page(response.text)
                for href in page.links:
                    target = local(urljoin(live_server.url + path, href), live_server)
                    if target is not None:
                        found.add(target)
                if path.startswith("/id/") and "Accept" in response.headers.get("Vary", ""):  # the IRIs in the data too
                    turtle = session.get(live_server.url + path, headers={"Accept": "text/turtle"}, timeout=60)
                    if turtle.status_code == 200:
                        found |= data_paths(turtle.content)
            response.close()
            return path, response.status_code, found

    while frontier:
        for path in frontier:
            status[path] = -1  # claimed
        results = parallel(visit, frontier)
        frontier = []
        for path, code, found in results:  # type: ignore[misc]
            status[path] = code
            frontier += [p for p in found if p not in status and p not in frontier and wanted(p)]
    return status


def test_the_crawl_reaches_every_organisation_initiative_issue_and_partnership(crawl: dict[str, int], built: Built) -> None:
    resources = resources_by_kind(built)
    for kind in ("organisation", "initiative", "issue", "partnership"):
        expected = {path_of(i) for i in resources[kind]}
        missing = expected - set(crawl)
        assert not missing, f"{len(missing)} {kind} pages never reached, e.g. {sorted(missing)[:5]}"


def test_the_crawl_meets_no_404_and_no_5xx(crawl: dict[str, int]) -> None:
    bad = {path: code for path, code in crawl.items() if code == 404 or code >= 500 or code < 0}
    assert not bad, f"{len(bad)} bad answers, e.g. {sorted(bad.items())[:10]}"
    assert all(code == 200 for code in crawl.values()), {p: c for p, c in crawl.items() if c != 200}


def test_the_crawl_covered_the_other_entry_points(crawl: dict[str, int]) -> None:
    """The home page's entry points were all followed (and so answered)."""
    for path in ("/id/organisation/", "/issues", "/queries", "/explore", "/sparql", "/dumps", "/ontology", "/.well-known/void"):
        assert crawl.get(path) == 200, path
    assert any(p.startswith("/explore?focus=") for p in crawl)
    assert any(p.startswith("/sparql?query=") for p in crawl)
    assert any(p.startswith("/dumps/policygraph.") for p in crawl)
    print(f"crawled {len(crawl)} URLs")  # the size, for the record (not asserted)
