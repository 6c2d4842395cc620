"""The evidence audit of a built store: does every relationship carry a quote, and does every quote
support the statement it is attached to?

It reads the store with SPARQL (any store: embedded or remote) and applies the rules of
`policygraph.curated.support`, the ones the build used to choose the quotes, to the statements as they
are stored: an independent check of the graph, whatever wrote it (the build, or a write since).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from policygraph.curated.support import Issue, Names, Place, involvement_problem, issue_problem, link_problem
from policygraph.prefixes import DCTERMS, SCHEMA, prologue

PREFIXES = prologue("pg", "rdf", "skos", "dcterms", "schema", "prov", "oa")
ROLE = "https://w3id.org/policygraph/id/role/"  # the local names of the role concepts are their keys
AUTHORSHIP = ("publisher", "author")
LINKS = {DCTERMS + "subject": "issue tags", DCTERMS + "isPartOf": "part-of links", SCHEMA + "about": "partnership subjects"}
KINDS = ("involvements", "memberships", "publisher/author links", "issue tags", "part-of links", "partnership subjects")

INVOLVEMENTS = """SELECT ?st ?thing ?org ?role ?partnership WHERE {
  ?thing pg:involvement ?st . ?st pg:agent ?org . OPTIONAL { ?st pg:role ?role }
  BIND (EXISTS { ?thing a pg:Partnership } AS ?partnership) }"""
LINKED = """SELECT ?s ?p ?o WHERE {
  VALUES ?p { dcterms:subject dcterms:isPartOf schema:about }
  ?s ?p ?o . { ?s a pg:Initiative } UNION { ?s a pg:Partnership } }"""
STATED = """SELECT ?st ?s ?p ?o WHERE { ?st a pg:StatedTriple ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  VALUES ?p { dcterms:subject dcterms:isPartOf schema:about } }"""
QUOTES = """SELECT ?st ?quote ?section WHERE {
  { ?st a pg:Involvement } UNION { ?st a pg:StatedTriple }
  ?st pg:evidence ?e . ?e oa:exact ?quote ; prov:wasDerivedFrom ?section }"""
SECTIONS = """SELECT ?section ?heading ?parent ?issue ?profile WHERE {
  ?section a pg:Section ; dcterms:isPartOf ?profile . OPTIONAL { ?section pg:heading ?heading }
  OPTIONAL { ?section pg:parentSection ?parent } OPTIONAL { ?section pg:issue ?issue } }"""
NAMES = """SELECT ?x ?label ?profile WHERE {
  { ?x a pg:Organisation } UNION { ?x a pg:Initiative }
  { ?x skos:prefLabel ?label } UNION { ?x skos:altLabel ?label } UNION { ?x pg:acronym ?label }
  UNION { ?x pg:profile ?profile } }"""
ISSUES = """SELECT ?issue ?label ?broader WHERE { ?issue a pg:PolicyIssue .
  { ?issue skos:prefLabel ?label } UNION { ?issue skos:altLabel ?label } UNION { ?issue skos:hiddenLabel ?label }
  UNION { ?issue skos:broader ?broader } }"""
PARTNERSHIPS = """SELECT ?p ?partner ?about WHERE { ?p a pg:Partnership .
  { ?p pg:partner ?partner } UNION { ?p schema:about ?about } }"""


@dataclass
class Count:
    total: int = 0
    quoted: int = 0  # carry at least one quote
    supported: int = 0  # carry quotes, and every one of them passes the support rules

    def percent(self, part: int) -> str:
        return f"{100 * part / self.total:.1f} %" if self.total else "—"


@dataclass
class Audit:
    counts: dict[str, Count] = field(default_factory=lambda: {k: Count() for k in KINDS})
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (statement or triple, what, why)

    @property
    def complete(self) -> bool:
        return not self.problems and all(c.quoted == c.supported == c.total for c in self.counts.values())


def _rows(store: Any, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


class NamesIndex:
    """What the support rules need to know, read from a store: names of organisations and initiatives, the
    place of each section (profile, headings, issues), issues with their labels, partnerships."""

    def __init__(self, store: Any) -> None:
        self.labels: dict[str, list[str]] = defaultdict(list)
        self.own: dict[str, set[str]] = defaultdict(set)  # organisation -> its profiles
        for row in _rows(store, NAMES):
            if "label" in row:
                self.labels[row["x"]].append(row["label"])
            if "profile" in row:
                self.own[row["x"]].add(row["profile"])
        self.places: dict[str, Place] = {}
        sections: dict[str, dict[str, Any]] = defaultdict(lambda: {"issues": set()})
        for row in _rows(store, SECTIONS):
            s = sections[row["section"]]
            s.update({k: row[k] for k in ("heading", "parent", "profile") if k in row})
            if "issue" in row:
                s["issues"].add(row["issue"])
        for iri in sections:
            headings, issues, at, seen = [], set(), iri, set()
            while at in sections and at not in seen:
                seen.add(at)
                if "heading" in sections[at]:
                    headings.append(sections[at]["heading"])
                issues |= sections[at]["issues"]
                at = sections[at].get("parent", "")
            self.places[iri] = Place(sections[iri]["profile"], tuple(headings), frozenset(issues))
        issue_labels: dict[str, list[str]] = defaultdict(list)
        broader: dict[str, set[str]] = defaultdict(set)
        for row in _rows(store, ISSUES):
            if "label" in row:
                issue_labels[row["issue"]].append(row["label"])
            if "broader" in row:
                broader[row["issue"]].add(row["broader"])
        narrower: dict[str, set[str]] = defaultdict(set)
        for issue in issue_labels:
            todo, seen = [issue], set()
            while todo:
                up = todo.pop()
                if up not in seen:
                    seen.add(up)
                    narrower[up].add(issue)
                    todo += broader.get(up, ())
        self.issues = {i: Issue(i, Names(f"issue <{i}>", tuple(x for n in sorted(narrower[i]) for x in issue_labels[n])),
                                frozenset(narrower[i])) for i in issue_labels}
        self.partners: dict[str, list[str]] = defaultdict(list)
        self.about: dict[str, list[str]] = defaultdict(list)
        for row in _rows(store, PARTNERSHIPS):
            if "partner" in row:
                self.partners[row["p"]].append(row["partner"])
            if "about" in row:
                self.about[row["p"]].append(row["about"])

    def names(self, iri: str) -> Names:
        return Names(f"<{iri}>", tuple(self.labels.get(iri, ())), frozenset(self.own.get(iri, ())))

    def partnership(self, iri: str, member: str) -> Names:
        out = Names(f"the partnership <{iri}>")
        for other in [p for p in self.partners.get(iri, []) if p != member] + self.about.get(iri, []):
            out = out | self.names(other)
        return out


def audit_store(store: Any) -> Audit:
    """Count, per kind of relationship, how many carry a quote and how many are supported by all theirs."""
    reader = NamesIndex(store)
    audit = Audit()
    quotes: dict[str, list[tuple[str, Place | None]]] = defaultdict(list)
    for row in _rows(store, QUOTES):
        quotes[row["st"]].append((row["quote"], reader.places.get(row["section"])))

    def judge(kind: str, subject: str, attached: list[tuple[str, Place | None]], problem: Any) -> None:
        count = audit.counts[kind]
        count.total += 1
        if not attached:
            audit.problems.append((subject, kind, "no quote"))
            return
        count.quoted += 1
        reasons = [why for text, place in attached
                   for why in [problem(text, place) if place is not None else "its section is unknown"] if why]
        if reasons:
            audit.problems.append((subject, kind, reasons[0]))
        else:
            count.supported += 1

    for row in _rows(store, INVOLVEMENTS):
        role = row.get("role", "").removeprefix(ROLE)
        partnership = row.get("partnership") == "true"
        kind = "memberships" if partnership else "publisher/author links" if role in AUTHORSHIP else "involvements"
        org = reader.names(row["org"])
        thing = reader.partnership(row["thing"], row["org"]) if partnership else reader.names(row["thing"])
        judge(kind, row["st"], quotes.get(row["st"], []),
              lambda text, place, org=org, thing=thing: involvement_problem(text, place, org, thing))

    stated: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in _rows(store, STATED):
        stated[(row["s"], row["p"], row["o"])].append(row["st"])
    for row in _rows(store, LINKED):
        s, p, o = row["s"], row["p"], row["o"]
        attached = [q for st in stated.get((s, p, o), []) for q in quotes.get(st, [])]
        if p == DCTERMS + "subject":
            issue = reader.issues.get(o, Issue(o, Names(f"<{o}>")))
            problem: Any = lambda text, place, issue=issue: issue_problem(text, place, issue)  # noqa: E731
        elif p == DCTERMS + "isPartOf":
            ends = [reader.names(s), reader.names(o)]
            problem = lambda text, place, ends=ends: link_problem(text, place, ends)  # noqa: E731
        else:
            partners = Names("a partner")
            for partner in reader.partners.get(s, []):
                partners = partners | reader.names(partner)
            ends = [reader.names(o), partners]
            problem = lambda text, place, ends=ends: link_problem(text, place, ends)  # noqa: E731
        judge(LINKS[p], f"{s} {p} {o}", attached, problem)
    return audit


def audit_table(audit: Audit, markdown: bool = False) -> str:
    head = ["relationship", "count", "with a quote", "every quote supports it"]
    rows = [[k, str(c.total), c.percent(c.quoted), c.percent(c.supported)] for k, c in audit.counts.items()]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|"] + ["| " + " | ".join(r) + " |" for r in rows]
    else:
        lines = [f"{head[0]:<24}{head[1]:>8}{head[2]:>16}{head[3]:>26}"]
        lines += [f"{r[0]:<24}{r[1]:>8}{r[2]:>16}{r[3]:>26}" for r in rows]
    lines += [f"unsupported: {what} {subject}: {why}" for subject, what, why in audit.problems[:50]]
    if len(audit.problems) > 50:
        lines.append(f"… and {len(audit.problems) - 50} more")
    return "\n".join(lines)
