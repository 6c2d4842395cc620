"""SPARQL text as tokens: what the guards check before a query reaches the engine, and what the remote
store and the write path read from a query (its FROM clauses, its data operations).

The scanner follows the SPARQL grammar's terminals closely enough that nothing it reads as a string, an
IRI or a comment can hide a keyword from it: strings and comments are matched as the grammar defines
them, and an IRIREF cannot contain '{' or white space, which a SERVICE clause needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

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
  # Operators, the two-character ones whole: what builds expression and path trees (sparql/guards.py counts them).
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[|&+\-*/^!=<>])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

@dataclass(frozen=True)
class Token:
    kind: str  # comment string unterminated iri var lang name open close op other
    text: str
    start: int
    depth: int  # nesting depth before the token


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (columns count characters, as Oxigraph's do)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (the inverse of `position`), clamped to the text."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found == -1:
            return len(text)
        start = found + 1
    return min(start + max(column, 1) - 1, len(text))


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


# RFC 3986, appendix B: scheme, authority, path, query, fragment (an absent part is None, an empty one "").
_REFERENCE = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)


def resolve_iri(reference: str, base: str | None) -> str:
    """An IRI reference resolved against a base as RFC 3986 §5.2 says (and as Oxigraph's parser does), for
    the places that read IRIs out of query text themselves: a remote store's FROM clauses are sent as
    protocol parameters, which must be absolute. Without a base the reference is returned as it is."""
    scheme, authority, path, query, fragment = _REFERENCE.match(reference).groups()  # type: ignore[union-attr]
    if scheme is not None or base is None:
        return _compose(scheme, authority, _remove_dots(path), query, fragment) if scheme is not None else reference
    b_scheme, b_authority, b_path, b_query, _ = _REFERENCE.match(base).groups()  # type: ignore[union-attr]
    if authority is not None:
        return _compose(b_scheme, authority, _remove_dots(path), query, fragment)
    if path == "":
        return _compose(b_scheme, b_authority, b_path, query if query is not None else b_query, fragment)
    if path.startswith("/"):
        return _compose(b_scheme, b_authority, _remove_dots(path), query, fragment)
    if b_authority is not None and b_path == "":
        merged = "/" + path
    else:
        merged = b_path[: b_path.rfind("/") + 1] + path
    return _compose(b_scheme, b_authority, _remove_dots(merged), query, fragment)


def _remove_dots(path: str) -> str:
    """RFC 3986 §5.2.4: '.' and '..' segments removed from a path."""
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            segment, path = (path, "") if cut == -1 else (path[:cut], path[cut:])
            out.append(segment)
    return "".join(out)


def _compose(scheme: str | None, authority: str | None, path: str, query: str | None, fragment: str | None) -> str:
    text = f"{scheme}:" if scheme is not None else ""
    text += f"//{authority}" if authority is not None else ""
    text += path
    text += f"?{query}" if query is not None else ""
    return text + (f"#{fragment}" if fragment is not None else "")
