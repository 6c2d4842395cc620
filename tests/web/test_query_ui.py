"""The query UI in headless Chromium (Debian's chromium, driven by Playwright): it loads with no external
request, runs a catalogue query and shows its results, and a shared link opens and runs its query."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from policygraph.build import Built
from policygraph.queries import load_catalogue
from tests.support.paths import ARTIFACTS, ROOT
from tests.support.server import LiveServer
from tests.web.sparql_support import ORGANISATIONS, store_select

pytestmark = pytest.mark.browser

CATALOGUE = load_catalogue(ROOT / "queries", "https://w3id.org/policygraph/")
ROWS = ".yasr_results table tbody tr"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.requests = []  # type: ignore[attr-defined]
    opened.errors = []  # type: ignore[attr-defined]
    opened.on("request", lambda request: opened.requests.append(request.url))  # type: ignore[attr-defined]
    # Script errors and failed loads; CSP notices about inline styles are left to the security tests.
    opened.on("pageerror", lambda e: opened.errors.append(str(e)))  # type: ignore[attr-defined]
    opened.on("response", lambda r: r.status >= 400 and opened.errors.append(f"{r.status} {r.url}"))  # type: ignore[attr-defined]
    yield opened
    context.close()


def assert_no_external_request(page: Any, server: LiveServer) -> None:
    outside = [u for u in page.requests if not u.startswith((server.url + "/", "data:", "blob:"))]
    assert outside == [], f"requests outside the server: {outside}"
    assert any("/assets/yasgui/yasgui.min.js" in u for u in page.requests)
    assert page.errors == [], f"script errors or failed loads in the page: {page.errors}"


def test_the_ui_loads_offline_and_runs_a_catalogue_query(page: Page, live_server: LiveServer, built: Built) -> None:
    query = CATALOGUE["publications-by-year"]
    expected = store_select(built.store, query.text)
    assert expected

    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(f'button[data-example="{query.name}"]')
    page.wait_for_selector(ROWS, timeout=30_000)

    rows = page.locator(ROWS)
    assert rows.count() == len(expected)
    shown = page.inner_text(".yasr_results table")
    for row in expected:
        assert row["year"].value in shown
    assert query.title in page.inner_text(".tabsList")  # the query opened in its own tab
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sparql-ui-catalogue-query.png"), full_page=True)
    assert_no_external_request(page, live_server)


def test_a_shared_link_opens_and_runs_its_query(page: Page, live_server: LiveServer, built: Built) -> None:
    expected = store_select(built.store, ORGANISATIONS)
    page.goto(live_server.url + "/sparql?" + urlencode({"query": ORGANISATIONS}))
    page.wait_for_selector(ROWS, timeout=30_000)
    assert page.locator(ROWS).count() == len(expected)
    page.click("#share-link")
    link = page.input_value("#share-url")
    assert link.startswith(live_server.url + "/sparql?query=")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sparql-ui-shared-link.png"), full_page=True)
    # The link the page offers opens the same query again.
    page.goto(link)
    page.wait_for_selector(ROWS, timeout=30_000)
    assert page.locator(ROWS).count() == len(expected)
    assert_no_external_request(page, live_server)


def test_the_catalogue_page_shows_its_form_and_results(page: Page, live_server: LiveServer, built: Built) -> None:
    page.goto(live_server.url + "/queries/who-is-involved")
    page.fill("#param-initiative", "world-weather-watch")
    page.click("form.parameters button[type=submit]")
    page.wait_for_url("**/queries/who-is-involved?initiative=world-weather-watch")
    query = CATALOGUE["who-is-involved"]
    bound = {ox.Variable(k): v for k, v in query.bind({"initiative": "world-weather-watch"}, "https://w3id.org/policygraph/").items()}
    expected = store_select(built.store, query.text, substitutions=bound)
    assert page.locator("table.results tbody tr").count() == len(expected) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-query-page.png"), full_page=True)
    assert all(u.startswith(live_server.url + "/") for u in page.requests)
