"""Parse the profile text format into plain data: profiles, their sections and social media accounts.

The format (Geneva Digital Atlas style), one profile after another in a file:

    Organisation name
    description paragraphs
    Digital activities
    Digital policy issues            ("... and tools")
        Issue heading                (names one or more issues of the scheme)
            Sub-heading ...
    Digital tools                    ("... and initiatives")
        Sub-heading ...
    Social media channels            ("Social medial channels")
        Service @account

A heading is a line of its own (blank lines around it) without closing punctuation. Whether a heading
inside the issues part is an issue heading or a sub-heading is decided by the issue scheme
(`HeadingMatcher`), never by a list of this file's headings, so a new profile parses unchanged.
This module does no I/O beyond `parse_file`, and builds no RDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from policygraph.errors import IngestError
from policygraph.namespaces import slugify

# Spaces that the source uses besides the ordinary one (non-breaking, thin, narrow no-break).
_SPACES = "\u00a0\u2009\u202f\u2007\ufeff"
_BULLETS = ("•", "◦", "▪", "- ", "* ", "– ")
_CLOSING = (".", ":", ";", ",", "!")
MAX_HEADING_CHARS = 160
MAX_HEADING_WORDS = 22

PART_PATTERNS: dict[str, re.Pattern[str]] = {
    "digital-activities": re.compile(r"^digital activities$", re.I),
    "digital-policy-issues": re.compile(r"^digital policy issues( and tools)?$", re.I),
    "digital-tools": re.compile(r"^digital tools( and initiatives)?$", re.I),
    "social-media-channels": re.compile(r"^social medi(a|al) channels$", re.I),
}

# Services whose accounts the profiles list. Longest first, so that 'YouTube' is not read as 'X'.
SERVICES = sorted(
    [
        "Facebook", "Flickr", "Instagram", "LinkedIn", "X", "Twitter", "YouTube", "TikTok",
        "Flipboard", "Threads", "Mastodon", "Bluesky", "WhatsApp", "Telegram", "Vimeo",
        "SoundCloud", "Spotify", "Medium", "GitHub", "Weibo", "WeChat", "Pinterest", "Snapchat",
        "Reddit",
    ],
    key=len,
    reverse=True,
)
_SERVICE_START = re.compile(r"^(" + "|".join(SERVICES) + r")\s*@")
_URL = re.compile(r"https?://[^\s<>\"’”)\]]+[^\s<>\"’”)\].,;:!?]")
_ACRONYM_IN_PARENS = re.compile(r"\(([A-Z][A-Z0-9]{1,11})\)")
_LEADING_ACRONYM = re.compile(r"^([A-Z][A-Z0-9]{1,11})\b")
_STOPWORDS = {"of", "for", "the", "and", "on", "de", "la", "le", "des", "du", "in"}


class HeadingMatcher(Protocol):
    """Maps a heading to the issue concepts it names (empty: not an issue heading)."""

    def match(self, heading: str) -> list[str]: ...

    def partial(self, heading: str) -> list[str]: ...


def normalise_space(text: str) -> str:
    """Non-breaking and other odd spaces become ordinary ones, runs of spaces one space."""
    for ch in _SPACES:
        text = text.replace(ch, " ")
    return re.sub(r"[ \t]+", " ", text).strip()


@dataclass
class Account:
    service: str
    name: str
    line: int


@dataclass
class Section:
    path: str  # slug path below the profile: 'digital-policy-issues/data-governance'
    heading: str
    part: str  # description | digital-activities | digital-policy-issues | digital-tools | social-media-channels
    level: int  # 0: a part of the profile; 1: under a part; 2: under an issue heading
    start_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)  # issue concept keys, for issue headings
    parent: str | None = None

    @property
    def kind(self) -> str:
        if self.level == 0:
            return self.part
        if self.part == "digital-policy-issues" and self.issues:
            return "issue"
        return "sub-heading"

    @property
    def text(self) -> str:
        body = [text for _, text in self.lines]
        while body and not body[-1].strip(" " + _SPACES):
            body.pop()
        while body and not body[0].strip(" " + _SPACES):
            body.pop(0)
        return "\n".join(body)

    @property
    def end_line(self) -> int:
        filled = [n for n, text in self.lines if text.strip(" " + _SPACES)]
        return filled[-1] if filled else self.start_line

    @property
    def urls(self) -> list[str]:
        found: list[str] = []
        for match in _URL.finditer(self.text):
            if match.group(0) not in found:
                found.append(match.group(0))
        return found


@dataclass
class Profile:
    name: str
    acronym: str | None
    file: str
    start_line: int
    sections: list[Section] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)

    @property
    def key(self) -> str:
        return slugify(self.acronym) if self.acronym else slugify(self.name)

    @property
    def end_line(self) -> int:
        return max(s.end_line for s in self.sections)

    @property
    def issues(self) -> list[str]:
        seen: list[str] = []
        for section in self.sections:
            for issue in section.issues:
                if issue not in seen:
                    seen.append(issue)
        return seen

    def section(self, path: str) -> Section:
        for section in self.sections:
            if section.path == path:
                return section
        raise KeyError(path)


def decode(data: bytes, file: str) -> str:
    """UTF-8 text or an IngestError naming the line where the bytes stop being text."""
    if not data.strip():
        raise IngestError(file, 1, "the file is empty: expected a profile starting with an organisation heading")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise IngestError(file, line, "binary data (NUL byte): expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(file, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    return text.removeprefix("\ufeff")


def parse_file(path: Path, matcher: HeadingMatcher, name: str | None = None) -> list[Profile]:
    return parse_text(decode(path.read_bytes(), name or path.name), name or path.name, matcher)


def _is_blank(line: str) -> bool:
    return not line.strip(" \t" + _SPACES)


def _is_heading_like(lines: list[str], i: int) -> bool:
    line = normalise_space(lines[i])
    if not line or line.startswith(_BULLETS) or line.endswith(_CLOSING):
        return False
    if len(line) > MAX_HEADING_CHARS or len(line.split()) > MAX_HEADING_WORDS:
        return False
    before_blank = i == 0 or _is_blank(lines[i - 1])
    after_blank = i + 1 >= len(lines) or _is_blank(lines[i + 1])
    return before_blank and after_blank


def _part_of(heading: str) -> str | None:
    for part, pattern in PART_PATTERNS.items():
        if pattern.match(heading):
            return part
    return None


def parse_accounts(line: str, number: int) -> list[Account]:
    """'Twitter @UNCTADYouTube @UNCTADOnline' -> Twitter/UNCTAD and YouTube/UNCTADOnline."""
    text = normalise_space(line)
    start = _SERVICE_START.match(text)
    if not start:
        return []
    service = start.group(1)
    pieces = text[start.end() :].split("@")
    accounts: list[Account] = []
    for i, piece in enumerate(pieces):
        handle, next_service = piece.strip(), None
        if i < len(pieces) - 1:
            for candidate in SERVICES:
                if handle.endswith(candidate) and len(handle) > len(candidate):
                    handle, next_service = handle[: -len(candidate)].strip(), candidate
                    break
        handle = handle.rstrip(",").strip()
        if handle:
            accounts.append(Account(service, handle, number))
        service = next_service or service
    return accounts


def _acronym(name: str, body: str, description: str) -> str | None:
    """An acronym the profile itself gives: 'University of Geneva (UNIGE)', or 'WMO marks ...'."""
    tail = [w.lower() for w in re.findall(r"[\w’']+", name) if w.lower() not in _STOPWORDS][-2:]
    for match in _ACRONYM_IN_PARENS.finditer(body):
        before = re.findall(r"[\w’']+", body[max(0, match.start() - 120) : match.start()])
        words = [w.lower() for w in before if w.lower() not in _STOPWORDS]
        if tail and words[-len(tail) :] == tail:
            return match.group(1)
    first = _LEADING_ACRONYM.match(description.strip())
    if first:
        initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _STOPWORDS)
        candidate = first.group(1)
        if candidate[0] == initials[:1].upper():
            return candidate
    return None


class _Builder:
    """Walks the lines of one file, keeping the current profile, part and issue heading."""

    def __init__(self, file: str, matcher: HeadingMatcher) -> None:
        self.file, self.matcher = file, matcher
        self.profiles: list[Profile] = []
        self.profile: Profile | None = None
        self.section: Section | None = None
        self.issue: Section | None = None

    def error(self, line: int, reason: str) -> IngestError:
        return IngestError(self.file, line, reason)

    def add(self, section: Section) -> None:
        assert self.profile is not None
        taken = {s.path for s in self.profile.sections}
        path, n = section.path, 2
        while path in taken:
            path, n = f"{section.path}-{n}", n + 1
        section.path = path
        self.profile.sections.append(section)
        self.section = section

    def start_profile(self, number: int, name: str) -> None:
        self.profile = Profile(name=name, acronym=None, file=self.file, start_line=number)
        self.profiles.append(self.profile)
        self.issue = None
        self.add(Section("description", name, "description", 0, number))

    def heading(self, number: int, heading: str) -> None:
        assert self.profile is not None and self.section is not None
        part = _part_of(heading)
        if part:
            if any(s.part == part for s in self.profile.sections):
                raise self.error(number, f"second '{heading}' heading in the profile of {self.profile.name}")
            self.issue = None
            self.add(Section(part, heading, part, 0, number))
            return
        current = self.section.part
        if current == "digital-policy-issues":
            issues = self.matcher.match(heading)
            if issues:
                self.issue = Section(
                    f"{current}/{slugify(heading)}", heading, current, 1, number, issues=issues, parent=current
                )
                self.add(self.issue)
                return
            known = self.matcher.partial(heading)
            if known:
                raise self.error(
                    number,
                    f"issue heading '{heading}' maps only in part to the issue scheme "
                    f"(recognised: {', '.join(known)}); add the missing issue or label to ontology/issues.ttl",
                )
            if self.issue is None:
                raise self.error(
                    number,
                    f"issue heading '{heading}' maps to no concept of the issue scheme; "
                    "add it as skos:prefLabel or skos:altLabel in ontology/issues.ttl",
                )
            parent = self.issue.path
            self.add(Section(f"{parent}/{slugify(heading)}", heading, current, 2, number, parent=parent))
            return
        top = self.section.path.split("/")[0]
        self.add(Section(f"{top}/{slugify(heading)}", heading, current, 1, number, parent=top))

    def finish(self) -> list[Profile]:
        for profile in self.profiles:
            body = "\n".join(s.text for s in profile.sections)
            profile.acronym = _acronym(profile.name, body, profile.sections[0].text)
            if len(profile.sections) == 1 and not profile.sections[0].text:
                raise self.error(profile.start_line, f"profile '{profile.name}' has a heading and nothing else")
        return self.profiles


def list_items(lines: list[str], matcher: HeadingMatcher) -> set[int]:
    """Indexes of unbulleted list items: two or more heading-like lines right after a line ending in ':'.

    ("New initiatives include:" followed by one title a line.) They are text of the section, not
    headings. A single heading-like line after a colon stays a heading, as do part and issue headings.
    """
    items: set[int] = set()
    for i, line in enumerate(lines):
        if not normalise_space(line).endswith(":") or _is_heading_like(lines, i):
            continue
        run: list[int] = []
        for j in range(i + 1, len(lines)):
            if _is_blank(lines[j]):
                continue
            clean = normalise_space(lines[j])
            if not _is_heading_like(lines, j) or _part_of(clean) or matcher.match(clean):
                break
            run.append(j)
        if len(run) >= 2:
            items.update(run)
    return items


def parse_text(text: str, file: str, matcher: HeadingMatcher) -> list[Profile]:
    """All profiles of one file, in order. Raises IngestError with file and line on malformed input."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    builder = _Builder(file, matcher)
    items = list_items(lines, matcher)
    if not any(not _is_blank(line) for line in lines):
        raise IngestError(file, 1, "the file is empty: expected a profile starting with an organisation heading")
    for i, raw in enumerate(lines):
        number = i + 1
        if _is_blank(raw):
            if builder.section is not None:
                builder.section.lines.append((number, raw))
            continue
        clean = normalise_space(raw)
        section = builder.section
        if section is None:
            if not _is_heading_like(lines, i):
                raise builder.error(number, "expected an organisation heading (a short line of its own), found text")
            if _part_of(clean):
                raise builder.error(number, f"expected an organisation heading, found the section heading '{clean}'")
            builder.start_profile(number, clean)
            continue
        if section.part == "social-media-channels":
            accounts = parse_accounts(raw, number)
            if accounts:
                assert builder.profile is not None
                builder.profile.accounts.extend(accounts)
                section.lines.append((number, raw))
                continue
            if _is_heading_like(lines, i) and not _part_of(clean):
                builder.start_profile(number, clean)  # what follows the accounts is the next profile
                continue
        if _is_heading_like(lines, i) and i not in items:
            builder.heading(number, clean)
            continue
        section.lines.append((number, raw))
    return builder.finish()
