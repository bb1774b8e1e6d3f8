"""Content-addressed cache of expensive results (closures, validation reports, query stores, build stamps)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib.term import Node


def cache_dir() -> Path:
    """Where results are cached: $CPSU_KG_CACHE, else $XDG_CACHE_HOME/cpsu-kg, else ~/.cache/cpsu-kg."""
    if os.environ.get("CPSU_KG_CACHE"):
        return Path(os.environ["CPSU_KG_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cpsu-kg"


def content_hash(graph: Iterable[tuple[Node, Node, Node]]) -> str:
    """A hash of a graph's (or a set of triples') content that depends neither on order nor on blank-node labels."""
    from rdflib import BNode, Graph
    from rdflib.compare import to_isomorphic

    ground, with_blank_nodes = [], Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            with_blank_nodes.add(triple)
        else:
            ground.append(" ".join(term.n3() for term in triple))
    # Only the few triples with blank nodes (the ontology's restrictions and lists) need the costly canonical digest.
    ground.append(str(to_isomorphic(with_blank_nodes).graph_digest()))
    return hashlib.sha256("\n".join(sorted(ground)).encode("utf-8")).hexdigest()


def text_hash(*texts: str) -> str:
    """A hash of some texts, in order."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_hash() -> str:
    """A hash of the package's own source, so changed code invalidates cached results."""
    return text_hash(*(path.read_text(encoding="utf-8") for path in sorted(Path(__file__).parent.glob("*.py"))))


def register_key(files_digest: str) -> str:
    """The cache key of what a register makes with this code (its closure, its query store), from its files' digest."""
    return text_hash(files_digest, code_hash())


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write a file through a temporary name, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    staging.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    staging.replace(path)


def read_json(name: str) -> object | None:
    """The cached JSON value called name, or None."""
    path = cache_dir() / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_json(name: str, value: object) -> None:
    """Cache a JSON value under name."""
    write_atomically(cache_dir() / f"{name}.json", json.dumps(value, ensure_ascii=False))


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (the owner of a staging folder or of a store in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True
