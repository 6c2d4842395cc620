"""Ranked search (docs/benchmarks.md, section "Search"): how long /api/search takes on the real data.

The real data is built (`policygraph build`, seconds) into a scratch directory, unless `--store DIR` names
a built store. The app answers in-process (Flask's test client: the view, the index and the JSON, without
the network), so the figures are the search's own. The first search of a store version builds the index
(or reads the file `policygraph build` wrote for it): both are timed once. Then each query of QUERIES is asked `--reps`
times, with and without a facet, and the next page; the section gives p50 and p95 over all of them, and
per query.

    python bench/search.py [--store DIR] [--reps 50] [--markdown]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 50.0

# What people type: names, acronyms, topics, a phrase, accents, a word being typed, operators taken as words.
QUERIES = [
    "wmo", "e-commerce", "ecommerce", "artificial intelligence", '"digital trade"', "climate data",
    "cybersecurity capacity building", "Genève", "meteoro", "data protection privacy", "AND OR NOT (",
    "sustainable development goals", "blockchain", "digital", "standards",
]
VARIANTS: list[dict[str, str]] = [{}, {"kind": "initiative"}, {"organisation": "wto"}, {"page": "2"}]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(store: Path, reps: int) -> dict[str, Any]:
    from policygraph.explore.sparql import OxigraphSparql
    from policygraph.search import SearchIndex, read_documents, read_labels
    from policygraph.settings import load_settings
    from policygraph.store import open_store
    from policygraph.web.app import create_app

    settings = load_settings(environ={}, root=ROOT, store=str(store))
    start = time.perf_counter()
    sparql = OxigraphSparql(open_store(settings.store_path))
    SearchIndex(read_documents(sparql, settings.base_iri), settings.base_iri + "id/", read_labels(sparql))
    built_s = time.perf_counter() - start
    client = create_app(settings).test_client()
    start = time.perf_counter()
    first = client.get("/api/search", query_string={"q": "wmo"})
    index_s = time.perf_counter() - start  # the file the build wrote, read
    assert first.status_code == 200, first.get_data(as_text=True)
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    totals: dict[str, int] = {}
    for _ in range(reps):
        for q in QUERIES:
            for extra in VARIANTS:
                start = time.perf_counter()
                response = client.get("/api/search", query_string={"q": q, **extra})
                per_query[q].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (q, extra, response.get_data(as_text=True))
                if not extra:
                    totals[q] = response.get_json()["total"]
    everything = [ms for values in per_query.values() for ms in values]
    return {"index_s": index_s, "built_s": built_s, "per_query": per_query, "totals": totals, "all": everything}


def markdown(result: dict[str, Any], reps: int) -> str:
    everything = result["all"]
    lines = [
        "## Search (bench/search.py)",
        "",
        f"`/api/search` on the real data, in-process (the view, the SQLite FTS5 index and the JSON; no network), "
        f"{len(QUERIES)} queries × {len(VARIANTS)} variants (none, `kind=`, `organisation=`, `page=2`) × {reps} "
        f"repetitions = {len(everything):,} requests. The first search of a store version reads the index "
        f"`policygraph build` wrote next to the store ({result['index_s'] * 1000:.0f} ms, the request included) or, "
        f"after a write, builds it from the store ({result['built_s']:.2f} s), once per version.",
        "",
        f"**All requests: p50 {statistics.median(everything):.2f} ms, p95 {percentile(everything, 95):.2f} ms** "
        f"(target p95 < {TARGET_MS:.0f} ms).",
        "",
        "| query | matches | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for q, values in result["per_query"].items():
        shown = q.replace("|", "\\|")
        lines.append(f"| `{shown}` | {result['totals'][q]} | {statistics.median(values):.2f} | {percentile(values, 95):.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store directory (default: build the real data)")
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args(argv)
    if args.store is None:
        from policygraph.pipeline import build_and_store
        from policygraph.settings import load_settings

        args.store = Path(tempfile.mkdtemp(prefix="policygraph-search-bench-"))
        build_and_store(load_settings(environ={}, root=ROOT, store=str(args.store)))
    result = run(args.store, args.reps)
    sys.stdout.write(markdown(result, args.reps))
    return 0 if percentile(result["all"], 95) < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
