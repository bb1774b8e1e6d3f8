"""Export stage: write the register's store deterministically into dist/, atomically.

Every dump is written from the store by Oxigraph's serialisers (linear in the data) or by the JSON-LD
writer for the project's context (kg.jsonld); rdflib only relabels the few blank nodes canonically.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph

from kg.cache import file_hash, process_alive
from kg.jsonld import to_jsonld
from kg.load import Register, register_of_graph
from kg.paths import ASSERTED_GRAPH, CONTEXT_FILE, INFERRED_GRAPH, MANIFEST, PREFIXES, package_version
from kg.tables import csv_text, datapackage, tables
from kg.void import LOCAL, Publication, describe
from kg.void import PREFIXES as VOID_PREFIXES

STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
if TYPE_CHECKING:
    from rdflib import Graph



def _has_blank_node(triple: pyoxigraph.Triple) -> bool:
    return isinstance(triple.subject, pyoxigraph.BlankNode) or isinstance(triple.object, pyoxigraph.BlankNode)


def canonical_triples(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Triple]:
    """The quads' triples with blank nodes relabelled canonically (by rdflib, only the few that have one)."""
    ground, with_blank_nodes = [], []
    for quad in quads:
        (with_blank_nodes if _has_blank_node(quad.triple) else ground).append(quad.triple)
    if not with_blank_nodes:
        return ground
    from rdflib.compare import to_canonical_graph

    from kg.terms import graph_of, oxigraph_quads

    canonical = to_canonical_graph(graph_of(pyoxigraph.Quad(*t) for t in with_blank_nodes))
    return ground + [quad.triple for quad in oxigraph_quads(canonical)]


def _subject_type_first(triple: pyoxigraph.Triple) -> tuple[str, bool, str]:
    return str(triple.subject), triple.predicate.value != RDF_TYPE, str(triple)


def sorted_triples(triples: Iterable[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """Triples sorted by subject, rdf:type first, then by their N-Triples form (so the output is byte-stable)."""
    return sorted(triples, key=_subject_type_first)


def write_ntriples(triples: list[pyoxigraph.Triple], out: BinaryIO) -> None:
    """Write sorted triples as N-Triples (by Oxigraph: canonical escaping, one triple per line), streamed."""
    pyoxigraph.serialize(triples, out, format=pyoxigraph.RdfFormat.N_TRIPLES)


def write_turtle(
    triples: list[pyoxigraph.Triple], out: BinaryIO, extra_prefixes: Mapping[str, str] | None = None
) -> None:
    """Write sorted triples as Turtle with the project's prefixes (by Oxigraph's writer: linear in the data)."""
    prefixes = {**STANDARD_PREFIXES, **PREFIXES, **(extra_prefixes or {})}
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
    # Oxigraph opens with the prefixes in the order of its hash map; written here sorted, they stay stable
    body = 0
    while data.startswith(b"@prefix ", body):
        body = data.index(b"\n", body) + 1
    out.write("".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items())).encode("utf-8"))
    out.write(b"\n")
    out.write(memoryview(data)[body:])


def write_trig(asserted: list[pyoxigraph.Triple], inferred: list[pyoxigraph.Triple], out: BinaryIO) -> None:
    """Write the asserted and the inferred triples as two named graphs of one TriG document, streamed.

    Each graph block holds the graph's sorted N-Triples lines (valid TriG): byte-stable and fast to write.
    """
    for name, triples in ((ASSERTED_GRAPH, asserted), (INFERRED_GRAPH, inferred)):
        out.write(f"<{name}> {{\n".encode())
        write_ntriples(triples, out)
        out.write(b"}\n")


def jsonld_context() -> dict:
    """Return the JSON-LD context of ontology/context.jsonld (the value of its @context)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def jsonld_triples(asserted: list[pyoxigraph.Triple], inferred: list[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """What the JSON-LD dump holds: the asserted triples and every inferred type (the classes queries rely on)."""
    return asserted + [triple for triple in inferred if triple.predicate.value == RDF_TYPE]


def text_writer(render: Callable[[], str]) -> Callable[[BinaryIO], None]:
    """A file writer for a file made as one string (JSON-LD, the validation report)."""

    def write(out: BinaryIO) -> None:
        out.write(render().encode("utf-8"))

    return write


def write_manifest(folder: Path, names: Iterable[str], facts: Mapping[str, object]) -> None:
    """Write MANIFEST into a folder: the facts given and the SHA-256 of each named file (how a build knows its own)."""
    manifest = {**facts, "files": {name: file_hash(folder / name) for name in names}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _stale_staging_folders(out_dir: Path) -> list[Path]:
    """Staging folders that builds killed before they finished left in out_dir (their process is gone)."""
    stale = []
    for folder in out_dir.glob(".build-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            stale.append(folder)
    return stale


def _previous_files(out_dir: Path) -> set[str]:
    """The files the last build wrote into out_dir, by its manifest (other files there are not ours to touch)."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return set(manifest["files"]) if isinstance(manifest.get("files"), dict) else set()
    except (OSError, ValueError, KeyError, AttributeError):
        return set()


def write_atomically(
    out_dir: Path,
    files: Mapping[str, Callable[[BinaryIO], None]],
    manifest: Mapping[str, object] | None = None,
    go_ahead: Callable[[], bool] = lambda: True,
) -> bool:
    """Write every file (and the manifest) into a staging folder inside out_dir, then move each into place; return
    whether it did.

    Each file is replaced in one rename, so a reader sees an old file or a new one, never half of one; a failure
    before the renames, or go_ahead() saying no once the files are staged, leaves out_dir as it was. Only the
    build's own files change: whatever else out_dir holds (the docs, the timeline, a user's files) stays, and a
    file of the last build that this one no longer writes is removed. The manifest moves last, so a build killed
    among the renames is not taken as up to date. Each writer streams its file (the dumps of a 10^6-triple graph
    are never held as whole strings).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out_dir.chmod(0o755)  # a web server's user must be able to read the dumps, whatever the umask
    for stale in _stale_staging_folders(out_dir):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".build-{os.getpid()}-", dir=out_dir))
    try:
        for name, write in files.items():
            (staging / name).parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            with (staging / name).open("wb") as out:
                write(out)
            (staging / name).chmod(0o644)
        if manifest is not None:
            write_manifest(staging, files, manifest)
            (staging / MANIFEST).chmod(0o644)
        if not go_ahead():
            return False
        previous = _previous_files(out_dir)
        for name in files:
            (out_dir / name).parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            os.replace(staging / name, out_dir / name)
        for name in previous - set(files):
            (out_dir / name).unlink(missing_ok=True)
        if manifest is not None:
            os.replace(staging / MANIFEST, out_dir / MANIFEST)
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def export(
    register: Register | Graph,
    out_dir: Path | str = "dist",
    validation_text: str | None = None,
    manifest: Mapping[str, object] | None = None,
    publication: Publication = LOCAL,
    go_ahead: Callable[[], bool] = lambda: True,
) -> list[Path]:
    """Write dist/: the dumps (Turtle, N-Triples, full N-Triples, JSON-LD, inferred Turtle, TriG), void.ttl, the
    spreadsheets (csv/*.csv, datapackage.json) and, when given, the validation report and a manifest (the given
    facts and every file's hash); return the files written, none when go_ahead() says no once they are staged.

    register: the register's store, or an rdflib graph of the ontology and data (for the Python API).
    """
    register = register if isinstance(register, Register) else register_of_graph(register)
    out_dir = Path(out_dir)
    asserted = sorted_triples(canonical_triples(register.asserted_quads()))
    inferred = sorted_triples(quad.triple for quad in register.inferred_quads())
    files: dict[str, Callable[[BinaryIO], None]] = {
        "cpsu.ttl": lambda out: write_turtle(asserted, out),
        "cpsu.nt": lambda out: write_ntriples(asserted, out),
        "cpsu-full.nt": lambda out: write_ntriples(sorted_triples(asserted + inferred), out),
        "cpsu.jsonld": text_writer(lambda: to_jsonld(jsonld_triples(asserted, inferred), jsonld_context())),
        "cpsu-inferred.ttl": lambda out: write_turtle(inferred, out),
        "cpsu.trig": lambda out: write_trig(asserted, inferred, out),
    }
    files["void.ttl"] = lambda out: write_turtle(
        sorted_triples(describe(asserted, inferred, list(files), publication)), out, VOID_PREFIXES
    )
    if validation_text is not None:
        files["validation.txt"] = text_writer(lambda: validation_text)
    spreadsheets = tables(register.store)
    for table in spreadsheets:
        files[table.path] = text_writer(lambda table=table: csv_text(table))
    files["datapackage.json"] = text_writer(lambda: datapackage(spreadsheets, package_version()))
    return [out_dir / name for name in files] if write_atomically(out_dir, files, manifest, go_ahead) else []
