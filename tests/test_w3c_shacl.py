"""The validation engines on the W3C SHACL test suite (core and SHACL-SPARQL, tests/w3c-shacl, see its NOTICE).

Each engine runs every test as the build runs it (kg.validate's turbo_report and pyshacl_report), and pyshacl's
own comparator (check_sht_result) decides whether the report matches the expected one. The exact list of tests
that fail is asserted, so a regression (or an upstream fix) shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyshacl.validator_conformance import check_sht_result
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from kg.validate import pyshacl_report, turbo_report

SUITE = Path(__file__).parent / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

# Which tests each engine fails, and why (the reasons were read from the engines' reports).
TURBO_FAILS: dict[str, str] = {}
PYSHACL_FAILS = {
    "core/property/datatype-001": 'rdflib rewrites the ill-formed "2011-01-01"^^xsd:dateTime as it parses the data, '
    "so the report names a value the data does not hold",
    "core/property/uniqueLang-002": 'sh:uniqueLang "1"^^xsd:boolean is taken for true; the spec activates it only '
    "for true",
    "sparql/pre-binding/shapesGraph-001": "$shapesGraph is not bound (pyshacl's own suite lists it as an allowed "
    "failure)",
}


@dataclass(frozen=True)
class SuiteTest:
    """One sht:Validate entry: its name, data and shapes files, and the manifest graph holding the expected result."""

    name: str
    data: Path
    shapes: Path
    manifest: Graph
    result: object


@contextmanager
def literals_as_written() -> Iterator[None]:
    """rdflib normalises literals as it parses ("2011-01-01"^^xsd:dateTime becomes "2011-01-01T00:00:00"); the
    expected reports must keep the very terms the tests wrote, or an engine that reports them faithfully fails."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def manifest_tests(path: Path) -> list[SuiteTest]:
    """The tests of a manifest and of the manifests it includes."""
    with literals_as_written():
        manifest = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
    tests = []
    for included in manifest.objects(None, MF.include):
        tests += manifest_tests(Path(str(included).removeprefix("file://")))
    for entries in manifest.objects(None, MF.entries):
        for entry in Collection(manifest, entries):
            if (entry, RDF.type, SHT.Validate) not in manifest:
                continue
            action = manifest.value(entry, MF.action)
            data, shapes = (Path(str(manifest.value(action, key)).removeprefix("file://"))
                            for key in (SHT.dataGraph, SHT.shapesGraph))
            name = str(Path(str(entry).removeprefix("file://").split("#")[0]).relative_to(SUITE.resolve()))
            tests.append(SuiteTest(name.removesuffix(".ttl"), data, shapes, manifest, manifest.value(entry, MF.result)))
    return tests


def passes(test: SuiteTest, engine: str) -> bool:
    """Whether the engine's report for the test is the expected one (a refusal counts as the expected failure)."""
    try:
        if engine == "turbo":
            data = pyoxigraph.parse(path=str(test.data), format=pyoxigraph.RdfFormat.TURTLE,
                                    base_iri=test.data.resolve().as_uri())
            report = turbo_report(pyoxigraph.serialize(data, format=pyoxigraph.RdfFormat.N_TRIPLES).decode(), test.shapes)
        else:
            data = Graph().parse(test.data, format="turtle", publicID=test.data.resolve().as_uri())
            shapes = Graph().parse(test.shapes, format="turtle", publicID=test.shapes.resolve().as_uri())
            report = pyshacl_report(data, shapes)
    except Exception:  # noqa: BLE001 - an engine that refuses or crashes has not produced the expected report
        return test.result == SHT.Failure
    return bool(check_sht_result(report, test.manifest, test.result))


@pytest.fixture(scope="module")
def suite() -> list[SuiteTest]:
    return manifest_tests(SUITE / "manifest.ttl")


def test_the_suite_has_every_core_and_sparql_test(suite):
    assert len(suite) == 121
    assert len({test.name for test in suite}) == len(suite)


@pytest.mark.parametrize(("engine", "expected_failures"), [("turbo", TURBO_FAILS), ("pyshacl", PYSHACL_FAILS)])
def test_the_engine_passes_every_w3c_test_but_the_known_ones(suite, engine, expected_failures):
    failed = sorted(test.name for test in suite if not passes(test, engine))
    assert failed == sorted(expected_failures)
