"""The build step that makes the package self-contained (the metadata is in pyproject.toml).

A wheel carries the ontology, the shapes, the catalogue queries and the front-end files the pages load, in
policygraph/bundled/, copied from the checkout (and from npm's node_modules/) when the wheel is built, so the
repository keeps one copy of each. The list is src/policygraph/bundle.py's, which also tells the running code
where to find them. The sdist carries the same files, so a wheel builds from it too. An editable install
reads the checkout itself and bundles nothing.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent


def _bundle_module():  # type: ignore[no-untyped-def]
    """src/policygraph/bundle.py, read by its path: the build has none of the package's dependencies."""
    spec = importlib.util.spec_from_file_location("_policygraph_bundle", HERE / "src" / "policygraph" / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bundle = _bundle_module()


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "policygraph" / bundle.BUNDLED.name
        shutil.rmtree(target, ignore_errors=True)  # an earlier build's files must not linger in this one
        for source, place in bundle.bundle_files(HERE):
            destination = target / place
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)

    def get_source_files(self) -> list[str]:
        """The sources of the package, the bundled files included: what the sdist holds. Lenient, because
        an editable install reads this list too, before `make setup` has run npm; the sdist checks."""
        own = [str(path.relative_to(HERE)) for path, _ in bundle.bundle_files(HERE, missing_ok=True)]
        return [*super().get_source_files(), *own]


class Sdist(sdist):
    def run(self) -> None:
        bundle.bundle_files(HERE)  # fails, naming what is missing, rather than write an sdist without it
        super().run()


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
