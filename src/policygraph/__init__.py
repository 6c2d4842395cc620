"""policygraph: digital-policy profiles of organisations as a validated, served knowledge graph."""

from policygraph.errors import (
    CurationError,
    IngestError,
    PolicygraphError,
    StoreError,
    ValidationFailed,
)

__version__ = "0.1.0"

__all__ = [
    "CurationError",
    "IngestError",
    "PolicygraphError",
    "StoreError",
    "ValidationFailed",
    "__version__",
]
