"""Namespaces and IRI minting. Resource IRIs hang under the configurable base; vocabularies are fixed."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from policygraph import prefixes
from policygraph.prefixes import DEFAULT_BASE, PREFIXES

# The standard vocabularies are rdflib's own (closed where rdflib defines them); ours and the rest are
# built from the strings in policygraph.prefixes.
PG = Namespace(prefixes.PG)
ORG = Namespace(prefixes.ORG)
SCHEMA = Namespace(prefixes.SCHEMA)
OA = Namespace(prefixes.OA)
SD = Namespace(prefixes.SD)

__all__ = ["DCAT", "DCTERMS", "DEFAULT_BASE", "FOAF", "OA", "ORG", "OWL", "PG", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA",
           "SD", "SKOS", "VOID", "XSD", "Minter", "slugify"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A lowercase ASCII slug: 'Université de Genève' -> 'universite-de-geneve'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", folded.lower()).strip("-")


class Minter:
    """Mints resource IRIs under one base, so the same name always gives the same IRI."""

    KINDS = ("organisation", "initiative", "issue", "partnership", "profile", "section", "statement", "quote")

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.id = Namespace(self.base + "id/")
        self.graph = Namespace(self.base + "graph/")

    def resource(self, kind: str, slug: str) -> str:
        if kind not in self.KINDS and kind not in CONTROLLED_SCHEMES and kind != "scheme":
            raise ValueError(f"unknown resource kind {kind!r}")
        return f"{self.base}id/{kind}/{slug}"

    def concept(self, scheme: str, key: str) -> str:
        return f"{self.base}id/{scheme}/{key}"


CONTROLLED_SCHEMES = ("initiative-kind", "partnership-kind", "organisation-type", "role")
