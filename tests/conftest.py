"""Shared fixtures: the real register, loaded and reasoned once per test session, and a private cache."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from support import free_port

from kg.build import BuildResult, build
from kg.load import Register
from kg.paths import DATA_DIR
from kg.query import reasoned_register
from kg.serve import start_server
from kg.terms import graph_of


def pytest_xdist_auto_num_workers(config) -> int:
    """One worker more than the cores: about a sixth of the suite waits on servers, subprocesses and timeouts."""
    return (os.cpu_count() or 1) + 1


# The test files by the time they took (a run of the whole suite, 3 workers on 2 cores), longest first. The workers
# take whole files (--dist loadfile: a module's fixtures are made once) in this order, so the long ones start
# first and the short ones fill in at the end, and the workers finish together. A file not listed runs after these.
LONGEST_FIRST = (
    "reliability/test_endpoint.py", "test_fast_paths.py", "test_export.py", "test_shapes.py", "test_checks.py",
    "reliability/test_build_outputs.py", "test_serve.py", "test_reason.py", "test_benchmarks.py", "test_queries.py",
    "test_timeline.py", "test_cli.py", "test_site.py", "test_reason_differential.py", "reliability/test_bad_input.py",
    "test_package.py", "reliability/test_wikidata_answers.py", "test_wikidata.py", "test_docs.py",
    "test_w3c_shacl.py", "test_register.py", "test_ontology.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the test files in the order of LONGEST_FIRST, each file's tests in their own order."""
    tests_dir = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        name = item.path.relative_to(tests_dir).as_posix() if item.path.is_relative_to(tests_dir) else ""
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the caches of the test run (and of the CLI runs it starts) out of the user's cache."""
    os.environ["CPSU_KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def reasoned() -> Register:
    """The project's register loaded and reasoned into one Oxigraph store, as `cpsu-kg build` makes it."""
    return reasoned_register()


@pytest.fixture(scope="session")
def register(reasoned) -> Graph:
    """The project's data with the ontology, as an rdflib graph."""
    return graph_of(reasoned.asserted_quads())


@pytest.fixture(scope="session")
def inferred(reasoned) -> Graph:
    """The OWL RL inferences of the register, noise removed, as an rdflib graph."""
    return graph_of(reasoned.inferred_quads())


@pytest.fixture(scope="session")
def queryable(reasoned) -> pyoxigraph.Store:
    """Asserted and inferred triples together in the register's store, as the stored queries see them."""
    return reasoned.store


@pytest.fixture(scope="session")
def queryable_graph(register, inferred) -> Graph:
    """Asserted and inferred triples together as one rdflib graph (for the reference engine and rdflib's API)."""
    return register + inferred


@pytest.fixture(scope="session")
def session_build(tmp_path_factory) -> tuple[BuildResult, Path]:
    """The register built once into a folder of the session, with the build's result (the tests only read both)."""
    out = tmp_path_factory.mktemp("serve") / "dist"
    result = build(DATA_DIR, out)
    assert result.succeeded
    return result, out


@pytest.fixture(scope="session")
def dist(session_build) -> Path:
    """The folder of the session's build (the tests that serve it or read its dumps share it)."""
    return session_build[1]


@pytest.fixture(scope="session")
def server(dist):
    """The endpoint over dist/, on a free loopback port, shared by the tests that only ask it questions."""
    with start_server(dist, "127.0.0.1", free_port()) as running:
        yield running
