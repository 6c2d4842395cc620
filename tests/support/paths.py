"""Where the tests find the project's files."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "sources" / "000_f7d598866666c03c.txt"
ARTIFACTS = ROOT / "test-artifacts"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the `oxigraph` command of the test dependencies
