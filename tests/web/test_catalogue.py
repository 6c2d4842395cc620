"""The query catalogue: every query documented, every query non-empty on the real data in every result
format, equal to what the store answers with the same typed bindings, and parameters checked by type."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pyoxigraph as ox
import pytest

from policygraph.build import Built
from policygraph.errors import InputError
from policygraph.queries import TYPES, CatalogueQuery, Parameter, load_catalogue, to_term
from tests.support.paths import ROOT
from tests.web.sparql_support import json_rows, ox_rows, rows_multiset, store_select, xml_rows

BASE = "https://w3id.org/policygraph/"
CATALOGUE = load_catalogue(ROOT / "queries", BASE)
NAMES = sorted(CATALOGUE)
FORMATS = {
    "html": "text/html",
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "xml": "application/sparql-results+xml",
    "tsv": "text/tab-separated-values",
}


def expected(built: Built, query: CatalogueQuery, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    bound = {ox.Variable(k): v for k, v in query.bind(values or {}, BASE).items()}
    return store_select(built.store, query.text, substitutions=bound)


def test_the_catalogue_holds_at_least_15_documented_queries() -> None:
    assert len(CATALOGUE) >= 15
    for query in CATALOGUE.values():
        assert query.title and query.description, query.name
        for p in query.parameters:
            assert p.type in TYPES and p.default and p.description, (query.name, p.name)
            # pyoxigraph substitutes only projected variables: each parameter must be a result column.
            assert re.search(rf"SELECT[^{{]*\?{p.name}\b", query.text, re.S), (query.name, p.name)


@pytest.mark.parametrize("name", NAMES)
def test_every_query_is_non_empty_on_the_real_data_and_equals_the_store(app_server: Any, built: Built, name: str) -> None:
    query = CATALOGUE[name]
    rows = expected(built, query)
    assert rows, f"{name} returns nothing on the real data with its defaults"
    response = app_server.get(f"/queries/{name}", params={"format": "json"})
    assert response.status_code == 200, response.text
    assert rows_multiset(json_rows(response.json())) == rows_multiset(ox_rows(rows))


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("name", NAMES)
def test_every_query_in_every_result_format(app_server: Any, built: Built, name: str, fmt: str) -> None:
    n = len(expected(built, CATALOGUE[name]))
    response = app_server.get(f"/queries/{name}", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == FORMATS[fmt]
    body = response.content
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == n
    elif fmt == "xml":
        assert len(xml_rows(body)) == n
    elif fmt == "csv":
        assert len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) == n + 1
    elif fmt == "tsv":
        assert len(list(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV))) == n
    else:
        page = response.text
        assert f"{n} row" in page
        assert page.count("<tr>") == n + 1  # the head row and one per result
        assert CATALOGUE[name].title.replace("'", "&#39;") in page or CATALOGUE[name].title in page


def test_accept_header_negotiates_the_catalogue_results(app_server: Any) -> None:
    response = app_server.get("/queries/publications-by-year", headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    page = app_server.get("/queries/publications-by-year", headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'rel="alternate"' in page.headers["Link"] and "format=json" in page.headers["Link"]


def test_a_parameter_changes_the_answer_as_the_store_says(app_server: Any, built: Built) -> None:
    query = CATALOGUE["partners-of-organisation"]
    for key in ("unctad", "https://w3id.org/policygraph/id/organisation/south-centre"):
        rows = expected(built, query, {"organisation": key})
        assert rows
        response = app_server.get("/queries/partners-of-organisation", params={"organisation": key, "format": "json"})
        assert rows_multiset(json_rows(response.json())) == rows_multiset(ox_rows(rows))


def test_integer_parameter_is_a_typed_literal(app_server: Any, built: Built) -> None:
    query = CATALOGUE["organisations-sharing-issues"]
    low, high = expected(built, query, {"minimum": "2"}), expected(built, query, {"minimum": "6"})
    assert len(low) > len(high)
    response = app_server.get("/queries/organisations-sharing-issues", params={"minimum": "6", "format": "json"})
    bindings = response.json()["results"]["bindings"]
    assert len(bindings) == len(high)
    assert all(b["minimum"]["datatype"].endswith("#integer") for b in bindings)


@pytest.mark.parametrize(
    ("name", "values", "parameter"),
    [
        ("organisations-sharing-issues", {"minimum": "abc"}, "minimum"),
        ("organisations-sharing-issues", {"minimum": "0"}, "minimum"),
        ("initiatives-in-year", {"year": "20x4"}, "year"),
        ("partners-of-organisation", {"organisation": "not a key!"}, "organisation"),
        ("evidence-for-fact", {"resource": "no scheme"}, "resource"),
    ],
)
def test_bad_parameter_values_get_400_naming_the_parameter(app_server: Any, name: str, values: dict[str, str], parameter: str) -> None:
    for accept in ("application/json", "text/html"):
        response = app_server.get(f"/queries/{name}", params=values, headers={"Accept": accept})
        assert response.status_code == 400
        text = response.json()["message"] if accept == "application/json" else response.text.replace("&#39;", "'")
        assert f"parameter '{parameter}'" in text


def test_unknown_parameter_and_unknown_query(app_server: Any) -> None:
    response = app_server.get("/queries/who-is-involved", params={"organisation": "wmo"})
    assert response.status_code == 400 and "unknown parameter 'organisation'" in response.json()["message"]
    assert app_server.get("/queries/no-such-query").status_code == 404


def test_a_string_parameter_is_never_pasted_into_the_query(app_server: Any, built: Built) -> None:
    # Were it pasted, this would close the string and the FILTER and add a pattern matching everything.
    sneaky = 'LinkedIn")) } UNION { ?organisation ?p ?o } #'
    response = app_server.get("/queries/social-media-accounts", params={"service": sneaky, "format": "json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    assert expected(built, CATALOGUE["social-media-accounts"], {"service": sneaky}) == []


def test_term_types() -> None:
    def term(kind: str, raw: str) -> ox.NamedNode | ox.Literal:
        return to_term(Parameter("p", kind, raw, "d"), raw, BASE)

    assert term("organisation", "wmo") == ox.NamedNode(BASE + "id/organisation/wmo")
    assert term("initiative-kind", "event") == ox.NamedNode(BASE + "id/initiative-kind/event")
    assert term("year", "2024") == ox.Literal("2024", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    assert term("decimal", "2.50") == ox.Literal("2.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    assert term("boolean", "TRUE") == ox.Literal(True)
    assert term("string", 'a "quoted" text') == ox.Literal('a "quoted" text')
    for kind, raw in [("integer", "1.5"), ("decimal", "NaN"), ("boolean", "yes"), ("date", "2024-13"), ("iri", "x y")]:
        with pytest.raises(InputError, match="parameter 'p'"):
            term(kind, raw)


def test_the_list_in_html_and_json(app_server: Any) -> None:
    listing = app_server.get("/queries", params={"format": "json"}).json()["queries"]
    assert [q["name"] for q in listing] == NAMES
    for item in listing:
        assert item["title"] == CATALOGUE[item["name"]].title
        assert [p["name"] for p in item["parameters"]] == [p.name for p in CATALOGUE[item["name"]].parameters]
    page = app_server.get("/queries", headers={"Accept": "text/html"}).text
    for name in NAMES:
        assert f'href="/queries/{name}"' in page


def test_the_form_offers_the_parameters_with_their_defaults_and_choices(app_server: Any, built: Built) -> None:
    page = app_server.get("/queries/initiatives-by-kind-and-issue", headers={"Accept": "text/html"}).text
    assert 'name="kind" value="programme"' in page and 'name="issue" value="development"' in page
    issues = store_select(built.store, "SELECT DISTINCT ?i WHERE { ?i a <https://w3id.org/policygraph/ontology#PolicyIssue> }")
    options = re.search(r'<datalist id="choices-issue">(.*?)</datalist>', page, re.S).group(1)
    assert options.count("<option") == len(issues)


def test_catalogue_reads_allow_any_origin(app_server: Any) -> None:
    response = app_server.get("/queries/publications-by-year", params={"format": "json"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
