"""The fast validator (policygraph.shacl) reports exactly what pyshacl reports, and so does its
incremental form for the focus nodes a write touches.

Results are compared as multisets of (severity, focus, path, message, value). The references:
- every shape fixture: plain pyshacl, SHACL-SPARQL constraints included;
- the real data and generated data with injected violations: the "pyshacl" engine (pyshacl for the
  core constraints, the SPARQL constraints as written in Oxigraph: plain pyshacl takes minutes there);
- a shapes graph using every SHACL feature the fast validator accepts, on data that breaks each one.
"""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest
from bench.generate import KINDS, generate
from rdflib import Graph

from policygraph.build import Built
from policygraph.oxrdf import from_ox, to_ox
from policygraph.shacl import Hit, Report, UnsupportedShape, read_model, validate_hits
from policygraph.shacl.rewrite import not_exists_as_minus
from policygraph.validate import Result, _pyshacl, load_shapes, validate_graph
from policygraph.writes.apply import Explicit, Nodes, Rules, Tracker, apply_explicit
from tests.support.paths import ROOT
from tests.test_shapes import FIXTURES, base, patched

SHAPES = load_shapes(ROOT / "shapes")
MODEL = read_model(SHAPES)
PG = "https://w3id.org/policygraph/ontology#"
ID = "https://w3id.org/policygraph/id/"


def counted(results: tuple[Result, ...] | list[Result]) -> Counter[Result]:
    return Counter(results)


def graph_of(store: ox.Store) -> Graph:
    g = Graph()
    for q in store:
        g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return g


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(*map(to_ox, t)) for t in graph)  # type: ignore[misc]
    return store


# ---- the shape fixtures, against plain pyshacl (core and SPARQL constraints)

FIXTURE_NAMES = ["base", *sorted(p.name.removesuffix(".ru") for p in FIXTURES.glob("*.ru"))]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_fast_equals_plain_pyshacl(name: str) -> None:
    g = base() if name == "base" else patched(FIXTURES / f"{name}.ru")
    expected = counted(_pyshacl(g, SHAPES))  # every constraint, SHACL-SPARQL included, by pyshacl
    assert counted(validate_graph(g, SHAPES, engine="fast").results) == expected
    assert bool(expected) == name.endswith(".invalid")


# ---- the real data

def test_real_data_fast_equals_pyshacl(built: Built) -> None:
    reference = validate_graph(built.union(), SHAPES, built.store, engine="pyshacl")
    fast = validate_graph(None, SHAPES, built.store)
    assert counted(fast.results) == counted(reference.results)


# ---- generated data with one injected violation of every kind

@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("generated") / "injected.nq"
    done = generate(out, 15_000, seed=7, inject=len(KINDS))
    store = ox.Store()
    store.bulk_load(path=out, format=ox.RdfFormat.N_QUADS)
    return store, done.injected


def test_generated_with_injected_violations_fast_equals_pyshacl(injected: tuple[ox.Store, list[dict[str, str]]]) -> None:
    store, _ = injected
    reference = validate_graph(graph_of(store), SHAPES, store, engine="pyshacl")
    fast = validate_graph(None, SHAPES, store)
    assert counted(fast.results) == counted(reference.results)
    assert len(fast.violations) >= len(KINDS) - 1 and fast.warnings  # one kind is a warning


def test_every_injected_violation_is_reported_at_its_focus(injected: tuple[ox.Store, list[dict[str, str]]]) -> None:
    store, manifest = injected
    results = validate_graph(None, SHAPES, store).results
    assert sorted({e["kind"] for e in manifest}) == sorted(KINDS)
    for entry in manifest:
        assert any(r.focus == entry["focus"] and entry["message"] in r.message for r in results), json.dumps(entry)


# ---- every accepted SHACL feature, on data that breaks each

FEATURES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ( ex:part ex:name ) ; sh:minCount 1 ; sh:datatype xsd:string ; sh:maxLength 8 ; sh:message "seq" ] ;
  sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ; sh:class ex:Owner ; sh:message "inverse" ] ;
  sh:property [ sh:path [ sh:alternativePath ( ex:a ex:b ) ] ; sh:minCount 2 ; sh:nodeKind sh:IRI ; sh:message "alt" ] ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:maxCount 2 ; sh:message "star" ] ;
  sh:property [ sh:path [ sh:oneOrMorePath ex:next ] ; sh:node ex:Named ; sh:message "plus" ] ;
  sh:property [ sh:path [ sh:zeroOrOnePath ex:next ] ; sh:in ( ex:t1 ex:t2 ex:t3 "x" ) ; sh:message "opt" ] ;
  sh:property [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxInclusive 10 ; sh:datatype xsd:integer ; sh:message "score" ] ;
  sh:property [ sh:path ex:ratio ; sh:maxExclusive 1.0 ; sh:minInclusive 0 ; sh:message "ratio" ] ;
  sh:property [ sh:path ex:day ; sh:datatype xsd:date ; sh:message "day" ] ;
  sh:property [ sh:path ex:label ; sh:uniqueLang true ; sh:datatype rdf:langString ; sh:message "label" ] ;
  sh:property [ sh:path ex:any ; sh:datatype rdfs:Literal ; sh:maxCount 0 ; sh:severity sh:Info ; sh:message "any" ] ;
  sh:property [ sh:path ex:tag ; sh:minLength 2 ; sh:severity sh:Warning ; sh:message "tag" ] ;
  sh:property [ sh:path ex:kind ; sh:class ex:K1 , ex:K2 ; sh:message "kind" ] ;
  sh:property [ sh:path ex:gone ; sh:minCount 1 ; sh:deactivated true ; sh:message "off" ] ;
  sh:property [ sh:path ex:mode ; sh:xone ( [ sh:hasValue ex:m1 ] [ sh:nodeKind sh:IRI ] ) ; sh:message "xone" ] ;
  sh:property [ sh:path ex:pair ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:K1 ] ) ;
                sh:not [ sh:hasValue ex:forbidden ] ; sh:message "and-not" ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "named" ] ;
  sh:property [ sh:path ex:inner ; sh:node ex:Deep ; sh:message "inner" ] .
ex:Deep a sh:NodeShape ; sh:property [ sh:path ex:depth ; sh:hasValue 3 ; sh:message "deep" ] .
ex:NodeLevel a sh:NodeShape ; sh:targetNode ex:n1 , ex:n2 ; sh:hasValue ex:n1 ; sh:message "node-level" .
ex:Subjects a sh:NodeShape ; sh:targetSubjectsOf ex:owns ; sh:class ex:Owner ; sh:severity sh:Warning ; sh:message "subjects" .
ex:Objects a sh:NodeShape ; sh:targetObjectsOf ex:owns ;
  sh:or ( [ sh:class ex:Thing ] [ sh:datatype xsd:string ] ) ; sh:message "objects" .
"""

FEATURE_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:Thing . ex:K1 rdfs:subClassOf ex:K2 .
ex:good a ex:Thing ; ex:part [ ex:name "short" ] ; ex:a ex:x ; ex:b ex:y ; ex:next ex:t1 . ex:t1 ex:name "one" .
ex:o1 a ex:Owner ; ex:owns ex:good .
ex:bad a ex:Sub ; ex:part [ ex:name "far too long" ] , [ ex:name 7 ] ; ex:a "lit" ;
  ex:next ex:t2 . ex:t2 ex:next ex:t3 . ex:t3 ex:name "three" ; ex:inner ex:d1 . ex:d1 ex:depth 4 .
ex:o2 ex:owns ex:bad , "text" , 5 . ex:o3 a ex:Owner ; ex:owns ex:bad .
ex:bad ex:score 0 , 11 , "5" , "x"^^xsd:integer ; ex:ratio 1.0 , -0.5 , 0.5 , "a" ;
  ex:day "2021-02-30"^^xsd:date , "2021-02-03"^^xsd:date , "2021" ; ex:label "a"@en , "b"@EN , "c"@fr , "d"@fr-ch , "e" ;
  ex:any "lit" ; ex:tag "t" , ex:iri ; ex:kind ex:k1 , ex:k2 ; ex:mode ex:m1 , ex:m2 , "m3" ;
  ex:pair ex:p1 , ex:forbidden , "p3" .
ex:k1 a ex:K1 . ex:k2 a ex:K2 . ex:p1 a ex:K1 . ex:forbidden a ex:K1 .
ex:n2 ex:p ex:q .
"""


def test_every_accepted_feature_matches_plain_pyshacl() -> None:
    shapes = Graph().parse(data=FEATURES, format="turtle")
    store = store_of(Graph().parse(data=FEATURE_DATA, format="turtle"))
    expected = counted(_pyshacl(graph_of(store), shapes))  # the same data: Oxigraph writes 1.0 as 1
    fast = validate_hits(store, read_model(shapes))
    assert counted([h.result for h in fast]) == expected
    reported = {r.message for r in expected}
    assert reported >= {"seq", "inverse", "alt", "star", "plus", "named", "inner", "deep", "opt", "score", "ratio", "day",
                        "label", "any", "tag", "kind", "xone", "and-not", "node-level", "subjects", "objects"}
    assert "off" not in reported


@pytest.mark.parametrize("feature", [
    "sh:pattern \"^a\"", "sh:closed true", "sh:equals ex:q", "sh:lessThan ex:q", "sh:languageIn ( \"en\" )",
    "sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1", "sh:node ex:Loop", "sh:maxCount 1 , 2",
    "sh:minInclusive \"a\"", "sh:datatype rdfs:Datatype",
])
def test_unsupported_features_are_refused(feature: str) -> None:
    shapes = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; {feature} ; sh:message "m" ] .
        ex:Loop a sh:NodeShape ; sh:node ex:Loop ; sh:message "loop" ."""
    with pytest.raises(UnsupportedShape):
        read_model(Graph().parse(data=shapes, format="turtle"))


@pytest.mark.parametrize("shapes", [
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",  # no message
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message \"a\"@en , \"b\"@fr ; sh:class ex:D .",  # two messages
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:ask \"ASK {}\" ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ; sh:message \"m\" ] . "
    "ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:sparql [ sh:select \"SELECT $this WHERE {}\" ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:target [ a ex:Custom ] ; sh:class ex:C ; sh:message \"m\" .",
])
def test_unsupported_shapes_are_refused(shapes: str) -> None:
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
    with pytest.raises(UnsupportedShape):
        read_model(Graph().parse(data=prefixes + shapes, format="turtle"))


def test_the_pyshacl_engine_stays_available() -> None:
    g = patched(FIXTURES / "SectionShape.invalid.ru")
    assert not validate_graph(g, SHAPES, engine="pyshacl").conforms
    with pytest.raises(ValueError):
        validate_graph(g, SHAPES, engine="other")  # type: ignore[arg-type]


# ---- the NOT EXISTS -> MINUS rewrite

def test_not_exists_of_a_basic_pattern_becomes_minus() -> None:
    query = 'SELECT ?this WHERE { ?this a <C> . FILTER NOT EXISTS { ?this <p>/<q> ?o . ?o a <D> } FILTER (?x != "}") }'
    out = " ".join(not_exists_as_minus(query, query.index("{")).split())
    assert "NOT EXISTS" not in out and out.endswith("MINUS { ?this <p>/<q> ?o . ?o a <D> }}")
    assert 'FILTER (?x != "}")' in out


@pytest.mark.parametrize("query", [
    "SELECT ?this WHERE { ?this a <C> . FILTER NOT EXISTS { ?x <p> ?o } }",  # shares no bound variable
    "SELECT ?this WHERE { ?this a <C> . FILTER NOT EXISTS { ?this <p> ?o FILTER (?o > 1) } }",  # not a plain pattern
    "SELECT ?this WHERE { ?this a <C> . OPTIONAL { FILTER NOT EXISTS { ?this <p> ?o } } }",  # not at the top level
])
def test_other_not_exists_stay_as_written(query: str) -> None:
    assert not_exists_as_minus(query, query.index("{")) == query


# ---- incremental validation of writes

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    out = tmp_path_factory.mktemp("generated") / "valid.nq"
    generate(out, 8_000, seed=3)
    store = ox.Store()
    store.bulk_load(path=out, format=ox.RdfFormat.N_QUADS)
    return store


def _by_owner(hits: list[Hit] | tuple[Hit, ...]) -> dict[object, Counter[Result]]:
    out: dict[object, Counter[Result]] = {}
    for hit in hits:
        out.setdefault(hit.owner, Counter())[hit.result] += 1
    return out


def _writes(store: ox.Store) -> dict[str, tuple[list[ox.Quad], list[ox.Quad]]]:
    n, lit = ox.NamedNode, ox.Literal
    graph = n("https://w3id.org/policygraph/graph/curated/write")
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def first(query: str) -> ox.NamedNode:
        return next(iter(store.query(query)))[0]  # type: ignore[call-overload,index]

    def quads(s: object, p: object = None) -> list[ox.Quad]:  # in the named graphs: the default graph follows them
        return [q for q in store.quads_for_pattern(s, p, None, None)  # type: ignore[arg-type]
                if not isinstance(q.graph_name, ox.DefaultGraph)]

    org = first(f"SELECT ?o WHERE {{ ?o a <{PG}Organisation> ; <{PG}profile> ?d }}")
    evidence = first(f"SELECT ?e WHERE {{ ?e a <{PG}Evidence> }}")
    section = first(f"SELECT ?s WHERE {{ ?e a <{PG}Evidence> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . ?s <{PG}text> ?t }}")
    kind = first(f"SELECT ?k WHERE {{ ?i a <{PG}Initiative> ; <{PG}kind> ?k }}")
    partnership = first(f"SELECT ?p WHERE {{ ?p a <{PG}Partnership> ; <{PG}partner> ?x }} GROUP BY ?p HAVING (COUNT(?x) = 2)")
    involvement = first(f"SELECT ?v WHERE {{ ?i a <{PG}Initiative> ; <{PG}involvement> ?v }}")
    text = next(iter(store.quads_for_pattern(section, n(PG + "text"), None, None))).object.value
    profile = next(iter(store.quads_for_pattern(section, n("http://purl.org/dc/terms/isPartOf"), None, None))).object
    tag = n(ID + "statement/write/initiative/written/issue/artificial-intelligence")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ini, inv, ev = n(ID + "initiative/written"), n(ID + "initiative/written#lead"), n(ID + "initiative/written#evidence")
    a, label, subject = rdf_type.value, "http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/subject"
    new = [ox.Quad(s, n(p), o, graph) for s, p, o in [
        (ini, a, n(PG + "Initiative")), (ini, label, lit("W", language="en")), (ini, PG + "kind", n(ID + "initiative-kind/project")),
        (ini, subject, n(ID + "issue/artificial-intelligence")), (ini, PG + "involvement", inv), (inv, a, n(PG + "Involvement")),
        (inv, PG + "agent", org), (inv, PG + "role", n(ID + "role/lead")), (ini, PG + "evidence", ev), (ev, a, n(PG + "Evidence")),
        (ev, "http://www.w3.org/ns/oa#exact", lit(text[:15])), (ev, "http://www.w3.org/ns/prov#wasDerivedFrom", section),
        (inv, PG + "statedIn", profile), (inv, PG + "evidence", ev), (tag, a, n(PG + "StatedTriple")), (tag, rdf + "subject", ini),
        (tag, rdf + "predicate", n(subject)), (tag, rdf + "object", n(ID + "issue/artificial-intelligence")),
        (tag, PG + "statedIn", profile), (tag, PG + "evidence", ev)]]
    wrong_quote = [q for q in new if q.predicate.value != "http://www.w3.org/ns/oa#exact"]
    wrong_quote.append(ox.Quad(ev, n("http://www.w3.org/ns/oa#exact"), lit("not in the text"), graph))
    skos_in = n("http://www.w3.org/2004/02/skos/core#inScheme")
    return {
        "add a valid initiative": (new, []),
        "add an initiative whose quote is not in its section": (wrong_quote, []),
        "change an evidence quote": ([ox.Quad(evidence, n("http://www.w3.org/ns/oa#exact"), lit("nope"), graph)],
                                     quads(evidence, n("http://www.w3.org/ns/oa#exact"))),
        "remove the text of a cited section": ([], quads(section, n(PG + "text"))),
        "remove the type of a profiled organisation": ([], [q for q in quads(org, rdf_type) if q.object.value == PG + "Organisation"]),
        "move a kind concept out of its scheme": ([ox.Quad(kind, skos_in, n(ID + "scheme/role"), graph)], quads(kind, skos_in)),
        "remove a partnership": ([], quads(partnership)),
        "remove one partner of a partnership": ([], quads(partnership, n(PG + "partner"))[:1]),
        "make an organisation an initiative too": ([ox.Quad(org, rdf_type, n(PG + "Initiative"), graph)], []),
        "name an issue as an involvement's agent": ([ox.Quad(involvement, n(PG + "agent"), n(ID + "issue/artificial-intelligence"), graph)],
                                                    quads(involvement, n(PG + "agent"))),
        "change the class hierarchy": ([ox.Quad(n(PG + "Basket"), n("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                                                n(PG + "Organisation"), graph)], []),
    }


WRITES = [
    "add a valid initiative", "add an initiative whose quote is not in its section", "change an evidence quote",
    "remove the text of a cited section", "remove the type of a profiled organisation", "move a kind concept out of its scheme",
    "remove a partnership", "remove one partner of a partnership", "make an organisation an initiative too",
    "name an issue as an involvement's agent", "change the class hierarchy",
]


GENERATED_RULES = Rules(MODEL, "https://w3id.org/policygraph/graph/derived", "https://w3id.org/policygraph/")


def _apply(store: ox.Store, added: list[ox.Quad], removed: list[ox.Quad]) -> tuple[tuple[Hit, ...], Nodes, Tracker]:
    """A write's change through the production path (writes/apply.py)."""
    tracker = Tracker(store)
    hits, nodes = apply_explicit(store, GENERATED_RULES, Explicit(added, removed), tracker)
    return hits, nodes, tracker


def _revert(store: ox.Store, tracker: Tracker) -> None:
    removed, added = tracker.net()
    for quad in added:
        store.remove(quad)
    store.extend(removed)


@pytest.mark.parametrize("write", WRITES)
def test_incremental_validation_equals_full_validation(generated: ox.Store, write: str) -> None:
    """Validating only the affected nodes gives their full results, and no other node's results change:
    the report before the write, minus the affected nodes, plus the incremental report, is the report
    after the write."""
    added, removed = _writes(generated)[write]
    before = _by_owner(validate_hits(generated, MODEL))
    store = ox.Store()
    store.extend(list(generated))
    hits, nodes, tracker = _apply(store, added, removed)
    after = _by_owner(validate_hits(store, MODEL))
    assert any(tracker.net())
    incremental = Counter(h.result for h in hits)
    if nodes is None:  # a change of the class hierarchy: everything was validated
        assert write == "change the class hierarchy"
        assert incremental == sum(after.values(), Counter())
        return
    assert incremental == sum((c for owner, c in after.items() if owner in nodes), Counter())
    for owner in set(before) | set(after):
        if owner not in nodes:
            assert before.get(owner) == after.get(owner), owner
    valid = write in ("add a valid initiative", "remove a partnership")
    report = Report(tuple(h.result for h in hits))
    assert report.conforms == valid, report.text()
    _revert(store, tracker)
    assert set(store) == set(generated)


def test_incremental_validation_of_nothing_reports_nothing(generated: ox.Store) -> None:
    store = ox.Store()
    store.extend(list(generated))
    existing = next(q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    hits, nodes, tracker = _apply(store, [existing], [])
    assert tracker.net() == ((), ()) and nodes == set() and not hits
