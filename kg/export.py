"""Export stage: serialise the graph deterministically and write dist/ atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg.load import CONTEXT_FILE, bind_prefixes


def canonical(graph: Graph) -> Graph:
    """Relabel blank nodes canonically, so equal graphs serialise to equal bytes."""
    return bind_prefixes(Graph() + to_canonical_graph(graph))


def to_ntriples(graph: Graph) -> str:
    """Serialise a graph as sorted N-Triples with canonical blank-node labels."""
    lines = canonical(graph).serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(sorted(f"{line}\n" for line in lines if line.strip()))


def to_turtle(graph: Graph) -> str:
    """Serialise a graph as Turtle with the project's prefixes, in a stable order."""
    return canonical(graph).serialize(format="turtle")


def jsonld_context() -> dict:
    """Return the JSON-LD context of ontology/context.jsonld (the value of its @context)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def to_jsonld(graph: Graph) -> str:
    """Serialise a graph as JSON-LD compacted with the project context, via pyld from sorted N-Quads."""
    from pyld import jsonld

    expanded = jsonld.from_rdf(to_ntriples(graph), {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded, {"@context": jsonld_context()})
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


def export(graph: Graph, out_dir: Path | str = "dist", validation_text: str | None = None) -> list[Path]:
    """Write the graph to out_dir as Turtle, N-Triples and compacted JSON-LD (plus the validation report)."""
    files: dict[str, Callable[[], str]] = {
        "cpsu.ttl": lambda: to_turtle(graph),
        "cpsu.nt": lambda: to_ntriples(graph),
        "cpsu.jsonld": lambda: to_jsonld(graph),
    }
    if validation_text is not None:
        files["validation.txt"] = lambda: validation_text
    write_atomically(Path(out_dir), files)
    return [Path(out_dir) / name for name in files]
