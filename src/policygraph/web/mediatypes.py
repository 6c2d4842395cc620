"""The one place that maps Accept headers, `format=` parameters and URL suffixes to serialisers.

Every response's Content-Type comes from here, so it always matches the body.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from policygraph.errors import NotAcceptable


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
    "rdf+xml": "rdfxml", "nq": "nquads", "srj": "json", "srx": "xml", "text/turtle": "turtle",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """'text/turtle;q=0.9, */*;q=0.1' -> [('text/turtle', 0.9), ('*/*', 0.1)], best first (stable)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    entries: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        if not mime:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        entries.append((mime, q, position))
    # More specific ranges win ties in quality, as RFC 9110 says for matching.
    entries.sort(key=lambda e: (-e[1], e[0].count("*"), e[2]))
    return [(m, q) for m, q, _ in entries]


def _covers(range_: str, offer: MediaType) -> bool:
    if range_ == "*/*":
        return True
    if range_.endswith("/*"):
        return offer.mime.split("/")[0] == range_[:-2]
    return offer.matches(range_)


def negotiate(accept: str | None, offers: list[MediaType], format_param: str | None = None) -> MediaType:
    """Choose the offer for a request. `format=` wins over Accept; the first offer is the default.

    Raises NotAcceptable (406) naming what can be served when nothing acceptable is on offer.
    """
    if format_param:
        name = FORMAT_ALIASES.get(format_param.lower(), format_param.lower())
        for offer in offers:
            if name in (offer.name, offer.suffix) or offer.matches(name):
                return offer
        raise NotAcceptable(
            f"unknown format {format_param!r}: this resource is available as "
            + ", ".join(o.name for o in offers)
        )
    ranges = parse_accept(accept)
    refused = {m for m, q in ranges if q == 0.0}
    for range_, q in ranges:  # best quality first, specific before wildcard
        if q == 0.0:
            continue
        for offer in offers:  # the server's order of preference breaks ties
            if offer.mime not in refused and _covers(range_, offer):
                return offer
    raise NotAcceptable(f"cannot produce any of '{accept}': available are " + ", ".join(o.mime for o in offers))


def by_suffix(suffix: str, offers: list[MediaType]) -> MediaType | None:
    for offer in offers:
        if offer.suffix == suffix or offer.name == suffix:
            return offer
    return None


RESULT_TYPES = [mt for mt, _ in RESULTS.values()]
GRAPH_TYPES = [mt for mt, _ in GRAPHS.values()]
DATASET_TYPES = [mt for mt, _ in DATASETS.values()]


def results_format(media: MediaType) -> ox.QueryResultsFormat:
    return RESULTS[media.name][1]


def rdf_format(media: MediaType) -> ox.RdfFormat:
    return {**GRAPHS, **DATASETS}[media.name][1]


# Network exports of the partnership explorer (networkx writers); added for /api/export.<suffix>.
EXPORTS: dict[str, MediaType] = {
    "graphml": MediaType("graphml", "application/graphml+xml", "graphml"),
    "gexf": MediaType("gexf", "application/gexf+xml", "gexf"),
    "csv": MediaType("csv", "text/csv", "csv"),
}

# Plain JSON documents (the query catalogue's list, write reports); added for issue 5.
JSON = MediaType("json", "application/json", "json")
