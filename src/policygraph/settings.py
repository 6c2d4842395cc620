"""One typed settings object: defaults -> settings file (TOML) -> POLICYGRAPH_* environment -> overrides."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from policygraph import bundle
from policygraph.errors import InputError
from policygraph.limits import DEFAULT_MAX_CHAIN
from policygraph.namespaces import DEFAULT_BASE

InputDir = Literal["sources_dir", "curated_dir", "ontology_dir", "shapes_dir", "queries_dir"]


def _project_root() -> Path:
    """The checkout that holds data/ and ontology/ when run from one; otherwise (an installed package) the
    working directory."""
    return bundle.CHECKOUT if bundle.in_checkout() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=_project_root)
    base_iri: str = DEFAULT_BASE
    # Inputs, relative to root unless absolute. The ontology, shapes and queries go with the code: an
    # installed package defaults to the copies it carries (bundle.py).
    sources_dir: Path = Path("data/sources")
    curated_dir: Path = Path("data/curated")
    ontology_dir: Path = field(default_factory=lambda: bundle.default_folder("ontology"))
    shapes_dir: Path = field(default_factory=lambda: bundle.default_folder("shapes"))
    queries_dir: Path = field(default_factory=lambda: bundle.default_folder("queries"))
    # The store: a directory holding built stores and the 'current' link, or a SPARQL endpoint URL.
    store: str = "var/store"
    # A remote store (store/remote.py): its update endpoint when not the query URL's /query -> /update,
    # "user:password" for HTTP basic authentication, and how long answers from it may be cached.
    store_update: str | None = None
    store_auth: str | None = None
    remote_cache_seconds: float = 5.0
    # Serving.
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 8
    query_timeout: float = 10.0
    # The most solutions (or triples) one SPARQL answer may hold: a larger answer is refused with 422 and
    # a note on paging (LIMIT/OFFSET) and the dumps, never sent cut short.
    max_results: int = 10000
    # The most triples a Graph Store GET sends (one graph as a whole; the dumps hold everything).
    max_graph_triples: int = 1_000_000
    max_request_bytes: int = 1_000_000
    max_query_length: int = 100_000
    max_nesting: int = 200  # brackets, and prefix operators in a row (sparql/guards.py)
    max_chain: int = DEFAULT_MAX_CHAIN  # operators and groups chained at one level of brackets
    write_token: str | None = None
    public_url: str | None = None  # where this server is reached, if not its own host
    # A query that finds every general query worker busy runs in the one fast-lane worker, but only
    # for this long: the fast lane keeps cheap queries answered while long ones hold the others.
    fast_lane_timeout: float = 2.0
    # How many requests may wait for a query worker at once (sparql/pool.py); one more gets 503 with
    # Retry-After. A wait is bounded by query_timeout as well.
    queue_length: int = 64
    write_timeout: float = 120.0  # one write: apply, re-derive, validate with the shapes, commit
    # The result cache (sparql/cache.py): entries and bytes it may hold; 0 entries turns it off.
    cache_entries: int = 1024
    cache_bytes: int = 64_000_000

    def path(self, value: Path | str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else self.root / p

    def input_dir(self, name: InputDir) -> Path:
        """The folder an input setting names, which must exist. An installed package has no data of its
        own: a missing folder is reported with the setting that names it, so the reader knows what to set."""
        value = Path(getattr(self, name))
        path = self.path(value)
        if not path.is_dir():
            hint = f"POLICYGRAPH_{name.upper()} (or {name} in a settings file) to the folder"
            if not value.is_absolute():
                hint += f", or POLICYGRAPH_ROOT to the folder that has {value} in it"
            raise InputError(f"setting {name}: there is no folder {path}; set {hint}")
        return path

    @property
    def resource_base(self) -> str:
        """`base_iri` with its trailing slash: what resource IRIs hang under, and what relative IRIs in
        queries and updates resolve against (never a request's URL: the graph holds no host's IRIs)."""
        return self.base_iri if self.base_iri.endswith("/") else self.base_iri + "/"

    @property
    def store_path(self) -> Path:
        return self.path(self.store)

    @property
    def store_is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def files_path(self) -> Path:
        """Where the server keeps files of its own (dumps, locks): the store directory, or var/remote."""
        return self.path("var/remote") if self.store_is_remote else self.store_path


def _coerce(name: str, kind: Any, value: Any) -> Any:
    text = str(value)
    try:
        if kind in (int, "int"):
            return int(text)
        if kind in (float, "float"):
            return float(text)
        if kind in (Path, "Path"):
            return Path(text)
    except ValueError:
        raise InputError(f"setting {name}: expected a {kind if isinstance(kind, str) else kind.__name__}, got {text!r}") from None
    return text


def load_settings(
    file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    file = file or (Path(environ["POLICYGRAPH_SETTINGS"]) if environ.get("POLICYGRAPH_SETTINGS") else None)
    if file is not None:
        try:
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"settings file {file}: {exc}") from None
        for key, value in data.items():
            if key not in types:
                raise InputError(f"settings file {file}: unknown setting {key!r}")
            values[key] = value
    for key in types:
        env = environ.get(f"POLICYGRAPH_{key.upper()}")
        if env is not None:
            values[key] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key, value in list(values.items()):
        kind = str(types[key]).replace("'", "")
        base = kind.split("|")[0].strip()
        values[key] = _coerce(key, base, value) if value is not None else None
    return dataclasses.replace(Settings(), **values)
