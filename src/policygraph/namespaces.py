"""Namespaces and IRI minting. Resource IRIs hang under the configurable base; vocabularies are fixed."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

PG = Namespace("https://w3id.org/policygraph/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

DEFAULT_BASE = "https://w3id.org/policygraph/"

PREFIXES: dict[str, str] = {
    "pg": str(PG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "oa": str(OA),
    "void": str(VOID),
    "dcat": str(DCAT),
    "issue": DEFAULT_BASE + "id/issue/",
    "organisation": DEFAULT_BASE + "id/organisation/",
    "initiative": DEFAULT_BASE + "id/initiative/",
    "partnership": DEFAULT_BASE + "id/partnership/",
}

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
