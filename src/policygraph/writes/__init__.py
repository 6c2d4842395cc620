"""Writes: SPARQL Update and the Graph Store HTTP Protocol, each one transaction validated before commit.

`commit(settings, request)` is the one entry point, for both stores: the embedded store's writes run in
the writer process (writes/writer.py) and are committed in place (writes/in_place.py); a remote store's
are committed there as one update request (writes/remote.py). Either way the write is applied and
validated by writes/apply.py. The token is compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import hmac

from policygraph.errors import Forbidden, Unauthorized
from policygraph.settings import Settings
from policygraph.sparql.guards import inspect_update
from policygraph.writes.dataset import with_dataset
from policygraph.writes.model import Operation, WriteRequest, WriteResult
from policygraph.writes.writer import perform_write, start_writer, stop_writers

__all__ = ["Operation", "WriteRequest", "WriteResult", "authorise", "check_update", "commit", "start_writer",
           "stop_writers"]


def authorise(settings: Settings, header: str | None) -> None:
    """Writes are off unless a token is configured; then they need `Authorization: Bearer <token>`."""
    if not settings.write_token:
        raise Forbidden("writes are disabled on this server (no write token is configured)")
    if not header:
        raise Unauthorized("this write needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    valid = hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8"))
    if scheme.lower() != "bearer" or not valid:
        raise Forbidden("the write token is not valid")


def check_update(settings: Settings, request: WriteRequest) -> None:
    """The same limits as queries (length, nesting, chains, no LOAD or SERVICE), and a dataset given once (by
    the protocol's parameters or in the text, writes/dataset.py), before the update goes anywhere."""
    text = request.update or ""
    inspect_update(text, settings.max_query_length, settings.max_nesting, settings.max_chain)
    with_dataset(text, request.using_graphs, request.using_named_graphs)


def commit(settings: Settings, request: WriteRequest) -> WriteResult:
    """Apply, validate and commit one write to the store the settings name. Raises typed errors."""
    if settings.store_is_remote:
        from policygraph.writes.remote import perform_remote_write  # the remote engine's client, when used

        return perform_remote_write(settings, request)
    return perform_write(settings, request)
