"""Helpers shared by the SPARQL endpoint tests: expectations from the store, parsers for every
result format, and row normalisation for comparing result sets as multisets."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import requests

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "short", "nonNegativeInteger")}
SRX = "{http://www.w3.org/2005/sparql-results#}"

PREFIXES = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# A SELECT with a known answer, several rows, IRIs, language-tagged and typed literals.
ORGANISATIONS = PREFIXES + """SELECT ?org ?name ?acronym WHERE {
  ?org a pg:Organisation ; pg:profile ?p ; skos:prefLabel ?name .
  OPTIONAL { GRAPH ?ingested { ?org pg:acronym ?acronym }
             FILTER (STRSTARTS(STR(?ingested), "https://w3id.org/policygraph/graph/profile/")) }
} ORDER BY ?name"""
ASK_PROFILED = PREFIXES + "ASK { ?org pg:profile ?p }"
CONSTRUCT_PARTNERS = PREFIXES + "CONSTRUCT { ?a pg:partnerOf ?b } WHERE { ?a pg:partnerOf ?b }"
DESCRIBE_WMO = "DESCRIBE <https://w3id.org/policygraph/id/organisation/wmo>"


def store_select(store: ox.Store, text: str, **kwargs: Any) -> list[dict[str, Any]]:
    result = store.query(text, **kwargs)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def store_triples(store: ox.Store, text: str, **kwargs: Any) -> set[ox.Triple]:
    return set(store.query(text, **kwargs))  # type: ignore[arg-type]


def norm_term(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> tuple[str, ...]:
    """One comparable form per term: numbers by value, bnodes anonymous, xsd:string as plain."""
    if kind in ("uri", "iri"):
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)
    if lang:
        return ("lit", value, "@" + lang.lower())
    if datatype in NUMERIC:
        try:
            return ("num", str(Decimal(value).normalize()))
        except InvalidOperation:
            return ("lit", value, datatype or "")
    if datatype in (None, "", XSD + "string"):
        return ("lit", value, "")
    return ("lit", value, datatype)


def norm_ox(term: Any) -> tuple[str, ...]:
    if isinstance(term, ox.NamedNode):
        return norm_term("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return norm_term("bnode", term.value)
    return norm_term("literal", term.value, term.datatype.value if not term.language else None, term.language)


def norm_json_term(term: dict[str, Any]) -> tuple[str, ...]:
    return norm_term(term["type"], term["value"], term.get("datatype"), term.get("xml:lang"))


def rows_multiset(rows: list[dict[str, tuple[str, ...]]]) -> Counter[tuple[tuple[str, tuple[str, ...]], ...]]:
    return Counter(tuple(sorted(row.items())) for row in rows)


def json_rows(document: dict[str, Any]) -> list[dict[str, tuple[str, ...]]]:
    return [{k: norm_json_term(v) for k, v in b.items()} for b in document["results"]["bindings"]]


def ox_rows(rows: list[dict[str, Any]]) -> list[dict[str, tuple[str, ...]]]:
    return [{k: norm_ox(v) for k, v in row.items()} for row in rows]


def xml_rows(body: bytes) -> list[dict[str, tuple[str, ...]]]:
    """SPARQL XML results read with a plain XML parser (independent of pyoxigraph)."""
    root = ET.fromstring(body)
    out = []
    for result in root.iter(SRX + "result"):
        row = {}
        for binding in result.findall(SRX + "binding"):
            (node,) = list(binding)
            kind = node.tag.replace(SRX, "")
            lang = node.get("{http://www.w3.org/XML/1998/namespace}lang")
            row[binding.get("name") or ""] = norm_term(
                "uri" if kind == "uri" else kind, node.text or "", node.get("datatype"), lang
            )
        out.append(row)
    return out


def csv_table(body: bytes, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter)
    rows = list(reader)
    return rows[0], rows[1:]


def csv_values(rows: list[dict[str, Any]], names: list[str]) -> Counter[tuple[str, ...]]:
    """What the CSV format keeps of each term: its lexical value (IRIs bare, literals without tags)."""
    return Counter(tuple(row[n].value if n in row else "" for n in names) for row in rows)


def get_json(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return json.loads(response.content)


def sparql(server: Any, text: str, method: str = "GET", accept: str | None = None, **params: Any) -> requests.Response:
    """One SPARQL Protocol request, by GET, POST form-encoded ('form') or POST application/sparql-query ('direct')."""
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return requests.get(server.url + "/sparql", params={"query": text, **params}, headers=headers, timeout=60)
    if method == "form":
        return requests.post(server.url + "/sparql", data={"query": text, **params}, headers=headers, timeout=60)
    headers["Content-Type"] = "application/sparql-query"
    return requests.post(server.url + "/sparql", params=params, data=text.encode("utf-8"), headers=headers, timeout=60)
