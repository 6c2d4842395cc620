"""The write benchmark's writes are valid under the shapes and take the fast path (bench/writes.py), on a
small generated store: the benchmark measures what policygraph does with a real write."""

from __future__ import annotations

from pathlib import Path

from bench.generate import generate
from bench.writes import write_latency


def test_the_benchmark_writes_are_valid_and_fast_path(tmp_path: Path) -> None:
    data = tmp_path / "small.nq"
    generate(data, 20_000, seed=3)
    out = write_latency(str(data), str(tmp_path), writes=4, http=False)  # apply_write asserts the fast path
    assert out["apply"]["validated_nodes"] > 0 and out["perform"]["median_ms"] > 0
