"""The partnership explorer: the /explore page and the /api/... JSON it uses. Views are thin: parse the
request, call the `Explorer` service, answer."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from policygraph.errors import InputError, NotFound
from policygraph.explore import Explorer, OxigraphSparql
from policygraph.formats import EXPORTS
from policygraph.web.context import get_settings, get_store

bp = Blueprint("explore", __name__)

FILTER_PARAMS = ("issue", "basket", "type", "kind", "initiatives")


def explorer() -> Explorer:
    """The explorer for the store's current build, rebuilt only when another build becomes current."""
    handle = get_store()
    version = getattr(handle, "version", None)
    cached = current_app.extensions.get("policygraph.explorer")
    if cached is not None and version is not None and cached[0] == version:
        return cached[1]
    fresh = Explorer(OxigraphSparql(handle.get()), get_settings().base_iri)
    current_app.extensions["policygraph.explorer"] = (version, fresh)
    return fresh


def int_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {value!r}") from None


def filter_args() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_PARAMS if request.args.get(k)}


@bp.get("/explore")
def page():  # type: ignore[no-untyped-def]
    ex = explorer()
    facets = ex.facets()
    api = "/api/graph" + ("?" + urlencode(filter_args()) if filter_args() else "")
    response = Response(render_template("explore.html", facets=facets), mimetype="text/html")
    response.headers["Link"] = f'<{api}>; rel="alternate"; type="application/json"'
    return response


@bp.get("/api/facets")
def facets():  # type: ignore[no-untyped-def]
    return jsonify(explorer().facets())


@bp.get("/api/graph")
def graph():  # type: ignore[no-untyped-def]
    return jsonify(explorer().graph(filter_args()))


@bp.get("/api/names")
def names():  # type: ignore[no-untyped-def]
    """The explorer's search box: names that contain `q` (ranked full-text search is /api/search)."""
    return jsonify(explorer().search(request.args.get("q"), int_arg("limit", 10)))


@bp.get("/api/node")
def node():  # type: ignore[no-untyped-def]
    return jsonify(explorer().node(request.args.get("iri"), int_arg("depth", 1), int_arg("limit", 100)))


@bp.get("/api/paths")
def paths():  # type: ignore[no-untyped-def]
    ex = explorer()
    result = ex.paths(request.args.get("from"), request.args.get("to"), request.args.get("via"),
                      int_arg("limit", 3), int_arg("maxHops", 6))
    return jsonify(result)


@bp.get("/api/analytics")
def analytics():  # type: ignore[no-untyped-def]
    return jsonify(explorer().analytics(int_arg("top", 25)))


@bp.get("/api/export.<fmt>")
def export(fmt: str):  # type: ignore[no-untyped-def]
    media = EXPORTS.get(fmt)
    if media is None:
        raise NotFound(f"no export as .{fmt}: choose one of " + ", ".join(f".{k}" for k in EXPORTS))
    body, filename = explorer().export(
        fmt,
        filter_args(),
        network=request.args.get("network") or "view",
        node=request.args.get("node"),
        depth=int_arg("depth", 1),
        limit=int_arg("limit", 100),
    )
    response = Response(body, content_type=media.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
