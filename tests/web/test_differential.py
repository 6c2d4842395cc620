"""Differential test: every catalogue query gives the same results on our endpoint (Oxigraph, parameters
bound with substitutions) as on rdflib-endpoint (rdflib's own SPARQL engine) serving the same data.

Same dataset on both sides: rdflib-endpoint loads an N-Quads dump of the session store into an rdflib
Dataset with default_union=True, so its default graph is the union of the named graphs, as ours is.

rdflib-endpoint takes query text only, so the parameters reach it as a VALUES block opening the WHERE
group: for these queries (parameters used as constants in patterns, filters and groups) the same
solutions as substitution. Results are compared as multisets of rows; terms are normalised (numbers by
value, blank nodes anonymous, xsd:string as plain literals).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from policygraph.build import Built
from policygraph.queries import CatalogueQuery, load_catalogue
from policygraph.sparqltext import tokens
from tests.support.paths import ROOT
from tests.support.server import LiveServer, free_port
from tests.web.sparql_support import json_rows, rows_multiset

BASE = "https://w3id.org/policygraph/"
CATALOGUE = load_catalogue(ROOT / "queries", BASE)


@pytest.fixture(scope="module")
def rdflib_endpoint(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rdflib-endpoint serve` as a real process on an N-Quads dump of the session's data."""
    dump = tmp_path_factory.mktemp("rdflib-endpoint") / "dataset.nq"
    dump.write_bytes(built.nquads())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rdflib_endpoint", "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"  # its CLI serves the endpoint at the root
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"rdflib-endpoint exited with {process.returncode}")
            try:
                if requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("rdflib-endpoint did not answer within 180 s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def with_values(query: CatalogueQuery) -> str:
    """The query text with its default parameters as a VALUES block at the top of the WHERE group."""
    bound = query.bind({}, BASE)
    if not bound:
        return query.text
    opening = next(t for t in tokens(query.text) if t.kind == "open" and t.text == "{" and t.depth == 0)
    names = " ".join(f"?{name}" for name in bound)
    terms = " ".join(str(term) for term in bound.values())  # N-Triples syntax is SPARQL term syntax
    at = opening.start + 1
    return f"{query.text[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{query.text[at:]}"


def test_the_values_rewrite_gives_oxigraph_the_same_answer(built: Built) -> None:
    """The rewrite itself is faithful: on Oxigraph, VALUES and substitution agree for every query."""
    for query in CATALOGUE.values():
        bound = {ox.Variable(k): v for k, v in query.bind({}, BASE).items()}
        substituted = list(built.store.query(query.text, substitutions=bound))
        rewritten = list(built.store.query(with_values(query)))
        assert sorted(map(str, substituted)) == sorted(map(str, rewritten)), query.name


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_results_equal_rdflib_endpoint(live_server: LiveServer, rdflib_endpoint: str, name: str) -> None:
    ours = live_server.get(f"/queries/{name}", params={"format": "json"})
    assert ours.status_code == 200, ours.text
    theirs = requests.post(rdflib_endpoint, data={"query": with_values(CATALOGUE[name])},
                           headers={"Accept": "application/sparql-results+json"}, timeout=300)
    assert theirs.status_code == 200, theirs.text[:500]
    ours_rows: Any = rows_multiset(json_rows(ours.json()))
    theirs_rows: Any = rows_multiset(json_rows(theirs.json()))
    assert sum(ours_rows.values()) > 0
    assert ours_rows == theirs_rows, (
        f"only on Oxigraph: {list((ours_rows - theirs_rows).items())[:3]}; "
        f"only on rdflib: {list((theirs_rows - ours_rows).items())[:3]}"
    )


def test_the_dump_served_to_rdflib_is_the_whole_dataset(rdflib_endpoint: str, live_server: LiveServer) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    ours = live_server.get("/sparql", params={"query": text}).json()
    theirs = requests.get(rdflib_endpoint, params={"query": text}, headers={"Accept": "application/sparql-results+json"},
                          timeout=120).json()
    assert ours["results"]["bindings"][0]["n"]["value"] == theirs["results"]["bindings"][0]["n"]["value"]
