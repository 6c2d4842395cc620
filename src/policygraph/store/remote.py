"""A remote SPARQL 1.1 engine as the store: Oxigraph server, Apache Jena Fuseki, Virtuoso, QLever, GraphDB.

Set `store` to the engine's query endpoint URL (and `store_update` to its update endpoint when it is not
the query URL with `/query` replaced by `/update`). Everything policygraph does then goes through two
standard operations: SPARQL queries (the query endpoint, results read as SPARQL JSON or N-Triples) and
SPARQL updates (the update endpoint). Nothing else is asked of the engine, so any conformant one works.

`RemoteDataset` offers the part of pyoxigraph's `Store` API that the linked-data pages, the explorer, the
VoID and dump writers use (query, quads_for_pattern, named_graphs, len), so they run unchanged.

What the engine must do, checked when the server starts (`check_default_graph`): keep its default graph
as its own graph, not as the union of the named graphs. policygraph loads the merge of the named graphs
there (store/merge.py) and keeps it on every write, as in its own store; an engine that answers queries
without `GRAPH` over a union would count a triple once per graph (Oxigraph server: no
`--union-default-graph`; Fuseki/TDB2: no `tdb2:unionDefaultGraph`). Parameter bindings (`substitutions`)
are sent as a VALUES block at the start of the query's WHERE group.

The store version is a counter this server bumps on every write it commits; the result cache keys on it
and on a time window, so a remote changed by someone else is seen by queries at once, and by cached
answers within `remote_cache_seconds` (0 turns the cache off for remote stores).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

from policygraph.errors import MalformedQuery, QueryTimeout, StoreError
from policygraph.formats import rdf_format_of, results_format_of
from policygraph.settings import Settings
from policygraph.sparqltext import keyword, resolve_iri, tokens
from policygraph.store.updates import change_update

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
ACCEPT = f"{RESULTS_JSON}, {NTRIPLES};q=0.9, text/plain;q=0.1"
_NODES_KEPT = 20_000  # nodes whose surrounding quads a RemoteDataset keeps (see quads_for_pattern)

_versions: dict[str, int] = {}
_versions_lock = threading.Lock()
_STARTED = time.time_ns()  # versions of one server process never repeat those of an earlier one


def update_url(settings: Settings) -> str:
    if settings.store_update:
        return settings.store_update
    url = settings.store
    if url.rstrip("/").endswith("/query"):
        return url.rstrip("/")[: -len("query")] + "update"
    return url  # Virtuoso, QLever, GraphDB's repository URL... take updates at the query URL


def bump_version(settings: Settings) -> None:
    with _versions_lock:
        _versions[settings.store] = _versions.get(settings.store, 0) + 1


def remote_version(settings: Settings) -> str:
    """Changes with every write this server commits."""
    with _versions_lock:
        return f"remote-{_STARTED}-{_versions.get(settings.store, 0)}"


def cache_window(settings: Settings) -> str:
    """What the result cache adds to the version of a remote store, which others may change: it changes
    every `remote_cache_seconds` (at every request when that is 0)."""
    seconds = settings.remote_cache_seconds
    return str(int(time.time() // seconds) if seconds > 0 else time.time_ns())


def reuse_version(settings: Settings) -> str:
    """The version under which answers read from the engine may be reused (the result cache, the quads
    around a node): the store version, and the cache window for changes made by the engine's other clients."""
    return remote_version(settings) + "@" + cache_window(settings)


def sparql_term(term: Term) -> str:
    """A term in SPARQL syntax (N-Triples syntax is valid SPARQL for IRIs, blank nodes and literals)."""
    return str(term)


def with_bindings(text: str, substitutions: dict[str, Term]) -> str:
    """The query with `VALUES (?a ?b) { (x y) }` at the start of its WHERE group."""
    if not substitutions:
        return text
    names = sorted(substitutions)
    block = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(sparql_term(substitutions[n]) for n in names) + ") } "
    found = list(tokens(text))
    begin = 0
    at = next((i for i, t in enumerate(found) if keyword(t) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if at is not None and keyword(found[at]) == "CONSTRUCT" and at + 1 < len(found) and found[at + 1].text == "{":
        # CONSTRUCT { template } [WHERE] { pattern }: the pattern is the group after the template.
        begin = next((i + 1 for i in range(at + 2, len(found)) if found[i].kind == "close" and found[i].depth == 0), len(found))
    for token in found[begin:]:
        if token.kind == "open" and token.text == "{" and token.depth == 0:
            return text[: token.start + 1] + " " + block.rstrip() + text[token.start + 1:]
    raise StoreError("cannot bind parameters for the remote store: the query has no WHERE group")


class RemoteEndpoint:
    """HTTP access to the engine: a query, an update. Raises StoreError, QueryTimeout, MalformedQuery."""

    def __init__(self, settings: Settings) -> None:
        self.query_url = settings.store
        self.update_url = update_url(settings)
        self.timeout = settings.query_timeout
        self.write_timeout = settings.write_timeout
        self._local = threading.local()
        self.auth: tuple[str, str] | None = None
        if settings.store_auth:
            user, _, password = settings.store_auth.partition(":")
            self.auth = (user, password)
        host = urlsplit(self.query_url).netloc
        self.name = f"the remote store at {host}"

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # never through a proxy from the environment
        return session

    def query(self, text: str, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              accept: str = ACCEPT) -> requests.Response:
        data: list[tuple[str, str]] = [("query", text)]
        data += [("default-graph-uri", g) for g in default_graphs or []]
        data += [("named-graph-uri", g) for g in named_graphs or []]
        return self._send(self.query_url, data, accept, self.timeout, "query")

    def update(self, text: str) -> None:
        self._send(self.update_url, [("update", text)], "*/*", self.write_timeout, "update")

    def _send(self, url: str, data: list[tuple[str, str]], accept: str, timeout: float, what: str) -> requests.Response:
        try:
            response = self._session().post(url, data=data, headers={"Accept": accept}, timeout=timeout, auth=self.auth)
        except requests.Timeout:
            raise QueryTimeout(f"{self.name} did not answer the {what} within {timeout:g} s") from None
        except requests.RequestException as exc:
            raise StoreError(f"{self.name} cannot be reached ({url}): {exc.__class__.__name__}") from None
        if response.status_code == 400:
            raise MalformedQuery(f"{self.name} refused the {what}: {response.text.strip()[:500]}")
        if response.status_code in (401, 403):
            raise StoreError(f"{self.name} refused the {what} ({response.status_code}): check store_auth")
        if response.status_code >= 300:
            raise StoreError(f"{self.name} answered the {what} with {response.status_code}: {response.text.strip()[:300]}")
        return response


class RemoteDataset:
    """The read side of pyoxigraph's Store, over a remote engine."""

    def __init__(self, endpoint: RemoteEndpoint, settings: Settings | None = None) -> None:
        self.endpoint = endpoint
        self.settings = settings
        # Pages read the graph node by node (a label here, a type there): with `settings`, the quads
        # around each node are fetched once per store version and cache window, and kept (LRU).
        self._nodes: OrderedDict[tuple[str, str, Term], tuple[ox.Quad, ...]] = OrderedDict()
        self._nodes_lock = threading.Lock()
        self._nodes_version = ""

    def query(self, text: str, *, use_default_graph_as_union: bool = False, default_graph: Any = None,
              named_graphs: Any = None, substitutions: dict[Any, Term] | None = None, base_iri: str | None = None,
              **_ignored: Any) -> Any:
        """Like Store.query: QuerySolutions, QueryBoolean, or an iterator of Triples (CONSTRUCT, DESCRIBE).

        The engine's default graph holds the merge of the named graphs, as the local store's does; a
        dataset given as arguments is sent with the protocol's parameters. `base_iri` resolves the
        query's relative IRIs, as Store.query's does: the engine gets it as a BASE declaration put before
        the text on its first line (so line numbers stay the client's; a BASE of the query's own comes
        later and wins, as it does locally)."""
        if base_iri is not None:
            text = f"BASE {ox.NamedNode(base_iri)} {text}"
        bound = {(k.value if isinstance(k, ox.Variable) else str(k)): v for k, v in (substitutions or {}).items()}
        text = with_bindings(text, bound)
        defaults = _names(default_graph) if default_graph is not None else None
        named = _names(named_graphs) if named_graphs is not None else None
        if defaults is None and named is None:
            # FROM / FROM NAMED, sent as the protocol's parameters too: some engines keep their own default
            # graph over the query's dataset otherwise.
            defaults, named = dataset_clauses(text)
        if defaults is not None and named is None:
            named = []
        response = self.endpoint.query(text, defaults, named)
        return read_results(response)

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        memo = self.settings is not None and self.settings.remote_cache_seconds > 0
        node = subject if isinstance(subject, ox.NamedNode) else object if isinstance(object, ox.NamedNode) else None
        if memo and node is not None and not isinstance(graph_name, ox.DefaultGraph):
            side = "s" if node is subject else "o"
            for quad in self._around(side, node):
                if ((subject is None or quad.subject == subject) and (predicate is None or quad.predicate == predicate)
                        and (object is None or quad.object == object)
                        and (graph_name is None or quad.graph_name == graph_name)):
                    yield quad
            return
        yield from self._pattern(subject, predicate, object, graph_name)

    def _around(self, side: str, node: ox.NamedNode) -> tuple[ox.Quad, ...]:
        """Every quad of the named graphs with `node` as subject (side 's') or object ('o'), memoised."""
        assert self.settings is not None
        version = reuse_version(self.settings)
        key = (version, side, node)
        with self._nodes_lock:
            if version != self._nodes_version:
                self._nodes.clear()
                self._nodes_version = version
            found = self._nodes.get(key)
            if found is not None:
                self._nodes.move_to_end(key)
                return found
        quads = tuple(self._pattern(node, None, None, None) if side == "s" else self._pattern(None, None, node, None))
        with self._nodes_lock:
            if version == self._nodes_version:
                self._nodes[key] = quads
                while len(self._nodes) > _NODES_KEPT:
                    self._nodes.popitem(last=False)
        return quads

    def _pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        slots = [("s", subject), ("p", predicate), ("o", object)]
        pattern = " ".join(sparql_term(t) if t is not None else f"?{n}" for n, t in slots)
        if graph_name is None:
            text = f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}"
        elif isinstance(graph_name, ox.DefaultGraph):
            text = f"SELECT * WHERE {{ {pattern} }}"
        else:
            text = f"SELECT * WHERE {{ GRAPH {sparql_term(graph_name)} {{ {pattern} }} }}"
        result = self.query(text)
        for row in result:
            terms = [t if t is not None else row[n] for n, t in slots]
            graph = graph_name if graph_name is not None else row["g"]
            yield ox.Quad(terms[0], terms[1], terms[2], graph)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            if isinstance(row["g"], ox.NamedNode):
                yield row["g"]

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value) if rows else 0

    def all_quads(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)


def dataset_clauses(text: str) -> tuple[list[str] | None, list[str] | None]:
    """The IRIs of the query's FROM and FROM NAMED clauses (None, None when it has neither), resolved
    against the query's BASE declarations: the protocol's parameters take absolute IRIs only."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    defaults: list[str] = []
    named: list[str] = []
    found = [t for t in tokens(text) if t.kind != "comment"]
    for i, token in enumerate(found):
        word = keyword(token)
        if word == "BASE" and i + 1 < len(found) and found[i + 1].kind == "iri":
            base = resolve_iri(found[i + 1].text[1:-1], base)
        if word == "PREFIX" and i + 2 < len(found) and found[i + 2].kind == "iri":
            prefixes[found[i + 1].text.rstrip(":")] = resolve_iri(found[i + 2].text[1:-1], base)
        if token.kind == "open" and token.text == "{":
            break  # dataset clauses come before the WHERE group
        if word != "FROM" or i + 1 >= len(found):
            continue
        into, at = (named, i + 2) if keyword(found[i + 1]) == "NAMED" else (defaults, i + 1)
        if at < len(found):
            iri = found[at]
            if iri.kind == "iri":
                into.append(resolve_iri(iri.text[1:-1], base))
            elif iri.kind == "name" and ":" in iri.text:
                prefix, _, local = iri.text.partition(":")
                if prefix in prefixes:
                    into.append(prefixes[prefix] + local)
    if not defaults and not named:
        return None, None
    return defaults, named


def _names(graphs: Any) -> list[str]:
    items = graphs if isinstance(graphs, list | tuple | set) else [graphs]
    return [g.value for g in items if isinstance(g, ox.NamedNode)]


def read_results(response: requests.Response) -> Any:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = response.content
    results = results_format_of(kind)
    if results is not None:
        return ox.parse_query_results(body, format=results)
    fmt = rdf_format_of(kind)
    if fmt is None:
        raise StoreError(f"the remote store answered in {kind or 'no media type'}, which policygraph cannot read")
    return iter([ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)])


# -- writing whole datasets and changes


def replace_all(endpoint: RemoteEndpoint, quads: list[ox.Quad]) -> None:
    """Replace the engine's whole dataset: DROP ALL and the new data in one update request, so that an
    engine with transactions (Oxigraph, Fuseki, GraphDB) holds the old dataset or the new one, never a mix."""
    endpoint.update("DROP SILENT ALL ;\n" + change_update([], quads) if quads else "DROP SILENT ALL")


def check_default_graph(dataset: RemoteDataset) -> None:
    """Refuse to serve a remote whose default graph is not the merge policygraph loaded into it: missing (the
    store was not built by policygraph) or a union of the named graphs (which counts a triple per graph)."""
    rows = list(dataset.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!isBlank(?s) && !isBlank(?o)) } LIMIT 1"))
    if not rows:
        return
    s, p, o = (sparql_term(rows[0][v]) for v in ("s", "p", "o"))
    found = list(dataset.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {s} {p} {o} }}"))
    copies = int(found[0]["n"].value) if found else 0
    if copies == 0:
        raise StoreError(f"{dataset.endpoint.name} has data in named graphs but none in its default graph: "
                         "load it with 'policygraph build' (which writes the merge of the named graphs there)")
    if copies > 1:  # the default graph's copy and the named graph's: a union
        raise StoreError(f"{dataset.endpoint.name} answers queries without GRAPH over the union of its graphs: turn that "
                         "off (Oxigraph: serve without --union-default-graph; Fuseki/TDB2: no tdb2:unionDefaultGraph), "
                         "policygraph keeps the merge of the named graphs as the default graph itself")


class RemoteStore:
    """The web tier's store handle (like store.local.LocalStore) for a remote engine."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dataset = RemoteDataset(RemoteEndpoint(settings), settings)

    def get(self) -> RemoteDataset:
        return self.dataset

    @property
    def version(self) -> str:
        return remote_version(self.settings)
