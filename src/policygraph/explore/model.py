"""The explorer's network: organisations, initiatives and partnerships, and the edges between them.

Loaded from a handful of SPARQL SELECTs (so it works over any store that answers SPARQL), then held as
plain data while a request is answered. Edges point from an organisation to the partnership it is
partner in (`partner`) or to the initiative it is involved in (`involved`), and from a partnership to
the initiative it is about (`about`). Every edge keeps the statements that make it (the involvement
nodes, with the profile that states each and whether its role means joint work), and the network keeps
each profile's issue tags of each thing: a view filtered by issue keeps an edge when the profile that
states it also tags its initiative or partnership with the issue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from policygraph.explore.sparql import Sparql

ORGANISATION, INITIATIVE, PARTNERSHIP, ISSUE = "organisation", "initiative", "partnership", "issue"

ORGANISATIONS = """
SELECT ?node ?label ?type ?profile WHERE {
  ?node a pg:Organisation .
  OPTIONAL { ?node skos:prefLabel ?label }
  OPTIONAL { ?node pg:organisationType ?type }
  OPTIONAL { ?node pg:profile ?profile }
} ORDER BY ?node ?label ?type"""

INITIATIVES = """
SELECT ?node ?label ?kind ?publication WHERE {
  ?node a pg:Initiative .
  OPTIONAL { ?node skos:prefLabel ?label }
  OPTIONAL { ?node pg:kind ?kind }
  BIND (EXISTS { ?node a schema:CreativeWork } AS ?publication)
} ORDER BY ?node ?label ?kind"""

PARTNERSHIPS = """
SELECT ?node ?label ?kind WHERE {
  ?node a pg:Partnership .
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node pg:kind ?kind }
} ORDER BY ?node ?label ?kind"""

# A profiled organisation's own acronym (the one its profile gives) comes first: it is the one drawn.
ALT_LABELS = """
SELECT ?node ?alt ?acronym ?own WHERE {
  VALUES ?class { pg:Organisation pg:Initiative }
  ?node a ?class ; skos:altLabel ?alt .
  BIND (EXISTS { ?node pg:acronym ?alt } AS ?acronym)
  BIND (EXISTS { ?node pg:profile ?profile . GRAPH ?ingested { ?node pg:acronym ?alt }
                 FILTER (STRENDS(STR(?ingested), CONCAT("/graph/", STRAFTER(STR(?profile), "/id/")))) } AS ?own)
} ORDER BY ?node DESC(?own) ?alt"""

# The issues of a node: what an organisation works on (derived), the issue tags of an initiative or a
# partnership (any profile's). Shared with the filter queries (filters.py).
NODE_ISSUE = """
  { ?node a pg:Organisation ; pg:worksOn ?issue }
  UNION { ?node a pg:Initiative ; dcterms:subject ?issue }
  UNION { ?node a pg:Partnership ; dcterms:subject ?issue }"""

ISSUES = "SELECT DISTINCT ?node ?issue WHERE {" + NODE_ISSUE + "\n}"

EDGES = """
SELECT ?source ?target ?relation ?role ?involvement ?profile ?joint WHERE {
  { ?target a pg:Partnership ; pg:partner ?source . BIND ("partner" AS ?relation)
    OPTIONAL { ?target pg:involvement ?involvement . ?involvement pg:agent ?source .
               OPTIONAL { ?involvement pg:role ?role OPTIONAL { ?role pg:jointWork ?joint } }
               OPTIONAL { ?involvement pg:statedIn ?profile } } }
  UNION { ?target a pg:Initiative ; pg:involvement ?involvement . ?involvement pg:agent ?source .
          BIND ("involved" AS ?relation) OPTIONAL { ?involvement pg:role ?role OPTIONAL { ?role pg:jointWork ?joint } }
          OPTIONAL { ?involvement pg:statedIn ?profile } }
  UNION { ?source a pg:Partnership ; schema:about ?target . BIND ("about" AS ?relation)
          OPTIONAL { ?involvement rdf:subject ?source ; rdf:predicate schema:about ; rdf:object ?target ; pg:statedIn ?profile } }
} ORDER BY ?relation ?source ?target ?role ?involvement"""

# Each profile's issue tags of each initiative and partnership (the pg:StatedTriple of dcterms:subject).
TAGS = """
SELECT DISTINCT ?thing ?issue ?profile WHERE {
  ?statement rdf:subject ?thing ; rdf:predicate dcterms:subject ; rdf:object ?issue ; pg:statedIn ?profile .
} ORDER BY ?thing ?issue ?profile"""

PROFILES = """
SELECT ?profile ?label ?org WHERE { ?profile a pg:Profile . OPTIONAL { ?profile rdfs:label ?label }
  OPTIONAL { ?profile pg:profileOf ?org } } ORDER BY ?profile"""

SCHEME = """
SELECT ?concept ?label ?broader ?basket WHERE {
  ?concept a pg:PolicyIssue .
  OPTIONAL { ?concept skos:prefLabel ?label }
  OPTIONAL { ?concept skos:broader ?broader }
  BIND (EXISTS { ?concept a pg:Basket } AS ?basket)
} ORDER BY ?concept"""

CONCEPTS = """
SELECT ?concept ?label ?scheme WHERE {
  ?concept skos:inScheme ?scheme ; skos:prefLabel ?label .
} ORDER BY ?concept"""


@dataclass
class Node:
    iri: str
    type: str
    label: str
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    org_type: str | None = None  # organisation-type concept
    kind: str | None = None  # initiative-kind or partnership-kind concept
    issues: set[str] = field(default_factory=set)
    profiled: bool = False
    publication: bool = False

    @property
    def short(self) -> str:
        """The label drawn on the graph: the acronym when there is one."""
        return self.acronyms[0] if self.acronyms else self.label


@dataclass(frozen=True)
class Statement:
    """One statement behind an edge: an involvement (or, for `about`, the stated triple), the profile that
    states it, and whether its role means joint work."""

    iri: str
    role: str | None
    profile: str | None
    joint: bool


@dataclass
class Edge:
    source: str
    target: str
    relation: str  # partner | involved | about
    roles: list[str] = field(default_factory=list)  # role concepts
    statements: list[Statement] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.relation}:{self.source}>{self.target}"

    @property
    def involvements(self) -> list[tuple[str, str | None]]:
        """(pg:Involvement node, its role): what the backing triples of a path step name."""
        return [(s.iri, s.role) for s in self.statements]

    @property
    def joint(self) -> bool:
        """Whether any statement of the edge gives a role of joint work (an `about` edge always does)."""
        return self.relation == "about" or any(s.joint for s in self.statements)

    def joint_statements(self) -> list[Statement]:
        return self.statements if self.relation == "about" else [s for s in self.statements if s.joint]


@dataclass
class Issue:
    iri: str
    label: str
    broader: set[str] = field(default_factory=set)
    basket: bool = False


@dataclass
class Network:
    base: str  # the resource base IRI, for links to the linked-data pages
    nodes: dict[str, Node]
    edges: list[Edge]
    issues: dict[str, Issue]
    labels: dict[str, str]  # concept IRI -> label (kinds, types, roles, issues)
    schemes: dict[str, list[str]]  # scheme key (organisation-type, ...) -> concept IRIs
    tags: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (thing, profile) -> issues it states
    profiles: dict[str, str] = field(default_factory=dict)  # profile -> the organisation it describes

    def neighbours(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            out[edge.source].append(edge)
            out[edge.target].append(edge)
        return out

    def baskets_of(self, issue: str) -> set[str]:
        """The baskets above an issue (itself when it is one)."""
        seen, todo, out = set(), [issue], set()
        while todo:
            current = todo.pop()
            if current in seen or current not in self.issues:
                continue
            seen.add(current)
            if self.issues[current].basket:
                out.add(current)
            todo.extend(self.issues[current].broader)
        return out

    def issues_stated(self, thing: str, profile: str | None) -> set[str]:
        """The issues `profile` tags `thing` with."""
        return self.tags.get((thing, profile or ""), set())

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        if iri in self.nodes:
            return self.nodes[iri].label
        return self.labels.get(iri) or key_of(iri)

    def page(self, iri: str) -> str | None:
        """The local linked-data page of a resource IRI (the graph never holds local IRIs)."""
        prefix = self.base + "id/"
        return "/id/" + iri[len(prefix):] if iri.startswith(prefix) else None

    def concept_json(self, iri: str | None) -> dict[str, str] | None:
        return None if iri is None else {"iri": iri, "key": key_of(iri), "label": self.label(iri)}

    def node_json(self, node: Node, degree: int | None = None) -> dict[str, Any]:
        baskets = sorted({b for i in node.issues for b in self.baskets_of(i)})
        out: dict[str, Any] = {
            "id": node.iri,
            "iri": node.iri,
            "type": node.type,
            "label": node.label,
            "short": node.short,
            "acronyms": node.acronyms,
            "issues": sorted(key_of(i) for i in node.issues),
            "baskets": [key_of(b) for b in baskets],
            "page": self.page(node.iri),
        }
        if node.type == ORGANISATION:
            out["organisationType"] = self.concept_json(node.org_type)
            out["profiled"] = node.profiled
        else:
            out["kind"] = self.concept_json(node.kind)
        if node.type == INITIATIVE:
            out["publication"] = node.publication
        if degree is not None:
            out["degree"] = degree
        return out

    def edge_json(self, edge: Edge) -> dict[str, Any]:
        return {
            "id": edge.key,
            "source": edge.source,
            "target": edge.target,
            "relation": edge.relation,
            "roles": [key_of(r) for r in edge.roles],
            "label": ", ".join(self.label(r) for r in edge.roles) if edge.roles else edge.relation,
            "joint": edge.joint,
            "profiles": sorted({key_of(s.profile) for s in edge.statements if s.profile}),
        }


def key_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _fallback_label(iri: str) -> str:
    return key_of(iri).replace("-", " ")


def load_network(sparql: Sparql, base: str) -> Network:
    """Run the network's SELECTs and assemble the plain-data network."""
    nodes: dict[str, Node] = {}
    for query, kind in ((ORGANISATIONS, ORGANISATION), (INITIATIVES, INITIATIVE), (PARTNERSHIPS, PARTNERSHIP)):
        for row in sparql.select(query):
            iri = row["node"]
            node = nodes.get(iri)
            if node is None:  # the first row wins where a value is (wrongly) stated twice
                node = nodes[iri] = Node(iri, kind, row.get("label") or _fallback_label(iri))
                node.org_type, node.kind = row.get("type"), row.get("kind")
                node.profiled = "profile" in row
                node.publication = row.get("publication") == "true"
    for row in sparql.select(ALT_LABELS):
        node = nodes.get(row["node"])
        if node is None:
            continue
        target = node.acronyms if row.get("acronym") == "true" else node.names
        if row["alt"] not in target and row["alt"] != node.label:
            target.append(row["alt"])
    for row in sparql.select(ISSUES):
        if row["node"] in nodes:
            nodes[row["node"]].issues.add(row["issue"])

    merged: dict[str, Edge] = {}
    for row in sparql.select(EDGES):
        if row["source"] not in nodes or row["target"] not in nodes:
            continue
        edge = Edge(row["source"], row["target"], row["relation"])
        edge = merged.setdefault(edge.key, edge)
        if row.get("role") and row["role"] not in edge.roles:
            edge.roles.append(row["role"])
        if row.get("involvement"):
            statement = Statement(row["involvement"], row.get("role"), row.get("profile"), row.get("joint") == "true")
            if statement not in edge.statements:
                edge.statements.append(statement)

    tags: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in sparql.select(TAGS):
        tags[(row["thing"], row["profile"])].add(row["issue"])
    profiles: dict[str, str] = {}

    issues: dict[str, Issue] = {}
    for row in sparql.select(SCHEME):
        issue = issues.setdefault(row["concept"], Issue(row["concept"], row.get("label") or _fallback_label(row["concept"])))
        issue.basket = issue.basket or row.get("basket") == "true"
        if row.get("broader"):
            issue.broader.add(row["broader"])

    labels: dict[str, str] = {}
    schemes: dict[str, list[str]] = defaultdict(list)
    for row in sparql.select(CONCEPTS):
        labels.setdefault(row["concept"], row["label"])
        scheme = key_of(row["scheme"])
        if row["concept"] not in schemes[scheme]:
            schemes[scheme].append(row["concept"])
    for issue in issues.values():
        labels.setdefault(issue.iri, issue.label)
    for row in sparql.select(PROFILES):
        labels.setdefault(row["profile"], row.get("label") or _fallback_label(row["profile"]))
        if row.get("org"):
            profiles[row["profile"]] = row["org"]
    return Network(base, nodes, list(merged.values()), issues, labels, dict(schemes), dict(tags), profiles)
