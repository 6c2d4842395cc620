"""Build + validate + store, all or nothing: what `policygraph build` and `make run` do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policygraph.build import Built, build_dataset
from policygraph.explore.sparql import OxigraphSparql
from policygraph.search import SearchIndex, read_documents, read_labels
from policygraph.search.files import index_file, sweep_index_files, write_index
from policygraph.settings import Settings
from policygraph.store import write_store
from policygraph.validate import Report, load_shapes, validate_graph


@dataclass
class Outcome:
    built: Built
    report: Report
    store: Path | str | None  # the new build directory, or the remote store's URL


def check(settings: Settings) -> tuple[Built, Report]:
    built = build_dataset(settings)
    # the fast validator reads the Oxigraph store; no rdflib union of the graphs is needed
    report = validate_graph(None, load_shapes(settings.input_dir("shapes_dir")), built.store)
    return built, report


def build_and_store(settings: Settings) -> Outcome:
    """Raises on bad input or violations; only a valid dataset reaches the store (then swapped in)."""
    built, report = check(settings)
    report.raise_if_failed()
    if settings.store_is_remote:
        from policygraph.store.remote import RemoteEndpoint, replace_all

        replace_all(RemoteEndpoint(settings), list(built.store.quads_for_pattern(None, None, None, None)))
        return Outcome(built, report, settings.store)
    path = write_store(built.nquads(), settings.store_path)
    write_search_index(built, settings, path.name)
    return Outcome(built, report, path)


def write_search_index(built: Built, settings: Settings, version: str) -> None:
    """The new version's search index, next to the store, so that no server builds it on first search."""
    sparql = OxigraphSparql(built.store)
    index = SearchIndex(read_documents(sparql, settings.base_iri), settings.base_iri + "id/", read_labels(sparql))
    write_index(index, index_file(settings.store_path, version))
    sweep_index_files(settings.store_path)
