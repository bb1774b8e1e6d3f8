"""Validate stage: check the register against the SHACL shapes and report each violation readably.

The default engine is pyshacl-turbo (SHACL core and SHACL-SPARQL in Rust, pySHACL's API), fed the register's
Oxigraph store so that ill-typed literals reach it as written; pyshacl is the reference it is tested against.
Both are tested on the W3C SHACL test suite (tests/w3c-shacl).
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
from rdflib import XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.errors import InputError
from kg.load import Register
from kg.paths import SHAPES_FILE
from kg.terms import bind_prefixes, graph_of, oxigraph_quads, oxigraph_store

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result: which node broke which rule on which path, and why."""

    severity: str
    node: str
    path: str
    rule: str
    message: str
    value: str
    file: str = ""

    def describe(self) -> str:
        """Render the result as one line a historian can read, opening with the data file that holds the node."""
        value = f" (value: {self.value})" if self.value else ""
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.severity}: {self.node} — path {self.path} — rule {self.rule}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph: the results, sorted, and whether any is a violation."""

    results: tuple[Violation, ...]

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Results of severity Violation (warnings and infos do not fail a build)."""
        return tuple(result for result in self.results if result.severity == "Violation")

    @property
    def conforms(self) -> bool:
        """True when no result is a violation."""
        return not self.violations

    def to_json(self) -> list[dict[str, str]]:
        """The results as JSON-ready dicts (for the cache)."""
        return [vars(result) for result in self.results]

    @classmethod
    def from_json(cls, results: list[dict[str, str]]) -> ValidationReport:
        """A report rebuilt from to_json()."""
        return cls(tuple(Violation(**result) for result in results))

    def text(self) -> str:
        """The report as plain text, one result per line, ending with a count."""
        lines = [result.describe() for result in self.results]
        warnings = len(self.results) - len(self.violations)
        lines.append(f"{len(self.violations)} violation(s), {warnings} warning(s).")
        return "\n".join(lines) + "\n"


def _short(term: Node | None, namespaces: NamespaceManager) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype == XSD.string:  # in RDF 1.1 "x" and "x"^^xsd:string are one
        term = Literal(str(term))
    return term.n3(namespaces)


def _rule_of(report_graph: Graph, result: Node) -> Node | None:
    """The named rule a result broke: its SPARQL constraint when it has a name, else its shape."""
    constraint = report_graph.value(result, SH.sourceConstraint)
    if isinstance(constraint, URIRef):
        return constraint
    return report_graph.value(result, SH.sourceShape)


def _results(
    report_graph: Graph, namespaces: NamespaceManager, file_of: Callable[[str], str] | None
) -> list[Violation]:
    results = []
    for result in report_graph.subjects(SH.resultSeverity, None):
        severity = report_graph.value(result, SH.resultSeverity)
        focus = report_graph.value(result, SH.focusNode)
        results.append(
            Violation(
                severity=severity.split("#")[-1] if severity else "Violation",
                file=file_of(str(focus)) if file_of and isinstance(focus, URIRef) else "",
                node=_short(focus, namespaces),
                path=_short(report_graph.value(result, SH.resultPath), namespaces) or "(node)",
                rule=_short(_rule_of(report_graph, result), namespaces),
                message=str(report_graph.value(result, SH.resultMessage) or ""),
                value=_short(report_graph.value(result, SH.value), namespaces),
            )
        )
    return list(_sorted(results))


def _sorted(results: Iterable[Violation]) -> tuple[Violation, ...]:
    return tuple(
        sorted(results, key=lambda r: (r.severity != "Violation", r.file, r.node, r.path, r.rule, r.message, r.value))
    )


# rdflib's prepared queries by (text, namespaces, base), kept for the whole process: a prepared query is only read
# when it is evaluated, and the reference runs of the tests validate the same shapes a hundred times.
_PREPARED: dict[tuple, Query] = {}
# pyshacl's check of a SHACL-SPARQL text for the parts SHACL forbids, by (text, value bound, extra variables): it
# reads only those three, and the texts that pass are kept (see sparql_texts_parsed_once).
_CHECKED: dict[tuple, bool] = {}


@contextmanager
def sparql_texts_parsed_once() -> Iterator[None]:
    """Within the block, rdflib parses each distinct SPARQL text once per process and reuses the prepared query,
    and pyshacl checks each distinct SHACL-SPARQL text for forbidden parts once.

    pyshacl sends the same SHACL-SPARQL text for every focus node and rdflib re-parses it each
    time: measured on the register, parsing was 85 % of validation. pyshacl also checks the text (its regular
    expressions for MINUS, VALUES, SERVICE, nested SELECT) for every focus node: 21 % of what was left. A text that
    fails the check is checked again each time (it raises, as before). Evaluation is unchanged.
    """
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
    from rdflib.plugins.sparql import prepareQuery  # imported here: only the pyshacl engine needs rdflib's SPARQL
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    original_query, original_check = SPARQLProcessor.query, SPARQLQueryHelper.check_invalid_sparql
    prepared, checked = _PREPARED, _CHECKED

    def query(
        self: object,
        str_or_query: str | Query,
        initBindings: Any = None,  # noqa: N803
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:  # noqa: N803
        if isinstance(str_or_query, str):
            key = (str_or_query, tuple(sorted((initNs or {}).items())), base)
            if key not in prepared:
                prepared[key] = prepareQuery(str_or_query, initNs=initNs, base=base)
            str_or_query = prepared[key]
        return original_query(self, str_or_query, initBindings, initNs, base, DEBUG)

    def check_invalid_sparql(self: object, sparql_text: str, valuenode: Any = None, extravars: Any = None) -> bool:
        key = (sparql_text, valuenode is not None, frozenset(extravars or ()))
        if key not in checked:
            checked[key] = original_check(self, sparql_text, valuenode, extravars)
        return checked[key]

    SPARQLProcessor.query = query  # type: ignore[method-assign]
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = original_query  # type: ignore[method-assign]
        SPARQLQueryHelper.check_invalid_sparql = original_check  # type: ignore[method-assign]


ENGINES = ("turbo", "pyshacl")
Data = Register | pyoxigraph.Store | Graph


def _store_of(data: Data) -> pyoxigraph.Store:
    if isinstance(data, Register):
        return data.store
    return data if isinstance(data, pyoxigraph.Store) else oxigraph_store(data)


def validation_input(data: Data) -> str:
    """The data to validate as N-Triples, its literals as written (not as a store keeps them, see exact_ntriples)."""
    if isinstance(data, Register):
        return data.exact_ntriples()
    if isinstance(data, Graph):
        triples = [quad.triple for quad in oxigraph_quads(data)]
    else:
        triples = [quad.triple for quad in data.quads_for_pattern(None, None, None)]
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")


@contextmanager
def library_noise_silenced() -> Iterator[None]:
    """rdflib warns and logs a traceback for each ill-typed literal it meets; the report already names them."""
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        term_log.setLevel(level)


def validate(data: Data, shapes: Graph | Path = SHAPES_FILE, engine: str = "turbo") -> ValidationReport:
    """Validate the register (its ontology and data, before reasoning) against the SHACL shapes.

    data: a Register or a pyoxigraph Store (every graph of it is validated) or an rdflib graph that includes
    the ontology. engine "turbo" (default) is pyshacl-turbo, "pyshacl" the reference implementation.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}: expected one of {', '.join(ENGINES)}")
    file_of = data.file_of if isinstance(data, Register) else None
    with library_noise_silenced():
        if engine == "turbo":
            return report_from_graph(turbo_report(validation_input(data), shapes), file_of)
        graph = data if isinstance(data, Graph) else graph_of(_store_of(data).quads_for_pattern(None, None, None))
        shapes_graph = shapes if isinstance(shapes, Graph) else _shapes_graph(shapes)
        return report_from_graph(pyshacl_report(graph, shapes_graph), file_of)


def _shapes_graph(path: Path) -> Graph:
    from kg.load import parse_files

    return parse_files([path])


def turbo_report(ntriples: str, shapes: Graph | Path) -> Graph:
    """The SHACL validation report graph of pyshacl-turbo for N-Triples data, read by its Rust core as written.

    The data goes in as pyshacl-turbo's own Input record: given as text it would be decoded into rdflib terms
    first (3.5x slower at 10^5 triples), given as a pyoxigraph Store its literals arrive as the store keeps them
    (by value, so "5"^^xsd:int is "5"^^xsd:integer). A ValidationFailure (shapes it cannot run, e.g. a SPARQL
    query SHACL forbids, or one that does not parse) is an InputError naming the shapes.
    """
    import pyshacl_turbo
    from pyshacl_turbo.rdf import Input

    data = Input(ntriples, "nt", None, {}, {}, preserve_ids=True)
    try:
        program = compiled_shapes(shapes)
    except (pyshacl_turbo.ValidationFailure, ValueError) as failure:  # ValueError: a query that does not parse
        raise shapes_error(shapes, failure) from failure
    try:
        return program.validate(data)[1]
    except pyshacl_turbo.ValidationFailure as failure:
        raise shapes_error(shapes, failure) from failure


def compiled_shapes(shapes: Graph | Path) -> Any:
    """pyshacl-turbo's compiled program of a shapes graph; a file's is compiled once per content.

    Compiling reads the shapes into rdflib terms, six times the work of validating a small register with them.
    """
    import pyshacl_turbo

    if isinstance(shapes, Graph):
        return pyshacl_turbo.compile_shapes(shapes, advanced=True)
    return _compiled_shapes_file(str(shapes), hashlib.sha256(Path(shapes).read_bytes()).hexdigest())


@lru_cache(maxsize=16)
def _compiled_shapes_file(path: str, digest: str) -> Any:
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(path, advanced=True)


def shapes_error(shapes: Graph | Path, error: Exception) -> InputError:
    """A shapes graph the engine cannot run, as one line naming it."""
    where = shapes if isinstance(shapes, Path) else "the shapes graph"
    return InputError(f"{where}: the SHACL shapes cannot be run: {error}")


def pyshacl_report(graph: Graph, shapes: Graph) -> Graph:
    """The SHACL validation report graph of pyshacl, the reference implementation (SPARQL texts parsed once)."""
    import pyshacl  # imported here: `cpsu-kg query` must not pay for it

    # In place: pyshacl copies the data graph in advanced mode only because SHACL rules could write into it (a
    # third of its time on a small register); shapes without rules leave the graph as it was.
    has_rules = (None, SH.rule, None) in shapes
    with sparql_texts_parsed_once():
        _, report_graph, _ = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", advanced=True, inplace=not has_rules
        )
    return report_graph


def report_from_graph(report_graph: Graph, file_of: Callable[[str], str] | None = None) -> ValidationReport:
    """A readable ValidationReport from a SHACL validation report graph (file_of names each focus node's file)."""
    namespaces = bind_prefixes(Graph()).namespace_manager
    return ValidationReport(_sorted(_results(report_graph, namespaces, file_of)))
