"""Data generator and benchmark runner (numbers in docs/benchmarks.md, never in tests)."""
