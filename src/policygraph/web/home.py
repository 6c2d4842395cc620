"""The home page: what the dataset is, with counts and entry points."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template_string, request

from policygraph.stats import class_counts, organisation_counts
from policygraph.web.app import get_store

bp = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policygraph</title></head>
<body><main>
<h1>policygraph</h1>
<p>Digital-policy profiles of Geneva organisations as a validated knowledge graph.</p>
<table><caption>Counts</caption>
{% for k, v in classes.items() %}<tr><th scope="row">{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}
</table>
<h2>Organisations</h2><ul>
{% for o in orgs %}<li>{{ o.name }}: {{ o.initiatives }} initiatives, {{ o.partnerships }} partnerships</li>{% endfor %}
</ul></main></body></html>"""


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    store = get_store().get()
    classes, orgs = class_counts(store), organisation_counts(store)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify({"counts": classes, "organisations": orgs})
    return render_template_string(PAGE, classes=classes, orgs=orgs)
