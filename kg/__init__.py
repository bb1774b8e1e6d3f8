"""cpsu-kg: a sourced, validated knowledge graph of the leadership of the CPSU, 1917-1991."""

from kg.export import export
from kg.load import load
from kg.query import run_query
from kg.reason import reason
from kg.validate import validate

__all__ = ["export", "load", "reason", "run_query", "validate"]
__version__ = "0.1.0"
