"""/.well-known/void: the dataset description (VoID + DCAT) as RDF, and as a page for people.

The void:Dataset is the dataset's own IRI under the base (`<base>.well-known/void#dataset`), wherever it is
served; the SPARQL endpoint, the dumps and the landing page it names are URLs of the service where it is
reached: `public_url` when configured, else this request's host and mount point (`Vary: Host`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from policygraph.linked.counts import DatasetCounts, dataset_counts
from policygraph.linked.dumps import DumpSet
from policygraph.linked.iris import ONTOLOGY
from policygraph.linked.reader import Reader
from policygraph.linked.void import (
    VOID_PATH,
    SourceFile,
    dataset_iri,
    profiled_organisations,
    source_files,
    source_paths,
    vocabularies,
    void_graph,
)
from policygraph.oxrdf import to_ox
from policygraph.prefixes import DCTERMS
from policygraph.store.local import changed_at
from policygraph.web.context import get_settings, get_store, query_service
from policygraph.web.dumps import current_dumps
from policygraph.web.resources import forms_of, negotiated, reader
from policygraph.web.responses import varies_by_host

bp = Blueprint("void", __name__)

_cache: dict[str, DatasetCounts] = {}
_lock = threading.Lock()


def current_counts() -> DatasetCounts:
    """Counts of the current build, computed once per build (a new build changes the version). A memo of
    derived numbers, not state: every worker computes the same ones from the same store."""
    handle = get_store()
    version = handle.version
    with _lock:
        if version not in _cache:
            _cache.clear()
            _cache[version] = dataset_counts(handle.get())
        return _cache[version]


@dataclass
class Description:
    iri: str
    counts: DatasetCounts
    dumps: DumpSet
    sources: list[SourceFile]
    license: str | None
    examples: list[str]
    modified: str | None
    vocabularies: list[str]


def describe_dataset(r: Reader) -> Description:
    counts = current_counts()
    return Description(
        iri=dataset_iri(r.map),
        counts=counts,
        dumps=current_dumps(),
        sources=source_files(source_paths(r.store), get_settings().root),
        license=r.value(ONTOLOGY, DCTERMS + "license"),
        examples=profiled_organisations(r.store)[:3],
        # The version answers are given under (read afresh: the handle looks at the link once a second).
        modified=changed_at(query_service().version()),
        vocabularies=vocabularies(counts),
    )


def void_triples(r: Reader, d: Description) -> list[ox.Triple]:
    graph = void_graph(r.map, d.counts, d.dumps, d.sources, d.license, d.examples, d.modified)
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]


def _void(suffix: str | None) -> Response:
    r = reader()
    path = f"{r.map.script_root}/{VOID_PATH}"
    d = describe_dataset(r)

    def html() -> str:
        return render_template("ld/void.html", d=d, r=r, forms=forms_of(path))

    # The dataset keeps its IRI under the base; the endpoint and dumps it names are where this request
    # reached the service (the public URL when configured), so the answer varies with the host. Nothing
    # cached here depends on the host: the counts and the dump files are the same for every host.
    return varies_by_host(negotiated(path, suffix, html, lambda: void_triples(r, d)), get_settings())


@bp.get("/.well-known/void")
def void() -> Response:
    return _void(None)


@bp.get("/.well-known/void.<suffix>")
def void_as(suffix: str) -> Response:
    return _void(suffix)
