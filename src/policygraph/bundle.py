"""The files policygraph needs beside its code, and where they are: in a checkout or in an installed package.

The ontology, the shapes, the catalogue queries and the front-end files from npm are edited (or installed by
npm) at the top of a checkout: ontology/, shapes/, queries/, node_modules/. The repository keeps one copy of
each. A built package carries them inside itself, in policygraph/bundled/, copied there by the build step in
setup.py; so `pip install` gives a service that runs with no checkout and no network.

setup.py reads this module by its path, before the package's dependencies are installed: it imports nothing
but the standard library and nothing of policygraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "bundled"  # only in a built package
CHECKOUT = PACKAGE.parents[1]  # src/policygraph -> the checkout, when run from one

# The folders that go with the code (a shape or a catalogue query is written against this code's ontology),
# and the files of each that are read.
FOLDERS = {"ontology": "*.ttl", "shapes": "*.ttl", "queries": "*.rq"}


@dataclass(frozen=True)
class Asset:
    """A front-end package from npm that pages load from /assets/<name>/<file>."""

    npm: str  # its folder under node_modules/
    folder: str  # the folder of the served files inside it
    files: tuple[str, ...]  # the files the pages load: the only ones served and packaged
    notices: tuple[str, ...] = ("LICENSE",)  # its licence, packaged with the files (redistribution needs it)


ASSETS = {
    "yasgui": Asset("@zazuko/yasgui", "build", ("yasgui.min.js", "yasgui.min.css"), notices=("package.json",)),
    "cytoscape": Asset("cytoscape", "dist", ("cytoscape.min.js",)),
    "cytoscape-fcose": Asset("cytoscape-fcose", ".", ("cytoscape-fcose.js",)),
    "layout-base": Asset("layout-base", ".", ("layout-base.js",)),
    "cose-base": Asset("cose-base", ".", ("cose-base.js",)),
}


def installed() -> bool:
    """Whether this code runs from a built package (which carries the bundle) rather than a checkout."""
    return BUNDLED.is_dir()


def in_checkout() -> bool:
    return not installed() and (CHECKOUT / "ontology").is_dir()


def default_folder(name: str) -> Path:
    """The default of the ontology_dir, shapes_dir or queries_dir setting: in a checkout, the folder at its
    top (relative, so under the root setting, as ever); in a package, the copy it carries (absolute, so the
    root setting, which names where the data and the store are, does not move it)."""
    return BUNDLED / name if installed() else Path(name)


def asset_folder(name: str) -> Path:
    """Where the files of front-end package `name` are: in the package, or in the checkout's node_modules."""
    asset = ASSETS[name]
    if installed():
        return BUNDLED / "assets" / name
    return CHECKOUT / "node_modules" / asset.npm / asset.folder


def bundle_files(checkout: Path, missing_ok: bool = False) -> list[tuple[Path, PurePosixPath]]:
    """Every file the build copies into the package: (its path in `checkout`, its place under bundled/).

    Raises FileNotFoundError naming the missing files and what provides them, unless `missing_ok` (then
    they are left out: for listing the sources of a checkout that has not run npm yet)."""
    found: list[tuple[Path, PurePosixPath]] = []
    missing: list[str] = []
    for folder, pattern in FOLDERS.items():
        files = sorted((checkout / folder).glob(pattern))
        if not files:
            missing.append(f"{folder}/{pattern}")
        found.extend((path, PurePosixPath(folder, path.name)) for path in files)
    for name, asset in ASSETS.items():
        package = checkout / "node_modules" / asset.npm
        found += [(package / asset.folder / file, PurePosixPath("assets", name, file)) for file in asset.files]
        found += [(package / file, PurePosixPath("assets", name, file)) for file in asset.notices]
    if not (checkout / "node_modules").is_dir():
        missing.append("node_modules/")  # npm has not run: one name says it better than every file
    else:
        missing += [str(path.relative_to(checkout)) for path, _ in found if not path.is_file()]
    if missing and not missing_ok:
        raise FileNotFoundError(
            f"cannot bundle {', '.join(missing)} from {checkout}: the ontology, shapes and queries come with the "
            "checkout, the front-end files from npm (run `npm install`, or `make setup`, first)"
        )
    return [(path, place) for path, place in found if path.is_file()]
