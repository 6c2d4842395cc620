"""Did-you-mean suggestions (linked/suggest.py): near misses are found, and one look-up's work is bounded
by constants whatever the key's length and the dataset's size (counted, not timed)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph.build import Built
from policygraph.limits import SUGGEST_CANDIDATES, SUGGEST_KEY, SUGGEST_POSTINGS
from policygraph.linked.iris import IriMap
from policygraph.linked.reader import Reader
from policygraph.linked.suggest import SuggestionIndex, normalise, trigrams
from policygraph.prefixes import PG, SKOS

BASE = "https://w3id.org/policygraph/"
ID = BASE + "id/"


@pytest.fixture(scope="module")
def index(built: Built) -> SuggestionIndex:
    return SuggestionIndex(Reader(built.store, IriMap.of(BASE)))


@pytest.mark.parametrize(("kind", "key", "expected"), [
    ("organisation", "wmox", "organisation/wmo"),
    ("organisation", "world-meteorological", "organisation/wmo"),  # by its name
    ("initiative", "ai-akt", "initiative/ai-act"),
    ("issue", "artifical-intelligence", "issue/artificial-intelligence"),
    (None, "unesco", "organisation/unesco"),  # an unknown kind: every kind is searched
    ("statement", "wto/initiative/ai-act/involvement/eu/leed", "statement/wto/initiative/ai-act/involvement/eu/lead"),
])
def test_near_misses_are_suggested_first(index: SuggestionIndex, kind: str | None, key: str, expected: str) -> None:
    assert index.lookup(kind, key).suggestions[0] == ID + expected


def test_the_work_does_not_grow_with_the_key(index: SuggestionIndex) -> None:
    start = "world-meteorological-organization-geneva-switzerland-weather-climate"
    assert len(normalise(start)) >= SUGGEST_KEY
    lookups = [index.lookup(kind, start + "x" * extra) for kind in ("organisation", None) for extra in (0, 1_000, 100_000)]
    for kind_lookups in (lookups[:3], lookups[3:]):
        assert len({(lookup.key, lookup.postings_read, lookup.compared, tuple(lookup.suggestions)) for lookup in kind_lookups}) == 1
    assert all(len(lookup.key) <= SUGGEST_KEY for lookup in lookups)
    assert ID + "organisation/wmo" in lookups[0].suggestions


def test_the_work_is_bounded_on_the_commonest_keys(index: SuggestionIndex) -> None:
    for key in ("statement derived organisation partner of organisation", "e", "a" * 10_000, "the of and"):
        lookup = index.lookup(None, key)
        assert lookup.postings_read <= SUGGEST_POSTINGS and lookup.compared <= SUGGEST_CANDIDATES
        assert len(lookup.suggestions) <= 8


def test_the_work_does_not_grow_with_the_dataset() -> None:
    """A dataset of 60,000 organisations that all share the key's trigrams: the look-up still reads at most
    SUGGEST_POSTINGS index entries and compares SUGGEST_CANDIDATES resources in full."""
    store = ox.Store()
    organisation = ox.NamedNode(PG + "Organisation")
    store.extend([q for i in range(60_000) for q in (
        ox.Quad(ox.NamedNode(f"{ID}organisation/org-{i}"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), organisation),
        ox.Quad(ox.NamedNode(f"{ID}organisation/org-{i}"), ox.NamedNode(SKOS + "prefLabel"), ox.Literal(f"Organisation {i}")),
    )])
    big = SuggestionIndex(Reader(store, IriMap.of(BASE)))
    lookup = big.lookup("organisation", "organisation 123")
    assert len(big.kinds["organisation"].iris) == 60_000
    assert lookup.postings_read <= SUGGEST_POSTINGS and lookup.compared == SUGGEST_CANDIDATES
    assert lookup.suggestions[0] == ID + "organisation/org-123"


def test_keys_and_names_are_compared_as_words() -> None:
    assert normalise("World-Meteorological_Organization/ Geneva.") == "world meteorological organization geneva"
    assert trigrams("ai") == {" ai", "ai "}
