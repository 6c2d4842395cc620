"""Dumps and the dataset description: every dump parses and holds the
count it announces, TriG and the other dataset formats keep the named graphs, checksums match, and the
VoID counts equal counts computed here by SPARQL on the session's built store."""

from __future__ import annotations

import hashlib
import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from policygraph.build import Built
from policygraph.linked.dumps import ensure_dumps
from policygraph.linked.iris import IriMap
from policygraph.store import open_store, write_store
from tests.support.app import InProcess
from tests.support.paths import ROOT
from tests.support.server import LiveServer
from tests.web.linked_support import BASE, Page, rows

SPDX = Namespace("http://spdx.org/rdf/terms#")
TRIPLE_FORMATS = {"policygraph.ttl": "turtle", "policygraph.nt": "nt", "policygraph.rdf": "xml"}
DATASET_FORMATS = {"policygraph.nq": "nquads", "policygraph.trig": "trig", "policygraph.jsonld": "json-ld"}


class DumpTable(Page):
    """The /dumps page's table: file name -> (size, count, sha256) as announced."""

    def __init__(self, html: str) -> None:
        self.cells: list[dict[str, str]] = []
        self._row: dict[str, str] | None = None
        self._in_code = False
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self._row = {}
        if self._row is not None:
            if tag == "a" and "download" in a:
                self._row["name"] = (a.get("href") or "").rsplit("/", 1)[-1]
            if a.get("data-size"):
                self._row["size"] = a["data-size"] or ""
            if "data-count" in a:
                self._row["count"] = a["data-count"] or ""
            self._in_code = tag == "code" and a.get("class") == "sha256"
        super().handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._in_code and self._row is not None:
            self._row["sha256"] = data.strip()
            self._in_code = False
        super().handle_data(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row:
            self.cells.append(self._row)
            self._row = None
        super().handle_endtag(tag)


@pytest.fixture(scope="module")
def announced(app_server: InProcess) -> dict[str, dict[str, str]]:
    response = app_server.get("/dumps")
    assert response.status_code == 200
    table = DumpTable(response.text)
    assert not table.errors
    return {row["name"]: row for row in table.cells if "name" in row}


@pytest.fixture(scope="module")
def downloads(app_server: InProcess, announced: dict[str, dict[str, str]]) -> dict[str, bytes]:
    out = {}
    for name in announced:
        response = app_server.get(f"/dumps/{name}")
        assert response.status_code == 200, name
        out[name] = response.content
    return out


def distinct_triples(built: Built) -> int:
    return int(rows(built.store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")[0]["n"])


def test_every_format_is_offered(announced: dict[str, dict[str, str]]) -> None:
    assert set(TRIPLE_FORMATS) | set(DATASET_FORMATS) | {"context.jsonld"} == set(announced)


def test_sizes_and_checksums_match(announced: dict[str, dict[str, str]], downloads: dict[str, bytes], app_server: InProcess) -> None:
    sums = dict(reversed(line.split("  ", 1)) for line in app_server.get("/dumps/SHA256SUMS").text.splitlines())
    for name, data in downloads.items():
        assert int(announced[name]["size"]) == len(data), name
        assert announced[name]["sha256"] == hashlib.sha256(data).hexdigest() == sums[name], name


def test_each_file_names_its_media_type_and_charset_once(app_server: InProcess) -> None:
    files = app_server.get("/dumps/manifest.json").json()["files"]
    expected = {**{f["name"]: f["media_type"] for f in files}, "SHA256SUMS": "text/plain", "manifest.json": "application/json"}
    assert len(expected) == 9
    for name, media_type in expected.items():
        header = app_server.get(f"/dumps/{name}").headers["Content-Type"]
        assert header.split(";")[0] == media_type and header.count("charset") <= 1, (name, header)


@pytest.mark.parametrize(("name", "fmt"), TRIPLE_FORMATS.items())
def test_triple_dumps_parse_and_hold_the_announced_count(name: str, fmt: str, announced: dict[str, dict[str, str]],
                                                        downloads: dict[str, bytes], built: Built) -> None:
    g = Graph()
    g.parse(data=downloads[name], format=fmt)
    assert len(g) == int(announced[name]["count"]) == distinct_triples(built)


@pytest.mark.parametrize(("name", "fmt"), DATASET_FORMATS.items())
def test_dataset_dumps_keep_the_named_graphs(name: str, fmt: str, announced: dict[str, dict[str, str]],
                                            downloads: dict[str, bytes], built: Built) -> None:
    ds = Dataset()
    ds.parse(data=downloads[name], format=fmt)
    named = sum(1 for q in built.store if not isinstance(q.graph_name, ox.DefaultGraph))
    assert sum(1 for _ in ds.quads()) == int(announced[name]["count"]) == named  # not the default graph, their merge
    expected = {r["g"]: int(r["n"]) for r in rows(built.store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    found = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert found == expected
    assert "https://w3id.org/policygraph/graph/derived" in found


def test_the_jsonld_dump_is_compacted_with_the_published_context(downloads: dict[str, bytes], app_server: InProcess) -> None:
    import json

    doc = json.loads(downloads["policygraph.jsonld"])
    assert doc["@context"] == app_server.get("/dumps/context.jsonld").json()["@context"]


def test_downloads_are_safe_against_path_traversal(live_server: LiveServer) -> None:
    """Over the wire: the paths reach the server as written."""
    for path in ("/dumps/../../pyproject.toml", "/dumps/..%2f..%2fpyproject.toml", "/dumps/%2e%2e/manifest.json",
                 "/dumps/policygraph.ttl%00", "/dumps/.writing-x", "/dumps/nothing.ttl", "/dumps/..", "/dumps/%2fetc%2fpasswd"):
        # http.client sends the path as written (requests would resolve the dot segments first).
        host = urlsplit(live_server.url)
        connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        assert response.status in (400, 404), path
        assert b"[project]" not in body and b"root:" not in body


def test_export_all_writes_the_same_files(app_server: InProcess, downloads: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    # The store the server reads: the session's store directory, or the remote engine holding it.
    store = app_server.settings.store
    result = subprocess.run([sys.executable, "-m", "policygraph.cli", "--store", store, "export", "--all", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(downloads) <= set(written)
    for name, data in downloads.items():
        assert hashlib.sha256(written[name]).hexdigest() == hashlib.sha256(data).hexdigest(), name
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True).returncode == 0


def test_dumps_are_rewritten_when_another_build_becomes_current(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "store"
    map_ = IriMap.of("https://w3id.org/policygraph/")
    first = write_store(built.nquads(), root)
    one = ensure_dumps(open_store(root), root, first.name, map_)
    second = write_store(built.nquads()[: len(built.nquads()) // 2].rsplit(b"\n", 1)[0] + b"\n", root)
    two = ensure_dumps(open_store(root), root, second.name, map_)
    assert one.directory != two.directory and two.build == second.name
    named = sum(1 for q in open_store(root) if not isinstance(q.graph_name, ox.DefaultGraph))
    assert two.file("policygraph.nq").count == named < one.file("policygraph.nq").count
    assert ensure_dumps(open_store(root), root, second.name, map_).created == two.created  # written once per build


# ---------------------------------------------------------------------- VoID and DCAT


@pytest.fixture(scope="module")
def void(app_server: InProcess) -> Graph:
    response = app_server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    g = Graph()
    g.parse(data=response.text, format="turtle")
    return g


def dataset_node(void: Graph) -> URIRef:
    (ds,) = set(void.subjects(RDF.type, VOID.Dataset)) & set(void.subjects(RDF.type, DCAT.Dataset))
    return ds  # type: ignore[return-value]


def test_void_counts_equal_sparql_counts(void: Graph, built: Built) -> None:
    ds = dataset_node(void)
    assert int(void.value(ds, VOID.triples)) == distinct_triples(built)  # type: ignore[arg-type]
    expected = {r["c"]: int(r["n"]) for r in rows(built.store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    found = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities)) for p in void.objects(ds, VOID.classPartition)}  # type: ignore[arg-type]
    assert found == expected
    for cls in ("Organisation", "Initiative", "Partnership", "PolicyIssue", "Evidence"):
        assert found["https://w3id.org/policygraph/ontology#" + cls] > 0
    by_property = {r["p"]: int(r["n"]) for r in rows(
        built.store, "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?p")}
    found_p = {str(void.value(p, VOID.property)): int(void.value(p, VOID.triples)) for p in void.objects(ds, VOID.propertyPartition)}  # type: ignore[arg-type]
    assert found_p == by_property


def test_void_names_vocabularies_licence_source_endpoint_and_dumps(void: Graph, built: Built,
                                                                 announced: dict[str, dict[str, str]]) -> None:
    ds = dataset_node(void)
    terms = [r["t"] for r in rows(built.store, "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")]
    namespaces = {t[: max(t.rfind("#"), t.rfind("/")) + 1] for t in terms if "/id/" not in t}
    assert {str(v) for v in void.objects(ds, VOID.vocabulary)} == namespaces
    assert {"http://www.w3.org/2004/02/skos/core#", "https://schema.org/", "http://www.w3.org/ns/prov#"} <= namespaces
    assert void.value(ds, DCTERMS.license) is not None
    source = void.value(ds, DCTERMS.source)
    checksum = void.value(void.value(source, SPDX.checksum), SPDX.checksumValue)
    sources_file = ROOT / "data" / "sources" / "000_f7d598866666c03c.txt"
    assert str(checksum) == hashlib.sha256(sources_file.read_bytes()).hexdigest()
    assert "Geneva Internet Platform" in str(void.value(source, DCTERMS.publisher))
    assert str(void.value(ds, VOID.sparqlEndpoint)).endswith("/sparql")
    dumps = {str(d).rsplit("/", 1)[-1] for d in void.objects(ds, VOID.dataDump)}
    assert dumps == set(TRIPLE_FORMATS) | set(DATASET_FORMATS)
    for dist in void.objects(ds, DCAT.distribution):
        url = void.value(dist, DCAT.downloadURL)
        if url is None:
            assert void.value(dist, DCAT.accessService) is not None  # the SPARQL endpoint
            continue
        name = str(url).rsplit("/", 1)[-1]
        assert int(void.value(dist, DCAT.byteSize)) == int(announced[name]["size"])  # type: ignore[arg-type]
        assert str(void.value(void.value(dist, SPDX.checksum), SPDX.checksumValue)) == announced[name]["sha256"]


def test_void_keeps_permanent_iris(void: Graph) -> None:
    """What the VoID describes (the dataset, its parts, the description itself) keeps its IRI under the base;
    only the service's URLs are where the request reached it (tests/web/test_linked_forms.py)."""
    assert all(isinstance(s, BNode) or str(s).startswith(BASE) for s in void.subjects())
    assert all("127.0.0.1" not in str(t) for triple in void for t in triple)  # nor a remote engine's address


def test_the_service_description_points_to_the_void(app_server: InProcess, void: Graph) -> None:
    """The SPARQL service description names the dataset description; followed on this server, it is this VoID."""
    response = app_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    sd = Graph()
    sd.parse(data=response.text, format="turtle")
    see_also = {str(o) for o in sd.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"))}
    paths = {"/" + url.split("/", 3)[3] for url in see_also if url.startswith((app_server.url, BASE))}
    assert "/.well-known/void" in paths
    followed = Graph()
    followed.parse(data=app_server.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert set(followed.subjects(RDF.type, VOID.DatasetDescription)) == set(void.subjects(RDF.type, VOID.DatasetDescription))
    # Without a public_url setting, the VoID names the endpoint where this request reached the service (the
    # in-process app believes it is at http://localhost), while the dataset keeps its IRI under the base.
    assert str(void.value(dataset_node(void), VOID.sparqlEndpoint)) == app_server.url + "/sparql"
    assert str(dataset_node(void)) == BASE + ".well-known/void#dataset"


def test_void_has_a_page_for_people_linked_from_home(app_server: InProcess, built: Built) -> None:
    home = Page(app_server.get("/").text)
    assert "/.well-known/void" in home.links
    page = app_server.get("/.well-known/void", headers={"Accept": "text/html"})
    assert page.status_code == 200 and not Page(page.text).errors
    assert f'data-void="triples">{distinct_triples(built)}<' in page.text

