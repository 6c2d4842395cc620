"""What a view reads from the running app: its settings, its store handle, its query service and its
query catalogue (the only state the web tier holds). The app factory (web/app.py) puts the settings and
the store there; the service and the catalogue start on first use (or at `policygraph serve`). Every
blueprint reads them from here, so no blueprint imports the factory that imports it."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

from policygraph.queries import Catalogue
from policygraph.settings import Settings
from policygraph.sparql.service import QueryService
from policygraph.store import LocalStore
from policygraph.store.remote import RemoteStore

SETTINGS = "policygraph.settings"
STORE = "policygraph.store"
SERVICE = "policygraph.query_service"
CATALOGUE = "policygraph.catalogue"
_LOCK = threading.Lock()


def get_store() -> LocalStore | RemoteStore:
    """The store handle of the running app."""
    store: LocalStore | RemoteStore = current_app.extensions[STORE]
    return store


def get_settings() -> Settings:
    settings: Settings = current_app.extensions[SETTINGS]
    return settings


def query_service() -> QueryService:
    """The app's query service (its worker pool starts on first use, or at `policygraph serve`)."""
    return service_for(current_app.extensions)


def service_for(extensions: dict[str, Any]) -> QueryService:
    with _LOCK:
        service: QueryService | None = extensions.get(SERVICE)
        if service is None:
            service = extensions[SERVICE] = QueryService(extensions[SETTINGS])
        return service


def catalogue() -> Catalogue:
    """The app's query catalogue, read once from settings.queries_dir."""
    with _LOCK:
        found: Catalogue | None = current_app.extensions.get(CATALOGUE)
        if found is None:
            settings = get_settings()
            found = current_app.extensions[CATALOGUE] = Catalogue(settings.input_dir("queries_dir"), settings.base_iri)
        return found
