"""Load the curated YAML files into checked plain data. Every problem names the file, the entry and why.

Checks here are the ones a person needs at edit time (unknown keys, missing quotes, dangling
references); SHACL re-checks the compiled RDF. Quotes are located in the profile's sections with
spaces normalised, and the exact source substring is kept, so that evidence is verbatim.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policygraph.errors import CurationError
from policygraph.ingest.parser import Profile, Section

# libyaml's C loader when the platform has it (several times faster), else the pure-Python one; both safe.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
PUBLICATION_KINDS = {
    "publication", "report", "white-paper", "policy-brief", "research-paper", "guide", "toolkit",
    "book", "article", "publication-series",
}

FILE_FIELDS = {"organisation", "organisation_type", "organisations", "initiatives", "publications", "partnerships"}
ORG_FIELDS = {"key", "name", "acronyms", "names", "type", "evidence"}
INITIATIVE_FIELDS = {
    "key", "name", "acronyms", "names", "kind", "role", "participants", "issues", "no_issue", "part_of", "date",
    "start", "end", "description", "evidence", "identifier",
}
PARTNERSHIP_FIELDS = {"key", "kind", "partners", "about", "date", "start", "end", "evidence", "description"}


@dataclass(frozen=True)
class Quote:
    text: str  # the exact substring of the section's text
    profile: str  # profile key
    section: str  # section path


@dataclass
class Vocab:
    """The keys that curated data may use."""

    issues: set[str]
    kinds: dict[str, set[str]]  # scheme -> keys


@dataclass
class Org:
    key: str
    name: str
    type: str
    file: str
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)


@dataclass
class Involvement:
    org: str
    role: str


@dataclass
class Initiative:
    key: str
    name: str
    kind: str
    file: str
    publication: bool
    acronyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    no_issue: str | None = None
    part_of: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    identifier: str | None = None
    description: str | None = None
    evidence: list[Quote] = field(default_factory=list)


@dataclass
class Partnership:
    key: str
    kind: str
    file: str
    partners: list[Involvement]
    about: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    description: str | None = None
    evidence: list[Quote] = field(default_factory=list)


@dataclass
class Curated:
    organisations: dict[str, Org] = field(default_factory=dict)
    profiled_types: dict[str, tuple[str, list[Quote]]] = field(default_factory=dict)
    initiatives: dict[str, Initiative] = field(default_factory=dict)
    partnerships: dict[str, Partnership] = field(default_factory=dict)


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
    """Finds quotes in the sections of profiles and returns the verbatim source substring."""

    def __init__(self, profiles: list[Profile]) -> None:
        self.profiles = {p.key: p for p in profiles}
        self._norm: dict[tuple[str, str], tuple[str, list[int], str]] = {}
        for p in profiles:
            for s in p.sections:
                norm, index = _norm_index(s.text)
                self._norm[(p.key, s.path)] = (norm, index, s.text)

    def find(self, profile: str, quote: str, section: str | None) -> Quote | None:
        target, _ = _norm_index(quote.strip())
        target = target.strip()
        if not target:
            return None
        paths = [s.path for s in self.profiles[profile].sections]
        if section is not None:
            paths = [p for p in paths if p == section]
        for path in paths:
            norm, index, original = self._norm[(profile, path)]
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


class _FileLoader:
    def __init__(self, path: Path, display: str, finder: QuoteFinder, vocab: Vocab) -> None:
        self.path, self.file, self.finder, self.vocab = path, display, finder, vocab
        self.profile = ""

    def fail(self, entry: str, reason: str) -> CurationError:
        return CurationError(self.file, entry, reason)

    def load(self) -> dict[str, Any]:
        try:
            data = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
            raise self.fail(where, f"malformed YAML: {getattr(exc, 'problem', None) or exc}") from None
        except UnicodeDecodeError as exc:
            raise self.fail("document", f"not UTF-8 text: {exc.reason}") from None
        if not isinstance(data, dict):
            raise self.fail("document", "expected a mapping with 'organisation' and lists of entries")
        unknown = set(data) - FILE_FIELDS
        if unknown:
            raise self.fail("document", f"unknown field(s) {', '.join(sorted(unknown))}")
        profile = data.get("organisation")
        if profile not in self.finder.profiles:
            known = ", ".join(sorted(self.finder.profiles))
            raise self.fail("organisation", f"unknown profiled organisation {profile!r} (known: {known})")
        self.profile = profile
        return data

    def entries(self, data: dict[str, Any], name: str, fields: set[str]) -> list[tuple[str, dict[str, Any]]]:
        items = data.get(name) or []
        if not isinstance(items, list):
            raise self.fail(name, "expected a list")
        out = []
        for i, item in enumerate(items):
            label = f"{name}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(label, "expected a mapping")
            key = item.get("key")
            label = f"{name}[{i}] '{key}'"
            if not isinstance(key, str) or not KEY.match(key):
                raise self.fail(label, "key must be a lowercase slug (a-z, 0-9, hyphens)")
            unknown = set(item) - fields
            if unknown:
                raise self.fail(label, f"unknown field(s) {', '.join(sorted(unknown))}")
            out.append((label, item))
        return out

    def text(self, label: str, item: dict[str, Any], name: str, required: bool = True) -> str | None:
        value = item.get(name)
        if value is None:
            if required:
                raise self.fail(label, f"missing '{name}'")
            return None
        if not isinstance(value, (str, int, float)) or not str(value).strip():
            raise self.fail(label, f"'{name}' must be a non-empty text")
        return str(value).strip()

    def strings(self, label: str, item: dict[str, Any], name: str) -> list[str]:
        value = item.get(name) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise self.fail(label, f"'{name}' must be a list of texts")
        return [str(v).strip() for v in value if str(v).strip()]

    def concept(self, label: str, scheme: str, value: Any, what: str) -> str:
        keys = self.vocab.issues if scheme == "issue" else self.vocab.kinds[scheme]
        if not isinstance(value, str) or value not in keys:
            raise self.fail(label, f"unknown {what} {value!r} (see data/curated/README.md for the keys)")
        return value

    def date(self, label: str, item: dict[str, Any], name: str) -> str | None:
        value = item.get(name)
        if value is None:
            return None
        if isinstance(value, _dt.date):
            value = value.isoformat()
        text = str(value).strip()
        if not DATE.match(text):
            raise self.fail(label, f"'{name}' must be a year, year-month or date (YYYY[-MM[-DD]]), not {value!r}")
        return text

    def evidence(self, label: str, item: dict[str, Any], required: bool = True) -> list[Quote]:
        raw = item.get("evidence")
        if raw is None:
            if required:
                raise self.fail(label, "missing 'evidence' (a verbatim quote from the profile)")
            return []
        quotes = raw if isinstance(raw, list) else [raw]
        found: list[Quote] = []
        for q in quotes:
            if isinstance(q, str):
                q = {"quote": q}
            if not isinstance(q, dict) or not isinstance(q.get("quote"), str) or set(q) - {"quote", "section"}:
                raise self.fail(label, "evidence must be {quote: '...', section: optional} or a list of them")
            section = q.get("section")
            quote = self.finder.find(self.profile, q["quote"], section)
            if quote is None:
                where = f"section '{section}'" if section else f"the profile of '{self.profile}'"
                raise self.fail(label, f"quote not found verbatim in {where}: {q['quote']!r}")
            found.append(quote)
        return found

    def involvement(self, label: str, value: Any, roles_of: str) -> Involvement:
        if not isinstance(value, dict) or set(value) != {"org", "role"}:
            raise self.fail(label, f"each of '{roles_of}' must be {{org: KEY, role: ROLE}}")
        role = self.concept(label, "role", value["role"], "role")
        return Involvement(str(value["org"]), role)


def load_curated(curated: Path, finder: QuoteFinder, vocab: Vocab, root: Path | None = None) -> Curated:
    """Every `*.yaml` in `curated`, merged and cross-checked."""
    out = Curated()
    profiled = set(finder.profiles)
    files = sorted(curated.glob("*.yaml"))
    for path in files:
        display = str(path.relative_to(root)) if root and root in path.parents else path.name
        loader = _FileLoader(path, display, finder, vocab)
        data = loader.load()
        _load_file(loader, data, out, profiled)
    _check_references(out, profiled)
    return out


def _load_file(loader: _FileLoader, data: dict[str, Any], out: Curated, profiled: set[str]) -> None:
    fail = loader.fail
    own = loader.profile
    if data.get("organisation_type") is not None:
        entry = data["organisation_type"]
        if not isinstance(entry, dict) or set(entry) - {"type", "evidence"}:
            raise fail("organisation_type", "expected {type: TYPE, evidence: {quote: ...}}")
        typ = loader.concept("organisation_type", "organisation-type", entry.get("type"), "organisation type")
        out.profiled_types[own] = (typ, loader.evidence("organisation_type", entry))

    for label, item in loader.entries(data, "organisations", ORG_FIELDS):
        key = item["key"]
        if key in profiled:
            raise fail(label, f"'{key}' is a profiled organisation; refer to it by key without declaring it")
        org = Org(
            key=key,
            name=str(loader.text(label, item, "name")),
            type=loader.concept(label, "organisation-type", item.get("type"), "organisation type"),
            file=loader.file,
            acronyms=loader.strings(label, item, "acronyms"),
            names=loader.strings(label, item, "names"),
            evidence=loader.evidence(label, item),
        )
        if key in out.organisations:
            first = out.organisations[key]
            if first.type != org.type:
                raise fail(label, f"type '{org.type}' differs from '{first.type}' declared in {first.file}")
            for variant in [org.name, *org.names]:
                if variant != first.name and variant not in first.names:
                    first.names.append(variant)
            first.acronyms += [a for a in org.acronyms if a not in first.acronyms]
            first.evidence += [q for q in org.evidence if q not in first.evidence]
        else:
            out.organisations[key] = org

    for listname in ("initiatives", "publications"):
        for label, item in loader.entries(data, listname, INITIATIVE_FIELDS):
            _load_initiative(loader, label, item, listname == "publications", out)

    for label, item in loader.entries(data, "partnerships", PARTNERSHIP_FIELDS):
        key = item["key"]
        if key in out.partnerships:
            raise fail(label, f"partnership key '{key}' is already used in {out.partnerships[key].file}")
        partners = item.get("partners")
        if not isinstance(partners, list) or len(partners) < 2:
            raise fail(label, "'partners' must list at least two organisations")
        involved = [loader.involvement(label, p, "partners") for p in partners]
        if len({p.org for p in involved}) < len(involved):
            raise fail(label, "a partnership lists the same organisation twice")
        out.partnerships[key] = Partnership(
            key=key,
            kind=loader.concept(label, "partnership-kind", item.get("kind"), "partnership kind"),
            file=loader.file,
            partners=involved,
            about=loader.text(label, item, "about", required=False),
            date=loader.date(label, item, "date"),
            start=loader.date(label, item, "start"),
            end=loader.date(label, item, "end"),
            description=loader.text(label, item, "description", required=False),
            evidence=loader.evidence(label, item),
        )


def _load_initiative(loader: _FileLoader, label: str, item: dict[str, Any], publication: bool, out: Curated) -> None:
    fail = loader.fail
    kind = loader.concept(label, "initiative-kind", item.get("kind"), "initiative kind")
    if publication != (kind in PUBLICATION_KINDS):
        where = "publications" if publication else "initiatives"
        raise fail(label, f"kind '{kind}' does not belong in '{where}' (publication kinds go in 'publications')")
    evidence = loader.evidence(label, item)
    issues = [loader.concept(label, "issue", i, "issue") for i in loader.strings(label, item, "issues")]
    profile = loader.finder.profiles[loader.profile]
    for quote in evidence:
        issues += [i for i in section_issues(profile, quote.section) if i not in issues]
    no_issue = loader.text(label, item, "no_issue", required=False)
    if not issues and not no_issue:
        raise fail(label, "no issue: its evidence is outside the issue sections; give 'issues' or 'no_issue' with a reason")
    role = item.get("role")
    involvements = []
    if role != "none":
        involvements.append(Involvement(loader.profile, loader.concept(label, "role", role, "role")))
    participants = item.get("participants") or []
    if not isinstance(participants, list):
        raise fail(label, "'participants' must be a list of {org: KEY, role: ROLE}")
    involvements += [loader.involvement(label, p, "participants") for p in participants]
    initiative = Initiative(
        key=item["key"],
        name=str(loader.text(label, item, "name")),
        kind=kind,
        file=loader.file,
        publication=publication,
        acronyms=loader.strings(label, item, "acronyms"),
        names=loader.strings(label, item, "names"),
        involvements=involvements,
        issues=issues,
        no_issue=no_issue,
        part_of=loader.text(label, item, "part_of", required=False),
        date=loader.date(label, item, "date"),
        start=loader.date(label, item, "start"),
        end=loader.date(label, item, "end"),
        identifier=loader.text(label, item, "identifier", required=False),
        description=loader.text(label, item, "description", required=False),
        evidence=evidence,
    )
    first = out.initiatives.get(initiative.key)
    if first is None:
        out.initiatives[initiative.key] = initiative
        return
    if first.kind != initiative.kind or first.name.casefold() != initiative.name.casefold():
        raise fail(
            label,
            f"initiative key '{initiative.key}' is declared in {first.file} as '{first.name}' ({first.kind}); "
            "a second declaration must have the same name and kind",
        )
    for inv in initiative.involvements:
        if inv not in first.involvements:
            first.involvements.append(inv)
    first.issues += [i for i in initiative.issues if i not in first.issues]
    first.evidence += [q for q in initiative.evidence if q not in first.evidence]
    first.acronyms += [a for a in initiative.acronyms if a not in first.acronyms]
    first.names += [n for n in initiative.names if n not in first.names]
    if first.issues:
        first.no_issue = None
    for name in ("part_of", "date", "start", "end", "identifier", "description"):
        if getattr(first, name) is None:
            setattr(first, name, getattr(initiative, name))


def _check_references(out: Curated, profiled: set[str]) -> None:
    orgs = set(out.organisations) | profiled
    for ini in out.initiatives.values():
        entry = f"initiative '{ini.key}'"
        for inv in ini.involvements:
            if inv.org not in orgs:
                raise CurationError(ini.file, entry, f"unknown organisation key '{inv.org}'")
        if not ini.involvements:
            raise CurationError(ini.file, entry, "no organisation is involved (role 'none' and no participants)")
        if ini.part_of and ini.part_of not in out.initiatives:
            raise CurationError(ini.file, entry, f"part_of: unknown initiative key '{ini.part_of}'")
    for p in out.partnerships.values():
        entry = f"partnership '{p.key}'"
        for inv in p.partners:
            if inv.org not in orgs:
                raise CurationError(p.file, entry, f"unknown organisation key '{inv.org}'")
        if p.about and p.about not in out.initiatives:
            raise CurationError(p.file, entry, f"about: unknown initiative key '{p.about}'")
