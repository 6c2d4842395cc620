"""Query results to bytes, with the row cap (settings.max_results) applied and reported.

Runs inside the query worker processes, so it imports nothing but pyoxigraph and the standard library.

Solutions are written by pyoxigraph's own serialiser (native code: about ten times cheaper per row than
building the document in Python) into a `Capped` writer that counts solutions as the bytes stream by and
stops the query once the cap is passed, cutting the document after the last solution kept. The count
relies on the fixed layout pyoxigraph writes (see LAYOUTS); where a value could fake a solution boundary
(an empty JSON solution, a quoted CSV value) and the cap is passed, the query is run again on the reference
path: the first N solutions taken in Python, written as SPARQL JSON and, for the other formats, read back
with `pyoxigraph.parse_query_results` and serialised by pyoxigraph. Graph results are capped in Python
and serialised by `pyoxigraph.serialize`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
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
        # Marks the document cut: the service sets `truncated`, and the views refuse such an answer (or, on
        # the catalogue's page, say so); it never reaches a client as if whole.
        document["truncated"] = True
        document["note"] = note
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def truncation_note(limit: int, what: str) -> str:
    return f"only the first {limit} {what} are returned (the server's max_results); add LIMIT/OFFSET to page"


def reference_solutions(result: ox.QuerySolutions, fmt: str, limit: int) -> Serialised:
    """The reference path: the first `limit` solutions taken in Python (exact for any content)."""
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


# ---- solutions written by pyoxigraph itself, counted and capped as they stream


@dataclass(frozen=True)
class Layout:
    """How to find solution boundaries in one format as pyoxigraph writes it (compact, fixed layout).

    Byte strings are counted with `bytes.count` (a regular expression that starts with a character class
    scans about ten times slower); `pattern` finds the boundary once, where the document is cut."""

    markers: tuple[bytes, ...]  # each starts (JSON, XML) or ends (TSV, CSV) one solution, or the head line
    loose: tuple[bytes, ...]  # counted as markers, but may occur inside a value: the count is an upper bound
    suspect: bytes  # seen: a value may hold a marker (the count is an upper bound)
    ends: bool  # the marker ends a line (TSV, CSV) rather than starting a solution
    closing: bytes  # appended to a document cut before a solution (JSON adds the truncation note)

    @cached_property
    def pattern(self) -> re.Pattern[bytes]:
        return re.compile(b"|".join(re.escape(m) for m in self.markers + self.loose))

    @cached_property
    def tail(self) -> int:
        """Bytes of one write kept to see a marker split across two writes."""
        return max(len(m) for m in self.markers + self.loose) - 1


LAYOUTS = {
    # A binding object opens right after the array's '[' or ','. Inside a JSON string every quote is escaped,
    # so '[{"' and ',{"' never occur in a value; an empty solution is '{}', and ',{}' may occur in a value.
    "json": Layout((b'[{"', b',{"'), (b"[{}", b",{}"), b"", False, b"]}}"),
    # A value's '<' is written '&lt;', so '<result>' only opens a solution.
    "xml": Layout((b"<result>",), (), b"", False, b"</results></sparql>"),
    # One line per solution after the head line; terms are written N-Triples style (no raw line break).
    "tsv": Layout((b"\n",), (), b"", True, b""),
    # One CRLF-ended line per solution after the head line, but a quoted value may hold a line break.
    "csv": Layout((b"\r\n",), (), b'"', True, b""),
}


class CapPassed(Exception):
    """Raised from `Capped.write` to stop the query: the solution after the cap has begun."""


class Doubtful(Exception):
    """The cap was passed where the count is only an upper bound: the reference path must decide."""


class Capped:
    """A binary file object for `QuerySolutions.serialize` that keeps the document up to `limit` solutions."""

    def __init__(self, fmt: str, limit: int) -> None:
        self.fmt = fmt
        self.layout = LAYOUTS[fmt]
        # Markers seen when the cap is passed. JSON and XML: the marker of solution limit+1 starts it; TSV
        # and CSV: the head line's end is a marker too, and the cap is passed when solution limit+1 has ended.
        self.head = 1 if self.layout.ends else 0
        self.over = limit + 1 + self.head
        self.parts: list[bytes] = []
        self.size = 0  # bytes kept in parts
        self.markers = 0
        self.doubt = False
        self.tail = b""
        self.cut: int | None = None  # set when the cap was passed: where the kept document ends

    def write(self, chunk: bytes) -> int:
        data = bytes(chunk)
        if self.cut is not None:
            raise CapPassed  # the serialiser's last flush after the first refusal
        window = self.tail + data
        layout = self.layout
        found = sum(window.count(marker) for marker in layout.markers)
        for marker in layout.loose:
            if marker in window:
                found += window.count(marker)
                self.doubt = True
        if layout.suspect and layout.suspect in window:
            self.doubt = True
        if self.markers + found >= self.over:
            if self.doubt:
                raise Doubtful
            self.cut = self._cut(window, self.over - self.head - self.markers)
            self.parts.append(data)
            raise CapPassed
        self.markers += found
        self.parts.append(data)
        self.size += len(data)
        self.tail = window[len(window) - layout.tail:] if layout.tail else b""
        return len(data)

    def _cut(self, window: bytes, nth: int) -> int:
        """The offset in the whole document where the kept part ends, at the nth marker of the window."""
        start = self.size - len(self.tail)  # the window is the tail of what was kept, then this write
        for index, match in enumerate(self.layout.pattern.finditer(window), 1):
            if index == nth:
                if self.layout.ends:
                    return start + match.end()
                return start + match.start() + (1 if match.group().startswith(b"[") else 0)
        raise AssertionError("marker not found again")

    def flush(self) -> None:
        pass

    def document(self, note: str | None) -> bytes:
        body = b"".join(self.parts)
        if self.cut is None:
            return body
        closing = self.layout.closing
        if note is not None:  # JSON: members that clients ignore, before the document's last '}'
            closing = closing[:-1] + b',"truncated":true,"note":' + json.dumps(note, ensure_ascii=False).encode("utf-8") + b"}"
        return body[: self.cut] + closing

    def rows(self, body: bytes) -> int:
        """How many solutions a complete document holds."""
        if not self.doubt:
            return self.markers - self.head
        if self.fmt == "json":
            return len(json.loads(body)["results"]["bindings"])
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1


def serialise_solutions(result: ox.QuerySolutions, fmt: str, limit: int,
                        rerun: Callable[[], ox.QuerySolutions]) -> Serialised:
    """Solutions written natively and capped at `limit`; `rerun` runs the query again for the reference path
    when the native count is in doubt at the cap (rare: empty JSON solutions, quoted CSV values)."""
    out = Capped(fmt, limit)
    try:
        result.serialize(out, format=RESULT_FORMATS[fmt])
    except Doubtful:
        return reference_solutions(rerun(), fmt, limit)
    except CapPassed:
        note = truncation_note(limit, "rows")
        return Serialised(out.document(note if fmt == "json" else None), limit, True)
    body = out.document(None)
    return Serialised(body, out.rows(body), False)


def serialise(result: Any, fmt: str, limit: int, prefixes: dict[str, str], rerun: Callable[[], Any]) -> Serialised:
    """Whatever `Store.query` returned, in the named format (a key of RESULT_FORMATS or GRAPH_FORMATS);
    `rerun` gives the same query's result again (see `serialise_solutions`)."""
    if isinstance(result, ox.QuerySolutions):
        return serialise_solutions(result, fmt, limit, rerun)
    if isinstance(result, ox.QueryBoolean):
        return serialise_boolean(result, fmt)
    return serialise_triples(result, fmt, limit, prefixes)
