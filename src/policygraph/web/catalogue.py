"""/queries: the query catalogue. A list, and for each query a form for its parameters and its results.

/queries/<name> runs the query with the given parameters (defaults for the rest), bound as typed terms;
the answer is an HTML page, or SPARQL JSON, CSV, XML or TSV by `format=` or the Accept header. HTML pages
advertise their twins with `Link: rel="alternate"`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from policygraph.errors import InputError
from policygraph.formats import HTML, JSON, RESULT_TYPES, MediaType
from policygraph.namespaces import PREFIXES
from policygraph.queries import CatalogueQuery, options
from policygraph.web.context import catalogue, get_settings, get_store, query_service
from policygraph.web.responses import answer_response, requested, with_cors

bp = Blueprint("catalogue", __name__)
bp.after_request(with_cors)  # the catalogue only reads

QUERY_OFFERS: list[MediaType] = [HTML, *RESULT_TYPES]
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _describe(query: CatalogueQuery) -> dict[str, Any]:
    url = url_for("catalogue.show", name=query.name)
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.parameters
        ],
        "url": url,
        "formats": {m.name: f"{url}?format={m.name}" for m in RESULT_TYPES},
    }


@bp.get("/queries")
def index() -> Response:
    queries = catalogue().all()
    media = requested([HTML, JSON], _single_values().get("format"))
    if media is JSON:
        body = json.dumps({"queries": [_describe(q) for q in queries.values()]}, ensure_ascii=False, indent=1)
        return Response(body, content_type=JSON.content_type)
    response = Response(render_template("queries.html", queries=queries.values()), content_type=HTML.content_type)
    response.headers["Link"] = f'<{url_for("catalogue.index")}?format=json>; rel="alternate"; type="{JSON.mime}"'
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/queries/<name>")
def show(name: str) -> Response:
    query = catalogue().get(name)
    settings = get_settings()
    values = {k: v for k, v in _single_values().items() if k != "format"}
    bound = query.bind(values, settings.base_iri)
    media = requested(QUERY_OFFERS, request.args.get("format"))
    service = query_service()
    info = service.inspect(query.text)
    if media is not HTML:
        return answer_response(service.run(query.text, info, media, substitutions=bound))
    json_media = next(m for m in RESULT_TYPES if m.name == "json")
    answer = service.run(query.text, info, json_media, substitutions=bound)
    results = json.loads(answer.body)
    # The form shows the values as given (keys stay keys), defaults for the rest.
    current = {p.name: (values.get(p.name) or "").strip() or p.default for p in query.parameters}
    links = {m.name: f"{request.path}?{urlencode({**current, 'format': m.name})}" for m in RESULT_TYPES}
    store = get_store().get()
    html = render_template(
        "query.html",
        query=query,
        current=current,
        choices={p.name: options(store, p.type, settings.base_iri) for p in query.parameters},
        variables=results["head"]["vars"],
        rows=[[_cell(row.get(v), settings.base_iri) for v in results["head"]["vars"]] for row in results["results"]["bindings"]],
        truncated=answer.truncated,
        max_results=settings.max_results,
        links=links,
        editor=url_for("sparql.get", query=query.text),
    )
    response = Response(html, content_type=HTML.content_type)
    response.headers["Link"] = ", ".join(
        f'<{links[m.name]}>; rel="alternate"; type="{m.mime}"' for m in RESULT_TYPES if m.name in ("json", "csv")
    )
    response.headers["Vary"] = "Accept"
    return response


def _single_values() -> dict[str, str]:
    """The request's parameters, each given at most once: a repeated one is ambiguous, so it is refused."""
    for name in request.args:
        count = len(request.args.getlist(name))
        if count > 1:
            raise InputError(f"give the parameter {name!r} once; this request gives it {count} times")
    return dict(request.args.items())


def _compact(iri: str) -> str:
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _cell(term: dict[str, Any] | None, base: str) -> dict[str, str]:
    """How one SPARQL JSON term shows in the HTML table: text, and a link for IRIs."""
    if term is None:
        return {"text": ""}
    kind, value = term["type"], term["value"]
    if kind == "uri":
        # The graph's own IRIs link to this server's pages for them (/id/..., /ontology...).
        href = "/" + value[len(base):] if value.startswith(base) else value
        return {"text": _compact(value), "href": href, "title": value}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    if kind == "triple":
        inner = value
        parts = [_cell(inner[k], base)["text"] for k in ("subject", "predicate", "object")]
        return {"text": "<< " + " ".join(parts) + " >>"}
    note = f"@{term['xml:lang']}" if "xml:lang" in term else (_compact(term["datatype"]) if "datatype" in term else "")
    return {"text": value, "note": note}
