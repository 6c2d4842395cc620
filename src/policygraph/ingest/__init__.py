"""Ingest: profile text -> structural RDF. `load_profiles` reads every source file of a directory."""

from __future__ import annotations

from pathlib import Path

from policygraph.errors import IngestError
from policygraph.ingest.issuemap import IssueMatcher
from policygraph.ingest.parser import Account, Profile, Section, parse_file, parse_text
from policygraph.ingest.rdf import organisation_iri, profile_graph, section_iri

__all__ = [
    "Account",
    "IssueMatcher",
    "Profile",
    "Section",
    "load_profiles",
    "organisation_iri",
    "parse_file",
    "parse_text",
    "profile_graph",
    "section_iri",
]


def load_profiles(sources: Path, matcher: IssueMatcher) -> list[Profile]:
    """Every profile of every `*.txt` under `sources`, in file then source order; keys must be unique."""
    files = sorted(sources.glob("*.txt"))
    if not files:
        raise IngestError(str(sources), 0, "no profile source files (*.txt) in this directory")
    profiles: list[Profile] = []
    seen: dict[str, Profile] = {}
    for path in files:
        for profile in parse_file(path, matcher, name=str(path.relative_to(sources.parent.parent))
                                  if sources.parent.parent in path.parents else path.name):
            if profile.key in seen:
                first = seen[profile.key]
                raise IngestError(
                    profile.file, profile.start_line,
                    f"organisation '{profile.name}' has the key '{profile.key}' of the profile at "
                    f"{first.file}:{first.start_line}",
                )
            seen[profile.key] = profile
            profiles.append(profile)
    return profiles
