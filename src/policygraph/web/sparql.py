"""/sparql: the SPARQL 1.1 Protocol (query and update), the service description and the query UI.

- Query: GET ?query=, POST form-encoded query=, POST application/sparql-query; `default-graph-uri` and
  `named-graph-uri` per the protocol. Without them (and without FROM in the query) the default graph is
  the union of all named graphs.
- Update: POST application/sparql-update, or form-encoded update=, with `Authorization: Bearer <token>`
  (writes are off unless settings.write_token is set). Same URL as queries, as the protocol allows.
- GET without a query: the query UI for browsers, the service description (Turtle, ...) otherwise.
- A browser that opens /sparql?query=... (a shared link) gets the UI with that query loaded and run;
  any other client gets results.
"""

from __future__ import annotations

import threading
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from policygraph.errors import InputError
from policygraph.namespaces import PREFIXES
from policygraph.queries import Catalogue
from policygraph.settings import Settings
from policygraph.sparql.description import service_description
from policygraph.sparql.errors import UnsupportedMediaType
from policygraph.sparql.service import EDITOR_START, Answer, Dataset, QueryService, offers_for, parse_iri
from policygraph.sparql.writes import WriteRequest, WriteResult, authorise, check_update, perform_write
from policygraph.web.app import get_settings, get_store
from policygraph.web.errors import wants_html
from policygraph.web.mediatypes import GRAPH_TYPES, GRAPHS, HTML, negotiate

bp = Blueprint("sparql", __name__)

_LOCK = threading.Lock()
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
GRAPH_FORMAT_WORDS = {"xml": "rdfxml", "json": "jsonld", "n3": "turtle"}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Policygraph-Truncated, X-Policygraph-Results, X-Policygraph-Cache, X-Policygraph-Version, ETag",
}


# -- shared by the SPARQL, Graph Store and catalogue views


def query_service() -> QueryService:
    """The app's query service (its worker pool starts on first use, or at `policygraph serve`)."""
    return service_for(current_app.extensions)


def service_for(extensions: dict[str, Any]) -> QueryService:
    with _LOCK:
        service = extensions.get("policygraph.query_service")
        if service is None:
            service = extensions["policygraph.query_service"] = QueryService(extensions["policygraph.settings"])
        return service


def catalogue() -> Catalogue:
    with _LOCK:
        found = current_app.extensions.get("policygraph.catalogue")
        if found is None:
            settings = get_settings()
            found = Catalogue(settings.path(settings.queries_dir), settings.base_iri)
            current_app.extensions["policygraph.catalogue"] = found
        return found


def base_url(settings: Settings) -> str:
    """Where this server is reached: the configured public URL, else the request's own host."""
    return (settings.public_url.rstrip("/") + "/") if settings.public_url else request.host_url


def answer_response(answer: Answer) -> Response:
    """The answer as a response; GET and HEAD with a matching If-None-Match get 304 Not Modified."""
    response = Response(answer.body, status=200, content_type=answer.media.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Policygraph-Results"] = str(answer.count)
    # Which lane answered: a worker lane (see sparql/pool.py) or the result cache (sparql/cache.py).
    response.headers["X-Policygraph-Lane"] = answer.lane
    response.headers["X-Policygraph-Cache"] = "hit" if answer.lane == "cache" else "miss"
    if answer.version:
        response.headers["X-Policygraph-Version"] = answer.version  # changes with every build and write
    if answer.truncated:
        response.headers["X-Policygraph-Truncated"] = "true"
    if answer.etag:
        # Clients may keep the answer but must ask again; the ETag makes asking again cheap.
        response.headers["ETag"] = answer.etag
        response.headers["Cache-Control"] = "no-cache"
        if request.method in ("GET", "HEAD") and request.if_none_match.contains(answer.etag.strip('"')):
            response.status_code = 304
            response.set_data(b"")
            for header in ("Content-Length", "X-Policygraph-Truncated"):
                response.headers.pop(header, None)
    return response


def commit(settings: Settings, write: WriteRequest) -> WriteResult:
    """A validated write to the local store (sparql/writes.py) or to the remote one (sparql/remote_writes.py)."""
    if not settings.store_is_remote:
        return perform_write(settings, write)
    from policygraph.sparql.remote_writes import perform_remote_write
    from policygraph.store.remote import remote_version

    created, before, after = perform_remote_write(settings, write)
    return WriteResult(True, 201 if created else 200, "committed", created=created, quads_before=before,
                       quads_after=after, version=remote_version(settings))


def with_cors(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response


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


def _dataset(params: MultiDict[str, str]) -> Dataset:
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
    media = negotiate(request.headers.get("Accept"), offers_for(info), fmt)
    return answer_response(service.run(text, info, media, _dataset(params)))


def _describe_or_ui() -> Response:
    media = negotiate(request.headers.get("Accept"), [*GRAPH_TYPES, HTML], request.args.get("format"))
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
    return response


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
    if params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri"):
        raise InputError("using-graph-uri and using-named-graph-uri are not supported: write USING or WITH in the update")
    check_update(settings, text)
    result = commit(settings, WriteRequest(operation="update", update=text))
    return jsonify({
        "status": "committed",
        "quads_before": result.quads_before,
        "quads_after": result.quads_after,
        "store": result.version,
    })
