"""Ranked full-text search: the /search page and its JSON twin /api/search. The index (policygraph/search/)
is built from the store on the first search of each store version, so the search after a build or a
committed write sees it."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from policygraph.errors import InputError
from policygraph.explore.sparql import OxigraphSparql
from policygraph.limits import MAX_PAGE
from policygraph.search import KINDS, SearchIndex, SearchResult, read_documents, read_labels
from policygraph.search.files import index_file, read_index
from policygraph.search.index import FACETS, PAGE_SIZE
from policygraph.store import dataset_version, open_dataset
from policygraph.web.context import get_settings, get_store
from policygraph.web.resources import iri_map

bp = Blueprint("search", __name__)
INDEX = "policygraph.search_index"
_LOCK = threading.Lock()


def search_index() -> SearchIndex:
    """The index of the store's current version: the file `policygraph build` wrote for it, or else built on
    the first search after each build or write (one pass over the store, about half a second on the real
    data); then shared by every request.

    The version is read afresh at every search (a link's name, or the remote store's counter), and a new
    version's documents are read from a store opened afresh, so the search right after a committed write
    sees it (the app's store handle looks at the link once a second only)."""
    settings = get_settings()
    version = dataset_version(settings)
    with _LOCK:
        cached: tuple[str, SearchIndex] | None = current_app.extensions.get(INDEX)
        if cached is None or cached[0] != version:
            index = None if settings.store_is_remote else read_index(index_file(settings.store_path, version))
            if index is None:
                base = settings.base_iri
                store = get_store().get() if settings.store_is_remote else open_dataset(settings)
                sparql = OxigraphSparql(store)  # type: ignore[arg-type]  # a RemoteDataset answers alike
                index = SearchIndex(read_documents(sparql, base), base + "id/", read_labels(sparql))
            cached = current_app.extensions[INDEX] = (version, index)
        return cached[1]


def _page() -> int:
    value = (request.args.get("page") or "1").strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise InputError(f"the parameter 'page' must be a whole number from 1 to {MAX_PAGE}, not {value!r}")
    return int(value)


def _filters() -> dict[str, str]:
    chosen = {name: request.args[name].strip() for name in FACETS if (request.args.get(name) or "").strip()}
    if "kind" in chosen and chosen["kind"] not in KINDS:
        raise InputError(f"the parameter 'kind' must be one of {', '.join(KINDS)}, not {chosen['kind']!r}")
    return chosen


def run_search() -> tuple[SearchIndex, SearchResult]:
    q = (request.args.get("q") or "").strip()
    if not q:
        raise InputError("the parameter 'q' is empty: give some text to search for, q=...")
    index = search_index()
    return index, index.search(request.args.get("q") or "", _filters(), _page())


def as_json(index: SearchIndex, result: SearchResult) -> dict[str, Any]:
    """One flat list, best first, each result with its kind; facets as value, label and count."""
    return {
        "q": result.q, "filters": result.filters, "total": result.total,
        "page": result.page, "pages": result.pages, "pageSize": PAGE_SIZE,
        "results": [{
            "iri": hit.iri, "kind": hit.kind, "label": hit.label, "snippet": hit.snippet,
            "profiles": [{"iri": p, "key": index.key(p), "label": index.facet_label("profile", index.key(p))}
                         for p in hit.profiles],
            "section": {"iri": hit.section, "label": index.labels.get(hit.section, "")} if hit.section else None,
            "score": round(hit.score, 4),
        } for hit in result.hits],
        "facets": {name: [{"value": value, "label": index.facet_label(name, value), "count": count}
                          for value, count in values] for name, values in result.facets.items()},
    }


@bp.get("/api/search")
def api_search() -> Response:
    return jsonify(as_json(*run_search()))


@bp.get("/search")
def page() -> Response:
    q = (request.args.get("q") or "").strip()
    data: dict[str, Any] | None = as_json(*run_search()) if q else None
    kept = {name: value for name, value in request.args.items() if name in ("q", *FACETS) and value}

    def url(**changes: str | int | None) -> str:
        """This search with some parameters changed (None: removed); the page is kept only when given."""
        args = dict(kept)
        for name, value in changes.items():
            if value is None:
                args.pop(name, None)
            else:
                args[name] = str(value)
        return "/search?" + urlencode(args)

    groups: dict[str, list[dict[str, Any]]] = {}
    for hit in (data or {}).get("results", []):
        groups.setdefault(hit["kind"], []).append(hit)
    html = render_template("search.html", q=q, data=data, groups=groups, kinds=KINDS, url=url, href=iri_map().href,
                           facets=FACETS)
    response = Response(html, mimetype="text/html")
    response.headers["Link"] = f'<{"/api/search?" + urlencode(kept)}>; rel="alternate"; type="application/json"'
    return response
