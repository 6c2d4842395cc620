"""The SPARQL 1.1 Service Description of /sparql, for RDF clients that GET the endpoint without a query."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from policygraph import prefixes
from policygraph.prefixes import DCTERMS, RDFS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode(prefixes.RDF_TYPE)
VOID = "http://rdfs.org/ns/void#"
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"

# The W3C format IRIs of what /sparql answers in (see formats.py).
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
)


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def service_description(
    endpoint: str, void_url: str, named_graphs: Iterable[str], writes_enabled: bool
) -> list[ox.Triple]:
    """Triples describing the endpoint: languages, formats, features and the dataset it serves.

    The default graph is the RDF merge of all named graphs (sd:UnionDefaultGraph; policygraph keeps it
    as the store's default graph, store/merge.py) unless a request names its dataset with
    default-graph-uri / named-graph-uri or the query uses FROM / FROM NAMED.
    """
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode(ENTAILMENT_SIMPLE)),
        ox.Triple(service, ox.NamedNode(DCTERMS + "description"), ox.Literal(
            "SPARQL endpoint of policygraph. Without default-graph-uri, named-graph-uri, FROM or FROM NAMED "
            "the default graph is the RDF merge of all named graphs (each triple once). SERVICE and LOAD are refused. "
            + ("Writes (SPARQL Update, Graph Store Protocol) need a bearer token and are validated with "
               "the SHACL shapes before commit." if writes_enabled else "The endpoint is read-only."),
            language="en",
        )),
        ox.Triple(service, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(void_url)),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(void_url)),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(RDFS + "comment"),
                  ox.Literal("The union of all named graphs of the dataset.", language="en")),
    ]
    if writes_enabled:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    for name in RESULT_FORMAT_IRIS:
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for graph in sorted(named_graphs):
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), ox.NamedNode(graph)),
        ]
    return triples
