"""Where validation's time goes as the register grows: pyshacl-turbo's own data ingestion against the shapes.

For each size, a generated register (benchmarks/generate.py) is loaded as `cpsu-kg build` loads it; then, each
in the same process and best of --repeat: the N-Triples that validation reads (kg.load.Register.exact_ntriples),
pyshacl-turbo with a shapes graph that targets nothing (what it costs to take the data in), pyshacl-turbo with
the project's shapes (kg.validate.turbo_report), and, as a yardstick, Oxigraph's bulk load of the same text.
Prints one table and the growth exponent k of t ∝ n^k between consecutive sizes. Usage:
    python benchmarks/validation_growth.py [--sizes 100000,300000,1000000] [--repeat 1] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import exponent  # noqa: E402
from kg.load import register_of_files  # noqa: E402
from kg.paths import SHAPES_FILE  # noqa: E402
from kg.validate import turbo_report  # noqa: E402

NO_TARGETS = Graph().parse(
    data="@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:nothing> a sh:NodeShape ; sh:targetClass <urn:none> .",
    format="turtle",
)
COLUMNS = ("exact N-Triples", "turbo, no targets", "turbo, the shapes", "Oxigraph bulk load")


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The shortest wall time of `repeat` runs of work()."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def oxigraph_bulk_load(ntriples: str) -> None:
    """Oxigraph's bulk load of N-Triples text into a new in-memory store."""
    pyoxigraph.Store().bulk_load(ntriples.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)


def generated_file(size: int, seed: int, folder: Path) -> tuple[Path, int]:
    """A generated register written as Turtle, and its triple count (the rdflib graph is freed on return)."""
    path = folder / f"register-{size}.ttl"
    graph = generate(size, seed=seed)
    graph.serialize(path, format="turtle")
    return path, len(graph)


def measure(size: int, seed: int, repeat: int, folder: Path) -> tuple[int, list[float]]:
    """The register's triple count at this size, and the time of each column."""
    path, triples = generated_file(size, seed, folder)
    gc.collect()  # the generator's graph (1.2 GB at 10^6) must not share the caches with what is timed
    register = register_of_files([path])
    ntriples = register.exact_ntriples()
    times = [
        best_of(repeat, register.exact_ntriples),
        best_of(repeat, lambda: turbo_report(ntriples, NO_TARGETS)),
        best_of(repeat, lambda: turbo_report(ntriples, SHAPES_FILE)),
        best_of(repeat, lambda: oxigraph_bulk_load(ntriples)),
    ]
    return triples, times


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the table and the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000", help="target triples, comma-separated")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            rows.append(measure(size, args.seed, args.repeat, Path(folder)))
            print(f"measured {rows[-1][0]:,} triples", file=sys.stderr)
    print("| triples | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for triples, times in rows:
        print(f"| {triples:,} | " + " | ".join(f"{t:.2f} s" for t in times) + " |")
    for (n1, t1), (n2, t2) in zip(rows, rows[1:], strict=False):
        exponents = [exponent(a, b, n1, n2) for a, b in zip(t1, t2, strict=True)]
        print(f"growth {n1:,} -> {n2:,}: " + ", ".join(f"{c} {k:.2f}" for c, k in zip(COLUMNS, exponents, strict=True)))


if __name__ == "__main__":
    main()
