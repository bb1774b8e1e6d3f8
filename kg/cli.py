"""Command line: parse arguments, call the stage functions, print results (stdout) and messages (stderr)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.errors import InputError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


def _build(args: argparse.Namespace) -> int:
    from kg.build import build

    result = build(args.data, args.out)
    print(result.summary())
    if not result.report.conforms:
        sys.stderr.write(result.report.text())
        sys.stderr.write(f"build failed: the data violates the shapes; {args.out}/ was left as it was.\n")
        return EXIT_VIOLATIONS
    if result.failed_checks:
        sys.stderr.write("".join(failure.describe() for failure in result.failed_checks))
        sys.stderr.write(
            f"build failed: {len(result.failed_checks)} check(s) found rows; {args.out}/ was left as it was.\n"
        )
        return EXIT_VIOLATIONS
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from kg.load import ONTOLOGY_FILES, data_files, parse_files
    from kg.validate import validate

    files = [Path(name) for name in args.files] or data_files(Path(args.data))
    if not files:
        raise InputError(f"{args.data}: no Turtle files (*.ttl) to validate")
    report = validate(parse_files([*ONTOLOGY_FILES, *files]))
    sys.stdout.write(report.text())
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _queries(args: argparse.Namespace) -> int:
    from kg.query import list_queries

    for query in list_queries():
        parameters = " ".join(f"-p {p.name}=<{p.kind.replace('_', ':')}>" for p in query.parameters)
        print(f"{query.name}{' ' + parameters if parameters else ''}\n    {query.summary}")
    return EXIT_OK


def _parameter_values(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise InputError(f"parameter {pair!r} is not of the form name=value")
        values[name] = value
    return values


def _query(args: argparse.Namespace) -> int:
    from kg.query import bind_parameters, get_query, oxigraph_store, register_graph, render, run, run_oxigraph

    query = get_query(args.name)
    values = _parameter_values(args.param)
    bind_parameters(query, values)  # report a bad parameter before loading anything
    graph = register_graph()
    if args.engine == "oxigraph":
        rows = run_oxigraph(query, oxigraph_store(graph), values)
    else:
        rows = run(query, graph, values)
    sys.stdout.write(render(rows, args.format))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from kg.serve import start_server

    server = start_server(args.dist, args.host, args.port, args.timeout)
    print(f"SPARQL endpoint {server.query_url} (query UI {server.url}), read-only; Ctrl-C stops it", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser of `cpsu-kg`."""
    top = argparse.ArgumentParser(
        prog="cpsu-kg",
        description="A sourced, validated knowledge graph of the leadership of the CPSU, 1917-1991.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate the data and write dist/ (Turtle, N-Triples, JSON-LD)")
    build.add_argument("--out", default="dist", help="output folder (default: dist)")
    build.add_argument("--data", default=None, help="folder of data/*.ttl (default: the project's data/)")
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="validate Turtle files against the SHACL shapes")
    validate.add_argument("files", nargs="*", metavar="FILE", help="Turtle files (default: data/*.ttl)")
    validate.add_argument("--data", default=None, help="folder of data/*.ttl used when no FILE is given")
    validate.set_defaults(run=_validate)

    queries = commands.add_parser("queries", help="list the stored queries with their summaries and parameters")
    queries.set_defaults(run=_queries)

    query = commands.add_parser("query", help="run a stored query (see `cpsu-kg queries`)")
    query.add_argument("name", help="the query's name, e.g. who-led-on")
    query.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter, e.g. -p date=1953-06-01 (repeatable)",
    )
    query.add_argument(
        "--format",
        choices=("table", "csv", "tsv", "json"),
        default="table",
        help="table (default), or a SPARQL 1.1 results format: csv, tsv, json",
    )
    query.add_argument(
        "--engine",
        choices=("rdflib", "oxigraph"),
        default="rdflib",
        help="run in-process on rdflib (default) or on Oxigraph (pyoxigraph)",
    )
    query.set_defaults(run=_query)

    serve = commands.add_parser("serve", help="serve dist/ as a read-only SPARQL 1.1 endpoint with a query UI")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7878, help="port (default: 7878)")
    serve.add_argument("--dist", default="dist", help="the built folder to serve (default: dist)")
    serve.add_argument(
        "--timeout", type=int, default=30, metavar="SECONDS", help="stop any query that runs longer (default: 30)"
    )
    serve.set_defaults(run=_serve)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 violations, 2 bad input or usage)."""
    args = parser().parse_args(argv)
    if getattr(args, "data", "") is None:
        from kg.load import DATA_DIR

        args.data = DATA_DIR
    try:
        return args.run(args)
    except InputError as error:
        sys.stderr.write(f"cpsu-kg: error: {error}\n")
        return EXIT_USAGE
