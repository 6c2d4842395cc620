"""Fuzzing the HTTP surface with hypothesis, against the session's live server: random text and
bytes for the SPARQL Protocol parameters (`query`, `format`, `default-graph-uri`, unknown ones), random
Accept headers, and random catalogue query names and parameter values (typed by the catalogue's own
front-matter). Every answer must be a 2xx or a 4xx, never a 5xx; an error must say what was wrong; and the
server must still answer a simple query afterwards.

The budget is fixed and the examples derandomised (the same inputs on every run, in CI too), so the whole
module stays well under a minute."""

from __future__ import annotations

import string
from urllib.parse import quote, quote_from_bytes

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policygraph.namespaces import DEFAULT_BASE
from policygraph.queries import CatalogueQuery, load_catalogue
from tests.support.paths import ROOT
from tests.support.server import LiveServer
from tests.web.sparql_support import ASK_PROFILED

BUDGET = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
CATALOGUE: dict[str, CatalogueQuery] = load_catalogue(ROOT / "queries", DEFAULT_BASE)

# Text a URL or a form can carry: any character but lone surrogates (which have no UTF-8 form).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
RAW = st.binary(max_size=200)  # any bytes, percent-encoded into the query string: invalid UTF-8 included
PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120)
MEDIA = st.sampled_from([
    "*/*", "text/*", "application/*", "text/html", "application/xhtml+xml", "application/json",
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "image/png", "x/y",
])
Q_VALUE = st.one_of(st.none(), st.sampled_from(["0", "1", "0.5", "0.001", "1.5", "-1", "abc", ""]))
ACCEPT = st.one_of(
    st.none(),
    PRINTABLE.map(str.lstrip),  # requests refuses a header value that starts with a space
    st.lists(st.tuples(MEDIA, Q_VALUE), max_size=5).map(
        lambda parts: ", ".join(m if q is None else f"{m};q={q}" for m, q in parts)),
)
FORMATS = st.one_of(TEXT, st.sampled_from(["json", "xml", "csv", "tsv", "html", "turtle", "ntriples", "jsonld",
                                           "rdfxml", "n3", "JSON", ""]))
QUERIES = st.one_of(
    TEXT,
    st.sampled_from([
        "ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
        "DESCRIBE <https://w3id.org/policygraph/id/organisation/wmo>", "SELECT * WHERE {", "ASK { FILTER(1/0) }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ]),
    # Fragments of SPARQL put together at random: mostly malformed, sometimes valid.
    st.lists(st.sampled_from(["SELECT", "ASK", "*", "WHERE", "{", "}", "?s", "?p", "?o", ".", "FILTER", "(", ")",
                              "<x:y>", '"a"', "1", "OPTIONAL", "UNION", "LIMIT", "GRAPH", "VALUES", "BIND", "AS",
                              "SERVICE", "LOAD", "#", "\n", "PREFIX", "p:", "<", ">", "@en", "^^", "'", '"""']),
             max_size=30).map(" ".join),
)
IRI_LIKE = st.one_of(TEXT, st.builds(lambda tail: DEFAULT_BASE + "id/organisation/" + tail, TEXT),
                     st.sampled_from(["urn:x", "http://example.org/", "not an iri", "http://[::1", "<x>", ""]))
UNKNOWN_NAMES = st.text(string.ascii_letters + string.digits + "-_.[]", min_size=1, max_size=20).filter(
    lambda name: name not in ("query", "format", "default-graph-uri", "named-graph-uri", "update"))


def check(response: requests.Response) -> None:
    """2xx or 4xx; an error carries a message for a person."""
    status = response.status_code
    event(f"answered {status}")  # the spread of answers shows with --hypothesis-show-statistics
    assert status < 500, f"{status}: {response.text[:500]}"
    assert 200 <= status < 300 or 400 <= status < 500 or status == 304, status
    assert "Traceback" not in response.text
    if status >= 400:
        kind = response.headers.get("Content-Type", "")
        if kind.startswith("application/json"):
            document = response.json()
            assert document["status"] == status and document["message"].strip(), document
        else:
            assert kind.startswith(("text/html", "text/plain")), kind
            assert response.text.strip(), "an empty error page"


def get(server: LiveServer, path: str, query_string: str = "", accept: str | None = None) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    url = server.url + path + (f"?{query_string}" if query_string else "")
    return requests.get(url, headers=headers, timeout=60)


def encode(pairs: list[tuple[str | bytes, str | bytes]]) -> str:
    """A query string from names and values, each either text (sent as UTF-8) or raw bytes (any bytes)."""
    def part(value: str | bytes) -> str:
        return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")
    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs)


def still_answers(server: LiveServer) -> None:
    response = requests.get(server.url + "/sparql", params={"query": ASK_PROFILED},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    still_answers(live_server)
    yield live_server  # type: ignore[misc]
    still_answers(live_server)  # after the fuzzing, the server still answers


def test_sparql_protocol_parameters(server: LiveServer) -> None:
    @BUDGET
    @given(query=st.one_of(QUERIES, RAW), fmt=st.one_of(st.none(), FORMATS, RAW),
           graph=st.one_of(st.none(), IRI_LIKE, RAW), accept=ACCEPT)
    def run(query: str | bytes, fmt: str | bytes | None, graph: str | bytes | None, accept: str | None) -> None:
        pairs: list[tuple[str | bytes, str | bytes]] = [("query", query)]
        if fmt is not None:
            pairs.append(("format", fmt))
        if graph is not None:
            pairs.append(("default-graph-uri", graph))
        check(get(server, "/sparql", encode(pairs), accept))

    run()


def test_sparql_unknown_and_repeated_parameters(server: LiveServer) -> None:
    @BUDGET
    @given(extra=st.lists(st.tuples(st.one_of(UNKNOWN_NAMES, RAW), st.one_of(TEXT, RAW)), max_size=4),
           query=st.one_of(st.none(), QUERIES), twice=st.booleans(), accept=ACCEPT)
    def run(extra: list[tuple[str | bytes, str | bytes]], query: str | None, twice: bool, accept: str | None) -> None:
        pairs: list[tuple[str | bytes, str | bytes]] = list(extra)
        if query is not None:
            pairs += [("query", query)] * (2 if twice else 1)
        check(get(server, "/sparql", encode(pairs), accept))

    run()


def test_sparql_post_bodies(server: LiveServer) -> None:
    @BUDGET
    @given(body=st.one_of(QUERIES.map(lambda text: text.encode("utf-8")), RAW),
           kind=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded",
                                 "application/sparql-update", "text/plain", "multipart/form-data", ""]),
           accept=ACCEPT)
    def run(body: bytes, kind: str, accept: str | None) -> None:
        headers = {"Content-Type": kind} if kind else {}
        if accept is not None:
            headers["Accept"] = accept
        check(requests.post(server.url + "/sparql", data=body, headers=headers, timeout=60))

    run()


def value_for(kind: str) -> st.SearchStrategy[str | bytes]:
    """Values for a catalogue parameter of a type: fitting ones, near misses and anything at all."""
    near = {
        "integer": st.one_of(st.integers().map(str), st.sampled_from(["1e999", "0x10", "1.5", " 7 ", "-0", "٣"])),
        "decimal": st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), st.just("NaN")),
        "boolean": st.sampled_from(["true", "false", "1", "0", "TRUE", "yes"]),
        "year": st.one_of(st.integers(-99999, 99999).map(str), st.just("２０２４")),
        "date": st.sampled_from(["2024-06-30", "2024-13-45", "-0001-01-01", "2024-6-3"]),
        "string": TEXT,
        "iri": IRI_LIKE,
    }.get(kind, st.one_of(st.sampled_from(["wmo", "unige", "development", "cybersecurity", "Bad Key", "a--b", "-x"]),
                          IRI_LIKE))
    return st.one_of(near, TEXT, RAW)


@st.composite
def catalogue_requests(draw: st.DrawFn) -> tuple[str, list[tuple[str | bytes, str | bytes]]]:
    name = draw(st.one_of(st.sampled_from(sorted(CATALOGUE)), st.text(string.ascii_lowercase + "-._~%", max_size=40)))
    query = CATALOGUE.get(name)
    pairs: list[tuple[str | bytes, str | bytes]] = []
    for parameter in query.parameters if query else ():
        if draw(st.booleans()):
            pairs.append((parameter.name, draw(value_for(parameter.type))))
    pairs += draw(st.lists(st.tuples(st.one_of(UNKNOWN_NAMES, RAW), st.one_of(TEXT, RAW)), max_size=2))
    if draw(st.booleans()):
        pairs.append(("format", draw(FORMATS)))
    if pairs and draw(st.integers(0, 9)) == 0:
        pairs.append(pairs[0])  # a repeated parameter
    return name, draw(st.permutations(pairs))


def test_catalogue_names_and_parameters(server: LiveServer) -> None:
    @BUDGET
    @given(request=catalogue_requests(), accept=ACCEPT)
    def run(request: tuple[str, list[tuple[str | bytes, str | bytes]]], accept: str | None) -> None:
        name, pairs = request
        check(get(server, "/queries/" + quote(name, safe=""), encode(pairs), accept))

    run()


def test_catalogue_list_and_accept_headers(server: LiveServer) -> None:
    @BUDGET
    @given(fmt=st.one_of(st.none(), FORMATS), accept=ACCEPT)
    def run(fmt: str | None, accept: str | None) -> None:
        check(get(server, "/queries", encode([("format", fmt)]) if fmt is not None else "", accept))

    run()
