"""The explorer page in headless Chromium (Playwright) against the live server: it loads with no
request leaving the server, filters change the drawn nodes to the expected set, clicking a node opens
the panel, paths are shown, the URL restores a view. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from policygraph.build import Built
from tests.support.paths import ARTIFACTS
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser

PREFIXES = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
READY = "document.getElementById('explorer').dataset.state === 'ready'"
ID = "https://w3id.org/policygraph/id/"


def rows(built: Built, query: str) -> list[dict[str, str]]:
    result = built.store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()


class Recorded:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def recorded(browser: Browser) -> Iterator[Recorded]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(90_000)
    page = context.new_page()
    yield Recorded(page)
    context.close()


def generation(page: Page) -> int:
    return int(page.evaluate("document.getElementById('explorer').dataset.generation"))


def wait_ready(page: Page, after: int = 0) -> None:
    # A function, not an expression string: Playwright evaluates strings with eval, which the CSP forbids.
    page.wait_for_function(f"() => {READY} && Number(document.getElementById('explorer').dataset.generation) > {after}")


def open_explorer(recorded: Recorded, server: LiveServer, query: str = "") -> Page:
    page = recorded.page
    page.goto(server.url + "/explore" + query)
    wait_ready(page)
    return page


def drawn(page: Page, node_type: str | None = None) -> set[str]:
    selector = f"node[type = '{node_type}']" if node_type else "node"
    return set(page.evaluate(f"window.policygraphExplorer.cy.nodes(\"{selector}\").map(n => n.id())"))


def shot(page: Page, name: str, full: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"explore-{name}.png"
    page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 0
    return path


def click_node(page: Page, iri: str) -> None:
    """Click the node as a person would, at a point only it covers. Call it once the page is ready (the
    layout does not animate, so positions are final then). The node is centred and zoomed in; any other
    node whose box covers its centre is moved aside first, so the click cannot land on a neighbour."""
    wait_ready(page)
    point: dict[str, Any] = page.evaluate(
        """(iri) => { const cy = window.policygraphExplorer.cy; const n = cy.getElementById(iri);
           if (n.empty()) throw new Error('no node ' + iri);
           cy.zoom(1.5); cy.center(n);
           const box = n.renderedBoundingBox({includeLabels: false});
           const pad = 4;
           const covers = (o) => { const b = o.renderedBoundingBox({includeLabels: false});
             return b.x1 - pad <= box.x2 && box.x1 <= b.x2 + pad && b.y1 - pad <= box.y2 && box.y1 <= b.y2 + pad; };
           cy.nodes().forEach((o) => { if (o.id() !== iri && covers(o)) {
             const b = o.renderedBoundingBox({includeLabels: false});
             o.shift({x: 0, y: (box.y2 - b.y1 + 20) / cy.zoom()}); } });
           const still = cy.nodes().filter((o) => o.id() !== iri && covers(o)).map((o) => o.id());
           if (still.length) throw new Error('nodes still cover ' + iri + ': ' + still.join(' '));
           const p = n.renderedPosition(); const r = document.getElementById('cy').getBoundingClientRect();
           return {x: r.left + p.x, y: r.top + p.y}; }""",
        iri,
    )
    page.mouse.click(point["x"], point["y"])


def test_the_page_loads_with_no_external_request(recorded: Recorded, live_server: LiveServer) -> None:
    page = open_explorer(recorded, live_server)
    view = live_server.get("/api/graph").json()
    assert drawn(page) == {n["id"] for n in view["nodes"]}
    assert page.evaluate("window.policygraphExplorer.cy.edges().length") == len(view["edges"])
    assert recorded.requests and all(u.startswith((live_server.url + "/", "data:", "blob:")) for u in recorded.requests), recorded.requests
    assert any("/assets/cytoscape-fcose/" in u for u in recorded.requests)
    assert not recorded.errors
    assert f"{view['counts']['organisation']} organisations" in page.inner_text("#status")
    shot(page, "home")


def test_filtering_by_an_issue_draws_the_expected_nodes(recorded: Recorded, live_server: LiveServer, built: Built) -> None:
    issue = rows(built, "SELECT ?i (COUNT(?o) AS ?n) WHERE { ?i skos:broader ?b . ?o pg:worksOn ?i } "
                        "GROUP BY ?i ORDER BY DESC(?n) ?i")[0]["i"]
    key = issue.rsplit("/", 1)[-1]
    page = open_explorer(recorded, live_server)
    before = drawn(page)
    count = generation(page)
    page.select_option("#f-issue", key)
    wait_ready(page, count)
    expected = {r["o"] for r in rows(built, f"SELECT DISTINCT ?o WHERE {{ ?o a pg:Organisation ; pg:worksOn/skos:broader* <{issue}> }}")}
    assert drawn(page, "organisation") == expected
    assert drawn(page) == {n["id"] for n in live_server.get("/api/graph", params={"issue": key}).json()["nodes"]}
    assert drawn(page) != before
    assert f"issue={key}" in page.url
    assert not recorded.errors
    shot(page, "issue-filter")


@pytest.fixture(scope="module")
def hub(built: Built) -> dict[str, str]:
    """The organisation in the most partnerships, with its label."""
    return rows(built, "SELECT ?o ?label (COUNT(?p) AS ?n) WHERE { ?p a pg:Partnership ; pg:partner ?o . ?o skos:prefLabel ?label } "
                       "GROUP BY ?o ?label ORDER BY DESC(?n) ?o")[0]


def test_clicking_a_node_opens_the_panel_and_expands_it(recorded: Recorded, live_server: LiveServer, hub: dict[str, str]) -> None:
    page = open_explorer(recorded, live_server)
    count = generation(page)
    click_node(page, hub["o"])
    page.wait_for_selector("#panel:not([hidden])")
    wait_ready(page, count)
    assert page.inner_text("#panel-title") == hub["label"]
    details = live_server.get("/api/node", params={"iri": hub["o"]}).json()["node"]
    assert page.locator("#panel blockquote.evidence").count() == len(details["evidence"]) > 0
    assert page.get_attribute("#panel a:text('Linked-data page')", "href") == details["page"]
    assert "focus=" in page.url
    shot(page, "panel")

    base = drawn(page)
    count = generation(page)
    page.click("#panel-expand")
    wait_ready(page, count)
    hood = {n["iri"] for n in live_server.get("/api/node", params={"iri": hub["o"]}).json()["neighbourhood"]["nodes"]}
    assert drawn(page) == base | hood
    assert "expand=" in page.url
    shot(page, "expanded")
    page.click("#panel-expand")  # collapse again
    assert drawn(page) == base
    assert "expand=" not in page.url


def test_a_path_between_two_organisations_is_shown(recorded: Recorded, live_server: LiveServer, built: Built) -> None:
    pair = rows(built, "SELECT ?a ?b WHERE { ?p a pg:Partnership ; pg:partner ?a , ?b . ?a pg:profile ?x . ?b pg:profile ?y . "
                       "FILTER (STR(?a) < STR(?b)) } ORDER BY ?p LIMIT 1")[0]
    page = open_explorer(recorded, live_server)
    page.select_option("#path-from", pair["a"])
    page.select_option("#path-to", pair["b"])
    count = generation(page)
    page.click("#path-go")
    wait_ready(page, count)
    expected = live_server.get("/api/paths", params={"from": pair["a"], "to": pair["b"]}).json()["paths"]
    assert expected
    listed = page.locator("#path-results li.path")
    assert listed.count() == len(expected)
    assert listed.first.locator("h3").inner_text() == " → ".join(n["short"] for n in expected[0]["nodes"])
    steps = listed.first.locator(".step-text").all_inner_texts()
    assert steps == [s["text"] for s in expected[0]["steps"]]
    highlighted = set(page.evaluate("window.policygraphExplorer.cy.nodes('.path').map(n => n.id())"))
    assert highlighted == {n["id"] for n in expected[0]["nodes"]}
    assert "from=" in page.url and "to=" in page.url
    page.locator("#cy").scroll_into_view_if_needed()
    shot(page, "path")
    shot(page, "path-full", full=True)


def test_the_url_restores_a_shared_view(recorded: Recorded, live_server: LiveServer, built: Built, hub: dict[str, str]) -> None:
    issue = rows(built, f"SELECT ?i WHERE {{ <{hub['o']}> pg:worksOn ?i }} ORDER BY ?i LIMIT 1")[0]["i"]
    key = issue.rsplit("/", 1)[-1]
    other = rows(built, f"SELECT ?o WHERE {{ ?o pg:profile ?p FILTER (?o != <{hub['o']}>) }} ORDER BY ?o LIMIT 1")[0]["o"]
    first = open_explorer(recorded, live_server, f"?issue={key}")
    count = generation(first)
    click_node(first, hub["o"])
    wait_ready(first, count)
    first.select_option("#path-from", hub["o"])
    first.select_option("#path-to", other)
    count = generation(first)
    first.click("#path-go")
    wait_ready(first, count)
    shared = first.url

    page = recorded.page.context.new_page()
    page.goto(shared)
    page.wait_for_selector("#path-results li.path, #path-none")
    page.wait_for_function("() => " + READY)
    assert page.input_value("#f-issue") == key
    assert page.inner_text("#panel-title") == hub["label"]
    assert page.input_value("#path-from") == hub["o"] and page.input_value("#path-to") == other
    assert drawn(page, "organisation") == drawn(first, "organisation")
    shot(page, "shared-url")


def test_search_suggestions_with_the_keyboard(recorded: Recorded, live_server: LiveServer, built: Built) -> None:
    org = rows(built, "SELECT ?o ?a ?l WHERE { ?o a pg:Organisation ; pg:acronym ?a ; skos:prefLabel ?l "
                      "FILTER (STRLEN(?a) >= 3) } ORDER BY ?o LIMIT 1")[0]
    page = open_explorer(recorded, live_server)
    page.focus("#search")
    page.keyboard.type(org["a"].lower())
    page.wait_for_selector("#search-list [role=option]")
    assert page.get_attribute("#search", "aria-expanded") == "true"
    count = generation(page)
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search", "aria-activedescendant") == "suggestion-0"
    page.keyboard.press("Enter")
    wait_ready(page, count)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-title") == org["l"]
    shot(page, "search")


def test_the_view_saves_as_png(recorded: Recorded, live_server: LiveServer) -> None:
    page = open_explorer(recorded, live_server)
    with page.expect_download() as info:
        page.click("#png")
    saved = ARTIFACTS / "explore-view-export.png"
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(str(saved))
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert info.value.suggested_filename == "policygraph-view.png"


def test_an_issue_filter_links_organisations_only_through_what_their_own_statements_say(
        recorded: Recorded, live_server: LiveServer, built: Built) -> None:
    """The issue's example: with "Artificial intelligence" selected, WMO is not linked to UNECE through the
    SDGs (which WMO only supports, and which another profile tagged with AI); every edge drawn from WMO
    rests on a joint-work statement of a profile that tags its target with AI; and WMO's panel lists the
    issues its own profile states (no "Intellectual property rights")."""
    wmo, unece, sdgs = ID + "organisation/wmo", ID + "organisation/unece", ID + "initiative/sustainable-development-goals"
    page = open_explorer(recorded, live_server, "?issue=artificial-intelligence")
    edges = page.evaluate("window.policygraphExplorer.cy.edges().map(e => [e.source().id(), e.target().id()])")
    assert [wmo, sdgs] not in edges
    through = {t for s, t in edges if s == wmo} & {t for s, t in edges if s == unece}
    assert sdgs not in through
    allowed = {r["t"] for r in rows(built, f"""SELECT ?t WHERE {{ ?t pg:involvement ?v . ?v pg:agent <{wmo}> ; pg:role/pg:jointWork true ;
        pg:statedIn ?p . ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?t ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <http://purl.org/dc/terms/subject> ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#object>/skos:broader* <{ID}issue/artificial-intelligence> ; pg:statedIn ?p }}""")}
    assert {t for s, t in edges if s == wmo} <= allowed
    count = generation(page)
    click_node(page, wmo)
    page.wait_for_selector("#panel:not([hidden])")
    wait_ready(page, count)
    shown = set(page.locator("#panel ul.issues li").all_inner_texts())
    own = {r["l"] for r in rows(built, f"""SELECT DISTINCT ?l WHERE {{ <{wmo}> pg:worksOn ?i . ?i skos:prefLabel ?l }}""")}
    assert shown == own and "Intellectual property rights" not in shown
    stated_elsewhere = rows(built, f"""SELECT ?d WHERE {{ ?d <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{wmo}> ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> pg:worksOn ;
        <http://www.w3.org/ns/prov#wasDerivedFrom>/pg:statedIn ?p FILTER (?p != <{ID}profile/wmo>) }}""")
    assert stated_elsewhere == []
    shot(page, "issue-filter-own-statements")
