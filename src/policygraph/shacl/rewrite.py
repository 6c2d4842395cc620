"""Rewrite `FILTER NOT EXISTS { basic graph pattern }` as `MINUS { ... }` where both mean the same.

Oxigraph evaluates NOT EXISTS once per solution, with a join order chosen as if the outer variables
were unbound: a pattern of two triples costs the size of the whole join for every focus node, which
makes a rule over all initiatives quadratic. MINUS evaluates the pattern once and anti-joins on the
shared variables. The two agree when the pattern is a plain basic graph pattern (triples and property
paths, no FILTER, OPTIONAL, BIND, ...) that shares a variable bound in every outer solution: here
?this, which the target pattern binds first (restricting ?this inside MINUS to the values it can take
outside changes nothing either). The MINUS goes at the end of the WHERE group (a FILTER
applies to the whole group, whatever its place); anything not matching exactly stays as written.
"""

from __future__ import annotations

import re

_KEYWORDS = re.compile(r"\b(FILTER|OPTIONAL|BIND|VALUES|MINUS|SERVICE|GRAPH|UNION|SELECT|EXISTS)\b", re.I)
_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*$", re.I)


def _scan(text: str) -> list[tuple[int, str]]:
    """Positions of the braces of `text` outside strings, IRIs and comments."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if ch == "<":
            end = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if end:
                i += end.end()
                continue
        if ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if ch in "{}":
            out.append((i, ch))
        i += 1
    return out


def _matching(braces: list[tuple[int, str]], k: int) -> int:
    """Index in `braces` of the brace closing braces[k]."""
    depth = 0
    for j in range(k, len(braces)):
        depth += 1 if braces[j][1] == "{" else -1
        if depth == 0:
            return j
    raise ValueError("unbalanced braces")


def not_exists_as_minus(query: str, where_at: int, inner: str = "") -> str:
    """Rewrite the eligible FILTER NOT EXISTS of the group whose '{' is at `where_at`.

    `inner` goes first into each MINUS group: a VALUES block restricting ?this to the focus nodes
    the query is restricted to, so that MINUS evaluates its pattern for those nodes only.
    """
    try:
        braces = _scan(query)
        top = next(k for k, (pos, _) in enumerate(braces) if pos == where_at)
        end = _matching(braces, top)
    except (StopIteration, ValueError):
        return query
    cuts: list[tuple[int, int, str]] = []
    k = top + 1
    while k < end:
        close = _matching(braces, k)
        start, stop = braces[k][0], braces[close][0]
        head = _NOT_EXISTS.search(query, 0, start)
        body = query[start + 1:stop]
        if head and close == k + 1 and not _KEYWORDS.search(body) and re.search(r"\?this\b", body):
            cuts.append((head.start(), stop + 1, body))
        k = close + 1
    if not cuts:
        return query
    out, last = [], 0
    for begin, stop, _body in cuts:
        out.append(query[last:begin])
        last = stop
    close_at = braces[end][0]
    out.append(query[last:close_at])
    out.extend(f" MINUS {{ {inner}{body}}}" for _, _, body in cuts)
    out.append(query[close_at:])
    return "".join(out)
