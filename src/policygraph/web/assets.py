"""Front-end packages from npm (node_modules), served by the app itself: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from policygraph.web.context import get_settings

bp = Blueprint("assets", __name__)

# Only these packages (and only their distribution folders) are served.
PACKAGES = {
    "yasgui": "@zazuko/yasgui/build",
    "cytoscape": "cytoscape/dist",
    "cytoscape-fcose": "cytoscape-fcose",
    "layout-base": "layout-base",
    "cose-base": "cose-base",
}


@bp.get("/assets/<package>/<path:filename>")
def asset(package: str, filename: str):  # type: ignore[no-untyped-def]
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    root: Path = get_settings().root / "node_modules" / folder
    # send_from_directory refuses paths that leave `root` (no traversal).
    response = send_from_directory(root, filename, max_age=86400)
    return response
