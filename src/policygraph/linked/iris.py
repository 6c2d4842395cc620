"""Where IRIs live and where they are served.

The data keeps its permanent IRIs under the base (a setting, https://w3id.org/policygraph/ by default).
A server on any host answers the base's paths (`/id/...`, `/ontology`) itself, so HTML pages link to
local paths while the RDF forms keep the permanent IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from policygraph.namespaces import CONTROLLED_SCHEMES, DEFAULT_BASE, PREFIXES, Minter

ONTOLOGY = "https://w3id.org/policygraph/ontology"

# The kinds of resource under `id/`, in the order pages list them.
RESOURCE_KINDS = Minter.KINDS
CONCEPT_KINDS = (*CONTROLLED_SCHEMES, "scheme")
ALL_KINDS = (*RESOURCE_KINDS, *CONCEPT_KINDS)


@dataclass(frozen=True)
class IriMap:
    """Maps permanent IRIs under `base` to this server's paths and back.

    `root` is where the service itself is reached (the web tier gives the `public_url` setting, else the
    request's own URL root; without either, the base): the dataset description names the endpoint and
    the dumps under it.
    """

    base: str
    root: str
    script_root: str = ""  # the path the app is mounted under, if any

    @classmethod
    def of(cls, base: str, service_url: str | None = None, script_root: str = "") -> IriMap:
        base = base if base.endswith("/") else base + "/"
        root = service_url or base
        return cls(base, root if root.endswith("/") else root + "/", script_root.rstrip("/"))

    @property
    def id_base(self) -> str:
        return self.base + "id/"

    def resource(self, kind: str, slug: str) -> str:
        return f"{self.base}id/{kind}/{slug}"

    def is_local(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def href(self, iri: str) -> str:
        """The link a page of this server uses for `iri`: a local path under the base, else the IRI."""
        if self.is_local(iri):
            return f"{self.script_root}/{iri[len(self.base):]}"
        if iri.startswith(ONTOLOGY) and iri[len(ONTOLOGY):][:1] in ("", "#", "/"):
            # The ontology's IRI is fixed whatever the base, and every server documents it at /ontology.
            return f"{self.script_root}/ontology{iri[len(ONTOLOGY):]}"
        return iri

    def document(self, iri: str) -> str:
        """The document a hash IRI belongs to: '.../initiative/x#evidence-1' -> '.../initiative/x'."""
        return iri.split("#", 1)[0]

    def kind_of(self, iri: str) -> str | None:
        """'<base>id/organisation/wmo' -> 'organisation'; None for IRIs not under `id/`."""
        if not iri.startswith(self.id_base):
            return None
        kind = iri[len(self.id_base):].split("/", 1)[0]
        return kind if kind in ALL_KINDS else None

    def root_url(self, path: str) -> str:
        """A URL of the published service: root + path (for the endpoint and dumps in the VoID)."""
        return self.root + path.lstrip("/")

    def prefixes(self) -> dict[str, str]:
        """The project's prefixes with the resource prefixes moved under this base."""
        return dict(_prefixes(self.base))


@lru_cache(maxsize=8)
def _prefixes(base: str) -> tuple[tuple[str, str], ...]:
    out = {}
    for name, ns in PREFIXES.items():
        out[name] = base + ns[len(DEFAULT_BASE):] if ns.startswith(DEFAULT_BASE + "id/") else ns
    # Profiles only: section slugs hold '/', which Turtle would have to escape in prefixed names.
    out.setdefault("profile", f"{base}id/profile/")
    return tuple(out.items())


def sparql_ui_href(map_: IriMap, iri: str) -> str:
    """The SPARQL UI with a ready query about `iri` (DESCRIBE), for the links on every page."""
    return f"{map_.script_root}/sparql?" + urlencode({"query": f"DESCRIBE <{iri}>"})


def explorer_href(map_: IriMap, iri: str) -> str:
    return f"{map_.script_root}/explore?" + urlencode({"focus": iri})
