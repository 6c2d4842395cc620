"""/sparql: the SPARQL 1.1 Protocol (query and update), the service description and the query UI.

- Query: GET ?query=, POST form-encoded query=, POST application/sparql-query; `default-graph-uri` and
  `named-graph-uri` per the protocol. Without them (and without FROM in the query) the default graph is
  the union of all named graphs.
- Update: POST application/sparql-update, or form-encoded update=, with `Authorization: Bearer <token>`
  (writes are off unless settings.write_token is set). Same URL as queries, as the protocol allows.
  `using-graph-uri` and `using-named-graph-uri` (query string or form, repeatable) give the dataset of
  every operation that matches a pattern (writes/dataset.py).
- Relative IRIs in queries and updates resolve against settings.base_iri, never this request's URL.
- GET without a query: the query UI for browsers, the service description (Turtle, ...) otherwise.
- A browser that opens /sparql?query=... (a shared link) gets the UI with that query loaded and run;
  any other client gets results.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, g, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from policygraph.errors import InputError, UnsupportedMediaType
from policygraph.formats import GRAPH_TYPES, GRAPHS, HTML
from policygraph.limits import MAX_DATASET_GRAPHS
from policygraph.namespaces import PREFIXES
from policygraph.sparql.description import service_description
from policygraph.sparql.service import EDITOR_START, Dataset, offers_for, parse_iri
from policygraph.web.context import catalogue, get_settings, get_store, query_service
from policygraph.web.responses import answer_response, base_url, requested, varies_by_host, wants_html, with_cors
from policygraph.writes import Operation, WriteRequest, authorise, check_update, commit

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
GRAPH_FORMAT_WORDS = {"xml": "rdfxml", "json": "jsonld", "n3": "turtle"}


# -- shared by the SPARQL, Graph Store and catalogue views


@bp.after_request
def cors_on_reads(response: Response) -> Response:
    """Reads are open to any origin, their errors included (so a page can show why); writes are not."""
    if not g.get("policygraph_write"):
        with_cors(response)
    return response


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the {what} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def _single(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise InputError(f"give '{name}' once; this request gives it {len(values)} times")
    return values[0] if values else None


def _count_graphs(params: MultiDict[str, str], first: str, second: str) -> None:
    """At most MAX_DATASET_GRAPHS graphs in a request's dataset: each is a part the engine assembles."""
    given = len(params.getlist(first)) + len(params.getlist(second))
    if given > MAX_DATASET_GRAPHS:
        raise InputError(f"this request names {given:,} graphs in {first} and {second}; the limit is {MAX_DATASET_GRAPHS:,}")


def _dataset(params: MultiDict[str, str]) -> Dataset:
    _count_graphs(params, "default-graph-uri", "named-graph-uri")
    defaults = [parse_iri(v, "default-graph-uri") for v in params.getlist("default-graph-uri")]
    named = [parse_iri(v, "named-graph-uri") for v in params.getlist("named-graph-uri")]
    return Dataset(defaults or None, named or None)


def _media_type() -> str:
    return (request.mimetype or "").lower()


# -- the endpoint


@bp.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    """CORS preflight for cross-origin reads (POST with application/sparql-query needs one)."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.get("/sparql")
def get() -> Response:
    params = request.args
    if "update" in params:
        raise InputError("a SPARQL Update must be sent by POST (application/sparql-update or form-encoded 'update')")
    text = _single(params, "query")
    if text is None:
        return _describe_or_ui()
    return _query(text, params, html_allowed=True)


@bp.post("/sparql")
def post() -> Response:
    kind = _media_type()
    if kind == SPARQL_QUERY:
        return _query(_decode(request.get_data(), "query"), request.args, html_allowed=False)
    if kind == SPARQL_UPDATE:
        return _update(_decode(request.get_data(), "update"), request.args)
    if kind in (FORM, "multipart/form-data"):
        params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        query, update = _single(params, "query"), _single(params, "update")
        if query is not None and update is not None:
            raise InputError("give either 'query' or 'update', not both")
        if update is not None:
            return _update(update, params)
        if query is None:
            raise InputError("the form has neither 'query' nor 'update'")
        return _query(query, params, html_allowed=False)
    raise UnsupportedMediaType(
        f"cannot read a request body of type {kind or '(none)'!r}: send {SPARQL_QUERY}, {SPARQL_UPDATE} or {FORM}"
    )


def _query(text: str, params: MultiDict[str, str], html_allowed: bool) -> Response:
    if html_allowed and wants_html() and params.get("format") in (None, "html"):
        # A shared link opened in a browser: the editor with the query, run there (errors show there too).
        return _ui(text, run=True)
    service = query_service()
    info = service.inspect(text)
    fmt = params.get("format")
    if fmt and info.is_graph:
        # Clients (SPARQLWrapper, Virtuoso-style) name graph formats by the words they use for results.
        fmt = GRAPH_FORMAT_WORDS.get(fmt.lower(), fmt)
    media = requested(offers_for(info), fmt)
    return answer_response(service.run(text, info, media, _dataset(params)))


def _describe_or_ui() -> Response:
    media = requested([*GRAPH_TYPES, HTML], request.args.get("format"))
    if media is HTML:
        return _ui(None, run=False)
    settings = get_settings()
    base = base_url(settings)
    graphs = [name.value for name in get_store().get().named_graphs() if isinstance(name, ox.NamedNode)]
    triples = service_description(base + "sparql", base + ".well-known/void", graphs, bool(settings.write_token))
    body = ox.serialize(triples, format=GRAPHS[media.name][1], **(
        {"prefixes": {"sd": "http://www.w3.org/ns/sparql-service-description#"}} if media.name == "turtle" else {}
    )) or b""
    response = Response(body, content_type=media.content_type)
    response.headers["Vary"] = "Accept"
    return varies_by_host(response, settings)


def _ui(text: str | None, run: bool) -> Response:
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "query": q.text}
        for q in catalogue().all().values()
    ]
    prologue = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    config = {
        "endpoint": url_for("sparql.get"),
        "prefixes": dict(PREFIXES),
        "examples": examples,
        "defaultQuery": prologue + "\n\n" + EDITOR_START,
        "query": text,
        "run": run,
    }
    html = render_template("sparql.html", config=config, examples=examples, settings=get_settings())
    response = Response(html, content_type=HTML.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _update(text: str, params: MultiDict[str, str]) -> Response:
    g.policygraph_write = True
    settings = get_settings()
    authorise(settings, request.headers.get("Authorization"))
    _count_graphs(params, "using-graph-uri", "using-named-graph-uri")
    write = WriteRequest(
        Operation.UPDATE, update=text,
        using_graphs=tuple(parse_iri(v, "using-graph-uri") for v in params.getlist("using-graph-uri")),
        using_named_graphs=tuple(parse_iri(v, "using-named-graph-uri") for v in params.getlist("using-named-graph-uri")),
    )
    check_update(settings, write)
    result = commit(settings, write)
    return jsonify({
        "status": "committed",
        "quads_before": result.quads_before,
        "quads_after": result.quads_after,
        "store": result.version,
    })
