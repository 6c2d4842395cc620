"""The import graph of src/ reads top to bottom: no import loop, and no module imports a higher layer.

Every import counts, those inside functions and under TYPE_CHECKING included. The layers are the ones in
DESIGN.md: the shared ground at the bottom, the store above it, the knowledge (ingest, curation, shapes,
build, linked data, explorer) above the store, the query service and the writes above that, the web tier
and the CLI on top. A module may import its own layer or any lower one, never a higher one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import ROOT

SRC = ROOT / "src"

# The one table: a module belongs to the layer of the longest prefix that names it.
LAYERS: dict[str, tuple[int, str]] = {
    "policygraph": (0, "ground"),
    "policygraph.errors": (0, "ground"),
    "policygraph.formats": (0, "ground"),
    "policygraph.limits": (0, "ground"),
    "policygraph.prefixes": (0, "ground"),
    "policygraph.namespaces": (0, "ground"),
    "policygraph.oxrdf": (0, "ground"),
    "policygraph.bundle": (0, "ground"),
    "policygraph.processes": (0, "ground"),
    "policygraph.settings": (0, "ground"),
    "policygraph.sparqltext": (0, "ground"),
    "policygraph.store": (1, "store"),
    "policygraph.audit": (2, "knowledge"),
    "policygraph.build": (2, "knowledge"),
    "policygraph.curated": (2, "knowledge"),
    "policygraph.derive": (2, "knowledge"),
    "policygraph.explore": (2, "knowledge"),
    "policygraph.ingest": (2, "knowledge"),
    "policygraph.linked": (2, "knowledge"),
    "policygraph.pipeline": (2, "knowledge"),
    "policygraph.queries": (2, "knowledge"),
    "policygraph.search": (2, "knowledge"),
    "policygraph.shacl": (2, "knowledge"),
    "policygraph.stats": (2, "knowledge"),
    "policygraph.validate": (2, "knowledge"),
    "policygraph.sparql": (3, "services"),
    "policygraph.writes": (3, "services"),
    "policygraph.web": (4, "top"),
    "policygraph.cli": (4, "top"),
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    path: Path  # its file
    line: int
    target: str  # the imported module
    names: tuple[str, ...]  # the names taken from it ("*" for the module itself)


def module_of(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(module: str, src: Path) -> bool:
    base = src.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(src: Path, package: str = "policygraph") -> list[Import]:
    """Every import of `package` by a module of `package` under `src`, wherever in the file it stands."""
    found: list[Import] = []
    for path in sorted((src / package).rglob("*.py")):
        source = module_of(path, src)
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        found.append(Import(source, path, node.lineno, alias.name, ("*",)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the importing module's package
                    anchor = source.split(".") if is_package else source.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                if not (base == package or base.startswith(package + ".")):
                    continue
                plain: list[str] = []
                for alias in node.names:  # `from package.x import y` where y is a module: an import of it
                    if _exists(f"{base}.{alias.name}", src):
                        found.append(Import(source, path, node.lineno, f"{base}.{alias.name}", ("*",)))
                    else:
                        plain.append(alias.name)
                if plain:
                    found.append(Import(source, path, node.lineno, base, tuple(plain)))
    return found


def layer_of(module: str, table: dict[str, tuple[int, str]]) -> tuple[int, str]:
    best = max((prefix for prefix in table if module == prefix or module.startswith(prefix + ".")), key=len, default=None)
    if best is None:
        raise KeyError(f"{module} is in no layer: add it to the table in tests/test_layers.py")
    return table[best]


def upward(imports: list[Import], table: dict[str, tuple[int, str]], src: Path) -> list[str]:
    """One line per import of a higher layer: file, line, the names, both layers."""
    found = []
    for imp in imports:
        (low, low_name), (high, high_name) = layer_of(imp.source, table), layer_of(imp.target, table)
        if high > low:
            found.append(f"{imp.path.relative_to(src.parent)}:{imp.line} ({low_name}) imports {', '.join(imp.names)} "
                         f"from {imp.target} ({high_name})")
    return found


def loops(imports: list[Import], src: Path) -> list[str]:
    """One line per import loop (a strongly connected set of modules), with the imports that close it."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        if imp.source != imp.target:
            edges.setdefault(imp.source, set()).add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    out = []
    for component in components:
        inside = [imp for imp in imports if imp.source in component and imp.target in component and imp.source != imp.target]
        out.append("loop through " + ", ".join(sorted(component)) + ": " + "; ".join(
            f"{imp.path.relative_to(src.parent)}:{imp.line} imports {', '.join(imp.names)} from {imp.target}" for imp in inside))
    return out


IMPORTS = imports_of(SRC)


def test_the_imports_were_read() -> None:
    sources = {imp.source for imp in IMPORTS}
    assert {"policygraph.web.app", "policygraph.writes.writer", "policygraph.store.local", "policygraph.cli"} <= sources
    assert all(_exists(imp.target, SRC) for imp in IMPORTS), [imp for imp in IMPORTS if not _exists(imp.target, SRC)]


def test_every_module_has_a_layer() -> None:
    modules = {module_of(p, SRC) for p in (SRC / "policygraph").rglob("*.py")}
    missing = []
    for module in sorted(modules):
        try:
            layer_of(module, LAYERS)
        except KeyError as exc:
            missing.append(str(exc))
    assert not missing, "\n".join(missing)


def test_no_module_imports_a_higher_layer() -> None:
    found = upward(IMPORTS, LAYERS, SRC)
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


def test_there_is_no_import_loop() -> None:
    found = loops(IMPORTS, SRC)
    assert not found, "\n".join(found)


# ---- the checks themselves, on a small tree that breaks both rules

@pytest.fixture
def broken(tmp_path: Path) -> Path:
    files = {
        "pkg/__init__.py": "",
        "pkg/low.py": "def f():\n    from pkg.high import handler  # inside a function\n    return handler\n",
        "pkg/high.py": "from pkg import low\nhandler = 1\n",
        "pkg/ok.py": "from . import low\nimport pkg.low\n",
    }
    for name, text in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_text(text)
    return tmp_path / "src"


def test_the_checks_name_the_file_the_line_and_the_names(broken: Path) -> None:
    imports = imports_of(broken, "pkg")
    table = {"pkg": (0, "ground"), "pkg.high": (1, "top")}
    assert upward(imports, table, broken) == ["src/pkg/low.py:2 (ground) imports handler from pkg.high (top)"]
    [loop] = loops(imports, broken)
    assert loop.startswith("loop through pkg.high, pkg.low: ")
    assert "src/pkg/low.py:2 imports handler from pkg.high" in loop and "src/pkg/high.py:1 imports * from pkg.low" in loop
    assert {(i.source, i.target) for i in imports if i.source == "pkg.ok"} == {("pkg.ok", "pkg.low")}
