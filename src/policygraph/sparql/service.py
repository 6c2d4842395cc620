"""The query service: guards, then the worker pool, then typed errors. What the views call.

Views hand over the query text, the protocol's dataset, the negotiated media type and any parameter
bindings (as pyoxigraph terms, bound with `substitutions`, never pasted into the text), and get bytes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from policygraph.errors import InputError, MalformedQuery, StoreError
from policygraph.formats import GRAPH_TYPES, RESULT_TYPES, MediaType
from policygraph.namespaces import PREFIXES
from policygraph.settings import Settings
from policygraph.sparql.cache import ResultCache, etag_for
from policygraph.sparql.guards import QueryInfo, inspect_query
from policygraph.sparql.pool import QueryPool
from policygraph.sparql.results import serialise
from policygraph.sparql.worker import Job, Reply, to_term, to_wire
from policygraph.store.copies import store_version
from policygraph.store.local import write_store
from policygraph.store.remote import RemoteDataset, RemoteEndpoint, check_default_graph, remote_version, reuse_version

# The Graph Store Protocol's GET, as a query over one named graph (bound by substitution) or the union.
GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
UNION_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
# What a new tab of the query editor starts with, below the project's PREFIX declarations.
EDITOR_START = """SELECT ?organisation ?name WHERE {
  ?organisation a pg:Organisation ;
                skos:prefLabel ?name .
}
ORDER BY ?name
LIMIT 25
"""

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Dataset:
    """The protocol's `default-graph-uri` and `named-graph-uri` values (None: not given)."""

    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None

    @property
    def given(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


@dataclass(frozen=True)
class Answer:
    body: bytes
    media: MediaType
    count: int
    truncated: bool
    seconds: float = 0.0
    info: QueryInfo | None = field(default=None, compare=False)
    lane: str = ""  # 'general' or 'fast' (a local worker lane), 'remote', or 'cache'
    etag: str = ""
    version: str = ""  # the store version that answered


def parse_iri(value: str, what: str) -> str:
    """An absolute IRI from a request parameter, or a 400 naming the parameter."""
    try:
        return ox.NamedNode(value.strip()).value
    except ValueError as exc:
        raise InputError(f"{what}: {value!r} is not an absolute IRI ({exc})") from None


def offers_for(info: QueryInfo) -> list[MediaType]:
    """What a query of this form can be answered in; the first is the default."""
    return GRAPH_TYPES if info.is_graph else RESULT_TYPES


class QueryService:
    """Runs queries on the local worker pool, or on the remote engine when the store is a URL."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.remote: RemoteDataset | None = None
        self.pool: QueryPool | None = None
        # On a remote store, every query is first parsed and planned by Oxigraph here, on an empty store, so
        # that errors name the same positions as on the embedded store. That runs in worker processes of an
        # empty store of its own, under the query timeout: a query that is slow to plan, or that makes the
        # parser abort, costs a worker, never a server thread or the server.
        self.checker: QueryPool | None = None
        self._checker_ready = False
        if settings.store_is_remote:
            self.remote = RemoteDataset(RemoteEndpoint(settings))
            self.checker = QueryPool(
                # Its own empty store, per server process: nothing to share, nothing to race for.
                Path(tempfile.mkdtemp(prefix="policygraph-check-")),
                size=1,
                timeout=settings.query_timeout,
                fast_timeout=settings.fast_lane_timeout,
                prefixes=dict(PREFIXES),
                queue_length=settings.queue_length,
            )
        else:
            self.pool = QueryPool(
                settings.store_path,
                size=settings.workers,
                timeout=settings.query_timeout,
                fast_timeout=settings.fast_lane_timeout,
                prefixes=dict(PREFIXES),
                queue_length=settings.queue_length,
            )
        self.cache = ResultCache(settings.cache_entries, settings.cache_bytes)

    def start(self) -> None:
        """Start the worker pool (local), or check the remote engine answers and unions its graphs."""
        if self.pool is not None:
            self.pool.start()
        elif self.remote is not None:
            check_default_graph(self.remote)
        self._start_checker()

    def _start_checker(self) -> None:
        """The remote store's checking workers, on an empty store written on first use (idempotent)."""
        if self.checker is None or self._checker_ready:
            return
        write_store(b"", self.checker.root)
        self.checker.start()
        self._checker_ready = True

    def version(self) -> str:
        """The store version answers are cached under: the build `current` points at, or the remote's."""
        if self.settings.store_is_remote:
            return remote_version(self.settings)
        try:
            return store_version(self.settings.store_path)
        except OSError:
            return ""  # no store: nothing is cached, and the worker says what is wrong

    def inspect(self, text: str) -> QueryInfo:
        """Refuse what must not reach Oxigraph (400, with the position) and tell the query form."""
        return inspect_query(text, self.settings.max_query_length, self.settings.max_nesting, self.settings.max_chain)

    def run(
        self,
        text: str,
        info: QueryInfo,
        media: MediaType,
        dataset: Dataset | None = None,
        substitutions: dict[str, Term] | None = None,
        limit: int | None = None,
    ) -> Answer:
        """The answer, cut at `limit` solutions or triples (max_results unless given) with `truncated` set:
        the views refuse a cut answer (ResultTooLarge) or say on the page that it is cut."""
        dataset = dataset or Dataset()
        job = Job(
            text=text,
            fmt=media.name,
            limit=self.settings.max_results if limit is None else limit,
            # FROM / FROM NAMED in the text define the dataset; otherwise the default graph is the store's,
            # the merge of the named graphs (store/merge.py).
            default_graphs=dataset.default_graphs if dataset.given else None,
            named_graphs=dataset.named_graphs if dataset.given else None,
            substitutions={name: to_wire(term) for name, term in (substitutions or {}).items()},
            # Relative IRIs resolve against the dataset's base, never the request's URL: the graph holds
            # only base IRIs, whatever host a server answers on. A BASE in the text wins.
            base_iri=self.settings.resource_base,
        )
        key = (job.text, job.fmt, job.limit,
               None if job.default_graphs is None else tuple(job.default_graphs),
               None if job.named_graphs is None else tuple(job.named_graphs),
               tuple(sorted(job.substitutions.items())))
        version = self.version()
        cache_version = reuse_version(self.settings) if self.remote is not None else version
        if version:
            cached = self.cache.get(cache_version, key)
            if isinstance(cached, Answer):
                return replace(cached, info=info, lane="cache")
        reply = self.pool.run(job) if self.pool is not None else self._remote_run(job)
        answer = replace(_answer(reply, media, info), version=version)
        if version:
            self.cache.put(cache_version, key, replace(answer, info=None), len(answer.body))
        return answer

    def graph_content(self, graph: str | None, media: MediaType) -> Answer:
        """The triples of one named graph (None: the default graph, i.e. the union) for the Graph Store GET."""
        text = UNION_CONTENT if graph is None else GRAPH_CONTENT
        info = self.inspect(text)
        substitutions: dict[str, Term] = {} if graph is None else {"graph": ox.NamedNode(graph)}
        return self.run(text, info, media, substitutions=substitutions, limit=self.settings.max_graph_triples)

    def _remote_run(self, job: Job) -> Reply:
        assert self.remote is not None
        substitutions = {name: to_term(wire) for name, wire in job.substitutions.items()}
        assert self.checker is not None
        self._start_checker()
        # Parsed and planned here first (on the empty store, in a worker), so a malformed query gets the same
        # message and position as locally, and a pathological one is stopped at the timeout.
        checked = self.checker.run(replace(job, limit=1))
        if not checked.ok:
            return checked
        started = time.monotonic()
        kwargs: dict[str, object] = {"substitutions": substitutions, "base_iri": job.base_iri}
        if job.default_graphs is not None or job.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
        remote = self.remote
        result = remote.query(job.text, **kwargs)
        out = serialise(result, job.fmt, job.limit, dict(PREFIXES), rerun=lambda: remote.query(job.text, **kwargs))
        return Reply(ok=True, body=out.body, count=out.count, truncated=out.truncated,
                     seconds=time.monotonic() - started, lane="remote")

    def close(self) -> None:
        for pool in (self.pool, self.checker):
            if pool is not None:
                pool.close()
        if self.checker is not None:
            shutil.rmtree(self.checker.root, ignore_errors=True)


def _answer(reply: Reply, media: MediaType, info: QueryInfo) -> Answer:
    if reply.ok:
        etag = etag_for(media.content_type, reply.body)
        return Answer(reply.body, media, reply.count, reply.truncated, reply.seconds, info, reply.lane, etag)
    if reply.error == "syntax":
        raise MalformedQuery(f"malformed query: {reply.message}")
    if reply.error == "input":
        raise InputError(f"the query cannot be run: {reply.message}")
    raise StoreError(f"the store could not answer: {reply.message}")
