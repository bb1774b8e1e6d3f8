"""cpsu-kg: a sourced, validated knowledge graph of the leadership of the CPSU, 1917-1991.

The Python API: `load`, `validate`, `reason`, `run_query`, `export`. Each stage is imported on first use, so that
the command line's fast paths (`cpsu-kg query`, `cpsu-kg sparql`) pay only for the stages they run.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"
__all__ = ["export", "load", "reason", "run_query", "validate"]


def _stage(module: str, name: str) -> object:
    return getattr(importlib.import_module(module), name)


def load(*args: object, **kwargs: object) -> object:
    """The register's data and the ontology as one rdflib graph (kg.load.load)."""
    return _stage("kg.load", "load")(*args, **kwargs)


def validate(*args: object, **kwargs: object) -> object:
    """Validate a graph or register against the SHACL shapes (kg.validate.validate)."""
    return _stage("kg.validate", "validate")(*args, **kwargs)


def reason(*args: object, **kwargs: object) -> object:
    """The OWL 2 RL inferences of a graph, as an rdflib graph (kg.reason.reason)."""
    return _stage("kg.reason", "reason")(*args, **kwargs)


def run_query(*args: object, **kwargs: object) -> object:
    """Run a stored query; rows as dicts of Python values (kg.query.run_query)."""
    return _stage("kg.query", "run_query")(*args, **kwargs)


def export(*args: object, **kwargs: object) -> object:
    """Write the dumps of a register or graph into a folder (kg.export.export)."""
    return _stage("kg.export", "export")(*args, **kwargs)


class _Package(types.ModuleType):
    """The package, whose API functions keep their names when the submodules of the same names are imported."""

    def __setattr__(self, name: str, value: object) -> None:
        # importing kg.load sets the attribute `load` of the package to the module: the function keeps the name
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
