"""Every kind of input a request carries, sent at 10,000 characters, is refused up front with a 4xx that
names the input and its bound (policygraph/limits.py): never a 5xx, never a 200 after the work was done.
And the did-you-mean page for a long unknown key still answers 404, with a bounded list of suggestions.

In-process (Flask's test client), on the session's store: these are about views, not the process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from policygraph.limits import (
    MAX_ACCEPT,
    MAX_DATASET_GRAPHS,
    MAX_FILE_PATH,
    MAX_KEY,
    MAX_NUMBER,
    MAX_PARAMETER_NAME,
    MAX_PARAMETERS,
    MAX_SEARCH,
    MAX_SEGMENT,
    MAX_STRING,
    MAX_VALUE,
    PARAMETER_LIMITS,
)
from tests.support.app import InProcess
from tests.web.linked_support import ID, Page

LONG = 10_000
LETTERS = "a" * LONG
ORG = ID + "organisation/"
LONG_IRI = ORG + "a" * (LONG - len(ORG))  # an IRI of exactly 10,000 characters
DIGITS = "1" * LONG
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}
ASK = "ASK {}"


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    status: int
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    says: tuple[str, ...] = ()  # what the message names: the input, and its bound
    method: str = "GET"
    form: dict[str, str] | None = None


def limit(n: int) -> str:
    return f"the limit is {n:,} characters"


def param(name: str, n: int) -> tuple[str, str]:
    return f"parameter '{name}'", limit(n)


def part(name: str, n: int) -> tuple[str, str]:
    return f"<{name}>", limit(n)


CASES: list[Case] = [
    # -- linked data: keys, kinds, suffixes, search and format
    Case("id-key-unknown-kind", "/id/place/" + LETTERS, 404, says=("its key", limit(MAX_KEY))),
    Case("id-key", "/id/organisation/" + LETTERS, 404, says=("its key", limit(MAX_KEY))),
    Case("id-key-html", "/id/organisation/" + LETTERS, 404, headers=HTML, says=("its key", limit(MAX_KEY))),
    Case("id-suffix", "/id/organisation/wmo." + LETTERS, 404, says=("its key", limit(MAX_KEY))),
    Case("id-kind", f"/id/{LETTERS}/wmo", 404, says=part("kind", MAX_SEGMENT)),
    Case("id-kind-index", f"/id/{LETTERS}/", 404, says=part("kind", MAX_SEGMENT)),
    Case("id-index-search", "/id/organisation/", 400, {"q": LETTERS}, says=param("q", MAX_SEARCH)),
    Case("id-format", "/id/organisation/wmo", 400, {"format": LETTERS}, says=param("format", PARAMETER_LIMITS["format"])),
    Case("id-accept", "/id/organisation/wmo", 400, headers={"Accept": "text/turtle," * (LONG // 12)},
         says=("Accept header", limit(MAX_ACCEPT))),
    Case("home-accept", "/", 400, headers={"Accept": "a" * LONG}, says=("Accept header", limit(MAX_ACCEPT))),
    Case("ontology-version", "/ontology/" + LETTERS, 404, says=part("version", MAX_SEGMENT)),
    Case("ontology-suffix", "/ontology." + LETTERS, 404, says=part("suffix", MAX_SEGMENT)),
    Case("issues-suffix", "/issues." + LETTERS, 404, says=part("suffix", MAX_SEGMENT)),
    Case("void-suffix", "/.well-known/void." + LETTERS, 404, says=part("suffix", MAX_SEGMENT)),
    Case("void-format", "/.well-known/void", 400, {"format": LETTERS}, says=param("format", PARAMETER_LIMITS["format"])),
    Case("dump-name", "/dumps/" + LETTERS, 404, says=part("name", MAX_SEGMENT)),
    Case("asset-package", f"/assets/{LETTERS}/x.js", 404, says=part("package", MAX_SEGMENT)),
    Case("asset-file", "/assets/yasgui/" + LETTERS, 404, says=part("filename", MAX_FILE_PATH)),
    Case("static-file", "/static/" + LETTERS, 404, says=part("filename", MAX_FILE_PATH)),
    # -- the SPARQL endpoint and the Graph Store Protocol
    Case("sparql-format", "/sparql", 400, {"query": ASK, "format": LETTERS}, says=param("format", PARAMETER_LIMITS["format"])),
    Case("sparql-accept", "/sparql", 400, {"query": ASK}, headers={"Accept": "a" * LONG}, says=("Accept header", limit(MAX_ACCEPT))),
    Case("sparql-default-graph", "/sparql", 400, {"query": ASK, "default-graph-uri": LONG_IRI},
         says=param("default-graph-uri", MAX_VALUE)),
    Case("sparql-named-graph", "/sparql", 400, {"query": ASK, "named-graph-uri": LONG_IRI},
         says=param("named-graph-uri", MAX_VALUE)),
    Case("sparql-parameter-name", f"/sparql?query=ASK%7B%7D&{LETTERS}=1", 400,
         says=("parameter name in the query string", limit(MAX_PARAMETER_NAME))),
    Case("sparql-form-graph", "/sparql", 400, method="POST", form={"query": ASK, "default-graph-uri": LONG_IRI},
         says=("parameter 'default-graph-uri'", "form", limit(MAX_VALUE))),
    Case("sparql-description-format", "/sparql", 400, {"format": LETTERS}, says=param("format", PARAMETER_LIMITS["format"])),
    Case("graph-store-graph", "/rdf-graph-store", 400, {"graph": LONG_IRI}, says=param("graph", MAX_VALUE)),
    Case("graph-store-format", "/rdf-graph-store", 400, {"default": "", "format": LETTERS},
         says=param("format", PARAMETER_LIMITS["format"])),
    # -- the query catalogue
    Case("catalogue-name", "/queries/" + LETTERS, 404, says=part("name", MAX_SEGMENT)),
    Case("catalogue-list-format", "/queries", 400, {"format": LETTERS}, says=param("format", PARAMETER_LIMITS["format"])),
    Case("catalogue-format", "/queries/initiatives-in-year", 400, {"format": LETTERS},
         says=param("format", PARAMETER_LIMITS["format"])),
    Case("catalogue-string", "/queries/search-labels", 400, {"text": LETTERS}, says=param("text", MAX_VALUE)),
    Case("catalogue-integer", "/queries/initiatives-in-year", 400, {"year": DIGITS}, says=param("year", MAX_VALUE)),
    Case("catalogue-key", "/queries/initiatives-of-organisation", 400, {"organisation": LETTERS},
         says=param("organisation", MAX_VALUE)),
    Case("catalogue-iri", "/queries/initiatives-of-organisation", 400, {"organisation": LONG_IRI},
         says=param("organisation", MAX_VALUE)),
    Case("catalogue-parameter-name", f"/queries/initiatives-in-year?{LETTERS}=1", 400,
         says=("parameter name", limit(MAX_PARAMETER_NAME))),
    # -- the explorer
    Case("explore-page-filter", "/explore", 400, {"issue": LETTERS}, says=param("issue", MAX_VALUE)),
    Case("api-names-text", "/api/names", 400, {"q": LETTERS}, says=param("q", MAX_SEARCH)),
    Case("api-names-limit", "/api/names", 400, {"q": "wmo", "limit": DIGITS}, says=param("limit", MAX_NUMBER)),
    # -- search
    Case("api-search-text", "/api/search", 400, {"q": LETTERS}, says=param("q", MAX_SEARCH)),
    Case("api-search-page", "/api/search", 400, {"q": "wmo", "page": DIGITS}, says=param("page", MAX_NUMBER)),
    Case("api-search-facet", "/api/search", 400, {"q": "wmo", "organisation": LETTERS},
         says=param("organisation", MAX_VALUE)),
    Case("search-page-text", "/search", 400, {"q": LETTERS}, says=param("q", MAX_SEARCH)),
    Case("api-node-iri", "/api/node", 400, {"iri": LONG_IRI}, says=param("iri", MAX_VALUE)),
    Case("api-node-depth", "/api/node", 400, {"iri": ORG + "wmo", "depth": DIGITS}, says=param("depth", MAX_NUMBER)),
    Case("api-node-limit", "/api/node", 400, {"iri": ORG + "wmo", "limit": DIGITS}, says=param("limit", MAX_NUMBER)),
    Case("api-paths-from", "/api/paths", 400, {"from": LONG_IRI, "to": ORG + "wmo"}, says=param("from", MAX_VALUE)),
    Case("api-paths-to", "/api/paths", 400, {"from": ORG + "wmo", "to": LONG_IRI}, says=param("to", MAX_VALUE)),
    Case("api-paths-via", "/api/paths", 400, {"from": ORG + "wmo", "to": ORG + "itu", "via": "issues," * (LONG // 7)},
         says=param("via", PARAMETER_LIMITS["via"])),
    Case("api-paths-hops", "/api/paths", 400, {"from": ORG + "wmo", "to": ORG + "itu", "maxHops": DIGITS},
         says=param("maxHops", MAX_NUMBER)),
    Case("api-graph-issue", "/api/graph", 400, {"issue": LETTERS}, says=param("issue", MAX_VALUE)),
    Case("api-graph-basket", "/api/graph", 400, {"basket": LETTERS}, says=param("basket", MAX_VALUE)),
    Case("api-graph-type", "/api/graph", 400, {"type": LETTERS}, says=param("type", MAX_VALUE)),
    Case("api-graph-kind", "/api/graph", 400, {"kind": LETTERS}, says=param("kind", MAX_VALUE)),
    Case("api-graph-initiatives", "/api/graph", 400, {"initiatives": LETTERS},
         says=param("initiatives", PARAMETER_LIMITS["initiatives"])),
    Case("api-analytics-top", "/api/analytics", 400, {"top": DIGITS}, says=param("top", MAX_NUMBER)),
    Case("api-export-format", "/api/export." + LETTERS, 404, says=part("fmt", MAX_SEGMENT)),
    Case("api-export-node", "/api/export.csv", 400, {"node": LONG_IRI}, says=param("node", MAX_VALUE)),
    Case("api-export-network", "/api/export.csv", 400, {"network": LETTERS}, says=param("network", PARAMETER_LIMITS["network"])),
]


def send(server: InProcess, case: Case) -> Any:
    if case.method == "POST":
        return server.post(case.path, params=case.params, headers=case.headers, data=case.form)
    return server.get(case.path, params=case.params, headers=case.headers)


def message_of(response: Any) -> str:
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return str(response.json()["message"])
    return str(response.text)


def test_the_cases_cover_every_route_family() -> None:
    assert len({c.name for c in CASES}) == len(CASES)
    families = ("/id/", "/ontology", "/issues", "/.well-known/void", "/dumps/", "/assets/", "/static/", "/sparql",
                "/rdf-graph-store", "/queries", "/explore", "/search", "/api/search", "/api/names", "/api/node", "/api/paths", "/api/graph",
                "/api/analytics", "/api/export")
    assert all(any(c.path.startswith(f) for c in CASES) for f in families)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_input_of_10000_characters_is_refused_naming_it_and_its_bound(app_server: InProcess, case: Case) -> None:
    response = send(app_server, case)
    assert response.status_code == case.status, f"{case.name}: {response.status_code} {response.text[:300]}"
    message = message_of(response)
    for word in case.says:
        assert word in message, f"{case.name}: {word!r} not in {message[:300]!r}"
    assert LETTERS not in response.text and DIGITS not in response.text  # an answer never echoes the input whole


def test_too_many_parameters_are_refused(app_server: InProcess) -> None:
    query = "&".join(f"p{i}=1" for i in range(MAX_PARAMETERS + 1))
    response = app_server.get("/api/search?q=wmo&" + query)
    assert response.status_code == 400
    assert f"{MAX_PARAMETERS + 2:,} parameters; the limit is {MAX_PARAMETERS}" in response.json()["message"]


def test_too_many_dataset_graphs_are_refused(app_server: InProcess) -> None:
    graphs = "&".join(f"default-graph-uri=urn:g:{i}" for i in range(MAX_DATASET_GRAPHS + 1))
    response = app_server.get("/sparql?query=ASK%7B%7D&" + graphs)
    assert response.status_code == 400
    assert f"{MAX_DATASET_GRAPHS + 1} graphs" in response.json()["message"]


def test_inputs_at_their_bound_are_still_served(app_server: InProcess) -> None:
    """Each bound is a bound, not a guess: the input at its bound gets its ordinary answer."""
    search = app_server.get("/api/search", params={"q": "w" * MAX_SEARCH})
    assert search.status_code == 200 and search.json()["results"] == []
    index = app_server.get("/id/organisation/", params={"q": "w" * MAX_SEARCH}, headers=HTML)
    assert index.status_code == 200
    text = app_server.get("/queries/search-labels", params={"text": "w" * MAX_STRING, "format": "json"})
    assert text.status_code == 200 and text.json()["results"]["bindings"] == []
    over = app_server.get("/queries/search-labels", params={"text": "w" * (MAX_STRING + 1), "format": "json"})
    assert over.status_code == 400 and limit(MAX_STRING) in over.json()["message"]
    accept = app_server.get("/id/organisation/wmo", headers={"Accept": ("text/turtle;q=0.9," * MAX_ACCEPT)[:MAX_ACCEPT]})
    assert accept.status_code == 200 and accept.headers["Content-Type"].startswith("text/turtle")
    key = app_server.get("/id/organisation/" + "w" * MAX_KEY)
    assert key.status_code == 404 and "its key" not in key.json()["message"]  # looked up, and simply not there


# -- the did-you-mean page


def test_a_long_unknown_key_still_gets_a_did_you_mean_page_with_a_few_suggestions(app_server: InProcess) -> None:
    key = "world-meteorological-organization-" + "x" * LONG
    response = app_server.get("/id/organisation/" + key, headers=HTML)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    page = Page(response.text)
    assert not page.errors
    suggested = [link for link in page.links if link.startswith("/id/organisation/") and link != "/id/organisation/"]
    assert "/id/organisation/wmo" in suggested
    assert len(suggested) <= 8
    assert key not in response.text  # the page shows the key shortened, not 10,000 characters of it
    assert limit(MAX_KEY) in response.text


@pytest.mark.parametrize("length", [1_000, 8_000])
def test_a_long_unknown_key_of_an_unknown_kind_gets_its_page_too(app_server: InProcess, length: int) -> None:
    response = app_server.get("/id/place/world-meteorological-organization-" + "a" * length, headers=HTML)
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")
    page = Page(response.text)
    suggested = [link for link in page.links if link.startswith("/id/") and not link.endswith("/")]
    assert "/id/organisation/wmo" in suggested  # resources of every kind are candidates
    assert len(suggested) <= 8
    assert "q" in page.ids  # the search form is there, its text cut to the search bound
    machine = app_server.get("/id/place/" + "a" * length)
    assert machine.status_code == 404 and machine.json()["error"] == "NotFound"
