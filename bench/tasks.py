"""Benchmark measurements, each run in a fresh process by bench/run.py (`run.py --child NAME ARGS`).

Every task returns a dict of numbers; the child adds its peak resident memory (VmHWM) and prints the
dict as one JSON line. Times are taken inside the child, so interpreter start-up is not counted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
Task = Callable[..., dict[str, Any]]


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def generate(out: str, triples: int, seed: int = 1, inject: int = 0) -> dict[str, Any]:
    from bench.generate import generate as run

    t, c = time.perf_counter(), time.process_time()
    done = run(Path(out), triples, seed=seed, inject=inject)
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "quads": done.quads,
            "organisations": done.units, "bytes": Path(out).stat().st_size}


def bulk_load(file: str, work: str) -> dict[str, Any]:
    """pyoxigraph's Store.bulk_load into a new on-disk store."""
    path = _fresh(Path(work) / "bulk")
    t, c = time.perf_counter(), time.process_time()
    store = ox.Store(str(path))
    store.bulk_load(path=file, format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    quads = len(store)
    del store
    shutil.rmtree(path, ignore_errors=True)
    return {"seconds": seconds, "cpu": cpu, "quads": quads}


def write_store(file: str, work: str) -> dict[str, Any]:
    """policygraph's store write (policygraph.store.local.write_store: new directory, atomic swap)."""
    from policygraph.store.local import write_store as write

    root = _fresh(Path(work) / "stores")
    t, c = time.perf_counter(), time.process_time()
    with open(file, "rb") as f:
        write(f, root)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    shutil.rmtree(root, ignore_errors=True)
    return {"seconds": seconds, "cpu": cpu}


def oxigraph_load(file: str, work: str) -> dict[str, Any]:
    """The `oxigraph load` command line (the PyPI oxigraph package) into a new store."""
    path = _fresh(Path(work) / "cli")
    t = time.perf_counter()
    process = subprocess.Popen([str(OXIGRAPH), "load", "--location", str(path), "--file", file],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - t
    shutil.rmtree(path, ignore_errors=True)
    if status != 0:
        raise RuntimeError(f"oxigraph load failed: {process.stderr.read().decode() if process.stderr else status}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "cli_peak_mib": usage.ru_maxrss / 1024}


def _memory_store(file: str) -> tuple[ox.Store, float]:
    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=file, format=ox.RdfFormat.N_QUADS)
    return store, time.perf_counter() - t


def validate_fast(file: str) -> dict[str, Any]:
    from policygraph.shacl import read_model, validate_hits
    from policygraph.shacl.engine import Engine
    from policygraph.validate import load_shapes

    store, load = _memory_store(file)
    t, c = time.perf_counter(), time.process_time()
    model = read_model(load_shapes(ROOT / "shapes"))
    engine = Engine(store)
    hits = validate_hits(store, model, engine=engine)
    return {"load_seconds": load, "seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "results": len(hits),
            "queries": engine.queries, "quads": len(store)}


def validate_pyshacl(file: str) -> dict[str, Any]:
    """The "pyshacl" engine: pyshacl (core constraints) over an rdflib graph of the same data, and the
    SHACL-SPARQL constraints as written in Oxigraph."""
    from rdflib import Graph

    from policygraph.oxrdf import from_ox
    from policygraph.validate import load_shapes, validate_graph

    store, load = _memory_store(file)
    t = time.perf_counter()
    graph = Graph()
    for q in store:
        graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    to_graph = time.perf_counter() - t
    shapes = load_shapes(ROOT / "shapes")
    t, c = time.perf_counter(), time.process_time()
    report = validate_graph(graph, shapes, store, engine="pyshacl")
    return {"load_seconds": load, "graph_seconds": to_graph, "seconds": time.perf_counter() - t,
            "cpu": time.process_time() - c, "results": len(report.results)}


def _write(store: ox.Store, size: int) -> list[ox.Quad]:
    """A valid write of about `size` triples: new initiatives, each with an involvement and evidence."""
    pg, n = "https://w3id.org/policygraph/ontology#", ox.NamedNode
    org, section, text = next(iter(store.query(
        f"SELECT ?o ?s ?t WHERE {{ ?o a <{pg}Organisation> ; <{pg}profile> ?p . ?p <{pg}section> ?s . ?s <{pg}text> ?t }} LIMIT 1")))  # type: ignore[misc]
    graph, a = n("https://w3id.org/policygraph/graph/curated/bench-write"), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    quads: list[ox.Quad] = []
    for k in range((size + 11) // 12):
        ini = n(f"https://w3id.org/policygraph/id/initiative/bench-write-{k}")
        inv, ev = n(ini.value + "#lead"), n(ini.value + "#evidence")
        for s, p, o in [
            (ini, a, n(pg + "Initiative")), (ini, "http://www.w3.org/2004/02/skos/core#prefLabel", ox.Literal(f"W{k}", language="en")),
            (ini, pg + "kind", n("https://w3id.org/policygraph/id/initiative-kind/project")),
            (ini, "http://purl.org/dc/terms/subject", n("https://w3id.org/policygraph/id/issue/artificial-intelligence")),
            (ini, pg + "involvement", inv), (inv, a, n(pg + "Involvement")), (inv, pg + "agent", org),
            (inv, pg + "role", n("https://w3id.org/policygraph/id/role/lead")), (ini, pg + "evidence", ev),
            (ev, a, n(pg + "Evidence")), (ev, "http://www.w3.org/ns/oa#exact", ox.Literal(text.value[:20])),
            (ev, "http://www.w3.org/ns/prov#wasDerivedFrom", section),
        ]:
            quads.append(ox.Quad(s, n(p), o, graph))
    return quads[:size] if size >= 12 else quads


def incremental(file: str) -> dict[str, Any]:
    """Validation of a write's change through the production path (policygraph.writes.apply.apply_explicit:
    the change, the merge, the derived graph for the agents it touches, the affected focus nodes validated)
    on the in-memory store."""
    from policygraph.shacl import read_model
    from policygraph.validate import load_shapes
    from policygraph.writes.apply import Explicit, Rules, Tracker, apply_explicit

    store, _ = _memory_store(file)
    rules = Rules(read_model(load_shapes(ROOT / "shapes")), "https://w3id.org/policygraph/graph/derived",
                  "https://w3id.org/policygraph/")

    def apply(write: list[ox.Quad]) -> tuple[Any, Any, Tracker]:
        tracker = Tracker(store)
        hits, nodes = apply_explicit(store, rules, Explicit(list(write)), tracker)
        return hits, nodes, tracker

    def revert(tracker: Tracker) -> None:
        removed, added = tracker.net()
        for quad in added:
            store.remove(quad)
        store.extend(removed)

    out: dict[str, Any] = {}
    revert(apply(_write(store, 12))[2])  # dependencies read once per model
    for size in (12, 96):
        write = _write(store, size)
        t = time.perf_counter()
        hits, nodes, tracker = apply(write)
        out[f"write_{size}_ms"] = (time.perf_counter() - t) * 1000
        out[f"write_{size}_nodes"] = len(nodes or ())
        out[f"write_{size}_conforms"] = not any(h.result.severity == "Violation" for h in hits)
        revert(tracker)
    return out


def seed(store: str) -> dict[str, Any]:
    """The real data: build (ingest + curated + derive), validate, store; phase by phase."""
    t0, c0 = time.perf_counter(), time.process_time()
    from policygraph.build import build_dataset
    from policygraph.settings import load_settings
    from policygraph.store.local import write_store as write
    from policygraph.validate import load_shapes, validate_graph

    imported = time.perf_counter() - t0
    c1 = time.process_time()
    settings = load_settings(environ={}, root=ROOT, store=store)
    t = time.perf_counter()
    built = build_dataset(settings)
    build = time.perf_counter() - t
    shapes = load_shapes(settings.input_dir("shapes_dir"))
    t = time.perf_counter()
    report = validate_graph(None, shapes, built.store)
    validate = time.perf_counter() - t
    t = time.perf_counter()
    write(built.nquads(), settings.store_path)
    stored = time.perf_counter() - t
    out = {"import_cpu": c1 - c0, "build_validate_store_cpu": time.process_time() - c1,
           "import_seconds": imported, "build_seconds": build, "validate_seconds": validate, "store_seconds": stored,
           "quads": len(built), "violations": len(report.violations),
           "triples": sum(1 for _ in built.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))}
    t = time.perf_counter()  # the path before: an rdflib union of the graphs, then pyshacl
    union = built.union()
    out["union_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    validate_graph(union, shapes, built.store, engine="pyshacl")
    out["pyshacl_seconds"] = time.perf_counter() - t
    return out


def cli_build(store: str) -> dict[str, Any]:
    """`policygraph build` end to end, as a user runs it (a process of its own, start-up included)."""
    t = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "policygraph.cli", "--store", store, "build"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"policygraph build failed: {process.stderr.read().decode() if process.stderr else status}")
    return {"seconds": time.perf_counter() - t, "cli_peak_mib": usage.ru_maxrss / 1024}


def write_latency(file: str, work: str, writes: int = 30, http: bool = True) -> dict[str, Any]:
    """Authorised 100-triple writes, in process, through perform_write and over HTTP (bench/writes.py)."""
    from bench.writes import write_latency as run

    return run(file, work, writes=writes, http=http)


TASKS: dict[str, Task] = {
    "generate": generate, "bulk_load": bulk_load, "write_store": write_store, "oxigraph_load": oxigraph_load,
    "validate_fast": validate_fast, "validate_pyshacl": validate_pyshacl, "incremental": incremental,
    "seed": seed, "cli_build": cli_build, "write_latency": write_latency,
}
