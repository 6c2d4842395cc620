"""What the resource pages show, checked against SPARQL on the session's built store: an organisation's
description, issues by basket, initiatives with roles, publications, partnerships, accounts and the
evidence behind each fact; sections with their highlighted quotes; initiatives, partnerships, profiles;
and the home page."""

from __future__ import annotations

import pytest

from policygraph.build import Built
from tests.support.app import InProcess
from tests.web.linked_support import ID, Page, path_of, rows


class Rows(Page):
    """Table rows of one table (by id): the links and the text of each row."""

    def __init__(self, html: str, table_id: str) -> None:
        self.table_id = table_id
        self.rows: list[tuple[list[str], str]] = []
        self.marks: list[str] = []
        self._in_table = False
        self._row: tuple[list[str], list[str]] | None = None
        self._mark: list[str] | None = None
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self._in_table = True
        if self._in_table and tag == "tr":
            self._row = ([], [])
        if self._row is not None and tag == "a":
            self._row[0].append(a.get("href") or "")
        if tag == "mark":
            self._mark = []
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append((self._row[0], " ".join("".join(self._row[1]).split())))
            self._row = None
        if tag == "table":
            self._in_table = False
        if tag == "mark" and self._mark is not None:
            self.marks.append("".join(self._mark))
            self._mark = None
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row[1].append(data)
        if self._mark is not None:
            self._mark.append(data)
        super().handle_data(data)


def profiled(built: Built) -> list[str]:
    return [r["o"] for r in rows(built.store, "SELECT ?o WHERE { ?o pg:profile ?p } ORDER BY ?o")]


@pytest.fixture(scope="module", params=range(10), ids=lambda i: f"profiled-{i}")
def organisation(request: pytest.FixtureRequest, built: Built) -> str:
    return profiled(built)[request.param]


def test_organisation_page_shows_description_issues_by_basket_and_accounts(app_server: InProcess, built: Built,
                                                                           organisation: str) -> None:
    html = app_server.get(path_of(organisation)).text
    page = Page(html)
    assert not page.errors and page.heading_levels_in_order()
    description = rows(built.store, f"""SELECT ?text WHERE {{ <{organisation}> pg:profile ?p . ?p pg:section ?s .
        ?s pg:sectionType pg:DescriptionSection ; pg:text ?text }}""")[0]["text"]
    first_paragraph = " ".join(description.split("\n\n")[0].split())
    assert first_paragraph in page.text
    issues = rows(built.store, f"""SELECT ?issue ?basket ?bl WHERE {{ <{organisation}> pg:worksOn ?issue .
        OPTIONAL {{ ?issue skos:broader ?b }} BIND(COALESCE(?b, ?issue) AS ?basket) ?basket skos:prefLabel ?bl }}""")
    headings = [text for level, text in page.headings if level == 3]
    for row in issues:
        assert path_of(row["issue"]) in page.links
        assert row["bl"] in headings  # grouped under its basket
    for account in rows(built.store, f"SELECT ?name ?service WHERE {{ <{organisation}> foaf:account/foaf:accountName ?name }}"):
        assert account["name"] in page.text


def test_organisation_page_shows_initiatives_with_roles_and_evidence(app_server: InProcess, built: Built, organisation: str) -> None:
    html = app_server.get(path_of(organisation)).text
    involvements = rows(built.store, f"""SELECT ?x ?rl ?pub WHERE {{ ?x a pg:Initiative ; pg:involvement ?inv .
        ?inv pg:agent <{organisation}> ; pg:role/skos:prefLabel ?rl .
        OPTIONAL {{ ?x a schema:CreativeWork BIND(true AS ?pub) }} }}""")
    assert involvements
    tables = {"initiatives-table": Rows(html, "initiatives-table"), "publications-table": Rows(html, "publications-table")}
    for row in involvements:
        table = tables["publications-table" if "pub" in row else "initiatives-table"]
        matching = [text for links, text in table.rows if path_of(row["x"]) in links]
        assert matching and row["rl"] in matching[0], row
    # Each row shows the quotes of the involvement statements themselves (not every quote about the
    # initiative), and the profiles that make them.
    evidence = rows(built.store, f"""SELECT ?x ?quote ?section ?profile WHERE {{ ?x a pg:Initiative ; pg:involvement ?inv .
        ?inv pg:agent <{organisation}> ; pg:statedIn ?profile ; pg:evidence ?e . ?e oa:exact ?quote ; prov:wasDerivedFrom ?section }}""")
    table_rows = tables["initiatives-table"].rows + tables["publications-table"].rows
    for row in evidence:
        (links, text), = [(links, text) for links, text in table_rows if path_of(row["x"]) in links]
        assert " ".join(row["quote"].split()) in text and {path_of(row["section"]), path_of(row["profile"])} <= set(links), row
    for links, text in table_rows:
        things = [link for link in links if link.startswith("/id/initiative/")]
        if not things:
            continue  # the header
        thing = ID + things[0][len("/id/"):]
        shown = rows(built.store, f"""SELECT ?quote WHERE {{ ?i pg:agent <{organisation}> ; pg:evidence/oa:exact ?quote .
            <{thing}> pg:involvement ?i }}""")
        others = rows(built.store, f"""SELECT ?quote WHERE {{ <{thing}> pg:involvement ?i . ?i pg:evidence/oa:exact ?quote
            FILTER NOT EXISTS {{ ?i pg:agent <{organisation}> }}
            FILTER NOT EXISTS {{ ?j pg:agent <{organisation}> ; pg:evidence/oa:exact ?quote }} }}""")
        assert shown and not [o for o in others if " ".join(o["quote"].split()) in text], (thing, others[:2])


def test_organisation_page_shows_partners_and_partnerships(app_server: InProcess, built: Built, organisation: str) -> None:
    page = Page(app_server.get(path_of(organisation)).text)
    partnerships = rows(built.store, f"""SELECT ?p ?partner ?quote ?section WHERE {{ ?p pg:partner <{organisation}> , ?partner .
        ?p pg:evidence ?e . ?e oa:exact ?quote ; prov:wasDerivedFrom ?section }}""")
    for row in partnerships:
        assert {path_of(row["p"]), path_of(row["partner"]), path_of(row["section"])} <= set(page.links)
        assert " ".join(row["quote"].split()) in page.text
    for row in rows(built.store, f"SELECT ?o WHERE {{ <{organisation}> pg:partnerOf ?o }}"):
        assert path_of(row["o"]) in page.links


def test_section_page_shows_its_text_lines_and_highlights_the_quotes_citing_it(app_server: InProcess, built: Built) -> None:
    cited = rows(built.store, """SELECT ?s (COUNT(?e) AS ?n) WHERE { ?e prov:wasDerivedFrom ?s ; oa:exact ?q . ?s a pg:Section }
        GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 5""")
    for row in cited:
        section = row["s"]
        html = app_server.get(path_of(section)).text
        page = Rows(html, "none")
        facts = rows(built.store, f"""SELECT ?start ?end ?text WHERE {{ <{section}> pg:startLine ?start ; pg:endLine ?end ;
            pg:text ?text }}""")[0]
        assert f"{facts['start']}–{facts['end']}" in page.text
        assert " ".join(facts["text"].split()) in page.text
        quotes = rows(built.store, f"SELECT ?q ?fact WHERE {{ ?e prov:wasDerivedFrom <{section}> ; oa:exact ?q . ?fact pg:evidence ?e }}")
        for quote in quotes:
            assert any(quote["q"] in mark for mark in page.marks), quote["q"]
            assert path_of(quote["fact"]) in page.links


def test_initiative_pages_show_organisations_roles_issues_parts_and_evidence(app_server: InProcess, built: Built) -> None:
    parts = rows(built.store, "SELECT ?x ?whole WHERE { ?x a pg:Initiative ; dcterms:isPartOf ?whole } ORDER BY ?x LIMIT 5")
    assert parts
    for row in parts:
        ini = row["x"]
        page = Page(app_server.get(path_of(ini)).text)
        assert path_of(row["whole"]) in page.links
        assert path_of(ini) in Page(app_server.get(path_of(row["whole"])).text).links  # and the whole lists its parts
        for inv in rows(built.store, f"SELECT ?o ?rl WHERE {{ <{ini}> pg:involvement ?i . ?i pg:agent ?o ; pg:role/skos:prefLabel ?rl }}"):
            assert path_of(inv["o"]) in page.links and inv["rl"] in page.text
        for issue in rows(built.store, f"SELECT ?i WHERE {{ <{ini}> dcterms:subject ?i }}"):
            assert path_of(issue["i"]) in page.links
        for ev in rows(built.store, f"SELECT ?q ?s WHERE {{ <{ini}> pg:evidence ?e . ?e oa:exact ?q ; prov:wasDerivedFrom ?s }}"):
            assert " ".join(ev["q"].split()) in page.text and path_of(ev["s"]) in page.links


def test_partnership_pages_show_partners_roles_kind_and_subject(app_server: InProcess, built: Built) -> None:
    query = "SELECT ?p ?kl ?about WHERE { ?p a pg:Partnership ; pg:kind/skos:prefLabel ?kl OPTIONAL { ?p schema:about ?about } }"
    for row in rows(built.store, query):
        page = Page(app_server.get(path_of(row["p"])).text)
        assert row["kl"] in page.text
        if "about" in row:
            assert path_of(row["about"]) in page.links
        partners = f"SELECT ?o ?rl WHERE {{ <{row['p']}> pg:involvement ?i . ?i pg:agent ?o ; pg:role/skos:prefLabel ?rl }}"
        for inv in rows(built.store, partners):
            assert path_of(inv["o"]) in page.links and inv["rl"] in page.text


def test_profile_pages_list_their_sections_in_reading_order(app_server: InProcess, built: Built) -> None:
    for profile in rows(built.store, "SELECT ?p WHERE { ?p a pg:Profile }"):
        page = Page(app_server.get(path_of(profile["p"])).text)
        query = f"SELECT ?s WHERE {{ <{profile['p']}> pg:section ?s . ?s pg:order ?n }} ORDER BY ?n"
        sections = [path_of(r["s"]) for r in rows(built.store, query)]
        shown = [link for link in page.links if link.startswith("/id/section/")]
        assert [s for s in shown if s in sections][: len(sections)] == sections


def test_home_page_says_what_the_dataset_is_with_counts_and_entry_points(app_server: InProcess, built: Built) -> None:
    page = Page(app_server.get("/", headers={"Accept": "text/html"}).text)
    assert not page.errors and page.heading_levels_in_order() and page.lang == "en"
    for path in ("/id/organisation/", "/issues", "/queries", "/explore", "/sparql", "/dumps", "/.well-known/void", "/ontology"):
        assert path in page.links, path
    for cls in ("Organisation", "Initiative", "Partnership", "PolicyIssue"):
        n = rows(built.store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a pg:{cls} }}")[0]["n"]
        assert f"{cls} {n}" in page.text
    assert {path_of(o) for o in profiled(built)} <= set(page.links)


@pytest.mark.parametrize("path", [
    "/id/organisation/%00", "/id/organisation/a%20b", "/id/organisation/" + "x" * 3000, "/id/organisation/%ZZ",
    "/id/organisation/wmo?format=nonsense", "/id/%3Cx%3E/", "/id/organisation/%E2%80%8B", "/id/section/" + "a/" * 200,
])
def test_bad_input_gets_a_clean_4xx(app_server: InProcess, path: str) -> None:
    response = app_server.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)



class SaidBlocks(Page):
    """The 'Who says what' blocks of a page: per profile, its heading, text and links."""

    def __init__(self, html: str) -> None:
        self.blocks: list[dict[str, list[str]]] = []
        self._depth = 0  # > 0 inside a block: the number of open <section> elements
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if tag == "section" and self._depth:
            self._depth += 1
        elif tag == "section" and (dict(attrs).get("class") or "").split() == ["said"]:
            self._depth = 1
            self.blocks.append({"text": [], "links": []})
        elif tag == "a" and self._depth:
            self.blocks[-1]["links"].append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if tag == "section" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._depth:
            self.blocks[-1]["text"].append(data)


def test_the_ai_act_page_shows_each_profiles_statements_separately(app_server: InProcess, built: Built) -> None:
    """The issue's example: the AI Act, which three profiles speak of. Each profile's block holds its own
    statements with their quotes, profile, section and lines, and no other profile's quotes."""
    html = app_server.get("/id/initiative/ai-act").text
    blocks = SaidBlocks(html).blocks
    profiles = [next(link for link in b["links"] if link.startswith("/id/profile/")) for b in blocks]
    assert profiles == ["/id/profile/kofi-annan-foundation", "/id/profile/wef", "/id/profile/wto"]
    for block, profile in zip(blocks, profiles):
        text = " ".join(" ".join(block["text"]).split())
        assert text.startswith("According to the profile of ")
        statements = rows(built.store, f"""SELECT ?s ?quote ?section ?start ?end WHERE {{
            {{ <{ID}initiative/ai-act> pg:involvement ?s }} UNION {{ ?s rdf:subject <{ID}initiative/ai-act> }}
            ?s pg:statedIn <{ID}{profile[len('/id/'):]}> ; pg:evidence ?e . ?e oa:exact ?quote ; prov:wasDerivedFrom ?section .
            ?section pg:startLine ?start ; pg:endLine ?end }}""")
        assert statements
        for row in statements:
            assert path_of(row["s"]) in block["links"] and path_of(row["section"]) in block["links"], row
            assert " ".join(row["quote"].split()) in text and f"lines {row['start']}–{row['end']}" in text, row
        others = rows(built.store, f"""SELECT ?quote WHERE {{ <{ID}initiative/ai-act> pg:evidence/oa:exact ?quote .
            FILTER NOT EXISTS {{ ?s pg:statedIn <{ID}{profile[len('/id/'):]}> ; pg:evidence/oa:exact ?quote }} }}""")
        assert others and not [o for o in others if " ".join(o["quote"].split()) in text]
