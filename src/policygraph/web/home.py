"""The home page: what the dataset is, with counts and entry points."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from policygraph.errors import NotAcceptable
from policygraph.formats import HTML, JSON, MediaType
from policygraph.linked.iris import ONTOLOGY
from policygraph.linked.pages.organisation import profiled_summaries
from policygraph.linked.vocab import issue_tree
from policygraph.linked.void import DESCRIPTION, SOURCE_PUBLISHER, SOURCE_TITLE, TITLE
from policygraph.prefixes import DCTERMS
from policygraph.stats import class_counts
from policygraph.web.resources import reader
from policygraph.web.responses import requested

bp = Blueprint("home", __name__)


def _form() -> MediaType:
    """JSON for a client that prefers it; the page otherwise (whatever else the client asks for)."""
    try:
        return requested([HTML, JSON])
    except NotAcceptable:
        return HTML


@bp.get("/")
def home() -> Response | str:
    r = reader()
    classes, orgs = class_counts(r.store), profiled_summaries(r)
    if _form() is JSON:
        fields = ("initiatives", "publications", "partners", "partnerships", "issues")
        return jsonify({"counts": classes, "organisations": [
            {"iri": o.organisation.iri, "name": o.organisation.label, **{f: getattr(o, f) for f in fields}} for o in orgs]})
    return render_template(
        "home.html",
        title=TITLE, description=DESCRIPTION, source_title=SOURCE_TITLE, source_publisher=SOURCE_PUBLISHER,
        classes=classes, orgs=orgs,
        baskets=issue_tree(r).baskets, license=r.value(ONTOLOGY, DCTERMS + "license"),
    )
