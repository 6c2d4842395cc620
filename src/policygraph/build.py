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
from policygraph.derive import derive
from policygraph.errors import InputError
from policygraph.ingest import IssueMatcher, Profile, load_profiles, profile_graph
from policygraph.namespaces import CONTROLLED_SCHEMES, DEFAULT_BASE, Minter
from policygraph.oxrdf import quads, to_graph
from policygraph.settings import Settings
from policygraph.store.merge import merged

VOCABULARY_FILES = {"ontology": "policygraph.ttl", "issues": "issues.ttl", "kinds": "kinds.ttl"}


@dataclass
class Built:
    graphs: dict[str, Graph]  # graph IRI -> triples (the derived graph is in the store only)
    store: ox.Store  # the same, in an in-memory Oxigraph store, plus the derived graph
    profiles: list[Profile]
    curated: Curated
    minter: Minter

    def union(self) -> Graph:
        """All graphs merged into one, the derived graph included (what SHACL validates)."""
        return to_graph(self.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))  # type: ignore[arg-type]

    def nquads(self) -> bytes:
        """The whole store: the named graphs and the default graph (their merge)."""
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
        path = settings.input_dir("ontology_dir") / filename
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


def build_dataset(settings: Settings) -> Built:
    """Everything but validation and storage. Raises IngestError / CurationError / InputError."""
    minter = Minter(settings.base_iri)
    vocab = load_vocabularies(settings, minter)
    matcher = IssueMatcher.from_graph(vocab["issues"])
    profiles = load_profiles(settings.input_dir("sources_dir"), matcher)
    finder = QuoteFinder(profiles)
    curated = load_curated(
        settings.input_dir("curated_dir"),
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
    store.extend(list(merged(store)))  # the default graph: the merge of the named graphs (store/merge.py) ...
    derive(store, derived_name, minter.base)  # ... which the derived graph is computed from
    store.extend(list(merged(store.quads_for_pattern(None, None, None, ox.NamedNode(derived_name)))))
    return Built(graphs=graphs, store=store, profiles=profiles, curated=curated, minter=minter)


