"""Shared fixtures: the real register, loaded once per test session, and a private reasoning cache."""

from __future__ import annotations

import os

import pytest
from rdflib import Graph

from kg.load import load, load_ontology
from kg.reason import reason


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the closure cache of the test run (and of the CLI runs it starts) out of the user's cache."""
    os.environ["CPSU_KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def register() -> Graph:
    """The project's data with the ontology, as `cpsu-kg build` loads it."""
    return load()


@pytest.fixture(scope="session")
def inferred(register) -> Graph:
    """The OWL RL inferences of the register, noise removed."""
    return reason(register, load_ontology())


@pytest.fixture(scope="session")
def queryable(register, inferred) -> Graph:
    """Asserted and inferred triples together, as the stored queries see them."""
    return register + inferred
