"""Where the project's files are, and the names every stage shares: namespaces, prefixes, graph names.

The ground floor of the package: it imports nothing of the project and no RDF library.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# The ontology, the register and the stored queries are resources of the package: in a source checkout kg/ontology,
# kg/data and kg/queries are symbolic links to the top-level folders, in an installed wheel copies of them. The
# wheel installs unzipped, so each is a real folder (resolved: messages name the files a user can open).
PACKAGE_DIR = Path(str(files("kg")))
ONTOLOGY_DIR = (PACKAGE_DIR / "ontology").resolve()
DATA_DIR = (PACKAGE_DIR / "data").resolve()
QUERIES_DIR = (PACKAGE_DIR / "queries").resolve()
# The source checkout (the tests run from it); in an installed package a folder that has none of the above.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = QUERIES_DIR / "checks"
# The wheel's prebuilt register graph (written by the build backend, build_backend/cpsu_build.py; not in git).
PREBUILT_DIR = PACKAGE_DIR / "prebuilt"
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
    "gap",
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

# The record a build leaves in its output folder: its key, its files with their hashes, its counts.
MANIFEST = ".cpsu-kg-build"

# The named graphs of the register's store and of dist/cpsu.trig.
ONTOLOGY_GRAPH = "https://w3id.org/cpsu-kg/graph/ontology"
ASSERTED_GRAPH = "https://w3id.org/cpsu-kg/graph/asserted"
INFERRED_GRAPH = "https://w3id.org/cpsu-kg/graph/inferred"


def package_version() -> str:
    """The installed version of cpsu-kg."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cpsu-kg")
    except PackageNotFoundError:
        return "unknown (not installed)"


def default_data_dir() -> tuple[Path, str]:
    """The register a command reads by default, and how to name it: ./data inside a checkout, else the packaged one."""
    here = Path("data")
    if (Path("ontology") / "cpsu.ttl").is_file() and any(here.glob("*.ttl")):
        return here.resolve(), "the checkout's data/"
    return DATA_DIR, "the packaged register"


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Return the Turtle files of the data folder in a stable order."""
    return sorted(Path(data_dir).glob("*.ttl"))
