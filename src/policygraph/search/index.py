"""An SQLite FTS5 index of the documents of one store version, and the query language a person types.

Why FTS5: it is in Python's standard library (no search service to run and keep in step), ranks with BM25,
and answers in a millisecond at this size. The tokenizer (porter stemming, unicode61 with diacritics
removed) makes "Genève" find "Geneve" and "standards" find "standard".

What a person types is never handed to FTS5 as syntax: each word is quoted, so no operator, bracket or
stray quote can make a syntax error. Text in double quotes is a phrase (an unbalanced quote is ignored),
the last word is a prefix while it is being typed (no space after it). FTS5 splits "e-commerce" into "e"
and "commerce", so "ecommerce" would not find it: the index keeps every hyphenated word of the data by its
joined form ("ecommerce" -> "e commerce"), and a word typed with or without its hyphens looks for both
forms; "ecommerce", "e-commerce" and "E-Commerce" are one query.

Ranking: a document one of whose names is exactly what was typed comes first (an acronym finds its
organisation), then bm25() with the names (labels, acronyms, headings) above descriptions above quotes and
section text. Each facet is counted over every match that has the values chosen in the other facets, so choosing a
value (or choosing it instead of the one chosen) gives as many results as its count said.
"""

from __future__ import annotations

import bisect
import html
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from policygraph.errors import InputError
from policygraph.search.documents import Document

TOKENIZER = "porter unicode61 remove_diacritics 2"
WEIGHTS = (10.0, 4.0, 1.0)  # names, descriptions, quotes and section text
FACETS = ("kind", "organisation", "profile", "issue")
PAGE_SIZE = 20
PREFIX_EXPANSIONS = 20  # joined words a typed prefix may stand for
SNIPPET_TOKENS = 24
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers: never in the data (stripped), escaped around
_WORD = re.compile(r"\w+(?:-\w+)*")
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def fold(text: str) -> str:
    """Lower case without diacritics, as the tokenizer sees a word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded words; several for a phrase
    phrase: bool
    prefix: bool


def parse_query(q: str) -> list[Term]:
    """The terms of what a person typed: quoted text as phrases, other words one by one, the last a prefix
    unless a space or a closing quote ends the text."""
    terms: list[Term] = []
    parts = q.split('"')
    if len(parts) % 2 == 0:  # an unbalanced quote: the last one is ignored
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    for i, part in enumerate(parts):
        words = tuple(fold(w) for w in _WORD.findall(part))
        if not words:
            continue
        if i % 2:
            terms.append(Term(words, phrase=True, prefix=False))
        else:
            terms.extend(Term((w,), phrase=False, prefix=False) for w in words)
    if terms and not terms[-1].phrase and q == q.rstrip() and not q.endswith('"'):
        terms[-1] = Term(terms[-1].words, phrase=False, prefix=True)
    return terms


def _quoted(text: str, prefix: bool = False) -> str:
    return '"' + text.replace('"', "") + '"' + ("*" if prefix else "")


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    label: str
    snippet: str  # HTML: escaped text, the matching words in <mark>
    profiles: tuple[str, ...]
    section: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    q: str
    filters: dict[str, str]
    total: int
    page: int
    pages: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet -> (value key, count), most first


class SearchIndex:
    """The FTS5 index of one store version's documents, in memory, shared by the threads of a server."""

    def __init__(self, docs: list[Document], id_base: str, labels: Mapping[str, str] | None = None,
                 db: sqlite3.Connection | None = None) -> None:
        """The index of `docs`; `db` is their FTS5 table already filled (an index read back from its file)."""
        self.docs = docs
        self.id_base = id_base
        self.keys: list[dict[str, frozenset[str]]] = [self._facet_keys(d) for d in docs]
        self.labels = {**(labels or {}), **{d.iri: d.label for d in docs}}
        self.given_labels = dict(labels or {})
        # Each document's names as word tuples: a query that is exactly one of them ranks that document first.
        self.exact: list[frozenset[tuple[str, ...]]] = [frozenset(_words(name) for name in d.names) for d in docs]
        joined: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        rows = []
        for position, doc in enumerate(docs):
            columns = tuple(_clean(" \n".join(values)) for values in (doc.names, doc.descriptions, doc.texts))
            for column in columns:
                for word in _HYPHENATED.findall(column):
                    folded = fold(word)
                    joined.setdefault(folded.replace("-", ""), set()).add(folded.replace("-", " "))
            rows.append((position, *columns))
        self.joined = {k: sorted(v) for k, v in joined.items()}
        self.joined_keys = sorted(self.joined)
        if db is not None:
            self.db = db
            return
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(names, description, text, tokenize='{TOKENIZER}')")
        self.db.executemany("INSERT INTO docs(rowid, names, description, text) VALUES (?, ?, ?, ?)", rows)
        self.db.commit()  # no write transaction left open (a backup to a file would wait for it forever)

    def _facet_keys(self, doc: Document) -> dict[str, frozenset[str]]:
        return {
            "kind": frozenset({doc.kind}),
            "organisation": frozenset(self.key(i) for i in doc.organisations),
            "profile": frozenset(self.key(i) for i in doc.profiles),
            "issue": frozenset(self.key(i) for i in doc.issues),
        }

    def key(self, iri: str) -> str:
        """'…/id/organisation/wto' -> 'wto': the value a facet is chosen by."""
        return iri.rsplit("/", 1)[-1] if iri.startswith(self.id_base) else iri

    def facet_label(self, facet: str, key: str) -> str:
        """What a person reads for a facet value: the organisation's or issue's name (a profile goes by
        its organisation's)."""
        kind = {"organisation": "organisation", "profile": "organisation", "issue": "issue"}.get(facet)
        if kind is None:
            return key
        return self.labels.get(f"{self.id_base}{kind}/{key}", key)

    def expression(self, terms: list[Term]) -> str:
        """The FTS5 query for the terms: every word quoted, so it is always valid syntax."""
        parts = []
        for term in terms:
            if term.phrase:
                parts.append(_quoted(" ".join(w.replace("-", " ") for w in term.words)))
                continue
            word = term.words[0]
            joined = word.replace("-", "")
            forms = {_quoted(joined, term.prefix)}
            if "-" in word:
                forms.add(_quoted(word.replace("-", " "), term.prefix))
            for split in self.joined.get(joined, ()):
                forms.add(_quoted(split, term.prefix))
            if term.prefix:
                start = bisect.bisect_left(self.joined_keys, joined)
                for key in self.joined_keys[start:start + PREFIX_EXPANSIONS]:
                    if not key.startswith(joined):
                        break
                    forms.update(_quoted(split, True) for split in self.joined[key])
            parts.append(next(iter(forms)) if len(forms) == 1 else "(" + " OR ".join(sorted(forms)) + ")")
        return " AND ".join(parts)

    def search(self, q: str, filters: Mapping[str, str] | None = None, page: int = 1,
               page_size: int = PAGE_SIZE) -> SearchResult:
        """The page `page` of the documents matching `q` and every facet value in `filters`, best first."""
        terms = parse_query(q)
        if not terms:
            raise InputError(f"the parameter 'q' has no words to search for: {q!r}")
        chosen = {name: self.key(value) for name, value in (filters or {}).items() if value}
        match = self.expression(terms)
        with self._lock:
            ranked = self.db.execute(
                "SELECT rowid, bm25(docs, ?, ?, ?) AS score FROM docs WHERE docs MATCH ? ORDER BY score, rowid",
                (*WEIGHTS, match)).fetchall()
        wanted = _words(" ".join(" ".join(t.words) for t in terms))
        ranked.sort(key=lambda item: wanted not in self.exact[item[0]])  # stable: BM25's order otherwise
        # Which chosen values each match lacks: a facet is counted over the matches that have every other
        # facet's value, so a value's count is the total one gets by choosing it (for the facet already
        # chosen: by choosing it instead).
        kept = []
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for rowid, score in ranked:
            keys = self.keys[rowid]
            missing = [name for name, value in chosen.items() if value not in keys[name]]
            if not missing:
                kept.append((rowid, score))
            for name in FACETS:
                if not missing or missing == [name]:
                    counts[name].update(keys[name])
        pages = max(1, -(-len(kept) // page_size))
        shown = kept[(page - 1) * page_size: page * page_size]
        snippets = self._snippets(match, [rowid for rowid, _ in shown])
        hits = []
        for rowid, score in shown:
            doc = self.docs[rowid]
            hits.append(Hit(doc.iri, doc.kind, doc.label, snippets.get(rowid, ""), tuple(sorted(doc.profiles)),
                            doc.section, -score))
        facets = {name: sorted(c.items(), key=lambda item: (-item[1], item[0])) for name, c in counts.items()}
        return SearchResult(q, chosen, len(kept), page, pages, hits, facets)

    def copy_to(self, target: sqlite3.Connection) -> None:
        """Copy the FTS5 table into another database (a file, search/files.py)."""
        with self._lock:
            self.db.backup(target)

    def _snippets(self, match: str, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        with self._lock:
            rows = self.db.execute(
                f"SELECT rowid, snippet(docs, -1, ?, ?, '…', ?) FROM docs WHERE docs MATCH ? AND rowid IN ({marks})",
                (_OPEN, _CLOSE, SNIPPET_TOKENS, match, *rowids)).fetchall()
        return {rowid: html.escape(text).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>") for rowid, text in rows}


def _words(text: str) -> tuple[str, ...]:
    """'E-Commerce Week' -> ('ecommerce', 'week'): a name as the exact-name comparison sees it."""
    return tuple(w.replace("-", "") for w in _WORD.findall(fold(text)))


def _clean(text: str) -> str:
    return text.replace(_OPEN, " ").replace(_CLOSE, " ")
