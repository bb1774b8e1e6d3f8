"""Command line: parse arguments, call the stage functions, print results (stdout) and messages (stderr)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.errors import InputError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def _build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.void import Publication

    for option, url in (("--base-url", args.base_url), ("--endpoint-url", args.endpoint_url)):
        if url is not None and not url.startswith(("http://", "https://")):
            raise InputError(f"{option} expects an http(s) URL, got {url!r}")
    print(f"data: {args.data} ({args.data_origin}); out: {args.out}", flush=True)  # said before the seconds it takes
    result = build(args.data, args.out, Publication(args.base_url, args.endpoint_url))
    print(result.summary())
    if not result.conforms:
        sys.stderr.write(result.report.text())
        sys.stderr.write("".join(failure.describe() for failure in result.failed_checks))  # a likely cause
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
    from kg.load import load_register, register_of_files
    from kg.validate import validate

    register = register_of_files([Path(name) for name in args.files]) if args.files else load_register(args.data)
    report = validate(register, engine=args.engine)
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
    from kg.query import bind_parameters, get_query, register_graph, register_store, render, run

    query = get_query(args.name)
    values = _parameter_values(args.param)
    bind_parameters(query, values)  # report a bad parameter before loading anything
    source = register_store(args.data) if args.engine == "oxigraph" else register_graph(args.data)
    rows = run(query, source, values)
    sys.stdout.write(render(rows, args.format))
    return EXIT_OK


def _sparql(args: argparse.Namespace) -> int:
    from kg.query import register_store, render, run_sparql

    text = sys.stdin.read() if args.file == "-" else _read_text(Path(args.file))
    sys.stdout.write(render(run_sparql(text, register_store(args.data)), args.format))
    return EXIT_OK


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the query file {path}: {error}") from error


def _serve(args: argparse.Namespace) -> int:
    from kg.serve import start_server

    stop_on_terminate()
    try:
        server = start_server(args.dist, args.host, args.port, args.timeout, cors=args.cors, data_dir=args.data)
    except KeyboardInterrupt:
        return EXIT_OK  # Ctrl-C during start-up: start_server stopped what it had started
    try:  # the announcement inside: a signal may arrive the moment it is read
        print(f"SPARQL endpoint {server.query_url} (query UI {server.url}), read-only, serving {server.dataset}; "
              "Ctrl-C stops it", flush=True)
        server.wait()
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        server.stop()
    sys.stderr.write(f"cpsu-kg: error: {server.exit_message()}\n")
    return EXIT_VIOLATIONS


def stop_on_terminate() -> None:
    """Make SIGTERM and SIGHUP (docker, systemd, `timeout`, a closed terminal) stop a command as Ctrl-C does."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)


def forget_caught_interrupts() -> None:
    """Clear CPython's mark of a Ctrl-C caught inside exec'd code, so that `python -m kg` exits with its own code."""
    # CPython marks a KeyboardInterrupt that ends the exec or eval of a string as unhandled even when a caller catches
    # it (dataclasses and namedtuples build their methods that way, so a SIGTERM during a lazy import lands there),
    # and under `python -m` it then ends the process by SIGINT in place of the exit code we return. Every exec of a
    # string clears the mark before it runs.
    exec("pass")


def _timeline(args: argparse.Namespace) -> int:
    from kg.query import register_store
    from kg.timeline import check_window, draw_timeline, output_format

    path = Path(args.output or ("dist/timeline.svg" if args.body is None else f"dist/timeline-{args.body}.svg"))
    output_format(path)  # a bad file name or window exits 2 before anything is loaded
    check_window(args.year_from, args.year_to)
    if args.body is None:
        print(f"wrote        {draw_timeline(register_store(args.data), path, args.year_from, args.year_to)}")
        return EXIT_OK
    from kg.body_timeline import draw_body_timeline

    drawn = draw_body_timeline(register_store(args.data), args.body, path, args.year_from, args.year_to)
    print(f"wrote        {drawn}")
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from kg.docs import build_docs
    from kg.query import register_store

    store = register_store(args.data)  # a register the build would reject is refused before anything is said
    print(f"writing      the ontology, register and body pages{' and their charts' * (not args.no_timeline)} "
          f"into {args.out}/ (a few seconds)", flush=True)
    written = build_docs(store, Path(args.out), timeline=not args.no_timeline)
    print("wrote        " + ", ".join(str(path) for path in written))
    return EXIT_OK


def _site(args: argparse.Namespace) -> int:
    import tempfile

    from kg.docs import write_ontology_page
    from kg.query import register_store
    from kg.site import write_site

    print("writing the static site: a page and three descriptions per entity, the ontology's documentation (pyLODE)",
          flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        ontology = write_ontology_page(Path(scratch) / "ontology.html")
        written = write_site(register_store(args.data), Path(args.out), Path(args.dist), args.base_url, ontology)
    print(f"wrote        {len(written)} files into {args.out}/ (open {Path(args.out) / 'index.html'})")
    return EXIT_OK


def _wikidata(args: argparse.Namespace) -> int:
    from kg import wikidata

    if args.action == "check":
        report = wikidata.check(endpoint=args.endpoint, refresh=args.refresh)
        sys.stdout.write(wikidata.render_check(report, args.format))
        sys.stderr.write(report.summary() + "\n")
        return EXIT_VIOLATIONS if report.findings else EXIT_OK
    difference = wikidata.diff(endpoint=args.endpoint, refresh=args.refresh)
    sys.stdout.write(wikidata.render_diff(difference, args.format))
    sys.stderr.write(difference.summary() + "\n")
    return EXIT_VIOLATIONS if difference.differs else EXIT_OK


DATA_HELP = "folder of the register's *.ttl (default: ./data inside a checkout, else the packaged register)"


def add_format_option(command: argparse.ArgumentParser) -> None:
    """The --format option of the commands that print rows."""
    command.add_argument(
        "--format",
        choices=("table", "csv", "tsv", "json"),
        default="table",
        help="table (default), or a SPARQL 1.1 results format: csv, tsv, json",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of `cpsu-kg`."""
    top = argparse.ArgumentParser(
        prog="cpsu-kg",
        description="A sourced, validated knowledge graph of the leadership of the CPSU, 1917-1991.",
    )
    from kg.paths import package_version

    top.add_argument("--version", action="version", version=f"cpsu-kg {package_version()}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate the data and write dist/ (Turtle, N-Triples, JSON-LD)")
    build.add_argument("--out", default="dist", help="output folder (default: dist)")
    build.add_argument("--data", default=None, help=DATA_HELP)
    build.add_argument("--base-url", default=None, metavar="URL",
                       help="where `cpsu-kg site` is published (void.ttl names the dumps under URL/dumps/)")
    build.add_argument("--endpoint-url", default=None, metavar="URL", help="the public SPARQL endpoint, for void.ttl")
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="validate Turtle files against the SHACL shapes")
    validate.add_argument("files", nargs="*", metavar="FILE", help="Turtle files (default: data/*.ttl)")
    validate.add_argument("--data", default=None, help="folder of data/*.ttl used when no FILE is given")
    validate.add_argument(
        "--engine",
        choices=("turbo", "pyshacl"),
        default="turbo",
        help="turbo: pyshacl-turbo, SHACL in Rust (default); pyshacl: the reference implementation",
    )
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
    add_format_option(query)
    query.add_argument(
        "--engine",
        choices=("oxigraph", "rdflib"),
        default="oxigraph",
        help="run in-process on Oxigraph (pyoxigraph, the default: 10-20x faster) or on rdflib",
    )
    query.add_argument("--data", default=None, help=DATA_HELP)
    query.set_defaults(run=_query)

    sparql = commands.add_parser(
        "sparql", help="run your own SPARQL query over the built graph (the project's prefixes are declared)"
    )
    sparql.add_argument("file", metavar="FILE", help="a file holding the query, or - to read standard input")
    add_format_option(sparql)
    sparql.add_argument("--data", default=None, help=DATA_HELP)
    sparql.set_defaults(run=_sparql)

    serve = commands.add_parser(
        "serve", help="serve the build (or, with none, the register) as a read-only SPARQL 1.1 endpoint with a query UI"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7878, help="port (default: 7878)")
    serve.add_argument("--dist", default=None,
                       help="the built folder to serve (default: ./dist if built, else the register of --data)")
    serve.add_argument("--data", default=None, help=DATA_HELP + "; served when there is no build")
    serve.add_argument("--cors", action="store_true", help="send CORS headers (for browsers on other origins)")
    serve.add_argument(
        "--timeout", type=int, default=30, metavar="SECONDS", help="stop any query that runs longer (default: 30)"
    )
    serve.set_defaults(run=_serve)

    timeline = commands.add_parser("timeline", help="draw the officeholders' timeline, 1917-1991 (SVG or PNG)")
    timeline.add_argument("-o", "--output", default=None, metavar="FILE",
                          help="a .svg or .png file (default: dist/timeline.svg, or dist/timeline-BODY.svg)")
    timeline.add_argument("--body", choices=("politburo", "secretariat", "orgburo"), default=None,
                          help="draw the membership of a leading body instead: one row per person")
    timeline.add_argument("--from", dest="year_from", type=int, default=1917, metavar="YEAR", help="first year shown")
    timeline.add_argument("--to", dest="year_to", type=int, default=1991, metavar="YEAR", help="last year shown")
    timeline.add_argument("--data", default=None, help=DATA_HELP)
    timeline.set_defaults(run=_timeline)

    docs = commands.add_parser("docs", help="write the ontology documentation (pyLODE) and the register page")
    docs.add_argument("--out", default="dist/docs", help="output folder (default: dist/docs)")
    docs.add_argument("--no-timeline", action="store_true", help="leave the timeline picture out")
    docs.add_argument("--data", default=None, help=DATA_HELP)
    docs.set_defaults(run=_docs)

    site = commands.add_parser("site", help="write the static Linked Data site: a page and data for every IRI")
    site.add_argument("--out", default="dist/site", help="output folder (default: dist/site)")
    site.add_argument("--dist", default="dist", help="the built folder whose dumps the site publishes (default: dist)")
    site.add_argument("--base-url", default=None, metavar="URL",
                      help="where the site will be published (for the w3id.org redirects); default: local")
    site.add_argument("--data", default=None, help=DATA_HELP)
    site.set_defaults(run=_site)

    wikidata = commands.add_parser("wikidata", help="compare the register with Wikidata")
    actions = wikidata.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="flag Wikidata links whose label, dates or type do not fit (exit 1)")
    check.add_argument("--format", choices=("table", "json"), default="table")
    difference = actions.add_parser(
        "diff", help="where Wikidata's position-held statements and the register disagree (exit 1 when they do)"
    )
    difference.add_argument("--format", choices=("table", "json", "quickstatements"), default="table")
    for action in (check, difference):
        action.add_argument(
            "--endpoint",
            default="https://query.wikidata.org/sparql",
            help="the Wikidata SPARQL endpoint (default: https://query.wikidata.org/sparql)",
        )
        action.add_argument("--refresh", action="store_true", help="ignore cached answers and fetch again")
        action.set_defaults(run=_wikidata)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 violations, 2 bad input or usage)."""
    stop_on_terminate()  # SIGTERM and SIGHUP unwind like Ctrl-C: a build removes its staging, a server its engine
    try:
        args = parser().parse_args(argv)
    except KeyboardInterrupt:
        sys.stderr.write("cpsu-kg: interrupted\n")
        return EXIT_INTERRUPTED
    if getattr(args, "data", "") is None:
        from kg.paths import default_data_dir

        args.data, args.data_origin = default_data_dir()
    elif hasattr(args, "data"):
        args.data_origin = "given with --data"
    try:
        return args.run(args)
    except InputError as error:
        sys.stderr.write(f"cpsu-kg: error: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        kept = f"; {args.out}/ was left as it was" if args.run is _build else ""
        sys.stderr.write(f"cpsu-kg: interrupted{kept}\n")
        return EXIT_INTERRUPTED
