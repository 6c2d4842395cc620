"""Bad input across every endpoint: each row is a request a careless or hostile client might send,
with the 4xx it must get. After every row the server must still answer a simple ASK (no request may take
it down), no answer is a 5xx, no body carries a stack trace, and every error says what was wrong.

Rows run against the session's read-only public server, in order, one test per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from tests.support.server import LiveServer

ORG = "https://w3id.org/policygraph/id/organisation/"
GRAPH = "https://w3id.org/policygraph/graph/"
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
OVER_A_MEGABYTE = 2 * 1024 * 1024  # the default max_request_bytes is 1 MB
BRACES = 10_000


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str
    status: int
    params: dict[str, str] | None = None
    body: bytes | dict[str, str] | tuple[bytes, ...] | None = None  # a tuple: sent chunked, piece by piece
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    says: str = ""  # a word the message must contain (case-insensitive), so the person learns what was wrong


def q(text: str) -> dict[str, str]:
    return {"query": text}


ROWS: list[Row] = [
    # -- /sparql: malformed and refused queries
    Row("malformed-select", "GET", "/sparql", 400, q("SELECT * WHERE { ?s ?p }"), says="1:"),
    Row("malformed-multiline", "GET", "/sparql", 400, q("SELECT * WHERE {\n ?s ?p ?o .\n FILTER( }"), says="3:"),
    Row("malformed-post-body", "POST", "/sparql", 400, body=b"SELECT * WHERE { ?s ?p ", headers={**JSON, **SPARQL_QUERY}),
    Row("malformed-post-form", "POST", "/sparql", 400, body={"query": "ASK { ?s ?p ?o"}),
    Row("not-a-query", "GET", "/sparql", 400, q("SELEC * WHERE { ?s ?p ?o }"), says="query"),
    Row("nul-in-query", "GET", "/sparql", 400, q("ASK {}\x00")),
    Row("query-twice", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", 400, says="once"),
    Row("unknown-format", "GET", "/sparql", 406, {"query": "ASK {}", "format": "bogus"}, says="bogus"),
    Row("accept-nobody-serves", "GET", "/sparql", 406, q("ASK {}"), headers={"Accept": "image/png"}, says="image/png"),
    Row("unreadable-content-type", "POST", "/sparql", 415, body=b"ASK {}", headers={**JSON, "Content-Type": "text/plain"}),
    Row("method-put", "PUT", "/sparql", 405, body=b"ASK {}"),
    Row("bad-default-graph-iri", "GET", "/sparql", 400, {"query": "ASK {}", "default-graph-uri": "not an iri"}, says="IRI"),
    Row("bad-named-graph-iri", "GET", "/sparql", 400, {"query": "ASK {}", "named-graph-uri": "x"}, says="IRI"),
    Row("update-by-get", "GET", "/sparql", 400, {"update": "DROP ALL"}, says="POST"),
    # -- size: bodies, queries, IRIs, paths
    # Bodies over the cap are stopped by waitress before it buffers them, at any size, with our own 413.
    Row("oversized-body", "POST", "/sparql", 413, body=b"#" * OVER_A_MEGABYTE, headers={**JSON, **SPARQL_QUERY},
        says="1,000,000 bytes"),
    Row("oversized-form", "POST", "/sparql", 413, body={"query": "a" * OVER_A_MEGABYTE}, says="max_request_bytes"),
    Row("far-oversized-body", "POST", "/sparql", 413, body=b"#" * (8 * OVER_A_MEGABYTE), headers={**JSON, **SPARQL_QUERY},
        says="1,000,000 bytes"),
    Row("oversized-body-by-one-byte", "POST", "/sparql", 413, body=b"#" * 1_000_001, headers={**JSON, **SPARQL_QUERY},
        says="(1,000,001 bytes)"),
    Row("oversized-chunked-body", "POST", "/sparql", 413, body=(b"#" * 65_536,) * 32,
        headers={**JSON, **SPARQL_QUERY}, says="limit is 1,000,000 bytes"),
    Row("oversized-body-browser", "POST", "/sparql", 413, body={"query": "a" * OVER_A_MEGABYTE}, headers=BROWSER,
        says="larger than this server accepts"),
    Row("oversized-graph-store-put", "PUT", "/rdf-graph-store", 413, {"graph": GRAPH + "x"},
        body=b"#" * OVER_A_MEGABYTE, headers={**JSON, "Content-Type": "text/turtle"}, says="max_request_bytes"),
    Row("oversized-multipart-field", "POST", "/sparql", 413,
        body=b'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}' + b" " * 600_000 + b"\r\n--b--\r\n",
        headers={**JSON, "Content-Type": "multipart/form-data; boundary=b"}, says="form field"),
    Row("oversized-catalogue-post", "POST", "/queries/initiatives-in-year", 413, body=b"#" * OVER_A_MEGABYTE,
        says="max_request_bytes"),
    Row("oversized-query", "POST", "/sparql", 400, body=f"ASK {{ <{ORG}{'a' * 200_000}> ?p ?o }}".encode(),
        headers={**JSON, **SPARQL_QUERY}, says="limit"),
    Row("long-iri-path", "GET", "/id/organisation/" + "a" * 20_000, 404),
    Row("long-unknown-path", "GET", "/" + "a" * 20_000, 404),
    Row("long-iri-api-node", "GET", "/api/node", 400, {"iri": ORG + "a" * 50_000}, says="the limit is 2,000 characters"),
    Row("long-catalogue-name", "GET", "/queries/" + "a" * 10_000, 404, says="the limit is 64 characters"),
    Row("long-search-text", "GET", "/api/search", 400, {"q": "x" * 100_000}, says="the limit is 100 characters"),
    # -- nesting bombs: refused on the text, before Oxigraph's parser (which would overflow its stack)
    Row("nested-braces-get", "GET", "/sparql", 400, q("SELECT * WHERE " + "{" * BRACES + "}" * BRACES), says="nest"),
    Row("nested-braces-post", "POST", "/sparql", 400, body=("ASK " + "{" * BRACES + "}" * BRACES).encode(),
        headers={**JSON, **SPARQL_QUERY}, says="nest"),
    Row("nested-parentheses", "POST", "/sparql", 400,
        body=("ASK { FILTER(" + "(" * BRACES + "1" + ")" * BRACES + ") }").encode(), headers={**JSON, **SPARQL_QUERY},
        says="nest"),
    Row("nested-braces-form", "POST", "/sparql", 400, body={"query": "ASK " + "{" * BRACES + "}" * BRACES}, says="nest"),
    # -- invalid UTF-8
    Row("invalid-utf8-body", "POST", "/sparql", 400, body=b"ASK { \xff\xfe }", headers={**JSON, **SPARQL_QUERY},
        says="UTF-8"),
    Row("invalid-utf8-update-body", "POST", "/sparql", 400, body=b"DROP \xff ALL", headers={**JSON, **SPARQL_UPDATE},
        says="UTF-8"),
    Row("invalid-utf8-query-string", "GET", "/sparql?query=%FF%FE", 400, says="parameter 'query' in the query string"),
    Row("invalid-utf8-overlong", "GET", "/sparql?query=ASK%7B%7D%C0%AF", 400, says="'query' in the query string is not valid UTF-8"),
    Row("invalid-utf8-parameter-name", "GET", "/sparql?query=ASK%7B%7D&%FF=1", 400, says="parameter name"),
    Row("invalid-utf8-default-graph", "GET", "/sparql?query=ASK%7B%7D&default-graph-uri=urn:%E9", 400,
        says="'default-graph-uri'"),
    Row("invalid-utf8-form", "POST", "/sparql", 400, body=b"query=%FF%FE",
        headers={**JSON, "Content-Type": "application/x-www-form-urlencoded"}, says="'query' in the form"),
    Row("invalid-utf8-catalogue-param", "GET", "/queries/initiatives-in-year?year=%FF", 400, says="'year'"),
    Row("invalid-utf8-api-param", "GET", "/api/search?q=%E2%82", 400, says="'q' in the query string"),
    Row("invalid-utf8-html-client", "GET", "/queries/initiatives-in-year?year=20%FF24", 400, headers=HTML, says="UTF-8"),
    # -- no way out, no writes
    Row("service", "GET", "/sparql", 400, q("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"),
        says="SERVICE"),
    Row("load-as-query", "GET", "/sparql", 400, q("LOAD <http://127.0.0.1:9/x>"), says="LOAD"),
    Row("load-file", "POST", "/sparql", 400, body=b"LOAD <file:///etc/passwd>", headers={**JSON, **SPARQL_QUERY},
        says="LOAD"),
    Row("update-without-token", "POST", "/sparql", 403, body=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={**JSON, **SPARQL_UPDATE}, says="disabled"),
    Row("update-form-load", "POST", "/sparql", 403, body={"update": "LOAD <http://127.0.0.1:9/x>"}),
    Row("graph-store-put-without-token", "PUT", "/rdf-graph-store", 403, {"graph": GRAPH + "x"}, body=b"",
        headers={**JSON, "Content-Type": "text/turtle"}),
    Row("graph-store-no-graph", "GET", "/rdf-graph-store", 400, says="graph"),
    Row("graph-store-bad-iri", "GET", "/rdf-graph-store", 400, {"graph": "not an iri"}, says="IRI"),
    Row("graph-store-unknown-graph", "GET", "/rdf-graph-store", 404, {"graph": GRAPH + "nope"}),
    # -- path traversal in /id/, /dumps/, /assets/, /static/, /queries/
    Row("id-traversal-encoded-slash", "GET", "/id/organisation/..%2f..%2fetc%2fpasswd", 404),
    Row("id-traversal-encoded-dots", "GET", "/id/organisation/%2e%2e/%2e%2e/etc/passwd", 404),
    Row("id-traversal-plain", "GET", "/id/../../etc/passwd", 404),
    Row("dumps-traversal-encoded-slash", "GET", "/dumps/..%2f..%2fpyproject.toml", 404),
    Row("dumps-traversal-encoded-dots", "GET", "/dumps/%2e%2e", 404),
    Row("dumps-traversal-plain", "GET", "/dumps/../pyproject.toml", 404),
    Row("dumps-nul", "GET", "/dumps/%00", 404),
    Row("dumps-unknown", "GET", "/dumps/nonexistent.nq", 404, says="dump"),
    Row("assets-traversal", "GET", "/assets/yasgui/..%2f..%2fpackage.json", 404),
    Row("assets-file-no-page-loads", "GET", "/assets/yasgui/yasgui.esm.js", 404),  # only what the package carries
    Row("assets-unknown-package", "GET", "/assets/left-pad/index.js", 404),
    Row("static-traversal", "GET", "/static/..%2f..%2fsettings.py", 404),
    Row("queries-traversal", "GET", "/queries/..%2f..%2fpyproject.toml", 404),
    # -- /id/: unknown kinds, forms, formats
    Row("id-unknown-kind", "GET", "/id/bogus/x", 404),
    Row("id-unknown-kind-index", "GET", "/id/bogus/", 404),
    Row("id-unknown-suffix", "GET", "/id/organisation/wmo.bogus", 404),
    Row("id-unknown-format", "GET", "/id/organisation/wmo", 406, {"format": "bogus"}, says="bogus"),
    Row("id-accept-nobody-serves", "GET", "/id/organisation/wmo", 406, headers={"Accept": "image/png"}),
    Row("ontology-unknown-format", "GET", "/ontology", 406, {"format": "bogus"}),
    # -- the catalogue
    Row("catalogue-unknown-name", "GET", "/queries/nonexistent", 404, says="catalogue"),
    Row("catalogue-wrong-type", "GET", "/queries/initiatives-in-year", 400, {"year": "notanumber"}, says="integer"),
    Row("catalogue-huge-number", "GET", "/queries/initiatives-in-year", 400, {"year": "1e999"}, says="integer"),
    Row("catalogue-markup-as-key", "GET", "/queries/initiatives-of-organisation", 400, {"organisation": "<script>"}),
    Row("catalogue-unknown-parameter", "GET", "/queries/initiatives-in-year", 400, {"year": "2020", "bogus": "1"},
        says="bogus"),
    Row("catalogue-unknown-format", "GET", "/queries/initiatives-in-year", 406, {"format": "bogus"}),
    Row("catalogue-repeated-parameter", "GET", "/queries/initiatives-in-year?year=2020&year=2021", 400,
        says="'year' once"),
    Row("catalogue-repeated-format", "GET", "/queries/initiatives-in-year?format=json&format=csv", 400,
        says="'format' once"),
    Row("catalogue-list-repeated-format", "GET", "/queries?format=json&format=json", 400, says="'format' once"),
    Row("catalogue-list-unknown-format", "GET", "/queries", 406, {"format": "bogus"}),
    # -- the explorer API
    Row("api-search-no-text", "GET", "/api/search", 400, says="q="),
    Row("api-names-limit-word", "GET", "/api/names", 400, {"q": "wmo", "limit": "abc"}, says="limit"),
    Row("api-names-limit-negative", "GET", "/api/names", 400, {"q": "wmo", "limit": "-5"}, says="limit"),
    Row("api-names-limit-huge", "GET", "/api/names", 400, {"q": "wmo", "limit": "99999999"}, says="limit"),
    Row("api-node-missing", "GET", "/api/node", 400, says="iri"),
    Row("api-node-not-iri", "GET", "/api/node", 400, {"iri": "notaniri"}, says="IRI"),
    Row("api-node-javascript-iri", "GET", "/api/node", 400, {"iri": "javascript:alert(1)"}),
    Row("api-node-depth", "GET", "/api/node", 400, {"iri": ORG + "wmo", "depth": "99"}, says="depth"),
    Row("api-node-limit-word", "GET", "/api/node", 400, {"iri": ORG + "wmo", "limit": "abc"}, says="limit"),
    Row("api-paths-missing", "GET", "/api/paths", 400),
    Row("api-paths-not-iri", "GET", "/api/paths", 400, {"from": "x", "to": "y"}, says="IRI"),
    Row("api-paths-bad-via", "GET", "/api/paths", 400, {"from": ORG + "wmo", "to": ORG + "itu", "via": "bogus"},
        says="via"),
    Row("api-graph-unknown-issue", "GET", "/api/graph", 400, {"issue": "bogus"}, says="issue"),
    Row("api-graph-unknown-type", "GET", "/api/graph", 400, {"type": "bogus"}, says="type"),
    Row("api-export-unknown", "GET", "/api/export.bogus", 404, says="export"),
    # -- an HTML client gets the same statuses, as a page
    Row("html-unknown-kind", "GET", "/id/bogus/x", 404, headers=HTML),
    Row("html-malformed-query-form", "POST", "/sparql", 400, body={"query": "SELECT * WHERE { ?s ?p }"},
        headers=BROWSER),
]


def send(server: LiveServer, row: Row) -> requests.Response:
    kwargs: dict[str, Any] = {"headers": row.headers, "timeout": 60}
    if row.params:
        kwargs["params"] = row.params
    if row.body is not None:
        kwargs["data"] = iter(row.body) if isinstance(row.body, tuple) else row.body
    return requests.request(row.method, server.url + row.path, **kwargs)


@pytest.fixture(scope="module")
def known_org(built: Built) -> str:
    """An organisation IRI taken from the built data: the health ASK must find it."""
    rows = built.store.query(
        "SELECT ?o WHERE { GRAPH ?g { ?o a <https://w3id.org/policygraph/ontology#Organisation> } } LIMIT 1"
    )
    assert isinstance(rows, ox.QuerySolutions)
    found = [row["o"] for row in rows]
    assert found, "the built data has organisations"
    return str(found[0].value)


def still_answers(server: LiveServer, iri: str) -> None:
    response = requests.get(server.url + "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["boolean"] is True


def test_the_table_is_large_enough_and_covers_every_endpoint() -> None:
    assert len(ROWS) >= 40
    assert len({row.name for row in ROWS}) == len(ROWS), "row names are unique"
    prefixes = {"/sparql", "/rdf-graph-store", "/id/", "/dumps/", "/queries", "/api/", "/assets/", "/static/", "/ontology"}
    assert {p for p in prefixes if any(row.path.startswith(p) for row in ROWS)} == prefixes
    assert all(400 <= row.status < 500 for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_bad_input_gets_a_clean_4xx_and_the_server_keeps_answering(
    live_server: LiveServer, known_org: str, row: Row
) -> None:
    response = send(live_server, row)
    assert response.status_code == row.status, f"{row.name}: {response.status_code} {response.text[:300]}"
    assert "Traceback" not in response.text
    assert 'File "' not in response.text  # no frame of a stack trace either
    if response.headers.get("Content-Type", "").startswith("application/json"):
        document = response.json()
        assert document["status"] == row.status
        message = document["message"]
    else:
        assert response.headers["Content-Type"].startswith(("text/html", "text/plain")), response.headers["Content-Type"]
        message = response.text
    assert message.strip(), "an error says what was wrong"
    if row.says:
        assert row.says.lower() in message.lower(), f"{row.name}: {message[:300]}"
    still_answers(live_server, known_org)
