"""Load the curated YAML files into checked plain data. Every problem names the file, the entry and why.

Checks here are the ones a person needs at edit time (unknown keys, missing quotes, dangling
references; quotes that do not support their statements: curated/evidence.py); SHACL re-checks the
compiled RDF. Quotes are located in the profile's sections (curated/quotes.py).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policygraph.curated.model import (
    Curated,
    Initiative,
    Involvement,
    Link,
    Organisation,
    Partnership,
    Profiled,
    Quote,
    Tag,
)
from policygraph.curated.quotes import QuoteFinder, section_issues
from policygraph.errors import CurationError

# libyaml's C loader when the platform has it (several times faster), else the pure-Python one; both safe.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
PUBLICATION_KINDS = {
    "publication", "report", "white-paper", "policy-brief", "research-paper", "guide", "toolkit",
    "book", "article", "publication-series",
}

FILE_FIELDS = {"organisation", "organisation_type", "names", "acronyms", "organisations", "initiatives", "publications",
               "partnerships"}
ORG_FIELDS = {"key", "name", "acronyms", "names", "type", "evidence"}
INITIATIVE_FIELDS = {
    "key", "name", "acronyms", "names", "kind", "role", "participants", "issues", "no_issue", "part_of", "date",
    "start", "end", "description", "evidence", "identifier", "unnamed",
}
PARTNERSHIP_FIELDS = {"key", "kind", "partners", "about", "issues", "date", "start", "end", "evidence", "description"}


@dataclass
class Vocab:
    """The keys that curated data may use, and what the support rules need to know of the issues."""

    issues: set[str]
    kinds: dict[str, set[str]]  # scheme -> keys
    issue_labels: dict[str, list[str]] = field(default_factory=dict)  # issue -> labels that name it
    issue_narrower: dict[str, set[str]] = field(default_factory=dict)  # issue -> itself and every issue under it


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
        return self.quotes(label, raw)

    def quotes(self, label: str, raw: Any, what: str = "evidence") -> list[Quote]:
        quotes = raw if isinstance(raw, list) else [raw]
        found: list[Quote] = []
        for q in quotes:
            if isinstance(q, str):
                q = {"quote": q}
            if not isinstance(q, dict) or not isinstance(q.get("quote"), str) or set(q) - {"quote", "section"} \
                    or not isinstance(q.get("section", ""), str):
                raise self.fail(label, f"{what} must be {{quote: '...', section: optional}} or a list of them")
            section = q.get("section")
            quote = self.finder.find(self.profile, q["quote"], section)
            if quote is None:
                where = f"section '{section}'" if section else f"the profile of '{self.profile}'"
                raise self.fail(label, f"quote not found verbatim in {where}: {q['quote']!r}")
            if quote not in found:
                found.append(quote)
        return found

    def statement(self, label: str, value: Any, name: str, fields: set[str]) -> tuple[dict[str, Any], list[Quote]]:
        """A statement written as a plain value or as a mapping with its own `evidence`: (fields, quotes)."""
        if not isinstance(value, dict):
            value = {name: value}
        unknown = set(value) - fields - {"evidence"}
        if unknown or name not in value:
            shape = ", ".join(sorted(fields))
            raise self.fail(label, f"each of '{name}' must be a key or {{{shape}, evidence: optional}}")
        own = self.quotes(label, value["evidence"], f"the evidence of a '{name}' entry") if "evidence" in value else []
        return value, own

    def involvement(self, label: str, value: Any, roles_of: str) -> Involvement:
        if not isinstance(value, dict) or not {"org", "role"} <= set(value) or set(value) - {"org", "role", "evidence"}:
            raise self.fail(label, f"each of '{roles_of}' must be {{org: KEY, role: ROLE, evidence: optional}}")
        _, own = self.statement(label, value, "org", {"org", "role"})
        role = self.concept(label, "role", value["role"], "role")
        if not isinstance(value["org"], str):
            raise self.fail(label, f"each of '{roles_of}' names an organisation by its key")
        return Involvement(own=own, org=value["org"], role=role)

    def tags(self, label: str, item: dict[str, Any]) -> list[Tag]:
        raw = item.get("issues") or []
        if not isinstance(raw, list):
            raw = [raw]
        tags: list[Tag] = []
        for value in raw:
            fields, own = self.statement(label, value, "issue", {"issue"})
            issue = self.concept(label, "issue", fields["issue"], "issue")
            if any(t.issue == issue for t in tags):
                raise self.fail(label, f"issue '{issue}' is listed twice")
            tags.append(Tag(own=own, issue=issue))
        return tags

    def link(self, label: str, item: dict[str, Any], name: str) -> Link | None:
        value = item.get(name)
        if value is None:
            return None
        fields, own = self.statement(label, value, name, {name})
        target = fields[name]
        if not isinstance(target, str) or not KEY.match(target):
            raise self.fail(label, f"'{name}' must be the key of an initiative")
        return Link(own=own, target=target)


def load_declarations(curated: Path, finder: QuoteFinder, vocab: Vocab, root: Path | None = None) -> Curated:
    """Every `*.yaml` in `curated`, cross-checked; statements hold only the quotes given on them (the
    package's `load_curated` then gives each the quotes that support it)."""
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
    entry = data.get("organisation_type")
    if entry is not None and (not isinstance(entry, dict) or set(entry) - {"type", "evidence"}):
        raise fail("organisation_type", "expected {type: TYPE, evidence: {quote: ...}}")
    if entry is not None or data.get("names") or data.get("acronyms"):
        mine = Profiled(key=own, file=loader.file, profile=own, label="organisation",
                        names=loader.strings("names", data, "names"), acronyms=loader.strings("acronyms", data, "acronyms"))
        if entry is not None:
            mine.type = loader.concept("organisation_type", "organisation-type", entry.get("type"), "organisation type")
            mine.quotes = loader.evidence("organisation_type", entry)
        out.profiled.setdefault(own, []).append(mine)

    seen: set[str] = set()
    for label, item in loader.entries(data, "organisations", ORG_FIELDS):
        key = item["key"]
        if key in profiled:
            # Another profiled organisation, named here by a name of this profile's own: the names only.
            if set(item) - {"key", "names", "acronyms", "evidence"} or not (item.get("names") or item.get("acronyms")):
                raise fail(label, f"'{key}' is a profiled organisation: refer to it by key; declare it here only to give "
                                  "the names this profile uses for it (key, names and/or acronyms, evidence)")
            out.profiled.setdefault(key, []).append(Profiled(
                key=key, file=loader.file, profile=own, label=label, names=loader.strings(label, item, "names"),
                acronyms=loader.strings(label, item, "acronyms"), quotes=loader.evidence(label, item)))
            continue
        if key in seen:
            raise fail(label, f"organisation '{key}' is declared twice in this file")
        seen.add(key)
        org = Organisation(
            key=key, file=loader.file, profile=own, label=label,
            name=str(loader.text(label, item, "name")),
            type=loader.concept(label, "organisation-type", item.get("type"), "organisation type"),
            acronyms=loader.strings(label, item, "acronyms"),
            names=loader.strings(label, item, "names"),
            quotes=loader.evidence(label, item),
        )
        others = out.organisations.setdefault(key, [])
        if others and others[0].type != org.type:
            raise fail(label, f"type '{org.type}' differs from '{others[0].type}' declared in {others[0].file}")
        others.append(org)

    seen = set()
    for listname in ("initiatives", "publications"):
        for label, item in loader.entries(data, listname, INITIATIVE_FIELDS):
            if item["key"] in seen:
                raise fail(label, f"initiative '{item['key']}' is declared twice in this file")
            seen.add(item["key"])
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
        quotes = loader.evidence(label, item)
        out.partnerships[key] = Partnership(
            key=key, file=loader.file, profile=own, label=label,
            kind=loader.concept(label, "partnership-kind", item.get("kind"), "partnership kind"),
            partners=involved,
            about=loader.link(label, item, "about"),
            issues=_with_section_issues(loader, loader.tags(label, item), quotes),
            date=loader.date(label, item, "date"),
            start=loader.date(label, item, "start"),
            end=loader.date(label, item, "end"),
            description=loader.text(label, item, "description", required=False),
            quotes=quotes,
        )


def _with_section_issues(loader: _FileLoader, tags: list[Tag], quotes: list[Quote]) -> list[Tag]:
    """The tags written in the file, then the issue headings of the sections the entry's quotes lie in."""
    profile = loader.finder.profiles[loader.profile]
    for quote in quotes:
        for issue in section_issues(profile, quote.section):
            if not any(t.issue == issue for t in tags):
                tags.append(Tag(issue=issue, given=False))
    return tags


def _load_initiative(loader: _FileLoader, label: str, item: dict[str, Any], publication: bool, out: Curated) -> None:
    fail = loader.fail
    kind = loader.concept(label, "initiative-kind", item.get("kind"), "initiative kind")
    if publication != (kind in PUBLICATION_KINDS):
        where = "publications" if publication else "initiatives"
        raise fail(label, f"kind '{kind}' does not belong in '{where}' (publication kinds go in 'publications')")
    quotes = loader.evidence(label, item)
    tags = _with_section_issues(loader, loader.tags(label, item), quotes)
    no_issue = loader.text(label, item, "no_issue", required=False)
    if not tags and not no_issue:
        raise fail(label, "no issue: its evidence is outside the issue sections; give 'issues' or 'no_issue' with a reason")
    involvements = []
    role = item.get("role")
    if role != "none":
        fields, own = loader.statement(label, role, "role", {"role"})
        if fields["role"] != "none":
            involvements.append(Involvement(own=own, org=loader.profile,
                                            role=loader.concept(label, "role", fields["role"], "role")))
    participants = item.get("participants") or []
    if not isinstance(participants, list):
        raise fail(label, "'participants' must be a list of {org: KEY, role: ROLE}")
    for value in participants:
        involvement = loader.involvement(label, value, "participants")
        if any((i.org, i.role) == (involvement.org, involvement.role) for i in involvements):
            raise fail(label, f"'{involvement.org}' is listed twice as {involvement.role}")
        involvements.append(involvement)
    unnamed = item.get("unnamed", False)
    if not isinstance(unnamed, bool):
        raise fail(label, "'unnamed' is true or false")
    initiative = Initiative(
        key=item["key"], file=loader.file, profile=loader.profile, label=label,
        name=str(loader.text(label, item, "name")),
        kind=kind,
        publication=publication,
        unnamed=unnamed,
        acronyms=loader.strings(label, item, "acronyms"),
        names=loader.strings(label, item, "names"),
        involvements=involvements,
        issues=tags,
        no_issue=no_issue if not tags else None,
        part_of=loader.link(label, item, "part_of"),
        date=loader.date(label, item, "date"),
        start=loader.date(label, item, "start"),
        end=loader.date(label, item, "end"),
        identifier=loader.text(label, item, "identifier", required=False),
        description=loader.text(label, item, "description", required=False),
        quotes=quotes,
    )
    others = out.initiatives.setdefault(initiative.key, [])
    if others and others[0].kind != initiative.kind:
        first = others[0]
        raise fail(label, f"initiative key '{initiative.key}' is declared in {first.file} as a {first.kind}, here as a "
                          f"{initiative.kind}: one key, one kind")
    others.append(initiative)


def _check_references(out: Curated, profiled: set[str]) -> None:
    orgs = set(out.organisations) | profiled
    for declared in out.initiatives.values():
        for ini in declared:
            entry = f"initiative '{ini.key}'"
            for inv in ini.involvements:
                if inv.org not in orgs:
                    raise CurationError(ini.file, entry, f"unknown organisation key '{inv.org}'")
            if ini.part_of and ini.part_of.target not in out.initiatives:
                raise CurationError(ini.file, entry, f"part_of: unknown initiative key '{ini.part_of.target}'")
        if not any(ini.involvements for ini in declared):
            ini = declared[0]
            raise CurationError(ini.file, f"initiative '{ini.key}'", "no organisation is involved (role 'none' and no participants)")
    for p in out.partnerships.values():
        entry = f"partnership '{p.key}'"
        for inv in p.partners:
            if inv.org not in orgs:
                raise CurationError(p.file, entry, f"unknown organisation key '{inv.org}'")
        if p.about and p.about.target not in out.initiatives:
            raise CurationError(p.file, entry, f"about: unknown initiative key '{p.about.target}'")


