"""Query stage: the stored SPARQL queries of queries/, their grlc decorators, typed parameters and result formats."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from kg.errors import InputError
from kg.load import ID, ID_KINDS, PROJECT_ROOT

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib.plugins.sparql.sparql import Query

QUERIES_DIR = PROJECT_ROOT / "queries"
CHECKS_DIR = QUERIES_DIR / "checks"
FORMATS = ("table", "csv", "tsv", "json")

# grlc parameter variables: ?_name_type, e.g. ?_date_xsd_date or ?_person_iri
PARAMETER = re.compile(r"\?_([A-Za-z][A-Za-z0-9]*)_(iri|xsd_date|xsd_integer|xsd_string|xsd_boolean)\b")
EXAMPLES = {"xsd_date": "1953-06-01", "xsd_integer": "19", "xsd_string": "text", "xsd_boolean": "true"}


@dataclass(frozen=True)
class Parameter:
    """A query parameter declared by a grlc variable such as ?_date_xsd_date."""

    name: str
    kind: str

    @property
    def variable(self) -> str:
        """The SPARQL variable name (without '?') that carries the parameter."""
        return f"_{self.name}_{self.kind}"

    def expected(self) -> str:
        """What a value of this parameter looks like, for messages."""
        if self.kind == "iri":
            if self.name in ID_KINDS:
                return f"a {self.name} id such as joseph-stalin, or the IRI {ID}{self.name}/joseph-stalin"
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
    rows: list[tuple[Node | None, ...]]

    def dicts(self) -> list[dict[str, object]]:
        """The rows as dicts of Python values: dates, ints, bools, strings; IRIs as strings; None if unbound."""
        return [dict(zip(self.variables, (python_value(term) for term in row), strict=True)) for row in self.rows]


def python_value(term: Node | None) -> object:
    """A result term as a plain Python value."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


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
    import pyoxigraph

    text = path.read_text(encoding="utf-8")
    try:  # Oxigraph parses in microseconds where rdflib takes ~0.3 s; on an empty store nothing else happens
        pyoxigraph.Store().query(text)
    except SyntaxError as error:
        raise InputError(f"{path}: SPARQL syntax error in query '{path.stem}': {error}") from error
    decorators = _decorators(path, text)
    parameters = tuple(dict.fromkeys(Parameter(name, kind) for name, kind in PARAMETER.findall(text)))
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
    """Every stored query of a folder, by name."""
    return [read_query(path) for path in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path = QUERIES_DIR) -> StoredQuery:
    """The stored query called name; an unknown name raises InputError listing the known ones."""
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.exists():
        known = ", ".join(path.stem for path in sorted(directory.glob("*.rq")))
        raise InputError(f"unknown query '{name}'; expected one of: {known}")
    return read_query(path)


def parse_value(parameter: Parameter, raw: str) -> Node:
    """Turn a raw parameter value into a typed RDF term, or raise InputError saying what was expected."""
    problem = f"parameter '{parameter.name}' expects {parameter.expected()}, got {raw!r}"
    if parameter.kind == "xsd_date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise InputError(problem)
        try:
            datetime.date.fromisoformat(raw)
        except ValueError as error:
            raise InputError(problem) from error
        return Literal(raw, datatype=XSD.date)
    if parameter.kind == "xsd_integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise InputError(problem)
        return Literal(int(raw), datatype=XSD.integer)
    if parameter.kind == "xsd_boolean":
        if raw not in ("true", "false"):
            raise InputError(problem)
        return Literal(raw == "true", datatype=XSD.boolean)
    if parameter.kind == "xsd_string":
        return Literal(raw)
    if parameter.name in ID_KINDS and re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw):
        return URIRef(f"{ID}{parameter.name}/{raw}")
    if parameter.name in ID_KINDS and not raw.startswith(f"{ID}{parameter.name}/"):
        raise InputError(problem)
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
        raise InputError(problem)
    return URIRef(raw)


def bind_parameters(query: StoredQuery, values: dict[str, str]) -> dict[str, Node]:
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


def check_ids_exist(
    query: StoredQuery,
    bindings: dict[str, Node],
    is_subject: Callable[[Node], bool],
    all_subjects: Callable[[], Iterable[Node]],
) -> None:
    """Raise InputError when an id parameter names nothing in the register, listing what it could be."""
    for parameter in query.parameters:
        value = bindings[parameter.variable]
        if parameter.kind == "iri" and parameter.name in ID_KINDS and not is_subject(value):
            prefix = f"{ID}{parameter.name}/"
            known = sorted({str(s)[len(prefix) :] for s in all_subjects() if str(s).startswith(prefix)})
            raise InputError(f"no {parameter.name} '{value}' in the register; expected one of: {', '.join(known)}")


@functools.lru_cache(maxsize=64)
def prepared(text: str) -> Query:
    """A query text parsed by rdflib once (its parser is slow), for the rdflib engine only."""
    from rdflib.plugins.sparql import prepareQuery  # imported here: the Oxigraph path never needs it

    return prepareQuery(text)


def run(query: StoredQuery, graph: Graph, values: dict[str, str] | None = None) -> Rows:
    """Run a stored query on an rdflib graph with its parameters bound (never pasted into the text)."""
    bindings = bind_parameters(query, values or {})
    check_ids_exist(query, bindings, lambda term: (term, None, None) in graph, lambda: graph.subjects(unique=True))
    result = graph.query(prepared(query.text), initBindings={Variable(k): v for k, v in bindings.items()})
    variables = [str(variable) for variable in result.vars or []]
    return Rows(variables, [tuple(row) for row in result])


# ---------------------------------------------------------------- the Oxigraph engine


def oxigraph_store(*graphs: Iterable[tuple[Node, Node, Node]]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding the triples of rdflib graphs (in its default graph)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    convert = oxigraph_converter()
    for graph in graphs:
        store.bulk_extend(pyoxigraph.Quad(convert(s), convert(p), convert(o)) for s, p, o in graph)
    return store


def oxigraph_converter() -> Callable[[Node], pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode]:
    """to_oxigraph with a memory: each distinct rdflib term is converted once (IRIs repeat a lot)."""
    return functools.lru_cache(maxsize=None)(to_oxigraph)


def to_oxigraph(term: Node) -> pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode:
    """An rdflib term as a pyoxigraph term."""
    import pyoxigraph

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal) and term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    datatype = term.datatype if isinstance(term, Literal) and term.datatype else XSD.string
    return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(datatype)))


def from_oxigraph(term: object) -> Node | None:
    """A pyoxigraph term as an rdflib term (xsd:string literals without a datatype, as rdflib gives them)."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = None if term.datatype.value == str(XSD.string) else URIRef(term.datatype.value)
    return Literal(term.value, datatype=datatype)


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
    """Run a stored query on a pyoxigraph store with its parameters bound by the engine."""
    import pyoxigraph

    bindings = bind_parameters(query, values or {})
    check_ids_exist(
        query,
        bindings,
        lambda term: next(iter(store.quads_for_pattern(to_oxigraph(term), None, None)), None) is not None,
        lambda: (from_oxigraph(quad.subject) for quad in store.quads_for_pattern(None, None, None)),
    )
    text = with_parameters_projected(query.text, bindings)
    substitutions = {pyoxigraph.Variable(name): to_oxigraph(value) for name, value in bindings.items()}
    solutions = store.query(text, substitutions=substitutions)
    variables = [variable.value for variable in solutions.variables if variable.value not in bindings]
    term = functools.lru_cache(maxsize=None)(from_oxigraph)  # labels, offices and dates repeat across rows
    rows = [tuple(term(solution[variable]) for variable in variables) for solution in solutions]
    return Rows(variables, rows)


def substituted_text(query: StoredQuery, values: dict[str, str] | None = None) -> str:
    """The query text with each parameter variable replaced by its checked, typed value in N-Triples syntax.

    Only for the SPARQL 1.1 Protocol, which has no way to bind a variable: the values pass the same type
    checks as bound ones and are written by rdflib, so they cannot change the query's structure.
    """
    bindings = bind_parameters(query, values or {})
    return re.sub(
        r"\?(_[A-Za-z][A-Za-z0-9]*_[a-z_]+)\b",
        lambda m: bindings[m.group(1)].n3() if m.group(1) in bindings else m.group(0),
        query.text,
    )


# ---------------------------------------------------------------- result formats


def _plain(term: Node | None) -> str:
    return "" if term is None else str(term)


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
        writer.writerow([term.n3() if isinstance(term, BNode) else _plain(term) for term in row])
    return out.getvalue()


def to_tsv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results TSV: a header of ?names, then terms in Turtle/N-Triples syntax."""
    lines = ["\t".join(f"?{name}" for name in rows.variables)]
    lines += ["\t".join("" if term is None else term.n3() for term in row) for row in rows.rows]
    return "\n".join(lines) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        value["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype and term.datatype != XSD.string:
        value["datatype"] = str(term.datatype)
    return value


def to_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: _json_term(term) for name, term in zip(rows.variables, row, strict=True) if term is not None}
        for row in rows.rows
    ]
    document = {"head": {"vars": rows.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _term_from_json(value: dict[str, str]) -> Node:
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    return Literal(value["value"], datatype=URIRef(datatype) if datatype and datatype != str(XSD.string) else None)


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


def register_graph(data_dir: Path | None = None) -> Graph:
    """The asserted register with its OWL RL inferences (from the cache when the inputs are unchanged).

    The closure is cached under the same key as `cpsu-kg build` uses, so the first query after a build reuses it.
    """
    from kg.cache import register_files_hash, register_key
    from kg.load import DATA_DIR, load, load_ontology
    from kg.reason import reason

    ontology = load_ontology()
    graph = load(data_dir or DATA_DIR, ontology=ontology)
    graph += reason(graph, ontology, key=register_key(register_files_hash(data_dir or DATA_DIR)))
    return graph


def register_store(data_dir: Path | None = None) -> pyoxigraph.Store:
    """The register with its inferences in an in-memory Oxigraph store, from the cache while the inputs are unchanged.

    The cache key is a hash of the ontology and data files' text and of this code, so no RDF is parsed to
    find it: an unchanged `cpsu-kg query` loads one N-Triples file into Oxigraph and runs.
    """
    import pyoxigraph

    from kg.cache import cache_dir, register_files_hash, register_key, write_atomically
    from kg.load import DATA_DIR

    cached = cache_dir() / f"register-{register_key(register_files_hash(data_dir or DATA_DIR))[:32]}.nt"
    if not cached.exists():
        write_atomically(cached, register_graph(data_dir).serialize(format="nt"))
    store = pyoxigraph.Store()
    store.load(path=str(cached), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def run_query(name: str, graph: Graph | None = None, **params: str) -> list[dict[str, object]]:
    """Run the stored query called name, parameters given as keywords; return rows as dicts of Python values."""
    graph = register_graph() if graph is None else graph
    return run(get_query(name), graph, {key: str(value) for key, value in params.items()}).dicts()
