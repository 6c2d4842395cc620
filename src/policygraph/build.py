"""Build: ontology + schemes + ingested profiles + curated knowledge -> one dataset of named graphs.

Pure over its inputs: it reads the input directories named by the settings and returns the dataset;
it neither validates nor writes (see `validate` and `store`). The CLI, the server and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from policygraph.curated import (
    Curated,
    QuoteFinder,
    Vocab,
    check_distinct_organisations,
    curated_graphs,
    load_curated,
)
from policygraph.errors import InputError
from policygraph.ingest import IssueMatcher, Profile, load_profiles, profile_graph
from policygraph.namespaces import CONTROLLED_SCHEMES, DEFAULT_BASE, Minter
from policygraph.oxrdf import quads, to_graph
from policygraph.settings import Settings

VOCABULARY_FILES = {"ontology": "policygraph.ttl", "issues": "issues.ttl", "kinds": "kinds.ttl"}


@dataclass
class Built:
    graphs: dict[str, Graph]  # graph IRI -> triples
    store: ox.Store  # the same, in an in-memory Oxigraph store, plus the derived graph
    profiles: list[Profile]
    curated: Curated
    minter: Minter

    def union(self) -> Graph:
        """All graphs merged into one (what SHACL validates)."""
        g = Graph()
        for graph in self.graphs.values():
            g += graph
        return g

    def nquads(self) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_QUADS) or b""

    def __len__(self) -> int:
        return len(self.store)


def _rebase(graph: Graph, base: str) -> Graph:
    """Vocabulary files are written against the default base; move their resource IRIs to `base`."""
    if base == DEFAULT_BASE:
        return graph
    old = DEFAULT_BASE + "id/"

    def move(term):  # type: ignore[no-untyped-def]
        return URIRef(base + "id/" + term[len(old):]) if isinstance(term, URIRef) and term.startswith(old) else term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out


def load_vocabularies(settings: Settings, minter: Minter) -> dict[str, Graph]:
    graphs: dict[str, Graph] = {}
    for name, filename in VOCABULARY_FILES.items():
        path = settings.path(settings.ontology_dir) / filename
        g = Graph()
        try:
            g.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as exc:
            raise InputError(f"{path}: cannot parse vocabulary: {exc}") from None
        graphs[name] = _rebase(g, minter.base)
    return graphs


def vocab_keys(kinds: Graph, issues: Graph, minter: Minter) -> Vocab:
    """The keys curated data may use; for each issue, the labels that name it and the issues under it."""
    def key(concept: object) -> str:
        return str(concept).rsplit("/", 1)[-1]

    def keys_of(graph: Graph, scheme: str) -> set[str]:
        scheme_iri = URIRef(minter.concept("scheme", scheme))
        return {key(c) for c in graph.subjects(SKOS.inScheme, scheme_iri)}

    issue_keys = keys_of(issues, "issues")
    labels = {k: [str(label) for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                  for label in issues.objects(URIRef(minter.resource("issue", k)), prop)] for k in issue_keys}
    broader = {k: {key(b) for b in issues.objects(URIRef(minter.resource("issue", k)), SKOS.broader)} for k in issue_keys}
    narrower: dict[str, set[str]] = {k: {k} for k in issue_keys}
    for k in issue_keys:
        todo = list(broader[k])
        while todo:
            up = todo.pop()
            if k not in narrower.setdefault(up, {up}):
                narrower[up].add(k)
                todo.extend(broader.get(up, ()))
    return Vocab(
        issues=issue_keys,
        kinds={scheme: keys_of(kinds, scheme) for scheme in CONTROLLED_SCHEMES},
        issue_labels=labels,
        issue_narrower=narrower,
    )


DERIVE = """
PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT { ?a pg:partnerOf ?b . ?org pg:worksOn ?issue . ?agent pg:involvedIn ?ini . ?agent pg:worksOn ?subject }
WHERE {
  { ?p a pg:Partnership ; pg:partner ?a , ?b . FILTER (?a != ?b) }
  UNION { ?org pg:profile ?doc . ?doc pg:section ?s . ?s pg:issue ?issue }
  UNION { ?ini a pg:Initiative ; pg:involvement ?inv . ?inv pg:agent ?agent
          OPTIONAL { ?ini dcterms:subject ?subject } }
}"""


def derive(store: ox.Store, graph: str) -> int:
    """Materialise the documented shortcuts into their own graph: pg:partnerOf, pg:worksOn, pg:involvedIn."""
    name = ox.NamedNode(graph)
    triples = list(store.query(DERIVE, use_default_graph_as_union=True))  # type: ignore[arg-type]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return len(triples)


# Every derived triple has its agent (?a) as subject, so the derived graph can be recomputed for a few
# subjects: DERIVE with its branches rewritten around ?a, the same triples for those subjects (the
# OPTIONAL becomes a second branch, and each branch starts from the VALUES: Oxigraph does not push an
# outer VALUES into a UNION or an OPTIONAL, and would match them over the whole store).
DERIVE_FOR = """
PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT { ?a pg:partnerOf ?b . ?a pg:worksOn ?issue . ?a pg:involvedIn ?ini . ?a pg:worksOn ?subject }
WHERE {
  { VALUES ?a { %(a)s } ?p pg:partner ?a . ?p a pg:Partnership ; pg:partner ?b . FILTER (?a != ?b) }
  UNION { VALUES ?a { %(a)s } ?a pg:profile ?doc . ?doc pg:section ?s . ?s pg:issue ?issue }
  UNION { VALUES ?a { %(a)s } ?inv pg:agent ?a . ?ini pg:involvement ?inv ; a pg:Initiative }
  UNION { VALUES ?a { %(a)s } ?inv pg:agent ?a . ?ini pg:involvement ?inv ; a pg:Initiative ; dcterms:subject ?subject }
}"""

# The subjects whose derived triples a changed triple can alter, by the changed triple's predicate: the
# nodes it links walked up DERIVE's patterns to the agent (in the store after the change; a link the
# change removed is itself a changed triple, whose own subject or object continues the walk).
_PG, _TYPE = "https://w3id.org/policygraph/ontology#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_UP = {  # role of a node -> the path from the agent to it
    "partnership": "^<{pg}partner>",  # ?p pg:partner ?a
    "profile": "<{pg}profile>",
    "section": "<{pg}profile>/<{pg}section>",
    "initiative": "^<{pg}agent>/^<{pg}involvement>",
    "involvement": "^<{pg}agent>",
}


def _roles(quad: ox.Quad, derived: str) -> list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """(role, node) pairs of one changed quad: 'agent' nodes are affected subjects themselves."""
    s, p, o = quad.subject, quad.predicate.value, quad.object
    if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == derived:
        return [("agent", s)]  # a triple in the derived graph: its subject's shortcuts are recomputed
    if p == _TYPE:
        kind = o.value if isinstance(o, ox.NamedNode) else ""
        return {_PG + "Partnership": [("partnership", s)], _PG + "Initiative": [("initiative", s)]}.get(kind, [])
    name = p[len(_PG):] if p.startswith(_PG) else ""
    return {
        "partner": [("partnership", s), ("agent", o)],
        "profile": [("agent", s)],
        "section": [("profile", s)],
        "issue": [("section", s)],
        "involvement": [("initiative", s), ("involvement", o)],
        "agent": [("agent", o)],
    }.get(name, []) + ([("initiative", s)] if p == "http://purl.org/dc/terms/subject" else [])


def derived_subjects(store: ox.Store, quads: list[ox.Quad], derived: str) -> set[ox.NamedNode | ox.Literal] | None:
    """The agents whose derived triples may differ because `quads` changed (`store`: after the change).
    None when a blank node is involved (no SPARQL constant names it): then derive everything again."""
    direct: set[ox.NamedNode | ox.Literal] = set()
    walks: dict[str, set[str]] = {}
    for quad in quads:
        for role, node in _roles(quad, derived):
            if isinstance(node, ox.BlankNode):
                return None
            if role == "agent":
                direct.add(node)
            else:
                walks.setdefault(role, set()).add(str(node))
    branches = [f"{{ VALUES ?x {{ {' '.join(sorted(nodes))} }} ?a {_UP[role].format(pg=_PG)} ?x }}"
                for role, nodes in walks.items()]
    if branches:
        query = f"SELECT DISTINCT ?a WHERE {{ {' UNION '.join(branches)} }}"
        for solution in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            agent = solution["a"]
            if isinstance(agent, ox.BlankNode):
                return None
            direct.add(agent)
    return direct


def derive_for(store: ox.Store, graph: str, subjects: set[ox.NamedNode | ox.Literal]) -> list[ox.Quad]:
    """The derived triples of `subjects`, as quads of `graph` (not added to the store). Read them while
    the derived graph holds none of theirs: DERIVE reads the union of all graphs."""
    if not subjects:
        return []
    name = ox.NamedNode(graph)
    query = DERIVE_FOR % {"a": " ".join(sorted(str(s) for s in subjects))}
    return [ox.Quad(t.subject, t.predicate, t.object, name)
            for t in store.query(query, use_default_graph_as_union=True)]  # type: ignore[union-attr]


def build_dataset(settings: Settings) -> Built:
    """Everything but validation and storage. Raises IngestError / CurationError / InputError."""
    minter = Minter(settings.base_iri)
    vocab = load_vocabularies(settings, minter)
    matcher = IssueMatcher.from_graph(vocab["issues"])
    profiles = load_profiles(settings.path(settings.sources_dir), matcher)
    finder = QuoteFinder(profiles)
    curated = load_curated(
        settings.path(settings.curated_dir),
        finder,
        vocab_keys(vocab["kinds"], vocab["issues"], minter),
        root=settings.root,
    )
    check_distinct_organisations(profiles, curated)

    graphs: dict[str, Graph] = {}
    for name, graph in vocab.items():
        graphs[str(minter.graph[name])] = graph
    for profile in profiles:
        graphs[str(minter.graph[f"profile/{profile.key}"])] = profile_graph(profile, minter)
    for key, graph in curated_graphs(curated, minter).items():
        graphs[str(minter.graph[f"curated/{key}"])] = graph
    store = ox.Store()
    for name, graph in graphs.items():
        store.extend(quads(graph, name))
    derived_name = str(minter.graph["derived"])
    derive(store, derived_name)
    graphs[derived_name] = to_graph(store.query(  # type: ignore[arg-type]
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        named_graphs=[ox.NamedNode(derived_name)],
    ))
    return Built(graphs=graphs, store=store, profiles=profiles, curated=curated, minter=minter)


