"""Dereferenceable IRIs: /id/<kind>/<slug> in HTML, Turtle, N-Triples, JSON-LD and RDF/XML.

The form comes from the Accept header (with q-values) or from a suffix URL (.html .ttl .nt .jsonld
.rdf). Every response names the other forms in `Link: rel="alternate"` headers; negotiated responses
say `Vary: Accept` and where the chosen form lives (`Content-Location`). /id/<kind>/ lists a kind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from policygraph.errors import NotFound
from policygraph.formats import GRAPH_TYPES, HTML, MediaType, by_suffix, rdf_format
from policygraph.limits import MAX_KEY, MAX_SEARCH, shorten, too_long
from policygraph.linked.describe import describe, serialize
from policygraph.linked.iris import ALL_KINDS, IriMap
from policygraph.linked.pages import index_page, kind_counts, page_for, suggestions, titled_counts
from policygraph.linked.reader import Reader
from policygraph.linked.suggest import SuggestionIndex
from policygraph.web.context import get_settings, get_store
from policygraph.web.responses import requested, wants_html

bp = Blueprint("resources", __name__)
SUGGESTIONS = "policygraph.suggestions"
_INDEX_LOCK = threading.Lock()

# The server's order of preference: browsers (and */*) get HTML; RDF clients name their syntax.
FORMS: list[MediaType] = [HTML, *GRAPH_TYPES]


def iri_map() -> IriMap:
    settings = get_settings()
    return IriMap.of(settings.base_iri, settings.public_url, request.script_root)


def reader() -> Reader:
    return Reader(get_store().get(), iri_map())


def link_header(path: str, served: MediaType | None) -> str:
    """`Link` alternates between the forms of one document (`path` without suffix)."""
    return ", ".join(
        f'<{path}.{form.suffix}>; rel="alternate"; type="{form.mime}"' for form in FORMS if form is not served
    )


def choose_form(suffix: str | None) -> MediaType:
    if suffix is not None:
        form = by_suffix(suffix, FORMS)
        if form is None:
            raise NotFound(f"no form '.{suffix}': available are " + ", ".join("." + f.suffix for f in FORMS))
        return form
    return requested(FORMS, request.args.get("format"))


def negotiated(
    path: str,
    suffix: str | None,
    html: Callable[[], str],
    triples: Callable[[], list[ox.Triple]],
) -> Response:
    """One document in the form the client asked for, with the headers that link its forms."""
    form = choose_form(suffix)
    if form is HTML:
        body: bytes | str = html()
    else:
        body = serialize(triples(), rdf_format(form), iri_map())
    response = Response(body, status=200, content_type=form.content_type)
    response.headers["Link"] = link_header(path, form)
    if suffix is None:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{path}.{form.suffix}"
    return response


def suggestion_index(r: Reader) -> SuggestionIndex:
    """The did-you-mean index of the store's current version: built on the first 404 page after each
    build or write (one pass over the names), then shared by every request."""
    version = get_store().version
    with _INDEX_LOCK:
        cached: tuple[str, SuggestionIndex] | None = current_app.extensions.get(SUGGESTIONS)
        if cached is None or cached[0] != version:
            cached = current_app.extensions[SUGGESTIONS] = (version, SuggestionIndex(r))
        return cached[1]


def not_found(kind: str, key: str, message: str) -> Response:
    """A 404 a person can use (suggestions, search), or the one JSON error shape for machines. The work is
    bounded whatever the key's length (linked/suggest.py); the page shows a long key shortened."""
    if not wants_html():
        raise NotFound(message)
    r = reader()
    known = kind if kind in ALL_KINDS else None
    index = suggestion_index(r)
    html = render_template(
        "ld/notfound.html", iri=shorten(r.map.resource(kind, key)), message=message, kind=known,
        suggestions=suggestions(r, index.lookup(known, key).suggestions), kinds=titled_counts(index.sizes()),
        query=key.rsplit("/", 1)[-1].replace("-", " ")[:MAX_SEARCH],
    )
    return Response(html, status=404, content_type=HTML.content_type)


def split_suffix(r: Reader, kind: str, slug: str) -> tuple[str, str | None] | None:
    """('wmo', None) for /id/organisation/wmo; ('wmo', 'ttl') for .../wmo.ttl; None if neither exists."""
    if r.exists(r.map.resource(kind, slug)):
        return slug, None
    stem, dot, ext = slug.rpartition(".")
    if dot and by_suffix(ext, FORMS) is not None and r.exists(r.map.resource(kind, stem)):
        return stem, ext
    return None


@bp.get("/id/<kind>/<path:slug>")
def resource(kind: str, slug: str) -> Response:
    r = reader()
    if len(slug) > MAX_KEY:
        return not_found(kind, slug, f"There is no resource {shorten(r.map.resource(kind, slug))} in this dataset: "
                                     + too_long("its key", len(slug), MAX_KEY) + ".")
    found = split_suffix(r, kind, slug)
    if found is None:
        return not_found(kind, slug, f"There is no resource {r.map.resource(kind, slug)} in this dataset.")
    slug, suffix = found
    iri = r.map.resource(kind, slug)
    path = r.map.href(iri)

    def html() -> str:
        page = page_for(r, iri)
        return render_template(page.template, page=page, forms=forms_of(path))

    return negotiated(path, suffix, html, lambda: describe(r.store, iri))


def forms_of(path: str) -> list[tuple[MediaType, str]]:
    """(form, URL) for the download links of a page."""
    return [(form, f"{path}.{form.suffix}") for form in GRAPH_TYPES]


@bp.get("/id/")
def kinds() -> str:
    return render_template("ld/kinds.html", kinds=kind_counts(reader()))


@bp.get("/id/<kind>/")
def index(kind: str) -> Response | str:
    r = reader()
    if kind not in ALL_KINDS:
        return not_found(kind, "", f"There is no kind of resource called '{kind}'.")
    query = request.args.get("q", "")  # at most MAX_SEARCH characters (web/bounds.py)
    return render_template("ld/index.html", index=index_page(r, kind, query))
