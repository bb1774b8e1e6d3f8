"""Latency of the stored queries over HTTP (the oxigraph server) and in-process on rdflib and pyoxigraph.

Runs 200 queries drawn in turn from queries/*.rq (with their test parameters) against each, in one run,
and prints the median and 95th percentile per engine and their ratios. Usage:
    python benchmarks/endpoint.py [--runs 200] [--dist DIR]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.build import build  # noqa: E402
from kg.paths import DATA_DIR  # noqa: E402
from kg.query import StoredQuery, from_json, list_queries, register_store, run, substituted_text
from kg.serve import start_server  # noqa: E402
from kg.terms import graph_of


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(calls: list[Callable[[], object]]) -> list[float]:
    """Milliseconds per call, in order."""
    millis = []
    for call in calls:
        started = time.perf_counter()
        call()
        millis.append((time.perf_counter() - started) * 1000)
    return millis


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def http_call(url: str, query: StoredQuery) -> Callable[[], object]:
    text = substituted_text(query, dict(query.defaults))
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode({'query': text})}", headers={"Accept": "application/sparql-results+json"}
    )

    def call() -> object:
        with urllib.request.urlopen(request, timeout=60) as response:
            return from_json(json.loads(response.read()))

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--dist", default=None, help="a built dist/ (default: build into a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        dist = Path(args.dist) if args.dist else Path(scratch) / "dist"
        if not args.dist:
            build(DATA_DIR, dist)
        queries = list_queries()
        drawn = [queries[i % len(queries)] for i in range(args.runs)]
        store = register_store()
        graph = graph_of(store.quads_for_pattern(None, None, None))
        with start_server(dist, "127.0.0.1", free_port()) as server:
            results = {
                "HTTP (oxigraph server)": timed([http_call(server.query_url, q) for q in drawn]),
                "pyoxigraph in-process": timed([lambda q=q: run(q, store, dict(q.defaults)) for q in drawn]),
                "rdflib in-process": timed([lambda q=q: run(q, graph, dict(q.defaults)) for q in drawn]),
            }
    print(
        f"{args.runs} queries drawn in turn from {len(queries)} stored queries, "
        f"{len(graph)} triples (asserted + inferred)\n"
    )
    print(f"{'engine':<24} {'median ms':>10} {'p95 ms':>10} {'median vs rdflib':>18}")
    baseline = statistics.median(results["rdflib in-process"])
    for engine, millis in results.items():
        median = statistics.median(millis)
        print(f"{engine:<24} {median:>10.2f} {percentile(millis, 0.95):>10.2f} {baseline / median:>17.1f}x")
    print("\nper query, median ms (rdflib / pyoxigraph / HTTP):")
    for query in queries:
        picks = [i for i, q in enumerate(drawn) if q.name == query.name]
        row = [
            statistics.median([results[engine][i] for i in picks])
            for engine in ("rdflib in-process", "pyoxigraph in-process", "HTTP (oxigraph server)")
        ]
        print(f"  {query.name:<28} {row[0]:>8.2f} {row[1]:>8.2f} {row[2]:>8.2f}")


if __name__ == "__main__":
    main()
