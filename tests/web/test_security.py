"""Security: no outbound request (SSRF canary), no script injection (XSS), security headers on
every page type, and the write token kept secret. Against real server processes: the session's read-only
public server, and a server with a write token on a copy of the store."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from policygraph.build import Built
from tests.support.paths import ARTIFACTS
from tests.support.server import LiveServer, start_server, stop_server

TOKEN = "tok-9f3c1e7a-only-the-test-knows"
WRONG = "tok-wrong-4b2d8e-guessed"
ORG = "https://w3id.org/policygraph/id/organisation/"
GRAPH = "https://w3id.org/policygraph/graph/"
JSON = {"Accept": "application/sparql-results+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FORM = "application/x-www-form-urlencoded"


# -- servers


def start_writable(base: Path, store_dir: Path) -> tuple[LiveServer, Path]:
    """A server with a write token on its own copy of the store, logging to a file we can read."""
    copy = base / "store"
    shutil.copytree(store_dir, copy, symlinks=True)
    log = base / "server.log"
    return start_server(copy, extra_env={"POLICYGRAPH_WRITE_TOKEN": TOKEN}, log=log), log


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server, _ = start_writable(tmp_path_factory.mktemp("security"), store_dir)
    yield server
    stop_server(server)


class Canary:
    """An HTTP server on 127.0.0.1 that records every request it receives (it must receive none)."""

    def __init__(self) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                seen.append(f"{self.command} {self.path}")
                body = b"<urn:a> <urn:b> <urn:c> .\n"
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _record  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep the test output quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        # The canary really answers: otherwise "no request received" would prove nothing.
        assert requests.get(self.url + "/self-check", timeout=5).status_code == 200
        self.seen.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def outbound_queries(url: str) -> list[str]:
    """Every spelling of SERVICE we know of: keywords are case-insensitive and SPARQL allows \\u escapes."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}/silent> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{url}/> SELECT * WHERE {{ SERVICE c:prefixed {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}/var> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n <{url}/commented> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}/escaped> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}/ask> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/construct> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/from> WHERE {{ ?s ?p ?o }}",
        f"SELECT * WHERE {{ GRAPH <{url}/graph> {{ ?s ?p ?o }} }}",
        f"LOAD <{url}/load-as-query>",
    ]


def outbound_updates(url: str) -> list[str]:
    return [
        f"LOAD <{url}/load>",
        f"load silent <{url}/silent> into graph <{GRAPH}canary>",
        f"\\u004cOAD <{url}/escaped>",
        f"PREFIX c: <{url}/> LOAD c:prefixed",
        f"INSERT {{ GRAPH <{GRAPH}canary> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}/insert> {{ ?s ?p ?o }} }}",
    ]


def send_every_way(server: LiveServer, text: str, auth: dict[str, str]) -> list[requests.Response]:
    """A text as a query by GET, form and body, and as an update by form and body."""
    post = server.url + "/sparql"
    return [
        requests.get(post, params={"query": text}, headers=JSON, timeout=60),
        requests.post(post, data={"query": text}, headers=JSON, timeout=60),
        requests.post(post, data=text.encode(), headers={**JSON, "Content-Type": "application/sparql-query"}, timeout=60),
        requests.post(post, data={"update": text}, headers={**JSON, **auth}, timeout=60),
        requests.post(post, data=text.encode(), headers={**JSON, **auth, "Content-Type": "application/sparql-update"},
                      timeout=60),
    ]


def test_no_query_or_update_makes_an_outbound_request(live_server: LiveServer, writable: LiveServer) -> None:
    server_with_token = writable
    with Canary() as canary:
        texts = outbound_queries(canary.url) + outbound_updates(canary.url)
        answers: list[requests.Response] = []
        for text in texts:
            answers += send_every_way(live_server, text, {})  # public: no token
            answers += send_every_way(server_with_token, text, {"Authorization": f"Bearer {TOKEN}"})
        assert answers and all(r.status_code < 500 for r in answers), [(r.status_code, r.text[:200]) for r in answers]
        # Every SERVICE and LOAD is refused outright, with the token too (a refusal, not an empty answer).
        for text, group in zip(texts, [answers[i : i + 10] for i in range(0, len(answers), 10)], strict=True):
            if re.search(r"service|load|\\u00(53|4c)", text, re.IGNORECASE):
                assert all(400 <= r.status_code < 500 for r in group), (text, [r.status_code for r in group])
        # The catalogue runs its own queries only: a parameter cannot smuggle a SERVICE in.
        smuggled = live_server.get("/queries/evidence-for-fact", params={"resource": f"{canary.url}/x> }} SERVICE <{canary.url}/y"},
                                   headers=JSON)
        assert 400 <= smuggled.status_code < 500
        assert canary.seen == [], canary.seen


# -- XSS


PAYLOAD = '"><script>window.pgXss=1</script><img src=x onerror="window.pgXss=2">'


class Markup(HTMLParser):
    """Collects the elements of a page: injected markup would show up as elements, escaped markup as text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def assert_escaped(response: requests.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.text
    assert "<script>window.pgXss" not in body and "<img src=x" not in body
    page = Markup()
    page.feed(body)
    assert page.handlers == [], page.handlers  # no element carries an injected event handler
    # Scripts with the payload may only be JSON data with '<' escaped (the SPARQL UI's config).
    for script in page.scripts:
        assert "pgXss" not in script or "<" not in script, script[:300]


# (path, parameters, whether the page shows the text back: if it does, the escaped payload must be there,
# which proves the payload reached the page and was escaped rather than dropped).
XSS_PAGES: list[tuple[str, dict[str, str], bool]] = [
    ("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } # " + PAYLOAD}, True),  # a shared link opens the UI
    ("/sparql", {"query": PAYLOAD}, True),
    ("/queries/evidence-for-fact", {"resource": PAYLOAD}, True),
    ("/queries/initiatives-in-year", {"year": PAYLOAD}, True),
    ("/queries/organisations-by-type", {"type": PAYLOAD}, True),
    ("/queries/initiatives-in-year", {"year": "2020", PAYLOAD: "1"}, True),
    ("/id/organisation/" + PAYLOAD, {}, True),
    ("/id/" + PAYLOAD + "/x", {}, True),
    ("/id/organisation/", {"q": PAYLOAD}, True),
    ("/id/initiative/", {"q": PAYLOAD}, True),
    ("/explore", {"issue": PAYLOAD, "node": PAYLOAD}, False),  # the explorer's script reads its own URL
    ("/dumps/" + PAYLOAD, {}, False),
    ("/" + PAYLOAD, {}, False),
]


@pytest.mark.parametrize(("path", "params", "reflected"), XSS_PAGES)
def test_user_text_is_escaped_in_every_html_page(
    live_server: LiveServer, path: str, params: dict[str, str], reflected: bool
) -> None:
    response = live_server.get(path, params=params, headers=BROWSER)
    assert_escaped(response)
    assert ("pgXss" in response.text) is reflected


# -- security headers

HTML_PAGES = [
    "/", "/sparql", "/queries", "/queries/initiatives-in-year", "/explore", "/id/", "/id/organisation/",
    "/id/organisation/wmo", "/ontology", "/issues", "/dumps", "/id/organisation/no-such-body", "/nowhere",
    "/queries/initiatives-in-year?year=x",
]
DATA_RESPONSES = [
    "/sparql?query=ASK%7B%7D", "/id/organisation/wmo.ttl", "/id/organisation/wmo.jsonld", "/api/graph",
    "/api/facets", "/queries?format=json", "/dumps/policygraph.ttl", "/static/style.css", "/assets/yasgui/yasgui.min.js",
    "/nowhere", "/sparql?query=ASK",
]
ALLOWED_SOURCES = re.compile(r"^('self'|'none'|data:|blob:|'sha256-[A-Za-z0-9+/=]+')$")


def csp_directives(value: str) -> dict[str, list[str]]:
    parts = [p.split() for p in value.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_has_a_csp_without_external_sources(live_server: LiveServer, path: str) -> None:
    response = live_server.get(path, headers=BROWSER)
    assert response.status_code < 500
    assert response.headers["Content-Type"].startswith("text/html")
    policy = csp_directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert policy["frame-ancestors"] == ["'none'"]
    for directive, sources in policy.items():
        assert all(ALLOWED_SOURCES.match(s) for s in sources), (directive, sources)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # And the page itself names no other host for what it loads.
    for ref in re.findall(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="([^"]*)"', response.text):
        assert not re.match(r"^(https?:)?//", ref) or ref.startswith(live_server.url), ref


@pytest.mark.parametrize("path", DATA_RESPONSES)
def test_data_responses_are_never_sniffed(live_server: LiveServer, path: str) -> None:
    response = live_server.get(path, headers={"Accept": "*/*"})
    assert response.status_code < 500
    assert not response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.browser
def test_pages_run_under_the_policy_without_violations_or_outside_requests(live_server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    pages = {"sparql": "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", "explore": "/explore",
             "resource": "/id/organisation/wmo", "xss": "/sparql?query=" + quote(PAYLOAD),
             "explore-xss": f"/explore?issue={quote(PAYLOAD)}&node={quote(PAYLOAD)}&q={quote(PAYLOAD)}",
             "search-xss": "/id/organisation/?q=" + quote(PAYLOAD)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        try:
            for name, path in pages.items():
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requested: list[str] = []
                console: list[str] = []
                page.on("request", lambda r, seen=requested: seen.append(r.url))  # type: ignore[misc]
                page.on("console", lambda m, said=console: said.append(m.text))  # type: ignore[misc]
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle", timeout=90_000)  # generous: CI machines are shared
                page.screenshot(path=str(ARTIFACTS / f"security-{name}.png"))
                assert page.evaluate("() => window.pgXss === undefined"), name
                assert not [m for m in console if "Content Security Policy" in m], (name, console)
                outside = [u for u in requested if not u.startswith((live_server.url, "data:", "blob:"))]
                assert outside == [], (name, outside)
                page.close()
        finally:
            browser.close()


# -- the write token


def test_the_token_is_checked_and_never_shown(built: Built, store_dir: Path, tmp_path: Path) -> None:
    server, log = start_writable(tmp_path, store_dir)  # its own server: the test stops it to read the log
    try:
        check_token_hygiene(server)
    finally:
        stop_server(server)  # flushes and closes the log
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "serving" in written.lower()  # the log is real, so its silence about the token means something
    assert TOKEN not in written and WRONG not in written


def check_token_hygiene(server: LiveServer) -> None:
    update = server.url + "/sparql"
    kind = "<https://w3id.org/policygraph/ontology#Organisation>"
    invalid = f"INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{ <{ORG}nameless-test-body> a {kind} }} }}"
    body = {"Content-Type": "application/sparql-update", "Accept": "application/json"}
    responses = {
        "no token": requests.post(update, data=invalid.encode(), headers=body, timeout=60),
        "wrong token": requests.post(update, data=invalid.encode(), headers={**body, "Authorization": f"Bearer {WRONG}"},
                                     timeout=60),
        "right token with a tail": requests.post(update, data=invalid.encode(),
                                                 headers={**body, "Authorization": f"Bearer {TOKEN}x"}, timeout=60),
        "token prefix": requests.post(update, data=invalid.encode(),
                                      headers={**body, "Authorization": f"Bearer {TOKEN[:-1]}"}, timeout=60),
        "basic scheme": requests.post(update, data=invalid.encode(), headers={**body, "Authorization": f"Basic {TOKEN}"},
                                      timeout=60),
        "wrong token, form": requests.post(update, data={"update": invalid},
                                           headers={"Authorization": f"Bearer {WRONG}", "Accept": "text/html"}, timeout=60),
        "wrong token, graph store": requests.put(server.url + "/rdf-graph-store", params={"graph": GRAPH + "x"},
                                                 data=b"<urn:a> <urn:b> <urn:c> .",
                                                 headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {WRONG}"},
                                                 timeout=60),
    }
    for what, response in responses.items():
        assert response.status_code in (401, 403), (what, response.status_code, response.text[:300])
    # With the right token the same invalid data is refused by the shapes, and a malformed update by the
    # parser: error pages written while the token was in play must not echo it.
    right = {**body, "Authorization": f"Bearer {TOKEN}"}
    responses["invalid data"] = requests.post(update, data=invalid.encode(), headers=right, timeout=180)
    assert responses["invalid data"].status_code == 422
    responses["malformed"] = requests.post(update, data=b"INSERT DATA { <urn:a> ", headers=right, timeout=60)
    assert responses["malformed"].status_code == 400
    responses["as a page"] = requests.post(update, data={"update": "DROP"},
                                           headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/html"}, timeout=60)
    assert 400 <= responses["as a page"].status_code < 500
    for what, response in responses.items():
        text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert TOKEN not in text and WRONG not in text, what


def test_the_session_server_refuses_writes_even_with_a_token(live_server: LiveServer) -> None:
    response = requests.post(live_server.url + "/sparql", data=b"DROP ALL",
                             headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                             timeout=60)
    assert response.status_code == 403
    assert TOKEN not in response.text
