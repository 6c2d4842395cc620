"""Settings: defaults -> file -> POLICYGRAPH_* environment -> overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.errors import InputError
from policygraph.settings import InputDir, load_settings
from tests.support.paths import ROOT


def test_layers(tmp_path: Path) -> None:
    file = tmp_path / "policygraph.toml"
    file.write_text('port = 6000\nquery_timeout = 2.5\nstore = "/srv/store"\n', encoding="utf-8")
    assert load_settings(environ={}).port == 5000
    s = load_settings(file=file, environ={})
    assert (s.port, s.query_timeout, s.store) == (6000, 2.5, "/srv/store")
    s = load_settings(file=file, environ={"POLICYGRAPH_PORT": "7000"})
    assert s.port == 7000 and s.query_timeout == 2.5
    assert load_settings(file=file, environ={"POLICYGRAPH_PORT": "7000"}, port=8000).port == 8000
    assert load_settings(environ={"POLICYGRAPH_SETTINGS": str(file)}).port == 6000


def test_remote_store_setting() -> None:
    assert load_settings(environ={"POLICYGRAPH_STORE": "http://127.0.0.1:7878"}).store_is_remote


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="setting port"):
        load_settings(environ={"POLICYGRAPH_PORT": "five"})
    file = tmp_path / "bad.toml"
    file.write_text("colour = 'blue'\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown setting 'colour'"):
        load_settings(file=file, environ={})


def test_in_a_checkout_the_inputs_are_the_checkouts() -> None:
    s = load_settings(environ={})
    assert s.root == ROOT
    names: tuple[InputDir, ...] = ("sources_dir", "curated_dir", "ontology_dir", "shapes_dir", "queries_dir")
    for name in names:
        assert s.input_dir(name).is_relative_to(ROOT)
    assert s.input_dir("ontology_dir") == ROOT / "ontology"


def test_a_missing_input_folder_is_named_by_its_setting(tmp_path: Path) -> None:
    s = load_settings(environ={"POLICYGRAPH_ROOT": str(tmp_path)})
    with pytest.raises(InputError, match=r"setting curated_dir: there is no folder .*data/curated; set POLICYGRAPH_CURATED_DIR"
                                         r".*or POLICYGRAPH_ROOT"):
        s.input_dir("curated_dir")
    with pytest.raises(InputError, match="setting sources_dir") as raised:
        load_settings(environ={}, sources_dir=tmp_path / "nowhere").input_dir("sources_dir")
    assert "POLICYGRAPH_ROOT" not in raised.value.message  # an absolute path does not depend on root
