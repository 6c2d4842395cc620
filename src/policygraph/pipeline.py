"""Build + validate + store, all or nothing: what `policygraph build` and `make run` do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policygraph.build import Built, build_dataset
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
    return Outcome(built, report, path)
