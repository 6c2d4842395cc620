"""The serving benchmark's results (bench/throughput.py) as the Markdown of docs/benchmarks.md: throughput
at 1 and 8 clients, policygraph's ratio to each peer, the issue's targets, warm latency of every query."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

PG_PEERS = ("policygraph (cache)", "policygraph (no cache)")
OTHERS = ("raw pyoxigraph", "oxigraph serve", "rdflib-endpoint")
# Issue 8's targets, at 1M triples and 8 clients: policygraph's throughput / the peer's, at least.
TARGETS = {"raw pyoxigraph": 0.8, "oxigraph serve": 2.0, "rdflib-endpoint": 20.0}
TARGET_SIZE, TARGET_CLIENTS = 1_000_000, "8"
ID = "https://w3id.org/policygraph/id/"


def size_name(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    v = seconds * 1000
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def rate(level: dict[str, Any] | None) -> float | None:
    return level["per_second"] if level else None


def rate_text(level: dict[str, Any] | None) -> str:
    if not level:
        return "–"
    if level["requests"] == 0:
        return f"< {1 / level['seconds']:.2f}"
    r = level["per_second"]
    return f"{r:.0f}" if r >= 100 else f"{r:.1f}" if r >= 1 else f"{r:.2f}"


def ratio(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> float | None:
    """Our rate over theirs; a peer that completed nothing in the window counts as one request in it (so
    the ratio is a lower bound, marked)."""
    if not ours or not theirs or ours["requests"] == 0:
        return None
    return ours["per_second"] / max(theirs["per_second"], 1 / theirs["seconds"])


def ratio_text(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> str:
    r = ratio(ours, theirs)
    if r is None:
        return "–"
    bound = "≥ " if theirs and theirs["requests"] == 0 else ""
    return f"{bound}{r:.2f}×" if r < 10 else f"{bound}{r:.0f}×"


def term(value: str) -> str:
    """A parameter as written in the query, IRIs of the data shortened to their path."""
    return value[len(ID) + 1:-1] if value.startswith("<" + ID) else value.split("^^")[0]


def _latency_cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "–"
    if "capped" in entry:
        return f"> {entry['capped']:.0f} s (stopped)"
    if "skipped" in entry:
        return "not run (time budget)"
    if "error" in entry:
        return entry["error"]
    if entry["median"] is None:
        return f"{entry['cold']:.1f} s once"
    return f"{ms(entry['median'])} / {ms(entry['p95'])}"


def reference(r: dict[str, Any], name: str) -> tuple[str, int] | None:
    """The peer whose row count of query `name` the others are compared with, and that count: raw pyoxigraph's,
    or if it has none (stopped at the cap, not run) the first peer's that has one."""
    peers: dict[str, Any] = r["peers"]
    for peer in ("raw pyoxigraph", *peers):
        entry = peers.get(peer, {}).get("latency", {}).get(name, {})
        if "rows" in entry:
            return peer, entry["rows"]
    return None


def size_section(size: int, r: dict[str, Any]) -> str:
    peers: dict[str, Any] = r["peers"]
    mix = [q for q in r["queries"] if q["in_mix"]]
    cache = peers.get("policygraph (cache)", {}).get("cache", {})
    nocache = peers.get("policygraph (no cache)", {}).get("cache", {})
    lines = [f"### {size_name(size)} triples ({r['quads']:,} quads)", ""]
    lines += ["| requests per second | C=1 | C=8 | C=8 / C=1 | errors | client CPU s (C=1 / C=8) |", "|---|---:|---:|---:|---|---|"]
    for name, p in peers.items():
        one, eight = p["levels"].get("1"), p["levels"].get("8")
        scaling = f"{rate(eight) / rate(one):.2f}" if one and eight and rate(one) else "–"
        errors = sum((Counter(lv["errors"]) for lv in p["levels"].values()), Counter[str]())
        cpu = " / ".join(f"{p['levels'][c]['client_cpu']:.1f}" if p["levels"].get(c, {}).get("client_cpu") is not None
                         else "in-process" for c in ("1", "8"))
        lines.append(f"| {name} | {rate_text(one)} | {rate_text(eight)} | {scaling} | "
                     f"{', '.join(f'{k} ×{v}' for k, v in errors.items()) or 'none'} | {cpu} |")
    lines += ["", "policygraph's throughput over each peer's (higher is better for policygraph):", "",
              "| policygraph | " + " | ".join(f"/ {o} C=1 | / {o} C=8" for o in OTHERS if o in peers) + " |",
              "|---|" + "---:|---:|" * sum(o in peers for o in OTHERS)]
    for ours in PG_PEERS:
        if ours not in peers:
            continue
        cells = [ratio_text(peers[ours]["levels"].get(c), peers[o]["levels"].get(c)) for o in OTHERS if o in peers for c in ("1", "8")]
        lines.append(f"| {ours.split(' ', 1)[1]} | " + " | ".join(cells) + " |")
    restarts = {n: p["restarts"] for n, p in peers.items() if p.get("restarts")}
    lines += ["", f"Responses by `X-Policygraph-Cache` header: with the cache {_counts(cache)}; without it {_counts(nocache)} "
              f"(the mix repeats {len(mix)} distinct query texts, so with the cache nearly every request is a hit)."
              + (f" Stopped (then started again to go on) after a request passed the {r['request_cap']:.0f} s cap: "
                 + ", ".join(f"{n} ×{k}" for n, k in restarts.items()) + "." if restarts else "")]
    names = list(peers)
    lines += ["", f"Warm latency, ms, median / p95 of up to {r['reps']} runs after one cold run (mix: {len(mix)} of "
              f"{len(r['queries'])} queries):", "",
              "| query | rows | in mix | " + " | ".join(names) + " |", "|---|---:|---|" + "---|" * len(names)]
    for q in r["queries"]:
        rows = (reference(r, q["name"]) or ("", "–"))[1]
        cells = [_latency_cell(peers[n]["latency"].get(q["name"])) for n in names]
        lines.append(f"| {q['name']} | {rows} | {'yes' if q['in_mix'] else 'no'} | " + " | ".join(cells) + " |")
    lines += ["", mismatches(r) or "Every peer returned the same number of rows for every query."]
    return "\n".join(lines) + "\n"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items())) or "none"


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def mismatches(r: dict[str, Any]) -> str:
    """Queries on which a peer's row count differs from raw pyoxigraph's (or, where raw pyoxigraph has none,
    the first peer's with one), as a sentence ('' if none)."""
    found = []
    for q in r["queries"]:
        if (ref := reference(r, q["name"])) is None:
            continue
        for name, p in r["peers"].items():
            entry = p["latency"].get(q["name"], {})
            if "rows" in entry and entry["rows"] != ref[1]:
                found.append(f"{q['name']} ({name}: {_rows(entry['rows'])}, {ref[0]}: {_rows(ref[1])})")
    return "Row counts that differ from raw pyoxigraph's: " + "; ".join(found) + "." if found else ""


def targets_section(results: dict[int, dict[str, Any]]) -> str:
    size = TARGET_SIZE if TARGET_SIZE in results else max(results)
    peers = results[size]["peers"]
    note = [] if size == TARGET_SIZE else [f"The targets are set at 1M triples; this run's largest size is {size_name(size)}, "
                                           "so the verdicts below are for that size, not the target's.", ""]
    lines = [f"### Targets ({size_name(size)} triples, C=8)", "", *note,
             "| target | with cache | met | without cache | met |", "|---|---:|---|---:|---|"]
    for peer, goal in TARGETS.items():
        cells = []
        for ours in PG_PEERS:
            r = ratio(peers.get(ours, {}).get("levels", {}).get(TARGET_CLIENTS), peers.get(peer, {}).get("levels", {}).get(TARGET_CLIENTS))
            cells += ["–", "not measured"] if r is None else [
                ratio_text(peers[ours]["levels"][TARGET_CLIENTS], peers[peer]["levels"][TARGET_CLIENTS]), "met" if r >= goal else "not met"]
        lines.append(f"| ≥ {goal:g}× {peer} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parameters_section(results: dict[int, dict[str, Any]]) -> str:
    lines = ["| query | " + " | ".join(size_name(s) for s in results) + " |", "|---|" + "---|" * len(results)]
    names = [q["name"] for q in next(iter(results.values()))["queries"]]
    for name in names:
        cells = []
        for r in results.values():
            q = next((q for q in r["queries"] if q["name"] == name), None)
            cells.append(", ".join(f"{k}={term(v)}" for k, v in q["parameters"].items()) if q and q["parameters"] else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def report(results: dict[int, dict[str, Any]], excluded: dict[str, str]) -> str:
    first = next(iter(results.values()))
    return f"""## Serving: policygraph's HTTP endpoint against its peers

Method (`bench/throughput.py`, one run per size, all peers on the same generated file, one after another on
this machine):

- **raw pyoxigraph**: the data in an in-memory `pyoxigraph.Store`, queried in a process of its own by Python
  threads that run each query and serialise its results to SPARQL JSON bytes: the engine's limit, no HTTP.
  Its engine cannot be stopped mid-query, so the same request cap is applied by killing that process: a
  query still running {first['request_cap']:.0f} s after the previous request ended is recorded as stopped,
  and a new process loads the data again and goes on with the remaining queries, then the throughput levels.
- **oxigraph serve**: `oxigraph serve-read-only` on a store written by `oxigraph load` (the generated file holds
  the merge of its named graphs as its default graph, as policygraph's stores do).
- **rdflib-endpoint**: `python -m rdflib_endpoint serve FILE` (rdflib's SPARQL engine over an in-memory Dataset
  whose default graph is the union).
- **policygraph**: `policygraph serve` on a store written by `policygraph.store.local.write_store`, default
  workers ({first['workers']} query worker processes, each with an in-memory copy, plus the fast lane) and
  waitress threads ({first['threads']}); `POLICYGRAPH_MAX_RESULTS` raised so that it returns full results like
  the peers, and `POLICYGRAPH_QUERY_TIMEOUT` = the request cap. **with cache** is the default result cache;
  **without** sets `POLICYGRAPH_CACHE_ENTRIES=0`.
- Queries: all {len(first['queries'])} below, the same text for every peer (catalogue queries with their
  parameters as a `VALUES` block). A default parameter that names nothing in the generated data is replaced
  by the value with the most rows (parameters below); an integer threshold that still finds nothing drops to
  its minimum. The **mix** is every query with rows, equal weights, without {", ".join(excluded) or "none"}
  ({"; ".join(excluded.values())}); {"it keeps" if len(excluded) == 1 else "they keep"} the catalogue's
  defaults, unchecked against the data (checking would mean running {"it" if len(excluded) == 1 else "them"} outside the cap).
- HTTP client, the same for every HTTP peer: Python `http.client`, one keep-alive connection per client, POST
  form `query=`, `Accept: application/sparql-results+json`, reading the whole body. Throughput: C closed-loop
  client processes (not threads, so they do not share an interpreter lock), each sending the mix in turn from
  its own offset for {first['duration']:.0f} s; requests completed within the window count. A request past
  the {first['request_cap']:.0f} s cap counts as a `TimeoutError` and its client stops there (raw pyoxigraph:
  one still running {first['request_cap']:.0f} s after the window closes, when its process is killed). The clients run on
  the same {os.cpu_count()}-core machine as the server (their CPU time is in the table).
- Latency: one client, each query once cold, then up to {first['reps']} warm runs within {first['query_cap']:.0f} s;
  a request running past the cap of {first['request_cap']:.0f} s is abandoned and its server restarted (raw
  pyoxigraph: its process killed and started again), the query shown as "stopped"; one HTTP peer's
  latency pass stops after {first['budget']:.0f} s (rdflib-endpoint at large sizes), the rest marked.

""" + "\n".join(size_section(size, r) for size, r in results.items()) + "\n" + targets_section(results) + \
        "\nParameters used on the generated data (defaults where they find rows):\n\n" + parameters_section(results)
