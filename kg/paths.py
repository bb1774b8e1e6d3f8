"""Where the project's files are, and the names every stage shares: namespaces, prefixes, graph names.

The ground floor of the package: it imports nothing of the project and no RDF library.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
CHECKS_DIR = QUERIES_DIR / "checks"
ONTOLOGY_FILES = (ONTOLOGY_DIR / "cpsu.ttl", ONTOLOGY_DIR / "alignments.ttl", ONTOLOGY_DIR / "source-policy.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"

CPSU_NS = "https://w3id.org/cpsu-kg/ontology#"
ID = "https://w3id.org/cpsu-kg/id/"
ID_KINDS = (
    "person",
    "office",
    "tenure",
    "congress",
    "plenum",
    "event",
    "troika",
    "organisation",
    "partyname",
    "place",
    "source",
    "birth",
    "death",
    "membership",
    "organname",
    "claim",
    "coverage",
)
PREFIXES = {
    "cpsu": CPSU_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "shape": "https://w3id.org/cpsu-kg/shapes#",
    "policy": "https://w3id.org/cpsu-kg/policy/",
    **{kind: f"{ID}{kind}/" for kind in ID_KINDS},
}

# The named graphs of the register's store and of dist/cpsu.trig.
ONTOLOGY_GRAPH = "https://w3id.org/cpsu-kg/graph/ontology"
ASSERTED_GRAPH = "https://w3id.org/cpsu-kg/graph/asserted"
INFERRED_GRAPH = "https://w3id.org/cpsu-kg/graph/inferred"


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Return the Turtle files of the data folder in a stable order."""
    return sorted(Path(data_dir).glob("*.ttl"))
