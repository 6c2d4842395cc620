"""Writes: SPARQL Update and the Graph Store HTTP Protocol, each one transaction validated before commit.

A write runs in its own process (so the write timeout can stop it, and pyshacl's memory goes away with
it), under an exclusive lock on the store directory (so two writes never interleave):

1. copy the current built store into memory;
2. apply the change there (an update, or a graph replaced, merged or dropped);
3. recompute the derived graph (pg:partnerOf, pg:worksOn, pg:involvedIn), which follows from the stated
   facts: a write to it is overwritten, and a new partnership gets its shortcuts;
4. validate the whole dataset with the SHACL shapes; any violation refuses the write whole (422 with the
   report) and nothing on disk changes;
5. commit: write a new store directory and swap the `current` link atomically (store.local.write_store),
   so a crash leaves the old dataset or the new one, never a mix. Workers reload on their next query.

The token is compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import fcntl
import hmac
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from policygraph.build import derive
from policygraph.errors import Forbidden, InputError, NotFound, PolicygraphError, ValidationFailed
from policygraph.namespaces import Minter
from policygraph.settings import Settings
from policygraph.sparql.errors import QueryTimeout, Unauthorized
from policygraph.sparql.guards import inspect_update
from policygraph.sparql.worker import load_current
from policygraph.store.local import write_store
from policygraph.validate import load_shapes, validate_graph
from policygraph.web.mediatypes import GRAPHS

LOCK_FILE = ".write.lock"


@dataclass(frozen=True)
class WriteRequest:
    operation: str  # 'update' | 'put' | 'post' | 'delete'
    update: str | None = None
    graph: str | None = None  # a named graph IRI; None: the default graph
    data: bytes | None = None
    rdf_format: str | None = None  # a key of web.mediatypes.GRAPHS, for 'put' and 'post'


@dataclass(frozen=True)
class WriteResult:
    ok: bool
    status: int
    message: str
    created: bool = False
    quads_before: int = 0
    quads_after: int = 0
    version: str = ""
    report: str = ""
    violations: int = 0


class WriteFailed(PolicygraphError):
    """A write refused inside the writer process, with the status it chose there."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def authorise(settings: Settings, header: str | None) -> None:
    """Writes are off unless a token is configured; then they need `Authorization: Bearer <token>`."""
    if not settings.write_token:
        raise Forbidden("writes are disabled on this server (no write token is configured)")
    if not header:
        raise Unauthorized("this write needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    valid = hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8"))
    if scheme.lower() != "bearer" or not valid:
        raise Forbidden("the write token is not valid")


def check_update(settings: Settings, text: str) -> None:
    inspect_update(text, settings.max_query_length, settings.max_nesting)


def perform_write(settings: Settings, request: WriteRequest) -> WriteResult:
    """Run the write in a child process, within settings.write_timeout. Raises typed errors."""
    ctx = multiprocessing.get_context("forkserver")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, settings, request), name="policygraph-write", daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(settings.write_timeout):
            process.kill()
            raise QueryTimeout(
                f"the write did not finish within {settings.write_timeout:g} s and was stopped before its commit "
                "reported back; check the store before retrying"
            )
        try:
            result: WriteResult = parent.recv()
        except EOFError:
            raise WriteFailed("the process applying the write stopped unexpectedly; nothing was committed", 500) from None
    finally:
        process.join(timeout=10)
        parent.close()
    if result.ok:
        return result
    if result.status == 422:
        raise ValidationFailed(result.report, result.violations)
    raise WriteFailed(result.message, result.status)


def _child(conn: object, settings: Settings, request: WriteRequest) -> None:
    try:
        result = apply_write(settings, request)
    except ValidationFailed as exc:
        result = WriteResult(False, 422, exc.message, report=exc.report, violations=exc.count)
    except PolicygraphError as exc:
        result = WriteResult(False, exc.status, exc.message)
    except SyntaxError as exc:
        result = WriteResult(False, 400, f"malformed {'update' if request.operation == 'update' else 'RDF data'}: {exc}")
    except ValueError as exc:
        result = WriteResult(False, 400, f"the write cannot be applied: {exc}")
    except OSError as exc:
        result = WriteResult(False, 503, f"the store could not be read or written: {exc}")
    conn.send(result)  # type: ignore[attr-defined]


@contextmanager
def _write_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


def _has_graph(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def apply_write(settings: Settings, request: WriteRequest) -> WriteResult:
    """Steps 1-5 of the module docstring. Raises ValidationFailed, InputError, NotFound, SyntaxError."""
    root = settings.store_path
    with _write_lock(root):
        _version, store = load_current(root)
        before = len(store)
        target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(request.graph) if request.graph else ox.DefaultGraph()
        existed = _has_graph(store, target)
        if request.operation == "update":
            store.update(request.update or "")
        elif request.operation == "delete":
            if not existed:
                raise NotFound(f"there is no graph {request.graph or '(default)'} to delete")
            _clear(store, target)
        elif request.operation in ("put", "post"):
            if request.rdf_format not in GRAPHS:
                raise InputError(f"cannot read RDF in format {request.rdf_format!r}")
            if request.operation == "put":
                _clear(store, target)
            store.load(request.data or b"", format=GRAPHS[request.rdf_format][1], to_graph=target)
        else:
            raise InputError(f"unknown write operation {request.operation!r}")

        derived = str(Minter(settings.base_iri).graph["derived"])
        _clear(store, ox.NamedNode(derived))
        derive(store, derived)

        # The whole dataset, with the build's own validator (the shapes' fast engine over the store).
        report = validate_graph(None, load_shapes(settings.path(settings.shapes_dir)), store)
        report.raise_if_failed()

        after = len(store)
        path = write_store(store.dump(format=ox.RdfFormat.N_QUADS) or b"", root)
    created = request.operation in ("put", "post") and not existed
    return WriteResult(True, 201 if created else 200, "committed", created=created,
                       quads_before=before, quads_after=after, version=path.name)


def _clear(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    store.clear_graph(graph)
    if isinstance(graph, ox.NamedNode) and store.contains_named_graph(graph):
        store.remove_graph(graph)
