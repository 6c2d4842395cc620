"""The one place errors become responses: one shape, as JSON for API clients and as a page for browsers.

The shape is {"error": <exception name>, "status": <HTTP status>, "message": <for a person>}. A browser
(text/html preferred over JSON in its Accept header) gets the same status and message as an HTML page.
Headers an error carries (Retry-After, WWW-Authenticate, Allow) are kept. No stack trace is ever shown:
unexpected exceptions are logged by Flask and answered with a plain 500 message.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from policygraph.errors import PolicygraphError
from policygraph.web.mediatypes import HTML, JSON, parse_accept

_HTML = {"text/html", "application/xhtml+xml"}
_JSON = {"application/json", "application/sparql-results+json", "application/problem+json"}


def wants_html() -> bool:
    """True when the client names HTML and prefers it to JSON (browsers do; curl, SPARQL clients don't)."""
    ranges = parse_accept(request.headers.get("Accept"))
    html = max((q for mime, q in ranges if mime in _HTML), default=0.0)
    data = max((q for mime, q in ranges if mime in _JSON), default=0.0)
    return html > 0 and html >= data


def error_response(name: str, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    if wants_html():
        body = render_template("error.html", error=name, status=status, title=title, message=message)
        response = Response(body, status=status, content_type=HTML.content_type)
    else:
        document = {"error": name, "status": status, "message": message}
        response = Response(json.dumps(document, ensure_ascii=False), status=status, content_type=JSON.content_type)
    response.headers["Vary"] = "Accept"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PolicygraphError)
    def policygraph_error(exc: PolicygraphError) -> Response:
        return error_response(type(exc).__name__, exc.status, exc.message, getattr(exc, "headers", None))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        status = exc.code or 500
        if status < 400:
            return exc  # redirects and the like are not errors
        if isinstance(exc, InternalServerError):
            # An unexpected exception: Flask has logged it; say nothing about its insides.
            return error_response("InternalServerError", 500, "the server met an unexpected error; it has been logged")
        kept = {k: v for k, v in exc.get_response().headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return error_response(type(exc).__name__, status, exc.description or HTTPStatus(status).phrase, kept)
