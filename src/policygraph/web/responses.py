"""Negotiation and answering, the one place: which form a request gets (Accept, `format=`), whether a
client wants a page, and how a SPARQL answer becomes a response.

- `negotiate` chooses among a view's offers: `format=` wins over Accept; among Accept's ranges the best
  quality wins, a specific range before a wildcard; the server's order of offers breaks ties, so the
  first offer is the default. Nothing acceptable: 406 naming what can be served.
- `wants_html` is the test for pages (errors, not-found pages, the query UI): the client names HTML and
  prefers it to every other type it names — browsers do; curl, SPARQL clients and `*/*` don't.
"""

from __future__ import annotations

from flask import Response, request

from policygraph.errors import NotAcceptable, ResultTooLarge
from policygraph.formats import FORMAT_ALIASES, HTML, MediaType
from policygraph.limits import MAX_ACCEPT, PARAMETER_LIMITS, check_length
from policygraph.settings import Settings
from policygraph.sparql.service import Answer

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Policygraph-Results, X-Policygraph-Cache, X-Policygraph-Version, ETag",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """'text/turtle;q=0.9, */*;q=0.1' -> [('text/turtle', 0.9), ('*/*', 0.1)], best first (stable).

    A header over MAX_ACCEPT is refused (400) before any view runs (web/bounds.py); here it is refused
    again, for callers outside a request's checks."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    check_length("the Accept header", header, MAX_ACCEPT)
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
        check_length("the parameter 'format'", format_param, PARAMETER_LIMITS["format"])
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


def requested(offers: list[MediaType], format_param: str | None = None) -> MediaType:
    """`negotiate` for the current request's Accept header."""
    return negotiate(request.headers.get("Accept"), offers, format_param)


def wants_html() -> bool:
    """True when the request's Accept names HTML and ranks it at least as high as any other type it names
    (wildcards aside)."""
    header = request.headers.get("Accept")
    if header is not None and len(header) > MAX_ACCEPT:
        return False  # the request is being refused for it (web/bounds.py): the error goes out as JSON
    ranges = parse_accept(header)
    html = max((q for mime, q in ranges if HTML.matches(mime)), default=0.0)
    other = max((q for mime, q in ranges if not HTML.matches(mime) and "*" not in mime), default=0.0)
    return html > 0 and html >= other


def base_url(settings: Settings) -> str:
    """Where this server is reached: the configured public URL, else the request's own host and mount
    point. A response that names it without a public URL depends on the request's host: see `varies_by_host`.
    A Host header werkzeug refuses as malformed (it reads as empty) gets the dataset's base instead."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    return request.url_root if request.host else settings.resource_base


def varies_by_host(response: Response, settings: Settings) -> Response:
    """`Vary: Host` on a response whose links come from the request's host (no public URL is configured),
    so that no cache between hosts hands one host's links to another."""
    if not settings.public_url:
        response.vary.add("Host")
    return response


def refuse_cut(answer: Answer, setting: str = "max_results") -> None:
    """No answer is sent cut short: one over the server's cap is refused, saying how to get all of it."""
    if not answer.truncated:
        return
    graph = answer.info is not None and answer.info.is_graph
    what = "triples" if graph else "solutions"
    paging = ("" if graph else
              f" Ask for it in pages: ORDER BY, then LIMIT {answer.count:,} OFFSET 0, OFFSET {answer.count:,} and so on;"
              " or count first with COUNT(*).")
    raise ResultTooLarge(
        f"the answer has more than {answer.count:,} {what}, the most this server sends in one response "
        f"(setting {setting}); it is refused rather than sent incomplete.{paging} "
        "The whole dataset downloads from /dumps in every RDF format."
    )


def answer_response(answer: Answer, setting: str = "max_results") -> Response:
    """The answer as a response (never a cut one: see `refuse_cut`); GET and HEAD with a matching
    If-None-Match get 304 Not Modified."""
    refuse_cut(answer, setting)
    response = Response(answer.body, status=200, content_type=answer.media.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Policygraph-Results"] = str(answer.count)
    # Which lane answered: a worker lane (see sparql/pool.py) or the result cache (sparql/cache.py).
    response.headers["X-Policygraph-Lane"] = answer.lane
    response.headers["X-Policygraph-Cache"] = "hit" if answer.lane == "cache" else "miss"
    if answer.version:
        response.headers["X-Policygraph-Version"] = answer.version  # changes with every build and write
    if answer.etag:
        # Clients may keep the answer but must ask again; the ETag makes asking again cheap.
        response.headers["ETag"] = answer.etag
        response.headers["Cache-Control"] = "no-cache"
        if request.method in ("GET", "HEAD") and request.if_none_match.contains(answer.etag.strip('"')):
            response.status_code = 304
            response.set_data(b"")
            response.headers.pop("Content-Length", None)
    return response


def with_cors(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response
