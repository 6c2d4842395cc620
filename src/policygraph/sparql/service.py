"""The query service: guards, then the worker pool, then typed errors. What the views call.

Views hand over the query text, the protocol's dataset, the negotiated media type and any parameter
bindings (as pyoxigraph terms, bound with `substitutions`, never pasted into the text), and get bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.errors import InputError, StoreError
from policygraph.namespaces import PREFIXES
from policygraph.settings import Settings
from policygraph.sparql.errors import MalformedQuery
from policygraph.sparql.guards import QueryInfo, inspect_query
from policygraph.sparql.pool import QueryPool
from policygraph.sparql.worker import Job, Reply, to_wire
from policygraph.web.mediatypes import GRAPH_TYPES, RESULT_TYPES, MediaType

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
    lane: str = ""


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
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = QueryPool(
            settings.store_path,
            size=settings.workers,
            timeout=settings.query_timeout,
            fast_timeout=settings.fast_lane_timeout,
            prefixes=dict(PREFIXES),
        )

    def inspect(self, text: str) -> QueryInfo:
        """Refuse what must not reach Oxigraph (400, with the position) and tell the query form."""
        return inspect_query(text, self.settings.max_query_length, self.settings.max_nesting)

    def run(
        self,
        text: str,
        info: QueryInfo,
        media: MediaType,
        dataset: Dataset | None = None,
        substitutions: dict[str, Term] | None = None,
    ) -> Answer:
        dataset = dataset or Dataset()
        job = Job(
            text=text,
            fmt=media.name,
            limit=self.settings.max_results,
            # FROM / FROM NAMED in the text define the dataset; otherwise the default graph is the union.
            union_default_graph=not info.has_dataset_clause,
            default_graphs=dataset.default_graphs if dataset.given else None,
            named_graphs=dataset.named_graphs if dataset.given else None,
            substitutions={name: to_wire(term) for name, term in (substitutions or {}).items()},
        )
        reply = self.pool.run(job)
        return _answer(reply, media, info)

    def graph_content(self, graph: str | None, media: MediaType) -> Answer:
        """The triples of one named graph (None: the default graph, i.e. the union) for the Graph Store GET."""
        text = UNION_CONTENT if graph is None else GRAPH_CONTENT
        info = inspect_query(text, self.settings.max_query_length, self.settings.max_nesting)
        substitutions: dict[str, Term] = {} if graph is None else {"graph": ox.NamedNode(graph)}
        return self.run(text, info, media, substitutions=substitutions)

    def close(self) -> None:
        self.pool.close()


def _answer(reply: Reply, media: MediaType, info: QueryInfo) -> Answer:
    if reply.ok:
        return Answer(reply.body, media, reply.count, reply.truncated, reply.seconds, info, reply.lane)
    if reply.error == "syntax":
        raise MalformedQuery(f"malformed query: {reply.message}")
    if reply.error == "input":
        raise InputError(f"the query cannot be run: {reply.message}")
    raise StoreError(f"the store could not answer: {reply.message}")
