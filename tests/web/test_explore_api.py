"""The explorer's JSON API against a live server. Expectations come from SPARQL run here on the session's
built store (the same data the server serves), written independently of the service's own queries."""

from __future__ import annotations

import io
import itertools
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from policygraph.audit import NamesIndex
from policygraph.build import Built
from policygraph.curated.support import Names, involvement_problem, issue_problem, link_problem
from tests.support.app import InProcess

PREFIXES = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
ID = "https://w3id.org/policygraph/id/"


def rows(built: Built, query: str) -> list[dict[str, str]]:
    result = built.store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def column(built: Built, query: str, name: str) -> set[str]:
    return {r[name] for r in rows(built, query) if name in r}


def ask(built: Built, query: str) -> bool:
    result = built.store.query(PREFIXES + query)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def term(value: str) -> str:
    return str(ox.NamedNode(value))


def get_json(server: InProcess, path: str, **params: object) -> Any:
    response = server.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


@pytest.fixture(scope="module")
def choices(built: Built) -> dict[str, str]:
    """Filter values that select something in the data: the basket and the narrower issue with the most
    organisations, the commonest organisation type and partnership kind."""
    def top(query: str) -> str:
        found = rows(built, query)
        assert found, query
        return found[0]["x"]

    basket = top("SELECT ?x (COUNT(DISTINCT ?o) AS ?n) WHERE { ?x a pg:Basket . ?o pg:worksOn/skos:broader* ?x } "
                 "GROUP BY ?x ORDER BY DESC(?n) ?x")
    issue = top("SELECT ?x (COUNT(DISTINCT ?o) AS ?n) WHERE { ?x skos:broader ?b . ?o pg:worksOn ?x } GROUP BY ?x ORDER BY DESC(?n) ?x")
    type_ = top("SELECT ?x (COUNT(?o) AS ?n) WHERE { ?o a pg:Organisation ; pg:organisationType ?x } GROUP BY ?x ORDER BY DESC(?n) ?x")
    kind = top("SELECT ?x (COUNT(?p) AS ?n) WHERE { ?p a pg:Partnership ; pg:kind ?x } GROUP BY ?x ORDER BY DESC(?n) ?x")
    return {"issue": issue, "basket": basket, "type": type_, "kind": kind}


def expected_organisations(built: Built, filters: dict[str, str]) -> set[str]:
    """The equivalent SPARQL: organisations that work on the issue or a narrower one, on an issue of the
    basket, have the type, and are partner in a partnership of the kind."""
    conditions = []
    if "issue" in filters:
        conditions.append(f"FILTER EXISTS {{ ?org pg:worksOn ?i . ?i skos:broader* {term(filters['issue'])} }}")
    if "basket" in filters:
        conditions.append(f"FILTER EXISTS {{ ?org pg:worksOn ?j . ?j skos:broader* {term(filters['basket'])} }}")
    if "type" in filters:
        conditions.append(f"FILTER EXISTS {{ ?org pg:organisationType {term(filters['type'])} }}")
    if "kind" in filters:
        conditions.append(f"FILTER EXISTS {{ ?p a pg:Partnership ; pg:kind {term(filters['kind'])} ; pg:partner ?org }}")
    return column(built, "SELECT ?org WHERE { ?org a pg:Organisation . " + " ".join(conditions) + " }", "org")


CASES = [(), ("issue",), ("basket",), ("type",), ("kind",), ("issue", "type"), ("basket", "kind"), ("basket", "issue")]


@pytest.mark.parametrize("names", CASES, ids=["+".join(c) or "none" for c in CASES])
def test_filters_return_exactly_the_organisations_of_the_equivalent_sparql(
    app_server: InProcess, built: Built, choices: dict[str, str], names: tuple[str, ...]
) -> None:
    filters = {name: choices[name] for name in names}
    # The API takes keys (the last IRI segment) as well as IRIs: use keys, as the page does.
    params = {name: value.rsplit("/", 1)[-1] for name, value in filters.items()}
    data = get_json(app_server, "/api/graph", **params)
    got = {n["iri"] for n in data["nodes"] if n["type"] == "organisation"}
    assert got == expected_organisations(built, filters)
    assert data["counts"]["organisation"] == len(got)
    # The graph is consistent: every edge joins two nodes of the view, degrees count the edges.
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    degree = {i: 0 for i in ids}
    for e in data["edges"]:
        degree[e["source"]] += 1
        degree[e["target"]] += 1
    assert {n["id"]: n["degree"] for n in data["nodes"]} == degree
    # Partnerships are of the kind, and have a partner in the view.
    for node in (n for n in data["nodes"] if n["type"] == "partnership"):
        partners = column(built, f"SELECT ?o WHERE {{ {term(node['iri'])} pg:partner ?o }}", "o")
        assert partners & got, node["iri"]
        if "kind" in filters:
            assert node["kind"]["iri"] == filters["kind"]
    if "issue" in filters:  # initiatives are about the issue or a narrower one
        for node in (n for n in data["nodes"] if n["type"] == "initiative"):
            assert ask(built, f"ASK {{ {term(node['iri'])} dcterms:subject/skos:broader* {term(filters['issue'])} }}")


def test_an_issue_filter_keeps_the_organisations_of_its_narrower_issues(app_server: InProcess, built: Built,
                                                                      choices: dict[str, str]) -> None:
    basket_key = choices["basket"].rsplit("/", 1)[-1]
    as_issue = {n["iri"] for n in get_json(app_server, "/api/graph", issue=basket_key)["nodes"] if n["type"] == "organisation"}
    as_basket = {n["iri"] for n in get_json(app_server, "/api/graph", basket=basket_key)["nodes"] if n["type"] == "organisation"}
    narrower = column(built, f"SELECT ?i WHERE {{ ?i skos:broader {term(choices['basket'])} }}", "i")
    assert as_issue == as_basket
    direct = column(built, f"SELECT ?o WHERE {{ ?o pg:worksOn {term(choices['basket'])} }}", "o")
    assert as_issue > direct  # the narrower issues bring in more organisations than the basket alone
    for issue in narrower:
        part = {n["iri"] for n in get_json(app_server, "/api/graph", issue=issue)["nodes"] if n["type"] == "organisation"}
        assert part <= as_issue


def test_initiative_modes(app_server: InProcess, built: Built) -> None:
    everything = get_json(app_server, "/api/graph", initiatives="all")
    shared = get_json(app_server, "/api/graph")
    none = get_json(app_server, "/api/graph", initiatives="none")
    involved = column(built, "SELECT ?i WHERE { ?i a pg:Initiative ; pg:involvement/pg:agent ?o }", "i")
    assert {n["iri"] for n in everything["nodes"] if n["type"] == "initiative"} == involved
    assert 0 < shared["counts"]["initiative"] < everything["counts"]["initiative"]
    assert none["counts"]["initiative"] == 0
    all_partnerships = column(built, "SELECT ?p WHERE { ?p a pg:Partnership }", "p")
    assert {n["iri"] for n in everything["nodes"] if n["type"] == "partnership"} == all_partnerships


@pytest.mark.parametrize("params", [
    {"issue": "no-such-issue"}, {"basket": "artificial-intelligence"}, {"type": "https://example.org/x"},
    {"kind": "nope"}, {"initiatives": "some"},
])
def test_bad_filters_are_a_clear_400(app_server: InProcess, params: dict[str, str]) -> None:
    response = app_server.get("/api/graph", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and list(params.values())[0] in body["message"]


def test_names_by_acronym_and_by_name(app_server: InProcess, built: Built) -> None:
    org = rows(built, "SELECT ?o ?a ?l WHERE { ?o a pg:Organisation ; pg:acronym ?a ; skos:prefLabel ?l . "
                      "FILTER (STRLEN(?a) >= 3 && LCASE(?a) != LCASE(?l)) } ORDER BY ?o LIMIT 1")[0]
    found = get_json(app_server, "/api/names", q=org["a"].lower())["results"]
    assert found[0]["iri"] == org["o"]  # an exact acronym comes first
    word = max(org["l"].split(), key=len)
    by_name = get_json(app_server, "/api/names", q=word[1:-1], limit=25)["results"]
    assert org["o"] in {r["iri"] for r in by_name}
    for result in by_name:  # every suggestion does contain the text in one of its names
        label = "skos:prefLabel|skos:altLabel|<http://www.w3.org/2000/01/rdf-schema#label>"
        names = column(built, f"SELECT ?n WHERE {{ {term(result['iri'])} {label} ?n }}", "n")
        assert any(word[1:-1].lower() in n.lower() for n in names)
    assert app_server.get("/api/names", params={"q": "  "}).status_code == 400
    assert app_server.get("/api/names", params={"q": "x" * 101}).status_code == 400


@pytest.fixture(scope="module")
def hub(built: Built) -> str:
    """The organisation in the most partnerships."""
    return rows(built, "SELECT ?o (COUNT(?p) AS ?n) WHERE { ?p a pg:Partnership ; pg:partner ?o } GROUP BY ?o ORDER BY DESC(?n) ?o")[0]["o"]


def test_node_details_and_neighbourhood(app_server: InProcess, built: Built, hub: str) -> None:
    data = get_json(app_server, "/api/node", iri=hub, depth=1, limit=300)
    node = data["node"]
    assert node["label"] == rows(built, f"SELECT ?l WHERE {{ {term(hub)} skos:prefLabel ?l }}")[0]["l"]
    assert node["page"] == "/id/" + hub[len(ID):]
    quotes = column(built, f"SELECT ?q WHERE {{ {term(hub)} pg:evidence/oa:exact ?q }}", "q")
    assert {e["quote"] for e in node["evidence"]} == quotes
    issues = column(built, f"SELECT ?i WHERE {{ {term(hub)} pg:worksOn ?i }}", "i")
    assert {i["iri"] for i in node["issues"]} == issues
    neighbours = column(built, f"""SELECT ?n WHERE {{
        {{ ?n a pg:Partnership ; pg:partner {term(hub)} }} UNION {{ ?n a pg:Initiative ; pg:involvement/pg:agent {term(hub)} }} }}""", "n")
    hood = data["neighbourhood"]
    assert {n["iri"] for n in hood["nodes"]} == neighbours | {hub}
    assert not hood["truncated"]
    assert {link["iri"] for link in node["links"]} == neighbours


def test_neighbourhood_is_bounded(app_server: InProcess, hub: str) -> None:
    small = get_json(app_server, "/api/node", iri=hub, depth=3, limit=12)["neighbourhood"]
    assert len(small["nodes"]) == 12 and small["truncated"]
    assert small["nodes"][0]["iri"] == hub
    wider = get_json(app_server, "/api/node", iri=hub, depth=2, limit=300)["neighbourhood"]
    nearer = get_json(app_server, "/api/node", iri=hub, depth=1, limit=300)["neighbourhood"]
    assert {n["iri"] for n in nearer["nodes"]} < {n["iri"] for n in wider["nodes"]}
    for params, status in [({"depth": 4}, 400), ({"depth": 0}, 400), ({"limit": 301}, 400), ({"depth": "two"}, 400)]:
        assert app_server.get("/api/node", params={"iri": hub, **params}).status_code == status
    assert app_server.get("/api/node", params={"iri": ID + "organisation/no-such-thing"}).status_code == 404
    assert app_server.get("/api/node", params={"iri": "not an iri"}).status_code == 400
    assert app_server.get("/api/node").status_code == 400


def check_path(built: Built, path: dict[str, Any], source: str, target: str) -> None:
    """Every step is stated by triples of the store that join its two ends, and its evidence is quoted
    from the store; the steps chain from `source` to `target`."""
    steps = path["steps"]
    assert steps and steps[0]["from"] == source and steps[-1]["to"] == target
    assert [s["from"] for s in steps[1:]] == [s["to"] for s in steps[:-1]]
    assert [n["iri"] for n in path["nodes"]] == [steps[0]["from"], *(s["to"] for s in steps)]
    for step in steps:
        assert step["triples"], step
        for t in step["triples"]:
            assert ask(built, f"ASK {{ {term(t['s'])} {term(t['p'])} {term(t['o'])} }}"), t
        terms = {t["s"] for t in step["triples"]} | {t["o"] for t in step["triples"]}
        assert step["from"] in terms and step["to"] in terms
        assert step["text"]
        for quote in step["evidence"]:
            literal = str(ox.Literal(quote["quote"]))
            assert ask(built, f"ASK {{ {{ ?e oa:exact {literal} }} UNION {{ ?s pg:heading {literal} }} }}"), quote


def test_paths_between_partners_start_with_their_partnership(app_server: InProcess, built: Built) -> None:
    pair = rows(built, "SELECT ?a ?b ?p WHERE { ?p a pg:Partnership ; pg:partner ?a , ?b . "
                       "?a pg:profile ?x . ?b pg:profile ?y . FILTER (STR(?a) < STR(?b)) } ORDER BY ?p LIMIT 1")[0]
    data = get_json(app_server, "/api/paths", **{"from": pair["a"], "to": pair["b"]})
    assert data["paths"] and data["paths"][0]["hops"] == 2
    middle = data["paths"][0]["nodes"][1]
    assert middle["type"] == "partnership"
    assert ask(built, f"ASK {{ {term(middle['iri'])} pg:partner {term(pair['a'])} , {term(pair['b'])} }}")
    for path in data["paths"]:
        check_path(built, path, pair["a"], pair["b"])


def test_every_step_of_every_path_is_backed_by_triples(app_server: InProcess, built: Built) -> None:
    profiled = sorted(column(built, "SELECT ?o WHERE { ?o pg:profile ?p }", "o"))
    checked = 0
    for a, b in itertools.islice(itertools.combinations(profiled, 2), 12):
        for via in (None, "issues", "partnerships,initiatives"):
            params = {"from": a, "to": b, "limit": 3, **({"via": via} if via else {})}
            data = get_json(app_server, "/api/paths", **params)
            ranks = [(p["hops"], p["cost"]) for p in data["paths"]]
            assert ranks == sorted(ranks)  # fewer steps first, then the most telling
            for path in data["paths"]:
                check_path(built, path, a, b)
                relations = {s["relation"] for s in path["steps"]}
                if via == "issues":
                    assert relations == {"worksOn"}
                if via == "partnerships,initiatives":
                    assert "worksOn" not in relations
                checked += 1
    assert checked > 0


def test_paths_are_bounded(app_server: InProcess, built: Built) -> None:
    a, b = sorted(column(built, "SELECT ?o WHERE { ?o pg:profile ?p }", "o"))[:2]
    data = get_json(app_server, "/api/paths", **{"from": a, "to": b, "limit": 2, "maxHops": 2})
    assert len(data["paths"]) <= 2 and all(p["hops"] <= 2 for p in data["paths"])
    initiative = sorted(column(built, "SELECT ?i WHERE { ?i a pg:Initiative }", "i"))[0]
    for params, status in [
        ({"limit": 11}, 400), ({"maxHops": 9}, 400), ({"maxHops": 0}, 400), ({"to": a}, 400),
        ({"to": initiative}, 400), ({"via": "planes"}, 400), ({"to": ID + "organisation/nobody"}, 404),
    ]:
        response = app_server.get("/api/paths", params={"from": a, "to": b, **params})
        assert response.status_code == status, (params, response.text)
        assert response.json()["message"]


def canonical(graph: nx.Graph) -> nx.Graph:
    """Sorted nodes and edges, so that networkx's results do not depend on the order of the file."""
    out = nx.Graph()
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: item[0]))
    out.add_edges_from(sorted(((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)), key=lambda e: e[:2]))
    return out


def test_analytics_equal_networkx_on_the_exported_graphml(app_server: InProcess, built: Built) -> None:
    response = app_server.get("/api/export.graphml", params={"network": "partnerships"})
    assert response.status_code == 200
    graph = canonical(nx.read_graphml(io.BytesIO(response.content)))
    # The export is the partnership network of the store.
    pairs = {tuple(sorted((r["a"], r["b"]))) for r in rows(built, "SELECT ?a ?b WHERE { ?a pg:partnerOf ?b }")}
    assert {tuple(sorted(e)) for e in graph.edges} == pairs
    analytics = get_json(app_server, "/api/analytics", top=500)

    betweenness = nx.betweenness_centrality(graph)
    by_iri = {o["iri"]: o for o in analytics["organisations"]}
    assert set(by_iri) == set(graph.nodes)
    for org, numbers in by_iri.items():
        assert numbers["degree"] == graph.degree(org)
        assert numbers["weightedDegree"] == graph.degree(org, weight="weight")
        assert numbers["betweenness"] == pytest.approx(betweenness[org], abs=1e-12)
    communities = nx.community.greedy_modularity_communities(graph, weight="weight")
    groups = analytics["communities"]["groups"]
    assert {frozenset(m["iri"] for m in g["members"]) for g in groups} == {frozenset(c) for c in communities}
    assert analytics["communities"]["modularity"] == pytest.approx(nx.community.modularity(graph, communities, weight="weight"))
    for org, numbers in by_iri.items():
        assert org in {m["iri"] for m in groups[numbers["community"]]["members"]}
    assert analytics["network"]["nodes"] == graph.number_of_nodes()
    assert analytics["network"]["edges"] == graph.number_of_edges()
    assert analytics["network"]["components"] == nx.number_connected_components(graph)


def test_issue_overlap_is_the_jaccard_of_issue_sets(app_server: InProcess, built: Built) -> None:
    works: dict[str, set[str]] = {}
    for r in rows(built, "SELECT ?o ?i WHERE { ?o a pg:Organisation ; pg:worksOn ?i }"):
        works.setdefault(r["o"], set()).add(r["i"])
    overlap = get_json(app_server, "/api/analytics", top=100)["issueOverlap"]
    assert overlap["organisations"] == len(works)
    scores = [p["jaccard"] for p in overlap["pairs"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 100
    for pair in overlap["pairs"]:
        a, b = works[pair["a"]["iri"]], works[pair["b"]["iri"]]
        assert pair["jaccard"] == pytest.approx(len(a & b) / len(a | b))
        assert set(pair["shared"]) == {i.rsplit("/", 1)[-1] for i in a & b}
    best = max(len(a & b) / len(a | b) for a, b in itertools.combinations(works.values(), 2))
    assert scores[0] == pytest.approx(best)
    matrix = overlap["matrix"]
    profiled = column(built, "SELECT ?o WHERE { ?o pg:profile ?p ; pg:worksOn ?i }", "o")
    assert {o["iri"] for o in matrix["organisations"]} == profiled
    for i, u in enumerate(matrix["organisations"]):
        for j, v in enumerate(matrix["organisations"]):
            a, b = works[u["iri"]], works[v["iri"]]
            assert matrix["values"][i][j] == pytest.approx(len(a & b) / len(a | b))
    assert app_server.get("/api/analytics", params={"top": 0}).status_code == 400


def test_facets_and_page(app_server: InProcess, built: Built, choices: dict[str, str]) -> None:
    facets = get_json(app_server, "/api/facets")
    baskets = column(built, "SELECT ?b WHERE { ?b a pg:Basket }", "b")
    assert {b["key"] for b in facets["baskets"]} == {b.rsplit("/", 1)[-1] for b in baskets}
    assert len(facets["organisations"]) == len(column(built, "SELECT ?o WHERE { ?o a pg:Organisation }", "o"))
    key = choices["issue"].rsplit("/", 1)[-1]
    page = app_server.get("/explore", params={"issue": key})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert f'</api/graph?issue={key}>; rel="alternate"; type="application/json"' in page.headers["Link"]
    for label in ("Issue", "Basket", "Organisation type", "Partnership kind", "From", "To"):
        assert f">{label}</label>" in page.text


def step_problems(index: NamesIndex, step: dict[str, Any], net_types: dict[str, str]) -> list[str]:
    """Why a path step's quotes do not support it (empty: every quote does, and there is at least one)."""
    if not step["evidence"]:
        return [f"{step['text']}: no quote"]
    ends = {net_types.get(step["from"], "issue"): step["from"], net_types.get(step["to"], "issue"): step["to"]}
    problems = []
    for quote in step["evidence"]:
        place = index.places[quote["section"]]
        text, relation, org = quote["quote"], step["relation"], ends.get("organisation", "")
        if relation == "partner":
            why = involvement_problem(text, place, index.names(org), index.partnership(ends["partnership"], org))
        elif relation == "involved":
            why = involvement_problem(text, place, index.names(org), index.names(ends["initiative"]))
        elif relation == "about":
            partners = Names("a partner")
            for partner in index.partners[ends["partnership"]]:
                partners = partners | index.names(partner)
            why = link_problem(text, place, [index.names(ends["initiative"]), partners])
        elif "/involvement/" in quote.get("statement", ""):  # worksOn, from the organisation's joint-work role
            via = step["via"]["iri"]
            thing = index.partnership(via, org) if net_types.get(via) == "partnership" else index.names(via)
            why = involvement_problem(text, place, index.names(org), thing)
        else:  # worksOn, from an issue tag or a heading of the organisation's own profile
            why = issue_problem(text, place, index.issues[ends["issue"]])
            if "statement" not in quote and place.profile not in index.own[org]:
                why = why or "a heading of another organisation's profile"
        if why:
            problems.append(f"{step['text']}: {text!r}: {why}")
    return problems


def test_every_step_of_every_path_between_the_profiled_organisations_has_a_supporting_quote(
        app_server: InProcess, built: Built) -> None:
    """All 45 pairs of the ten profiled organisations: every step of every path the API returns carries
    at least one quote, and every quote passes the support rules for that very step."""
    index = NamesIndex(built.store)
    net_types = {r["x"]: r["t"] for r in rows(built, """SELECT ?x ?t WHERE {
        { ?x a pg:Organisation BIND ("organisation" AS ?t) } UNION { ?x a pg:Initiative BIND ("initiative" AS ?t) }
        UNION { ?x a pg:Partnership BIND ("partnership" AS ?t) } }""")}
    profiled = sorted(column(built, "SELECT ?o WHERE { ?o pg:profile ?p }", "o"))
    pairs = list(itertools.combinations(profiled, 2))
    assert len(pairs) == 45
    problems, steps = [], 0
    for a, b in pairs:
        for path in get_json(app_server, "/api/paths", **{"from": a, "to": b, "limit": 3})["paths"]:
            for step in path["steps"]:
                steps += 1
                problems += step_problems(index, step, net_types)
    assert steps > 200
    assert not problems, f"{len(problems)} unsupported steps, e.g. {problems[:5]}"
