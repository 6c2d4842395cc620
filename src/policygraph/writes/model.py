"""What a write is and what it gives back: plain data that crosses the writer process's pipe."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Operation(StrEnum):
    """A SPARQL Update, or a Graph Store Protocol write (PUT replaces a graph, POST merges, DELETE drops)."""

    UPDATE = "update"
    PUT = "put"
    POST = "post"
    DELETE = "delete"


@dataclass(frozen=True)
class WriteRequest:
    operation: Operation
    update: str | None = None  # the SPARQL Update text (UPDATE)
    graph: str | None = None  # the named graph IRI of a Graph Store write; None: the default graph
    data: bytes | None = None  # the RDF of PUT and POST
    rdf_format: str | None = None  # a key of formats.GRAPHS, for PUT and POST
    # The protocol's update dataset (using-graph-uri, using-named-graph-uri): absolute IRIs (writes/dataset.py).
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "operation", Operation(self.operation))
        object.__setattr__(self, "using_graphs", tuple(self.using_graphs))
        object.__setattr__(self, "using_named_graphs", tuple(self.using_named_graphs))

    @property
    def creates(self) -> bool:
        """PUT and POST create their graph when it did not exist."""
        return self.operation in (Operation.PUT, Operation.POST)


@dataclass(frozen=True)
class WriteResult:
    ok: bool
    status: int
    message: str
    created: bool = False
    quads_before: int = 0
    quads_after: int = 0
    version: str = ""
    report: str = ""
    violations: int = 0
    path: str = ""  # 'fast' (explicit change, incremental validation) or 'general'
    validated: int | None = None  # focus nodes validated on the fast path; None: the whole dataset
    error: str = ""  # the class name of the error (errors.by_name gives it back on the other side of the pipe)
