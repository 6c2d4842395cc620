"""Deep nesting and long chains over HTTP: each form just over its limit gets 400 with the position of the
token that crosses it; queries nested a little below the limits still run; and each form at the depth
that crashed a process (tests/support/deep.py) is refused by a live server before it reaches a worker or
the writer: 400, the server keeps answering, and no process of the server died or was replaced.

The 400s and the queries that run are view tests (in-process); the crashes are about processes, so they
go to live servers: the public one for queries, one with a write token on a copy of the store for updates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from policygraph.build import Built
from policygraph.settings import Settings, load_settings
from tests.support.app import InProcess, in_process
from tests.support.deep import CRASHING, FORMS, Form, refused_at
from tests.support.paths import ROOT
from tests.support.server import REMOTE, LiveServer, descendants, remote_for, server_on_copy, stop_server
from tests.web.sparql_support import ASK_PROFILED, sparql

DEFAULTS = Settings()
TOKEN = "deep-nesting-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json, application/json"}
POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def just_over(form: Form) -> int:
    if form.limit == "chain":
        return DEFAULTS.max_chain + 1
    return next(n for n in range(1, DEFAULTS.max_nesting + 2) if _crosses(form, n))


def _crosses(form: Form, n: int) -> bool:
    try:
        refused_at(form, form.make(n), DEFAULTS.max_nesting)
    except AssertionError:
        return False
    return True


@pytest.fixture(scope="module")
def writable_app(built: Built, store_dir: Path) -> Iterator[InProcess]:
    """The app in-process with writes on, over the session's store: every update sent to it is refused
    by the guards before it could change anything."""
    target = remote_for(store_dir) if REMOTE else str(store_dir)
    with in_process(load_settings(environ={}, root=ROOT, store=target, write_token=TOKEN)) as server:
        yield server


def send(app: InProcess, form: Form, text: str) -> tuple[int, str]:
    if form.update:
        response = app.post("/sparql", data=text.encode(), headers={**JSON, **AUTH, "Content-Type": "application/sparql-update"})
    else:
        response = app.post("/sparql", data=text.encode(), headers={**JSON, "Content-Type": "application/sparql-query"})
    return response.status_code, response.json().get("message", "") if response.status_code != 200 else ""


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_just_over_the_limit_is_a_400_with_the_position(app_server: InProcess, writable_app: InProcess, form: Form) -> None:
    text = form.make(just_over(form))
    status, message = send(writable_app if form.update else app_server, form, text)
    assert status == 400, message
    found = POSITION.search(message)
    assert found, message
    offset = int(found.group(2)) - 1
    if form.limit == "nesting":
        assert offset == refused_at(form, text, DEFAULTS.max_nesting), message
        assert f"more than {DEFAULTS.max_nesting} deep" in message
    else:
        assert text[offset:].startswith(form.marker), message
        assert f"more than {DEFAULTS.max_chain} operators or groups" in message


PG = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"
ORGANISATIONS = "{ ?o a pg:Organisation }"


@pytest.mark.parametrize(("name", "text", "rows"), [
    ("braces", PG + "SELECT ?o WHERE " + "{" * 150 + ORGANISATIONS + "}" * 150, True),
    ("function-calls", PG + "SELECT ?o WHERE { ?o a pg:Organisation FILTER(" + "STR(" * 150 + "?o" + ")" * 150 + " != '') }", True),
    ("nested-optional", PG + "SELECT ?o WHERE { ?o a pg:Organisation " + "OPTIONAL { ?o ?p ?x " * 60 + "}" * 60 + " }", True),
    ("or", PG + "SELECT ?o WHERE { ?o a pg:Organisation FILTER(" + " || ".join(["?o != <urn:x>"] * 400) + ") }", True),
    ("union", PG + "SELECT ?o WHERE { " + " UNION ".join([ORGANISATIONS] * 400) + " }", True),
    ("additions", "SELECT ?n WHERE { BIND(" + "+".join(["1"] * 450) + " AS ?n) }", True),
    ("not-operators", "ASK { FILTER(" + "!" * 151 + "false) }", False),
])
def test_a_query_nested_a_little_below_the_limits_still_runs(app_server: InProcess, name: str, text: str, rows: bool) -> None:
    text += " LIMIT 100" if rows else ""  # a few rows are enough (a bigger answer than max_results is refused)
    response = app_server.post("/sparql", data=text.encode(), headers={**JSON, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text[:300]
    document = response.json()
    if rows:
        assert document["results"]["bindings"], name
    else:
        assert document["boolean"] is True  # 151 negations of false


# -- the depths that crashed, against live servers


@pytest.fixture(scope="module")
def writable(built: Built, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_on_copy(store_dir, tmp_path_factory.mktemp("deep-writable"), {"POLICYGRAPH_WRITE_TOKEN": TOKEN})
    yield server
    stop_server(server)


def answers(server: LiveServer) -> bool:
    response = sparql(server, ASK_PROFILED, accept="application/sparql-results+json")
    return response.status_code == 200 and response.json()["boolean"] is True


def test_the_depths_that_crashed_never_reach_a_worker(live_server: LiveServer) -> None:
    assert answers(live_server)  # every worker has started and loaded the store
    before = descendants(live_server.process.pid)
    for form in (f for f in CRASHING if not f.update):
        assert form.crash is not None
        text = form.make(form.crash)
        assert len(text) <= DEFAULTS.max_query_length, form  # refused for its depth, not for its length
        response = sparql(live_server, text, method="direct", accept="application/sparql-results+json")
        assert response.status_code == 400, (form, response.status_code, response.text[:300])
        assert "more than" in response.json()["message"] and POSITION.search(response.json()["message"]), form
    assert answers(live_server)
    assert live_server.process.poll() is None
    assert descendants(live_server.process.pid) == before  # no worker died, none was replaced


def test_the_update_depths_that_crashed_never_reach_the_writer(writable: LiveServer) -> None:
    assert answers(writable)
    before = descendants(writable.process.pid)
    for form in (f for f in CRASHING if f.update):
        assert form.crash is not None
        response = requests.post(writable.url + "/sparql", data=form.make(form.crash).encode(), timeout=60,
                                 headers={**AUTH, "Content-Type": "application/sparql-update"})
        assert response.status_code == 400, (form, response.status_code, response.text[:300])
        assert "more than" in response.json()["message"] and POSITION.search(response.json()["message"]), form
    assert answers(writable)
    assert writable.process.poll() is None
    assert descendants(writable.process.pid) == before  # the writer was never asked, no worker was lost
