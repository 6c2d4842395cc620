"""Every shape has a conforming and a violating fixture; the violating one fails with its message.

tests/fixtures/shapes/base.ttl conforms to all shapes. `<Shape>.valid.ru` changes it in a way that still
conforms (and gives the shape a new or changed focus node); `<Shape>.invalid.ru` breaks exactly that
shape and names the message it must fail with in its `# expect:` line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from policygraph.validate import Report, load_shapes, validate_graph
from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SHAPES = load_shapes(ROOT / "shapes")
SHAPE_NS = "https://w3id.org/policygraph/shapes#"


def base() -> Graph:
    g = Graph()
    for name in ("policygraph.ttl", "issues.ttl", "kinds.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    g.parse(FIXTURES / "base.ttl", format="turtle")
    return g


def patched(update: Path) -> Graph:
    g = base()
    g.update(update.read_text(encoding="utf-8"))
    return g


def named_shapes() -> list[str]:
    names = [str(s)[len(SHAPE_NS):] for s in SHAPES.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    return sorted(n for n in names if n)


def test_every_shape_has_both_fixtures() -> None:
    for name in named_shapes():
        assert (FIXTURES / f"{name}.valid.ru").exists(), name
        assert (FIXTURES / f"{name}.invalid.ru").exists(), name


def test_every_constraint_has_a_message() -> None:
    for prop in SHAPES.objects(None, SH.property):
        assert SHAPES.value(prop, SH.message) is not None, prop
    for constraint in SHAPES.objects(None, SH.sparql):
        assert SHAPES.value(constraint, SH.message) is not None


def test_base_fixture_conforms() -> None:
    report = validate_graph(base(), SHAPES)
    assert report.conforms, report.text()


@pytest.mark.parametrize("name", named_shapes())
def test_conforming_fixture(name: str) -> None:
    report: Report = validate_graph(patched(FIXTURES / f"{name}.valid.ru"), SHAPES)
    assert report.conforms, report.text()


@pytest.mark.parametrize("name", named_shapes())
def test_violating_fixture_fails_with_its_message(name: str) -> None:
    path = FIXTURES / f"{name}.invalid.ru"
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    report = validate_graph(patched(path), SHAPES)
    assert not report.conforms
    messages = [r.message for r in report.violations]
    assert any(expect in m for m in messages), messages
