"""The vocabularies' namespace IRIs as plain strings, and the prefixes they go by: no dependencies, so
any layer can use them (policygraph.namespaces builds the rdflib namespaces from these)."""

from __future__ import annotations

PG = "https://w3id.org/policygraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"

RDF_TYPE = RDF + "type"
SUBCLASS_OF = RDFS + "subClassOf"

# Resource IRIs hang under a configurable base (settings.base_iri); this is the published one.
DEFAULT_BASE = "https://w3id.org/policygraph/"

PREFIXES: dict[str, str] = {
    "pg": PG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV,
    "foaf": FOAF, "org": ORG, "schema": SCHEMA, "oa": OA, "void": VOID, "dcat": DCAT,
    "issue": DEFAULT_BASE + "id/issue/",
    "organisation": DEFAULT_BASE + "id/organisation/",
    "initiative": DEFAULT_BASE + "id/initiative/",
    "partnership": DEFAULT_BASE + "id/partnership/",
}


def prologue(*names: str) -> str:
    """SPARQL PREFIX declarations for the named prefixes, one a line."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
