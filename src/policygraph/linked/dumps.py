"""Dumps: the whole dataset in every RDF format, each with its size, triple (or quad) count and SHA-256.

The server keeps one set per build, next to the store (`<store>/dumps/<build name>/`), written the
first time it is asked for and so regenerated whenever another build becomes current; sets of builds
that are gone are swept. `policygraph export --all DIR` writes the same set anywhere.

Triple formats (Turtle, N-Triples, RDF/XML) hold the distinct triples of all named graphs merged;
dataset formats (N-Quads, TriG, JSON-LD) keep the named graphs, so their count is of quads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from policygraph.errors import NotFound, StoreError
from policygraph.formats import RDF
from policygraph.linked.describe import context_bytes, jsonld_context
from policygraph.linked.iris import IriMap
from policygraph.oxrdf import from_ox
from policygraph.store.merge import in_default

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
CONTEXT = "context.jsonld"
STALE_SECONDS = 3600


@dataclass(frozen=True)
class DumpFormat:
    name: str  # the format's name in formats.RDF ('turtle', 'trig', ...)
    title: str
    unit: str  # 'triples' or 'quads'

    @property
    def filename(self) -> str:
        return f"policygraph.{RDF[self.name][0].suffix}"

    @property
    def media_type(self) -> str:
        return RDF[self.name][0].mime

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return RDF[self.name][1]


FORMATS = (
    DumpFormat("turtle", "Turtle", "triples"),
    DumpFormat("ntriples", "N-Triples", "triples"),
    DumpFormat("rdfxml", "RDF/XML", "triples"),
    DumpFormat("nquads", "N-Quads (named graphs kept)", "quads"),
    DumpFormat("trig", "TriG (named graphs kept)", "quads"),
    DumpFormat("jsonld", "JSON-LD (named graphs kept, compacted with the published context)", "quads"),
)


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: str
    title: str
    media_type: str
    size: int
    sha256: str
    count: int | None = None  # triples or quads; None for files that are not RDF (the context)
    unit: str | None = None


@dataclass(frozen=True)
class DumpSet:
    directory: Path
    build: str
    created: str
    files: tuple[DumpFile, ...]

    def file(self, name: str) -> DumpFile:
        for f in self.files:
            if f.name == name:
                return f
        raise NotFound(f"no dump file {name!r}: available are " + ", ".join(f.name for f in self.files))

    @property
    def rdf_files(self) -> list[DumpFile]:
        return [f for f in self.files if f.count is not None]


def _distinct_triples(store: ox.Store) -> list[ox.Triple]:
    """The distinct triples of the named graphs (what the default graph holds, read from any store)."""
    seen: dict[ox.Triple, None] = {}
    for q in store.quads_for_pattern(None, None, None, None):
        if not in_default(q):
            seen.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
    return list(seen)


def _jsonld_dataset(quads: list[ox.Quad], map_: IriMap) -> bytes:
    """JSON-LD with the named graphs, compacted with the published context (inline, so it parses offline)."""
    ds = Dataset()
    for q in quads:
        graph = ds.graph(URIRef(q.graph_name.value)) if isinstance(q.graph_name, ox.NamedNode) else ds.default_graph
        graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    context = jsonld_context(map_)["@context"]
    text = ds.serialize(format="json-ld", context=context, auto_compact=True)
    # rdflib's output order follows set iteration; sorted, the same data always gives the same bytes
    # (and so the same checksum, whether the server or `policygraph export --all` writes it).
    return json.dumps(_sorted_json(json.loads(text)), indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _sorted_json(value: object, in_list: bool = False) -> object:
    """Arrays sorted (except the content of @list, where order is data); objects recursively."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k == "@list") for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _serialize(fmt: DumpFormat, store: ox.Store, map_: IriMap) -> tuple[bytes, int]:
    if fmt.unit == "quads":
        quads = [q for q in store.quads_for_pattern(None, None, None, None) if not in_default(q)]
        if fmt.rdf_format == ox.RdfFormat.JSON_LD:
            return _jsonld_dataset(quads, map_), len(quads)
        kwargs = {"prefixes": map_.prefixes()} if fmt.rdf_format == ox.RdfFormat.TRIG else {}
        return ox.serialize(quads, format=fmt.rdf_format, **kwargs) or b"", len(quads)
    triples = _distinct_triples(store)
    kwargs = {"prefixes": map_.prefixes()} if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt.rdf_format, **kwargs) or b"", len(triples)


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def write_dumps(store: ox.Store, directory: Path, map_: IriMap, build: str = "") -> DumpSet:
    """Write every format, the JSON-LD context, a manifest and a SHA256SUMS file into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for fmt in FORMATS:
        data, count = _serialize(fmt, store, map_)
        digest = _write(directory / fmt.filename, data)
        files.append(DumpFile(fmt.filename, fmt.name, fmt.title, fmt.media_type, len(data), digest, count, fmt.unit))
    context = context_bytes(map_)
    digest = _write(directory / CONTEXT, context)
    files.append(DumpFile(CONTEXT, "context", "JSON-LD context", "application/ld+json", len(context), digest))
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files).encode("utf-8")
    _write(directory / CHECKSUMS, sums)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest = {"build": build, "created": created, "files": [asdict(f) for f in files]}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return DumpSet(directory, build, created, tuple(files))


def read_dumps(directory: Path) -> DumpSet:
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    return DumpSet(directory, data["build"], data["created"], tuple(DumpFile(**f) for f in data["files"]))


_lock = threading.Lock()


def ensure_dumps(store: ox.Store, store_root: Path, build: str, map_: IriMap) -> DumpSet:
    """The dump set of the current build, written on first use. Safe for threads and processes: each
    writes into its own temporary directory and renames it into place; a loser of the race discards its copy."""
    root = store_root / "dumps"
    final = root / build
    if (final / MANIFEST).is_file():
        return read_dumps(final)
    with _lock:
        if (final / MANIFEST).is_file():
            return read_dumps(final)
        partial = root / f".writing-{build}-{os.getpid()}-{threading.get_ident()}"
        try:
            shutil.rmtree(partial, ignore_errors=True)
            write_dumps(store, partial, map_, build)
            try:
                partial.rename(final)
            except OSError:
                if not (final / MANIFEST).is_file():
                    raise
                shutil.rmtree(partial, ignore_errors=True)  # another process finished first
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(f"cannot write the dumps under {root}: {exc}") from exc
        _sweep(store_root, keep=build)
    return read_dumps(final)


def _sweep(store_root: Path, keep: str) -> None:
    """Remove dump sets of builds that are no longer in the store directory."""
    root = store_root / "dumps"
    builds = {p.name for p in store_root.glob("build-*") if p.is_dir()} | {keep}
    for path in root.iterdir():
        if not path.is_dir() or path.name in builds:
            continue
        # A '.writing-' directory is another writer's work in progress, unless it is old (a crashed writer).
        if not path.name.startswith(".writing-") or time.time() - path.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)
