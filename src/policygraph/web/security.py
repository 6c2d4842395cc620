"""Security headers on every response, set in one place.

HTML pages get a Content-Security-Policy that names no external source: every script, style, font and
image comes from this server (front-end packages from npm are served under /assets/), so a
script injected through data or a query string has nowhere to load from and no inline code runs.
Every response gets `X-Content-Type-Options: nosniff` so a browser never guesses a type (a Turtle or
CSV body is never run as script or rendered as HTML).
"""

from __future__ import annotations

from flask import Flask, Response

# Why each directive:
# - script-src 'self': no inline script and no eval; the pages load their scripts from /static and /assets.
#   (The SPARQL UI's config is a <script type="application/json"> block, which is data, not script.)
# - style-src 'self' plus one hash: Cytoscape inserts one fixed <style> element into <head> at start-up
#   (".__________cytoscape_container { position: relative; }"); its hash allows exactly that text and
#   nothing else, so no 'unsafe-inline'. YASGUI needs no inline <style> element (styles it sets through
#   the CSSOM are not governed by style-src).
# - img-src/font-src data:: YASGUI's bundled icons and fonts are data: URIs; blob: for the explorer's
#   PNG/SVG exports and YASGUI's downloads.
# - connect-src 'self': the pages fetch only this server's /sparql and /api/*.
# - frame-ancestors 'none' (with X-Frame-Options for older browsers): no clickjacking by framing.
# sha256 of Cytoscape's injected stylesheet text (node_modules/cytoscape, function "setContainerStyles").
CYTOSCAPE_STYLE = "sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8="
# sha256 of the fixed stylesheet YASGUI's table column resizer inserts.
YASGUI_STYLE = "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk="
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' '{CYTOSCAPE_STYLE}' '{YASGUI_STYLE}'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    # An app-level hook runs for every response, blueprint routes, static files and error pages alike.
    app.after_request(security_headers)
