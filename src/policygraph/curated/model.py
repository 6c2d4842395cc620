"""The checked plain data of the curated files: what each file declares, statement by statement.

Nothing is merged across files here. An organisation or initiative that several files declare keeps one
declaration per file, so that every file's statements (names, description, issues, involvements…) can be
written to that file's own named graph; `Curated` only says which name is the canonical one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quote:
    text: str  # the exact substring of the section's text (or heading)
    profile: str  # profile key
    section: str  # section path


@dataclass
class Claim:
    """What every statement has: the quotes given on it (`own`) and, once the build has checked them, the
    quotes that support it (`quotes`: its own, plus those of its entry that pass the support rules)."""

    own: list[Quote] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Involvement(Claim):
    org: str = ""
    role: str = ""


@dataclass
class Tag(Claim):
    issue: str = ""
    given: bool = True  # written in the file (False: the issue heading of a section an entry quote lies in)


@dataclass
class Link(Claim):
    target: str = ""  # an initiative key (part_of, about)


@dataclass
class Entry:
    """What every declaration has: its file, the profile the file is about, and where it is in the file."""

    key: str
    file: str
    profile: str
    label: str  # the entry's place in its file: "initiatives[3] 'ai-act'"
    quotes: list[Quote] = field(default_factory=list)  # the entry's own `evidence`

    def claims(self) -> list[Claim]:
        """The entry's statements that carry quotes of their own."""
        return []

    @property
    def evidence(self) -> list[Quote]:
        """Every quote of the entry, those given on its statements included."""
        out = list(self.quotes)
        for claim in self.claims():
            out += [q for q in claim.own if q not in out]
        return out


@dataclass
class Organisation(Entry):
    name: str = ""
    type: str = ""
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass
class Profiled(Entry):
    """What a file says of its own profiled organisation: its type, and other names the text uses."""

    type: str | None = None
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass
class Initiative(Entry):
    name: str = ""
    kind: str = ""
    publication: bool = False
    unnamed: bool = False  # an activity the text describes without a proper name, labelled in its words
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    issues: list[Tag] = field(default_factory=list)
    no_issue: str | None = None
    part_of: Link | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    identifier: str | None = None
    description: str | None = None

    def claims(self) -> list[Claim]:
        return [*self.involvements, *self.issues, *([self.part_of] if self.part_of else [])]


@dataclass
class Partnership(Entry):
    kind: str = ""
    partners: list[Involvement] = field(default_factory=list)
    about: Link | None = None
    issues: list[Tag] = field(default_factory=list)
    date: str | None = None
    start: str | None = None
    end: str | None = None
    description: str | None = None

    def claims(self) -> list[Claim]:
        return [*self.partners, *self.issues, *([self.about] if self.about else [])]


@dataclass
class Curated:
    organisations: dict[str, list[Organisation]] = field(default_factory=dict)  # key -> one declaration per file
    profiled: dict[str, list[Profiled]] = field(default_factory=dict)  # profiled key -> its own file's declaration
    initiatives: dict[str, list[Initiative]] = field(default_factory=dict)
    partnerships: dict[str, Partnership] = field(default_factory=dict)  # one file each

    def declarations(self, key: str) -> list[Organisation | Initiative]:
        return [*self.organisations.get(key, []), *self.initiatives.get(key, [])]

    def canonical_name(self, key: str) -> str:
        """The preferred name of an organisation or initiative that files may call differently: the name
        most declarations use; on a tie the fullest (longest) one, then the first file's (files are read in
        name order)."""
        names = [d.name for d in self.declarations(key)]
        counts = Counter(names)
        return max(counts, key=lambda name: (counts[name], len(name), -names.index(name)))

    def labels(self, key: str) -> list[str]:
        """Every name, variant and acronym any file gives an organisation or initiative."""
        out: list[str] = []
        for d in self.declarations(key):
            out += [d.name, *d.names, *d.acronyms]
        for p in self.profiled.get(key, []):
            out += [*p.names, *p.acronyms]
        return list(dict.fromkeys(x for x in out if x))
