"""The derived shortcuts and the record of what each comes from, in the derived graph.

- `pg:partnerOf`: two organisations in one partnership, both in roles of joint work (`pg:jointWork true`);
- `pg:worksOn`: an organisation and an issue its profile has a heading for, or an issue that one profile
  states both of a thing the organisation has a joint-work role in (the involvement and the issue tag,
  both `pg:statedIn` that profile; for a profiled organisation, its own profile only);
- `pg:involvedIn`: an organisation and an initiative it has any involvement in.

Each derived triple has a `pg:Derivation` node (`rdf:subject`, `rdf:predicate`, `rdf:object`) that is
`prov:wasDerivedFrom` the involvements, stated triples or sections it comes from, with a stable IRI:
`{base}id/statement/derived/{subject path}/{partner-of|works-on|involved-in}/{object path}`.

Every derived triple, and every derivation node, belongs to one agent (the subject, `?s`), so the derived
graph can be recomputed for a few agents after a write (`derived_subjects`, `derive_for`).
"""

from __future__ import annotations

import pyoxigraph as ox

from policygraph.prefixes import PG, PROV, RDF, prologue

SHORTCUTS = frozenset(PG + p for p in ("partnerOf", "worksOn", "involvedIn"))
# Every predicate the derived graph holds: the shortcuts and their derivation nodes'.
DERIVED_PREDICATES = SHORTCUTS | {RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object", PROV + "wasDerivedFrom"}

_KEY = 'IF(STRSTARTS(STR(?{v}), "{id}"), STRAFTER(STR(?{v}), "{id}"), CONCAT("x-", MD5(STR(?{v}))))'

# `{restrict}` opens each branch: nothing for the whole graph, `VALUES ?s { ... }` for a few agents (each
# branch starts from it: Oxigraph does not push an outer VALUES into a UNION).
_DERIVE = prologue("pg", "dcterms", "rdf", "prov") + """CONSTRUCT {
  ?s ?p ?o .
  ?d a pg:Derivation ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?from .
}
WHERE {
  {
    { {restrict} ?v1 pg:agent ?s . ?x pg:involvement ?v1 ; a pg:Partnership ; pg:involvement ?v2 . ?v2 pg:agent ?o .
      FILTER (?s != ?o)
      ?v1 pg:role ?r1 . ?r1 pg:jointWork true . ?v2 pg:role ?r2 . ?r2 pg:jointWork true .
      VALUES ?which { 1 2 } BIND (IF(?which = 1, ?v1, ?v2) AS ?from) BIND (pg:partnerOf AS ?p) BIND ("partner-of" AS ?name) }
    UNION
    { {restrict} ?s pg:profile ?doc . ?doc pg:section ?from . ?from pg:issue ?o .
      BIND (pg:worksOn AS ?p) BIND ("works-on" AS ?name) }
    UNION
    { {restrict} ?v pg:agent ?s . ?x pg:involvement ?v . ?v pg:role ?r ; pg:statedIn ?doc . ?r pg:jointWork true .
      ?t rdf:subject ?x ; rdf:predicate dcterms:subject ; rdf:object ?o ; pg:statedIn ?doc .
      FILTER NOT EXISTS { ?s pg:profile ?own FILTER (?own != ?doc) }
      VALUES ?which { 1 2 } BIND (IF(?which = 1, ?v, ?t) AS ?from) BIND (pg:worksOn AS ?p) BIND ("works-on" AS ?name) }
    UNION
    { {restrict} ?v pg:agent ?s . ?o pg:involvement ?v ; a pg:Initiative .
      BIND (?v AS ?from) BIND (pg:involvedIn AS ?p) BIND ("involved-in" AS ?name) }
  }
  BIND (IRI(CONCAT("{id}statement/derived/", {key_s}, "/", ?name, "/", {key_o})) AS ?d)
}"""


def derive_query(base: str, restrict: str = "") -> str:
    """The CONSTRUCT of the derived graph, for resources under `base` (a setting, never request input)."""
    ident = base + "id/"
    return (_DERIVE.replace("{key_s}", _KEY.format(v="s", id=ident)).replace("{key_o}", _KEY.format(v="o", id=ident))
            .replace("{id}", ident).replace("{restrict}", restrict))


def derived_quads(store: ox.Store, graph: str, base: str, restrict: str = "") -> list[ox.Quad]:
    """The quads the derived graph `graph` should hold (for the agents `restrict` names, else all), computed
    from the store (not added to it)."""
    result = store.query(derive_query(base, restrict))
    assert isinstance(result, ox.QueryTriples)  # a CONSTRUCT
    name = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in result]


def derive(store: ox.Store, graph: str, base: str) -> int:
    """Materialise the shortcuts and their derivations into `graph`. Returns the number of triples."""
    quads = derived_quads(store, graph, base)
    store.extend(quads)
    return len(quads)


def derive_for(store: ox.Store, graph: str, base: str, subjects: set[ox.NamedNode | ox.Literal]) -> list[ox.Quad]:
    """The derived quads of `subjects` (not added to the store). Read them while the derived graph holds
    none of theirs: the query reads the union of all graphs."""
    if not subjects:
        return []
    return derived_quads(store, graph, base, "VALUES ?s { " + " ".join(sorted(str(s) for s in subjects)) + " }")


def derived_quads_of(store: ox.Store, graph: str, subjects: set[ox.NamedNode | ox.Literal]) -> list[ox.Quad]:
    """The quads of the derived graph that belong to `subjects`: their shortcuts and derivation nodes."""
    name = ox.NamedNode(graph)
    out: list[ox.Quad] = []
    for s in subjects:
        if not isinstance(s, ox.NamedNode):
            continue
        out += store.quads_for_pattern(s, None, None, name)
        for link in store.quads_for_pattern(None, ox.NamedNode(RDF + "subject"), s, name):
            out += store.quads_for_pattern(link.subject, None, None, name)  # type: ignore[arg-type]
    return list(dict.fromkeys(out))


# The agents whose derived quads a changed quad can alter, by the changed quad's predicate: the nodes it
# links, walked up the query's patterns to the agent (in the store after the change; a link the change
# removed is itself a changed quad, whose own subject or object continues the walk).
_UP = {  # role of a node -> the path from the agent to it
    "profile": f"<{PG}profile>",
    "section": f"<{PG}profile>/<{PG}section>",
    "thing": f"^<{PG}agent>/^<{PG}involvement>",  # an initiative or partnership the agent is involved in
    "involvement": f"^<{PG}agent>",
    "sibling": f"^<{PG}agent>/^<{PG}involvement>/<{PG}involvement>",  # an involvement in the same thing
    "statement": f"^<{PG}agent>/^<{PG}involvement>/^<{RDF}subject>",  # a stated triple about that thing
    "derivation": f"^<{RDF}subject>",
}
_TYPE = RDF + "type"


def _roles(quad: ox.Quad, derived: str) -> list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]] | None:
    """(role, node) pairs of one changed quad ('agent': an affected agent itself); None: everything."""
    s, p, o = quad.subject, quad.predicate.value, quad.object
    if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == derived:
        if p == RDF + "subject":
            return [("agent", o)]
        return [("agent", s), ("derivation", s)]  # a hand-written triple there is recomputed away
    if p == _TYPE:
        kind = o.value if isinstance(o, ox.NamedNode) else ""
        return [("thing", s)] if kind in (PG + "Partnership", PG + "Initiative") else []
    if p == PG + "jointWork":
        return None
    if p.startswith(RDF):
        return {"subject": [("statement", s), ("thing", o)], "predicate": [("statement", s)],
                "object": [("statement", s)]}.get(p[len(RDF):], [])
    name = p[len(PG):] if p.startswith(PG) else ""
    return {
        "profile": [("agent", s)],
        "section": [("profile", s)],
        "issue": [("section", s)],
        "involvement": [("thing", s), ("involvement", o)],
        "agent": [("agent", o), ("sibling", s)],
        "role": [("sibling", s)],
        "statedIn": [("sibling", s), ("statement", s)],
    }.get(name, [])


def derived_subjects(store: ox.Store, quads: list[ox.Quad], derived: str) -> set[ox.NamedNode | ox.Literal] | None:
    """The agents whose derived quads may differ because `quads` changed (`store`: after the change).
    None when that cannot be told (a blank node in the way, a role's joint-work flag changed): then
    derive everything again."""
    direct: set[ox.NamedNode | ox.Literal] = set()
    walks: dict[str, set[str]] = {}
    for quad in quads:
        roles = _roles(quad, derived)
        if roles is None:
            return None
        for role, node in roles:
            if isinstance(node, ox.BlankNode):
                return None
            if role == "agent":
                direct.add(node)
            else:
                walks.setdefault(role, set()).add(str(node))
    branches = [f"{{ VALUES ?x {{ {' '.join(sorted(nodes))} }} ?a {_UP[role]} ?x }}" for role, nodes in walks.items()]
    if branches:
        query = f"SELECT DISTINCT ?a WHERE {{ {' UNION '.join(branches)} }}"
        for solution in store.query(query):  # type: ignore[union-attr]
            agent = solution["a"]
            if isinstance(agent, ox.BlankNode):
                return None
            direct.add(agent)
    return direct
