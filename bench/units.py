"""One synthetic profiled organisation and everything curated about it (see generate.py), and the
violations that can be injected into it."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from policygraph.derive import derive_query
from policygraph.store.merge import merged

BASE = "https://w3id.org/policygraph/"
ID = BASE + "id/"
PG = "https://w3id.org/policygraph/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
OA_EXACT = "<http://www.w3.org/ns/oa#exact>"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

ADJECTIVES = ["Global", "Open", "Digital", "Inclusive", "Trusted", "Secure", "Sustainable", "Regional", "Civic",
              "Geneva", "Lemanic", "Responsible", "Resilient", "Interoperable", "Coopérative"]
TOPICS = ["Data Governance", "Cyber Resilience", "Artificial Intelligence", "Digital Trade", "Online Safety",
          "Connectivity", "E-Government", "Digital Identity", "Climate Data", "Health Informatics",
          "Internet Standards", "Privacy", "Digital Skills", "Humanitarian Tech", "Financial Inclusion"]
BODIES = ["Institute", "Alliance", "Foundation", "Centre", "Network", "Council", "Observatory", "Forum", "Lab"]
THINGS = ["Platform", "Programme", "Initiative", "Toolkit", "Observatory", "Academy", "Dialogue", "Index",
          "Fund", "Hub", "Report", "Compact", "Standard", "Course", "Dataset"]
WORDS = ("policy digital governance member states capacity building data cooperation international trade "
         "standards network security rights inclusion development research partners public private sector "
         "platform innovation sustainable access online infrastructure regulation framework dialogue "
         "multilateral stakeholders evidence transparency accountability résilience société numérique").split()
SERVICES = ["X", "LinkedIn", "YouTube", "Facebook", "Instagram", "Mastodon", "Flickr"]
MAIN_SECTIONS = [("description", "DescriptionSection"), ("digital-activities", "ActivitiesSection"),
                 ("digital-policy-issues", "IssuesSection")]
TAIL_SECTIONS = [("digital-tools", "ToolsSection", "Digital tools"),
                 ("social-media-channels", "SocialMediaSection", "Social media channels")]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("é", "e")).strip("-")


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{body}"@{lang}' if lang else f'"{body}"^^<{datatype}>' if datatype else f'"{body}"'


def iri(value: str) -> str:
    return f"<{value}>"


@dataclass
class Vocabulary:
    issues: list[tuple[str, list[str]]]  # non-basket issue IRI, its labels (headings seen in profiles)
    baskets: list[str]
    concepts: dict[str, list[str]]  # scheme key -> concept IRIs
    joint: list[ox.Quad]  # the roles' pg:jointWork flags (what the derived graph reads of the vocabulary)

    @classmethod
    def read(cls, ontology: Path) -> Vocabulary:
        store = ox.Store()
        store.bulk_load(path=ontology / "issues.ttl", format=ox.RdfFormat.TURTLE)
        store.bulk_load(path=ontology / "kinds.ttl", format=ox.RdfFormat.TURTLE)
        labels: dict[str, list[str]] = {}
        baskets: list[str] = []
        query = f"""SELECT ?c ?label ?top WHERE {{ ?c a <{PG}PolicyIssue> ; <{SKOS}prefLabel>|<{SKOS}altLabel> ?label
                    OPTIONAL {{ ?c <{SKOS}topConceptOf> ?top }} }} ORDER BY ?c ?label"""
        for sol in store.query(query):  # type: ignore[union-attr]
            if sol["top"] is not None:
                baskets.append(sol["c"].value)
            else:
                labels.setdefault(sol["c"].value, []).append(sol["label"].value)
        concepts: dict[str, list[str]] = {}
        for sol in store.query(f"SELECT ?c ?s WHERE {{ ?c <{SKOS}inScheme> ?s }} ORDER BY ?c"):  # type: ignore[union-attr]
            concepts.setdefault(sol["s"].value.rsplit("/", 1)[-1], []).append(sol["c"].value)
        joint = list(store.quads_for_pattern(None, ox.NamedNode(PG + "jointWork"), None, None))
        return cls(sorted(labels.items()), sorted(set(baskets)), concepts, joint)


def org_name(seed: int, i: int) -> str:
    rng = random.Random(f"{seed}/{i}/name")
    return f"{rng.choice(ADJECTIVES)} {rng.choice(BODIES)} for {rng.choice(TOPICS)} {i}"


class Unit:
    """The profile graph and curated graph of organisation `i`, plus its share of the derived graph."""

    def __init__(self, vocab: Vocabulary, i: int, seed: int, units: int) -> None:
        self.vocab, self.i, self.rng = vocab, i, random.Random(f"{seed}/{i}")
        self.name = org_name(seed, i)
        self.key = slug(self.name)
        self.org = ID + "organisation/" + self.key
        self.other = ID + "organisation/" + slug(org_name(seed, (i - 1) % units)) if units > 1 else None
        self.graphs = {"profile": iri(f"{BASE}graph/profile/{self.key}"), "curated": iri(f"{BASE}graph/curated/{self.key}"),
                       "derived": iri(f"{BASE}graph/derived")}
        self.quads: list[tuple[str, str, str, str]] = []
        self.sentences: dict[str, list[str]] = {}
        self.initiatives: list[str] = []
        self.partnerships: list[tuple[str, list[str]]] = []
        self.partners: list[str] = []
        self.evidence: list[str] = []
        self.sections: list[str] = []
        self.issue_sections: list[str] = []
        self.accounts: list[str] = []
        self._quotes: set[str] = set()
        self._curate()
        self._profile()

    # ---- helpers

    def add(self, s: str, p: str, o: str, graph: str = "curated") -> None:
        self.quads.append((s, p, o, self.graphs[graph]))

    def concept(self, scheme: str) -> str:
        return iri(self.rng.choice(self.vocab.concepts[scheme]))

    def section(self, path: str) -> str:
        return iri(f"{ID}section/{self.key}/{path}")

    def say(self, path: str, sentence: str) -> str:
        """Add a sentence to a section's text; the sentence is the verbatim quote that cites it."""
        self.sentences.setdefault(path, []).append(sentence)
        return sentence

    def cite(self, fact: str, path: str, sentence: str) -> str:
        """Say the sentence in the section and cite it as evidence of `fact`; returns the quote node."""
        quote = self.say(path, sentence)
        digest = hashlib.sha1((path + "\n" + quote).encode()).hexdigest()[:12]
        node = iri(f"{ID}quote/{self.key}/{digest}")
        self.add(fact, iri(PG + "evidence"), node)
        self.add(fact, iri(PROV + "wasDerivedFrom"), self.section(path))
        if node not in self._quotes:
            self._quotes.add(node)
            self.add(node, RDF_TYPE, iri(PG + "Evidence"))
            self.add(node, OA_EXACT, lit(quote))
            self.add(node, iri(PROV + "wasDerivedFrom"), self.section(path))
            self.evidence.append(node)
        return node

    def filler(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    def statement(self, fact: str, *what: str) -> str:
        kind, key = fact[1:-1][len(ID):].split("/", 1)
        return iri(f"{ID}statement/{self.key}/{kind}/{key}/{'/'.join(what)}")

    def stated(self, node: str, quote: str) -> None:
        self.add(node, iri(PG + "statedIn"), iri(ID + "profile/" + self.key))
        self.add(node, iri(PG + "evidence"), quote)

    def involve(self, fact: str, org: str, role: str, quote: str) -> None:
        node = self.statement(fact, "involvement", org[1:-1].rsplit("/", 1)[-1], role[1:-1].rsplit("/", 1)[-1])
        self.add(fact, iri(PG + "involvement"), node)
        self.add(node, RDF_TYPE, iri(PG + "Involvement"))
        self.add(node, iri(PG + "agent"), org)
        self.add(node, iri(PG + "role"), role)
        self.stated(node, quote)

    def state(self, fact: str, prop: str, value: str, quote: str, *what: str) -> None:
        """The triple, and its pg:StatedTriple with this profile and the quote."""
        self.add(fact, iri(prop), value)
        node = self.statement(fact, *what)
        for p, o in ((RDF_TYPE, iri(PG + "StatedTriple")), (iri(RDF + "subject"), fact), (iri(RDF + "predicate"), iri(prop)),
                     (iri(RDF + "object"), value)):
            self.add(node, p, o)
        self.stated(node, quote)

    # ---- curated facts

    def _curate(self) -> None:
        rng, org = self.rng, iri(self.org)
        self.issues = rng.sample(self.vocab.issues, rng.randint(3, 8))
        self.add(org, iri(PG + "organisationType"), self.concept("organisation-type"))
        self.cite(org, "description", f"The {self.name} is an organisation based in Geneva.")
        for k in range(rng.randint(2, 5)):
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(BODIES)} of {rng.choice(TOPICS)} {self.i}-{k}"
            partner = iri(ID + "organisation/" + slug(name))
            self.partners.append(partner)
            self.add(partner, RDF_TYPE, iri(PG + "Organisation"))
            self.add(partner, iri(SKOS + "prefLabel"), lit(name, "en"))
            self.add(partner, RDFS_LABEL, lit(name, "en"))
            self.add(partner, iri(PG + "organisationType"), self.concept("organisation-type"))
            self.cite(partner, "description", f"It works closely with the {name} on {rng.choice(WORDS)} matters.")
        paths = ["digital-activities"] + [f"digital-policy-issues/{slug(labels[0])}" for _, labels in self.issues]
        for j in range(rng.randint(25, 55)):
            self._initiative(j, paths)
        for j in range(rng.randint(3, 7)):
            self._partnership(j, paths)

    def _initiative(self, j: int, paths: list[str]) -> None:
        rng = self.rng
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(TOPICS)} {rng.choice(THINGS)} {self.i}-{j}"
        node = iri(ID + "initiative/" + slug(name))
        self.initiatives.append(node)
        self.add(node, RDF_TYPE, iri(PG + "Initiative"))
        if rng.random() < 0.1:
            self.add(node, RDF_TYPE, iri(SCHEMA + "CreativeWork"))
        self.add(node, iri(SKOS + "prefLabel"), lit(name, "en"))
        self.add(node, RDFS_LABEL, lit(name, "en"))
        self.add(node, iri(PG + "kind"), self.concept("initiative-kind"))
        where = rng.randrange(len(paths))
        issue = self.issues[where - 1][0] if where else rng.choice(self.vocab.issues)[0]
        extra = rng.choice(self.vocab.issues) if rng.random() < 0.3 else None
        subjects = {issue} | ({extra[0]} if extra else set())
        on = f" on {extra[1][0].lower()}" if extra else ""  # a quote names the issue it supports outside its section
        quote = self.cite(node, paths[where], f"The {self.name} runs the {name}{on} ({rng.choice(WORDS)}).")
        for subject in sorted(subjects):
            self.state(node, DCT + "subject", iri(subject), quote, "issue", subject.rsplit("/", 1)[-1])
        if rng.random() < 0.5:
            self.state(node, DCT + "description", lit(self.filler(12), "en"), quote, "description")
        if rng.random() < 0.4:
            self.add(node, iri(SCHEMA + "startDate"), lit(str(rng.randint(1995, 2025)), datatype=XSD + "gYear"))
        agents = [(iri(self.org), "lead")] + [(a, "partner") for a in rng.sample(self.partners, rng.randint(0, 2))]
        if self.other and rng.random() < 0.2:
            agents.append((iri(self.other), "co-organiser"))
        for agent, role in agents:
            self.involve(node, agent, iri(ID + "role/" + role), quote)

    def _partnership(self, j: int, paths: list[str]) -> None:
        rng = self.rng
        others = rng.sample(self.partners + ([iri(self.other)] if self.other else []), rng.randint(1, 2))
        partners = [iri(self.org)] + others
        node = iri(f"{ID}partnership/{self.key}-{j}")
        self.partnerships.append((node, partners))
        self.add(node, RDF_TYPE, iri(PG + "Partnership"))
        self.add(node, iri(PG + "kind"), self.concept("partnership-kind"))
        names = " – ".join(p[1:-1].rsplit("/", 1)[-1] for p in partners)
        self.add(node, RDFS_LABEL, lit(f"{names} ({j})", "en"))
        quote = self.cite(node, rng.choice(paths), f"Partnership {j} of the {self.name} brings {len(partners)} partners together.")
        for partner in partners:
            self.add(node, iri(PG + "partner"), partner)
            self.involve(node, partner, self.concept("role"), quote)
        if self.initiatives and rng.random() < 0.6:
            about = rng.choice(self.initiatives)
            self.state(node, SCHEMA + "about", about, quote, "about", about[1:-1].rsplit("/", 1)[-1])

    # ---- the profile (structural facts) comes last: section texts hold every quote

    def _profile(self) -> None:
        rng, org, doc = self.rng, iri(self.org), iri(ID + "profile/" + self.key)
        acronym = "".join(w[0] for w in self.name.split() if w[0].isupper()) + str(self.i)
        for p, o in ((RDF_TYPE, iri(PG + "Organisation")), (iri(SKOS + "prefLabel"), lit(self.name, "en")),
                     (RDFS_LABEL, lit(self.name, "en")), (iri(PG + "acronym"), lit(acronym)),
                     (iri(SKOS + "altLabel"), lit(acronym)), (iri(PG + "profile"), doc)):
            self.add(org, p, o, "profile")
        for p, o in ((RDF_TYPE, iri(PG + "Profile")), (iri(PG + "profileOf"), org),
                     (RDFS_LABEL, lit(f"Profile of {self.name}", "en")), (iri(PG + "sourceFile"), lit(f"{self.key}.txt"))):
            self.add(doc, p, o, "profile")
        for service in rng.sample(SERVICES, rng.randint(2, 5)):
            node = iri(f"{self.org}#account-{slug(service)}-{acronym.lower()}")
            self.accounts.append(node)
            self.add(org, iri(FOAF + "account"), node, "profile")
            for p, o in ((RDF_TYPE, iri(FOAF + "OnlineAccount")), (iri(PG + "service"), lit(service)),
                         (iri(FOAF + "accountName"), lit(acronym)), (RDFS_LABEL, lit(f"{service} @{acronym}")),
                         (iri(PROV + "wasDerivedFrom"), self.section("social-media-channels"))):
                self.add(node, p, o, "profile")
            self.say("social-media-channels", f"{service}: @{acronym}")
        layout = [(path, kind, self.name if path == "description" else path.replace("-", " ").capitalize(), None, None)
                  for path, kind in MAIN_SECTIONS]
        for issue, labels in self.issues:
            heading = rng.choice(labels)
            layout.append((f"digital-policy-issues/{slug(labels[0])}", "IssueHeadingSection", heading, issue,
                           "digital-policy-issues"))
        layout += [(path, kind, heading, None, None) for path, kind, heading in TAIL_SECTIONS]
        line = 1
        for order, (path, kind, heading, issue, parent) in enumerate(layout, start=1):
            node = self.section(path)
            self.sections.append(node)
            if issue:
                self.issue_sections.append(node)
            sentences = self.sentences.get(path, [])
            text = " ".join(sentences + ([self.filler(rng.randint(8, 30))] if path != "digital-policy-issues" else []))
            end = line + max(1, len(text) // 400)
            self.add(doc, iri(PG + "section"), node, "profile")
            for p, o in ((RDF_TYPE, iri(PG + "Section")), (iri(DCT + "isPartOf"), doc),
                         (iri(PG + "sectionType"), iri(PG + kind)), (iri(PG + "heading"), lit(heading)),
                         (RDFS_LABEL, lit(heading if parent else f"{heading} ({self.name})", "en")),
                         (iri(PG + "startLine"), lit(str(line), datatype=XSD + "integer")),
                         (iri(PG + "endLine"), lit(str(end), datatype=XSD + "integer")),
                         (iri(PG + "order"), lit(str(order), datatype=XSD + "integer"))):
                self.add(node, p, o, "profile")
            if text:
                self.add(node, iri(PG + "text"), lit(text), "profile")
            if parent:
                self.add(node, iri(PG + "parentSection"), self.section(parent), "profile")
            if issue:
                self.add(node, iri(PG + "issue"), iri(issue), "profile")
            line = end + 2
        self.add(doc, iri(PG + "startLine"), lit("1", datatype=XSD + "integer"), "profile")
        self.add(doc, iri(PG + "endLine"), lit(str(line), datatype=XSD + "integer"), "profile")

    def lines(self, seen: set[int] | None = None) -> list[str]:
        """The unit as N-Quads lines, its share of the derived graph computed by the build's own query.
        Derived facts about profiled organisations can come from two units (an organisation involved in
        its neighbour's initiatives): `seen` drops the repeats."""
        own = [f"{s} {p} {o} {g} .\n" for s, p, o, g in self.quads]
        store = ox.Store()
        store.extend(self.vocab.joint)
        store.extend(ox.parse(input="".join(own).encode(), format=ox.RdfFormat.N_QUADS))
        if self.other:  # the neighbour is profiled elsewhere: its own profile, not this one, says what it works on
            store.add(ox.Quad(ox.NamedNode(self.other), ox.NamedNode(PG + "profile"),
                              ox.NamedNode(self.other.replace("/organisation/", "/profile/"))))
        store.extend(list(merged(store)))  # the derived graph is computed from the default graph
        shared = {self.org, self.other} if self.other else {self.org}
        derived = []
        for t in store.query(derive_query(BASE)):  # type: ignore[union-attr]
            line = f"{t.subject} {t.predicate} {t.object} {self.graphs['derived']} .\n"
            if seen is not None and t.subject.value in shared:
                key = hash(line)
                if key in seen:
                    continue
                seen.add(key)
            derived.append(line)
        # The default graph: the merge of the unit's named graphs (store/merge.py), each triple once.
        merge = dict.fromkeys(f"{s} {p} {o} .\n" for s, p, o, _g in self.quads)
        merge.update(dict.fromkeys(line.rsplit(" <", 1)[0] + " .\n" for line in derived))
        return own + derived + list(merge)

    # ---- injected violations

    def remove(self, s: str, p: str) -> list[str]:
        gone = [q[2] for q in self.quads if q[0] == s and q[1] == p]
        self.quads = [q for q in self.quads if not (q[0] == s and q[1] == p)]
        return gone

    def replace(self, s: str, p: str, o: str, graph: str = "curated") -> None:
        self.remove(s, p)
        self.add(s, p, o, graph)

    def inject(self, kind: str, number: int) -> dict[str, str]:
        """Break one fact of this unit (the `number`-th of its kind here). Returns the manifest entry."""
        focus, message = KINDS[kind](self, number)
        return {"kind": kind, "focus": focus[1:-1], "message": message}


def _pick(items: list[str], number: int) -> str:
    return items[number % len(items)]


def _missing_label(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.initiatives, n)
    u.remove(node, iri(SKOS + "prefLabel"))
    return node, "An initiative needs exactly one name (skos:prefLabel)."


def _bad_kind(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.initiatives, n)
    u.replace(node, iri(PG + "kind"), iri(ID + "role/lead"))
    return node, "An initiative has exactly one kind, a concept of the initiative-kind scheme."


def _quote_not_in_section(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.evidence, n)
    u.replace(node, OA_EXACT, lit("a sentence that no profile contains"))
    return node, "The evidence quote is not found verbatim in the text or the heading of the section it cites"


def _single_partner(u: Unit, n: int) -> tuple[str, str]:
    node, partners = u.partnerships[n % len(u.partnerships)]
    u.quads = [q for q in u.quads if not (q[0] == node and q[1] == iri(PG + "partner") and q[2] != partners[0])]
    return node, "A partnership needs at least two distinct partner organisations."


def _unmapped_heading(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.issue_sections, n)
    u.remove(node, iri(PG + "issue"))
    return node, "is mapped to no policy issue of the scheme."


def _wrong_datatype(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.sections, n)
    order = u.remove(node, iri(PG + "order"))[0]
    u.add(node, iri(PG + "order"), lit(order.split('"')[1]), "profile")
    return node, "A section has exactly one position in its profile."


def _duplicate_partner(u: Unit, n: int) -> tuple[str, str]:
    node, partners = u.partnerships[n % len(u.partnerships)]
    involvements = [q[2] for q in u.quads if q[0] == node and q[1] == iri(PG + "involvement")]
    u.replace(involvements[-1], iri(PG + "agent"), partners[0])
    return node, "Partners of a partnership must be distinct"


def _bad_date(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.initiatives, n)
    u.replace(node, iri(SCHEMA + "startDate"), lit("last spring"))
    return node, "A start date is one xsd:gYear, xsd:gYearMonth or xsd:date."


def _end_before_start(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.sections, n)
    start = int(u.remove(node, iri(PG + "startLine"))[0].split('"')[1])
    u.add(node, iri(PG + "startLine"), lit(str(start + 5), datatype=XSD + "integer"), "profile")
    return node, "The section ends (line"


def _no_issue(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.initiatives, n)
    u.remove(node, iri(DCT + "subject"))
    return node, "The initiative is linked to no policy issue and records no reason"


def _no_organisation(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.initiatives, n)
    for involvement in [q[2] for q in u.quads if q[0] == node and q[1] == iri(PG + "involvement")]:
        u.replace(involvement, iri(PG + "agent"), iri(u.vocab.baskets[0]))
    return node, "The initiative is linked to no organisation."


def _missing_org_type(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.partners, n)
    u.remove(node, iri(PG + "organisationType"))
    return node, "This organisation has no organisation type yet."


def _duplicate_name(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.partners, n)
    u.add(node, iri(SKOS + "prefLabel"), lit("A second name", "en"))
    return node, "An organisation needs exactly one name (skos:prefLabel) per language."


def _account_no_service(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.accounts, n)
    u.remove(node, iri(PG + "service"))
    return node, "An online account names exactly one service."


def _two_source_files(u: Unit, n: int) -> tuple[str, str]:
    node = iri(ID + "profile/" + u.key)
    u.add(node, iri(PG + "sourceFile"), lit(f"copy-{n}.txt"), "profile")
    return node, "A profile names exactly one source file."


def _issue_not_issue(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.issue_sections, n)
    u.add(node, iri(PG + "issue"), iri(ID + "initiative-kind/project"), "profile")
    return node, "A section's issue is a policy issue of the scheme."


def _empty_quote(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.evidence, n)
    u.replace(node, OA_EXACT, lit(""))
    return node, "Evidence holds exactly one non-empty quote (oa:exact)."


def _start_line_zero(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.sections, n)
    u.replace(node, iri(PG + "startLine"), lit("0", datatype=XSD + "integer"), "profile")
    return node, "A section has exactly one start line, a positive integer."


def _no_evidence(u: Unit, n: int) -> tuple[str, str]:
    node = _pick(u.partners, n)
    u.remove(node, iri(PG + "evidence"))
    return node, "An organisation is either profiled or backed by evidence that the profiles name it."


def _unquoted_involvement(u: Unit, n: int) -> tuple[str, str]:
    node = _pick([q[2] for q in u.quads if q[1] == iri(PG + "involvement")], n)
    u.remove(node, iri(PG + "evidence"))
    return node, "A statement needs at least one evidence quote."


def _unstated_tag(u: Unit, n: int) -> tuple[str, str]:
    statements = [q[0] for q in u.quads if q[1] == iri(RDF + "predicate") and q[2] == iri(DCT + "subject")]
    node = _pick(statements, n)
    fact = next(q[2] for q in u.quads if q[0] == node and q[1] == iri(RDF + "subject"))
    u.remove(node, iri(PG + "evidence"))
    return fact, "is stated by no profile with a quote"


def _top_and_broader(u: Unit, n: int) -> tuple[str, str]:
    node = iri(u.vocab.issues[(u.i + n) % len(u.vocab.issues)][0])
    u.add(node, iri(SKOS + "topConceptOf"), iri(ID + "scheme/issues"))
    return node, "A policy issue is either a basket (top concept) or stands under a broader issue, not both."


KINDS: dict[str, Callable[[Unit, int], tuple[str, str]]] = {
    "missing-label": _missing_label, "bad-kind": _bad_kind, "quote-not-in-section": _quote_not_in_section,
    "single-partner": _single_partner, "unmapped-issue-heading": _unmapped_heading,
    "wrong-datatype": _wrong_datatype, "duplicate-partner": _duplicate_partner, "bad-date": _bad_date,
    "end-before-start": _end_before_start, "no-issue": _no_issue, "no-organisation": _no_organisation,
    "missing-org-type": _missing_org_type, "duplicate-name": _duplicate_name,
    "account-no-service": _account_no_service, "two-source-files": _two_source_files,
    "issue-not-issue": _issue_not_issue, "empty-quote": _empty_quote, "start-line-zero": _start_line_zero,
    "no-evidence": _no_evidence, "top-and-broader": _top_and_broader,
    "unquoted-involvement": _unquoted_involvement, "unstated-tag": _unstated_tag,
}
