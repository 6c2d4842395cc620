"""Front-end packages from npm, served by the app itself: no CDN, works offline.

The files come from the checkout's node_modules/, or from the copy an installed package carries
(bundle.py). Only the files the pages load are served, in both cases: a page that works from a checkout
works from the package too, since the package carries exactly those files.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from policygraph.bundle import ASSETS, asset_folder

bp = Blueprint("assets", __name__)


@bp.get("/assets/<package>/<path:filename>")
def asset(package: str, filename: str):  # type: ignore[no-untyped-def]
    found = ASSETS.get(package)
    if found is None or filename not in found.files:
        abort(404)
    return send_from_directory(asset_folder(package), filename, max_age=86400)
