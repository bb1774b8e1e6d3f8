"""Shared fixtures: the real register, loaded once per test session."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg.load import load


@pytest.fixture(scope="session")
def register() -> Graph:
    """The project's data with the ontology, as `cpsu-kg build` loads it."""
    return load()
