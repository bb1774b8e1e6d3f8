"""Export stage: serialise the graph deterministically and write dist/ atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kg.load import CONTEXT_FILE, bind_prefixes
from kg.void import describe

ASSERTED_GRAPH = URIRef("https://w3id.org/cpsu-kg/graph/asserted")
INFERRED_GRAPH = URIRef("https://w3id.org/cpsu-kg/graph/inferred")


def canonical(graph: Graph) -> Graph:
    """Relabel blank nodes canonically, so equal graphs serialise to equal bytes."""
    return bind_prefixes(Graph() + to_canonical_graph(graph))


def to_ntriples(graph: Graph) -> str:
    """Serialise a graph as sorted N-Triples (byte-stable when the graph is canonical())."""
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(sorted(f"{line}\n" for line in lines if line.strip()))


def to_turtle(graph: Graph) -> str:
    """Serialise a graph as Turtle with the project's prefixes (byte-stable when the graph is canonical())."""
    return bind_prefixes(graph).serialize(format="turtle")


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


def expanded_jsonld(graph: Graph) -> list[dict]:
    """The graph as expanded JSON-LD, nodes and values in sorted order (so output is deterministic)."""
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


def to_jsonld(graph: Graph) -> str:
    """Serialise a graph as JSON-LD compacted by pyld with the project context (ontology/context.jsonld)."""
    from pyld import jsonld

    context = {"@context": jsonld_context()}
    compacted = jsonld.compact(expanded_jsonld(graph), context, {"skipExpansion": True})
    return json.dumps(compacted, ensure_ascii=False, indent=2) + "\n"


def write_atomically(out_dir: Path, files: Mapping[str, Callable[[], str]]) -> None:
    """Write every file into a fresh folder, then swap it in for out_dir; on failure out_dir is untouched."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for name, render in files.items():
            (staging / name).write_text(render(), encoding="utf-8")
        retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def to_trig(asserted: Graph, inferred: Graph) -> str:
    """Serialise the asserted and the inferred graph as two named graphs of one TriG document.

    Each graph block holds the graph's sorted N-Triples lines (valid TriG): byte-stable and fast to write.
    """
    named = ((ASSERTED_GRAPH, asserted), (INFERRED_GRAPH, inferred))
    return "".join(f"{name.n3()} {{\n{to_ntriples(graph)}}}\n" for name, graph in named)


def export(
    graph: Graph,
    out_dir: Path | str = "dist",
    validation_text: str | None = None,
    inferred: Graph | None = None,
) -> list[Path]:
    """Write dist/: Turtle, N-Triples, JSON-LD, void.ttl; with inferences also cpsu-inferred.ttl and cpsu.trig."""
    stable = canonical(graph)
    files: dict[str, Callable[[], str]] = {
        "cpsu.ttl": lambda: to_turtle(stable),
        "cpsu.nt": lambda: to_ntriples(stable),
        "cpsu.jsonld": lambda: to_jsonld(stable),
    }
    if inferred is not None:
        files["cpsu-inferred.ttl"] = lambda: to_turtle(inferred)
        files["cpsu.trig"] = lambda: to_trig(stable, inferred)
    dumps = list(files)
    files["void.ttl"] = lambda: to_turtle(describe(graph, inferred, dumps))
    if validation_text is not None:
        files["validation.txt"] = lambda: validation_text
    write_atomically(Path(out_dir), files)
    return [Path(out_dir) / name for name in files]
