"""The dataset description: VoID and DCAT in one graph, served at /.well-known/void.

It names the SPARQL endpoint and the dumps (with sizes, counts and checksums), gives counts per class,
property and named graph, the vocabularies used, the licence, and where the data comes from.
The dataset's IRI hangs under the base; the endpoint and dumps under where the service is published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD

from policygraph.linked.counts import DatasetCounts
from policygraph.linked.dumps import DumpSet
from policygraph.linked.iris import IriMap
from policygraph.prefixes import PG

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"

TITLE = "policygraph: digital policy of Geneva organisations"
DESCRIPTION = (
    "The digital-policy profiles of ten Geneva-based organisations as a knowledge graph: the organisations, "
    "the policy issues they work on, their initiatives and publications, their partnerships, and the source "
    "text behind every fact. Validated with SHACL; every curated fact cites a verbatim quote and its section."
)
SOURCE_TITLE = "Geneva Digital Atlas profiles"
SOURCE_PUBLISHER = "Geneva Internet Platform"
SOURCE_NOTE = (
    "Profiles in the format of the Geneva Digital Atlas, published by the Geneva Internet Platform; "
    "copied unchanged into data/sources/ (see data/sources/README.md)."
)
FORMAT_FEATURES = {
    "turtle": FORMATS.Turtle, "ntriples": FORMATS["N-Triples"], "rdfxml": FORMATS.RDF_XML,
    "nquads": FORMATS["N-Quads"], "trig": FORMATS.TriG, "jsonld": FORMATS["JSON-LD"],
}
VOID_PATH = ".well-known/void"


@dataclass(frozen=True)
class SourceFile:
    path: str  # as the profiles record it: relative to the project root
    sha256: str | None  # None when this server has no copy of the file


def dataset_iri(map_: IriMap) -> str:
    return map_.base + VOID_PATH + "#dataset"


def source_paths(store: ox.Store) -> list[str]:
    """The source files the profiles record (pg:sourceFile), relative to the project root."""
    return sorted({q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(PG + "sourceFile"), None, None)})


def profiled_organisations(store: ox.Store) -> list[str]:
    """Organisations with a profile, by IRI: good example resources."""
    return sorted({q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(PG + "profile"), None, None)})


def source_files(paths: list[str], root: Path) -> list[SourceFile]:
    out = []
    for rel in sorted(set(paths)):
        file = root / rel
        digest = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None
        out.append(SourceFile(rel, digest))
    return out


def void_graph(
    map_: IriMap,
    counts: DatasetCounts,
    dumps: DumpSet | None,
    sources: list[SourceFile],
    license_iri: str | None,
    examples: list[str],
    modified: str | None = None,
) -> Graph:
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("sd", SD), ("spdx", SPDX),
                       ("prov", PROV), ("foaf", FOAF), ("formats", FORMATS), ("xsd", XSD)):
        g.bind(prefix, ns)
    ds = URIRef(dataset_iri(map_))
    doc = URIRef(map_.base + VOID_PATH)
    endpoint = URIRef(map_.root_url("sparql"))
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, FOAF.primaryTopic, ds))
    g.add((doc, DCTERMS.title, Literal(f"Description of the dataset '{TITLE}'", lang="en")))
    for cls in (VOID.Dataset, DCAT.Dataset):
        g.add((ds, RDF.type, cls))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, FOAF.homepage, URIRef(map_.root)))
    g.add((ds, DCAT.landingPage, URIRef(map_.root)))
    if license_iri:
        g.add((ds, DCTERMS.license, URIRef(license_iri)))
    if modified:
        g.add((ds, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    for word in ("digital policy", "International Geneva", "organisations", "partnerships", "linked data"):
        g.add((ds, DCAT.keyword, Literal(word, lang="en")))
    g.add((ds, VOID.uriSpace, Literal(map_.id_base)))
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    for example in examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))
    _counts(g, ds, counts)
    _sources(g, ds, sources)
    _service(g, ds, endpoint, map_)
    if dumps is not None:
        _dumps(g, ds, dumps, map_)
    return g


def _counts(g: Graph, ds: URIRef, counts: DatasetCounts) -> None:
    g.add((ds, VOID.triples, Literal(counts.triples, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(counts.subjects, datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(counts.properties, datatype=XSD.integer)))
    g.add((ds, VOID.distinctObjects, Literal(counts.objects, datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(counts.classes), datatype=XSD.integer)))
    for cls, n in sorted(counts.classes.items()):
        part = URIRef(f"{ds}-class-{_slug(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for prop, n in sorted(counts.property_triples.items()):
        part = URIRef(f"{ds}-property-{_slug(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for graph, n in sorted(counts.graphs.items()):
        sub = URIRef(f"{ds}-graph-{_slug(graph)}")
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph)))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    for vocab in vocabularies(counts):
        g.add((ds, VOID.vocabulary, URIRef(vocab)))


def vocabularies(counts: DatasetCounts) -> list[str]:
    """The namespaces of every property and class used (what VoID calls the vocabularies of a dataset)."""
    out = set()
    for term in [*counts.property_triples, *counts.classes]:
        cut = max(term.rfind("#"), term.rfind("/"))
        if cut > 0 and "/id/" not in term:  # our own resource concepts are data, not vocabularies
            out.add(term[: cut + 1])
    return sorted(out)


def _sources(g: Graph, ds: URIRef, sources: list[SourceFile]) -> None:
    for i, source in enumerate(sources):
        node = URIRef(f"{ds}-source-{i + 1}")
        g.add((ds, DCTERMS.source, node))
        g.add((ds, PROV.wasDerivedFrom, node))
        g.add((node, RDF.type, FOAF.Document))
        g.add((node, DCTERMS.title, Literal(f"{SOURCE_TITLE}: {source.path}", lang="en")))
        g.add((node, DCTERMS.publisher, Literal(SOURCE_PUBLISHER)))
        g.add((node, RDFS.comment, Literal(SOURCE_NOTE, lang="en")))
        if source.sha256:
            _checksum(g, node, source.sha256)


def _service(g: Graph, ds: URIRef, endpoint: URIRef, map_: IriMap) -> None:
    service = URIRef(f"{ds}-sparql-service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))  # the endpoint answers with its service description
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint (read-only)", lang="en")))
    dist = URIRef(f"{ds}-distribution-sparql")
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.accessURL, endpoint))
    g.add((dist, DCAT.accessService, service))
    g.add((dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))


def _dumps(g: Graph, ds: URIRef, dumps: DumpSet, map_: IriMap) -> None:
    for f in dumps.rdf_files:
        url = URIRef(map_.root_url(f"dumps/{f.name}"))
        dist = URIRef(f"{ds}-dump-{f.format}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f.title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(map_.root_url("dumps"))))
        g.add((dist, DCAT.mediaType, URIRef(IANA + f.media_type)))
        g.add((dist, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
        if f.unit == "triples":
            g.add((dist, VOID.triples, Literal(f.count, datatype=XSD.integer)))
        else:
            g.add((dist, RDFS.comment, Literal(f"{f.count} quads in named graphs", lang="en")))
        if f.format in FORMAT_FEATURES:
            g.add((ds, VOID.feature, FORMAT_FEATURES[f.format]))
            g.add((dist, DCTERMS.conformsTo, FORMAT_FEATURES[f.format]))
        _checksum(g, dist, f.sha256)
    g.add((ds, RDFS.seeAlso, URIRef(map_.root_url("dumps/context.jsonld"))))


def _checksum(g: Graph, node: URIRef, sha256: str) -> None:
    checksum = BNode()
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def _slug(iri: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in iri.split("://", 1)[-1]).strip("-").lower()
