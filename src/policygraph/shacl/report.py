"""Validation results and reports, shared by both validation engines (pyshacl and the fast SPARQL one)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from policygraph.errors import ValidationFailed

SHORT = 120  # longer literals are cut in reports


@dataclass(frozen=True)
class Result:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    value: str

    def line(self) -> str:
        path = f" path {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"[{self.severity}] {self.focus}{path}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        if not self.results:
            return "Conforms: no violations, no warnings."
        lines = [r.line() for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.focus, r.path))]
        head = f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *lines])

    def raise_if_failed(self) -> None:
        if not self.conforms:
            raise ValidationFailed(self.text(), len(self.violations))


def short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."


def short_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """How a report shows a node: its IRI, blank node label or literal text (cut)."""
    if term is None:
        return ""
    return short(term.value) if isinstance(term, ox.Literal) else term.value
