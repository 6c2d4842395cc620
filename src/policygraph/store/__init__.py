"""Stores: where the built graph lives. The embedded Oxigraph store on disk is the default."""

from policygraph.store.local import (
    CURRENT,
    LocalStore,
    open_store,
    write_store,
)

__all__ = ["CURRENT", "LocalStore", "open_store", "write_store"]
