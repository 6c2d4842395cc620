"""Does a quote support a statement? The rules of data/curated/README.md ("Evidence for every statement").

Pure functions over plain values, so that the build (choosing, for each statement of an entry, the
quotes that support it) and the audit of a built store (policygraph.audit) apply the very same rules:

- an organisation's involvement (with a role) in an initiative or a partnership: the quote names the
  organisation, or comes from that organisation's own profile (a profile speaks of itself as "the
  Foundation"); and it names the initiative or partnership, or lies in a section whose heading (or the
  heading of a section above it) names it. A partnership is named by naming another of its partners
  (or coming from that partner's own profile) or the initiative it is about;
- an issue tag: the quote lies in a section under that issue's heading (or the heading of an issue
  under it), or names the issue (or an issue under it);
- a part-of link: the quote names (or lies under a heading naming) both the part and the whole;
- an `about` link of a partnership: it names the initiative (or lies under a heading naming it) and
  one of the partners (or comes from a partner's own profile).

"Names" means: one of the thing's names, acronyms or other labels occurs as whole words, ignoring case,
accents and the kind of apostrophe, dash or space ("WMO's" names WMO; "UNECE" does not name the UN).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_DASHES = re.compile(r"[\-‐‑‒–—―]+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)  # the same quotes and labels are folded again and again
def fold(text: str) -> str:
    """Case, accents, apostrophes, dashes and spaces folded: 'Université de Genève’s  E–Commerce' ->
    "universite de geneve's e commerce"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DASHES.sub(" ", text.translate(_APOSTROPHES).casefold())
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def _pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    folded = sorted({fold(label) for label in labels if fold(label)}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in folded) + r")(?!\w)")


@dataclass(frozen=True)
class Names:
    """What a thing is called: the labels a quote may name it by."""

    label: str  # how error messages call it
    labels: tuple[str, ...] = ()
    profiles: frozenset[str] = frozenset()  # profiles whose quotes count as naming it (its own profile)

    def named_in(self, text: str) -> bool:
        pattern = _pattern(self.labels)
        return bool(pattern and pattern.search(fold(text)))

    def named_by(self, text: str, profile: str) -> bool:
        return profile in self.profiles or self.named_in(text)

    def __or__(self, other: Names) -> Names:
        return Names(f"{self.label} or {other.label}", self.labels + other.labels, self.profiles | other.profiles)


@dataclass(frozen=True)
class Place:
    """Where a quote lies: its profile, and the headings and issues of its section and those above it."""

    profile: str
    headings: tuple[str, ...] = ()
    issues: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Issue:
    key: str
    names: Names  # its labels and those of the issues under it
    narrower: frozenset[str] = field(default_factory=frozenset)  # itself and every issue under it


def _in_heading(names: Names, place: Place) -> bool:
    return any(names.named_in(heading) for heading in place.headings)


def involvement_problem(quote: str, place: Place, org: Names, thing: Names) -> str | None:
    """Why the quote does not support "org is involved in thing" (None: it does). `thing`'s profiles are
    those whose quotes name it by their origin (a partnership's other partners)."""
    if not org.named_by(quote, place.profile):
        return f"it does not name {org.label} (nor comes from its own profile)"
    if not (thing.named_by(quote, place.profile) or _in_heading(thing, place)):
        return f"it does not name {thing.label} (nor lies under a heading that does)"
    return None


def issue_problem(quote: str, place: Place, issue: Issue) -> str | None:
    """Why the quote does not support "this is about issue" (None: it does)."""
    if place.issues & issue.narrower or issue.names.named_in(quote):
        return None
    return f"it lies under no heading of {issue.names.label} and does not name it"


def link_problem(quote: str, place: Place, ends: Iterable[Names]) -> str | None:
    """Why the quote does not support a link between things (None: it names, or lies under a heading
    naming, every one of them)."""
    for names in ends:
        if not (names.named_by(quote, place.profile) or _in_heading(names, place)):
            return f"it does not name {names.label} (nor lies under a heading that does)"
    return None
