"""The search index of a store version as a file next to the embedded store, written by `policygraph
build`, so that a server's first search after a build reads it instead of querying the whole store.

`<store>/search/<version>.sqlite` holds the FTS5 table and, in a table `meta`, the documents' facets and
labels as JSON. It is written to a temporary name and renamed, so a reader sees a whole file or none; a
file that cannot be read is ignored (the server builds the index from the store, as for a version no
build wrote, such as one made by a write). Files of versions that no longer exist are swept by the next
build.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict
from pathlib import Path

from policygraph.search.documents import Document
from policygraph.search.index import SearchIndex

FOLDER = "search"
FORMAT = 1  # bumped when the file's layout changes: an older file is then ignored


def index_file(store_root: Path, version: str) -> Path:
    return store_root / FOLDER / f"{version}.sqlite"


def write_index(index: SearchIndex, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        index.copy_to(target)
        docs = [{**asdict(d), **{k: sorted(getattr(d, k)) for k in ("profiles", "organisations", "issues")}}
                for d in index.docs]
        target.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        target.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", json.dumps(FORMAT)), ("id_base", json.dumps(index.id_base)),
            ("documents", json.dumps(docs)), ("labels", json.dumps(index.given_labels))])
        target.commit()
    finally:
        target.close()
    os.replace(partial, path)


def read_index(path: Path) -> SearchIndex | None:
    """The index in `path`, or None when there is none or it cannot be read."""
    if not path.is_file():
        return None
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(memory)
        finally:
            source.close()
        meta = {key: json.loads(value) for key, value in memory.execute("SELECT key, value FROM meta")}
        if meta.get("format") != FORMAT:
            memory.close()
            return None
        docs = [Document(**{**d, **{k: set(d[k]) for k in ("profiles", "organisations", "issues")}})
                for d in meta["documents"]]
        return SearchIndex(docs, meta["id_base"], meta["labels"], db=memory)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        memory.close()
        return None


def sweep_index_files(store_root: Path) -> None:
    """Remove the files of versions the store no longer has (their build or version name was swept)."""
    for path in (store_root / FOLDER).glob("*.sqlite"):
        if not (store_root / path.stem).exists():
            path.unlink(missing_ok=True)
