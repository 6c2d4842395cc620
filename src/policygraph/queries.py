"""The query catalogue: queries/*.rq with their front-matter, and typed parameter binding.

Each file starts with a YAML block written as comments between two `# ---` lines:

    # ---
    # title: Who works on an issue
    # description: Organisations that work on a policy issue or on any narrower issue.
    # parameters:
    #   issue:
    #     type: issue
    #     default: development
    #     description: The policy issue, by its key (or a full IRI).
    # ---
    SELECT ... WHERE { ?topic skos:broader* ?issue ... }

A parameter is a variable of the query. Its value is turned into a typed RDF term (an IRI, an integer,
a year...) and bound with pyoxigraph's `substitutions=`, never pasted into the text. A value that does
not fit its type is refused with a 400 naming the parameter. pyoxigraph substitutes only variables
that a SELECT projects, so each parameter is also a result column (and, in an aggregate query, a GROUP
BY key); loading checks that every query runs with its defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import yaml

from policygraph.errors import InputError, NotFound
from policygraph.limits import MAX_STRING, check_length
from policygraph.namespaces import Minter
from policygraph.prefixes import PG, prologue

XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT = re.compile(r"\A(?:[ \t]*\n)*#[ \t]*---[ \t]*\n(?P<body>(?:#.*\n)*?)#[ \t]*---[ \t]*\n", re.M)
_YEAR = re.compile(r"^-?\d{4}$")
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")

# Resource kinds whose values may be given as a key: 'wmo' -> {base}id/organisation/wmo.
RESOURCE_TYPES = ("organisation", "initiative", "issue", "partnership", "profile", "section",
                  "initiative-kind", "partnership-kind", "organisation-type", "role")
LITERAL_TYPES = ("string", "integer", "decimal", "boolean", "year", "date")
TYPES = ("iri", *RESOURCE_TYPES, *LITERAL_TYPES)
RESERVED = frozenset({"format"})  # request parameters that are not query parameters
MAX_DECIMAL_EXPONENT = 100  # a decimal parameter's value lies within 1e-100 and 1e100 (or is 0)

Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str
    description: str
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class CatalogueQuery:
    name: str  # the file's stem: /queries/<name>
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str  # the whole file, front-matter included (comments are valid SPARQL)
    path: Path

    def bind(self, values: Mapping[str, str], base: str) -> dict[str, Term]:
        """Typed terms for every parameter: the given value, or the default. Raises InputError (400)."""
        unknown = sorted(set(values) - {p.name for p in self.parameters} - RESERVED)
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise InputError(f"unknown parameter {unknown[0]!r} for query {self.name!r}; its parameters: {known}")
        bound: dict[str, Term] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            raw = p.default if raw is None or not raw.strip() else raw.strip()
            bound[p.name] = to_term(p, raw, base)
        return bound


def _literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _integer(p: Parameter, raw: str) -> ox.Literal:
    try:
        number = int(raw)
    except ValueError:
        raise InputError(f"parameter {p.name!r}: expected an integer, got {raw!r}") from None
    if p.minimum is not None and number < p.minimum:
        raise InputError(f"parameter {p.name!r}: must be at least {p.minimum}, got {number}")
    if p.maximum is not None and number > p.maximum:
        raise InputError(f"parameter {p.name!r}: must be at most {p.maximum}, got {number}")
    return _literal(str(number), "integer")


def _decimal(p: Parameter, raw: str) -> ox.Literal:
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise InputError(f"parameter {p.name!r}: expected a decimal number, got {raw!r}") from None
    if not number.is_finite():
        raise InputError(f"parameter {p.name!r}: expected a finite decimal number, got {raw!r}")
    if abs(number.adjusted()) > MAX_DECIMAL_EXPONENT:
        # Written out in full below: '1e999999999' would become a billion digits.
        raise InputError(f"parameter {p.name!r}: {raw!r} is out of range: the exponent may be at most "
                         f"{MAX_DECIMAL_EXPONENT} either way")
    return _literal(format(number, "f"), "decimal")


def _boolean(p: Parameter, raw: str) -> ox.Literal:
    if raw.lower() not in ("true", "false", "1", "0"):
        raise InputError(f"parameter {p.name!r}: expected true or false, got {raw!r}")
    return _literal("true" if raw.lower() in ("true", "1") else "false", "boolean")


def _matching(pattern: re.Pattern[str], datatype: str, what: str) -> Callable[[Parameter, str], ox.Literal]:
    def convert(p: Parameter, raw: str) -> ox.Literal:
        if not pattern.match(raw):
            raise InputError(f"parameter {p.name!r}: expected {what}, got {raw!r}")
        return _literal(raw, datatype)

    return convert


def _string(p: Parameter, raw: str) -> ox.Literal:
    # The engine compares a string parameter with many values (a search compares it with every label).
    check_length(f"parameter {p.name!r}", raw, MAX_STRING)
    return ox.Literal(raw)


_LITERALS: dict[str, Callable[[Parameter, str], ox.Literal]] = {
    "string": _string,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "year": _matching(_YEAR, "gYear", "a year such as 2024"),
    "date": _matching(_DATE, "date", "a date such as 2024-06-30"),
}


def _iri(p: Parameter, raw: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(raw)
    except ValueError as exc:
        raise InputError(f"parameter {p.name!r}: expected an absolute IRI, got {raw!r} ({exc})") from None


def to_term(p: Parameter, raw: str, base: str) -> Term:
    """The typed RDF term for one parameter value."""
    if p.type in _LITERALS:
        return _LITERALS[p.type](p, raw)
    if p.type == "iri" or raw.startswith(("http://", "https://", "urn:")):
        return _iri(p, raw)
    if not _KEY.match(raw):
        raise InputError(f"parameter {p.name!r}: expected the key of a {p.type} (such as lowercase-words) "
                         f"or a full IRI, got {raw!r}")
    return ox.NamedNode(Minter(base).concept(p.type, raw))


def _front_matter(path: Path, text: str) -> dict[str, object]:
    match = _FRONT.match(text)
    if match is None:
        raise InputError(f"{path}: no front-matter: start the file with '# ---', comment lines of YAML, '# ---'")
    lines = [re.sub(r"^#[ ]?", "", line) for line in match.group("body").splitlines()]
    try:
        data = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: front-matter is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: front-matter must be a mapping (title, description, parameters)")
    return data


def _parameters(path: Path, data: object) -> tuple[Parameter, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise InputError(f"{path}: 'parameters' must map names to {{type, default, description}}")
    out = []
    for name, spec in data.items():
        if not isinstance(spec, dict):
            raise InputError(f"{path}: parameter {name!r} must have type, default and description")
        kind = str(spec.get("type", ""))
        if kind not in TYPES:
            raise InputError(f"{path}: parameter {name!r} has unknown type {kind!r}; known: {', '.join(TYPES)}")
        if "default" not in spec or not str(spec.get("description", "")).strip():
            raise InputError(f"{path}: parameter {name!r} needs a default and a description")
        out.append(Parameter(str(name), kind, str(spec["default"]), str(spec["description"]).strip(),
                             spec.get("min"), spec.get("max")))
    return tuple(out)


def load_query(path: Path, base: str) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    data = _front_matter(path, text)
    title, description = str(data.get("title", "")).strip(), str(data.get("description", "")).strip()
    if not title or not description:
        raise InputError(f"{path}: every catalogue query needs a title and a description")
    if not _NAME.match(path.stem):
        raise InputError(f"{path}: a query's file name must be lowercase words joined by '-'")
    query = CatalogueQuery(path.stem, title, description, _parameters(path, data.get("parameters")), text, path)
    # Every default must fit its type, and the query must parse and accept its bindings (pyoxigraph
    # substitutes only variables that a SELECT projects): fail at load, not at the first request.
    bound = {ox.Variable(name): term for name, term in query.bind({}, base).items()}
    try:
        ox.Store().query(text, substitutions=bound)
    except (SyntaxError, RuntimeError) as exc:
        raise InputError(f"{path}: the query does not run with its default parameters: {exc}") from None
    return query


def load_catalogue(directory: Path, base: str) -> dict[str, CatalogueQuery]:
    """Every queries/*.rq by name, sorted. Raises InputError naming the file on any problem."""
    if not directory.is_dir():
        raise InputError(f"the query catalogue directory {directory} does not exist")
    return {q.name: q for q in (load_query(p, base) for p in sorted(directory.glob("*.rq")))}


# Choices offered in the forms for parameters that name a resource: its instances, or its scheme's concepts.
_CLASS_OF = {
    "organisation": PG + "Organisation",
    "initiative": PG + "Initiative",
    "issue": PG + "PolicyIssue",
    "partnership": PG + "Partnership",
    "profile": PG + "Profile",
}
_SCHEMES = ("initiative-kind", "partnership-kind", "organisation-type", "role")
OPTIONS_OF_CLASS = prologue("skos", "rdfs") + """SELECT ?item (MIN(STR(?name)) AS ?label) ?class
WHERE { ?item a ?class ; skos:prefLabel|rdfs:label ?name . }
GROUP BY ?item ?class ORDER BY ?label"""
OPTIONS_OF_SCHEME = prologue("skos") + """SELECT ?item (MIN(STR(?name)) AS ?label) ?scheme
WHERE { ?item skos:inScheme ?scheme ; skos:prefLabel ?name . }
GROUP BY ?item ?scheme ORDER BY ?label"""


def options(store: ox.Store, kind: str, base: str) -> list[tuple[str, str]]:
    """(key, label) choices for a resource-typed parameter, from the store; [] for other types."""
    minter = Minter(base)
    if kind in _CLASS_OF:
        query, bound = OPTIONS_OF_CLASS, {ox.Variable("class"): ox.NamedNode(_CLASS_OF[kind])}
    elif kind in _SCHEMES:
        query, bound = OPTIONS_OF_SCHEME, {ox.Variable("scheme"): ox.NamedNode(minter.concept("scheme", kind))}
    else:
        return []
    prefix = minter.concept(kind, "")
    result = store.query(query, substitutions=bound)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        item, label = row["item"], row["label"]
        if isinstance(item, ox.NamedNode) and item.value.startswith(prefix) and label is not None:
            out.append((item.value[len(prefix):], label.value))
    return out


class Catalogue:
    """The catalogue of one settings object, re-read when a file changes (the files are small)."""

    def __init__(self, directory: Path, base: str) -> None:
        self.directory, self.base = directory, base
        self._stamp: tuple[tuple[str, float], ...] = ()
        self._queries: dict[str, CatalogueQuery] = {}

    def all(self) -> dict[str, CatalogueQuery]:
        stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in self.directory.glob("*.rq")))
        if stamp != self._stamp:
            self._queries, self._stamp = load_catalogue(self.directory, self.base), stamp
        return self._queries

    def get(self, name: str) -> CatalogueQuery:
        query = self.all().get(name)
        if query is None:
            raise NotFound(f"there is no catalogue query {name!r}; see /queries for the list")
        return query
