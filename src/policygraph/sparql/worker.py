"""The query worker: a process that holds the dataset in memory and answers one query at a time.

Why processes: pyoxigraph has no query timeout and a running query holds its thread until it ends, so
the only way to stop a query at a limit is to stop the process running it (the pool does, and starts a
replacement). A process also keeps an Oxigraph abort (stack overflow in its parser) away from the server.

Each worker copies the current built store into an in-memory Store, so that builds and writes, which
swap the store directory's `current` link and delete old builds, never pull files from under it. Before
every query it reads the link; when it changed, the worker applies the delta records that lead from its
version to the new one (store/copies.py, store/deltas.py: milliseconds for a write), or reloads the whole store when
there is no such chain (a rebuild, a write of the general kind): a committed write is seen by the next
query either way.

This module is imported in every worker, so it imports only pyoxigraph, the standard library and the
small result module (no Flask, rdflib or pyshacl).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policygraph.processes import exit_with_server
from policygraph.sparql.results import serialise
from policygraph.store.copies import follow, load_current

# A term as it crosses the pipe: ("iri", value) | ("bnode", value) | ("literal", value, datatype, language).
WireTerm = tuple[str, ...]


@dataclass
class Job:
    """One query as the parent sends it (plain data: it is pickled through a pipe)."""

    text: str
    fmt: str  # a key of results.RESULT_FORMATS or results.GRAPH_FORMATS
    limit: int
    default_graphs: list[str] | None = None  # default-graph-uri values (protocol), None if not given
    named_graphs: list[str] | None = None  # named-graph-uri values (protocol), None if not given
    substitutions: dict[str, WireTerm] = field(default_factory=dict)
    base_iri: str | None = None  # what the query's relative IRIs resolve against (settings.resource_base)


@dataclass
class Reply:
    ok: bool
    body: bytes = b""
    count: int = 0
    truncated: bool = False
    error: str = ""  # 'syntax' | 'store' | 'input' when not ok
    message: str = ""
    seconds: float = 0.0
    lane: str = ""  # set by the pool: 'general' or 'fast'


def to_term(wire: WireTerm) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind, value = wire[0], wire[1]
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    datatype, language = (wire[2] if len(wire) > 2 else ""), (wire[3] if len(wire) > 3 else "")
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def to_wire(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> WireTerm:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("literal", term.value, term.datatype.value, term.language or "")


def run_job(store: ox.Store, job: Job, prefixes: dict[str, str]) -> Reply:
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if job.default_graphs is not None or job.named_graphs is not None:
        # The protocol's dataset replaces any FROM / FROM NAMED; a missing part is empty.
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
    if job.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): to_term(v) for k, v in job.substitutions.items()}
    started = time.monotonic()
    try:
        result = store.query(job.text, **kwargs)
        out = serialise(result, job.fmt, job.limit, prefixes, rerun=lambda: store.query(job.text, **kwargs))
    except SyntaxError as exc:
        return Reply(ok=False, error="syntax", message=str(exc))
    except (ValueError, RuntimeError) as exc:
        # RuntimeError: e.g. a substitution for a variable the SELECT does not project.
        return Reply(ok=False, error="input", message=str(exc))
    except OSError as exc:
        return Reply(ok=False, error="store", message=str(exc))
    return Reply(ok=True, body=out.body, count=out.count, truncated=out.truncated, seconds=time.monotonic() - started)


def main(conn: Connection, root: str, prefixes: dict[str, str], server: int) -> None:
    """The worker loop: report ready, then answer jobs until the pipe closes."""
    threading.Thread(target=exit_with_server, args=(server,), daemon=True).start()
    path = Path(root)
    version: str | None = None
    store: ox.Store | None = None
    try:
        version, store = load_current(path)
    except OSError as exc:
        # Start anyway: every job retries the load and reports the problem, so the pool never stalls.
        conn.send(("ready", None, str(exc)))
    else:
        conn.send(("ready", version, ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            version, store = follow(path, version, store)
        except OSError as exc:
            conn.send(Reply(ok=False, error="store", message=str(exc)))
            continue
        conn.send(run_job(store, job, prefixes))
