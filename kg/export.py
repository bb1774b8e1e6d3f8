"""Export stage: serialise the graph deterministically and write dist/ atomically."""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kg.load import CONTEXT_FILE, PREFIXES, bind_prefixes
from kg.query import oxigraph_converter
from kg.void import describe

if TYPE_CHECKING:
    import pyoxigraph

Triple = tuple[Node, Node, Node]
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID_PREFIXES = {"void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#"}

ASSERTED_GRAPH = URIRef("https://w3id.org/cpsu-kg/graph/asserted")
INFERRED_GRAPH = URIRef("https://w3id.org/cpsu-kg/graph/inferred")


def canonical(graph: Graph) -> Graph:
    """Relabel blank nodes canonically, so equal graphs serialise to equal bytes."""
    stable = bind_prefixes(Graph())
    stable.addN((*triple, stable) for triple in stable_triples(graph))
    return stable


def stable_triples(graph: Graph) -> list[Triple]:
    """The graph's triples with blank nodes relabelled canonically (only the few triples that have one)."""
    ground, with_blank_nodes = [], Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            with_blank_nodes.add(triple)
        else:
            ground.append(triple)
    return ground + list(to_canonical_graph(with_blank_nodes)) if len(with_blank_nodes) else ground


def oxigraph_triples(triples: Iterable[Triple]) -> list[pyoxigraph.Triple]:
    """rdflib triples as pyoxigraph triples, sorted by their N-Triples form (so the output is byte-stable)."""
    import pyoxigraph

    term = oxigraph_converter()
    return sorted((pyoxigraph.Triple(term(s), term(p), term(o)) for s, p, o in triples), key=_subject_type_first)


def _subject_type_first(triple: pyoxigraph.Triple) -> tuple[str, bool, str]:
    return str(triple.subject), triple.predicate.value != RDF_TYPE, str(triple)


def write_ntriples(triples: list[pyoxigraph.Triple], out: BinaryIO) -> None:
    """Write sorted triples as N-Triples (by Oxigraph: canonical escaping, one triple per line), streamed."""
    import pyoxigraph

    pyoxigraph.serialize(triples, out, format=pyoxigraph.RdfFormat.N_TRIPLES)


def write_turtle(
    triples: list[pyoxigraph.Triple], out: BinaryIO, extra_prefixes: Mapping[str, str] | None = None
) -> None:
    """Write sorted triples as Turtle with the project's prefixes (by Oxigraph's writer: linear in the data)."""
    import pyoxigraph

    prefixes = {**STANDARD_PREFIXES, **PREFIXES, **(extra_prefixes or {})}
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
    # Oxigraph opens with the prefixes in the order of its hash map; written here sorted, they stay stable
    body = 0
    while data.startswith(b"@prefix ", body):
        body = data.index(b"\n", body) + 1
    out.write("".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items())).encode("utf-8"))
    out.write(b"\n")
    out.write(memoryview(data)[body:])


def jsonld_context() -> dict:
    """Return the JSON-LD context of ontology/context.jsonld (the value of its @context)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def _expanded_term(term: Node) -> dict[str, str]:
    if isinstance(term, Literal):
        value: dict[str, str] = {"@value": str(term)}
        if term.language:
            value["@language"] = term.language
        elif term.datatype and term.datatype != XSD.string:
            value["@type"] = str(term.datatype)
        return value
    return {"@id": term.n3() if isinstance(term, BNode) else str(term)}


def expanded_jsonld(graph: Iterable[Triple]) -> list[dict]:
    """The triples as expanded JSON-LD, nodes and values in sorted order (so output is deterministic)."""
    nodes: dict[str, dict[str, list]] = {}
    for subject, predicate, obj in graph:
        node = nodes.setdefault(_expanded_term(subject)["@id"], {})
        if predicate == RDF.type and not isinstance(obj, Literal):
            node.setdefault("@type", []).append(_expanded_term(obj)["@id"])
        else:
            node.setdefault(str(predicate), []).append(_expanded_term(obj))
    expanded = []
    for node_id in sorted(nodes):
        node: dict = {"@id": node_id}
        for key in sorted(nodes[node_id]):
            node[key] = sorted(nodes[node_id][key], key=lambda v: json.dumps(v, sort_keys=True))
        expanded.append(node)
    return expanded


def to_jsonld(graph: Iterable[Triple]) -> str:
    """Serialise triples as JSON-LD compacted by pyld with the project context (ontology/context.jsonld)."""
    from pyld import jsonld

    context = {"@context": jsonld_context()}
    compacted = jsonld.compact(expanded_jsonld(graph), context, {"skipExpansion": True})
    return json.dumps(compacted, ensure_ascii=False, indent=2) + "\n"


class BackgroundJsonld:
    """pyld's compaction of a graph, run in a forked process while the build goes on.

    Compaction is the slowest part of the export (10^5 triples: ~10 s); run beside reasoning and the
    checks, it costs no wall time on a second core. Where a process cannot be forked (no fork; inside a daemonic
    process) it runs when text() is called.
    """

    def __init__(self, graph: Graph) -> None:
        self.triples = stable_triples(graph)
        self.process: multiprocessing.process.BaseProcess | None = None
        if "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon:
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.process = context.Process(target=_send_jsonld, args=(self.triples, sender), daemon=True)
            self.process.start()
            sender.close()

    def text(self) -> str:
        """The compacted JSON-LD (waiting for the process); its error, if it failed, raised here."""
        if self.process is None:
            return to_jsonld(self.triples)
        try:
            outcome, value = self.receiver.recv()
        except EOFError:
            outcome, value = "error", f"the JSON-LD writer stopped (exit code {self.process.exitcode})"
        self.process.join()
        if outcome == "error":
            raise RuntimeError(value)
        return value

    def cancel(self) -> None:
        """Stop the process if it still runs (the build stopped before the export)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _send_jsonld(triples: list[Triple], sender: multiprocessing.connection.Connection) -> None:
    try:
        sender.send(("ok", to_jsonld(triples)))
    except BaseException as error:  # noqa: BLE001 - reported by the parent, which raises it
        sender.send(("error", str(error)))


def text_writer(render: Callable[[], str]) -> Callable[[BinaryIO], None]:
    """A file writer for a file made as one string (JSON-LD, the validation report)."""

    def write(out: BinaryIO) -> None:
        out.write(render().encode("utf-8"))

    return write


def write_atomically(out_dir: Path, files: Mapping[str, Callable[[BinaryIO], None]]) -> None:
    """Write every file into a fresh folder, then swap it in for out_dir; on failure out_dir is untouched.

    Each writer streams its file (the dumps of a 10^6-triple graph are never held as whole strings).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for name, write in files.items():
            with (staging / name).open("wb") as out:
                write(out)
        retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_trig(asserted: list[pyoxigraph.Triple], inferred: list[pyoxigraph.Triple], out: BinaryIO) -> None:
    """Write the asserted and the inferred triples as two named graphs of one TriG document, streamed.

    Each graph block holds the graph's sorted N-Triples lines (valid TriG): byte-stable and fast to write.
    """
    for name, triples in ((ASSERTED_GRAPH, asserted), (INFERRED_GRAPH, inferred)):
        out.write(f"{name.n3()} {{\n".encode())
        write_ntriples(triples, out)
        out.write(b"}\n")


def export(
    graph: Graph,
    out_dir: Path | str = "dist",
    validation_text: str | None = None,
    inferred: Graph | None = None,
    jsonld: BackgroundJsonld | None = None,
) -> list[Path]:
    """Write dist/: Turtle, N-Triples, JSON-LD, void.ttl; with inferences also cpsu-inferred.ttl and cpsu.trig.

    jsonld: the JSON-LD, already being compacted (by build()); when not given, it is compacted here in a
    process of its own while the other files are written, and written last.
    """
    jsonld = BackgroundJsonld(graph) if jsonld is None else jsonld
    try:
        return _write_dist(graph, Path(out_dir), validation_text, inferred, jsonld)
    finally:
        jsonld.cancel()


def _write_dist(
    graph: Graph, out_dir: Path, validation_text: str | None, inferred: Graph | None, jsonld: BackgroundJsonld
) -> list[Path]:
    asserted = oxigraph_triples(jsonld.triples)
    files: dict[str, Callable[[BinaryIO], None]] = {
        "cpsu.ttl": lambda out: write_turtle(asserted, out),
        "cpsu.nt": lambda out: write_ntriples(asserted, out),
        "cpsu.jsonld": text_writer(jsonld.text),
    }
    if inferred is not None:
        inferred_sorted = oxigraph_triples(inferred)
        files["cpsu-inferred.ttl"] = lambda out: write_turtle(inferred_sorted, out)
        files["cpsu.trig"] = lambda out: write_trig(asserted, inferred_sorted, out)
    dumps = list(files)
    files["void.ttl"] = lambda out: write_turtle(oxigraph_triples(describe(graph, inferred, dumps)), out, VOID_PREFIXES)
    if validation_text is not None:
        files["validation.txt"] = text_writer(lambda: validation_text)
    # the JSON-LD written last, so that its compaction goes on while the others are written
    write_atomically(out_dir, dict(sorted(files.items(), key=lambda item: item[0] == "cpsu.jsonld")))
    return [out_dir / name for name in files]
