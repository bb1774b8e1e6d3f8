"""Serve stage: a read-only SPARQL 1.1 endpoint (the oxigraph server from PyPI) over the graphs built in dist/."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.cache import cache_dir
from kg.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
DATASET_FILE = "cpsu.trig"
READY_WITHIN_S = 30.0


def oxigraph_binary() -> str:
    """The oxigraph executable: the one installed beside this Python, else the first on PATH."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("oxigraph")
    if found is None:
        raise InputError("the oxigraph server is not installed; `pip install oxigraph` (a dependency of cpsu-kg)")
    return found


def dataset_file(dist: Path) -> Path:
    """The TriG file of the build (asserted and inferred named graphs), or a clear error when there is none."""
    path = Path(dist) / DATASET_FILE
    if not path.exists():
        raise InputError(f"{dist}/ has no {DATASET_FILE}: run `cpsu-kg build` first")
    return path


def prepare_store(dist: Path) -> Path:
    """An on-disk Oxigraph store loaded from dist/cpsu.trig, rebuilt only when that file has changed."""
    source = dataset_file(dist)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]
    location = cache_dir() / f"store-{digest}"
    if location.exists():
        return location
    location.parent.mkdir(parents=True, exist_ok=True)
    staging = location.with_name(f"{location.name}.loading")
    shutil.rmtree(staging, ignore_errors=True)
    loaded = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(staging), "--file", str(source)], capture_output=True, text=True
    )
    if loaded.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"oxigraph could not load {source}: {loaded.stderr.strip()}")
    staging.rename(location)
    for old in location.parent.glob("store-*"):
        if old != location:
            shutil.rmtree(old, ignore_errors=True)
    return location


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class Server:
    """A running oxigraph server process and where it answers."""

    process: subprocess.Popen
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The query UI (and base) address."""
        return f"http://{self.host}:{self.port}/"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint."""
        return f"{self.url}query"

    def stop(self) -> None:
        """Stop the server process and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            error = server.log.read_text(errors="replace").strip().splitlines()
            raise InputError(f"the oxigraph server stopped at start-up: {error[-1] if error else 'no message'}")
        try:
            with urllib.request.urlopen(f"{server.query_url}?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    server.stop()
    raise InputError(f"the oxigraph server did not answer within {READY_WITHIN_S:.0f} s")


def start_server(
    dist: Path | str = "dist", host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout_s: int = DEFAULT_TIMEOUT_S
) -> Server:
    """Start a read-only SPARQL endpoint over dist/ (named graphs, union as default graph); return when it answers."""
    if not 1 <= port <= 65535:
        raise InputError(f"--port expects a number from 1 to 65535, got {port}")
    if timeout_s < 1:
        raise InputError(f"--timeout expects a whole number of seconds from 1, got {timeout_s}")
    location = prepare_store(Path(dist))
    if not port_is_free(host, port):
        raise InputError(f"port {port} on {host} is already in use; choose another with --port")
    command = [
        oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}",
        "--union-default-graph", "--timeout-s", str(timeout_s),
    ]  # fmt: skip
    log = location.parent / f"server-{port}.log"
    with log.open("w") as log_file:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(process, host, port, log)
    _wait_until_ready(server)
    return server
