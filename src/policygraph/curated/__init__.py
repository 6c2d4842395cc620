"""Curated knowledge: YAML written by people -> checked data -> RDF."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from policygraph.curated.evidence import assign_evidence
from policygraph.curated.loader import PUBLICATION_KINDS, Vocab, load_declarations
from policygraph.curated.model import Curated
from policygraph.curated.quotes import QuoteFinder, section_issues
from policygraph.curated.rdf import curated_graphs
from policygraph.errors import CurationError
from policygraph.ingest.parser import Profile

__all__ = [
    "PUBLICATION_KINDS",
    "Curated",
    "QuoteFinder",
    "Vocab",
    "check_distinct_organisations",
    "curated_graphs",
    "load_curated",
    "normalised_name",
    "section_issues",
]


def load_curated(curated: Path, finder: QuoteFinder, vocab: Vocab, root: Path | None = None) -> Curated:
    """Every `*.yaml` in `curated`, cross-checked, each statement with the quotes that support it.
    Raises CurationError (UnsupportedStatements lists every statement no quote supports)."""
    data = load_declarations(curated, finder, vocab, root)
    assign_evidence(data, finder, vocab)
    return data


def normalised_name(name: str) -> str:
    """'The  Université de Genève' -> 'universite de geneve': case, accents, articles and punctuation folded."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    folded = re.sub(r"[^a-z0-9]+", " ", folded).strip()
    return re.sub(r"^the ", "", folded)


def check_distinct_organisations(profiles: list[Profile], data: Curated) -> None:
    """No two organisation keys may share a name, variant or acronym (one organisation, one node)."""
    owner: dict[str, tuple[str, str]] = {}

    def claim(key: str, label: str, file: str) -> None:
        norm = normalised_name(label)
        if not norm:
            return
        other = owner.get(norm)
        if other and other[0] != key:
            raise CurationError(
                file, f"organisation '{key}'",
                f"'{label}' also names organisation '{other[0]}' (declared in {other[1]}): use one key",
            )
        owner[norm] = (key, file)

    for p in profiles:
        claim(p.key, p.name, p.file)
        if p.acronym:
            claim(p.key, p.acronym, p.file)
    for key, declared in data.organisations.items():
        for org in declared:
            for label in [org.name, *org.names, *org.acronyms]:
                claim(key, label, org.file)
    for key, mine in data.profiled.items():
        for p in mine:
            for label in [*p.names, *p.acronyms]:
                claim(key, label, p.file)
