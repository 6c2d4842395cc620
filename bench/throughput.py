"""Serving benchmark: policygraph's HTTP endpoint against its peers on the same generated data, in one run.

    .venv/bin/python bench/throughput.py --triples 100000 [--duration 20] [--reps 10] [--out FILE.json]

Peers: raw pyoxigraph in-process (an in-memory Store, Python threads running the queries and serialising
the results to SPARQL JSON bytes: the engine's limit), `oxigraph serve-read-only` (the PyPI `oxigraph`
command line, its own on-disk store), rdflib-endpoint (rdflib's SPARQL engine), and `policygraph serve`
with its result cache and without it (POLICYGRAPH_CACHE_ENTRIES=0).

Queries: every catalogue query (queries/*.rq) with its parameters as a VALUES block, so that every peer gets
the same text; a parameter whose default names nothing in the generated data is replaced by the value that
gives the most rows (found by running the query with that parameter free). Plus ad-hoc queries: a lookup by
IRI, a count, a filter on a label. The mix is all of them, equal weights, except EXCLUDED.

Measured per peer: warm latency of each query (one cold run, then up to --reps runs within --query-cap
seconds: median and p95), and closed-loop throughput at 1 and 8 clients over the mix for --duration
seconds each (requests completed within the window). One HTTP client for every HTTP peer, in this process
(keep-alive, POST form `query=`, Accept: application/sparql-results+json); the raw peer runs in a child
process of its own. A request running past --request-cap is abandoned and the peer restarted: for the raw
peer, whose engine cannot be stopped mid-query, the child process is killed and a new one loads the data
again and goes on with the remaining queries, then the remaining throughput levels.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

BASE = "https://w3id.org/policygraph/"
PG = BASE + "ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
JSON_RESULTS = "application/sparql-results+json"
LEVELS = (1, 8)
# Whole-graph analytics whose cost grows with the square of the organisations: in the latency table, not in
# the mix (one run takes seconds at 100k triples and would be most of every client's time).
EXCLUDED = {"organisations-sharing-issues": "pairs of organisations over all issues: cost grows with the square of their number"}
PEERS = ("raw pyoxigraph", "oxigraph serve", "policygraph (cache)", "policygraph (no cache)", "rdflib-endpoint")

Ask = Callable[[str], bytes]


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    kind: str  # 'catalogue' | 'ad-hoc'
    parameters: dict[str, str]
    in_mix: bool


# ---- the queries


def with_values(text: str, bound: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with its parameters as a VALUES block opening the outermost WHERE group."""
    from policygraph.sparqltext import tokens

    if not bound:
        return text
    opening = next(t for t in tokens(text) if t.kind == "open" and t.text == "{" and t.depth == 0)
    at = opening.start + 1
    names, terms = " ".join(f"?{n}" for n in bound), " ".join(str(t) for t in bound.values())
    return f"{text[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{text[at:]}"


def run_select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions), text
    return list(result)


def choose_parameters(store: ox.Store, query: Any) -> dict[str, ox.NamedNode | ox.Literal]:
    """The query's defaults, unless they give no rows here. Then each resource parameter (an IRI) takes the
    values that give the most rows when the query runs with them free (distinct values first, then the
    most rows, then the smallest IRIs); if there are still none, integer thresholds drop to their minimum."""
    from policygraph.queries import to_term

    bound = query.bind({}, BASE)
    if run_select(store, with_values(query.text, bound)):
        return bound
    free = [p.name for p in query.parameters if isinstance(bound[p.name], ox.NamedNode)]
    if free:
        fixed = {k: v for k, v in bound.items() if k not in free}
        counts = Counter(tuple(row[n] for n in free) for row in run_select(store, with_values(query.text, fixed)))
        if counts:
            best = min(counts, key=lambda vs: (len(set(vs)) < len(vs), -counts[vs], [str(v) for v in vs]))
            bound = {**bound, **dict(zip(free, best, strict=True))}
    if not run_select(store, with_values(query.text, bound)):
        lowered = {p.name: to_term(p, str(p.minimum if p.minimum is not None else 1), BASE)
                   for p in query.parameters if p.type == "integer"}
        if lowered and run_select(store, with_values(query.text, {**bound, **lowered})):
            bound = {**bound, **lowered}
    return bound


def queries_for(store: ox.Store) -> list[Query]:
    """The catalogue queries with parameters that find rows in this data, then the ad-hoc ones."""
    from policygraph.queries import load_catalogue

    out = []
    for name, query in load_catalogue(ROOT / "queries", BASE).items():
        if name in EXCLUDED:
            # Kept at its defaults and not run here: at large sizes one run takes longer than the request cap,
            # and the peers' measurements are where it is stopped at the cap.
            bound = query.bind({}, BASE)
            out.append(Query(name, with_values(query.text, bound), "catalogue", {k: str(v) for k, v in bound.items()}, False))
            continue
        bound = choose_parameters(store, query)
        text = with_values(query.text, bound)
        # A query that finds nothing here measures nothing useful (and engines disagree on empty groups).
        out.append(Query(name, text, "catalogue", {k: str(v) for k, v in bound.items()},
                         name not in EXCLUDED and bool(run_select(store, text))))
    org = run_select(store, f"SELECT ?o WHERE {{ ?o <{PG}profile> ?p }} ORDER BY ?o LIMIT 1")[0]["o"]
    prefixes = f"PREFIX pg: <{PG}>\nPREFIX skos: <{SKOS}>\n"
    adhoc = {
        "lookup-by-iri": f"SELECT ?p ?o WHERE {{ {org} ?p ?o }}",
        "count-initiatives": prefixes + "SELECT (COUNT(?i) AS ?n) WHERE { ?i a pg:Initiative }",
        "label-filter": prefixes + 'SELECT ?s ?label WHERE { ?s skos:prefLabel ?label FILTER (CONTAINS(LCASE(STR(?label)), "climate")) }',
    }
    out += [Query(n, t, "ad-hoc", {}, True) for n, t in adhoc.items()]
    return out


def rows_of(body: bytes) -> int:
    data = json.loads(body)
    return 1 if "boolean" in data else len(data["results"]["bindings"])


# ---- measuring, the same for every peer


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(ask: Ask, query: Query, reps: int, cap: float) -> dict[str, Any]:
    """One cold run (its row count), then warm runs: up to `reps`, within `cap` seconds, none if the cold run took longer."""
    t = time.perf_counter()
    body = ask(query.text)
    cold = time.perf_counter() - t
    times: list[float] = []
    started = time.perf_counter()
    while cold < cap and len(times) < reps and time.perf_counter() - started < cap:
        t = time.perf_counter()
        ask(query.text)
        times.append(time.perf_counter() - t)
    return {"rows": rows_of(body), "cold": cold, "runs": len(times),
            "median": statistics.median(times) if times else None, "p95": pct(times, 0.95) if times else None}


class Tally:
    """The counts of one level's clients, shared by them and readable while they run: requests completed
    within the window (`done`), all requests completed (`finished`), and the errors."""

    def __init__(self, deadline: float) -> None:
        self.deadline, self.lock = deadline, threading.Lock()
        self.done, self.finished, self.errors = 0, 0, Counter[str]()

    def completed(self) -> None:
        with self.lock:
            self.finished += 1
            if time.monotonic() <= self.deadline:
                self.done += 1

    def failed(self, error: str) -> None:
        with self.lock:
            self.errors[error] += 1

    def totals(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": self.done, "finished": self.finished, "errors": dict(self.errors)}


def client_loop(ask: Ask, texts: list[str], offset: int, deadline: float, tally: Tally) -> None:
    """One closed-loop client: the mix in turn from `offset` until `deadline` (time.monotonic), counting in
    `tally`; it stops at its first timeout."""
    i = offset
    while time.monotonic() < deadline:
        text, i = texts[i % len(texts)], i + 1
        try:
            ask(text)
        except TimeoutError:
            tally.failed("TimeoutError")
            break
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            tally.failed(str(exc) if isinstance(exc, RuntimeError) else type(exc).__name__)
            continue
        tally.completed()


def level_result(clients: int, duration: float, done: int, finished: int, errors: Counter[str], overrun: float,
                 cpu: float | None) -> dict[str, Any]:
    """`requests`: completed within the window (the throughput); `finished`: also those that ended after it."""
    return {"clients": clients, "requests": done, "finished": finished, "seconds": duration, "per_second": done / duration,
            "overrun": overrun, "errors": dict(errors), "client_cpu": cpu}


def closed_loop(ask: Ask, texts: list[str], clients: int, duration: float, emit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """`clients` threads of this process sharing `ask` (the raw engine: the engine's own limit with threads).
    Emits the window's deadline when it opens, then the counts so far when it closes and whenever a client
    stops after it: what the parent records if a request runs past the cap and it kills this process."""
    deadline = time.monotonic() + duration
    tally = Tally(deadline)
    threads = [threading.Thread(target=client_loop, args=(ask, texts, k * len(texts) // clients, deadline, tally), daemon=True)
               for k in range(clients)]
    emit({"event": "window", "clients": clients, "deadline": deadline})
    for t in threads:
        t.start()
    time.sleep(max(0.0, deadline - time.monotonic()))
    reported = None
    while True:
        running = sum(t.is_alive() for t in threads)
        if running != reported:
            emit({"event": "progress", "running": running, **tally.totals()})
            reported = running
        if not running:
            break
        alive = next((t for t in threads if t.is_alive()), None)
        if alive is not None:  # the last one may have stopped since it was counted: count again
            alive.join(0.05)
    return level_result(clients, duration, tally.done, tally.finished, tally.errors, time.monotonic() - deadline, None)


def _http_client(url: str, texts: list[str], offset: int, timeout: float, conn: Any) -> None:
    """A client process: connect, say ready, wait for the window, run, report."""
    client = Client(url, timeout)
    conn.send("ready")
    start, deadline = conn.recv()
    time.sleep(max(0.0, start - time.monotonic()))
    cpu = time.process_time()
    tally = Tally(deadline)
    client_loop(client, texts, offset, deadline, tally)
    conn.send((tally.done, tally.finished, dict(tally.errors), time.process_time() - cpu, dict(client.headers)))
    client.close()


def closed_loop_http(url: str, texts: list[str], clients: int, duration: float, timeout: float) -> dict[str, Any]:
    """`clients` client processes (so that the clients do not share one interpreter lock), each with its own
    keep-alive connection, starting together (CLOCK_MONOTONIC is the same in every process)."""
    ctx = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for k in range(clients):
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_http_client, args=(url, texts, k * len(texts) // clients, timeout, child), daemon=True)
        process.start()
        pipes.append(parent)
        processes.append(process)
    for pipe in pipes:
        if not pipe.poll(120) or pipe.recv() != "ready":
            raise RuntimeError("a client process did not start")
    start = time.monotonic() + 0.5
    for pipe in pipes:
        pipe.send((start, start + duration))
    done, finished, errors, cpu, cache = 0, 0, Counter[str](), 0.0, Counter[str]()
    for pipe, process in zip(pipes, processes, strict=True):
        d, f, e, c, h = pipe.recv()
        done, finished, cpu = done + d, finished + f, cpu + c
        errors.update(e)
        cache.update(h)
        process.join()
    result = level_result(clients, duration, done, finished, errors, time.monotonic() - start - duration, cpu)
    result["cache"] = dict(cache)
    return result


# ---- the raw engine, in a process of its own


def raw_child(file: str) -> int:
    """The raw peer's process (`--raw FILE`): reads what to run as one JSON line on stdin ({reps, query_cap,
    duration, queries: list or null to choose them here, names: the queries to time or null for all, levels:
    the client counts}) and reports each step as one JSON line on stdout as soon as it is done."""
    events, sys.stdout = sys.stdout, sys.stderr  # stdout carries the events only
    lock = threading.Lock()

    def emit(event: dict[str, Any]) -> None:
        with lock:
            events.write(json.dumps(event) + "\n")
            events.flush()

    config = json.loads(sys.stdin.readline())
    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=file, format=ox.RdfFormat.N_QUADS)
    load = time.perf_counter() - t
    queries = [Query(**q) for q in config["queries"]] if config["queries"] is not None else queries_for(store)
    emit({"event": "ready", "quads": len(store), "load_seconds": load, "queries": [q.__dict__ for q in queries]})

    def ask(text: str) -> bytes:
        result = store.query(text)
        assert isinstance(result, ox.QuerySolutions)
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    def beating(text: str) -> bytes:  # each request of the latency pass reported as it ends
        body = ask(text)
        emit({"event": "request"})
        return body

    by_name = {q.name: q for q in queries}
    for name in config["names"] if config["names"] is not None else by_name:
        emit({"event": "latency", "name": name, "result": latency(beating, by_name[name], config["reps"], config["query_cap"])})
    mix = [q.text for q in queries if q.in_mix]
    for clients in config["levels"]:
        emit({"event": "level", "clients": clients, "result": closed_loop(ask, mix, clients, config["duration"], emit)})
    return 0


class RawProcess:
    """One raw child process, its events read as they come."""

    def __init__(self, file: Path, config: dict[str, Any], log: Path) -> None:
        self.log = log
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
        with open(log, "ab") as err:
            self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--raw", str(file)], cwd=ROOT, env=env,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(config) + "\n")
        self.process.stdin.close()
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        """Each event line onto the queue, then None when the process closes its stdout."""
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                if line.startswith("{"):
                    self.events.put(json.loads(line))
        finally:
            self.events.put(None)

    def next(self, deadline: float | None) -> dict[str, Any] | None:
        """The next event, or None if `deadline` (time.monotonic; None: no deadline) passes first."""
        try:
            event = self.events.get(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if event is None:
            code = self.process.wait()
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"the raw pyoxigraph process exited with {code} before it was done ({self.log}):\n{tail}")
        return event

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.reader.join()
        assert self.process.stdout is not None
        self.process.stdout.close()


def measure_raw(file: Path, reps: int, query_cap: float, request_cap: float, duration: float, log: Path,
                queries: list[Query] | None = None) -> dict[str, Any]:
    """The raw peer: latency of every query (`queries`, or those queries_for() chooses in the child), then the
    closed-loop levels, like measure_http. A request of the latency pass is given `request_cap` seconds from
    the end of the one before; a level, `request_cap` seconds after its window closes. Past that the child is
    killed (its engine cannot be stopped mid-query): the query is recorded as capped, the level with the
    requests completed in its window and a TimeoutError for each client still running; a new child loads the
    data again and goes on with what remains. Loading and choosing the queries are not capped."""
    out: dict[str, Any] = {"latency": {}, "levels": {}, "restarts": 0}
    names: list[str] | None = None
    levels = list(LEVELS)
    while names is None or names or levels:
        child = RawProcess(file, {"reps": reps, "query_cap": query_cap, "duration": duration, "names": names, "levels": levels,
                                  "queries": None if queries is None else [q.__dict__ for q in queries]}, log)
        try:
            ready = child.next(None)
            assert ready is not None and ready["event"] == "ready", ready
            if names is None:  # the first process: it says which queries (and the size)
                queries = [Query(**q) for q in ready["queries"]]
                out |= {"quads": ready["quads"], "load_seconds": ready["load_seconds"], "queries": ready["queries"]}
                names = [q.name for q in queries]
            if _raw_latency(child, names, out, request_cap) and _raw_levels(child, levels, out, duration, request_cap):
                return out
            out["restarts"] += 1
        finally:
            child.kill()
    return out


def _raw_latency(child: RawProcess, names: list[str], out: dict[str, Any], request_cap: float) -> bool:
    """Read the latency events of `names`, taking each off as it is done; False if one was capped."""
    while names:
        deadline = time.monotonic() + request_cap
        while (event := child.next(deadline)) is not None and event["event"] == "request":
            deadline = time.monotonic() + request_cap
        name = names.pop(0)
        if event is None:
            out["latency"][name] = {"capped": request_cap}
            return False
        assert event["event"] == "latency" and event["name"] == name, (event, name)
        out["latency"][name] = event["result"]
    return True


def _raw_levels(child: RawProcess, levels: list[int], out: dict[str, Any], duration: float, request_cap: float) -> bool:
    """Read the level events of `levels`, taking each off as it is done; False if one ran past the cap."""
    while levels:
        clients = levels.pop(0)
        opened = child.next(time.monotonic() + request_cap)
        assert opened is None or (opened["event"] == "window" and opened["clients"] == clients), (opened, clients)
        close = opened["deadline"] if opened else time.monotonic()
        counts: dict[str, Any] = {"running": clients, "requests": 0, "finished": 0, "errors": {}}
        while (event := child.next(close + request_cap)) is not None and event["event"] == "progress":
            counts = event
        if event is None:
            errors = Counter(counts["errors"]) + Counter({"TimeoutError": counts["running"]})
            out["levels"][str(clients)] = level_result(clients, duration, counts["requests"], counts["finished"], errors,
                                                       time.monotonic() - close, None)
            return False
        assert event["event"] == "level" and event["clients"] == clients, (event, clients)
        out["levels"][str(clients)] = event["result"]
    return True


# ---- HTTP peers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection; POST form query=, SPARQL JSON results."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path, self.timeout = parts.hostname or "127.0.0.1", parts.port, parts.path or "/", timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.headers: Counter[str] = Counter()  # X-Policygraph-Cache values seen

    def __call__(self, text: str) -> bytes:
        body = urllib.parse.urlencode({"query": text})
        try:
            self.conn.request("POST", self.path, body, {"Accept": JSON_RESULTS, "Content-Type": "application/x-www-form-urlencoded"})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            raise
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        cache = response.getheader("X-Policygraph-Cache")
        if cache:
            self.headers[cache.lower()] += 1
        return data

    def close(self) -> None:
        self.conn.close()


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    path: str  # the endpoint's path
    log: Path
    start_cap: float
    process: subprocess.Popen[bytes] | None = None
    url: str = ""

    def start(self) -> None:
        port = free_port()
        command = [c.replace("{port}", str(port)) for c in self.command]
        env = {k: v.replace("{port}", str(port)) for k, v in self.env.items()}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}{self.path}"
        deadline = time.monotonic() + self.start_cap
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            client = Client(self.url, 10)
            try:
                client("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
                return
            except (OSError, http.client.HTTPException, RuntimeError):
                time.sleep(0.3)
            finally:
                client.close()
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {self.start_cap:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def servers(file: Path, work: Path, request_cap: float) -> dict[str, Callable[[], Server]]:
    """How to start each HTTP peer on the same data (stores are written when a peer is first asked for)."""
    python = sys.executable
    pg_env = {"POLICYGRAPH_STORE": str(work / "policygraph-store"), "POLICYGRAPH_PORT": "{port}",
              # full results, as every peer returns them; a query stopped where the other peers are abandoned
              "POLICYGRAPH_MAX_RESULTS": "100000000", "POLICYGRAPH_QUERY_TIMEOUT": str(request_cap)}

    def oxigraph() -> Server:
        location = work / "oxigraph-store"
        if not location.exists():
            subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(file)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return Server("oxigraph serve", [str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind",
                                         "127.0.0.1:{port}"], {}, "/query", work / "oxigraph.log", 120)

    def policygraph(cache: bool) -> Callable[[], Server]:
        def make() -> Server:
            from policygraph.store.local import write_store

            if not (work / "policygraph-store" / "current").exists():
                with open(file, "rb") as f:
                    write_store(f, work / "policygraph-store")
            env = pg_env if cache else {**pg_env, "POLICYGRAPH_CACHE_ENTRIES": "0"}
            return Server(f"policygraph ({'cache' if cache else 'no cache'})", [python, "-m", "policygraph.cli", "serve"], env,
                          "/sparql", work / "policygraph.log", 300)
        return make

    def rdflib_endpoint() -> Server:
        return Server("rdflib-endpoint", [python, "-m", "rdflib_endpoint", "serve", str(file), "--host", "127.0.0.1",
                                          "--port", "{port}"], {}, "/", work / "rdflib-endpoint.log", 1800)

    return {"oxigraph serve": oxigraph, "policygraph (cache)": policygraph(True),
            "policygraph (no cache)": policygraph(False), "rdflib-endpoint": rdflib_endpoint}


@contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def measure_http(server: Server, queries: list[Query], reps: int, query_cap: float, request_cap: float,
                 duration: float, budget: float) -> dict[str, Any]:
    """Latency of every query (for `budget` seconds at most), then the closed-loop levels; a request past
    `request_cap` is abandoned and the server restarted."""
    out: dict[str, Any] = {"latency": {}, "levels": {}, "restarts": 0, "cache": Counter[str]()}
    with running(server):
        client = Client(server.url, request_cap)
        began = time.monotonic()
        for q in queries:
            if time.monotonic() - began > budget:
                out["latency"][q.name] = {"skipped": budget}
                continue
            try:
                out["latency"][q.name] = latency(client, q, reps, query_cap)
            except TimeoutError:
                out["latency"][q.name] = {"capped": request_cap}
                out["restarts"] += 1
                server.stop()
                server.start()
                client = Client(server.url, request_cap)
            except RuntimeError as exc:
                out["latency"][q.name] = {"error": str(exc)}
        out["cache"].update(client.headers)
        client.close()
        mix = [q.text for q in queries if q.in_mix]
        for c in LEVELS:
            level = closed_loop_http(server.url, mix, c, duration, request_cap)
            out["cache"].update(level["cache"])
            out["levels"][str(c)] = level
            if level["errors"].get("TimeoutError"):
                out["restarts"] += 1
                server.stop()
                server.start()
    out["cache"] = dict(out["cache"])
    return out


def measure(file: Path, work: Path, reps: int = 10, query_cap: float = 10.0, request_cap: float = 120.0,
            duration: float = 20.0, budget: float = 900.0, peers: tuple[str, ...] = PEERS) -> dict[str, Any]:
    """Every peer on one generated file: {'raw': ..., 'peers': {name: ...}, 'queries': [...]}."""
    from policygraph.settings import Settings

    work.mkdir(parents=True, exist_ok=True)
    print(f"  raw pyoxigraph on {file.name}", end=" ", flush=True)
    t = time.perf_counter()
    raw = measure_raw(file, reps, query_cap, request_cap, duration, work / "raw-pyoxigraph.log")
    print(f"{time.perf_counter() - t:.0f} s", flush=True)
    queries = [Query(**q) for q in raw.pop("queries")]
    results: dict[str, Any] = {"quads": raw["quads"], "queries": [q.__dict__ for q in queries],
                               "workers": Settings().workers, "threads": Settings().threads, "duration": duration,
                               "reps": reps, "query_cap": query_cap, "request_cap": request_cap, "budget": budget,
                               "peers": {"raw pyoxigraph": raw} if "raw pyoxigraph" in peers else {}}
    makers = servers(file, work, request_cap)
    for name in peers:
        if name == "raw pyoxigraph":
            continue
        print(f"  {name}", end=" ", flush=True)
        t = time.perf_counter()
        results["peers"][name] = measure_http(makers[name](), queries, reps, query_cap, request_cap, duration, budget)
        print(f"{time.perf_counter() - t:.0f} s", flush=True)
    for path in ("oxigraph-store", "policygraph-store"):
        shutil.rmtree(work / path, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--triples", default="100000", help="comma-separated sizes of the generated data")
    p.add_argument("--reps", type=int, default=10, help="warm runs per query for the latency (at most)")
    p.add_argument("--query-cap", type=float, default=10.0, help="seconds of warm runs per query (at most)")
    p.add_argument("--request-cap", type=float, default=120.0, help="seconds after which a request is abandoned")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per throughput level")
    p.add_argument("--budget", type=float, default=900.0, help="seconds for one HTTP peer's latency pass (at most)")
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated, of: " + ", ".join(PEERS))
    p.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "serving")
    p.add_argument("--out", type=Path, help="write the results as JSON here (default: print them)")
    p.add_argument("--markdown", type=Path, help="also write the report (the docs/benchmarks.md section) here")
    p.add_argument("--raw", type=Path, help=argparse.SUPPRESS)  # the raw peer's own process
    args = p.parse_args(argv)
    if args.raw:
        return raw_child(str(args.raw))
    peers = tuple(s.strip() for s in args.peers.split(",") if s.strip())
    unknown = [s for s in peers if s not in PEERS]
    if unknown:
        p.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    from bench.generate import generate
    from bench.throughput_report import report

    results: dict[int, dict[str, Any]] = {}
    for size in (int(t) for t in args.triples.split(",")):
        file = args.work / f"generated-{size}.nq"
        generate(file, size)
        results[size] = measure(file, args.work, args.reps, args.query_cap, args.request_cap, args.duration, args.budget, peers)
        file.unlink(missing_ok=True)
    text = json.dumps({str(k): v for k, v in results.items()}, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    if args.markdown:
        args.markdown.write_text(report(results, EXCLUDED), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
