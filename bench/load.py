"""Bounded load test of a live policygraph server (localhost only): a mix of what users do, with random
parameters, at 8, 32 and 64 concurrent closed-loop clients, with the result cache and without it. Reports
errors and latency percentiles, and writes them into docs/benchmarks.md between the load markers.

    .venv/bin/python bench/load.py [--triples 1000000] [--requests 600] [--levels 8,32,64] [--cache on,off]

--triples 0 (the default) serves the built seed store (var/store, or POLICYGRAPH_STORE); --triples N
generates N triples with bench/generate.py (var/bench/load-N.nq, kept for the next run) and loads them
into a store of their own. Each setting starts its own `policygraph serve` on a free port with the
server's default settings (threads, workers, queue, timeout) except the cache, and stops it afterwards.

Random parameters: before the run the store is read once for its organisations, issues, initiatives and
label words; every request draws its values from them (a seeded generator per client, so a run is
repeatable), so the result cache sees few repeats and the engine does the work. Queries whose cost grows
with the square of the data (organisations-sharing-issues) are in the mix on the seed data only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
BASE = "https://w3id.org/policygraph/"
PG = BASE + "ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREFIXES = f"PREFIX pg: <{PG}> PREFIX skos: <{SKOS}> "


@dataclass
class Values:
    """What random parameters are drawn from: read from the store before the run."""

    organisations: list[str]
    profiled: list[str]
    issues: list[str]
    initiatives: list[str]
    words: list[str]


def q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def key_of(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# The mix: (name, weight, request path built from the drawn values). Catalogue queries, ad-hoc SPARQL,
# linked-data pages in HTML and Turtle, the explorer's API.
Draw = Callable[[random.Random, Values], str]


def catalogue(name: str, fmt: str, parameter: str, values: Callable[[Values], list[str]]) -> Draw:
    """A catalogue query with one parameter drawn from `values` (a full IRI, which every form accepts)."""
    return lambda r, v: f"/queries/{name}?format={fmt}&{parameter}={q(r.choice(values(v)))}"


MIX: list[tuple[str, int, Draw]] = [
    ("catalogue who-works-on-issue", 3, catalogue("who-works-on-issue", "json", "issue", lambda v: v.issues)),
    ("catalogue partners-of-organisation", 3,
     catalogue("partners-of-organisation", "json", "organisation", lambda v: v.profiled)),
    ("catalogue initiatives-of-organisation", 2,
     catalogue("initiatives-of-organisation", "csv", "organisation", lambda v: v.organisations)),
    ("catalogue who-is-involved", 2, catalogue("who-is-involved", "json", "initiative", lambda v: v.initiatives)),
    ("catalogue partnerships-about-issue", 1,
     catalogue("partnerships-about-issue", "json", "issue", lambda v: v.issues)),
    ("catalogue search-labels", 1, catalogue("search-labels", "json", "text", lambda v: v.words)),
    ("catalogue issue-coverage", 1, lambda r, v: "/queries/issue-coverage?format=csv"),
    ("sparql top partners", 2, lambda r, v: "/sparql?query=" + q(
        PREFIXES + "SELECT ?o (COUNT(?p) AS ?n) WHERE { ?p a pg:Partnership ; pg:partner ?o } "
        f"GROUP BY ?o ORDER BY DESC(?n) LIMIT {r.randint(5, 50)}")),
    ("sparql describe-like lookup", 2, lambda r, v: "/sparql?query=" + q(
        f"SELECT ?p ?o WHERE {{ <{r.choice(v.initiatives)}> ?p ?o }} LIMIT 200")),
    ("sparql initiatives on an issue", 2, lambda r, v: "/sparql?query=" + q(
        PREFIXES + f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a pg:Initiative ; <http://purl.org/dc/terms/subject> "
        f"<{r.choice(v.issues)}> }}")),
    ("sparql ask", 1, lambda r, v: "/sparql?query=" + q(f"ASK {{ <{r.choice(v.organisations)}> ?p ?o }}")),
    ("page organisation (HTML)", 2, lambda r, v: "/id/organisation/" + key_of(r.choice(v.organisations))),
    ("page organisation (Turtle)", 1, lambda r, v: "/id/organisation/" + key_of(r.choice(v.profiled)) + ".ttl"),
    ("page issue (HTML)", 1, lambda r, v: "/id/issue/" + key_of(r.choice(v.issues))),
    ("explorer graph on an issue", 1, lambda r, v: "/api/graph?issue=" + key_of(r.choice(v.issues))),
    ("explorer search", 1, lambda r, v: "/api/names?q=" + q(r.choice(v.words))),
]
SEED_ONLY: list[tuple[str, int, Draw]] = [
    ("catalogue organisations-sharing-issues", 1, lambda r, v: "/queries/organisations-sharing-issues?format=json"),
]


@dataclass
class Level:
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def values_of(store: ox.Store) -> Values:
    def column(text: str) -> list[str]:
        return sorted({row[0].value for row in store.query(PREFIXES + text)})  # type: ignore[union-attr]

    words: set[str] = set()
    for row in store.query(PREFIXES + "SELECT ?l WHERE { ?i a pg:Initiative ; skos:prefLabel ?l } LIMIT 5000"):  # type: ignore[union-attr]
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", row[0].value))
    return Values(
        organisations=column("SELECT ?o WHERE { ?o a pg:Organisation }"),
        profiled=column("SELECT ?o WHERE { ?o pg:profile ?p }"),
        issues=column("SELECT DISTINCT ?i WHERE { ?x <http://purl.org/dc/terms/subject> ?i }"),
        initiatives=column("SELECT ?i WHERE { ?i a pg:Initiative } LIMIT 20000"),
        words=sorted(words)[:2000],
    )


def prepare(triples: int, work: Path) -> Path:
    """The store directory to serve: the seed store, or N generated triples loaded into one of their own."""
    from policygraph.settings import load_settings
    from policygraph.store.local import write_store

    if not triples:
        return load_settings().store_path
    data = work / f"load-{triples}.nq"
    store = work / f"load-{triples}-store"
    if not data.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples), "--out", str(data)],
                       check=True)
    if not (store / "current").exists():
        with data.open("rb") as f:
            write_store(f, store)
    return store


def start_server(store: Path, cache: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "POLICYGRAPH_PORT": str(port), "POLICYGRAPH_STORE": str(store)}
    if not cache:
        env["POLICYGRAPH_CACHE_ENTRIES"] = "0"
    process = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1500):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/static/style.css")
            conn.getresponse().read()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def run_level(url: str, clients: int, total: int, cap: float, values: Values, mix: list[tuple[str, int, Draw]],
              seed: int) -> Level:
    parsed = urllib.parse.urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests target this machine only (127.0.0.1)")
    weighted = [(name, draw) for name, weight, draw in mix for _ in range(weight)]
    lock = threading.Lock()
    level = Level(clients)
    remaining = [total]
    deadline = time.monotonic() + cap

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            name, draw = rng.choice(weighted)
            path = draw(rng, values)
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "*/*"})
                response = conn.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
            elapsed = time.perf_counter() - began
            with lock:
                if status == 200:
                    level.latencies.append(elapsed)
                else:
                    key = f"{status} {name}"
                    level.errors[key] = level.errors.get(key, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    level.seconds = time.perf_counter() - began
    unfinished = remaining[0]
    if unfinished > 0:
        level.errors["not sent within the time cap"] = unfinished
    return level


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def table(results: dict[str, list[Level]]) -> list[str]:
    lines = [
        "| setting | clients | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for setting, levels in results.items():
        for lv in levels:
            done = len(lv.latencies) + sum(lv.errors.values())
            lines.append(
                f"| {setting} | {lv.clients} | {done} | {sum(lv.errors.values())} | {len(lv.latencies) / lv.seconds:.1f} | "
                f"{pct(lv.latencies, 0.5):.0f} | {pct(lv.latencies, 0.95):.0f} | {pct(lv.latencies, 0.99):.0f} | "
                f"{max(lv.latencies) * 1000 if lv.latencies else float('nan'):.0f} |")
    return lines


def report(runs: dict[str, tuple[dict[str, list[Level]], int, Values]], total: int, cap: float) -> str:
    lines = [
        START,
        "## Load test (bench/load.py)",
        "",
        f"Closed-loop clients on 127.0.0.1, {total} requests per level (time cap {cap:.0f} s a level), drawn from a "
        f"mix of {len(MIX)} request types with random parameters (catalogue queries, ad-hoc SPARQL, linked-data pages "
        "in HTML and Turtle, explorer API; weights in `bench/load.py`), against `policygraph serve` with its default "
        "settings (8 threads, 2 general query workers and the fast lane, a line of 64, 10 s query timeout), with "
        "the result cache (the default) and without it. An error is any answer but 200, a refused or broken "
        "connection, or a request not sent within the cap. The client runs on the same 2-core machine as the server.",
    ]
    for label, (results, quads, values) in runs.items():
        lines += ["", f"### {label}: {quads:,} quads", "",
                  f"Drawn from {len(values.organisations):,} organisations ({len(values.profiled)} profiled), "
                  f"{len(values.issues)} issues, {len(values.initiatives):,} initiatives, {len(values.words):,} label words.",
                  "", *table(results)]
        errors = {k: v for levels in results.values() for lv in levels for k, v in lv.errors.items()}
        lines += ["", "Errors: none." if not errors else "Errors: " + ", ".join(f"{k} ×{v}" for k, v in errors.items())]
    lines.append(END)
    return "\n".join(lines)


def write(section: str) -> None:
    BENCHMARKS.parent.mkdir(exist_ok=True)
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")


def main() -> None:
    from policygraph.store.copies import load_current

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="0", help="comma-separated sizes; 0 is the seed store")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--levels", default="8,32,64")
    parser.add_argument("--cache", default="on,off", help="on, off or on,off")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds per level at most")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, tuple[dict[str, list[Level]], int, Values]] = {}
    failed = False
    for size in (int(s) for s in args.triples.split(",")):
        store = prepare(size, args.work)
        _version, copy = load_current(store)
        values, quads = values_of(copy), len(copy)
        del copy
        mix = MIX + (SEED_ONLY if not size else [])
        results: dict[str, list[Level]] = {}
        for setting in args.cache.split(","):
            process, url = start_server(store, cache=setting == "on")
            try:
                run_level(url, 4, 40, 120, values, mix, seed=0)  # warm up: worker processes, explorer model, templates
                label = "cache" if setting == "on" else "no cache"
                results[label] = [run_level(url, int(c), args.requests, args.cap, values, mix, seed=int(c))
                                  for c in args.levels.split(",")]
            finally:
                process.terminate()
                process.wait(timeout=60)
            failed = failed or any(lv.errors for lv in results[label])
            print(label, size, "\n".join(table({label: results[label]})), flush=True)
        runs["Seed data" if not size else f"Generated data ({size:,} triples asked)"] = (results, quads, values)
    section = report(runs, args.requests, args.cap)
    print(section)
    if not args.no_write:
        write(section)
    if failed:
        print("errors under load", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
