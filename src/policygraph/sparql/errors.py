"""Errors of the query service, in the project's exception tree (each carries a status and a message).

Some also carry response headers (`Retry-After`, `WWW-Authenticate`); the one error handler sends them.
"""

from __future__ import annotations

from policygraph.errors import InputError, PolicygraphError


class QueryRefused(InputError):
    """A query or update refused before it reaches Oxigraph (too long, too deeply nested, SERVICE, LOAD)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line, self.column = line, column
        where = f" (at line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)


class MalformedQuery(InputError):
    """Oxigraph's parser rejected the text; the message holds its position ('error at LINE:COLUMN')."""


class Unauthorized(PolicygraphError):
    """A write without credentials, on a server where writes are enabled."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="policygraph"'}


class UnsupportedMediaType(PolicygraphError):
    status = 415


class QueryTimeout(PolicygraphError):
    """The query ran past the configured limit and its worker process was stopped.

    504 rather than 503: retrying the same query will not help, and the server itself is fine (it answers
    other requests meanwhile); the query is what took too long.
    """

    status = 504


class Busy(PolicygraphError):
    """Every query worker is taken by long queries: a transient state, so 503 with Retry-After."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class WorkerFailed(PolicygraphError):
    """The worker process running the query died (Oxigraph aborts the process on some inputs).

    The request gets this error, the server replaces the worker and goes on answering.
    """

    status = 500
