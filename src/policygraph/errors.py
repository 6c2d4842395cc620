"""The exception tree. Every error carries an HTTP status and a message written for a person."""

from __future__ import annotations


class PolicygraphError(Exception):
    """Base of every error policygraph raises on purpose."""

    status = 500

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


class ValidationFailed(PolicygraphError):
    """SHACL found violations; `report` is the readable report."""

    status = 422

    def __init__(self, report: str, count: int) -> None:
        self.report, self.count = report, count
        super().__init__(f"SHACL validation failed with {count} violation(s):\n{report}")


class StoreError(PolicygraphError):
    """The store is missing, locked, corrupt or unreachable."""

    status = 503


class NotFound(PolicygraphError):
    status = 404


class NotAcceptable(PolicygraphError):
    status = 406


class Forbidden(PolicygraphError):
    status = 403


class PayloadTooLarge(PolicygraphError):
    status = 413
