"""In headless Chromium, an organisation page renders with its partners and evidence, and loads nothing
from outside this server; screenshots are saved under test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from policygraph.build import Built
from tests.support.paths import ARTIFACTS
from tests.support.server import LiveServer
from tests.web.linked_support import path_of, rows

pytestmark = pytest.mark.browser

PARTNERSHIPS = 'section[aria-labelledby="partnerships"]'
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        yield browser
        browser.close()


def open_page(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="networkidle")
    return page, requested, errors


def outside(server: LiveServer, urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith((server.url + "/", "data:", "blob:"))]


def test_organisation_page_renders_with_partners_and_evidence(browser: Browser, live_server: LiveServer, built: Built) -> None:
    org = rows(built.store, """SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE { ?o pg:profile ?doc . ?p pg:partner ?o }
        GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1""")[0]["o"]
    name = rows(built.store, f"SELECT ?l WHERE {{ <{org}> skos:prefLabel ?l }}")[0]["l"]
    partners = [r["o"] for r in rows(built.store, f"SELECT ?o WHERE {{ <{org}> pg:partnerOf ?o }}")]
    quotes = [r["q"] for r in rows(built.store, f"""SELECT DISTINCT ?q WHERE {{ ?p pg:partner <{org}> ; pg:evidence/oa:exact ?q }}""")]
    assert partners and quotes

    page, requested, errors = open_page(browser, live_server.url + path_of(org))
    assert page.locator("h1").inner_text() == name
    assert page.get_by_role("heading", name="Partnerships", exact=False).first.is_visible()
    for partner in partners:
        link = page.locator(f'{PARTNERSHIPS} a[href="{path_of(partner)}"]').first
        link.scroll_into_view_if_needed()
        assert link.is_visible(), partner
    shown = page.locator(f"{PARTNERSHIPS} blockquote.evidence").all_inner_texts()
    for quote in quotes:
        assert any(" ".join(quote.split()) == " ".join(text.split()) for text in shown), quote
    evidence = page.locator("blockquote.evidence").first
    evidence.scroll_into_view_if_needed()
    assert evidence.is_visible() and evidence.bounding_box()["height"] > 10  # type: ignore[index]
    caption = page.locator("figure.evidence figcaption").first  # the profile, the section, the quote's own page
    hrefs = [a.get_attribute("href", timeout=5000) or "" for a in caption.locator("a").all()]
    assert [h.split("/")[2] for h in hrefs] == ["profile", "section", "quote"], hrefs

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(PARTNERSHIPS).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "organisation-page.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "organisation-page-partnerships.png"))
    assert (ARTIFACTS / "organisation-page.png").stat().st_size > 10_000
    assert not errors
    assert not outside(live_server, requested), outside(live_server, requested)
    page.close()


def test_section_page_highlights_quotes_and_loads_nothing_from_outside(browser: Browser, live_server: LiveServer, built: Built) -> None:
    section = rows(built.store, """SELECT ?s (COUNT(?e) AS ?n) WHERE { ?e prov:wasDerivedFrom ?s . ?s a pg:Section }
        GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1""")[0]["s"]
    page, requested, errors = open_page(browser, live_server.url + path_of(section))
    marks = page.locator(".section-text mark")
    assert marks.count() > 0 and marks.first.is_visible()
    colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the highlight is visible, not just markup
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "section-page.png"), full_page=True)
    assert not errors and not outside(live_server, requested)
    page.close()


@pytest.mark.parametrize("path", ["/", "/issues", "/ontology", "/dumps", "/.well-known/void", "/id/organisation/"])
def test_linked_data_pages_load_nothing_from_outside(browser: Browser, live_server: LiveServer, path: str) -> None:
    page, requested, errors = open_page(browser, live_server.url + path)
    assert page.locator("h1").count() == 1
    assert not errors and not outside(live_server, requested), outside(live_server, requested)
    page.close()
