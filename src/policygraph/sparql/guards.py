"""Checks on query and update text that run before the text reaches Oxigraph.

Two measured facts make these necessary: Oxigraph's parser aborts the whole process with a stack
overflow on deeply nested text (about 3,000 nested `{ }` groups or 10,000 parentheses), and pyoxigraph
evaluates SERVICE and LOAD by making outbound requests and reading files. So the text is scanned here:
its length, its nesting depth, the keywords SERVICE and LOAD, and the query form (to negotiate the result
format before running it).

The scanner (policygraph.sparqltext) follows the SPARQL grammar's terminals closely enough that nothing it
reads as a string, an IRI or a comment can hide a keyword from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policygraph.errors import QueryRefused
from policygraph.sparqltext import Token, keyword, position, tokens

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
# Keywords that make Oxigraph reach outside the process: an HTTP request, or a file read for LOAD.
REFUSED = {
    "SERVICE": "SERVICE (federated query) is refused: this endpoint makes no outbound requests",
    "LOAD": "LOAD is refused: this endpoint neither fetches URLs nor reads files",
}


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool  # FROM or FROM NAMED in the text: they define the dataset, not the union

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE give triples; SELECT and ASK give solutions or a boolean."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


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
