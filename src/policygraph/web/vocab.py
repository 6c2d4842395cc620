"""/ontology and /issues: the vocabularies documented for people, and as RDF for machines."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from policygraph.errors import NotFound
from policygraph.linked.iris import ONTOLOGY
from policygraph.linked.reader import Reader
from policygraph.linked.vocab import issue_tree, ontology_page, vocabulary_triples
from policygraph.web.resources import forms_of, negotiated, reader
from policygraph.web.void import current_counts

bp = Blueprint("vocab", __name__)


def _graph(r: Reader, name: str) -> list[ox.Triple]:
    return vocabulary_triples(r.store, f"{r.map.base}graph/{name}")


def _quads(r: Reader, name: str) -> list[ox.Quad]:
    """The vocabulary in its own named graph, for the quad syntaxes."""
    graph = ox.NamedNode(f"{r.map.base}graph/{name}")
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in _graph(r, name)]


def _ontology(suffix: str | None) -> Response:
    r = reader()
    path = r.map.href(ONTOLOGY)

    def html() -> str:
        return render_template("ld/ontology.html", page=ontology_page(r, current_counts()), forms=forms_of(path))

    return negotiated(path, suffix, html, lambda: _graph(r, "ontology"), lambda: _quads(r, "ontology"))


def _issues(suffix: str | None) -> Response:
    r = reader()
    path = f"{r.map.script_root}/issues"

    def html() -> str:
        return render_template("ld/issues.html", tree=issue_tree(r), forms=forms_of(path))

    return negotiated(path, suffix, html, lambda: _graph(r, "issues"), lambda: _quads(r, "issues"))


@bp.get("/ontology")
def ontology() -> Response:
    return _ontology(None)


@bp.get("/ontology.<suffix>")
def ontology_as(suffix: str) -> Response:
    return _ontology(suffix)


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """The version IRI (owl:versionIRI) answers while it is the current version."""
    r = reader()
    current = r.value(ONTOLOGY, "http://www.w3.org/2002/07/owl#versionIRI")
    if current != f"{ONTOLOGY}/{version}":
        raise NotFound(f"ontology version {version!r} is not served here; the current version is {current}")
    return _ontology(None)


@bp.get("/issues")
def issues() -> Response:
    return _issues(None)


@bp.get("/issues.<suffix>")
def issues_as(suffix: str) -> Response:
    return _issues(suffix)
