"""A bounded load test of `cpsu-kg serve` on the loopback: many clients at once while abusive queries run.

Builds the register into a temporary folder, starts `cpsu-kg serve` on 127.0.0.1 in a process of its own (the front
and the Oxigraph engine), then sends --requests requests from --threads threads: the stored queries in turn
(with their test parameters) and entity pages, while other threads keep sending abusive queries (SERVICE, deep
nesting: refused by the front; a cross join that runs into the timeout). Prints the latency of the ordinary
requests (median, p95, p99, max), the errors, and what the abusive ones got. Usage:
    python benchmarks/load.py [--requests 2000] [--threads 200] [--timeout 2] [--markdown]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import itertools
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.endpoint import free_port, percentile  # noqa: E402
from kg.build import build  # noqa: E402
from kg.paths import DATA_DIR  # noqa: E402
from kg.query import list_queries, substituted_text  # noqa: E402

ABUSIVE = {
    "SERVICE to another host": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "3,000 nested groups": "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000,
    "cross join past the timeout": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    # Oxigraph cannot stop this one before its first row: the front restarts the engine at the timeout
    "cross join still computing at the timeout": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}
ENTITIES = ("person/joseph-stalin", "tenure/general-secretary-1", "membership/politburo-joseph-stalin-1")


@dataclass(frozen=True)
class Request:
    """An HTTP/1.0 GET as raw bytes, for the address it goes to."""

    port: int
    raw: bytes


def ordinary_requests(port: int, count: int) -> list[Request]:
    """count requests: each stored query (as JSON results) and each entity page (as Turtle), in turn."""
    queries = [substituted_text(query, dict(query.defaults)) for query in list_queries()]
    answers = "application/sparql-results+json"
    paths = [(f"/query?{urllib.parse.urlencode({'query': text})}", answers) for text in queries]
    paths += [(f"/id/{entity}", "text/turtle") for entity in ENTITIES]
    kinds = [Request(port, f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode())
             for path, accept in paths]
    return [kinds[i % len(kinds)] for i in range(count)]


def fetch(request: Request) -> tuple[float, str | None]:
    """Milliseconds to the whole answer, and the error (None when the answer was 200 and complete).

    A plain socket, not urllib: the clients share the machine with the server, and urllib's machinery would
    spend more of its CPU than the server's own work on each request.
    """
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", request.port), timeout=60) as connection:
            connection.sendall(request.raw)
            answer = b"".join(iter(lambda: connection.recv(65536), b""))
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?im)^content-length: *(\d+)", head)
        if status != 200:
            error = f"HTTP {status}"
        elif length is not None and int(length.group(1)) != len(body):
            error = f"incomplete answer: {len(body)} of {int(length.group(1))} bytes"
        else:
            error = None
    except (OSError, ValueError, IndexError) as failure:
        error = str(failure) or type(failure).__name__
    return (time.perf_counter() - started) * 1000, error


def abuse(base: str, stop: threading.Event, outcomes: dict[str, set[str]], fresh: bool = False) -> None:
    """Send the abusive queries in turn until stop is set; record what each got.

    fresh: each time a text no client sent before (a comment with a new number), as an attacker would who knows
    that the endpoint remembers a text that ran long.
    """
    for round_number in itertools.count():
        if stop.is_set():
            return
        for name, text in ABUSIVE.items():
            if fresh:
                text += f"\n# {threading.get_ident()} {round_number}"
            request = urllib.request.Request(f"{base}query?{urllib.parse.urlencode({'query': text})}",
                                             headers={"Accept": "text/csv"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    body = response.read().decode("utf-8", errors="replace")
                    got = "cancelled at the timeout" if "cancelled" in body else f"HTTP {response.status}"
            except urllib.error.HTTPError as refused:
                got = "cancelled at the timeout, HTTP 503" if refused.code == 503 else (
                    f"refused, HTTP {refused.code}")
            except (urllib.error.URLError, OSError) as failure:
                got = f"error: {failure}"
            outcomes.setdefault(name, set()).add(got)


@contextlib.contextmanager
def serving(dist: Path, timeout_s: int) -> Iterator[str]:
    """`cpsu-kg serve` over dist/ in a process of its own, as users run it (the clients' threads here do not share
    its interpreter); its base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "kg", "serve", "--dist", str(dist), "--port", str(port), "--timeout",
               str(timeout_s)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parent.parent)
    try:
        announcement = process.stdout.readline()
        if not announcement.startswith("SPARQL endpoint"):
            raise SystemExit(f"cpsu-kg serve did not start: {announcement}{process.stderr.read()}")
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--abusers", type=int, default=3, help="threads sending abusive queries meanwhile")
    parser.add_argument("--fresh-texts", action="store_true",
                        help="the abusers make each query text new (defeats the endpoint's memory of long queries)")
    parser.add_argument("--timeout", type=int, default=2, help="the server's query timeout, seconds")
    parser.add_argument("--markdown", action="store_true", help="print a table for benchmarks/results.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dist = Path(scratch) / "dist"
        assert build(DATA_DIR, dist).succeeded
        with serving(dist, args.timeout) as url:
            stop, outcomes = threading.Event(), {}
            abusers = [threading.Thread(target=abuse, args=(url, stop, outcomes, args.fresh_texts))
                       for _ in range(args.abusers)]
            for thread in abusers:
                thread.start()
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
                port = int(url.rsplit(":", 1)[1].strip("/"))
                results = list(pool.map(fetch, ordinary_requests(port, args.requests)))
            wall = time.perf_counter() - started
            stop.set()
            for thread in abusers:
                thread.join()
    millis = [ms for ms, _ in results]
    errors = [error for _, error in results if error]
    figures = {
        "requests": len(results), "threads": args.threads, "errors": len(errors),
        "median ms": percentile(millis, 0.5), "p95 ms": percentile(millis, 0.95),
        "p99 ms": percentile(millis, 0.99), "max ms": max(millis), "requests/s": len(results) / wall,
    }
    if args.markdown:
        print("| " + " | ".join(figures) + " |\n|" + "---|" * len(figures))
        print("| " + " | ".join(f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" for v in figures.values()) + " |")
        print()
        for name, got in sorted(outcomes.items()):
            print(f"- {name}: {', '.join(sorted(got))}")
    else:
        for name, value in figures.items():
            print(f"{name:12} {value:,.1f}" if isinstance(value, float) else f"{name:12} {value:,}")
        for name, got in sorted(outcomes.items()):
            print(f"abusive: {name}: {', '.join(sorted(got))}")
        for error in sorted(set(errors))[:10]:
            print(f"error: {error}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
