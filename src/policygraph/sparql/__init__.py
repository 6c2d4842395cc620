"""The SPARQL query service: guards on the text, a pool of worker processes with a timeout, result
serialisation with a row cap, the service description, and validated writes.

Light on purpose: the worker processes import `policygraph.sparql.worker` and with it this package, so
nothing here imports Flask, rdflib or pyshacl. Import the service and writes modules directly.
"""

from policygraph.errors import (
    Busy,
    MalformedQuery,
    QueryRefused,
    QueryTimeout,
    QueryTooComplex,
    Unauthorized,
    UnsupportedMediaType,
)
from policygraph.sparql.guards import QueryInfo, inspect_query, inspect_update

__all__ = [
    "Busy",
    "MalformedQuery",
    "QueryInfo",
    "QueryRefused",
    "QueryTimeout",
    "Unauthorized",
    "UnsupportedMediaType",
    "QueryTooComplex",
    "inspect_query",
    "inspect_update",
]
