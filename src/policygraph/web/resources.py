"""Dereferenceable IRIs: /id/<kind>/<slug> in HTML, Turtle, N-Triples, JSON-LD, RDF/XML, N3 (written as
Turtle), N-Quads and TriG.

The form comes from the Accept header (with q-values), `?format=`, or a suffix URL (.html .ttl .nt
.jsonld .rdf .n3 .nq .trig). Every response names the other forms in `Link: rel="alternate"` headers;
negotiated responses say `Vary: Accept` and where the chosen form lives (`Content-Location`). The quad
syntaxes give each triple in every named graph that states it (who said what). /id/<kind>/ lists a kind,
as a page or as RDF (linked/pages/index.py, `index_quads`), negotiated the same way (no suffix URLs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from policygraph.errors import NotFound
from policygraph.formats import DOCUMENT_TYPES, HTML, MediaType, by_suffix, keeps_graphs, rdf_format
from policygraph.limits import MAX_KEY, MAX_SEARCH, shorten, too_long
from policygraph.linked.describe import describe, describe_quads, serialize, serialize_quads
from policygraph.linked.iris import ALL_KINDS, IriMap
from policygraph.linked.pages import index_page, index_quads, kind_counts, page_for, suggestions, titled_counts
from policygraph.linked.reader import Reader
from policygraph.linked.suggest import SuggestionIndex
from policygraph.web.context import get_settings, get_store
from policygraph.web.responses import base_url, requested, wants_html

bp = Blueprint("resources", __name__)
SUGGESTIONS = "policygraph.suggestions"
_INDEX_LOCK = threading.Lock()

# The server's order of preference: browsers (and */*) get HTML; RDF clients name their syntax.
FORMS: list[MediaType] = [HTML, *DOCUMENT_TYPES]


def iri_map() -> IriMap:
    """The IRIs of the data under the base; the service's own URLs (endpoint, dumps) where this request
    reached it: the public URL when one is configured, else this request's host (web/responses.py)."""
    settings = get_settings()
    return IriMap.of(settings.base_iri, base_url(settings), request.script_root)


def reader() -> Reader:
    return Reader(get_store().get(), iri_map())


def suffix_url(path: str) -> Callable[[MediaType], str]:
    """Where each form of a document lives: `path` with the form's suffix."""
    return lambda form: f"{path}.{form.suffix}"


def link_header(url_of: Callable[[MediaType], str], served: MediaType | None) -> str:
    """`Link` alternates between the forms of one document."""
    return ", ".join(f'<{url_of(form)}>; rel="alternate"; type="{form.mime}"' for form in FORMS if form is not served)


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
    quads: Callable[[], list[ox.Quad]] | None = None,
    url_of: Callable[[MediaType], str] | None = None,
) -> Response:
    """One document in the form the client asked for, with the headers that link its forms.

    `quads` gives the document for the quad syntaxes, each statement in its named graph; without it they
    hold `triples` in the default graph (a document made here, such as the VoID, is in no named graph).
    `url_of` says where each form lives (default: `path` with its suffix)."""
    form = choose_form(suffix)
    map_ = iri_map()
    if form is HTML:
        body: bytes | str = html()
    elif keeps_graphs(form):
        found = quads() if quads is not None else [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                                                   for t in triples()]
        body = serialize_quads(found, rdf_format(form), map_)
    else:
        body = serialize(triples(), rdf_format(form), map_)
    url_of = url_of or suffix_url(path)
    response = Response(body, status=200, content_type=form.content_type)
    response.headers["Link"] = link_header(url_of, form)
    if suffix is None:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = url_of(form)
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

    return negotiated(path, suffix, html, lambda: describe(r.store, iri), lambda: describe_quads(r.store, iri))


def forms_of(path: str, url_of: Callable[[MediaType], str] | None = None) -> list[tuple[MediaType, str]]:
    """(form, URL) of every RDF form of a page: its head's alternates and its download links."""
    url_of = url_of or suffix_url(path)
    return [(form, url_of(form)) for form in DOCUMENT_TYPES]


@bp.get("/id/")
def kinds() -> str:
    return render_template("ld/kinds.html", kinds=kind_counts(reader()))


@bp.get("/id/<kind>/")
def index(kind: str) -> Response:
    r = reader()
    if kind not in ALL_KINDS:
        return not_found(kind, "", f"There is no kind of resource called '{kind}'.")
    query = request.args.get("q", "")  # at most MAX_SEARCH characters (web/bounds.py)
    page = index_page(r, kind, query)
    path = f"{r.map.script_root}/id/{kind}/"

    def url_of(form: MediaType) -> str:  # a list has no suffix URLs: its forms are `?format=`
        return path + "?" + urlencode({**({"q": query} if query else {}), "format": form.name})

    def quads() -> list[ox.Quad]:
        return index_quads(r, page)

    def triples() -> list[ox.Triple]:
        return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads()))

    def html() -> str:
        return render_template("ld/index.html", index=page, forms=forms_of(path, url_of))

    return negotiated(path, None, html, triples, quads, url_of)
