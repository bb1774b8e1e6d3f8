"""Serve stage: a read-only SPARQL 1.1 endpoint (the oxigraph server from PyPI) over the graphs built in dist/."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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
    """An on-disk Oxigraph store loaded from dist/cpsu.trig, rebuilt only when that file has changed.

    Each loader stages in a folder of its own, so two servers started at once cannot trip over each other; a store
    that a running server still reads is never removed (see `mark_in_use`).
    """
    source = dataset_file(dist)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]
    location = cache_dir() / f"store-{digest}"
    if location.exists():
        return location
    location.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{location.name}.loading-", dir=location.parent))
    try:
        loaded = subprocess.run(
            [oxigraph_binary(), "load", "--location", str(staging), "--file", str(source)], capture_output=True,
            text=True,
        )
        if loaded.returncode != 0:
            raise InputError(f"oxigraph could not load {source}: {loaded.stderr.strip()}")
        try:
            staging.rename(location)
        except OSError:
            if not location.exists():  # another server loaded the same file first: use its store
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    remove_unused_stores(location)
    return location


def _users(store: Path) -> list[Path]:
    return list(store.parent.glob(f"{store.name}.in-use-*"))


def mark_in_use(store: Path, pid: int) -> Path:
    """Note that the process pid serves from store (a file beside it), so that no other start removes it."""
    marker = store.with_name(f"{store.name}.in-use-{pid}")
    marker.touch()
    return marker


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_unused_stores(keep: Path) -> None:
    """Remove the stores of older builds that no running server reads (and the marks of servers that are gone)."""
    for old in keep.parent.glob("store-*"):
        if ".in-use-" in old.name:
            if not _alive(int(old.name.rsplit("-", 1)[1])):
                old.unlink(missing_ok=True)
            continue
        if old.is_dir() and old != keep and ".loading-" not in old.name and not any(
            _alive(int(marker.name.rsplit("-", 1)[1])) for marker in _users(old)
        ):
            shutil.rmtree(old, ignore_errors=True)


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
    in_use: Path | None = None

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
        if self.in_use is not None:
            self.in_use.unlink(missing_ok=True)

    def exit_message(self) -> str:
        """Why the server process ended on its own: its exit status and the last line of its log."""
        lines = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        last = lines[-1] if lines else "no message"
        return f"the oxigraph server stopped (exit status {self.process.returncode}): {last}"

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
    dist: Path | str = "dist",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    cors: bool = False,
) -> Server:
    """Start a read-only SPARQL endpoint over dist/ (named graphs, union as default graph); return when it answers.

    cors: send the CORS headers, so that a notebook or a query editor in a browser on another origin can use it.
    """
    if not 1 <= port <= 65535:
        raise InputError(f"--port expects a number from 1 to 65535, got {port}")
    if timeout_s < 1:
        raise InputError(f"--timeout expects a whole number of seconds from 1, got {timeout_s}")
    location = prepare_store(Path(dist))
    if not port_is_free(host, port):
        raise InputError(f"port {port} on {host} is already in use; choose another with --port")
    command = [
        oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}",
        "--union-default-graph", "--timeout-s", str(timeout_s), *(["--cors"] if cors else []),
    ]  # fmt: skip
    log = location.parent / f"server-{port}.log"
    with log.open("w") as log_file:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(process, host, port, log, mark_in_use(location, process.pid))
    try:
        _wait_until_ready(server)
    except BaseException:  # Ctrl-C during start-up included: no server is left behind
        server.stop()
        raise
    return server
