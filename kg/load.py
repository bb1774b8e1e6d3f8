"""Load stage: parse the ontology and the register's Turtle files into one Oxigraph store, graphs kept apart.

The store carries the register through every later stage: validation reads it, reasoning adds its inferences
as a named graph, the checks and the stored queries run on it and the export writes it. rdflib graphs are
made from it only at the edges (`load()` for users of the Python API, the reference engines in the tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.errors import InputError
from kg.paths import ASSERTED_GRAPH, DATA_DIR, INFERRED_GRAPH, ONTOLOGY_FILES, ONTOLOGY_GRAPH, SHAPES_FILE, data_files

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass
class Register:
    """The register in one Oxigraph store (the ontology, the data and the inferences as named graphs)."""

    store: pyoxigraph.Store
    contents: list[tuple[Path, bytes]] = field(default_factory=list)
    files_digest: str = ""
    data_graphs: list[str] = field(default_factory=lambda: [ASSERTED_GRAPH])

    @property
    def files(self) -> list[Path]:
        """The files the register was read from (the ontology's first)."""
        return [path for path, _ in self.contents]

    def data_quads(self) -> list[pyoxigraph.Quad]:
        """The data's quads (each data file is a named graph of its own: see file_of)."""
        return self.quads(*self.data_graphs)

    def file_of(self, node: str) -> str:
        """The data file that describes a node (the first whose graph has it as a subject), or ""."""
        subject = pyoxigraph.NamedNode(node)
        for graph in self.data_graphs:
            if next(iter(self.store.quads_for_pattern(subject, None, None, pyoxigraph.NamedNode(graph))), None):
                return display_path(graph)
        return ""

    def exact_ntriples(self) -> str:
        """The ontology and the data as N-Triples, every term exactly as written (re-parsed from the files' bytes).

        The store keeps literals by value: "05"^^xsd:integer and "5"^^xsd:int are both "5"^^xsd:integer there.
        Validation must see what the files say, so it reads this instead; without files, the store's own triples.
        """
        if not self.contents:
            triples = [quad.triple for quad in self.asserted_quads()]
            return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
        parsed = (
            pyoxigraph.serialize(
                pyoxigraph.parse(content, format=pyoxigraph.RdfFormat.TURTLE, base_iri=Path(path).resolve().as_uri()),
                format=pyoxigraph.RdfFormat.N_TRIPLES,
            )
            for path, content in self.contents
        )
        return b"".join(parsed).decode("utf-8")

    def quads(self, *graph_names: str) -> list[pyoxigraph.Quad]:
        """The quads of some of the store's graphs, in the order the names are given."""
        return [
            quad
            for name in graph_names
            for quad in self.store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(name))
        ]

    def asserted_quads(self) -> list[pyoxigraph.Quad]:
        """The ontology's and the data's quads: what was written, not inferred."""
        return self.quads(ONTOLOGY_GRAPH, *self.data_graphs)

    def inferred_quads(self) -> list[pyoxigraph.Quad]:
        """The quads reasoning added."""
        return self.quads(INFERRED_GRAPH)


def display_path(file_uri: str) -> str:
    """A data file's name as a user typed it: relative to the working folder when it lies inside it."""
    path = Path(file_uri.removeprefix("file://"))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_bytes(path: Path) -> bytes:
    """A file's bytes, checked to be UTF-8 text; InputError naming the file when it cannot be read."""
    try:
        content = Path(path).read_bytes()
        content.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    return content


def syntax_error_message(path: Path, error: SyntaxError) -> str:
    """Oxigraph's parse error as `file:line: Turtle syntax error: reason (where)`, with the line Oxigraph found."""
    message = str(error.msg)
    if message.startswith("Parser error ") and ": " in message:
        where, reason = message.removeprefix("Parser error ").split(": ", 1)
        message = f"{reason} ({where})"
    line = f":{error.lineno}" if error.lineno else ""
    return f"{path}{line}: Turtle syntax error: {message}"


def add_file(store: pyoxigraph.Store, path: Path, graph_name: str, content: bytes | None = None) -> bytes:
    """Parse one Turtle file into a named graph of the store (all or nothing); return the bytes it read."""
    content = read_bytes(path) if content is None else content
    try:
        store.load(
            content,
            format=pyoxigraph.RdfFormat.TURTLE,
            base_iri=Path(path).resolve().as_uri(),
            to_graph=pyoxigraph.NamedNode(graph_name),
        )
    except SyntaxError as error:
        raise InputError(syntax_error_message(path, error)) from None
    return content


def register_digest(contents: Iterable[tuple[Path, bytes]]) -> str:
    """The key of what a register makes: a hash of its files' names and bytes, in order (no RDF parsed)."""
    digest = hashlib.sha256()
    for path, content in contents:
        digest.update(hashlib.sha256(f"{Path(path).name}\n".encode() + content).digest())
    return digest.hexdigest()


def register_files(data_dir: Path | str = DATA_DIR) -> list[Path]:
    """The register folder's Turtle files; InputError when it has none."""
    paths = data_files(Path(data_dir))
    if not paths:
        raise InputError(f"{data_dir}: no Turtle files (*.ttl) found")
    return paths


def register_files_digest(data_dir: Path | str = DATA_DIR) -> str:
    """register_digest of the ontology's and a register folder's files, read but not parsed."""
    return register_digest((path, read_bytes(path)) for path in [*ONTOLOGY_FILES, *register_files(data_dir)])


def load_register(data_dir: Path | str = DATA_DIR) -> Register:
    """The ontology and a register folder's Turtle files in a new Oxigraph store, each file read once."""
    return register_of_files(register_files(data_dir))


def register_of_files(paths: Iterable[Path]) -> Register:
    """The ontology and the given Turtle files in a new Oxigraph store, each data file a named graph of its own."""
    contents = [(path, read_bytes(path)) for path in [*ONTOLOGY_FILES, *paths]]
    store, data_graphs = pyoxigraph.Store(), []
    for path, content in contents:
        graph = ONTOLOGY_GRAPH if path in ONTOLOGY_FILES else Path(path).resolve().as_uri()
        add_file(store, path, graph, content)
        data_graphs += [] if graph == ONTOLOGY_GRAPH else [graph]
    return Register(store=store, contents=contents, files_digest=register_digest(contents), data_graphs=data_graphs)


def register_of_graph(graph: Graph, inferred: Graph | None = None) -> Register:
    """A register made of rdflib graphs (for the Python API): the ontology's triples apart, as load_register does.

    The ontology's triples are those the ontology has, and those with blank nodes (its restrictions and lists,
    whose labels differ from one parse to the next; the register's own data has no blank nodes).
    """
    from rdflib import BNode

    from kg.terms import oxigraph_quads

    ontology = load_ontology()

    def in_ontology(triple: tuple) -> bool:
        return any(isinstance(term, BNode) for term in triple) or triple in ontology

    register = Register(store=pyoxigraph.Store())
    register.store.bulk_extend(oxigraph_quads((t for t in graph if in_ontology(t)), ONTOLOGY_GRAPH))
    register.store.bulk_extend(oxigraph_quads((t for t in graph if not in_ontology(t)), ASSERTED_GRAPH))
    if inferred is not None:
        register.store.bulk_extend(oxigraph_quads(inferred, INFERRED_GRAPH))
    return register


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse Turtle files into one rdflib graph (for the reference engines and the Python API)."""
    from kg.terms import graph_of

    store = pyoxigraph.Store()
    for path in paths:
        add_file(store, path, ASSERTED_GRAPH)
    return graph_of(store.quads_for_pattern(None, None, None))


def load_ontology() -> Graph:
    """The ontology and its alignments as an rdflib graph."""
    return parse_files(ONTOLOGY_FILES)


def load_shapes() -> Graph:
    """The SHACL shapes as an rdflib graph."""
    return parse_files([SHAPES_FILE])


def load(data_dir: Path | str = DATA_DIR, with_ontology: bool = True) -> Graph:
    """The register's data (and by default the ontology) as one rdflib graph: the Python API's entry point."""
    from kg.terms import graph_of

    register = load_register(data_dir)
    return graph_of(register.asserted_quads() if with_ontology else register.data_quads())
