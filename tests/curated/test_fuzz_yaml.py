"""Property-based tests of the curated YAML loader: any document either loads or fails with a
CurationError naming the file and the entry; it never raises anything else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygraph.build import load_vocabularies, vocab_keys
from policygraph.curated import QuoteFinder, load_curated
from policygraph.errors import CurationError
from policygraph.ingest import IssueMatcher, load_profiles
from policygraph.namespaces import Minter
from policygraph.settings import load_settings
from tests.support.paths import ROOT

SETTINGS = load_settings(environ={}, root=ROOT)
MINTER = Minter()
VOCAB = load_vocabularies(SETTINGS, MINTER)
PROFILES = load_profiles(ROOT / "data" / "sources", IssueMatcher.from_graph(VOCAB["issues"]))
FINDER = QuoteFinder(PROFILES)
KEYS = vocab_keys(VOCAB["kinds"], VOCAB["issues"], MINTER)

scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                   st.sampled_from(["wmo", "lead", "programme", "data-governance", "Data is in WMO’s DNA."]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                     max_leaves=10)
entry = st.fixed_dictionaries({"key": st.sampled_from(["x", "dna", "Bad Key", "a-b"])},
                              optional={"name": scalar, "kind": scalar, "role": scalar, "issues": value,
                                        "evidence": st.one_of(value, st.just({"quote": "Data is in WMO’s DNA."})),
                                        "partners": value, "type": scalar, "participants": value})
document = st.fixed_dictionaries(
    {"organisation": st.sampled_from(["wmo", "nasa", 3])},
    optional={"initiatives": st.lists(entry, max_size=2), "partnerships": st.lists(entry, max_size=2),
              "organisations": st.lists(entry, max_size=2), "publications": value, "extra": scalar},
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.one_of(document, value))
def test_loader_fails_only_with_curation_errors(tmp_path_factory: object, doc: object) -> None:
    import yaml

    folder = Path(tmp_path_factory.mktemp("yaml"))  # type: ignore[attr-defined]
    (folder / "fuzz.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_curated(folder, FINDER, KEYS)
    except CurationError as exc:
        assert exc.file == "fuzz.yaml" and exc.entry and exc.reason


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120))
def test_arbitrary_text_fails_cleanly(tmp_path_factory: object, text: str) -> None:
    folder = Path(tmp_path_factory.mktemp("yaml"))  # type: ignore[attr-defined]
    (folder / "text.yaml").write_text(text, encoding="utf-8")
    try:
        load_curated(folder, FINDER, KEYS)
    except CurationError as exc:
        assert exc.file == "text.yaml"
