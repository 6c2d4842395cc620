"""/dumps: the whole dataset in every RDF format, with sizes, counts and checksums; /dumps/<file> downloads."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory

from policygraph.linked.dumps import CHECKSUMS, MANIFEST, DumpSet, ensure_dumps
from policygraph.web.context import get_settings, get_store
from policygraph.web.resources import iri_map

bp = Blueprint("dumps", __name__)


def current_dumps() -> DumpSet:
    """The dump set of the build being served (written on first use after each new build)."""
    handle = get_store()
    return ensure_dumps(handle.get(), get_settings().files_path, handle.version, iri_map())


@bp.get("/dumps")
def dumps() -> str:
    return render_template("ld/dumps.html", dumps=current_dumps())


@bp.get("/dumps/<name>")
def download(name: str) -> Response:
    dumps = current_dumps()
    # Only names the manifest lists are served: no path from the request ever reaches the file system.
    extra = {MANIFEST: "application/json", CHECKSUMS: "text/plain; charset=utf-8"}
    if name in extra:
        response = send_from_directory(dumps.directory, name, max_age=300)
        response.headers["Content-Type"] = extra[name]  # set whole: werkzeug would add a second charset
        return response
    file = dumps.file(name)
    textual = file.media_type.startswith("text/") or file.media_type.endswith(("json", "xml", "triples", "quads", "trig"))
    response = send_from_directory(dumps.directory, file.name, max_age=300)
    response.headers["Content-Type"] = f"{file.media_type}; charset=utf-8" if textual else file.media_type
    response.headers["Digest"] = f"sha-256={file.sha256}"  # hex, as the page and the VoID give it
    return response
