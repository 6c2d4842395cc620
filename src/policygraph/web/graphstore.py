"""/rdf-graph-store: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

`?graph=<IRI>` names a graph, `?default` the default graph (here: the union of all named graphs for
GET, the store's own default graph for writes). GET is a public read; PUT (replace), POST (merge) and
DELETE need the write token and go through the same validated, all-or-nothing write path as SPARQL
Update.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from policygraph.errors import InputError, NotFound, UnsupportedMediaType
from policygraph.formats import GRAPH_TYPES
from policygraph.sparql.service import parse_iri
from policygraph.web.context import get_settings, query_service
from policygraph.web.responses import answer_response, requested, with_cors
from policygraph.writes import Operation, WriteRequest, authorise, commit

bp = Blueprint("graphstore", __name__)


@bp.after_request
def cors_on_reads(response: Response) -> Response:
    return with_cors(response) if request.method in ("GET", "HEAD") else response


def _target() -> str | None:
    """The graph IRI the request names, or None for the default graph."""
    graph = request.args.get("graph")
    default = "default" in request.args
    if graph is not None and default:
        raise InputError("name either ?graph=<IRI> or ?default, not both")
    if graph is None and not default:
        raise InputError("name the graph: ?graph=<IRI>, or ?default for the default graph")
    return parse_iri(graph, "graph") if graph is not None else None


@bp.get("/rdf-graph-store")
def read() -> Response:
    graph = _target()
    media = requested(GRAPH_TYPES, request.args.get("format"))
    answer = query_service().graph_content(graph, media)
    if answer.count == 0:
        raise NotFound(f"there is no graph {graph}" if graph else "the default graph is empty")
    return answer_response(answer, setting="max_graph_triples")


def _rdf_format() -> str:
    kind = (request.mimetype or "").lower()
    for media in GRAPH_TYPES:
        if media.matches(kind) and not (media.name == "ntriples" and kind == "text/plain"):
            return media.name
    accepted = ", ".join(m.mime for m in GRAPH_TYPES)
    raise UnsupportedMediaType(f"cannot read a graph sent as {kind or '(no Content-Type)'!r}: send one of {accepted}")


@bp.route("/rdf-graph-store", methods=["PUT", "POST"])
def write() -> Response:
    settings = get_settings()
    authorise(settings, request.headers.get("Authorization"))
    graph = _target()
    fmt = _rdf_format()
    operation = Operation.PUT if request.method == "PUT" else Operation.POST
    result = commit(settings, WriteRequest(operation, graph=graph, data=request.get_data(), rdf_format=fmt))
    return Response(status=201 if result.created else 204)


@bp.delete("/rdf-graph-store")
def delete() -> Response:
    settings = get_settings()
    authorise(settings, request.headers.get("Authorization"))
    commit(settings, WriteRequest(Operation.DELETE, graph=_target()))
    return Response(status=204)
