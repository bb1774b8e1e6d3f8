"""Load stage: parse the ontology and the Turtle data files into one rdflib graph."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
DATA_DIR = PROJECT_ROOT / "data"
ONTOLOGY_FILES = (ONTOLOGY_DIR / "cpsu.ttl", ONTOLOGY_DIR / "alignments.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"

CPSU = Namespace("https://w3id.org/cpsu-kg/ontology#")
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
)
PREFIXES = {
    "cpsu": str(CPSU),
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
    **{kind: f"{ID}{kind}/" for kind in ID_KINDS},
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on a graph, so every serialisation uses the same short names."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Return the Turtle files of the data folder in a stable order."""
    return sorted(data_dir.glob("*.ttl"))


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file into a graph; a syntax error raises InputError naming the file and line."""
    graph = bind_prefixes(Graph()) if graph is None else graph
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    try:
        return add_parsed(graph, text, path.resolve().as_uri())
    except SyntaxError as oxigraph_error:
        _raise_rdflib_error(path, text)  # rdflib's message names the line in the words tests and users know
        raise InputError(f"{path}: Turtle syntax error: {oxigraph_error}") from oxigraph_error


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk of long-lived objects is made.

    Every full collection walks every object alive, and a growing graph set off one each time it grew by a
    quarter: at 10^6 triples that cost a quarter of reading the cached closure. Nothing made here is garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def add_parsed(graph: Graph, text: str, base_iri: str) -> Graph:
    """Add the triples of a Turtle text to graph (all or none: a syntax error raises SyntaxError first)."""
    with collector_paused():
        graph.addN((*triple, graph) for triple in oxigraph_parse(text, base_iri))
    return graph


def oxigraph_parse(text: str, base_iri: str) -> list[tuple[Node, Node, Node]]:
    """Parse Turtle with Oxigraph (20x faster than rdflib's parser) into rdflib terms; SyntaxError if malformed.

    A test proves the triples equal rdflib's own parse on the register and on a generated register.
    """
    import pyoxigraph

    from kg.query import from_oxigraph

    term = functools.lru_cache(maxsize=None)(from_oxigraph)  # each distinct term converted once
    quads = pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, base_iri=base_iri)
    return [(term(quad.subject), term(quad.predicate), term(quad.object)) for quad in quads]


def _raise_rdflib_error(path: Path, text: str) -> None:
    try:
        Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        raise InputError(f"{path}:{error.lines + 1}: Turtle syntax error: {error._why}") from error
    except Exception as error:  # rdflib raises plain exceptions for some bad terms (e.g. bad IRIs)
        raise InputError(f"{path}: Turtle error: {error}") from error


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several Turtle files into one graph."""
    graph = bind_prefixes(Graph())
    for path in paths:
        parse_turtle(path, graph)
    return graph


def load_ontology() -> Graph:
    """Load the ontology and its alignments."""
    return parse_files(ONTOLOGY_FILES)


def load_shapes() -> Graph:
    """Load the SHACL shapes."""
    return parse_files([SHAPES_FILE])


def load(data_dir: Path | str = DATA_DIR, with_ontology: bool = True, ontology: Graph | None = None) -> Graph:
    """Load the register's data files (and by default the ontology, parsed anew unless given) into one graph."""
    data_dir = Path(data_dir)
    files = data_files(data_dir)
    if not files:
        raise InputError(f"{data_dir}: no Turtle files (*.ttl) found")
    if not with_ontology:
        return parse_files(files)
    if ontology is None:
        return parse_files([*ONTOLOGY_FILES, *files])
    graph = bind_prefixes(Graph())
    graph += ontology
    for path in files:
        parse_turtle(path, graph)
    return graph
