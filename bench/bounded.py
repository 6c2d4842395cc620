"""Bounded inputs (bench/run.py's section `bounded_inputs`): how long a request with a long input takes to
be answered, on the real data, before and after the bounds of policygraph/limits.py and sparql/guards.py.

The real data is built (`policygraph build`, seconds) into the scratch directory; a `policygraph serve`
from this checkout answers each kind of long input `reps` times over HTTP (one keep-alive connection, the
whole answer read), and the section gives p50 and p95. With `--bounded-before SRC` (a `src` directory of
the code to compare with, such as the main checkout's), a server started from those sources answers each
kind once more, up to a cap: the figure before. Without it, the figures before are kept from the last run
that measured them (they sit in the section as a comment).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
ORG = "https://w3id.org/policygraph/id/organisation/"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
TARGET_MS = 50.0  # the unknown paths' target
BEFORE_CAP = 120.0  # seconds a request to the code before may take
BEFORE = re.compile(r"<!-- bounded-before: (\{.*?\}) -->", re.S)


@dataclass(frozen=True)
class Kind:
    name: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    body: str | None = None  # a query, sent by POST as application/sparql-query


def _letters(n: int) -> str:
    return "a" * n


KINDS = [
    Kind("unknown path `/id/place/` + 1,000 letters (did-you-mean page)", "/id/place/" + _letters(1_000), headers=HTML),
    Kind("unknown path `/id/place/` + 8,000 letters (did-you-mean page)", "/id/place/" + _letters(8_000), headers=HTML),
    Kind("unknown path `/id/place/` + 8,000 letters (JSON 404)", "/id/place/" + _letters(8_000)),
    Kind("unknown key `/id/organisation/` + 10,000 letters (did-you-mean page)", "/id/organisation/" + _letters(10_000),
         headers=HTML),
    Kind("near miss `/id/organisation/wmox` (did-you-mean page)", "/id/organisation/wmox", headers=HTML),
    Kind("Accept header of 10,000 characters", "/id/organisation/wmo", headers={"Accept": _letters(10_000)}),
    Kind("`format=` of 10,000 characters", "/sparql", {"query": "ASK {}", "format": _letters(10_000)}),
    Kind("`default-graph-uri=` IRI of 10,000 characters", "/sparql", {"query": "ASK {}", "default-graph-uri": ORG + _letters(10_000)}),
    Kind("`graph=` IRI of 10,000 characters (Graph Store)", "/rdf-graph-store", {"graph": ORG + _letters(10_000)}),
    Kind("`q=` of 10,000 characters (explorer search)", "/api/search", {"q": _letters(10_000)}),
    Kind("`q=` of 10,000 characters (`/id/organisation/` search)", "/id/organisation/", {"q": _letters(10_000)}, headers=HTML),
    Kind("`iri=` of 10,000 characters (explorer node)", "/api/node", {"iri": ORG + _letters(10_000)}),
    Kind("catalogue `text=` of 10,000 characters", "/queries/search-labels", {"text": _letters(10_000), "format": "json"}),
    Kind("catalogue query name of 10,000 characters", "/queries/" + _letters(10_000)),
    Kind("parameter name of 10,000 characters", "/api/search", {"q": "wmo", _letters(10_000): "1"}),
    Kind("query nesting 2,192 `{` (the depth that crashes the parser)", "/sparql", body="SELECT * WHERE " + "{" * 2_192 + "}" * 2_192),
    Kind("query of 6,592 UNIONs (the length that crashes the parser)", "/sparql",
         body="SELECT * WHERE { " + "UNION".join(["{}"] * 6_593) + " }"),
    Kind("query of 9,344 `!` (the depth that crashes the parser)", "/sparql", body="ASK { FILTER(" + "!" * 9_344 + "true) }"),
]
SLOW_BEFORE = {KINDS[0].name, KINDS[1].name}  # the did-you-mean pages the issue measured


def build_store(work: Path) -> Path:
    """The real data, built and validated into `work/bounded-store` (once; kept for later runs)."""
    store = work / "bounded-store"
    if not (store / "current").exists():
        env = dict(os.environ, POLICYGRAPH_STORE=str(store), PYTHONPATH=str(ROOT / "src"))
        subprocess.run([sys.executable, "-m", "policygraph.cli", "build"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return store


def start(store: Path, src: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`policygraph serve` from the sources in `src`, on the store; returns once a query is answered."""
    from tests.support.server import free_port

    port = free_port()
    env = dict(os.environ, POLICYGRAPH_STORE=str(store), POLICYGRAPH_PORT=str(port), PYTHONPATH=str(src))
    process = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60).ok:
                return process, url
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(f"the server from {src} did not start")
        time.sleep(0.3)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def send(session: requests.Session, url: str, kind: Kind, timeout: float) -> tuple[str, float]:
    """One request, the whole answer read: ('400 QueryRefused', milliseconds): the status, and the error's
    name when the answer is the JSON error shape."""
    started = time.perf_counter()
    if kind.body is not None:
        response = session.post(url + kind.path, data=kind.body.encode(), timeout=timeout,
                                headers={**kind.headers, "Content-Type": "application/sparql-query"})
    else:
        response = session.get(url + kind.path, params=kind.params, headers=kind.headers, timeout=timeout)
    body = response.content
    elapsed = (time.perf_counter() - started) * 1000
    error = ""
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
        error = " " + str(json.loads(body).get("error", ""))
    return f"{response.status_code}{error}", elapsed


def measure(url: str, reps: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with requests.Session() as session:
        send(session, url, KINDS[4], 60)  # the suggestion index is built on the first 404 page after a build
        for kind in KINDS:
            answers, ms = set(), []
            for _ in range(reps):
                answer, elapsed = send(session, url, kind, 60)
                answers.add(answer)
                ms.append(elapsed)
            ordered = sorted(ms)
            out[kind.name] = {"status": sorted(answers), "p50_ms": statistics.median(ordered),
                              "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]}
    return out


def measure_before(url: str) -> dict[str, dict[str, Any]]:
    """Each kind once against the code before (the slow pages are what the issue is about: no repeats)."""
    out: dict[str, dict[str, Any]] = {}
    with requests.Session() as session:
        for kind in KINDS:
            try:
                answer, elapsed = send(session, url, kind, BEFORE_CAP)
            except requests.Timeout:
                out[kind.name] = {"status": None, "ms": None}
                session.close()
                continue
            out[kind.name] = {"status": answer, "ms": elapsed}
    return out


def _ms(value: float | None) -> str:
    if value is None:
        return f"> {BEFORE_CAP:.0f} s"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def section(run: Any) -> str:
    store = build_store(run.work)
    reps = 5 if run.quick else 20
    process, url = start(store, ROOT / "src")
    try:
        after = measure(url, reps)
    finally:
        stop(process)
    before: dict[str, Any] = {}
    if run.bounded_before:
        src = Path(run.bounded_before).resolve()
        process, url = start(store, src)
        try:
            load = os.getloadavg()[0]
            results = measure_before(url)
            before = {"source": str(src), "load": max(load, os.getloadavg()[0]), "results": results}
        finally:
            stop(process)
    else:
        kept = BEFORE.search(run.earlier.get("bounded_inputs", ""))
        before = json.loads(kept.group(1)) if kept else {}
    run.data["bounded_inputs"] = {"after": after, "before": before}
    return report(after, before, reps)


def report(after: dict[str, dict[str, Any]], before: dict[str, Any], reps: int) -> str:
    old = before.get("results", {})
    rows = ["| input | before: status, ms (one request) | after: status | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    for kind in KINDS:
        a = after[kind.name]
        b = old.get(kind.name)
        then = f"{b['status'] or 'no answer'}, {_ms(b['ms'])}" if b else "–"
        rows.append(f"| {kind.name} | {then} | {', '.join(map(str, a['status']))} | {_ms(a['p50_ms'])} | {_ms(a['p95_ms'])} |")
    paths = [after[k]["p95_ms"] for k in SLOW_BEFORE]
    verdict = ("The target is met" if max(paths) < TARGET_MS else "The target is not met") + \
        f": the unknown paths are answered in {max(paths):.1f} ms at p95 (target < {TARGET_MS:.0f} ms)."
    load = before.get("load")
    busy = (f" The figures before were taken with a load average of {load:.1f} on this shared 2-core machine; the "
            "issue measured 3 s and 16 s for the two unknown paths on a quieter one." if load else "")
    source = before.get("source", "")
    where = f" (`{source}`)" if source else ""
    return f"""## Bounded inputs

Each kind of long input, sent to `policygraph serve` on the real data (built with `policygraph build`; 2
query workers; result cache on), over one keep-alive connection, the whole answer read, {reps} times
after a first did-you-mean page (which builds the suggestion index for the store version): p50 and p95 of
the wall time seen by the client (`bench/bounded.py`). Before: the same requests, once each, to a server
started from the code before the bounds{where}, stopped at {BEFORE_CAP:.0f} s. Answers: the status, and
the error's name for the JSON error shape (an HTML 404 is the did-you-mean page). Before, 400
QueryTooComplex means the query killed its worker process, which the pool replaced; after, the guards
refuse it (QueryRefused) before any parser sees it.

{chr(10).join(rows)}

{verdict}

Before, the did-you-mean page compared the whole path with the key and name of every resource
(difflib, about 5,600 resources); now it compares the key's first 64 characters, through a trigram index,
with at most 60 resources. Other inputs were mostly cheap before as well: their bounds keep them so
whatever is sent, and keep long values out of messages and pages.{busy}

Not bounded by these checks: queries that are short but slow for Oxigraph's optimizer (200 triple
patterns or 200 groups in one group: over 30 s on an empty store; 22 nested `REGEX(x, p)` or
`SUBSTR(x, n)`: 11 s, doubling with each level). A worker's query timeout stops them; on a remote store,
where the server checks a query's syntax by running it on an empty store in its own thread, they are not
stopped (sparql/service.py).

<!-- bounded-before: {json.dumps(before)} -->
"""
