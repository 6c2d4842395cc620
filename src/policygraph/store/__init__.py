"""Stores: where the built graph lives. The embedded Oxigraph store on disk is the default."""

from typing import Any

from policygraph.settings import Settings
from policygraph.store.copies import CURRENT
from policygraph.store.local import LocalStore, current_path, open_store, write_store

__all__ = ["CURRENT", "LocalStore", "dataset_version", "open_dataset", "open_store", "write_store"]


def open_dataset(settings: Settings) -> Any:
    """The store to read: the current local build (read-only), or the remote engine the settings name."""
    if settings.store_is_remote:
        from policygraph.store.remote import RemoteDataset, RemoteEndpoint

        return RemoteDataset(RemoteEndpoint(settings))
    return open_store(settings.store_path)


def dataset_version(settings: Settings) -> str:
    if settings.store_is_remote:
        from policygraph.store.remote import remote_version

        return remote_version(settings)
    return current_path(settings.store_path).name
