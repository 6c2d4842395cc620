"""Map issue headings to concepts of the issue scheme, by skos:prefLabel and skos:altLabel.

A heading maps when it is a label, or when it splits at '/' and ' and ' into parts that are all labels
("Blockchain and cryptocurrencies", "E-commerce and trade and digital business models"): then it maps
to every concept it names. A heading of which only some parts are labels is reported as partial, so a
half-known issue heading is an error rather than silently a sub-heading.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from policygraph.ingest.parser import normalise_space
from policygraph.namespaces import PG


def _norm(text: str) -> str:
    text = normalise_space(text).lower().replace("–", "-").replace("—", "-")
    return text.rstrip(" .:")


class IssueMatcher:
    def __init__(self, labels: dict[str, str]) -> None:
        """`labels`: normalised label -> concept key."""
        self.labels = labels

    @classmethod
    def from_graph(cls, scheme: Graph) -> IssueMatcher:
        labels: dict[str, str] = {}
        for concept in scheme.subjects(RDF.type, PG.PolicyIssue):
            key = str(concept).rstrip("/").rsplit("/", 1)[-1]
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in scheme.objects(concept, prop):
                    norm = _norm(str(label))
                    if labels.get(norm, key) != key:
                        raise ValueError(f"issue label {str(label)!r} is used by two concepts")
                    labels[norm] = key
        return cls(labels)

    def _and_groups(self, chunk: str) -> list[str] | None:
        """Split 'a and b and c' into consecutive groups that are all labels, or None."""
        words = re.split(r"\s+and\s+", chunk)

        @cache
        def solve(start: int) -> tuple[str, ...] | None:
            if start == len(words):
                return ()
            for end in range(len(words), start, -1):
                key = self.labels.get(" and ".join(words[start:end]))
                if key:
                    rest = solve(end)
                    if rest is not None:
                        return (key, *rest)
            return None

        found = solve(0)
        return list(found) if found is not None else None

    def match(self, heading: str) -> list[str]:
        norm = _norm(heading)
        if norm in self.labels:
            return [self.labels[norm]]
        keys: list[str] = []
        for chunk in (c.strip() for c in norm.split("/")):
            groups = self._and_groups(chunk)
            if not groups:
                return []
            keys.extend(k for k in groups if k not in keys)
        return keys

    def partial(self, heading: str) -> list[str]:
        """The concept keys of the parts that are labels, when the whole heading is not."""
        norm = _norm(heading)
        parts = [p.strip() for chunk in norm.split("/") for p in re.split(r"\s+and\s+", chunk)]
        if len(parts) < 2:
            return []
        return [self.labels[p] for p in parts if p in self.labels]
