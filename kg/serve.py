"""Serve stage: one port for a read-only SPARQL 1.1 endpoint, the query page and the entity pages of dist/.

The engine is the oxigraph server from PyPI, on a loopback port behind kg.front.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.cache import cache_dir, process_alive
from kg.errors import InputError
from kg.front import Front, FrontConfig

if TYPE_CHECKING:
    from kg.site import Writer

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


def served_dataset(dist: Path | None, data_dir: Path | None) -> Path:
    """What `serve` serves: the build in dist/ when given (or when ./dist has one), else the register of data_dir
    (the wheel's prebuilt graph or the cache's, see kg.query.register_file): no build is needed to serve."""
    if dist is not None or data_dir is None or (Path("dist") / DATASET_FILE).exists():
        return dataset_file(Path("dist") if dist is None else dist)
    from kg.query import register_file

    return register_file(data_dir)


def prepare_store(source: Path) -> Path:
    """An on-disk Oxigraph store loaded from a dataset (dist/cpsu.trig, or a register's N-Quads), made once per
    content.

    Each loader stages in a folder of its own, so two servers started at once cannot trip over each other; a store
    that a running server still reads is never removed (see `mark_in_use`).
    """
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


def remove_unused_stores(keep: Path) -> None:
    """Remove the stores of older builds that no running server reads (and the site folders earlier releases cached
    beside them), and the marks of servers that are gone."""
    for old in keep.parent.glob("store-*"):
        if ".in-use-" in old.name:
            if not process_alive(int(old.name.rsplit("-", 1)[1])):
                old.unlink(missing_ok=True)
            continue
        if old.is_dir() and old != keep and ".loading-" not in old.name and not any(
            process_alive(int(marker.name.rsplit("-", 1)[1])) for marker in _users(old)
        ):
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(old.with_name(old.name.replace("store-", "site-", 1)), ignore_errors=True)


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Engine:
    """The oxigraph server process behind the front, on a loopback port.

    Oxigraph's own --timeout-s ends a query that is streaming rows, but not one still computing its first row (a
    cross join under COUNT or ORDER BY runs on after the timeout and after its client has gone). The only way to
    stop that work is to end the process, so the front asks for a restart when a query runs over the timeout:
    a keeper thread ends the process and starts a new one on the same store and a fresh port (opening the
    store takes milliseconds). The keeper, not a request's thread, starts it: Linux ties a child's
    parent-death signal (see `end_with_parent`) to the thread that started it. idle: run at the lowest CPU
    priority (the slow lane's engine, see `end_with_parent_at_lowest_priority`).
    """

    def __init__(self, location: Path, timeout_s: int, log: Path, idle: bool = False) -> None:
        self.location, self.timeout_s, self.log, self.idle = location, timeout_s, log, idle
        self.generation = 0  # how many times the engine was (re)started
        self.restarts = 0
        self._changed = threading.Condition()
        self._restart_wanted = False
        self._stopping = False
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._keeper = threading.Thread(target=self._keep, name="cpsu-kg engine keeper", daemon=True)

    def launch(self) -> None:
        """Start the engine's process on a fresh loopback port.

        The process is stored the moment it exists: a Ctrl-C a moment later finds it, and `stop` ends it.
        """
        self.port = free_loopback_port()
        command = [
            oxigraph_binary(), "serve-read-only", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
            "--union-default-graph", "--timeout-s", str(self.timeout_s),
        ]  # fmt: skip
        in_child = end_with_parent_at_lowest_priority if self.idle else end_with_parent
        with self.log.open("a") as log_file:  # a file, not a pipe: a full pipe would block the server
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=in_child)

    def wait_until_ready(self) -> None:
        """Return when the engine answers; InputError when it stops or stays silent for READY_WITHIN_S."""
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise InputError(f"the oxigraph server stopped at start-up: {self.last_log_line()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.01)
        raise InputError(f"the oxigraph server did not answer within {READY_WITHIN_S:.0f} s")

    def start_keeper(self) -> None:
        """Start the thread that restarts the engine when asked."""
        self._keeper.start()

    def current(self) -> tuple[int, int]:
        """The port and generation of the engine to send a query to (waiting out a restart under way)."""
        with self._changed:
            self._changed.wait_for(lambda: not self._restart_wanted or self._stopping, timeout=READY_WITHIN_S)
            return self.port, self.generation

    def cancel(self, generation: int) -> None:
        """End the work of a query that ran over the timeout: restart the engine, unless that was done since."""
        with self._changed:
            if generation == self.generation and not self._stopping:
                self._restart_wanted = True
                self._changed.notify_all()

    def _keep(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._restart_wanted or self._stopping)
                if self._stopping:
                    return
                _end(self.process)
                self.launch()
            with contextlib.suppress(InputError):  # the process ended: `wait` reports it as a death
                self.wait_until_ready()
            with self._changed:
                self.generation += 1
                self.restarts += 1
                self._restart_wanted = False
                self._changed.notify_all()

    def exit_status(self) -> int | None:
        """The engine's exit status if it ended other than by a restart, else None (running, or being restarted).

        Never takes the lock: the main thread asks here, where Ctrl-C lands, and a KeyboardInterrupt raised while a
        thread holds a lock can leave the lock held (the keeper then blocked on it, serve hung on exit). Each field
        is read whole, and the order of the keeper's writes makes the check sound: a restart is wanted before the
        old process is ended, and the new process is in place before the wish is cleared.
        """
        process = self.process
        status = None if process is None else process.poll()
        if status is None or self._restart_wanted or self.process is not process:
            return None
        return status

    def stop(self) -> None:
        """Stop the keeper and the engine, and wait for the process to exit."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._keeper.is_alive() and self._keeper is not threading.current_thread():
            self._keeper.join(timeout=READY_WITHIN_S)
        if self.process is not None:
            _end(self.process)

    def last_log_line(self) -> str:
        """The last line the engine wrote, or "no message"."""
        lines = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        return lines[-1] if lines else "no message"


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    """A running endpoint: the engines (oxigraph's server on loopback ports: the fast lane and the slow lane) and
    the front where users connect."""

    engine: Engine
    host: str
    port: int
    in_use: Path | None = None
    front: Front | None = None
    dataset: Path | None = None  # what it serves: a build's TriG or a register's N-Quads
    slow_engine: Engine | None = None
    ended: Engine | None = None  # the engine that ended on its own, once one has

    @property
    def engines(self) -> list[Engine]:
        """The fast lane's engine, then the slow lane's if there is one."""
        return [self.engine] + ([self.slow_engine] if self.slow_engine is not None else [])

    @property
    def process(self) -> subprocess.Popen:
        """The fast lane engine's current process."""
        return self.engine.process

    @property
    def url(self) -> str:
        """The query UI (and base) address."""
        return f"http://{self.host}:{self.port}/"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint."""
        return f"{self.url}query"

    def wait(self) -> int:
        """Block until an engine ends on its own (a restart to cancel a query does not count); its exit status."""
        while True:
            for engine in self.engines:
                if (status := engine.exit_status()) is not None:
                    self.ended = engine
                    return status
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the front and the engines, and wait for their processes to exit."""
        if self.front is not None:
            self.front.close()
            self.front = None
        for engine in self.engines:
            engine.stop()
        if self.in_use is not None:
            self.in_use.unlink(missing_ok=True)

    def exit_message(self) -> str:
        """Why the server process ended on its own: its exit status and the last line of its log."""
        engine = self.ended or self.engine
        lane = "slow lane " if engine is self.slow_engine else ""
        return (f"the {lane}oxigraph server stopped (exit status {engine.process.returncode}): "
                f"{engine.last_log_line()}")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(
    dist: Path | str | None = "dist",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    cors: bool = False,
    data_dir: Path | None = None,
) -> Server:
    """Start a read-only SPARQL endpoint over dist/ (named graphs, union as default graph); return when it answers.

    dist None: the build in ./dist if there is one, else the register of data_dir (see `served_dataset`).
    cors: send the CORS headers, so that a notebook or a query editor in a browser on another origin can use it.
    """
    if not 1 <= port <= 65535:
        raise InputError(f"--port expects a number from 1 to 65535, got {port}")
    if timeout_s < 1:
        raise InputError(f"--timeout expects a whole number of seconds from 1, got {timeout_s}")
    source = served_dataset(None if dist is None else Path(dist), data_dir)
    location = prepare_store(source)
    if not port_is_free(host, port):
        raise InputError(f"port {port} on {host} is already in use; choose another with --port")
    site = site_pages(source)
    log = location.parent / f"server-{port}.log"
    slow_log = location.parent / f"server-{port}-slow-lane.log"
    for file in (log, slow_log):
        file.write_text("")
    server = Server(Engine(location, timeout_s, log), host, port, mark_in_use(location, os.getpid()), dataset=source,
                    slow_engine=Engine(location, timeout_s, slow_log, idle=True))
    try:
        config = FrontConfig(server.engine, site, query_page(), cors, timeout_s, slow_lane=server.slow_engine)
        try:  # bound first: an engine's loopback port, picked by the system, can never be the front's then
            server.front = Front((host, port), config)
        except OSError as error:  # the port was taken between the check and the bind
            raise InputError(f"port {port} on {host} is already in use; choose another with --port") from error
        for engine in server.engines:  # each process belongs to `server` from its first moment: stop() ends it
            engine.launch()
        for engine in server.engines:
            engine.wait_until_ready()
            engine.start_keeper()
        server.front.start()
    except BaseException:  # Ctrl-C during start-up included: no server is left behind
        server.stop()
        raise
    return server


def end_with_parent() -> None:
    """In the child, before it runs the engine: ask Linux to send it SIGTERM when cpsu-kg dies, even by kill -9
    (prctl PR_SET_PDEATHSIG); elsewhere nothing, and the engine outlives a killed parent."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def end_with_parent_at_lowest_priority() -> None:
    """`end_with_parent`, and the lowest CPU priority: Linux's SCHED_IDLE where there is one (the process runs only
    on a core nothing else wants: a heavy query on the slow lane no longer slows the front or the fast lane), else
    nice 19."""
    end_with_parent()
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(19)


def free_loopback_port() -> int:
    """A port nothing listens on at 127.0.0.1, for the engine behind the front."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_pages(source: Path) -> dict[str, Writer]:
    """The static site of a dataset (entity pages and descriptions, as `cpsu-kg site` writes them), each page made
    when a client asks for it; a build's site publishes the dumps beside the dataset, a register's has none."""
    from kg.site import site_files

    store = pyoxigraph.Store()
    store.load(path=str(source), format=pyoxigraph.RdfFormat.from_extension(source.suffix.lstrip(".")))
    return site_files(store, source.parent if source.name == DATASET_FILE else None)


def without_decorators(text: str) -> str:
    """A stored query without its grlc decorator lines (#+ …), as a person reads it."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+"))


def query_page() -> bytes:
    """The page at /: YASGUI (served by the engine, so it works offline) titled cpsu-kg, opening on a real
    question, with every stored query (its parameters set to their defaults) offered as a ready example."""
    from kg.query import get_query, list_queries, substituted_text

    examples = [
        {"name": q.name, "summary": q.summary, "query": without_decorators(substituted_text(q, dict(q.defaults)))}
        for q in list_queries()
    ]
    opening = without_decorators(substituted_text(get_query("who-led-on"), {"date": "1953-06-01"}))
    data = json.dumps({"examples": examples, "opening": opening}, ensure_ascii=False).replace("</", "<\\/")
    items = "".join(f'<li><a href="#" data-query="{i}" title="{html.escape(q["summary"])}">{html.escape(q["name"])}</a>'
                    f"</li>" for i, q in enumerate(examples))
    return QUERY_PAGE.replace("@ITEMS@", items).replace("@DATA@", data).encode("utf-8")


QUERY_PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cpsu-kg: SPARQL</title>
<link href="./yasgui.min.css" rel="stylesheet" type="text/css"><script src="./yasgui.min.js"></script>
<style>body{font-family:system-ui,sans-serif;margin:0;display:flex}nav{width:16rem;padding:1rem;font-size:.9rem}
main{flex:1;min-width:0}nav li{margin:.2rem 0}</style></head>
<body><nav><h1>cpsu-kg</h1><p>The leadership of the CPSU, 1917–1991, as a SPARQL endpoint (read-only).
Entity pages: <a href="index.html">all kinds</a>.</p><h2>Stored queries</h2><ul>@ITEMS@</ul></nav>
<main><div id="yasgui"></div></main>
<script>
const data = @DATA@;
const base = window.location.href.replace(/[?#].*$/, "").replace(/\/$/, "");
const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: base + "/query" }, persistenceId: null, copyEndpointOnNewTab: true,
  yasqe: { value: data.opening } });
document.querySelectorAll("nav a[data-query]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    event.preventDefault();
    yasgui.getTab().setQuery(data.examples[Number(link.dataset.query)].query);
  });
});
</script></body></html>
"""
