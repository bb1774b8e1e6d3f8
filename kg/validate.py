"""Validate stage: check a graph against the SHACL shapes and report each violation readably."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.load import bind_prefixes, load_shapes
from kg.query import CHECKS_DIR, Rows, from_oxigraph, list_queries, oxigraph_store, run_oxigraph, to_table

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
    return list(_sorted(results))


def _sorted(results: Iterable[Violation]) -> tuple[Violation, ...]:
    return tuple(sorted(results, key=lambda r: (r.severity != "Violation", r.node, r.path, r.rule, r.message, r.value)))


@contextmanager
def sparql_texts_parsed_once() -> Iterator[None]:
    """Within the block, rdflib parses each distinct SPARQL text once and reuses the prepared query.

    pyshacl sends the same SHACL-SPARQL text for every focus node and rdflib re-parses it each
    time: measured on the register, parsing was 85 % of validation. Evaluation is unchanged.
    """
    from rdflib.plugins.sparql import prepareQuery  # imported here: only the pyshacl engine needs rdflib's SPARQL
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    original = SPARQLProcessor.query
    prepared: dict[tuple, Query] = {}

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
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


def validate(graph: Graph, shapes: Graph | None = None, engine: str = "fast") -> ValidationReport:
    """Validate a graph that includes the ontology (as load() returns it) against the SHACL shapes.

    engine "fast" (default) is this project's linear-time engine; "pyshacl" is the reference it is tested against.
    """
    shapes = load_shapes() if shapes is None else shapes
    if engine == "fast":
        return fast_validate(graph, shapes)
    if engine != "pyshacl":
        raise ValueError(f"unknown validation engine {engine!r}: expected 'fast' or 'pyshacl'")
    return pyshacl_validate(graph, shapes)


def pyshacl_validate(graph: Graph, shapes: Graph) -> ValidationReport:
    """Validate with pyshacl, the reference implementation (each SHACL-SPARQL text parsed once)."""
    import pyshacl  # imported here: `cpsu-kg query` must not pay for it

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
    return ValidationReport(_sorted(_results(report_graph, namespaces)))


# ---------------------------------------------------------------- the fast engine

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUB_CLASS_OF = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: str, XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
    XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}  # fmt: skip
SHAPE_KEYWORDS = {
    SH.path, SH.message, SH.flags, SH.severity, SH.name, SH.description, SH.targetClass, SH.deactivated,
    SH.property, SH.sparql, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
}  # fmt: skip
SKIPPED_PREDICATES = {RDF_TYPE, URIRef("http://www.w3.org/2000/01/rdf-schema#label")}


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature the fast engine does not implement (validate with engine="pyshacl")."""


@dataclass(frozen=True)
class _Result:
    focus: Node
    shape: Node
    value: Node | None = None
    path: Node | None = None
    constraint: Node | None = None
    bindings: tuple[tuple[str, Node], ...] = ()


def _is_string(term: Node) -> bool:
    return isinstance(term, URIRef) or (isinstance(term, Literal) and isinstance(term.value, str))


def _comparable(term: Node) -> object:
    return str(term) if isinstance(term, URIRef) else term.value if isinstance(term, Literal) else term


def _less(left: Node, right: Node, or_equal: bool) -> bool:
    """SPARQL's < (or <=) as pyshacl applies it; values that cannot be compared are not less."""
    if isinstance(left, BNode) or isinstance(right, BNode) or _is_string(left) != _is_string(right):
        return False
    try:
        a, b = _comparable(left), _comparable(right)
        return bool(a <= b) if or_equal else bool(a < b)  # type: ignore[operator]
    except TypeError:
        return False


def _has_datatype(term: Node, datatype: Node) -> bool:
    """sh:datatype as pyshacl applies it: the datatype matches and the lexical form is valid for it."""
    if not isinstance(term, Literal) or term.ill_typed:
        return False
    if term.datatype is None and term.language is None:
        return datatype == XSD.string
    if term.datatype != datatype:
        return False
    python_type = PYTHON_TYPES.get(datatype)
    return python_type is None or isinstance(term.value, python_type)


def _language_matches(term: Node, ranges: list[str]) -> bool:
    if not isinstance(term, Literal) or not term.language:
        return False
    tag = term.language.lower()
    return any(tag == wanted.lower() or tag.startswith(wanted.lower() + "-") for wanted in ranges)


def _within(term: Node, bound: Literal, at_least: bool) -> bool:
    if not isinstance(term, Literal) or _is_string(term) != isinstance(bound.value, str):
        return False
    try:
        return bool(term.value >= bound.value) if at_least else bool(term.value <= bound.value)
    except TypeError:
        return False


@dataclass
class _CompiledShape:
    """A shape read once from the shapes graph: its path, its constraint components and the shapes it links."""

    node: Node
    path: URIRef | None
    deactivated: bool
    counts: list[tuple[URIRef, int]]  # sh:minCount, sh:maxCount, sh:qualifiedMinCount, sh:qualifiedMaxCount
    value_checks: list[Callable[[Node], bool]]  # one test per value node (sh:class, sh:datatype, ...)
    comparisons: list[tuple[URIRef, URIRef]]  # sh:lessThan / sh:lessThanOrEquals and the other path
    logic: list[tuple[URIRef, list[Node]]]  # sh:or, sh:xone, sh:and, sh:not and their member shapes
    unique_lang: bool = False
    qualified_shape: Node | None = None
    property_shapes: list[Node] = field(default_factory=list)
    sparql: list[Node] = field(default_factory=list)


SH_CLASS, SH_DATATYPE, SH_NODE_KIND, SH_PATTERN, SH_FLAGS = SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags
SH_LANGUAGE_IN, SH_MIN_INCLUSIVE, SH_MAX_INCLUSIVE = SH.languageIn, SH.minInclusive, SH.maxInclusive
SH_MIN_COUNT, SH_MAX_COUNT = SH.minCount, SH.maxCount
SH_QUALIFIED_MIN, SH_QUALIFIED_MAX, SH_QUALIFIED_SHAPE = (
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShape,
)
SH_LESS_THAN, SH_LESS_THAN_OR_EQUALS, SH_UNIQUE_LANG = SH.lessThan, SH.lessThanOrEquals, SH.uniqueLang
SH_OR, SH_XONE, SH_AND, SH_NOT = SH["or"], SH.xone, SH["and"], SH["not"]
NODE_KINDS = {SH.IRI: URIRef, SH.BlankNode: BNode, SH.Literal: Literal}


class _ShapeRun:
    """One validation of a data graph against a shapes graph by the fast engine."""

    def __init__(self, graph: Graph, shapes: Graph) -> None:
        self.graph, self.shapes = graph, shapes
        self._instances: dict[Node, set[Node]] = {}
        self._compiled: dict[Node, _CompiledShape] = {}
        self._conforms: dict[tuple[Node, Node], bool] = {}
        self.sparql_rows: dict[Node, dict[Node, list[dict[str, Node]]]] = {}

    def instances(self, cls: Node) -> set[Node]:
        """Instances of a class and of its subclasses (rdf:type/rdfs:subClassOf*)."""
        if cls not in self._instances:
            classes = set(self.graph.transitive_subjects(SUB_CLASS_OF, cls))
            self._instances[cls] = {node for c in classes for node in self.graph.subjects(RDF_TYPE, c)}
        return self._instances[cls]

    def compiled(self, shape: Node) -> _CompiledShape:
        """The shape as read from the shapes graph (read once per run)."""
        if shape not in self._compiled:
            self._compiled[shape] = self.compile(shape)
        return self._compiled[shape]

    def compile(self, shape: Node) -> _CompiledShape:
        """Read a shape's constraint components; raise UnsupportedShape for one the engine lacks."""
        path = self.shapes.value(shape, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShape(f"{shape}: only IRI paths are supported, not {path}")
        deactivated = self.shapes.value(shape, SH.deactivated) == Literal(True)
        compiled = _CompiledShape(shape, path, deactivated, [], [], [], [])
        for keyword, argument in sorted(self.shapes.predicate_objects(shape)):
            self.add_component(compiled, keyword, argument)
        return compiled

    def add_component(self, compiled: _CompiledShape, keyword: Node, argument: Node) -> None:
        """Add one constraint component (keyword and argument) to a compiled shape."""
        if keyword in (SH_MIN_COUNT, SH_MAX_COUNT, SH_QUALIFIED_MIN, SH_QUALIFIED_MAX):
            compiled.counts.append((keyword, argument.value))
        elif keyword == SH_QUALIFIED_SHAPE:
            compiled.qualified_shape = argument
        elif keyword in (SH_LESS_THAN, SH_LESS_THAN_OR_EQUALS):
            compiled.comparisons.append((keyword, argument))
        elif keyword in (SH_OR, SH_XONE, SH_AND):
            compiled.logic.append((keyword, list(Collection(self.shapes, argument))))
        elif keyword == SH_NOT:
            compiled.logic.append((keyword, [argument]))
        elif keyword == SH_UNIQUE_LANG:
            compiled.unique_lang = bool(argument.value)
        elif keyword == SH.property:
            compiled.property_shapes.append(argument)
        elif keyword == SH.sparql:
            compiled.sparql.append(argument)
        elif (check := self.value_check(compiled.node, keyword, argument)) is not None:
            compiled.value_checks.append(check)
        elif keyword not in SHAPE_KEYWORDS and keyword not in SKIPPED_PREDICATES:
            raise UnsupportedShape(f"{compiled.node}: the fast engine does not implement {keyword}")

    def value_check(self, shape: Node, keyword: Node, argument: Node) -> Callable[[Node], bool] | None:
        """A test each value node must pass for a value-based component, or None if keyword is not one."""
        if keyword == SH_CLASS:
            members = self.instances(argument)
            return lambda value: value in members
        if keyword == SH_DATATYPE:
            return lambda value: _has_datatype(value, argument)
        if keyword == SH_NODE_KIND:
            kind = NODE_KINDS[argument]
            return lambda value: isinstance(value, kind)
        if keyword == SH_PATTERN:
            flags = self.shapes.value(shape, SH_FLAGS)
            regex = re.compile(str(argument), re.IGNORECASE if flags and "i" in str(flags) else 0)
            return lambda value: not isinstance(value, BNode) and regex.search(str(value)) is not None
        if keyword == SH_LANGUAGE_IN:
            ranges = [str(tag) for tag in Collection(self.shapes, argument)]
            return lambda value: _language_matches(value, ranges)
        if keyword in (SH_MIN_INCLUSIVE, SH_MAX_INCLUSIVE):
            at_least = keyword == SH_MIN_INCLUSIVE
            return lambda value: _within(value, argument, at_least)
        return None

    def conforms(self, node: Node, shape: Node) -> bool:
        """True when the node has no result for the shape (sh:or, sh:xone, sh:qualifiedValueShape)."""
        key = (node, shape)
        if key not in self._conforms:
            self._conforms[key] = not self.results(shape, node)
        return self._conforms[key]

    def results(self, shape: Node, focus: Node) -> list[_Result]:
        """Every result of validating one focus node against one shape and the shapes it links to."""
        compiled = self.compiled(shape)
        if compiled.deactivated:
            return []
        path = compiled.path
        values = list(self.graph.objects(focus, path)) if path is not None else [focus]
        found = [_Result(focus, shape, None, path) for _ in range(self.count_failures(compiled, values))]
        found += [
            _Result(focus, shape, value, path)
            for check in compiled.value_checks
            for value in values
            if not check(value)
        ]
        for keyword, other_path in compiled.comparisons:
            others = list(self.graph.objects(focus, other_path))
            or_equal = keyword == SH_LESS_THAN_OR_EQUALS
            found += [
                _Result(focus, shape, v, path) for v in values for other in others if not _less(v, other, or_equal)
            ]
        for keyword, members in compiled.logic:
            found += [_Result(focus, shape, v, path) for v in values if not self.logic_holds(v, keyword, members)]
        for property_shape in compiled.property_shapes:
            for value in values:
                found += self.results(property_shape, value)
        for constraint in compiled.sparql:
            for row in self.sparql_rows.get(constraint, {}).get(focus, []):
                bindings = tuple(sorted(row.items()))
                found.append(_Result(focus, shape, row.get("value"), row.get("path", path), constraint, bindings))
        return found

    def count_failures(self, compiled: _CompiledShape, values: list[Node]) -> int:
        """How many of the shape's cardinality components (plain, qualified, uniqueLang) the values fail."""
        failures = 0
        qualified = None
        for keyword, limit in compiled.counts:
            if keyword in (SH_QUALIFIED_MIN, SH_QUALIFIED_MAX) and qualified is None:
                qualified = sum(1 for value in values if self.conforms(value, compiled.qualified_shape))
            count = qualified if keyword in (SH_QUALIFIED_MIN, SH_QUALIFIED_MAX) else len(values)
            failures += count < limit if keyword in (SH_MIN_COUNT, SH_QUALIFIED_MIN) else count > limit
        if compiled.unique_lang:
            tags = [value.language.lower() for value in values if isinstance(value, Literal) and value.language]
            failures += sum(1 for tag in set(tags) if tags.count(tag) > 1)
        return failures

    def logic_holds(self, value: Node, keyword: Node, members: list[Node]) -> bool:
        """sh:or, sh:xone, sh:and, sh:not for one value node."""
        passed = sum(1 for member in members if self.conforms(value, member))
        if keyword == SH_NOT:
            return passed == 0
        return passed >= 1 if keyword == SH_OR else passed == 1 if keyword == SH_XONE else passed == len(members)


UNSUPPORTED_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _prefix_lines(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declarer in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declarer, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def sparql_constraint_rows(graph: Graph, shapes: Graph) -> dict[Node, dict[Node, list[dict[str, Node]]]]:
    """Each SHACL-SPARQL constraint run once over the whole graph on Oxigraph, its rows grouped by $this.

    pyshacl runs the query once per focus node with $this pre-bound; here $this is a free variable and
    the rows are later matched to the focus nodes, so the cost grows with the data, not with its square.
    """
    constraints = sorted(set(shapes.objects(None, SH.sparql)))
    if not constraints:
        return {}
    store = oxigraph_store(graph)
    rows: dict[Node, dict[Node, list[dict[str, Node]]]] = {}
    for constraint in constraints:
        text = _prefix_lines(shapes, constraint) + str(shapes.value(constraint, SH.select))
        solutions = store.query(text)
        names = [variable.value for variable in solutions.variables]
        by_focus: dict[Node, list[dict[str, Node]]] = {}
        for solution in solutions:
            row = {name: from_oxigraph(solution[name]) for name in names if solution[name] is not None}
            by_focus.setdefault(row["this"], []).append(row)
        rows[constraint] = by_focus
    return rows


def _message(shapes: Graph, result: _Result) -> str:
    message = shapes.value(result.constraint, SH.message) if result.constraint is not None else None
    message = message or shapes.value(result.shape, SH.message)
    if message is None:
        return f"Fails {result.shape}"
    text = str(message)
    for name, term in result.bindings:
        text = re.sub(r"\{[?$]" + name + r"\}", lambda _: str(term), text)  # noqa: B023
    return text


def _violation(shapes: Graph, result: _Result, namespaces: NamespaceManager) -> Violation:
    severity = shapes.value(result.shape, SH.severity)
    rule = result.constraint if isinstance(result.constraint, URIRef) else result.shape
    return Violation(
        severity=severity.split("#")[-1] if severity else "Violation",
        node=_short(result.focus, namespaces),
        path=_short(result.path, namespaces) or "(node)",
        rule=_short(rule, namespaces),
        message=_message(shapes, result),
        value=_short(result.value, namespaces),
    )


def fast_validate(graph: Graph, shapes: Graph) -> ValidationReport:
    """SHACL validation by this project's engine: the report pyshacl gives, in time linear in the data.

    Core constraints are checked in Python on the graph's indexes, each SHACL-SPARQL constraint runs once
    over the whole graph on Oxigraph. Shapes using a feature it lacks raise UnsupportedShape.
    """
    for keyword in UNSUPPORTED_TARGETS:
        for shape in shapes.subjects(keyword, None):
            raise UnsupportedShape(f"{shape}: the fast engine does not implement {keyword}")
    run = _ShapeRun(graph, shapes)
    run.sparql_rows = sparql_constraint_rows(graph, shapes)
    found: list[_Result] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None))):
        focus_nodes = set().union(*(run.instances(cls) for cls in shapes.objects(shape, SH.targetClass)))
        for focus in sorted(focus_nodes):
            found += run.results(shape, focus)
    namespaces = bind_prefixes(Graph()).namespace_manager
    return ValidationReport(_sorted(_violation(shapes, result, namespaces) for result in found))


@dataclass(frozen=True)
class CheckFailure:
    """A data-quality check (queries/checks/*-violation.rq) that returned rows."""

    name: str
    summary: str
    rows: Rows

    def describe(self) -> str:
        """The check's name and summary, then its rows as a table."""
        return f"Check failed: {self.name} — {self.summary}\n{to_table(self.rows)}"


def run_checks(*graphs: Graph, directory: Path = CHECKS_DIR) -> list[CheckFailure]:
    """Run every *-violation.rq check on the graphs together (on Oxigraph); return those that found rows."""
    store = oxigraph_store(*graphs)
    failures = []
    for check in list_queries(directory):
        rows = run_oxigraph(check, store)
        if rows.rows:
            failures.append(CheckFailure(check.name, check.summary, rows))
    return failures
