"""Literal checks with rdflib's semantics, for the few values SPARQL cannot settle alone.

The fast validator filters values in SPARQL; values whose verdict could depend on how rdflib reads a
literal (ill-typed lexical forms, comparisons across datatypes) are re-checked here exactly as pyshacl
does, so both engines agree on them too.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

# Lexical forms SPARQL may accept without asking rdflib: every match is a well-typed value for rdflib too.
SAFE_LEXICAL = {str(XSD.integer): "^[+-]?[0-9]+$"}

_ACTUAL: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date, XSD.time: datetime.time,
    XSD.dateTime: datetime.datetime,
}


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs every ill-typed literal it reads; these are expected here."""
    logger = logging.getLogger("rdflib.term")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def _actual(value: Literal, datatype: URIRef) -> bool:
    expected = _ACTUAL.get(datatype)
    return True if expected is None else isinstance(value.value, expected)


def datatype_matches(node: Node, datatype: str) -> bool:
    """sh:datatype: is `node` a literal of `datatype` (and, for types rdflib knows, well-typed)?"""
    if not isinstance(node, Literal):
        return False
    rule = URIRef(datatype)
    if node.datatype == rule:
        return getattr(node, "ill_typed", None) is not True and _actual(node, rule)
    if rule == RDFS.Literal:
        return True
    if node.datatype is None and node.language is None and rule == XSD.string:
        return _actual(node, rule)
    if rule == RDF.langString and node.language:
        return _actual(node, rule)
    return False


def _compare(a: Literal, b: Literal) -> int:
    if a.eq(b):
        return 0
    if a.value.__class__ in (datetime.datetime, datetime.time):
        if a.value == b.value:
            return 0
        if a.value > b.value:
            return 1
    elif a > b:
        return 1
    return -1


def in_range(node: Node, kind: str, bound: Literal) -> bool:
    """sh:minInclusive and friends, as pyshacl compares: strings only with strings, errors fail."""
    if not isinstance(node, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(node.value, str):
        return False
    try:
        order = _compare(node, bound)
    except (TypeError, NotImplementedError):
        return False
    return {"minInclusive": order >= 0, "minExclusive": order > 0, "maxInclusive": order <= 0, "maxExclusive": order < 0}[kind]
