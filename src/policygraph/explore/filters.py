"""Filtered views of the network: by issue (with its narrower issues), basket, organisation type and
partnership kind.

Which organisations, partnerships and initiatives a filter keeps is decided by SPARQL (the queries
below, assembled from fixed fragments, values bound by substitution); the network then supplies their
attributes and the edges between them.

- organisations: every organisation that works on the issue or a narrower one (`pg:worksOn`: for a
  profiled organisation, what its own profile states), works on an issue in the basket, has the
  organisation type, and is a partner in a partnership of the kind — each condition only when its
  filter is given.
- edges: an organisation's edge to an initiative or partnership stands for the involvement statements
  behind it. Under an issue or basket filter an edge is kept only through the statements of profiles
  that also tag that initiative or partnership with the issue (so one profile's tag never links an
  organisation that another profile speaks of); with `initiatives=shared` only statements of joint-work
  roles count (supporting, adopting or using something links nobody).
- partnerships: of the kind, about the issue (see `NODE_ISSUE`), with at least one partner kept by an edge.
- initiatives (`initiatives=`): `shared` (default) keeps those about the issue that two or more kept
  organisations reach by kept edges, or that a kept partnership is about; `all` those with one or more;
  `none` none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from policygraph.errors import InputError
from policygraph.explore.model import INITIATIVE, NODE_ISSUE, ORGANISATION, PARTNERSHIP, Edge, Network, Node, key_of
from policygraph.explore.sparql import Bindings, Sparql, iri

INITIATIVE_MODES = ("shared", "all", "none")

ORG_FILTERS = {
    "issue": "?node pg:worksOn ?issue_of . ?issue_of skos:broader* ?issue .",
    "basket": "?node pg:worksOn ?basket_of . ?basket_of skos:broader* ?basket .",
    "type": "?node pg:organisationType ?type .",
    "kind": "?kind_partnership a pg:Partnership ; pg:partner ?node ; pg:kind ?kind .",
}
PARTNERSHIP_FILTERS = {
    "issue": "{" + NODE_ISSUE.replace("?issue", "?issue_of") + "\n} ?issue_of skos:broader* ?issue .",
    "basket": "{" + NODE_ISSUE.replace("?issue", "?basket_of") + "\n} ?basket_of skos:broader* ?basket .",
    "kind": "?node pg:kind ?kind .",
}
INITIATIVE_FILTERS = {
    "issue": "?node dcterms:subject ?issue_of . ?issue_of skos:broader* ?issue .",
    "basket": "?node dcterms:subject ?basket_of . ?basket_of skos:broader* ?basket .",
}
CLASSES = {ORGANISATION: "pg:Organisation", PARTNERSHIP: "pg:Partnership", INITIATIVE: "pg:Initiative"}


@dataclass(frozen=True)
class Filters:
    issue: str | None = None  # concept IRIs
    basket: str | None = None
    type: str | None = None
    kind: str | None = None
    initiatives: str = "shared"

    def bindings(self) -> dict[str, str]:
        return {k: v for k, v in (("issue", self.issue), ("basket", self.basket), ("type", self.type), ("kind", self.kind)) if v}

    def as_params(self) -> dict[str, str]:
        """The filters as the short keys a URL carries."""
        out = {k: key_of(v) for k, v in self.bindings().items()}
        if self.initiatives != "shared":
            out["initiatives"] = self.initiatives
        return out


@dataclass
class View:
    nodes: list[Node]
    edges: list[Edge]
    degree: dict[str, int] = field(default_factory=dict)

    def of_type(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.type == kind]


def _concept(net: Network, value: str, scheme: str, what: str, baskets_only: bool = False) -> str:
    """Resolve a key ('artificial-intelligence') or an IRI to a concept of the scheme, or say what is known."""
    if scheme == "issues":
        known = [i.iri for i in net.issues.values() if i.basket or not baskets_only]
    else:
        known = net.schemes.get(scheme, [])
    value = value.strip()
    for concept in known:
        if value in (concept, key_of(concept)):
            return concept
    examples = ", ".join(sorted(key_of(c) for c in known)[:12])
    raise InputError(f"unknown {what} {value!r}; known {what}s include: {examples}")


def parse_filters(args: Mapping[str, str], net: Network) -> Filters:
    """Filters from query parameters (keys or IRIs); empty values mean 'no filter'."""
    def given(name: str) -> str | None:
        value = args.get(name)
        return value if value and value.strip() else None

    issue, basket, type_, kind = given("issue"), given("basket"), given("type"), given("kind")
    mode = (given("initiatives") or "shared").strip()
    if mode not in INITIATIVE_MODES:
        raise InputError(f"initiatives={mode!r}: choose one of {', '.join(INITIATIVE_MODES)}")
    return Filters(
        issue=_concept(net, issue, "issues", "issue") if issue else None,
        basket=_concept(net, basket, "issues", "basket", baskets_only=True) if basket else None,
        type=_concept(net, type_, "organisation-type", "organisation type") if type_ else None,
        kind=_concept(net, kind, "partnership-kind", "partnership kind") if kind else None,
        initiatives=mode,
    )


def selection_query(node_type: str, filters: Filters) -> tuple[str, list[str]]:
    """The SELECT listing the nodes of a type that pass the filters (fixed fragments only), and the
    names of the filters it uses (the variables to bind)."""
    fragments = {ORGANISATION: ORG_FILTERS, PARTNERSHIP: PARTNERSHIP_FILTERS, INITIATIVE: INITIATIVE_FILTERS}[node_type]
    used = [name for name in fragments if name in filters.bindings()]
    body = [f"?node a {CLASSES[node_type]} .", *(fragments[name] for name in used)]
    # pyoxigraph binds only variables of the projection, hence the filter variables in the SELECT.
    projection = " ".join(["?node", *(f"?{name}" for name in used)])
    return f"SELECT DISTINCT {projection} WHERE {{\n  " + "\n  ".join(body) + "\n}", used


def select(sparql: Sparql, node_type: str, filters: Filters) -> set[str]:
    query, used = selection_query(node_type, filters)
    values = filters.bindings()
    bindings: Bindings = {name: iri(values[name]) for name in used}
    return {row["node"] for row in sparql.select(query, bindings)}


def accepted_issues(net: Network, filters: Filters) -> set[str] | None:
    """The issues an issue or basket filter accepts (the chosen ones and every issue under them); None:
    no such filter."""
    chosen = [c for c in (filters.issue, filters.basket) if c]
    if not chosen:
        return None
    out = set(net.issues)
    for concept in chosen:
        out &= {i for i in net.issues if concept in ancestors(net, i)}
    return out


def ancestors(net: Network, issue: str) -> set[str]:
    """The issue and every issue above it."""
    seen, todo = set(), [issue]
    while todo:
        current = todo.pop()
        if current not in seen and current in net.issues:
            seen.add(current)
            todo.extend(net.issues[current].broader)
    return seen


def edge_passes(net: Network, edge: Edge, filters: Filters, accepted: set[str] | None) -> bool:
    """Whether the view keeps an edge: by the statements behind it (see the module docstring)."""
    statements = edge.joint_statements() if filters.initiatives == "shared" else edge.statements
    if edge.relation == "about":
        return True
    if not statements:
        return False
    if accepted is None:
        return True
    return any(net.issues_stated(edge.target, s.profile) & accepted for s in statements)


def filtered_view(net: Network, sparql: Sparql, filters: Filters) -> View:
    organisations = select(sparql, ORGANISATION, filters) & net.nodes.keys()
    accepted = accepted_issues(net, filters)
    passing = [e for e in net.edges if edge_passes(net, e, filters, accepted)]
    partners: dict[str, set[str]] = {}
    involved: Counter[str] = Counter()
    about: dict[str, set[str]] = {}
    for edge in passing:
        if edge.relation == "partner" and edge.source in organisations:
            partners.setdefault(edge.target, set()).add(edge.source)
        elif edge.relation == "involved" and edge.source in organisations:
            involved[edge.target] += 1
        elif edge.relation == "about":
            about.setdefault(edge.source, set()).add(edge.target)

    partnerships = {p for p in select(sparql, PARTNERSHIP, filters) if partners.get(p)}
    initiatives: set[str] = set()
    if filters.initiatives != "none":
        candidates = select(sparql, INITIATIVE, filters)
        minimum = 2 if filters.initiatives == "shared" else 1
        targets = {i for p in partnerships for i in about.get(p, set())}
        initiatives = {i for i in candidates if involved[i] >= minimum or i in targets}

    keep = organisations | partnerships | initiatives
    edges = [e for e in passing if e.source in keep and e.target in keep]
    degree: Counter[str] = Counter()
    for edge in edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    nodes = sorted((net.nodes[i] for i in keep), key=lambda n: (n.type, n.label.lower(), n.iri))
    return View(nodes, edges, {n.iri: degree[n.iri] for n in nodes})


def view_json(net: Network, view: View, filters: Filters) -> dict[str, object]:
    counts = Counter(n.type for n in view.nodes)
    return {
        "filters": filters.as_params(),
        "counts": {t: counts.get(t, 0) for t in (ORGANISATION, INITIATIVE, PARTNERSHIP)} | {"edges": len(view.edges)},
        "nodes": [net.node_json(n, view.degree.get(n.iri, 0)) for n in view.nodes],
        "edges": [net.edge_json(e) for e in view.edges],
    }
