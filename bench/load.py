"""Bounded load test of a live policygraph server (localhost only): a realistic mix at 8, 32 and 64
concurrent closed-loop clients, a fixed number of requests per level and a time cap. Reports errors and
latency percentiles, and writes them into docs/benchmarks.md between the load markers.

    .venv/bin/python bench/load.py [--requests 600] [--levels 8,32,64] [--url http://127.0.0.1:PORT]

Without --url it builds nothing: it starts `policygraph serve` on the current store (var/store, or
POLICYGRAPH_STORE) on a free port and stops it afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
PG = "https://w3id.org/policygraph/id/"

# The mix: what users do, weighted. Catalogue queries, ad-hoc SPARQL, linked-data pages, explorer API.
MIX: list[tuple[str, int]] = [
    ("/queries/who-works-on-issue?format=json", 3),
    ("/queries/partners-of-organisation?format=json", 3),
    ("/queries/issue-coverage?format=csv", 2),
    ("/queries/organisations-sharing-issues?format=json", 1),
    ("/sparql?query=" + urllib.parse.quote(
        "PREFIX pg: <https://w3id.org/policygraph/ontology#> SELECT ?o (COUNT(?p) AS ?n) "
        "WHERE { ?p a pg:Partnership ; pg:partner ?o } GROUP BY ?o ORDER BY DESC(?n) LIMIT 10"), 3),
    ("/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"), 1),
    ("/id/organisation/wmo", 2),
    ("/id/organisation/unctad.ttl", 1),
    ("/id/issue/artificial-intelligence", 1),
    ("/api/graph?issue=artificial-intelligence", 1),
    ("/api/search?q=data", 1),
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


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "POLICYGRAPH_PORT": str(port), "POLICYGRAPH_THREADS": "64"}
    process = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/static/style.css")
            conn.getresponse().read()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def run_level(url: str, clients: int, total: int, cap: float) -> Level:
    parsed = urllib.parse.urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests target this machine only (127.0.0.1)")
    weighted = [path for path, weight in MIX for _ in range(weight)]
    paths = itertools.cycle(weighted)
    lock = threading.Lock()
    level = Level(clients)
    remaining = [total]
    deadline = time.monotonic() + cap

    def client() -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
                path = next(paths)
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "*/*"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
            elapsed = time.perf_counter() - began
            with lock:
                if status == 200:
                    level.latencies.append(elapsed)
                else:
                    key = f"{status} {path.split('?')[0]}"
                    level.errors[key] = level.errors.get(key, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    level.seconds = time.perf_counter() - began
    return level


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(levels: list[Level], total: int, cap: float) -> str:
    lines = [
        START,
        "## Load test (bench/load.py)",
        "",
        f"Closed-loop clients on 127.0.0.1, {total} requests per level (time cap {cap:.0f} s), the mix of "
        f"{len(MIX)} request types in `bench/load.py` (catalogue queries, ad-hoc SPARQL, linked-data pages in HTML "
        "and Turtle, explorer API), weighted as users use them. The client runs on the same 2-core machine as the server.",
        "",
        "| clients | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in levels:
        done = len(lv.latencies) + sum(lv.errors.values())
        lines.append(
            f"| {lv.clients} | {done} | {sum(lv.errors.values())} | {len(lv.latencies) / lv.seconds:.1f} | "
            f"{pct(lv.latencies, 0.5):.1f} | {pct(lv.latencies, 0.95):.1f} | {pct(lv.latencies, 0.99):.1f} | "
            f"{max(lv.latencies) * 1000 if lv.latencies else float('nan'):.1f} |")
    errors = {k: v for lv in levels for k, v in lv.errors.items()}
    lines += ["", "Errors: none." if not errors else "Errors: " + ", ".join(f"{k} ×{v}" for k, v in errors.items()), END]
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--levels", default="8,32,64")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per level at most")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    process = None
    url = args.url
    if not url:
        process, url = start_server()
    try:
        run_level(url, 4, 40, 30)  # warm up: caches, worker processes, page templates
        levels = [run_level(url, int(c), args.requests, args.cap) for c in args.levels.split(",")]
    finally:
        if process:
            process.terminate()
            process.wait(timeout=30)
    section = report(levels, args.requests, args.cap)
    print(section)
    if not args.no_write:
        write(section)
    if any(lv.errors for lv in levels):
        print("errors under load", file=sys.stderr)


if __name__ == "__main__":
    main()
