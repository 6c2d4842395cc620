"""Did-you-mean suggestions for an unknown resource key, at a bounded cost per request.

The 404 page used to compare the whole unknown key with the key and name of every resource: the work grew
with the key's length times the dataset's size (an 8,000-letter key under /id/place/ took 16 s). Now:

- the key is cut to its first SUGGEST_KEY characters (a person's near miss is in its start);
- an index, built once per store version, maps every trigram of each resource's key and names to the
  resources that have it, kind by kind;
- a look-up reads the postings of the key's trigrams, rarest first (they tell resources apart), at most
  SUGGEST_POSTINGS entries in all, and keeps the SUGGEST_CANDIDATES resources that share the most;
- only those are compared in full (difflib's ratio, on texts cut to twice SUGGEST_KEY characters).

So one look-up does a bounded amount of work whatever the key's length and the dataset's size; the index
costs one pass over the resources' names per store version.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from policygraph.limits import SUGGEST_CANDIDATES, SUGGEST_KEY, SUGGEST_POSTINGS
from policygraph.linked.pages.index import resources_by_kind
from policygraph.linked.reader import Reader, n
from policygraph.prefixes import DCTERMS, PG, RDFS, SKOS

# Every literal that names a resource: its preferred and other names, acronyms, headings, titles.
NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", PG + "acronym", PG + "heading", DCTERMS + "title")
TEXT_LENGTH = 2 * SUGGEST_KEY  # characters of a resource's key or name that are indexed and compared
TEXTS_PER_RESOURCE = 8  # its key and up to seven names
THRESHOLD = 0.55  # the least similarity that makes a suggestion
_SEPARATORS = re.compile(r"[\s\-_/.]+")


def normalise(text: str) -> str:
    """'World-Meteorological_Organization' -> 'world meteorological organization'."""
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def trigrams(text: str) -> set[str]:
    """The trigrams of a normalised text, each word padded with spaces so that short words have some."""
    padded = f" {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass
class KindIndex:
    iris: list[str] = field(default_factory=list)
    texts: list[tuple[str, ...]] = field(default_factory=list)  # normalised key and names, each cut short
    postings: dict[str, list[int]] = field(default_factory=dict)  # trigram -> positions in `iris`

    def add(self, iri: str, texts: tuple[str, ...]) -> None:
        position = len(self.iris)
        self.iris.append(iri)
        self.texts.append(texts)
        for gram in set().union(*(trigrams(t) for t in texts)):
            self.postings.setdefault(gram, []).append(position)


@dataclass(frozen=True)
class Lookup:
    """What one look-up did: the key it compared, how many index entries it read and how many resources it
    compared in full (all bounded by limits.py), and the suggestions, best first."""

    key: str
    postings_read: int
    compared: int
    suggestions: list[str]


class SuggestionIndex:
    """The trigram index of every resource's key and names, by kind, for one state of the store."""

    def __init__(self, reader: Reader) -> None:
        names: dict[str, list[str]] = {}
        for prop in NAME_PROPERTIES:
            for quad in reader.store.quads_for_pattern(None, n(prop), None, None):
                subject, name = quad.subject, quad.object
                if isinstance(subject, ox.NamedNode) and isinstance(name, ox.Literal) and subject.value.startswith(reader.map.id_base):
                    found = names.setdefault(subject.value, [])
                    text = normalise(name.value)[:TEXT_LENGTH]
                    if text and text not in found:
                        found.append(text)
        self.kinds: dict[str, KindIndex] = {}
        for kind, iris in resources_by_kind(reader).items():
            index = self.kinds[kind] = KindIndex()
            start = len(reader.map.id_base) + len(kind) + 1
            for iri in iris:
                key = normalise(iri[start:])[:TEXT_LENGTH]
                texts = (key, *(t for t in sorted(names.get(iri, [])) if t != key))
                index.add(iri, texts[:TEXTS_PER_RESOURCE])

    def lookup(self, kind: str | None, key: str, limit: int = 8) -> Lookup:
        """Resources of `kind` (every kind when None or unknown) whose key or a name resembles `key`."""
        wanted = normalise(key[: 4 * SUGGEST_KEY])[:SUGGEST_KEY]  # normalising may shorten it
        kinds = [kind] if kind in self.kinds else sorted(self.kinds)
        if not wanted:
            return Lookup(wanted, 0, 0, [])
        grams = trigrams(wanted)
        lists = sorted(((len(found), k, found) for k in kinds for g in grams
                        if (found := self.kinds[k].postings.get(g))), key=lambda item: (item[0], item[1]))
        shared: Counter[tuple[str, int]] = Counter()
        read = 0
        for size, k, found in lists:
            if read + size > SUGGEST_POSTINGS:
                break  # the rest are commoner trigrams still: they would tell little apart
            shared.update((k, position) for position in found)
            read += size
        candidates = heapq.nlargest(SUGGEST_CANDIDATES, shared.items(), key=lambda item: item[1])
        scored: list[tuple[float, str]] = []
        for (k, position), _count in candidates:
            index = self.kinds[k]
            score = max(_similarity(wanted, text) for text in index.texts[position])
            if score >= THRESHOLD:
                scored.append((score, index.iris[position]))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return Lookup(wanted, read, len(candidates), [iri for _, iri in scored[:limit]])

    def sizes(self) -> dict[str, int]:
        """How many resources each kind has (for the 404 page's list of kinds, without a pass over the store)."""
        return {kind: len(index.iris) for kind, index in self.kinds.items()}


def _similarity(wanted: str, text: str) -> float:
    """difflib's ratio, and at least 0.9 when the text contains the key (a key typed in part)."""
    if wanted in text:
        return max(0.9, difflib.SequenceMatcher(None, wanted, text).ratio())
    return difflib.SequenceMatcher(None, wanted, text).ratio()
