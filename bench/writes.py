"""Write latency: authorised 105-triple writes against a store of generated data, measured three ways.

- `apply`: policygraph.writes.in_place.apply_write in this process (what the writer process runs per write);
- `perform`: policygraph.writes.writer.perform_write (the function the server calls: the writer process,
  its pipe and the write timeout around apply_write);
- `http`: `policygraph serve` with a write token, SPARQL Update by POST, the reply read in full.

Each write inserts 6 new initiatives of one organisation (17 triples each: type, name, kind, issue tag and
its pg:StatedTriple, the involvement with agent, role, profile and quote) and the quote, of a real section:
105 triples, valid; every other write removes the previous one with DELETE DATA, so the store stays the
same size.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-write-token"
PG = "https://w3id.org/policygraph/ontology#"
ID = "https://w3id.org/policygraph/id/"


def anchor(store: ox.Store) -> tuple[str, str, str, str]:
    """An organisation with a profile section: the organisation, its profile, the section and its first words."""
    row = next(iter(store.query(  # type: ignore[call-overload]
        f"SELECT ?o ?p ?s ?t WHERE {{ ?o a <{PG}Organisation> ; <{PG}profile> ?p . ?p <{PG}section> ?s . ?s <{PG}text> ?t }} LIMIT 1")))
    return row["o"].value, row["p"].value, row["s"].value, row["t"].value[:20]


def triples(k: int, org: str, profile: str, section: str, quote: str) -> list[str]:
    """Write number k, as N-Triples lines (105 triples): 6 initiatives of 17 triples and their quote."""
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ev = f"<{ID}quote/bench/write-{k}>"
    lines = [f"{ev} a <{PG}Evidence>", f"{ev} <http://www.w3.org/ns/oa#exact> {ox.Literal(quote)}",
             f"{ev} <http://www.w3.org/ns/prov#wasDerivedFrom> <{section}>"]
    for i in range(6):
        ini = f"<{ID}initiative/bench-write-{k}-{i}>"
        inv, tag = f"<{ID}statement/bench/write-{k}-{i}/lead>", f"<{ID}statement/bench/write-{k}-{i}/issue>"
        subject, ai = "<http://purl.org/dc/terms/subject>", f"<{ID}issue/artificial-intelligence>"
        lines += [
            f"{ini} a <{PG}Initiative>", f'{ini} <http://www.w3.org/2004/02/skos/core#prefLabel> "Bench {k}-{i}"@en',
            f"{ini} <{PG}kind> <{ID}initiative-kind/project>", f"{ini} {subject} {ai}", f"{ini} <{PG}evidence> {ev}",
            f"{ini} <{PG}involvement> {inv}", f"{inv} a <{PG}Involvement>", f"{inv} <{PG}agent> <{org}>",
            f"{inv} <{PG}role> <{ID}role/lead>", f"{inv} <{PG}statedIn> <{profile}>", f"{inv} <{PG}evidence> {ev}",
            f"{tag} a <{PG}StatedTriple>", f"{tag} <{rdf}subject> {ini}", f"{tag} <{rdf}predicate> {subject}",
            f"{tag} <{rdf}object> {ai}", f"{tag} <{PG}statedIn> <{profile}>", f"{tag} <{PG}evidence> {ev}",
        ]
    return lines


def update(k: int, org: str, profile: str, section: str, quote: str, delete: bool = False) -> str:
    body = " .\n".join(triples(k, org, profile, section, quote))
    graph = "https://w3id.org/policygraph/graph/curated/bench-writes"
    return f"{'DELETE' if delete else 'INSERT'} DATA {{ GRAPH <{graph}> {{\n{body} .\n}} }}"


def _stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"median_ms": statistics.median(ordered), "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "min_ms": ordered[0], "max_ms": ordered[-1]}


def _sequence(writes: int, org: str, profile: str, section: str, quote: str) -> list[str]:
    """Insert k, delete k, insert k+1, ...: the store size stays put."""
    return [update(k // 2, org, profile, section, quote, delete=k % 2 == 1) for k in range(writes)]


def write_latency(file: str, work: str, writes: int = 20, http: bool = True) -> dict[str, Any]:
    from policygraph.settings import load_settings
    from policygraph.store.local import write_store
    from policygraph.writes import WriteRequest, perform_write, stop_writers
    from policygraph.writes.in_place import WriteContext, apply_write, warm

    root = Path(work) / "write-latency-store"
    shutil.rmtree(root, ignore_errors=True)
    t = time.perf_counter()
    with open(file, "rb") as f:
        write_store(f, root)
    out: dict[str, Any] = {"store_seconds": time.perf_counter() - t}
    settings = load_settings(environ={}, root=ROOT, store=str(root), write_token=TOKEN)
    org, profile, section, quote = anchor(ox.Store.read_only(str(root / "current")))

    t = time.perf_counter()
    ctx = WriteContext(settings)
    warm(ctx)  # the writer process does this once, when it starts
    out["writer_start_seconds"] = time.perf_counter() - t
    out["quads"] = ctx.quads
    ms, cpu, validated = [], [], []
    for text in _sequence(writes, org, profile, section, quote):
        t, c = time.perf_counter(), time.process_time()
        done = apply_write(ctx, WriteRequest("update", update=text))
        ms.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        validated.append(done.validated if done.validated is not None else -1)
        assert done.fast
    out["apply"] = {**_stats(ms), "cpu_median_ms": statistics.median(cpu), "validated_nodes": statistics.median(validated)}
    ctx.close()  # the build is opened read-write by one process at a time

    t = time.perf_counter()
    ms = []
    for text in _sequence(writes + 2, org, profile, section, quote):  # the first two wait for the writer process to start
        t = time.perf_counter()
        perform_write(settings, WriteRequest("update", update=text))
        ms.append((time.perf_counter() - t) * 1000)
    out["perform"] = _stats(ms[2:])
    stop_writers()
    if http:
        out["http"] = _http(root, writes, org, profile, section, quote)
    shutil.rmtree(root, ignore_errors=True)
    return out


def _http(root: Path, writes: int, org: str, profile: str, section: str, quote: str) -> dict[str, float]:
    import requests
    from tests.support.server import free_port

    port = free_port()
    env = {**os.environ, "POLICYGRAPH_STORE": str(root), "POLICYGRAPH_PORT": str(port), "POLICYGRAPH_WRITE_TOKEN": TOKEN,
           "POLICYGRAPH_WORKERS": "2", "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    server = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:  # up once a query answers (the workers have loaded the store)
            try:
                if requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=600).ok:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.5)
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        ms = []
        for text in _sequence(writes + 2, org, profile, section, quote):
            t = time.perf_counter()
            response = requests.post(url + "/sparql", data=text.encode(), headers=headers, timeout=600)
            ms.append((time.perf_counter() - t) * 1000)
            response.raise_for_status()
        return _stats(ms[2:])
    finally:
        server.terminate()
        server.wait(timeout=30)


def section(run: Any) -> str:
    """bench/run.py's section: the store written from generated data at each size, then the writes."""
    rows = []
    for size in run.sizes:
        file = run.work / f"writes-{size}.nq"
        generated = run.child("generate", out=str(file), triples=size)
        result = run.child("write_latency", file=str(file), work=str(run.work), writes=10 if run.quick else 30)
        file.unlink(missing_ok=True)
        run.data.setdefault("writes", {})[str(size)] = result
        if generated and result:
            rows.append((generated["quads"], result))

    def ms(r: dict[str, Any] | None) -> str:
        return f"{r['median_ms']:.0f} / {r['p95_ms']:.0f}" if r else "–"

    table = ["| quads | writer start s | `apply_write` ms (median / p95) | CPU ms (median) | `perform_write` ms | HTTP ms | "
             "focus nodes validated |", "|---|---|---|---|---|---|---|"]
    for quads, r in rows:
        table.append(f"| {quads:,} | {r['writer_start_seconds']:.1f} | {ms(r['apply'])} | {r['apply']['cpu_median_ms']:.0f} | "
                     f"{ms(r['perform'])} | {ms(r.get('http'))} | {r['apply']['validated_nodes']:.0f} |")
    return """## Authorised writes

A 105-triple write (6 new initiatives of one organisation, each with a role and an issue tag stated with a
quote; every other write deletes the previous one with DELETE DATA), validated and committed, on a store written
from the generated data (`bench/writes.py`). `apply_write`: what the writer process runs per write;
`perform_write`: the server's call (the writer process and its pipe); HTTP: SPARQL Update posted to
`policygraph serve` (2 query workers), reply read. Writer start: loading the in-memory copy and opening
the build, once per writer process (the first write waits for it unless the server started the writer).

How: the writer validates on its in-memory copy (the fast path: only the focus nodes the change can
affect, the derived graph recomputed for the agents it touches), writes the delta record (fsync), applies
the change to the build on disk in place as one Oxigraph transaction, and swaps `current` to a new
version name; the query workers apply the record to their own copies. Copy-and-swap per write was
measured first and set aside: opening a RocksDB checkpoint read-write and flushing it cost about 100 ms
and 85 ms at 1M triples before any work.

Quads count the named graphs and their merge in the default graph (store/merge.py): each distinct triple
twice, so a "1M" store holds about 490,000 distinct triples. The write's validation covers only the focus
nodes the change can affect (`focus nodes validated`): a SHACL-SPARQL rule depends on each triple pattern
through the shortest path from its focus node (shacl/incremental.py).

""" + "\n".join(table) + "\n\nTarget: under 100 ms at 1M quads.\n"
