"""Synthetic policygraph data at any size: deterministic, valid under the shapes, streamed as N-Quads.

    python bench/generate.py --triples 100000 --out var/bench/100k.nq [--inject N] [--kinds a,b] [--seed S]

The data follows the real build: the vocabulary graphs (ontology/*.ttl as they are), then per profiled
organisation a profile graph (organisation, accounts, profile, sections with text, line ranges and issue
headings mapped to the real issue scheme) and a curated graph (organisation type, partner organisations,
initiatives with kinds, involvements, roles and subjects, partnerships, evidence quoting the section
text verbatim), and the derived graph. `--inject` breaks N facts, one constraint at a time (see KINDS),
and writes a manifest (FILE.manifest.json) naming each injected violation, its focus node and message.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from units import KINDS, Unit, Vocabulary  # type: ignore[import-not-found,no-redef]
else:
    from bench.units import KINDS, Unit, Vocabulary

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/policygraph/"
VOCABULARY = {"ontology": "policygraph.ttl", "issues": "issues.ttl", "kinds": "kinds.ttl"}

__all__ = ["KINDS", "Generated", "generate", "main"]


@dataclass
class Generated:
    quads: int = 0
    units: int = 0
    injected: list[dict[str, str]] = field(default_factory=list)

    def manifest(self, seed: int, target: int) -> dict[str, object]:
        return {"seed": seed, "target_triples": target, "quads": self.quads, "organisations": self.units,
                "injected": self.injected}


def vocabulary_lines(ontology: Path) -> Iterator[str]:
    """The vocabulary graphs, then their merge in the default graph (store/merge.py)."""
    merge: dict[str, None] = {}
    for name, file in VOCABULARY.items():
        graph = f"<{BASE}graph/{name}>"
        for triple in ox.parse(path=ontology / file, format=ox.RdfFormat.TURTLE):
            merge[f"{triple.subject} {triple.predicate} {triple.object} .\n"] = None
            yield f"{triple.subject} {triple.predicate} {triple.object} {graph} .\n"
    yield from merge


def plan(units: int, inject: int, kinds: list[str]) -> dict[int, list[str]]:
    """Which organisation unit receives which injected violations: spread evenly, kinds in turn."""
    out: dict[int, list[str]] = {}
    for j in range(inject):
        out.setdefault((j * units) // max(inject, 1) if inject <= units else j % units, []).append(kinds[j % len(kinds)])
    return out


def per_unit(vocab: Vocabulary, seed: int) -> float:
    """Average quads per organisation unit (measured on a sample), to turn --triples into units."""
    sample = [len(Unit(vocab, i, seed, units=32).lines()) for i in range(32)]
    return sum(sample) / len(sample)


def generate(out: Path, triples: int, seed: int = 1, inject: int = 0, kinds: list[str] | None = None,
             ontology: Path = ROOT / "ontology") -> Generated:
    """Write about `triples` quads of valid data to `out` (N-Quads), with `inject` violations."""
    kinds = kinds or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown violation kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    vocab = Vocabulary.read(ontology)
    head = list(vocabulary_lines(ontology))
    units = max(2, round((triples - len(head)) / per_unit(vocab, seed)))
    injections = plan(units, inject, kinds)
    done = Generated(units=units)
    seen: set[int] = set()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(head)
        done.quads += len(head)
        for i in range(units):
            unit = Unit(vocab, i, seed, units=units)
            for number, kind in enumerate(injections.get(i, [])):
                done.injected.append(unit.inject(kind, number))
            lines = unit.lines(seen)
            f.write("".join(lines))
            done.quads += len(lines)
    return done


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--triples", type=int, required=True, help="about how many quads to write (10k to 10M)")
    p.add_argument("--out", type=Path, required=True, help="the N-Quads file to write")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--inject", type=int, default=0, help="how many violations to inject")
    p.add_argument("--kinds", help=f"comma-separated violation kinds, in turn (default all: {', '.join(KINDS)})")
    p.add_argument("--manifest", type=Path, help="where to write the manifest (default: OUT.manifest.json)")
    args = p.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else None
    done = generate(args.out, args.triples, seed=args.seed, inject=args.inject, kinds=kinds)
    manifest = args.manifest or args.out.with_name(args.out.name + ".manifest.json")
    manifest.write_text(json.dumps(done.manifest(args.seed, args.triples), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{args.out}: {done.quads} quads, {done.units} organisations, {len(done.injected)} injected violation(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
