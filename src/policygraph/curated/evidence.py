"""Give every statement of every curated entry the quotes that support it (curated/support.py's rules).

A quote given on a statement must support it. A quote given on the entry supports each of the entry's
statements that it passes the rules for, so that one quote written once may back several statements.
A statement left without a supporting quote is an error naming the file, the entry and the statement;
all such statements are reported together.
"""

from __future__ import annotations

from collections.abc import Callable

from policygraph.curated.loader import Vocab
from policygraph.curated.model import Claim, Curated, Entry, Initiative, Involvement, Partnership, Quote
from policygraph.curated.quotes import QuoteFinder
from policygraph.curated.support import Issue, Names, Place, involvement_problem, issue_problem, link_problem
from policygraph.errors import UnsupportedStatements
from policygraph.ingest.parser import Profile

Problem = Callable[[Quote, Place], str | None]


class Index:
    """The names of everything the curated files and profiles mention, and where each quote lies."""

    def __init__(self, data: Curated, profiles: dict[str, Profile], vocab: Vocab) -> None:
        self.data, self.profiles, self.vocab = data, profiles, vocab
        self._places: dict[tuple[str, str], Place] = {}

    def org(self, key: str) -> Names:
        profile = self.profiles.get(key)
        labels = self.data.labels(key)
        if profile is not None:
            labels = [profile.name, *([profile.acronym] if profile.acronym else []), *labels]
            return Names(profile.acronym or profile.name, tuple(labels), frozenset({key}))
        return Names(f"'{key}'", tuple(labels))

    def initiative(self, key: str) -> Names:
        return Names(f"'{self.data.canonical_name(key)}'", tuple(self.data.labels(key)))

    def issue(self, key: str) -> Issue:
        narrower = frozenset(self.vocab.issue_narrower.get(key, {key}))
        labels = tuple(label for i in sorted(narrower) for label in self.vocab.issue_labels.get(i, []))
        return Issue(key, Names(f"issue '{key}'", labels), narrower)

    def place(self, quote: Quote) -> Place:
        where = (quote.profile, quote.section)
        if where not in self._places:
            profile = self.profiles[quote.profile]
            headings: list[str] = []
            issues: set[str] = set()
            section = profile.section(quote.section)
            while True:
                headings.append(section.heading)
                issues.update(section.issues)
                if not section.parent:
                    break
                section = profile.section(section.parent)
            self._places[where] = Place(quote.profile, tuple(headings), frozenset(issues))
        return self._places[where]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Assigner:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.problems: list[tuple[str, str, str]] = []

    def choose(self, entry: Entry, statement: str, claim: Claim, problem: Problem) -> None:
        """The claim's quotes: its own (each must pass), then the entry's that pass."""
        chosen: list[Quote] = []
        reasons: list[str] = []
        for quote in claim.own:
            why = problem(quote, self.index.place(quote))
            if why:
                self.problems.append((entry.file, entry.label, f"{statement}: the quote given for it does not support "
                                                               f"it ({why}): {_short(quote.text)!r}"))
            chosen.append(quote)
        for quote in entry.quotes:
            if quote in chosen:
                continue
            why = problem(quote, self.index.place(quote))
            if why is None:
                chosen.append(quote)
            else:
                reasons.append(f"{_short(quote.text, 60)!r}: {why}")
        if not chosen:
            detail = "; ".join(reasons) if reasons else "the entry has no quotes"
            self.problems.append((entry.file, entry.label, f"{statement}: no quote supports it ({detail})"))
        claim.quotes = chosen

    def involvement(self, entry: Entry, inv: Involvement, thing: Names) -> None:
        org = self.index.org(inv.org)
        self.choose(entry, f"involvement of '{inv.org}' as {inv.role}", inv,
                    lambda q, place: involvement_problem(q.text, place, org, thing))

    def tags(self, entry: Initiative | Partnership) -> None:
        for tag in entry.issues:
            issue = self.index.issue(tag.issue)
            self.choose(entry, f"issue '{tag.issue}'", tag, lambda q, place, issue=issue: issue_problem(q.text, place, issue))

    def initiative(self, ini: Initiative) -> None:
        thing = self.index.initiative(ini.key)
        for inv in ini.involvements:
            self.involvement(ini, inv, thing)
        self.tags(ini)
        if ini.part_of:
            whole = self.index.initiative(ini.part_of.target)
            self.choose(ini, f"part_of '{ini.part_of.target}'", ini.part_of,
                        lambda q, place: link_problem(q.text, place, [thing, whole]))

    def partnership(self, p: Partnership) -> None:
        about = self.index.initiative(p.about.target) if p.about else None
        for inv in p.partners:
            others = [self.index.org(o.org) for o in p.partners if o.org != inv.org]
            if about is not None:
                others.append(about)
            thing = others[0]
            for more in others[1:]:
                thing = thing | more
            self.involvement(p, inv, Names(f"the partnership (a partner or its subject: {thing.label})",
                                           thing.labels, thing.profiles))
        self.tags(p)
        if p.about and about is not None:
            partners = [self.index.org(o.org) for o in p.partners]
            anyone = partners[0]
            for more in partners[1:]:
                anyone = anyone | more
            self.choose(p, f"about '{p.about.target}'", p.about, lambda q, place: link_problem(q.text, place, [about, anyone]))


def assign_evidence(data: Curated, finder: QuoteFinder, vocab: Vocab) -> None:
    """Fill `quotes` of every statement; raise UnsupportedStatements listing every statement left bare."""
    assigner = _Assigner(Index(data, finder.profiles, vocab))
    for declared in data.initiatives.values():
        for ini in declared:
            assigner.initiative(ini)
    for p in data.partnerships.values():
        assigner.partnership(p)
    if assigner.problems:
        raise UnsupportedStatements(assigner.problems)
