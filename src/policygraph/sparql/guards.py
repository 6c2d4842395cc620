"""Checks on query and update text that run before the text reaches Oxigraph.

Oxigraph's parser and the algebra it builds recurse once per level of nesting, and a process whose stack
overflows dies on the spot (SIGSEGV): a query worker (the request gets 500 and the pool replaces the
worker), or, on a remote store, the server itself, which parses queries and applies writes in its own
threads. And pyoxigraph evaluates SERVICE and LOAD by making outbound requests and reading files. So the
text is scanned here first: its length, its nesting, its chains of operators and groups, the keywords
SERVICE and LOAD, and the query form (to negotiate the result format before running it).

Measured with pyoxigraph 0.5.13 (a throwaway script parsing and running each form on an empty store in a
fresh process, the depth bisected to 1 %; the same figures in the main thread and in a Python thread,
as the server's are): the process dies with SIGSEGV at these depths.

  nesting, brackets:
    `{` groups 2,192 · nested OPTIONAL 2,624 · nested sub-selects 2,544 · nested GRAPH 2,928 ·
    `FILTER EXISTS {` 840 · `(` in an expression 4,672 · `!(` 3,872 · function calls `STR(STR(…))` 952,
    `IF(` 960, `ABS(` 960, `COALESCE(` and `CONCAT(` 928 · `[` blank nodes 3,648 (CONSTRUCT template,
    INSERT DATA) · `(` collections in INSERT DATA 11,904 · `(` in a path 13,824, `((p)*)*` 13,824
  nesting, prefix operators in a row:
    `!!!…` 9,344 (spaced or not); `---…`, `+++…` and `^^^…` are syntax errors, refused at once
  chains (flat text, a deep tree):
    `1+1+…`, `1*1*…` and `1 -1 -1 …` 6,912 · `||` and `&&` 9,344 · `{…} UNION {…} …` 6,592 ·
    `MINUS {…}` repeated 2,624 · `BIND(…)` repeated 2,624 · `FILTER(…)` repeated 9,344 ·
    path alternatives `p|p|…` 10,944
  the same in SPARQL Update (DELETE/INSERT … WHERE 2,192 braces, 2,624 MINUS; INSERT DATA as above).
  never: long IN lists, VALUES blocks, negated property sets, INSERT DATA with many triples, object lists
  or long collections, many operations in one update (up to 1 MB of text).

Some forms are slow long before they crash, even on an empty store: 200 triple patterns or 200 groups in
one group take over 30 s, so do 512 OPTIONALs or 1,024 path steps `p/p/…`, and some nested functions
double their time with every level (22 nested `REGEX(x, p)` or `SUBSTR(x, n)` take 11 s, 16 nested
`IN` 1.7 s). The query timeout stops those in a worker; the guards do not try to.

The limits, set well below the lowest crash of each kind:
- `max_nesting` (200): brackets, and operators in a row (a run of k nests k - 1 deep), at most 200 deep
  together: 4.2 times under the lowest crash (`FILTER EXISTS {`, 840);
- `max_chain` (500): the operators, the UNION, MINUS, OPTIONAL, FILTER and BIND keywords and the groups
  that follow one another at one level of brackets, added up along the nesting (the first element of a
  chain is at the bottom of its tree, so `(x)+1+1+…` puts x that deep): 5.2 times under the lowest chain
  crash (MINUS and BIND, 2,624). Both at once use under half the stack the lowest crashes need.
Data blocks (INSERT DATA, DELETE DATA, VALUES) hold no expressions: only their nesting is bounded, so a
long list of data is never refused.

The scanner (policygraph.sparqltext) follows the SPARQL grammar's terminals closely enough that nothing it
reads as a string, an IRI or a comment can hide a keyword or a bracket from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policygraph.errors import QueryRefused
from policygraph.limits import DEFAULT_MAX_CHAIN
from policygraph.sparqltext import Token, keyword, position, tokens

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
# Keywords that make Oxigraph reach outside the process: an HTTP request, or a file read for LOAD.
REFUSED = {
    "SERVICE": "SERVICE (federated query) is refused: this endpoint makes no outbound requests",
    "LOAD": "LOAD is refused: this endpoint neither fetches URLs nor reads files",
}
# Keywords that join what follows to what precedes in the group they stand in (one more node of its tree).
CHAINED = frozenset({"UNION", "MINUS", "OPTIONAL", "FILTER", "BIND"})
# Operators that build no chain: comparisons cannot follow one another ('a = b = c' is no SPARQL), '!'
# applies to one operand (a run of them is nesting), '^^' marks a literal's datatype.
UNCHAINED = frozenset({"=", "!=", "<", ">", "<=", ">=", "!", "^^"})
# Keywords whose next `{ … }` is a block of data: terms only, no expressions.
DATA_BLOCK = frozenset({"DATA", "VALUES"})


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool  # FROM or FROM NAMED in the text: they define the dataset, not the union

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE give triples; SELECT and ASK give solutions or a boolean."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


@dataclass
class _Level:
    """One level of brackets: how long the chain at this level is so far, the longest chains nested in it
    (summed along the nesting), and whether it holds data."""

    chain: int = 0
    nested: int = 0
    data: bool = False


class _Scan:
    """The nesting and chain checks, token by token."""

    def __init__(self, text: str, what: str, max_nesting: int, max_chain: int) -> None:
        self.text, self.what = text, what
        self.max_nesting, self.max_chain = max_nesting, max_chain
        self.levels = [_Level()]
        self.data_next = False  # the next `{` opens a data block
        self.run = 0  # operators in a row, without an operand between them
        self.after_keyword = False  # the token before is a keyword: its group is one element with it

    def refuse(self, message: str, token: Token) -> QueryRefused:
        return QueryRefused(f"the {self.what} {message}", *position(self.text, token.start))

    def chained(self, token: Token) -> None:
        level = self.levels[-1]
        if level.data:
            return
        level.chain += 1
        if level.chain > self.max_chain:
            raise self.refuse(
                f"chains more than {self.max_chain} operators or groups at one level ('{token.text}' here): "
                "Oxigraph would build a tree that deep; write a long list of alternatives with VALUES or IN", token)

    def close(self, token: Token) -> None:
        """Leave a level: the chains in it and the deepest chains nested in it add up to one depth of the
        tree (a chain's first element is at the bottom of it: `(x)+1+1+…` puts x that deep)."""
        depth = self.depth_of(self.levels.pop(), token)
        self.levels[-1].nested = max(self.levels[-1].nested, depth)

    def depth_of(self, level: _Level, token: Token) -> int:
        depth = level.chain + level.nested
        if depth > self.max_chain:
            raise self.refuse(
                f"chains more than {self.max_chain} operators or groups deep, counting the chains nested in the "
                "brackets that end here: Oxigraph would build a tree that deep; split the expression or the group", token)
        return depth

    def finish(self, last: Token | None) -> None:
        """The levels left open at the end of the text, then the text's own level."""
        if last is not None:
            while len(self.levels) > 1:
                self.close(last)
            self.depth_of(self.levels[0], last)

    def see(self, token: Token) -> None:
        if token.kind == "comment":
            return
        keyword_before, self.after_keyword = self.after_keyword, keyword(token) is not None
        if token.kind == "open":
            if token.depth + 1 > self.max_nesting:
                raise self.refuse(f"nests brackets more than {self.max_nesting} deep", token)
            if token.text == "{" and not keyword_before:
                self.chained(token)  # a group after a group (or a pattern) is joined to it
            data = self.levels[-1].data or (self.data_next and token.text == "{")
            self.data_next = self.data_next and token.text != "{"
            self.levels.append(_Level(data=data))
            self.run = 0
        elif token.kind == "close":
            if len(self.levels) > 1:
                self.close(token)
            self.run = 0
        elif token.kind == "op":
            self.run += 1
            # Each operator after the first of a run applies to what follows it ('!!x' is '!(!x)').
            if self.run > 1 and token.depth + self.run - 1 > self.max_nesting:
                raise self.refuse(f"nests operators more than {self.max_nesting} deep (counting brackets and "
                                  f"{self.run} operators in a row, such as '!!!…')", token)
            if token.text not in UNCHAINED:
                self.chained(token)
        else:
            self.run = 0
            word = keyword(token)
            if word in DATA_BLOCK:
                self.data_next = True
            elif word in CHAINED:
                self.chained(token)


def _check(text: str, max_length: int, max_nesting: int, max_chain: int, what: str) -> list[Token]:
    if len(text) > max_length:
        raise QueryRefused(f"the {what} is {len(text):,} characters long; the limit is {max_length:,}")
    if not text.strip():
        raise QueryRefused(f"the {what} is empty")
    scan = _Scan(text, what, max_nesting, max_chain)
    out: list[Token] = []
    for token in tokens(text):
        scan.see(token)
        word = keyword(token)
        if word in REFUSED:
            raise QueryRefused(REFUSED[word], *position(text, token.start))
        if token.kind == "unterminated":
            # Refused here because this scan reads the rest of the line (or text) as the string.
            raise QueryRefused(f"the {what} has a string that is never closed", *position(text, token.start))
        out.append(token)
    scan.finish(out[-1] if out else None)
    return out


def inspect_query(text: str, max_length: int, max_nesting: int, max_chain: int = DEFAULT_MAX_CHAIN) -> QueryInfo:
    """Refuse what must not reach Oxigraph, and tell the query form. Raises QueryRefused (400)."""
    found = _check(text, max_length, max_nesting, max_chain, "query")
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


def inspect_update(text: str, max_length: int, max_nesting: int, max_chain: int = DEFAULT_MAX_CHAIN) -> None:
    """The same limits for SPARQL Update text; SERVICE and LOAD are refused here too, token or not."""
    _check(text, max_length, max_nesting, max_chain, "update")
