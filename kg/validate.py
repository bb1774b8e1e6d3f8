"""Validate stage: check a graph against the SHACL shapes and report each violation readably."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.load import bind_prefixes, load_shapes
from kg.query import CHECKS_DIR, Rows, list_queries, oxigraph_store, run_oxigraph, to_table

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

    def describe(self) -> str:
        """Render the result as one line a historian can read."""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {self.node} — path {self.path} — rule {self.rule}: {self.message}{value}"


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
    return term.n3(namespaces)


def _rule_of(report_graph: Graph, result: Node) -> Node | None:
    """The named rule a result broke: its SPARQL constraint when it has a name, else its shape."""
    constraint = report_graph.value(result, SH.sourceConstraint)
    if isinstance(constraint, URIRef):
        return constraint
    return report_graph.value(result, SH.sourceShape)


def _results(report_graph: Graph, namespaces: NamespaceManager) -> list[Violation]:
    results = []
    for result in report_graph.subjects(SH.resultSeverity, None):
        severity = report_graph.value(result, SH.resultSeverity)
        results.append(
            Violation(
                severity=severity.split("#")[-1] if severity else "Violation",
                node=_short(report_graph.value(result, SH.focusNode), namespaces),
                path=_short(report_graph.value(result, SH.resultPath), namespaces) or "(node)",
                rule=_short(_rule_of(report_graph, result), namespaces),
                message=str(report_graph.value(result, SH.resultMessage) or ""),
                value=_short(report_graph.value(result, SH.value), namespaces),
            )
        )
    return sorted(results, key=lambda r: (r.severity != "Violation", r.node, r.path, r.rule, r.message))


@contextmanager
def sparql_texts_parsed_once() -> Iterator[None]:
    """Within the block, rdflib parses each distinct SPARQL text once and reuses the prepared query.

    pyshacl sends the same SHACL-SPARQL text for every focus node and rdflib re-parses it each
    time: measured on the register, parsing was 85 % of validation. Evaluation is unchanged.
    """
    original = SPARQLProcessor.query
    prepared: dict[tuple, Query] = {}

    def query(
        self: SPARQLProcessor,
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
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


def validate(graph: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate a graph that includes the ontology (as load() returns it) against the SHACL shapes."""
    import pyshacl  # imported here: `cpsu-kg query` must not pay for it

    shapes = load_shapes() if shapes is None else shapes
    with sparql_texts_parsed_once():
        _, report_graph, _ = pyshacl.validate(
            graph,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    return report_from_graph(report_graph)


def report_from_graph(report_graph: Graph) -> ValidationReport:
    """A readable ValidationReport from a SHACL validation report graph."""
    namespaces = bind_prefixes(Graph()).namespace_manager
    return ValidationReport(tuple(_results(report_graph, namespaces)))


@dataclass(frozen=True)
class CheckFailure:
    """A data-quality check (queries/checks/*-violation.rq) that returned rows."""

    name: str
    summary: str
    rows: Rows

    def describe(self) -> str:
        """The check's name and summary, then its rows as a table."""
        return f"Check failed: {self.name} — {self.summary}\n{to_table(self.rows)}"


def run_checks(graph: Graph, directory: Path = CHECKS_DIR) -> list[CheckFailure]:
    """Run every *-violation.rq check on the graph (on Oxigraph, 10x faster); return those that found rows."""
    store = oxigraph_store(graph)
    failures = []
    for check in list_queries(directory):
        rows = run_oxigraph(check, store)
        if rows.rows:
            failures.append(CheckFailure(check.name, check.summary, rows))
    return failures
