"""Fast SHACL validation: our shapes' constraints evaluated as SPARQL over an Oxigraph store.

`validate_store` gives the same results as pyshacl (policygraph.validate with engine="pyshacl") for
the SHACL features our shapes use, and refuses any other feature with UnsupportedShape.
`affected_nodes` gives the focus nodes a change can affect (a write validates only those: writes/apply.py).
"""

import pyoxigraph as ox

from policygraph.shacl.engine import Hit, validate_hits
from policygraph.shacl.incremental import Change, affected_nodes
from policygraph.shacl.model import Model, UnsupportedShape, read_model
from policygraph.shacl.report import Report, Result

__all__ = [
    "Change",
    "Hit",
    "Model",
    "Report",
    "Result",
    "UnsupportedShape",
    "affected_nodes",
    "read_model",
    "validate_hits",
    "validate_store",
]


def validate_store(store: ox.Store, model: Model) -> Report:
    """Full validation of everything in `store` (all graphs as one)."""
    return Report(tuple(h.result for h in validate_hits(store, model)))
