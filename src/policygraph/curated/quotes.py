"""Finding quotes in the profiles: in a section's text, else its heading, with spaces normalised; the
exact source substring is kept, so that evidence is verbatim."""

from __future__ import annotations

from policygraph.curated.model import Quote
from policygraph.ingest.parser import Profile, Section


def _norm_index(text: str) -> tuple[str, list[int]]:
    """Text with every run of white space (any kind) as one space, and each character's source index."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\u00a0\u2009\u202f\ufeff":
            if not space:
                out.append(" ")
                index.append(i)
            space = True
        else:
            out.append(ch)
            index.append(i)
            space = False
    return "".join(out), index


class QuoteFinder:
    """Finds quotes in the sections of profiles (their text, else their heading) and returns the verbatim
    source substring."""

    def __init__(self, profiles: list[Profile]) -> None:
        self.profiles = {p.key: p for p in profiles}
        self._norm: dict[tuple[str, str], list[tuple[str, list[int], str]]] = {}
        for p in profiles:
            for s in p.sections:
                self._norm[(p.key, s.path)] = [(*_norm_index(s.text), s.text), (*_norm_index(s.heading), s.heading)]

    def find(self, profile: str, quote: str, section: str | None) -> Quote | None:
        target, _ = _norm_index(quote.strip())
        target = target.strip()
        if not target:
            return None
        paths = [s.path for s in self.profiles[profile].sections]
        if section is not None:
            paths = [p for p in paths if p == section]
        for which in (0, 1):  # section text first; a heading only when no text has the quote
            for path in paths:
                norm, index, original = self._norm[(profile, path)][which]
                at = norm.find(target)
                if at >= 0:
                    start, end = index[at], index[at + len(target) - 1] + 1
                    return Quote(original[start:end], profile, path)
        return None


def section_issues(profile: Profile, path: str) -> list[str]:
    """The issues of a section: its own heading's, else those of the issue heading above it."""
    section: Section | None = profile.section(path)
    while section is not None:
        if section.issues:
            return list(section.issues)
        section = profile.section(section.parent) if section.parent else None
    return []
