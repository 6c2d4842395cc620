"""The bounded-inputs benchmark (bench/bounded.py) measures what it says: every kind it sends is answered
with the 4xx its name promises, by the app itself (in-process), and the figures before, measured once,
are kept by later runs."""

from __future__ import annotations

import json

import pytest
from bench.bounded import BEFORE, KINDS, Kind, report

from tests.support.app import InProcess


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_is_answered_with_a_4xx(app_server: InProcess, kind: Kind) -> None:
    if kind.body is not None:
        response = app_server.post(kind.path, data=kind.body.encode(),
                                   headers={**kind.headers, "Content-Type": "application/sparql-query"})
    else:
        response = app_server.get(kind.path, params=kind.params, headers=kind.headers)
    assert 400 <= response.status_code < 500, (kind.name, response.status_code)
    if kind.path.startswith("/id/place/") or "/id/organisation/aaa" in kind.path:
        assert response.status_code == 404


def test_the_figures_before_survive_a_run_that_does_not_measure_them() -> None:
    after = {k.name: {"status": ["404"], "p50_ms": 1.0, "p95_ms": 2.0} for k in KINDS}
    before = {"source": "old/src", "load": 1.0, "results": {k.name: {"status": "404", "ms": 1234.5} for k in KINDS}}
    text = report(after, before, 20)
    kept = BEFORE.search(text)
    assert kept and json.loads(kept.group(1)) == before
    assert "1,234" in text and "The target is met" in text
