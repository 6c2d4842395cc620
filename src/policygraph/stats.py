"""Counts per class and per profiled organisation, from the store."""

from __future__ import annotations

import pyoxigraph as ox

from policygraph.audit import audit_store, audit_table
from policygraph.prefixes import prologue

PREFIX = prologue("pg", "schema", "skos", "foaf")

CLASS_COUNTS = PREFIX + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?class { pg:Organisation pg:Initiative pg:Partnership pg:PolicyIssue pg:Profile pg:Section
                  pg:Evidence pg:Involvement pg:StatedTriple pg:Derivation pg:UnnamedActivity foaf:OnlineAccount
                  schema:CreativeWork }
  ?s a ?class
} GROUP BY ?class ORDER BY ?class"""

# One sub-select per count: joining the OPTIONALs in one group would multiply rows (seconds, not ms).
PER_ORGANISATION = PREFIX + """
SELECT ?org ?name ?initiatives ?publications ?partners ?partnerships ?issues WHERE {
  ?org pg:profile ?doc ; skos:prefLabel ?name . ?doc pg:startLine ?line .
  { SELECT ?org (COUNT(DISTINCT ?x) AS ?initiatives) WHERE { ?org pg:profile [] .
      OPTIONAL { ?x pg:involvement/pg:agent ?org ; a pg:Initiative FILTER NOT EXISTS { ?x a schema:CreativeWork } } } GROUP BY ?org }
  { SELECT ?org (COUNT(DISTINCT ?x) AS ?publications) WHERE { ?org pg:profile [] .
      OPTIONAL { ?x pg:involvement/pg:agent ?org ; a pg:Initiative , schema:CreativeWork } } GROUP BY ?org }
  { SELECT ?org (COUNT(DISTINCT ?o) AS ?partners) WHERE { ?org pg:profile [] . OPTIONAL { ?org pg:partnerOf ?o } } GROUP BY ?org }
  { SELECT ?org (COUNT(DISTINCT ?p) AS ?partnerships) WHERE { ?org pg:profile [] .
      OPTIONAL { ?p a pg:Partnership ; pg:partner ?org } } GROUP BY ?org }
  { SELECT ?org (COUNT(DISTINCT ?i) AS ?issues) WHERE { ?org pg:profile ?d . OPTIONAL { ?d pg:section/pg:issue ?i } } GROUP BY ?org }
} ORDER BY ?line"""


def _rows(store: ox.Store, query: str) -> list[list[str]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [[sol[n].value if sol[n] is not None else "" for n in names] for sol in result]


def class_counts(store: ox.Store) -> dict[str, int]:
    return {iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(n) for iri, n in _rows(store, CLASS_COUNTS)}


def organisation_counts(store: ox.Store) -> list[dict[str, str | int]]:
    keys = ["key", "name", "initiatives", "publications", "partners", "partnerships", "issues"]
    out = []
    for row in _rows(store, PER_ORGANISATION):
        record: dict[str, str | int] = dict(zip(keys, [row[0].rsplit("/", 1)[-1], row[1], *map(int, row[2:])]))
        out.append(record)
    return out


def stats_tables(store: ox.Store, markdown: bool = False) -> str:
    classes = class_counts(store)
    orgs = organisation_counts(store)
    head = ["organisation", "initiatives", "publications", "partners", "partnerships", "issues"]
    rows = [[str(o["name"]), *(str(o[k]) for k in head[1:])] for o in orgs]
    totals = ["all profiles", *(str(sum(int(o[k]) for o in orgs)) for k in head[1:])]
    evidence = audit_table(audit_store(store), markdown)
    if markdown:
        lines = ["| class | count |", "|---|---:|", *(f"| {k} | {v} |" for k, v in classes.items()), ""]
        lines += ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines) + "\n\nEvidence of relationships:\n\n" + evidence
    width = max(len(r[0]) for r in rows + [head, totals])
    lines = [f"{k:<24}{v:>8}" for k, v in classes.items()]
    lines += ["", head[0].ljust(width) + "".join(h.rjust(14) for h in head[1:])]
    lines += [r[0].ljust(width) + "".join(c.rjust(14) for c in r[1:]) for r in rows]
    lines += [totals[0].ljust(width) + "".join(c.rjust(14) for c in totals[1:])]
    return "\n".join(lines) + "\n\nEvidence of relationships\n" + evidence
