"""The command line: a thin wrapper over the pipeline, store and query functions."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import pyoxigraph as ox

from policygraph import __version__
from policygraph.errors import InputError, PolicygraphError, ValidationFailed
from policygraph.formats import RDF
from policygraph.settings import Settings, load_settings
from policygraph.store.merge import in_default


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(file=args.settings, store=getattr(args, "store", None))


def cmd_build(args: argparse.Namespace) -> int:
    from policygraph.pipeline import build_and_store

    outcome = build_and_store(_settings(args))
    print(f"built {len(outcome.built)} quads from {len(outcome.built.profiles)} profiles; "
          f"SHACL: {len(outcome.report.violations)} violations, {len(outcome.report.warnings)} warnings")
    if outcome.report.warnings and args.verbose:
        print(outcome.report.text())
    print(f"store: {outcome.store}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from policygraph.pipeline import check

    _built, report = check(_settings(args))
    print(report.text())
    return 0 if report.conforms else 1


def export_dump(store: ox.Store, fmt: str, output: Path | None) -> bytes | None:
    """Serialise the whole dataset: quad formats keep the named graphs; triple formats get their merge."""
    rdf_format = RDF[fmt][1]
    from policygraph.namespaces import PREFIXES

    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD):
        quads = (q for q in store.quads_for_pattern(None, None, None, None) if not in_default(q))
        kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TRIG else {}
        return ox.serialize(quads, output, format=rdf_format, **kwargs)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")  # the default graph: the merge
    kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TURTLE else {}
    return ox.serialize(triples, output, format=rdf_format, **kwargs)


def cmd_export(args: argparse.Namespace) -> int:
    from policygraph.store import dataset_version, open_dataset

    settings = _settings(args)
    store = open_dataset(settings)
    if args.all:  # the same set of files as the server's /dumps
        from policygraph.linked.dumps import write_dumps
        from policygraph.linked.iris import IriMap

        dumps = write_dumps(store, Path(args.all), IriMap.of(settings.base_iri, settings.public_url),
                            dataset_version(settings))
        for f in dumps.files:
            print(f"{f.name}  {f.size} bytes  {f'{f.count} {f.unit}' if f.count is not None else ''}  sha256 {f.sha256}")
    elif args.output:
        export_dump(store, args.format, Path(args.output))
    else:
        data = export_dump(store, args.format, None)
        sys.stdout.buffer.write(data or b"")
    return 0


def _term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def run_query(store: ox.Store, text: str, fmt: str, base_iri: str | None = None) -> str:
    # The default graph is the merge of all named graphs; relative IRIs resolve against the dataset's base.
    result = store.query(text, base_iri=base_iri)
    if isinstance(result, ox.QueryBoolean):
        result = bool(result)
    if isinstance(result, bool):
        return {"json": json.dumps({"boolean": result}), "csv": f"boolean\n{str(result).lower()}\n"}.get(
            fmt, str(result).lower()
        )
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [[_term(sol[v]) for v in variables] for sol in result]
        if fmt == "json":
            return json.dumps([dict(zip(variables, row)) for row in rows], ensure_ascii=False, indent=1)
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(variables)
            writer.writerows(rows)
            return buf.getvalue()
        widths = [min(60, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(variables)]
        line = lambda cells: "  ".join(c[:60].ljust(w) for c, w in zip(cells, widths))  # noqa: E731
        out = [line(variables), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
        return "\n".join(out) + f"\n({len(rows)} rows)"
    return ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8")


def cmd_query(args: argparse.Namespace) -> int:
    from policygraph.store import open_dataset

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    settings = _settings(args)
    store = open_dataset(settings)
    try:
        print(run_query(store, text, args.format, settings.resource_base))
    except SyntaxError as exc:
        raise InputError(f"malformed query: {exc}") from None
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from policygraph.stats import stats_tables
    from policygraph.store import open_dataset

    print(stats_tables(open_dataset(_settings(args)), markdown=args.markdown))
    return 0


def cmd_sections(args: argparse.Namespace) -> int:
    from policygraph.build import load_vocabularies
    from policygraph.ingest import IssueMatcher, load_profiles
    from policygraph.namespaces import Minter

    settings = _settings(args)
    vocab = load_vocabularies(settings, Minter(settings.base_iri))
    for profile in load_profiles(settings.input_dir("sources_dir"), IssueMatcher.from_graph(vocab["issues"])):
        if args.organisation and profile.key != args.organisation:
            continue
        for s in profile.sections:
            issues = f"  [{', '.join(s.issues)}]" if s.issues else ""
            print(f"{profile.key}  {s.start_line:>5}-{s.end_line:<5} {s.path}{issues}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from policygraph.web.serve import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = load_settings(file=args.settings, store=args.store, **overrides)
    serve(settings)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policygraph", description="Digital-policy profiles as a validated, served knowledge graph.")
    p.add_argument("--version", action="version", version=f"policygraph {__version__}")
    p.add_argument("--settings", type=Path, help="a TOML settings file (also POLICYGRAPH_SETTINGS)")
    p.add_argument("--store", help="store directory or SPARQL endpoint URL (also POLICYGRAPH_STORE)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="ingest, compile, validate and load a new store (swapped in atomically)")
    b.add_argument("-v", "--verbose", action="store_true", help="print warnings too")
    b.set_defaults(func=cmd_build)
    sub.add_parser("validate", help="build in memory and print the SHACL report").set_defaults(func=cmd_validate)
    e = sub.add_parser("export", help="write the whole dataset in an RDF format")
    e.add_argument("--format", choices=sorted(RDF), default="turtle")
    e.add_argument("--output", "-o", help="file to write (default: standard output)")
    e.add_argument("--all", metavar="DIR", help="write every format, the JSON-LD context and checksums into DIR (as /dumps)")
    e.set_defaults(func=cmd_export)
    q = sub.add_parser("query", help="run a SPARQL query from a file or - (standard input)")
    q.add_argument("file")
    q.add_argument("--format", choices=["table", "json", "csv"], default="table")
    q.set_defaults(func=cmd_query)
    s = sub.add_parser("stats", help="counts per class and per organisation")
    s.add_argument("--markdown", action="store_true", help="Markdown tables")
    s.set_defaults(func=cmd_stats)
    sec = sub.add_parser("sections", help="list the sections of the profiles (keys for curated evidence)")
    sec.add_argument("organisation", nargs="?")
    sec.set_defaults(func=cmd_sections)
    srv = sub.add_parser("serve", help="serve the store over HTTP")
    srv.add_argument("--host")
    srv.add_argument("--port", type=int)
    srv.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationFailed as exc:
        print(f"policygraph: {exc.message}", file=sys.stderr)
        print("policygraph: the previous store (if any) is unchanged", file=sys.stderr)
        return 1
    except PolicygraphError as exc:
        print(f"policygraph: {exc.message}", file=sys.stderr)
        return 2 if exc.status < 500 else 3


if __name__ == "__main__":
    raise SystemExit(main())
