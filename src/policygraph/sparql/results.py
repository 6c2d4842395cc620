"""Query results to bytes, with the row cap (settings.max_results) applied and reported.

Runs inside the query worker processes, so it imports nothing but pyoxigraph and the standard library.

pyoxigraph serialises a whole result iterator and cannot be told to stop after N rows, so the first N
solutions are taken here, written as SPARQL JSON (a small, exact format), and, for the other formats,
read back with `pyoxigraph.parse_query_results` and serialised by pyoxigraph. Graph results are capped
the same way and serialised by `pyoxigraph.serialize`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
# Formats whose serialiser writes prefix declarations (the others ignore prefixes or spell IRIs out).
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class Serialised:
    body: bytes
    count: int  # rows, triples, or 1 for a boolean
    truncated: bool


def term_json(term: Any) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results format (with RDF 1.2 triple terms and directions)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate),
                      "object": term_json(term.object)},
        }
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables: list[str], rows: list[ox.QuerySolution], note: str | None) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            value = row[name]
            if value is not None:
                binding[name] = term_json(value)
        bindings.append(binding)
    document: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if note:
        # An extra member that clients ignore; the header X-Policygraph-Truncated says the same.
        document["truncated"] = True
        document["note"] = note
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def truncation_note(limit: int, what: str) -> str:
    return f"only the first {limit} {what} are returned (the server's max_results); add LIMIT/OFFSET to page"


def serialise_solutions(result: ox.QuerySolutions, fmt: str, limit: int) -> Serialised:
    variables = [v.value for v in result.variables]
    rows = list(islice(result, limit + 1))
    truncated = len(rows) > limit
    rows = rows[:limit]
    note = truncation_note(limit, "rows") if truncated else None
    document = solutions_json(variables, rows, note if fmt == "json" else None)
    if fmt == "json":
        return Serialised(document, len(rows), truncated)
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    body = parsed.serialize(format=RESULT_FORMATS[fmt]) or b""
    return Serialised(body, len(rows), truncated)


def serialise_boolean(result: ox.QueryBoolean, fmt: str) -> Serialised:
    return Serialised(result.serialize(format=RESULT_FORMATS[fmt]) or b"", 1, False)


def serialise_triples(triples: Any, fmt: str, limit: int, prefixes: dict[str, str]) -> Serialised:
    kept = list(islice(triples, limit + 1))
    truncated = len(kept) > limit
    kept = kept[:limit]
    rdf_format = GRAPH_FORMATS[fmt]
    kwargs: dict[str, Any] = {"prefixes": prefixes} if rdf_format in _PREFIXED else {}
    body = ox.serialize(kept, format=rdf_format, **kwargs) or b""
    return Serialised(body, len(kept), truncated)


def serialise(result: Any, fmt: str, limit: int, prefixes: dict[str, str]) -> Serialised:
    """Whatever `Store.query` returned, in the named format (a key of RESULT_FORMATS or GRAPH_FORMATS)."""
    if isinstance(result, ox.QuerySolutions):
        return serialise_solutions(result, fmt, limit)
    if isinstance(result, ox.QueryBoolean):
        return serialise_boolean(result, fmt)
    return serialise_triples(result, fmt, limit, prefixes)
