"""The result cache: answers kept by query, dataset, bindings, format and store version.

The store version is the name of the build the `current` link points at (every build and every
committed write makes a new one), or, for a remote store, a counter this server bumps on each write it
commits. A key holds the version, so an answer computed before a write is never served after it; when
the cache first sees a new version it drops everything it holds (the old entries can no longer be hit).

Bounded twice: by entries (settings.cache_entries, 0 turns the cache off) and by bytes
(settings.cache_bytes); an answer bigger than an eighth of the byte budget is not kept. Least recently
used entries go first. Thread-safe: waitress serves requests from several threads.

Every answer also gets an ETag (a hash of its media type and body), so clients revalidate with
If-None-Match and get 304 Not Modified while the data has not changed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


def etag_for(content_type: str, body: bytes) -> str:
    """A strong entity tag: equal for equal bytes in the same media type, whatever the store version."""
    digest = hashlib.blake2b(body, digest_size=16)
    digest.update(content_type.encode("utf-8"))
    return f'"{digest.hexdigest()}"'


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0
    version: str = ""


class ResultCache:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._version = ""
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def _follow(self, version: str) -> None:
        if version != self._version:
            self._items.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: Hashable) -> object | None:
        if not self.enabled:
            return None
        with self._lock:
            self._follow(version)
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, version: str, key: Hashable, value: object, size: int) -> None:
        if not self.enabled or size > self.max_bytes // 8:
            return
        with self._lock:
            if version != self._version:
                # Computed under a version that is no longer current (a write landed meanwhile): the
                # answer may still be right, but it is not worth keeping.
                return
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _key, (_value, freed) = self._items.popitem(last=False)
                self._bytes -= freed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self.hits, self.misses, len(self._items), self._bytes, self._version)
