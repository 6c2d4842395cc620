"""The dataset of an update request (SPARQL 1.1 Protocol §2.2.3: `using-graph-uri`, `using-named-graph-uri`)
written into the update's text, since Oxigraph's update() takes no dataset argument.

The parameters act as USING and USING NAMED clauses of every operation that matches a pattern:

- `DELETE {…} INSERT {…} WHERE {…}` (and either template alone): `USING <a> USING NAMED <b>` goes before
  its WHERE;
- `DELETE WHERE { P }`, the shorthand of `DELETE { P } WHERE { P }`, is written out as that long form with
  the clauses before its WHERE, so the dataset applies to it as to any other pattern: P matches in the
  given graphs only. As in the long form, a `GRAPH <g> { … }` block of P then finds nothing unless <g> is
  among the using-named-graph-uri values (USING without USING NAMED leaves no named graph to match);
- INSERT DATA, DELETE DATA, CLEAR, DROP, CREATE, ADD, MOVE and COPY match nothing and stay as they are.

The protocol says a request must be refused when it gives these parameters and its text has USING, USING
NAMED or WITH of its own: which dataset applies would be ambiguous. That is QueryRefused (400), at the
keyword's line and column.

Positions: text is only inserted (and the WHERE of a shorthand overwritten by as many spaces), so the
client's text keeps its order; `Rewritten.explain` turns the position in an Oxigraph error about the new
text back into a position in the client's, and the copy of a shorthand's pattern comes after the
original, so an error in the pattern is met (and reported) in the client's own text first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from policygraph.errors import QueryRefused
from policygraph.sparqltext import Token, keyword, offset_of, position, tokens

_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
PARAMETERS = "using-graph-uri / using-named-graph-uri"


@dataclass(frozen=True)
class Rewritten:
    """An update with its dataset written in, and what it takes to map positions back."""

    text: str
    original: str
    inserted: tuple[tuple[int, int], ...] = ()  # (offset in the original, characters inserted there), in order

    def original_offset(self, offset: int) -> int:
        """Where a character of the new text stands in the original (inserted text: where it was inserted)."""
        shift = 0
        for at, length in self.inserted:
            if offset < at + shift:
                break
            if offset < at + shift + length:
                return at
            shift += length
        return offset - shift

    def explain(self, message: str) -> str:
        """An Oxigraph error message about the new text, its 'error at LINE:COLUMN' made the original's."""
        if not self.inserted:
            return message

        def back(match: re.Match[str]) -> str:
            offset = self.original_offset(offset_of(self.text, int(match[1]), int(match[2])))
            line, column = position(self.original, offset)
            return f"error at {line}:{column}"

        return _ERROR_AT.sub(back, message, count=1)


def refuse_own_dataset(text: str, found: Sequence[Token]) -> None:
    """QueryRefused when the text names a dataset itself (USING, USING NAMED, WITH)."""
    for token in found:
        word = keyword(token)
        if token.depth == 0 and word in ("USING", "WITH"):
            raise QueryRefused(
                f"this request gives the update's dataset twice, with {PARAMETERS} and with {word} in the update "
                f"text; give it one way only (the SPARQL 1.1 Protocol refuses such a request)",
                *position(text, token.start),
            )


def with_dataset(text: str, using: Sequence[str] = (), using_named: Sequence[str] = ()) -> Rewritten:
    """The update with USING / USING NAMED clauses for the given graph IRIs (absolute) before the WHERE of
    every operation that has one. Raises QueryRefused when the text has USING, USING NAMED or WITH itself.
    Text the scan cannot follow (an unclosed group) is left for Oxigraph's parser to report."""
    if not using and not using_named:
        return Rewritten(text, text)
    found = [t for t in tokens(text) if t.kind != "comment"]
    refuse_own_dataset(text, found)
    clause = " ".join([*(f"USING {ox.NamedNode(g)}" for g in using),
                       *(f"USING NAMED {ox.NamedNode(g)}" for g in using_named)])
    edits: list[tuple[int, int, str]] = []  # (offset, characters replaced, new text); replacements keep the length
    for i, token in enumerate(found):
        if token.depth != 0 or keyword(token) != "WHERE":
            continue
        if i > 0 and keyword(found[i - 1]) == "DELETE":  # DELETE WHERE { P } -> DELETE { P } USING … WHERE { P }
            close = _closing(found, i + 1)
            if close is None:
                continue
            pattern = text[found[i + 1].start:found[close].start + 1]
            edits.append((token.start, len(token.text), " " * len(token.text)))
            edits.append((found[close].start + 1, 0, f" {clause} WHERE {pattern}"))
        else:
            edits.append((token.start, 0, clause + " "))
    out: list[str] = []
    inserted: list[tuple[int, int]] = []
    done = 0
    for at, replaced, new in sorted(edits):
        out += [text[done:at], new]
        done = at + replaced
        if not replaced:
            inserted.append((at, len(new)))
    out.append(text[done:])
    return Rewritten("".join(out), text, tuple(inserted))


def _closing(found: list[Token], opening: int) -> int | None:
    """The index of the '}' closing the '{' at `opening` (None: not a '{', never closed, or closed by another
    bracket: text the parser will refuse, left as it is so that its error points into the client's text)."""
    if opening >= len(found) or found[opening].text != "{":
        return None
    depth = found[opening].depth
    for j in range(opening + 1, len(found)):
        if found[j].kind == "close" and found[j].depth == depth:
            return j if found[j].text == "}" else None
    return None
