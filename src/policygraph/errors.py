"""The exception tree: every error policygraph raises on purpose carries an HTTP status and a message
written for a person. One handler turns them into one error shape (web/errors.py); the writer process
sends them across its pipe by class name (`by_name`), so the same request gets the same error name and
status whichever store answers.

    PolicygraphError (500)
    ├── InputError (400)                 bad input from a file or a request
    │   ├── IngestError                  a profile source file: file, line, reason
    │   ├── CurationError                a curated YAML file: file, entry, reason
    │   │   └── UnsupportedStatements    statements no quote supports, every one listed
    │   ├── QueryRefused                 refused before it reaches the engine (too long, too deep, SERVICE)
    │   ├── MalformedQuery               the engine's parser rejected it (with its position)
    │   ├── QueryTooComplex              the process evaluating it died (Oxigraph aborted on it)
    │   └── DefaultGraphWrite            a write naming the default graph (the merge of the named graphs)
    ├── Unauthorized (401)               a write without credentials
    ├── Forbidden (403)                  writes disabled, or a wrong token
    ├── NotFound (404)
    ├── NotAcceptable (406)
    ├── UnsupportedMediaType (415)
    ├── ValidationFailed (422)           SHACL violations, with the report
    ├── ResultTooLarge (422)             an answer over the server's cap: never sent cut short
    ├── WriteFailed (status chosen)      a write that failed for a reason of its own (its status travels)
    ├── StoreError (503)                 the store is missing, locked, corrupt or unreachable
    ├── Busy (503, Retry-After)          every query worker is taken
    └── QueryTimeout (504)               a query or write ran past its limit
"""

from __future__ import annotations


class PolicygraphError(Exception):
    """Base of every error policygraph raises on purpose."""

    status = 500
    headers: dict[str, str] = {}

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(PolicygraphError):
    """Bad input from a file or a request."""

    status = 400


class IngestError(InputError):
    """A profile source file that cannot be parsed: names the file, the line and the reason."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line}: {reason}")


class CurationError(InputError):
    """A curated YAML file with a problem: names the file, the entry and the reason."""

    def __init__(self, file: str, entry: str, reason: str) -> None:
        self.file, self.entry, self.reason = file, entry, reason
        super().__init__(f"{file}: {entry}: {reason}")


class UnsupportedStatements(CurationError):
    """Statements of curated files that no quote supports. `problems` holds every one as (file, entry,
    reason); the error itself names the first, and its message lists them all."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        file, entry, reason = problems[0]
        super().__init__(file, entry, reason)
        if len(problems) > 1:
            lines = [f"{f}: {e}: {r}" for f, e, r in problems]
            self.message = f"{len(problems)} statements are not supported by their quotes:\n" + "\n".join(lines)
            self.args = (self.message,)


class QueryRefused(InputError):
    """A query or update refused before it reaches Oxigraph (too long, too deeply nested, SERVICE, LOAD)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line, self.column = line, column
        where = f" (at line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)


class MalformedQuery(InputError):
    """Oxigraph's parser rejected the text; the message holds its position ('error at LINE:COLUMN')."""


class DefaultGraphWrite(InputError):
    """A write that names the default graph, which policygraph keeps as the merge of the named graphs."""

    def __init__(self, message: str = "the default graph is the merge of the named graphs and is kept by policygraph: "
                                      "write into a named graph (GRAPH <…> in an update, ?graph=… in the Graph Store "
                                      "Protocol)") -> None:
        super().__init__(message)


class Unauthorized(PolicygraphError):
    """A write without credentials, on a server where writes are enabled."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="policygraph"'}


class Forbidden(PolicygraphError):
    status = 403


class NotFound(PolicygraphError):
    status = 404


class NotAcceptable(PolicygraphError):
    status = 406



class UnsupportedMediaType(PolicygraphError):
    status = 415


class ValidationFailed(PolicygraphError):
    """SHACL found violations; `report` is the readable report."""

    status = 422

    def __init__(self, report: str, count: int) -> None:
        self.report, self.count = report, count
        super().__init__(f"SHACL validation failed with {count} violation(s):\n{report}")


class QueryTooComplex(InputError):
    """The worker process evaluating the query died: Oxigraph aborts the process on some inputs (a stack
    overflow on nesting the guards did not foresee). The query did it, so 400; the server replaces the
    worker and goes on answering."""


class ResultTooLarge(PolicygraphError):
    """The answer has more solutions or triples than the server sends in one response (max_results).

    It is refused rather than cut short: clients (SPARQLWrapper, Jena, Comunica) would take a cut answer
    for the whole one. The message says how to get everything: pages with LIMIT and OFFSET, or the dumps.
    422: the request is understood and well formed; this server will not answer it in one piece.
    """

    status = 422


class WriteFailed(PolicygraphError):
    """A write that failed for a reason of its own (the writer could not start or stopped), with its status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class StoreError(PolicygraphError):
    """The store is missing, locked, corrupt or unreachable."""

    status = 503


class Busy(PolicygraphError):
    """Every query worker is taken by long queries: a transient state, so 503 with Retry-After."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class QueryTimeout(PolicygraphError):
    """The query ran past the configured limit and its worker process was stopped.

    504 rather than 503: retrying the same query will not help, and the server itself is fine (it answers
    other requests meanwhile); the query is what took too long.
    """

    status = 504


def by_name(name: str, message: str, status: int) -> PolicygraphError:
    """The error called `name` with `message` (an error that crossed a process boundary as data). Errors
    whose constructor needs more than a message come back as the nearest class that takes one."""
    cls = _CLASSES.get(name)
    if cls is None or cls in (IngestError, CurationError, UnsupportedStatements, ValidationFailed, WriteFailed, Busy):
        return WriteFailed(message, status)
    error = cls(message)
    return error


_CLASSES: dict[str, type[PolicygraphError]] = {
    c.__name__: c for c in (PolicygraphError, InputError, IngestError, CurationError, UnsupportedStatements, QueryRefused,
                            MalformedQuery, DefaultGraphWrite, Unauthorized, Forbidden, NotFound, NotAcceptable,
                            UnsupportedMediaType, ValidationFailed, QueryTooComplex, ResultTooLarge, WriteFailed, StoreError,
                            Busy, QueryTimeout)
}
