"""The search index next to the embedded store: written by the build for its version, read back whole, the
same answers as the index built from the store; an unreadable file is ignored, not trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.build import Built
from policygraph.explore.sparql import OxigraphSparql
from policygraph.search import SearchIndex, read_documents, read_labels
from policygraph.search.files import index_file, read_index, sweep_index_files, write_index
from policygraph.settings import Settings
from policygraph.store import dataset_version, open_store

BASE = "https://w3id.org/policygraph/"
QUERIES = ["e-commerce", '"joint statement initiative"', "Genève", "meteoro", "wto"]


def from_store(settings: Settings) -> SearchIndex:
    sparql = OxigraphSparql(open_store(settings.store_path))
    return SearchIndex(read_documents(sparql, BASE), BASE + "id/", read_labels(sparql))


def answers(index: SearchIndex) -> list[object]:
    return [(r.total, r.hits, r.facets) for q in QUERIES for r in [index.search(q), index.search(q, {"organisation": "wto"})]]


def test_the_build_writes_the_index_of_its_version(built: Built, settings: Settings) -> None:
    path = index_file(settings.store_path, dataset_version(settings))
    assert path.is_file()
    written = read_index(path)
    assert written is not None
    assert answers(written) == answers(from_store(settings))
    assert {p.stem for p in path.parent.glob("*.sqlite")} == {dataset_version(settings)}  # older ones swept


def test_an_index_written_and_read_back_answers_alike(built: Built, settings: Settings, tmp_path: Path) -> None:
    index = from_store(settings)
    write_index(index, tmp_path / "search" / "v-test.sqlite")
    back = read_index(tmp_path / "search" / "v-test.sqlite")
    assert back is not None and answers(back) == answers(index)
    assert [p.name for p in (tmp_path / "search").iterdir()] == ["v-test.sqlite"]  # no partial file left


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_an_unreadable_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(content)
    assert read_index(path) is None
    assert read_index(tmp_path / "missing.sqlite") is None


def test_files_of_versions_gone_are_swept(tmp_path: Path) -> None:
    (tmp_path / "build-1").mkdir()
    (tmp_path / FOLDER).mkdir()
    for name in ("build-1", "build-0", "v-0"):
        (tmp_path / FOLDER / f"{name}.sqlite").write_bytes(b"")
    sweep_index_files(tmp_path)
    assert [p.name for p in (tmp_path / FOLDER).iterdir()] == ["build-1.sqlite"]


FOLDER = "search"
