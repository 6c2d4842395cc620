"""Ranked full-text search (/api/search, /search) on the real data, in-process on the session's store (and
on a remote store in the remote run), and after a write on a live server with writes on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from policygraph.build import Built
from policygraph.limits import MAX_PAGE, MAX_SEARCH, MAX_VALUE
from policygraph.search.index import PAGE_SIZE
from tests.support.app import InProcess
from tests.support.server import LiveServer, server_on_copy, stop_server

ID = "https://w3id.org/policygraph/id/"
TOKEN = "search-write-token-for-tests"


def search(app: InProcess, **params: Any) -> dict[str, Any]:
    response = app.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    found: dict[str, Any] = response.json()
    return found


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in result["facets"][name]}


def every_iri(app: InProcess, **params: Any) -> list[str]:
    """The IRIs of every page of a search, in rank order."""
    first = search(app, **params)
    iris = [r["iri"] for r in first["results"]]
    for page in range(2, first["pages"] + 1):
        iris += [r["iri"] for r in search(app, **params, page=page)["results"]]
    return iris


def test_ecommerce_spellings_find_the_same_things_and_the_wto_initiatives(app_server: InProcess) -> None:
    spellings = ["ecommerce", "e-commerce", "E-Commerce", "E-COMMERCE "]
    results = [every_iri(app_server, q=q) for q in spellings]
    assert all(found == results[0] for found in results), "each spelling ranks the same documents alike"
    wto = search(app_server, q="e-commerce", organisation="wto", kind="initiative")
    iris = {r["iri"] for r in wto["results"]}
    assert ID + "initiative/joint-statement-initiative-on-e-commerce" in iris
    assert ID + "initiative/work-programme-on-electronic-commerce" in iris or wto["total"] > PAGE_SIZE


def test_snippets_mark_the_matching_words_and_escape_the_text(app_server: InProcess) -> None:
    found = search(app_server, q="ecommerce")["results"]
    assert found and all("<mark>" in r["snippet"] for r in found)
    for r in found:
        marked = re.findall(r"<mark>(.*?)</mark>", r["snippet"])
        assert all(word.replace("-", "").lower().startswith("ecommerce") or word.lower() in ("e", "commerce")
                   for word in marked), marked
        bare = re.sub(r"</?mark>", "", r["snippet"])
        assert "<" not in bare and ">" not in bare  # the data's own text is escaped


def test_a_phrase_ranks_the_exact_phrase_first(app_server: InProcess) -> None:
    phrase = "Joint Statement Initiative on E-commerce"
    found = search(app_server, q=f'"{phrase}"')["results"]
    assert found[0]["label"] == phrase
    assert all("Joint Statement Initiative" in re.sub(r"</?mark>", "", r["label"] + r["snippet"]) for r in found)
    assert search(app_server, q="wto")["results"][0]["iri"] == ID + "organisation/wto"  # an acronym, exactly
    loose = search(app_server, q="initiative statement joint")["total"]
    assert search(app_server, q='"initiative statement joint"')["total"] < loose  # the order counts in a phrase


@pytest.mark.parametrize("name", ["kind", "organisation", "profile", "issue"])
def test_each_facet_value_gives_as_many_results_as_its_count(app_server: InProcess, name: str) -> None:
    everything = search(app_server, q="data")
    values = list(facet(everything, name).items())[:3]
    assert values, f"the facet {name} offers values"
    for value, count in values:
        narrowed = search(app_server, q="data", **{name: value})
        assert narrowed["total"] == count <= everything["total"]
        assert narrowed["filters"] == {name: value}
        assert facet(narrowed, name)[value] == count  # every result has the value


def test_a_chosen_facet_counts_the_values_one_could_choose_instead(app_server: InProcess) -> None:
    narrowed = search(app_server, q="e-commerce", organisation="wto")
    others = list(facet(narrowed, "organisation").items())
    assert ("wto", narrowed["total"]) in others and len(others) > 1
    for value, count in others[:4]:
        assert search(app_server, q="e-commerce", organisation=value)["total"] == count


def test_facets_combine(app_server: InProcess) -> None:
    wto = search(app_server, q="trade", organisation="wto")
    kind, count = next(iter(facet(wto, "kind").items()))
    both = search(app_server, q="trade", organisation="wto", kind=kind)
    assert both["total"] == count
    assert all(r["kind"] == kind for r in both["results"])


def test_accents_fold(app_server: InProcess) -> None:
    assert every_iri(app_server, q="Genève") == every_iri(app_server, q="geneve")
    assert search(app_server, q="geneve")["total"] > 0


def test_pages_hold_every_result_once(app_server: InProcess) -> None:
    first = search(app_server, q="digital")
    assert first["pages"] > 1 and len(first["results"]) == PAGE_SIZE
    iris = every_iri(app_server, q="digital")
    assert len(iris) == len(set(iris)) == first["total"]
    last = search(app_server, q="digital", page=first["pages"])
    assert 1 <= len(last["results"]) <= PAGE_SIZE


def test_the_last_word_is_a_prefix_while_typing(app_server: InProcess) -> None:
    typing = {r["iri"] for r in search(app_server, q="meteoro")["results"]}
    assert ID + "organisation/wmo" in typing
    assert search(app_server, q="meteoro ")["total"] == 0  # a space ends the word


@pytest.mark.parametrize("q", ['"unbalanced', 'AND OR NOT', '(data', 'data*', 'NEAR(a b)', 'col:umn', '^data', '"" ""x'])
def test_fts_syntax_in_the_text_is_taken_as_words(app_server: InProcess, q: str) -> None:
    response = app_server.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("params", "says"), [
    ({"q": "x" * (MAX_SEARCH + 1)}, "'q'"),
    ({}, "'q'"),
    ({"q": "   "}, "'q'"),
    ({"q": "!!!"}, "'q'"),
    ({"q": "data", "page": "0"}, "'page'"),
    ({"q": "data", "page": str(MAX_PAGE + 1)}, "'page'"),
    ({"q": "data", "page": "two"}, "'page'"),
    ({"q": "data", "page": "9" * 13}, "'page'"),
    ({"q": "data", "kind": "planet"}, "'kind'"),
    ({"q": "data", "organisation": "w" * (MAX_VALUE + 1)}, "'organisation'"),
    ({"q": "data", "issue": "i" * (MAX_VALUE + 1)}, "'issue'"),
])
def test_bounds_give_400_naming_the_parameter(app_server: InProcess, params: dict[str, str], says: str) -> None:
    blank = not params.get("q", "").strip()  # the page without a query is the empty search form
    for path in ("/api/search",) if blank else ("/api/search", "/search"):
        response = app_server.get(path, params=params, headers={"Accept": "application/json"})
        assert response.status_code == 400, (path, params, response.text)
        assert says in response.json()["message"]


def test_the_page_renders_grouped_results_facets_and_paging(app_server: InProcess) -> None:
    response = app_server.get("/search", params={"q": "e-commerce"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert 'id="results-initiative"' in page and "<mark>" in page
    assert 'id="facet-organisation"' in page
    assert "/search?q=e-commerce&amp;organisation=wto" in page  # a facet link narrows, keeping the query
    assert 'rel="next"' in page and "page=2" in page
    assert "/api/search?q=e-commerce" in response.headers["Link"]
    narrowed = app_server.get("/search", params={"q": "e-commerce", "organisation": "wto", "page": "2"}).text
    assert "organisation: wto" in narrowed and 'rel="prev"' in narrowed


def test_the_page_without_a_query_is_the_form(app_server: InProcess) -> None:
    page = app_server.get("/search").text
    assert 'id="search-q"' in page and "result" not in page.split('id="search-q"')[1].split("</form>")[1]


def test_the_header_search_box_is_on_the_home_page(app_server: InProcess) -> None:
    page = app_server.get("/").text
    assert re.search(r'<form class="site-search" method="get" action="/search"', page)
    assert 'name="q"' in page.split('class="site-search"')[1].split("</form>")[0]


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_on_copy(store_dir, tmp_path_factory.mktemp("search-write"), {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    yield server
    stop_server(server)


def test_a_committed_write_is_found_by_the_next_search(writable: LiveServer) -> None:
    def found(q: str) -> set[str]:
        response = requests.get(writable.url + "/api/search", params={"q": q}, timeout=60)
        assert response.status_code == 200, response.text
        return {r["iri"] for r in response.json()["results"]}

    assert ID + "organisation/wmo" not in found("zanzibarquokka")  # builds the index of this version
    update = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nINSERT DATA { GRAPH <https://w3id.org/policygraph/"
              "graph/curated/wmo> { <https://w3id.org/policygraph/id/organisation/wmo> skos:altLabel \"Zanzibar-Quokka\" } }")
    response = requests.post(writable.url + "/sparql", data=update.encode("utf-8"), timeout=180,
                             headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert ID + "organisation/wmo" in found("zanzibarquokka")
    assert ID + "organisation/wmo" in found("zanzibar-quokka")


def test_what_is_typed_is_escaped_on_the_page(app_server: InProcess) -> None:
    typed = '<script>alert(1)</script> "data'
    page = app_server.get("/search", params={"q": typed, "organisation": '"><b>x'}).text
    assert "<script>alert" not in page and '"><b>x' not in page
    assert "&lt;script&gt;" in page
