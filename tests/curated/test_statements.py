"""Who said what: every curated file's statements stay in its own graph, every relationship carries quotes
that support it (checked by the build, and again on the stored graph), and the YAML says it simply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policygraph.audit import KINDS, audit_store
from policygraph.build import Built
from policygraph.curated.support import Names, Place, fold, involvement_problem, issue_problem
from policygraph.errors import CurationError, UnsupportedStatements
from policygraph.pipeline import check
from policygraph.settings import load_settings
from tests.support.data import select
from tests.support.paths import ROOT

ID = "https://w3id.org/policygraph/id/"
GRAPH = "https://w3id.org/policygraph/graph/curated/"
PG = "https://w3id.org/policygraph/ontology#"


def test_every_relationship_carries_a_quote_that_supports_it(built: Built) -> None:
    """The acceptance audit: 100 % of involvements, memberships, issue tags and part-of/publisher/author
    links carry a quote, and every quote passes the support check (any that does not is listed)."""
    audit = audit_store(built.store)
    assert not audit.problems, "\n".join(f"{what} {subject}: {why}" for subject, what, why in audit.problems[:40])
    for kind in KINDS:
        count = audit.counts[kind]
        assert count.total > 0 and count.quoted == count.supported == count.total, (kind, count)
    assert audit.counts["issue tags"].total > 700 and audit.counts["involvements"].total > 500
    assert audit.complete


def test_each_file_graph_holds_the_statements_of_every_entry_it_declares(built: Built) -> None:
    """For all ten files and every entry: type, name, kind, issue tags (with their statements), roles
    (with profile and quotes), part-of links and description are in that file's graph."""
    checked = 0
    for declared in built.curated.initiatives.values():
        for entry in declared:
            graph, node = ox.NamedNode(GRAPH + entry.profile), ox.NamedNode(ID + "initiative/" + entry.key)

            def holds(p: str, o: ox.NamedNode | ox.Literal | None = None) -> bool:
                return any(built.store.quads_for_pattern(node, ox.NamedNode(p), o, graph))  # noqa: B023

            where = f"{entry.file} {entry.label}"
            assert holds("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(PG + "Initiative")), where
            names = {q.object.value for q in built.store.quads_for_pattern(node, None, None, graph)
                     if q.predicate.value.endswith(("core#prefLabel", "core#altLabel"))}
            assert entry.name in names, where
            assert holds(PG + "kind", ox.NamedNode(ID + "initiative-kind/" + entry.kind)), where
            for tag in entry.issues:
                issue = ox.NamedNode(ID + "issue/" + tag.issue)
                assert holds("http://purl.org/dc/terms/subject", issue), (where, tag.issue)
                statement = ox.NamedNode(f"{ID}statement/{entry.profile}/initiative/{entry.key}/issue/{tag.issue}")
                assert any(built.store.quads_for_pattern(statement, ox.NamedNode(PG + "evidence"), None, graph)), (where, tag)
            for inv in entry.involvements:
                statement = ox.NamedNode(f"{ID}statement/{entry.profile}/initiative/{entry.key}/involvement/{inv.org}/{inv.role}")
                assert holds(PG + "involvement", statement), (where, inv.org)
                assert any(built.store.quads_for_pattern(statement, ox.NamedNode(PG + "statedIn"),
                                                         ox.NamedNode(ID + "profile/" + entry.profile), graph)), (where, inv.org)
            if entry.part_of:
                assert holds("http://purl.org/dc/terms/isPartOf", ox.NamedNode(ID + "initiative/" + entry.part_of.target)), where
            if entry.description:
                assert holds("http://purl.org/dc/terms/description", ox.Literal(entry.description, language="en")), where
            checked += 1
    assert len({e.profile for d in built.curated.initiatives.values() for e in d}) == 10 and checked > 500


def test_a_thing_several_profiles_speak_of_keeps_each_profiles_statements(built: Built) -> None:
    rows = select(built.store, """SELECT ?g ?d ?p WHERE { GRAPH ?g { <https://w3id.org/policygraph/id/initiative/ai-act>
        dcterms:description ?d } ?s rdf:subject <https://w3id.org/policygraph/id/initiative/ai-act> ;
        rdf:predicate dcterms:description ; rdf:object ?d ; pg:statedIn ?p }""")
    by_graph = {r["g"].rsplit("/", 1)[1]: r for r in rows}
    assert set(by_graph) == {"wto", "wef", "kofi-annan-foundation"}  # three profiles, three descriptions
    assert all(r["p"].endswith("/profile/" + g) for g, r in by_graph.items())
    # The merged entity is one IRI with one preferred name, whichever profiles name it.
    names = select(built.store, "SELECT ?l WHERE { <https://w3id.org/policygraph/id/initiative/ai-act> skos:prefLabel ?l }")
    assert len(names) == 1


def test_the_default_graph_is_the_merge_of_the_named_graphs(built: Built) -> None:
    """Each distinct triple once: a triple several profiles state is not counted once per graph."""
    named = {(q.subject, q.predicate, q.object) for q in built.store if not isinstance(q.graph_name, ox.DefaultGraph)}
    default = {(q.subject, q.predicate, q.object) for q in built.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert default == named
    un = select(built.store, "SELECT ?type ?name WHERE { <https://w3id.org/policygraph/id/organisation/un> a ?type ; "
                             "skos:prefLabel ?name ; pg:organisationType ?t }")
    graphs = select(built.store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { <https://w3id.org/policygraph/id/organisation/un> a ?t } }")
    assert len(graphs) >= 5 and len(un) == 1


# -- the support rules


def test_names_are_whole_words_any_case_and_possessives_count() -> None:
    wmo = Names("WMO", ("WMO", "World Meteorological Organization"))
    assert wmo.named_in("as WMO’s mission says") and wmo.named_in("the world meteorological organization")
    assert not wmo.named_in("WMOs") and not Names("UN", ("UN",)).named_in("UNECE and UNCTAD")
    assert fold("Université de Genève’s  E–Commerce") == "universite de geneve's e commerce"


def test_an_involvement_needs_the_organisation_and_the_thing() -> None:
    wmo = Names("WMO", ("WMO",), frozenset({"wmo"}))
    quest = Names("AI Weather Quest", ("AI Weather Quest",))
    own = Place("wmo", ("Artificial intelligence",), frozenset({"artificial-intelligence"}))
    other = Place("wto", ("Artificial intelligence",), frozenset())
    assert involvement_problem("The Organization co-sponsors the AI Weather Quest", own, wmo, quest) is None  # its own profile
    assert involvement_problem("co-sponsors the AI Weather Quest", other, wmo, quest) is not None
    assert involvement_problem("WMO co-sponsors it", other, wmo, quest) is not None
    headed = Place("wto", ("AI Weather Quest", "Digital tools"), frozenset())
    assert involvement_problem("WMO co-sponsors it", headed, wmo, quest) is None  # a heading above names it


def test_an_issue_tag_needs_its_heading_or_its_name() -> None:
    from policygraph.curated.support import Issue

    ai = Issue("artificial-intelligence", Names("AI", ("Artificial intelligence", "AI")), frozenset({"artificial-intelligence"}))
    basket = Issue("new-technologies", Names("new", ("New technologies", "AI")), frozenset({"new-technologies", "artificial-intelligence"}))
    under = Place("wmo", ("Artificial intelligence",), frozenset({"artificial-intelligence"}))
    elsewhere = Place("wmo", ("Digital tools",), frozenset())
    assert issue_problem("a tool", under, ai) is None and issue_problem("a tool", under, basket) is None
    assert issue_problem("an AI tool", elsewhere, ai) is None
    assert issue_problem("a weather tool", elsewhere, ai) is not None


# -- the YAML, and the build's refusals


def _project(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "data/sources"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data" / "curated").mkdir(parents=True)
    (root / "data" / "curated" / "wmo.yaml").write_text(text, encoding="utf-8")
    return root


WMO_HEAD = """organisation: wmo
organisations:
  - key: ecmwf
    name: European Centre for Medium-Range Weather Forecasts
    acronyms: [ECMWF]
    type: intergovernmental
    evidence: {quote: "a global competition organised by ECMWF"}
initiatives:
  - key: ai-weather-quest
    name: AI Weather Quest
    kind: competition
"""


def test_an_unsupported_statement_fails_the_build_naming_file_entry_and_statement(tmp_path: Path) -> None:
    root = _project(tmp_path, WMO_HEAD + """    role: co-sponsor
    participants:
      - {org: ecmwf, role: organiser}
    evidence:
      quote: "WMO recognises that, even with AI and ML advancements, human expertise remains central"
""")
    with pytest.raises(UnsupportedStatements) as info:
        check(load_settings(environ={}, root=root))
    problems = info.value.problems
    assert ("data/curated/wmo.yaml", "initiatives[0] 'ai-weather-quest'") == problems[0][:2]
    assert any("involvement of 'ecmwf' as organiser" in why and "does not name" in why for _f, _e, why in problems)
    assert isinstance(info.value, CurationError)


def test_a_statement_may_carry_its_own_quote_and_one_quote_serves_several(tmp_path: Path) -> None:
    root = _project(tmp_path, WMO_HEAD + """    role: {role: co-sponsor, evidence: "WMO is co-sponsoring the AI Weather Quest"}
    participants:
      - {org: ecmwf, role: organiser, evidence: "the AI Weather Quest, a global competition organised by ECMWF"}
    issues: [{issue: artificial-intelligence}]
    evidence:
      quote: "The AI Weather Quest has been approved as a WIPPS (WMO Integrated Processing and Prediction System) Pilot Project."
""")
    built, report = check(load_settings(environ={}, root=root))
    assert report.conforms, report.text()
    quest = built.curated.initiatives["ai-weather-quest"][0]
    lead = next(i for i in quest.involvements if i.org == "wmo")
    organiser = next(i for i in quest.involvements if i.org == "ecmwf")
    # its own quote, and the entry's quote that names WMO and the Quest too
    assert [q.text for q in lead.quotes][0] == "WMO is co-sponsoring the AI Weather Quest" and len(lead.quotes) == 2
    assert [q.text for q in organiser.quotes] == ["the AI Weather Quest, a global competition organised by ECMWF"]


def test_a_quote_given_on_a_statement_must_support_it(tmp_path: Path) -> None:
    root = _project(tmp_path, WMO_HEAD + """    role: co-sponsor
    participants:
      - {org: ecmwf, role: organiser, evidence: "WMO is co-sponsoring the AI Weather Quest"}
    evidence:
      quote: "WMO is co-sponsoring the AI Weather Quest, a global competition organised by ECMWF"
""")
    with pytest.raises(UnsupportedStatements, match="the quote given for it does not support it"):
        check(load_settings(environ={}, root=root))


def test_a_heading_is_quotable_and_an_unnamed_activity_is_marked(tmp_path: Path) -> None:
    root = _project(tmp_path, """organisation: wmo
initiatives:
  - key: unified-data-policy
    name: WMO Unified Data Policy
    kind: policy
    role: lead
    evidence:
      - quote: "WMO Unified Data Policy"
        section: digital-policy-issues/data-governance/wmo-unified-data-policy
  - key: wmo-data-gathering-systems
    name: data-gathering systems
    unnamed: true
    kind: system
    role: user
    issues: [data-governance]
    evidence:
      - quote: "Data is gathered from one of the most diverse data-gathering systems worldwide"
      - quote: "Data exchange underpins all WMO core functions"
""")
    built, report = check(load_settings(environ={}, root=root))
    assert report.conforms, report.text()
    heading = built.curated.initiatives["unified-data-policy"][0].quotes[0]
    assert heading.section == "digital-policy-issues/data-governance/wmo-unified-data-policy"
    unnamed = select(built.store, "SELECT ?x WHERE { ?x a pg:UnnamedActivity }")
    assert [r["x"] for r in unnamed] == [ID + "initiative/wmo-data-gathering-systems"]


def test_roles_of_no_joint_work_make_no_shortcut(built: Built) -> None:
    """Supporting, adopting or using something links nobody: pg:partnerOf and pg:worksOn come from roles of
    joint work only, and a profiled organisation's pg:worksOn from its own profile only."""
    loose = select(built.store, """SELECT ?d ?from WHERE { ?d a pg:Derivation ; prov:wasDerivedFrom ?from .
        ?from pg:role ?r . ?r pg:jointWork false . ?d rdf:predicate ?p FILTER (?p != pg:involvedIn) }""")
    assert loose == []
    foreign = select(built.store, """SELECT ?org ?issue ?from WHERE { ?d a pg:Derivation ; rdf:subject ?org ; rdf:predicate pg:worksOn ;
        rdf:object ?issue ; prov:wasDerivedFrom ?from . ?org pg:profile ?own . ?from pg:statedIn ?other FILTER (?other != ?own) }""")
    assert foreign == []
    # The example of the issue: the SDGs, which WMO only supports, give WMO no partner and no issue.
    wmo_ipr = select(built.store, f"SELECT ?x WHERE {{ <{ID}organisation/wmo> pg:worksOn <{ID}issue/intellectual-property-rights> }}")
    assert wmo_ipr == []
