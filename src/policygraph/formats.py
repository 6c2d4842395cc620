"""Every media type policygraph reads or writes, and the serialiser behind each: SPARQL results, graphs,
datasets, HTML, JSON and the explorer's exports — the one copy of these tables.

Every response's Content-Type comes from here, so it always matches the body; which one a request gets
is chosen in web/responses.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class MediaType:
    name: str  # short name, used by `format=` and in links: 'turtle', 'json', ...
    mime: str  # the Content-Type we send
    suffix: str  # URL suffix without the dot: 'ttl'
    aliases: tuple[str, ...] = ()  # other media types clients send for it

    @property
    def content_type(self) -> str:
        textual = self.mime.startswith("text/") or self.mime.endswith(("+json", "+xml", "/json", "/xml"))
        textual = textual or self.mime in ("application/n-triples", "application/n-quads", "application/trig")
        return f"{self.mime}; charset=utf-8" if textual else self.mime

    def matches(self, mime: str) -> bool:
        return mime == self.mime or mime in self.aliases


# SELECT and ASK results.
RESULTS: dict[str, tuple[MediaType, ox.QueryResultsFormat]] = {
    "json": (MediaType("json", "application/sparql-results+json", "srj", ("application/json",)), ox.QueryResultsFormat.JSON),
    "xml": (
        MediaType("xml", "application/sparql-results+xml", "srx", ("application/xml", "text/xml")),
        ox.QueryResultsFormat.XML,
    ),
    "csv": (MediaType("csv", "text/csv", "csv"), ox.QueryResultsFormat.CSV),
    "tsv": (MediaType("tsv", "text/tab-separated-values", "tsv"), ox.QueryResultsFormat.TSV),
}

# Graphs (CONSTRUCT, DESCRIBE, resource descriptions) and datasets (dumps).
GRAPHS: dict[str, tuple[MediaType, ox.RdfFormat]] = {
    "turtle": (MediaType("turtle", "text/turtle", "ttl", ("application/x-turtle",)), ox.RdfFormat.TURTLE),
    "ntriples": (MediaType("ntriples", "application/n-triples", "nt", ("text/plain",)), ox.RdfFormat.N_TRIPLES),
    "jsonld": (MediaType("jsonld", "application/ld+json", "jsonld", ("application/json",)), ox.RdfFormat.JSON_LD),
    "rdfxml": (MediaType("rdfxml", "application/rdf+xml", "rdf", ("application/xml", "text/xml")), ox.RdfFormat.RDF_XML),
}
DATASETS: dict[str, tuple[MediaType, ox.RdfFormat]] = {
    "nquads": (MediaType("nquads", "application/n-quads", "nq"), ox.RdfFormat.N_QUADS),
    "trig": (MediaType("trig", "application/trig", "trig"), ox.RdfFormat.TRIG),
}
HTML = MediaType("html", "text/html", "html", ("application/xhtml+xml",))

FORMAT_ALIASES = {
    "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml",
    "rdf+xml": "rdfxml", "nq": "nquads", "n-quads": "nquads", "srj": "json", "srx": "xml", "text/turtle": "turtle",
}


def by_suffix(suffix: str, offers: list[MediaType]) -> MediaType | None:
    for offer in offers:
        if offer.suffix == suffix or offer.name == suffix:
            return offer
    return None


RESULT_TYPES = [mt for mt, _ in RESULTS.values()]
GRAPH_TYPES = [mt for mt, _ in GRAPHS.values()]


# Every RDF serialisation by name (the CLI's export, the dumps).
RDF: dict[str, tuple[MediaType, ox.RdfFormat]] = {**GRAPHS, **DATASETS}

# N3 is asked for by clients that read it; every Turtle document is N3, so N3 is written as Turtle.
N3 = MediaType("n3", "text/n3", "n3", ("text/rdf+n3",))

# The forms of a linked-data document (a resource, a list of a kind, the dataset description), after
# HTML: the graph syntaxes, N3, and the dataset syntaxes, which keep the named graph of each statement.
DOCUMENTS: dict[str, tuple[MediaType, ox.RdfFormat]] = {**GRAPHS, "n3": (N3, ox.RdfFormat.TURTLE), **DATASETS}
DOCUMENT_TYPES = [mt for mt, _ in DOCUMENTS.values()]


def rdf_format(media: MediaType) -> ox.RdfFormat:
    return DOCUMENTS[media.name][1]


def keeps_graphs(media: MediaType) -> bool:
    """True for the dataset syntaxes (N-Quads, TriG): a document in them holds quads, not triples."""
    return media.name in DATASETS


def results_format_of(mime: str) -> ox.QueryResultsFormat | None:
    """The results format of a body sent with media type `mime` (a remote engine's answer), if any."""
    return next((fmt for media, fmt in RESULTS.values() if media.matches(mime)), None)


def rdf_format_of(mime: str) -> ox.RdfFormat | None:
    """The RDF format of a body sent with media type `mime`, if any."""
    return next((fmt for media, fmt in RDF.values() if media.matches(mime)), None)


# Network exports of the partnership explorer (networkx writers), served at /api/export.<suffix>.
EXPORTS: dict[str, MediaType] = {
    "graphml": MediaType("graphml", "application/graphml+xml", "graphml"),
    "gexf": MediaType("gexf", "application/gexf+xml", "gexf"),
    "csv": MediaType("csv", "text/csv", "csv"),
}

# Plain JSON documents (the query catalogue's list, write reports).
JSON = MediaType("json", "application/json", "json")
