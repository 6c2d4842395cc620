"""The result cache and conditional requests: a repeated query is answered from the cache with
the same bytes and ETag; If-None-Match gets 304 on GET; a committed write invalidates every cached answer;
the cache can be turned off; the cache's own bounds (entries, bytes, versions)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from policygraph.build import Built
from policygraph.sparql.cache import ResultCache, etag_for
from tests.support.server import LiveServer, server_on_copy, start_server, stop_server
from tests.web.sparql_support import ORGANISATIONS

TOKEN = "cache-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
GRAPH = "https://w3id.org/policygraph/graph/"
ID = "https://w3id.org/policygraph/id/"
PG = "https://w3id.org/policygraph/ontology#"
COUNT_ORGS = f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{PG}Organisation> }}"
# A valid write that changes a query's answer: one more alternative label on an existing organisation.
WMO = f"{ID}organisation/wmo"
LABELS = f"SELECT ?label WHERE {{ <{WMO}> <http://www.w3.org/2004/02/skos/core#altLabel> ?label }} ORDER BY ?label"
ADD_LABEL = f"""INSERT DATA {{ GRAPH <{GRAPH}curated/wmo> {{
  <{WMO}> <http://www.w3.org/2004/02/skos/core#altLabel> "Cache test label"@en .
}} }}"""


def get(server: LiveServer, query: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query}, headers={**JSON, **(headers or {})}, timeout=60)


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_on_copy(store_dir, tmp_path_factory.mktemp("cache"), {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def uncached(built: Built, store_dir: Path) -> Iterator[LiveServer]:
    server = start_server(store_dir, extra_env={"POLICYGRAPH_CACHE_ENTRIES": "0"})
    yield server
    stop_server(server)


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_bytes(live_server: LiveServer) -> None:
    query = ORGANISATIONS + " # repeated"
    first, second = get(live_server, query), get(live_server, query)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Policygraph-Cache"] == "miss"
    assert second.headers["X-Policygraph-Cache"] == "hit"
    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-Policygraph-Results"] == first.headers["X-Policygraph-Results"] == "10"


def test_the_format_and_the_query_are_part_of_the_key(live_server: LiveServer) -> None:
    query = ORGANISATIONS + " # formats"
    as_json = get(live_server, query)
    as_csv = get(live_server, query, {"Accept": "text/csv"})
    assert as_csv.headers["X-Policygraph-Cache"] == "miss"
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.headers["ETag"] != as_json.headers["ETag"]
    other = get(live_server, ORGANISATIONS.replace("ORDER BY ?name", "ORDER BY DESC(?name)") + " # formats")
    assert other.headers["X-Policygraph-Cache"] == "miss"
    assert other.json()["results"]["bindings"] == list(reversed(as_json.json()["results"]["bindings"]))


def test_if_none_match_gets_304_without_a_body(live_server: LiveServer) -> None:
    query = ORGANISATIONS + " # conditional"
    first = get(live_server, query)
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    again = get(live_server, query, {"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    other = get(live_server, query, {"If-None-Match": '"not-the-tag"'})
    assert other.status_code == 200 and other.content == first.content
    # A list of tags, one of them current, and the wildcard.
    assert get(live_server, query, {"If-None-Match": f'"x", {tag}'}).status_code == 304
    assert get(live_server, query, {"If-None-Match": "*"}).status_code == 304


def test_post_queries_are_cached_but_never_answered_304(live_server: LiveServer) -> None:
    query = ORGANISATIONS + " # posted"
    headers = {**JSON, "Content-Type": "application/sparql-query"}
    first = requests.post(live_server.url + "/sparql", data=query.encode(), headers=headers, timeout=60)
    second = requests.post(live_server.url + "/sparql", data=query.encode(),
                           headers={**headers, "If-None-Match": first.headers["ETag"]}, timeout=60)
    assert second.status_code == 200
    assert second.headers["X-Policygraph-Cache"] == "hit"
    assert second.content == first.content


def test_the_catalogue_and_graph_store_reads_are_cached_too(live_server: LiveServer) -> None:
    listing = requests.get(live_server.url + "/queries", params={"format": "json"}, timeout=60).json()
    names = [q["name"] for q in listing["queries"]]
    url = f"{live_server.url}/queries/{names[0]}"
    first = requests.get(url, params={"format": "json"}, timeout=60)
    second = requests.get(url, params={"format": "json"}, timeout=60)
    assert first.status_code == 200
    assert second.headers["X-Policygraph-Cache"] == "hit" and second.content == first.content
    graph = {"graph": f"{GRAPH}curated/wmo"}
    turtle = {"Accept": "text/turtle"}
    one = requests.get(live_server.url + "/rdf-graph-store", params=graph, headers=turtle, timeout=60)
    two = requests.get(live_server.url + "/rdf-graph-store", params=graph,
                       headers={**turtle, "If-None-Match": one.headers["ETag"]}, timeout=60)
    assert one.status_code == 200 and two.status_code == 304


def test_a_committed_write_invalidates_cached_answers(writable: LiveServer) -> None:
    before = get(writable, LABELS)
    assert get(writable, LABELS).headers["X-Policygraph-Cache"] == "hit"
    labels = [b["label"]["value"] for b in before.json()["results"]["bindings"]]
    assert "Cache test label" not in labels

    done = requests.post(writable.url + "/sparql", data=ADD_LABEL.encode(),
                         headers={"Content-Type": "application/sparql-update", **AUTH}, timeout=180)
    assert done.status_code == 200, done.text

    after = get(writable, LABELS, {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200  # the old tag no longer matches: the answer changed
    assert after.headers["X-Policygraph-Cache"] == "miss"
    assert after.headers["ETag"] != before.headers["ETag"]
    assert sorted([b["label"]["value"] for b in after.json()["results"]["bindings"]]) == sorted([*labels, "Cache test label"])
    # The new answer is cached under the new version.
    again = get(writable, LABELS)
    assert again.headers["X-Policygraph-Cache"] == "hit" and again.content == after.content


def test_the_cache_can_be_turned_off_and_etags_still_work(uncached: LiveServer) -> None:
    query = ORGANISATIONS + " # uncached"
    first, second = get(uncached, query), get(uncached, query)
    assert first.headers["X-Policygraph-Cache"] == second.headers["X-Policygraph-Cache"] == "miss"
    assert second.content == first.content and second.headers["ETag"] == first.headers["ETag"]
    assert get(uncached, query, {"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_the_cache_keeps_the_most_recently_used_within_its_entry_bound() -> None:
    cache = ResultCache(max_entries=2, max_bytes=1000)
    assert cache.get("v1", "a") is None
    cache.put("v1", "a", "A", 10)
    cache.put("v1", "b", "B", 10)
    assert cache.get("v1", "a") == "A"  # a is now the most recent
    cache.put("v1", "c", "C", 10)
    assert cache.get("v1", "b") is None
    assert cache.get("v1", "a") == "A" and cache.get("v1", "c") == "C"
    stats = cache.stats()
    assert (stats.entries, stats.bytes, stats.hits, stats.misses) == (2, 20, 3, 2)


def test_the_cache_keeps_within_its_byte_bound_and_skips_big_answers() -> None:
    cache = ResultCache(max_entries=100, max_bytes=800)
    cache.put("v1", "big", "B", 101)  # more than an eighth of the budget: not kept
    assert cache.get("v1", "big") is None
    for n in range(10):
        cache.put("v1", n, str(n), 100)
    assert cache.stats().bytes <= 800
    assert cache.get("v1", 0) is None and cache.get("v1", 9) == "9"


def test_a_new_version_drops_everything_and_late_answers_are_not_kept() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1000)
    cache.get("v1", "a")
    cache.put("v1", "a", "old", 3)
    assert cache.get("v2", "a") is None  # a write made v2: the v1 answer is gone
    assert cache.stats().entries == 0
    cache.put("v1", "a", "late", 4)  # computed under v1, finished after v2 was seen
    assert cache.get("v2", "a") is None
    off = ResultCache(max_entries=0, max_bytes=1000)
    off.put("v1", "a", "x", 1)
    assert off.get("v1", "a") is None and not off.enabled


def test_etags_depend_on_bytes_and_media_type_only() -> None:
    assert etag_for("text/csv", b"a") == etag_for("text/csv", b"a")
    assert etag_for("text/csv", b"a") != etag_for("text/csv", b"b")
    assert etag_for("text/csv", b"a") != etag_for("text/tab-separated-values", b"a")
