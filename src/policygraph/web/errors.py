"""The one place errors become responses: one shape, as JSON for API clients and as a page for browsers.

The shape is {"error": <exception name>, "status": <HTTP status>, "message": <for a person>}. A browser
(HTML preferred in its Accept header: web/responses.wants_html) gets the same status and message as an HTML page.
Headers an error carries (Retry-After, WWW-Authenticate, Allow) are kept. No stack trace is ever shown:
unexpected exceptions are logged by Flask and answered with a plain 500 message.

Two checks on the raw request run here too, because they are about telling the client what is wrong:
werkzeug decodes query strings and form bodies leniently (bytes that are not UTF-8 stay percent-encoded
in the value), so a parameter with invalid UTF-8 is refused before any view sees it, naming the
parameter; and an oversized body gets the same 413 message whichever layer stops it (Flask here,
waitress in web/serve.py).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from policygraph.errors import InputError, PolicygraphError
from policygraph.formats import HTML, JSON
from policygraph.web.responses import wants_html


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


def too_large_message(content_length: int | None, limit: int) -> str:
    """The one 413 message, from Flask or from waitress (which stops bodies before buffering them)."""
    size = f" ({content_length:,} bytes)" if content_length is not None else ""
    return f"the request body{size} is larger than this server accepts: the limit is {limit:,} bytes (max_request_bytes)"


def check_utf8(raw: bytes, where: str) -> None:
    """Refuse URL-encoded parameters (a query string or a form body) whose name or value is not UTF-8."""
    for piece in raw.split(b"&"):
        name, _, value = piece.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        try:
            label = name_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"a parameter name in {where} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the parameter {label!r} in {where} is not valid UTF-8 ({exc.reason} at byte {exc.start} of its value)"
            ) from None


def refuse_invalid_utf8() -> None:
    check_utf8(request.query_string, "the query string")
    if request.mimetype == "application/x-www-form-urlencoded":
        # Reads the body once (within MAX_CONTENT_LENGTH); Flask parses the form from this cached copy.
        check_utf8(request.get_data(cache=True), "the form")


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_invalid_utf8)

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
        if isinstance(exc, RequestEntityTooLarge):
            return error_response("RequestEntityTooLarge", 413, _too_large_here())
        kept = {k: v for k, v in exc.get_response().headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return error_response(type(exc).__name__, status, exc.description or HTTPStatus(status).phrase, kept)


def _too_large_here() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if limit is not None and (length is None or length > limit):
        return too_large_message(length, limit)
    # Under the body cap, werkzeug also stops a single form field larger than its in-memory limit.
    field = current_app.config.get("MAX_FORM_MEMORY_SIZE") or request.max_form_memory_size
    return f"a form field of this request is larger than this server accepts: the limit is {field:,} bytes per field"
