"""Query stage: the stored SPARQL queries of queries/, their grlc decorators, typed parameters and result formats.

Queries run on Oxigraph (the register's store); rdflib's engine is kept as the reference for the parity tests.
Results are Oxigraph terms whatever the engine, and this module imports no rdflib at start-up: a query
from the command line pays for neither.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.errors import InputError
from kg.paths import ASSERTED_GRAPH, CHECKS_DIR, DATA_DIR, ID, ID_KINDS, PREBUILT_DIR, QUERIES_DIR

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.plugins.sparql.sparql import Query

    from kg.load import Register

FORMATS = ("table", "csv", "tsv", "json")
XSD = "http://www.w3.org/2001/XMLSchema#"
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
INTEGER_TYPES = {
    f"{XSD}{name}"
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip

# grlc parameter variables: ?_name_type, e.g. ?_date_xsd_date or ?_person_iri
PARAMETER = re.compile(r"\?_([A-Za-z][A-Za-z0-9]*)_(iri|xsd_date|xsd_integer|xsd_string|xsd_boolean)\b")
EXAMPLES = {"xsd_date": "1953-06-01", "xsd_integer": "19", "xsd_string": "text", "xsd_boolean": "true"}


@dataclass(frozen=True)
class Parameter:
    """A query parameter declared by a grlc variable such as ?_date_xsd_date."""

    name: str
    kind: str
    choices: tuple[str, ...] = ()  # the values a string parameter may take (the query's `#+ values:` decorator)

    @property
    def variable(self) -> str:
        """The SPARQL variable name (without '?') that carries the parameter."""
        return f"_{self.name}_{self.kind}"

    def expected(self) -> str:
        """What a value of this parameter looks like, for messages."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind == "iri":
            if self.name in ID_KINDS:
                return f"a {self.name} id such as joseph-stalin, or the IRI {ID}{self.name}/joseph-stalin"
            if self.name == "entity":
                return (f"a person id such as joseph-stalin, an id with its kind such as tenure/general-secretary-1, "
                        f"or the IRI {ID}person/joseph-stalin")
            return "an absolute IRI"
        return f"an {self.kind.replace('_', ':')} such as {EXAMPLES[self.kind]}"


@dataclass(frozen=True)
class StoredQuery:
    """A stored query: its name (the file name), text, decorators and parameters."""

    name: str
    path: Path
    text: str
    summary: str
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = field(default=())
    defaults: tuple[tuple[str, str], ...] = ()


@dataclass
class Rows:
    """Query results: the variables in order and one tuple of terms (None when unbound) per row."""

    variables: list[str]
    rows: list[tuple[Term | None, ...]]

    def dicts(self) -> list[dict[str, object]]:
        """The rows as dicts of Python values: dates, ints, bools, strings; IRIs as strings; None if unbound."""
        return [dict(zip(self.variables, (python_value(term) for term in row), strict=True)) for row in self.rows]


def _literal_value(value: str, datatype: str) -> object:
    if datatype in INTEGER_TYPES:
        return int(value)
    if datatype == f"{XSD}boolean":
        return value in ("true", "1")
    if datatype == f"{XSD}decimal":
        return decimal.Decimal(value)
    if datatype in (f"{XSD}double", f"{XSD}float"):
        return float(value)
    if datatype == f"{XSD}date":
        return datetime.date.fromisoformat(value)
    if datatype == f"{XSD}dateTime":
        return datetime.datetime.fromisoformat(value)
    return value


def python_value(term: Term | None) -> object:
    """A result term as a plain Python value: ints, bools, decimals, dates; other literals and IRIs as strings."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        try:
            return _literal_value(term.value, term.datatype.value)
        except ValueError:  # an ill-typed literal stays as written
            return term.value
    return term.value


def _decorators(path: Path, text: str) -> dict:
    """The grlc decorator block (#+ lines) of a query, parsed as YAML; bad YAML names the file."""
    import yaml

    block = "\n".join(line[3:] for line in text.splitlines() if line.startswith("#+ "))
    try:
        decorators = yaml.safe_load(block) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: bad grlc decorators (#+ lines) in query '{path.stem}': {error}") from error
    if not isinstance(decorators, dict):
        raise InputError(f"{path}: the grlc decorators (#+ lines) of query '{path.stem}' are not a mapping")
    return decorators


def read_query(path: Path) -> StoredQuery:
    """Read a stored query file: its decorators and parameters; a SPARQL syntax error names the file."""
    text = path.read_text(encoding="utf-8")
    try:  # Oxigraph parses in microseconds where rdflib takes ~0.3 s; on an empty store nothing else happens
        pyoxigraph.Store().query(text)
    except SyntaxError as error:
        raise InputError(f"{path}: SPARQL syntax error in query '{path.stem}': {error}") from error
    decorators = _decorators(path, text)
    # `#+ values: {body: [politburo, secretariat]}` (a cpsu-kg decorator; grlc ignores it) closes a string parameter
    choices = {name: tuple(str(v) for v in values) for name, values in (decorators.get("values") or {}).items()}
    parameters = tuple(
        dict.fromkeys(Parameter(name, kind, choices.get(name, ())) for name, kind in PARAMETER.findall(text))
    )
    defaults = tuple((key, str(value)) for item in decorators.get("defaults", []) or [] for key, value in item.items())
    return StoredQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(decorators.get("summary", "")),
        tags=tuple(decorators.get("tags", []) or []),
        parameters=parameters,
        defaults=defaults,
    )


def list_queries(directory: Path = QUERIES_DIR) -> list[StoredQuery]:
    """Every stored query of a folder, by name; a folder with none raises InputError (a broken installation)."""
    paths = sorted(directory.glob("*.rq"))
    if not paths:
        raise InputError(f"no stored queries in {directory}: the installation is incomplete (reinstall cpsu-kg)")
    return [read_query(path) for path in paths]


def get_query(name: str, directory: Path = QUERIES_DIR) -> StoredQuery:
    """The stored query called name; an unknown name raises InputError listing the known ones."""
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.exists():
        known = ", ".join(path.stem for path in sorted(directory.glob("*.rq")))
        raise InputError(f"unknown query '{name}'; expected one of: {known}")
    return read_query(path)


def parse_value(parameter: Parameter, raw: str) -> Term:
    """Turn a raw parameter value into a typed RDF term, or raise InputError saying what was expected."""
    problem = f"parameter '{parameter.name}' expects {parameter.expected()}, got {raw!r}"
    if parameter.choices and raw not in parameter.choices:
        raise InputError(problem)
    if parameter.kind == "xsd_date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise InputError(problem)
        try:
            datetime.date.fromisoformat(raw)
        except ValueError as error:
            raise InputError(problem) from error
        return typed_literal(raw, "date")
    if parameter.kind == "xsd_integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise InputError(problem)
        return typed_literal(str(int(raw)), "integer")
    if parameter.kind == "xsd_boolean":
        if raw not in ("true", "false"):
            raise InputError(problem)
        return typed_literal(raw, "boolean")
    if parameter.kind == "xsd_string":
        return pyoxigraph.Literal(raw)
    if parameter.name in ID_KINDS and re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw):
        return pyoxigraph.NamedNode(f"{ID}{parameter.name}/{raw}")
    if parameter.name == "entity" and re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw):  # a bare id names a person
        return pyoxigraph.NamedNode(f"{ID}person/{raw}")
    if parameter.name == "entity" and re.fullmatch(r"([a-z]+)/[a-z0-9][a-z0-9.-]*", raw):
        if raw.split("/", 1)[0] not in ID_KINDS:
            raise InputError(problem)
        return pyoxigraph.NamedNode(f"{ID}{raw}")
    if parameter.name in ID_KINDS and not raw.startswith(f"{ID}{parameter.name}/"):
        raise InputError(problem)
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
        raise InputError(problem)
    return pyoxigraph.NamedNode(raw)


def typed_literal(value: str, xsd_type: str) -> pyoxigraph.Literal:
    """A literal of an XML Schema datatype, e.g. typed_literal("1953-06-01", "date")."""
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(f"{XSD}{xsd_type}"))


def bind_parameters(query: StoredQuery, values: dict[str, str]) -> dict[str, Term]:
    """Check the given values against the query's parameters and return them as typed bindings."""
    declared = {parameter.name: parameter for parameter in query.parameters}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        expected = ", ".join(f"{p.name} ({p.expected()})" for p in query.parameters) or "no parameters"
        raise InputError(f"unknown parameter '{unknown[0]}' for query '{query.name}'; expected: {expected}")
    missing = [parameter for parameter in query.parameters if parameter.name not in values]
    if missing:
        raise InputError(f"query '{query.name}' needs parameter '{missing[0].name}': {missing[0].expected()}")
    return {declared[name].variable: parse_value(declared[name], raw) for name, raw in values.items()}


def check_ids_exist(query: StoredQuery, bindings: dict[str, Term], store: pyoxigraph.Store) -> None:
    """Raise InputError when an id parameter names nothing in the register, listing what it could be."""
    for parameter in query.parameters:
        value = bindings[parameter.variable]
        if parameter.kind != "iri" or parameter.name not in (*ID_KINDS, "entity"):
            continue
        if next(iter(store.quads_for_pattern(value, None, None)), None) is None and parameter.name == "entity":
            raise InputError(f"no entity '{value.value}' in the register (give a person id or kind/id)")
        if next(iter(store.quads_for_pattern(value, None, None)), None) is None:
            prefix = f"{ID}{parameter.name}/"
            subjects = {quad.subject.value for quad in store.quads_for_pattern(None, None, None)}
            known = sorted(s[len(prefix) :] for s in subjects if s.startswith(prefix))
            raise InputError(
                f"no {parameter.name} '{value.value}' in the register; expected one of: {', '.join(known)}"
            )


@functools.lru_cache(maxsize=64)
def prepared(text: str) -> Query:
    """A query text parsed by rdflib once (its parser is slow), for the rdflib engine only."""
    from rdflib.plugins.sparql import prepareQuery  # imported here: the Oxigraph path never needs it

    return prepareQuery(text)


def run(query: StoredQuery, source: pyoxigraph.Store | Graph, values: dict[str, str] | None = None) -> Rows:
    """Run a stored query with its parameters bound by the engine (never pasted into the text).

    source: a pyoxigraph Store (every graph of it as the default graph) or an rdflib graph (the reference engine).
    """
    if isinstance(source, pyoxigraph.Store):
        return run_oxigraph(query, source, values)
    return run_rdflib(query, source, values)


def run_rdflib(query: StoredQuery, graph: Graph, values: dict[str, str] | None = None) -> Rows:
    """Run a stored query on an rdflib graph (the reference engine); the results as Oxigraph terms."""
    from rdflib import Variable

    from kg.terms import from_oxigraph, oxigraph_converter, oxigraph_store

    bindings = bind_parameters(query, values or {})
    ids = [value for value in bindings.values() if isinstance(value, pyoxigraph.NamedNode)]
    if any((from_oxigraph(value), None, None) not in graph for value in ids):
        check_ids_exist(query, bindings, oxigraph_store(graph))  # the message lists what the ids could be
    result = graph.query(
        prepared(query.text), initBindings={Variable(k): from_oxigraph(v) for k, v in bindings.items()}
    )
    term = oxigraph_converter()
    rows = [tuple(None if value is None else term(value) for value in row) for row in result]
    return Rows([str(variable) for variable in result.vars or []], rows)


def with_parameters_projected(text: str, variables: Iterable[str]) -> str:
    """Add the parameter variables to the outer SELECT clause.

    pyoxigraph's substitution (SPARQL-dev SEP-0007) accepts only projected variables; the values are still
    bound by the engine, and the extra columns are dropped from the results.
    """
    extra = " ".join(f"?{variable}" for variable in variables)
    if not extra:
        return text
    match = re.search(r"^SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", text, re.MULTILINE | re.IGNORECASE)
    if match is None:
        raise InputError("only SELECT queries take parameters")
    return f"{text[: match.end()]}{extra} {text[match.end() :]}"


def run_oxigraph(query: StoredQuery, store: pyoxigraph.Store, values: dict[str, str] | None = None) -> Rows:
    """Run a stored query on a pyoxigraph store (the union of its graphs) with its parameters bound by the engine."""
    bindings = bind_parameters(query, values or {})
    check_ids_exist(query, bindings, store)
    text = with_parameters_projected(query.text, bindings)
    substitutions = {pyoxigraph.Variable(name): value for name, value in bindings.items()}
    solutions = store.query(text, substitutions=substitutions, use_default_graph_as_union=True)
    variables = [variable.value for variable in solutions.variables if variable.value not in bindings]
    return Rows(variables, [tuple(solution[variable] for variable in variables) for solution in solutions])


# Declared for `cpsu-kg sparql` unless the query declares them itself.
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
}


def with_prefixes_declared(text: str) -> str:
    """The query with a PREFIX line for each of the project's prefixes it uses without declaring."""
    from kg.paths import PREFIXES

    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", text, re.IGNORECASE)}
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in {**STANDARD_PREFIXES, **PREFIXES}.items()
             if name not in declared]
    return "\n".join([*lines, text])


def run_sparql(text: str, store: pyoxigraph.Store) -> Rows:
    """Run a user's SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on a store, prefixes declared; as rows."""
    declared = with_prefixes_declared(text)
    try:
        result = store.query(declared, use_default_graph_as_union=True)
    except SyntaxError as error:
        added = declared.count("\n") - text.count("\n")  # error positions in the user's own lines
        where = re.sub(r"at (\d+):", lambda m: f"at line {int(m.group(1)) - added}, column ", str(error), count=1)
        raise InputError(f"the query is not valid SPARQL: {where}") from error
    if isinstance(result, pyoxigraph.QueryBoolean):
        answer = pyoxigraph.Literal(str(bool(result)).lower(), datatype=pyoxigraph.NamedNode(XSD + "boolean"))
        return Rows(["ask"], [(answer,)])
    if isinstance(result, pyoxigraph.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        return Rows(variables, [tuple(solution[variable] for variable in variables) for solution in result])
    return Rows(["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in result])


def substituted_text(query: StoredQuery, values: dict[str, str] | None = None) -> str:
    """The query text with each parameter variable replaced by its checked, typed value in N-Triples syntax.

    Only for the SPARQL 1.1 Protocol, which has no way to bind a variable: the values pass the same type
    checks as bound ones and are written by rdflib, so they cannot change the query's structure.
    """
    bindings = bind_parameters(query, values or {})
    return re.sub(
        r"\?(_[A-Za-z][A-Za-z0-9]*_[a-z_]+)\b",
        lambda m: str(bindings[m.group(1)]) if m.group(1) in bindings else m.group(0),
        query.text,
    )


# ---------------------------------------------------------------- result formats


def _plain(term: Term | None) -> str:
    return "" if term is None else term.value


def to_table(rows: Rows) -> str:
    """Aligned plain text for people: one column per variable, lexical values, empty when unbound."""
    cells = [rows.variables] + [[_plain(term) for term in row] for row in rows.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(rows.variables))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + f"\n({len(rows.rows)} row{'s' if len(rows.rows) != 1 else ''})\n"


def to_csv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results CSV: a header of names, then lexical values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows.variables)
    for row in rows.rows:
        writer.writerow([str(term) if isinstance(term, pyoxigraph.BlankNode) else _plain(term) for term in row])
    return out.getvalue()


def to_tsv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results TSV: a header of ?names, then terms in Turtle/N-Triples syntax."""
    lines = ["\t".join(f"?{name}" for name in rows.variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in rows.rows]
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != f"{XSD}string":
        value["datatype"] = term.datatype.value
    return value


def to_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: _json_term(term) for name, term in zip(rows.variables, row, strict=True) if term is not None}
        for row in rows.rows
    ]
    document = {"head": {"vars": rows.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _term_from_json(value: dict[str, str]) -> Term:
    if value["type"] == "uri":
        return pyoxigraph.NamedNode(value["value"])
    if value["type"] == "bnode":
        return pyoxigraph.BlankNode(value["value"])
    if "xml:lang" in value:
        return pyoxigraph.Literal(value["value"], language=value["xml:lang"])
    datatype = value.get("datatype")
    return pyoxigraph.Literal(value["value"], datatype=pyoxigraph.NamedNode(datatype) if datatype else None)


def from_json(document: dict) -> Rows:
    """Rows from a SPARQL 1.1 Query Results JSON document (as an HTTP endpoint returns it)."""
    variables = list(document["head"]["vars"])
    rows = [
        tuple(_term_from_json(binding[name]) if name in binding else None for name in variables)
        for binding in document["results"]["bindings"]
    ]
    return Rows(variables, rows)


def render(rows: Rows, output_format: str) -> str:
    """Render rows in one of FORMATS."""
    renderers = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}
    if output_format not in renderers:
        raise InputError(f"unknown format '{output_format}'; expected one of: {', '.join(FORMATS)}")
    return renderers[output_format](rows)


def register_store(data_dir: Path | str = DATA_DIR) -> pyoxigraph.Store:
    """The register with its inferences in an in-memory Oxigraph store, from the cache while the inputs are unchanged.

    See `register_file`: an unchanged `cpsu-kg query` loads one N-Quads file into Oxigraph and runs.
    """
    store = pyoxigraph.Store()
    store.load(path=str(register_file(data_dir)), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def register_file(data_dir: Path | str = DATA_DIR) -> Path:
    """The N-Quads file of the register with its inferences: the wheel's prebuilt one, else the cache's.

    Both are named by a hash of the ontology's and the data's files and of this code, so no RDF is parsed to
    find them, and a changed register or code never meets an old file. A build writes the cache's; without one,
    the register is loaded, validated, reasoned and checked here, as the build does, and a register the build
    would reject is refused (InputError), never answered from.
    """
    from kg.cache import cache_dir, register_key
    from kg.load import register_files_digest

    name = f"register-{register_key(register_files_digest(data_dir))[:32]}.nq"
    if (PREBUILT_DIR / name).is_file():
        return PREBUILT_DIR / name
    cached = cache_dir() / name
    if not cached.exists():
        save_register_store(checked_register(data_dir).store, cached)
    return cached


def write_prebuilt(directory: Path = PREBUILT_DIR) -> Path:
    """Check and reason the packaged register and write it as the wheel's prebuilt graph (replacing older ones).

    Its data graphs are merged into the asserted graph, so the file names no folder of the machine that built it.
    """
    from kg.cache import register_key

    register = checked_register(DATA_DIR)
    store = pyoxigraph.Store()
    asserted = pyoxigraph.NamedNode(ASSERTED_GRAPH)
    data_graphs = {pyoxigraph.NamedNode(name) for name in register.data_graphs}
    store.extend(
        pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, asserted if quad.graph_name in data_graphs
                        else quad.graph_name)
        for quad in register.store
    )
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("register-*.nq"):
        old.unlink()
    path = directory / f"register-{register_key(register.files_digest)[:32]}.nq"
    save_register_store(store, path)
    return path


def reasoned_register(data_dir: Path | str = DATA_DIR) -> Register:
    """The register loaded and reasoned (the closure from the cache when the inputs are unchanged)."""
    from kg.load import load_register
    from kg.reason import reason_register

    register = load_register(data_dir)
    reason_register(register)
    return register


@dataclass(frozen=True)
class CheckFailure:
    """A data-quality check (queries/checks/*-violation.rq) that returned rows."""

    name: str
    summary: str
    rows: Rows

    def describe(self) -> str:
        """The check's name and summary, then its rows as a table."""
        return f"Check failed: {self.name} — {self.summary}\n{to_table(self.rows)}"


# The checks that need no inferences, run on a register the shapes rejected to name a likely cause.
BEFORE_REASONING = ("undeclared-term-violation",)


def run_checks(
    data: Register | pyoxigraph.Store | Graph, directory: Path = CHECKS_DIR, names: Iterable[str] | None = None
) -> list[CheckFailure]:
    """Run the *-violation.rq checks (every one, or those named) on the register (all its graphs, on Oxigraph);
    return those that found rows."""
    from kg.load import Register  # imported here: it brings rdflib, which a query from the cache never needs
    from kg.terms import oxigraph_store

    if isinstance(data, pyoxigraph.Store):
        store = data
    else:
        store = data.store if isinstance(data, Register) else oxigraph_store(data)
    failures = []
    wanted = None if names is None else set(names)
    for check in list_queries(directory):
        if wanted is not None and check.name not in wanted:
            continue
        rows = run(check, store)
        if rows.rows:
            failures.append(CheckFailure(check.name, check.summary, rows))
    return failures


def checked_register(data_dir: Path | str = DATA_DIR) -> Register:
    """The register loaded and reasoned, once it passes the shapes and the checks; else InputError saying so."""
    from kg.load import load_register
    from kg.reason import reason_register
    from kg.validate import validate

    register = load_register(data_dir)
    report = validate(register)
    if not report.conforms:
        raise InputError(f"the register in {data_dir} violates the shapes ({len(report.results)} result(s)); "
                         "`cpsu-kg build` lists them")
    reason_register(register)
    failures = run_checks(register)
    if failures:
        names = ", ".join(failure.name for failure in failures)
        raise InputError(f"the register in {data_dir} fails the checks {names}; `cpsu-kg build` lists the rows")
    return register


def save_register_store(store: pyoxigraph.Store, path: Path) -> None:
    """Write a register's store (every graph) as N-Quads for `register_store`, atomically."""
    from kg.cache import write_atomically

    write_atomically(path, store.dump(format=pyoxigraph.RdfFormat.N_QUADS))


def register_graph(data_dir: Path | str = DATA_DIR) -> Graph:
    """The asserted register with its OWL RL inferences as one rdflib graph (for the Python API)."""
    from kg.terms import graph_of

    return graph_of(register_store(data_dir).quads_for_pattern(None, None, None))


def run_query(name: str, source: pyoxigraph.Store | Graph | None = None, **params: str) -> list[dict[str, object]]:
    """Run the stored query called name, parameters given as keywords; return rows as dicts of Python values."""
    source = register_store() if source is None else source
    return run(get_query(name), source, {key: str(value) for key, value in params.items()}).dicts()
