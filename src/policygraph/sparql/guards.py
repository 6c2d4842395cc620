"""Checks on query and update text that run before the text reaches Oxigraph.

Two measured facts make these necessary: Oxigraph's parser aborts the whole process with a stack
overflow on deeply nested text (about 3,000 nested `{ }` groups or 10,000 parentheses), and pyoxigraph
evaluates SERVICE and LOAD by making outbound requests and reading files. So the text is scanned here:
its length, its nesting depth, the keywords SERVICE and LOAD, and the query form (to negotiate the result
format before running it).

The scanner follows the SPARQL grammar's terminals closely enough that nothing it reads as a string, an
IRI or a comment can hide a keyword from it: strings and comments are matched as the grammar defines
them, and an IRIREF cannot contain '{' or white space, which a SERVICE clause needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from policygraph.sparql.errors import QueryRefused

_TOKEN = re.compile(
    # Every alternative that scans ahead either matches or stops at a character it cannot contain, so the
    # scan stays linear: an unterminated string runs to the end of its line (or of the text) and is
    # refused, instead of being retried at every later quote.
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:(?P<end1>\"\"\")|\\?\Z)
      | '''(?:[^'\\]|\\.|'(?!''))*(?:(?P<end2>''')|\\?\Z)
      | "(?:[^"\\\n\r]|\\[^\n\r])*(?:(?P<end3>")|\\?(?=[\n\r])|\\?\Z)
      | '(?:[^'\\\n\r]|\\[^\n\r])*(?:(?P<end4>')|\\?(?=[\n\r])|\\?\Z))
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  # Prefixed names and blank node labels, with local parts as the grammar's PN_LOCAL allows; bare
  # names are ASCII words. Where this reads less than the grammar would, it splits text more finely,
  # which can only show more keywords, never hide one.
  | (?P<name>(?:[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\-.\u00B7-\uFFFF]*)?:
        (?:[A-Za-z0-9_:\-.\u00B7-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
      | [A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
# Keywords that make Oxigraph reach outside the process: an HTTP request, or a file read for LOAD.
REFUSED = {
    "SERVICE": "SERVICE (federated query) is refused: this endpoint makes no outbound requests",
    "LOAD": "LOAD is refused: this endpoint neither fetches URLs nor reads files",
}


@dataclass(frozen=True)
class Token:
    kind: str  # comment string unterminated iri var lang name open close other
    text: str
    start: int
    depth: int  # nesting depth before the token


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool  # FROM or FROM NAMED in the text: they define the dataset, not the union

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE give triples; SELECT and ASK give solutions or a boolean."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (columns count characters, as Oxigraph's do)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def tokens(text: str) -> Iterator[Token]:
    """The tokens of the text that matter here (white space dropped), with their nesting depth."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space":
            continue
        if kind == "string" and not any(match.group(g) for g in ("end1", "end2", "end3", "end4")):
            kind = "unterminated"
        elif kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def keyword(token: Token) -> str | None:
    """The upper-cased keyword a bare name token spells ('select' -> 'SELECT'); None for other tokens."""
    if token.kind != "name" or ":" in token.text:
        return None
    return token.text.upper()


def _check(text: str, max_length: int, max_nesting: int, what: str) -> list[Token]:
    if len(text) > max_length:
        raise QueryRefused(f"the {what} is {len(text):,} characters long; the limit is {max_length:,}")
    if not text.strip():
        raise QueryRefused(f"the {what} is empty")
    out: list[Token] = []
    for token in tokens(text):
        if token.kind == "open" and token.depth + 1 > max_nesting:
            raise QueryRefused(
                f"the {what} nests brackets more than {max_nesting} deep", *position(text, token.start)
            )
        word = keyword(token)
        if word in REFUSED:
            raise QueryRefused(REFUSED[word], *position(text, token.start))
        if token.kind == "unterminated":
            # Refused here because this scan reads the rest of the line (or text) as the string.
            raise QueryRefused(f"the {what} has a string that is never closed", *position(text, token.start))
        out.append(token)
    return out


def inspect_query(text: str, max_length: int, max_nesting: int) -> QueryInfo:
    """Refuse what must not reach Oxigraph, and tell the query form. Raises QueryRefused (400)."""
    found = _check(text, max_length, max_nesting, "query")
    form = None
    has_from = False
    for token in found:
        word = keyword(token)
        if word is None or token.depth > 0:
            continue
        if form is None and word in QUERY_FORMS:
            form = word
        elif form is None and word in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"this is a SPARQL Update ({word}), not a query: send updates by POST as 'update' "
                "(application/sparql-update), with a write token", *position(text, token.start)
            )
        elif word == "FROM":
            has_from = True
    if form is None:
        raise QueryRefused("no query form found: a query starts (after any PREFIX and BASE) with SELECT, ASK, "
                           "CONSTRUCT or DESCRIBE")
    return QueryInfo(form=form, has_dataset_clause=has_from)


def inspect_update(text: str, max_length: int, max_nesting: int) -> None:
    """The same limits for SPARQL Update text; SERVICE and LOAD are refused here too, token or not."""
    _check(text, max_length, max_nesting, "update")


def variable_tokens(text: str, name: str) -> list[Token]:
    """Where the variable ?name or $name occurs as a variable (not inside a string, IRI or comment)."""
    return [t for t in tokens(text) if t.kind == "var" and t.text[1:] == name]
