"""Stage by stage at growing sizes: the project's pipeline against the naive rdflib/owlrl/pyshacl reference.

    python benchmarks/run.py [--sizes 1000,10000,100000,1000000] [--repeat 3] [--limit-s 300] [--seed 1]
                             [--setup-limit-s 600] [--mem-limit-gb 16] [--naive-inference none|rdfs]
                             [--out benchmarks/results.md] [--json FILE] [--work DIR] [--render-only FILE]

For each size it writes a synthetic register with benchmarks/generate.py, then times every stage in a fresh
process per run (multiprocessing, spawn): first the setup the stage needs (loading the graph, warming the
reasoning cache), untimed, then the stage itself. The median of --repeat runs is reported with the peak memory
(maximum resident set) of the run's process, setup included. A run whose stage takes longer than --limit-s
(or whose setup takes longer than --setup-limit-s, or which grows past --mem-limit-gb) is killed with its
process group and reported as "> limit"; a row that went over the limit once is not repeated.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import math
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHMARKS = Path(__file__).resolve().parent
GENERATOR = BENCHMARKS / "generate.py"
DEFAULT_SIZES = (1000, 10000, 100000, 1000000)
LIBRARIES = ("rdflib", "pyshacl", "owlrl", "pyoxigraph", "oxigraph", "PyLD", "PyYAML")
POLL_S = 0.2
LIMIT, SETUP_LIMIT, MEMORY, ERROR, OK = "> limit", "> setup limit", "> memory", "error", "ok"
VALIDATION_PLACEHOLDER = "(not validated: export benchmark)\n"

Context = dict  # what a stage's setup gets: data file, scratch folder, options, and report(key, value)
State = dict  # what a stage's setup hands to its measurement


# ---------------------------------------------------------------- stages: setups (untimed)


def warm_up() -> None:
    """Import what the stages use and load rdflib's plugins, so no stage pays a fresh process's start-up costs."""
    import owlrl  # noqa: F401
    import pyoxigraph  # noqa: F401
    import pyshacl  # noqa: F401
    from pyld import jsonld  # noqa: F401
    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    import kg.export  # noqa: F401
    import kg.query  # noqa: F401
    import kg.reason  # noqa: F401
    import kg.serve  # noqa: F401
    import kg.validate  # noqa: F401

    tiny = Graph().parse(data="<http://example.org/a> <http://example.org/b> 'c' .", format="turtle")
    for fmt in ("nt", "turtle", "json-ld", "trig"):
        tiny.serialize(format=fmt)
    prepareQuery("SELECT * WHERE { ?s ?p ?o FILTER (?o != 1) }")
    tiny.query("ASK { ?s ?p ?o }")


def plain_graph(context: Context) -> State:
    """The ontology and the data parsed by plain rdflib, as the naive reference loads them."""
    from rdflib import Graph

    from kg.paths import ONTOLOGY_FILES

    graph = Graph()
    for path in [*ONTOLOGY_FILES, Path(context["data"])]:
        graph.parse(path, format="turtle")
    return {**context, "graph": graph}


def project_register(context: Context) -> State:
    """The ontology and the data read by kg.load into the register's Oxigraph store."""
    from kg.load import register_of_files

    return {**context, "register": register_of_files([Path(context["data"])])}


def reasoned_register(context: Context) -> State:
    """The project's register with its inferences from the reasoning cache (computed first if the cache is cold)."""
    from kg.reason import reason_register

    state = project_register(context)
    reason_register(state["register"], use_cache=True)
    return state


def nothing(context: Context) -> State:
    """No setup: the stage starts from the file."""
    return dict(context)


def naive_shapes(context: Context) -> State:
    """The plain graph and the shapes, for pyshacl on its own."""
    from rdflib import Graph

    from kg.paths import SHAPES_FILE

    return {**plain_graph(context), "shapes": Graph().parse(SHAPES_FILE, format="turtle")}


def queryable(context: Context) -> State:
    """The reasoned register and the stored queries, as `cpsu-kg query` sees them."""
    from kg.query import list_queries

    return {**reasoned_register(context), "queries": list_queries()}


def rdflib_queryable(context: Context) -> State:
    """The same as one rdflib graph, for the reference engine (its build time is reported on the side)."""
    from kg.terms import graph_of

    state = queryable(context)
    started = time.perf_counter()
    state["graph"] = graph_of(state["register"].store.quads_for_pattern(None, None, None))
    context["report"]("graph build", time.perf_counter() - started)
    return state


def exported(context: Context) -> State:
    """A dist/ written by kg.export, and a fresh cache folder so the endpoint store is built, not reused."""
    from kg.export import export

    state = reasoned_register(context)
    dist = Path(tempfile.mkdtemp(prefix="dist-", dir=context["scratch"]))
    export(state["register"], dist / "dist", VALIDATION_PLACEHOLDER)
    os.environ["CPSU_KG_CACHE"] = tempfile.mkdtemp(prefix="store-cache-", dir=context["scratch"])
    return {**state, "dist": dist / "dist"}


def shuffled_lines(context: Context) -> State:
    """The generated register's N-Triples lines in a fixed random order: what the machine's yardsticks work on."""
    import pyoxigraph

    triples = pyoxigraph.parse(path=context["data"], format=pyoxigraph.RdfFormat.TURTLE)
    lines = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode().splitlines()
    random.Random(1).shuffle(lines)
    return {**context, "lines": lines}


# ---------------------------------------------------------------- stages: measurements (timed)


def data_folder(context: Context) -> State:
    """A folder holding only the generated register, and an empty cache: what a cold `cpsu-kg build` sees."""
    folder = Path(tempfile.mkdtemp(prefix="data-", dir=context["scratch"]))
    (folder / "register.ttl").symlink_to(Path(context["data"]).resolve())
    os.environ["CPSU_KG_CACHE"] = tempfile.mkdtemp(prefix="build-cache-", dir=context["scratch"])
    return {**context, "folder": folder}


def load_project(state: State) -> None:
    """kg.load.register_of_files: the ontology and the data parsed into the register's Oxigraph store."""
    project_register(state)


def load_naive(state: State) -> None:
    """Plain rdflib parse of the ontology and the data."""
    plain_graph(state)


def build_project(state: State) -> None:
    """kg.build.build from the files, cold: load, validate, reason, check and export (as `cpsu-kg build`)."""
    from kg.build import build

    result = build(state["folder"], Path(state["folder"]) / "dist")
    state["report"]("violations", len(result.report.violations) if result.report else 0)


def build_naive(state: State) -> None:
    """The naive pipeline on the same files: rdflib parse, pyshacl, owlrl's closure, rdflib JSON-LD and Turtle."""
    validate_naive(naive_shapes(state))
    reasoned = plain_graph(state)
    reason_naive(reasoned)
    export_naive(reasoned)


def validate_project(state: State) -> None:
    """kg.validate.validate of the register (pyshacl-turbo, fed the files as Oxigraph parses them)."""
    from kg.validate import validate

    state["report"]("violations", len(validate(state["register"]).violations))


def validate_naive(state: State) -> None:
    """pyshacl.validate as its documentation shows it."""
    import pyshacl
    from rdflib import Namespace

    _, report, _ = pyshacl.validate(state["graph"], shacl_graph=state["shapes"], inference=state["inference"])
    violation = Namespace("http://www.w3.org/ns/shacl#").Violation
    state["report"]("violations", len(set(report.subjects(None, violation))))


def reason_project(state: State) -> None:
    """kg.reason.reason_register without the cache (reasonable and the rules it skips or gets wrong)."""
    from kg.reason import reason_register

    reason_register(state["register"], use_cache=False)
    state["report"]("inferred", len(state["register"].inferred_quads()))


def reason_project_cached(state: State) -> None:
    """kg.reason.reason_register with a warm cache (the reasoning input hashed, the cached closure loaded)."""
    from kg.reason import reason_register

    reason_register(state["register"], use_cache=True)


def reason_naive(state: State) -> None:
    """owlrl's OWL 2 RL closure over the whole graph, in place."""
    import owlrl

    before = len(state["graph"])
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(state["graph"])
    state["report"]("inferred", len(state["graph"]) - before)


def timed_queries(state: State, run: Callable[[object], object]) -> None:
    """Run every stored query once with its #+ defaults, reporting each one's seconds as it finishes."""
    for query in state["queries"]:
        started = time.perf_counter()
        run(query)
        state["report"](f"query {query.name}", time.perf_counter() - started)


def query_rdflib(state: State) -> None:
    """Every stored query through kg.query.run on an rdflib graph (the reference engine)."""
    from kg.query import run

    timed_queries(state, lambda query: run(query, state["graph"], dict(query.defaults)))


def query_oxigraph(state: State) -> None:
    """Every stored query through kg.query.run on the register's Oxigraph store."""
    from kg.query import run

    timed_queries(state, lambda query: run(query, state["register"].store, dict(query.defaults)))


def export_project(state: State) -> None:
    """kg.export.export of the reasoned register into a temporary folder (every dump and void.ttl)."""
    from kg.export import export

    out = Path(tempfile.mkdtemp(prefix="export-", dir=state["scratch"]))
    export(state["register"], out / "dist", VALIDATION_PLACEHOLDER)


def export_naive(state: State) -> None:
    """rdflib's own JSON-LD and Turtle serialisations of the graph."""
    out = Path(tempfile.mkdtemp(prefix="naive-export-", dir=state["scratch"]))
    state["graph"].serialize(out / "graph.jsonld", format="json-ld", encoding="utf-8")
    state["graph"].serialize(out / "graph.ttl", format="turtle", encoding="utf-8")


def endpoint_project(state: State) -> None:
    """kg.serve.prepare_store: the on-disk Oxigraph store the endpoint serves, loaded from dist/cpsu.trig."""
    from kg.serve import dataset_file, prepare_store

    prepare_store(dataset_file(state["dist"]))


def sort_lines(state: State) -> None:
    """Python's sort of the shuffled lines: a comparison sort, n log n steps."""
    state["report"]("items", len(sorted(state["lines"])))


def set_of_lines(state: State) -> None:
    """A set of the shuffled lines: a hash table, linear in the number of lines."""
    state["report"]("items", len(set(state["lines"])))


@dataclass(frozen=True)
class Row:
    """One measured row: a stage, which side (project or reference), what runs, its setup and measurement."""

    key: str
    side: str
    what: str
    setup: Callable[[Context], State]
    measure: Callable[[State], None]


ROWS = (
    Row("build/project", "project", "`kg.build.build` (cold cache)", data_folder, build_project),
    Row("build/naive", "naive", "rdflib + pyshacl + owlrl + rdflib serialize", nothing, build_naive),
    Row("load/project", "project", "`kg.load.register_of_files`", nothing, load_project),
    Row("load/naive", "naive", "`rdflib.Graph.parse`", nothing, load_naive),
    Row("validate/project", "project", "`kg.validate.validate` (pyshacl-turbo)", project_register, validate_project),
    Row("validate/naive", "naive", "`pyshacl.validate(inference=…)`", naive_shapes, validate_naive),
    Row("reason/project", "project", "`kg.reason.reason_register(use_cache=False)`", project_register, reason_project),
    Row("reason/naive", "naive", "owlrl `DeductiveClosure(OWLRL_Semantics).expand`", plain_graph, reason_naive),
    Row("reason-cached/project", "project", "`kg.reason.reason_register` (warm cache)", reasoned_register,
        reason_project_cached),
    Row("query/rdflib", "project", "`kg.query.run` (rdflib), every stored query", rdflib_queryable, query_rdflib),
    Row("query/oxigraph", "project", "`kg.query.run` (Oxigraph), every stored query", queryable, query_oxigraph),
    Row("export/project", "project", "`kg.export.export`", reasoned_register, export_project),
    Row("export/naive", "naive", "rdflib `serialize` JSON-LD + Turtle", plain_graph, export_naive),
    Row("endpoint/project", "project", "`kg.serve.prepare_store` (oxigraph load)", exported, endpoint_project),
    # The machine's own growth: how an n log n and a linear algorithm read here, for the growth table
    Row("yardstick/sort", "machine", "`sorted` of the register's N-Triples lines, shuffled", shuffled_lines,
        sort_lines),
    Row("yardstick/set", "machine", "`set` of the same lines", shuffled_lines, set_of_lines),
)
STAGE_NAMES = tuple(dict.fromkeys(row.key.split("/")[0] for row in ROWS))

# values rows report beside their time, shown under their tables: counts (a check that both sides did the same
# work) and seconds measured on the side
COUNTS = {
    "build/project": "violations",
    "validate/project": "violations",
    "validate/naive": "violations",
    "reason/project": "inferred",
    "reason/naive": "inferred",
    "query/rdflib": "graph build",
    "yardstick/sort": "items",
}

# (title, first row, second row or None, what the ratio compares, a note)
TABLES = (
    ("full build", "build/project", "build/naive", "naive / project",
     "The whole pipeline from the files, each side in one process: the project's `cpsu-kg build` with an empty "
     "cache (one Oxigraph store from load to export), against plain rdflib parse, "
     "pyshacl, owlrl's closure and rdflib's JSON-LD and Turtle serialisations run one after the other."),
    ("load", "load/project", "load/naive", "naive / project", ""),
    ("validate", "validate/project", "validate/naive", "naive / project",
     "The project runs pyshacl-turbo (SHACL in Rust), fed the files as Oxigraph parses them; pyshacl is the "
     "reference, as its documentation shows it."),
    ("reason, no cache", "reason/project", "reason/naive", "naive / project",
     "The project feeds `reasonable` (plus the OWL 2 RL rules it skips or gets wrong) only the triples that can "
     "fire a rule and drops owlrl's noise."),
    ("reason, warm cache", "reason-cached/project", "reason/naive", "naive / project",
     "Naive row: the same owlrl measurement as above (owlrl has no cache)."),
    ("stored queries", "query/oxigraph", "query/rdflib", "rdflib / pyoxigraph",
     "Both rows are the project's: the sum over every stored query (queries/*.rq, #+ defaults) on each engine; "
     "the queries run on the register's own store; the rdflib graph is made from it in the untimed setup "
     "(its time on the last line)."),
    ("export", "export/project", "export/naive", "naive / project",
     "Not the same work: the project writes seven canonical files (Turtle, N-Triples, full N-Triples, JSON-LD "
     "written for the project's context, inferred Turtle, TriG, VoID); the naive row only rdflib's JSON-LD and "
     "Turtle of the asserted graph."),
    ("endpoint load", "endpoint/project", None, "", "No naive counterpart."),
    ("the machine's yardsticks", "yardstick/sort", "yardstick/set", "set / sort",
     "Not the project's code: Python's own sort (n log n comparisons) and set (a hash table, linear) of the "
     "register's N-Triples lines in a fixed random order, each size in a fresh process like the stages. "
     "Their growth (below) is how an n log n and a linear algorithm read on this machine at these sizes."),
)  # fmt: skip


# ---------------------------------------------------------------- running one row in a child process


@dataclass
class Outcome:
    """What one run of a row gave: status, the stage's seconds, peak memory, and extra values it reported."""

    status: str
    seconds: float | None = None
    peak_kb: int = 0
    cpu_seconds: float | None = None  # user + system time of the run's process and the children it waited for
    load: float | None = None  # the machine's 1-minute load average when the run started
    extras: dict[str, float] = field(default_factory=dict)
    detail: str = ""


def peak_rss_kb() -> int:
    """The peak resident set of this process and of the children it waited for, in KiB (Linux ru_maxrss)."""
    import resource

    return max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of the children it waited for."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(conn: Connection, setup: Callable, measure: Callable, context: Context, env: dict[str, str]) -> None:
    """The child process of one run: set up, say so, time the measurement (wall and CPU), send the result."""
    os.setpgrp()  # its own process group, so a kill also reaches what it starts (the oxigraph loader)
    os.environ.update(env)
    context = {**context, "report": lambda key, value: conn.send(("extra", key, float(value)))}
    try:
        warm_up()
        state = setup(context)
        conn.send(("ready",))
        started, cpu_started = time.perf_counter(), cpu_seconds()
        measure(state)
        conn.send(("done", time.perf_counter() - started, peak_rss_kb(), cpu_seconds() - cpu_started))
    except BaseException as error:  # everything goes back to the parent as the row's error
        conn.send(("error", f"{type(error).__name__}: {error}"[:300], peak_rss_kb()))


def proc_kb(path: str, name: str) -> int:
    """A 'Name: N kB' figure of a /proc file (VmHWM of /proc/PID/status, MemTotal of /proc/meminfo); 0 if none."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def kill_group(process: multiprocessing.process.BaseProcess) -> None:
    """Kill a child and its process group (it made itself a group leader), then reap it."""
    if process.pid is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
    process.join(timeout=10)


@dataclass
class Watch:
    """The parent's view of a running child: the phase, its deadline and what it reported so far."""

    deadline: float
    phase: str = "setup"
    peak_kb: int = 0
    extras: dict[str, float] = field(default_factory=dict)


def handle(message: tuple, watch: Watch, limit_s: float) -> Outcome | None:
    """Act on one message from the child; return the run's outcome once it is known."""
    kind = message[0]
    if kind == "extra":
        watch.extras[message[1]] = message[2]
    elif kind == "ready":
        watch.phase, watch.deadline = "measure", time.monotonic() + limit_s
    elif kind == "done":
        return Outcome(OK, message[1], max(message[2], watch.peak_kb), message[3], extras=watch.extras)
    elif kind == "error":
        return Outcome(ERROR, None, max(message[2], watch.peak_kb), extras=watch.extras, detail=message[1])
    return None


def over_bounds(pid: int, watch: Watch, mem_limit_kb: int) -> Outcome | None:
    """The outcome of a child that passed its deadline or its memory bound; None while it is within both."""
    watch.peak_kb = max(watch.peak_kb, proc_kb(f"/proc/{pid}/status", "VmHWM"))
    if time.monotonic() > watch.deadline:
        status = LIMIT if watch.phase == "measure" else SETUP_LIMIT
        return Outcome(status, None, watch.peak_kb, extras=watch.extras, detail=f"killed in {watch.phase}")
    if mem_limit_kb and proc_kb(f"/proc/{pid}/status", "VmRSS") > mem_limit_kb:
        return Outcome(MEMORY, None, watch.peak_kb, extras=watch.extras, detail=f"killed in {watch.phase}")
    return None


def run_row(
    setup: Callable[[Context], State],
    measure: Callable[[State], None],
    context: Context,
    limit_s: float,
    setup_limit_s: float,
    env: dict[str, str] | None = None,
    mem_limit_kb: int = 0,
) -> Outcome:
    """Run setup then measure in a fresh process; kill it when a phase outlasts its limit (or memory grows too far).

    The outcome carries the machine's 1-minute load average at the start: on a shared machine it says how much
    else was running.
    """
    load = os.getloadavg()[0]
    outcome = _run_child(setup, measure, context, limit_s, setup_limit_s, env, mem_limit_kb)
    outcome.load = load
    return outcome


def _run_child(
    setup: Callable[[Context], State],
    measure: Callable[[State], None],
    context: Context,
    limit_s: float,
    setup_limit_s: float,
    env: dict[str, str] | None,
    mem_limit_kb: int,
) -> Outcome:
    spawn = multiprocessing.get_context("spawn")
    receiver, sender = spawn.Pipe(duplex=False)
    # not daemonic: a build forks its JSON-LD writer; kill_group stops the child's whole process group anyway
    process = spawn.Process(target=child, args=(sender, setup, measure, context, env or {}), daemon=False)
    process.start()
    sender.close()
    watch = Watch(deadline=time.monotonic() + setup_limit_s)
    assert process.pid is not None
    try:
        while True:
            outcome = None
            if receiver.poll(POLL_S):
                try:
                    outcome = handle(receiver.recv(), watch, limit_s)
                except EOFError:  # the child died without a word (killed by the system, a crash)
                    process.join(timeout=5)
                    detail = f"child exited with code {process.exitcode}"
                    outcome = Outcome(ERROR, None, watch.peak_kb, extras=watch.extras, detail=detail)
            else:
                outcome = over_bounds(process.pid, watch, mem_limit_kb)
            if outcome is not None:
                return outcome
    finally:
        if process.is_alive():
            kill_group(process)
        else:
            process.join()
        receiver.close()


# ---------------------------------------------------------------- the whole run


@dataclass
class Options:
    """The run's settings."""

    sizes: list[int]
    repeat: list[int]  # per size
    limit_s: float
    setup_limit_s: float
    mem_limit_kb: int
    seed: int
    naive_inference: str
    work: Path
    build_limit_s: float = 0.0  # the full-build rows' limit (0: limit_s)
    rows: tuple[str, ...] = ()  # the stages to run (build, load, ...; empty: all)


def selected_rows(stages: Iterable[str]) -> list[Row]:
    """The rows of the given stages (the part of a row's key before the slash), or every row."""
    wanted = set(stages)
    unknown = wanted - set(STAGE_NAMES)
    if unknown:
        raise SystemExit(f"--rows expects stages among {', '.join(STAGE_NAMES)}; got {', '.join(sorted(unknown))}")
    return [row for row in ROWS if not wanted or row.key.split("/")[0] in wanted]


def row_limit_s(options: dict, key: str) -> float:
    """A row's time limit: --build-limit-s for the full-build rows, --limit-s for the others."""
    if key.startswith("build/") and options.get("build_limit_s"):
        return options["build_limit_s"]
    return options["limit_s"]


class Progress:
    """A progress bar on stderr: tqdm when it is installed, else one rewritten line of text."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="run", dynamic_ncols=True)
        except ImportError:
            self.bar = None

    def describe(self, text: str) -> None:
        """Say what runs now."""
        if self.bar is not None:
            self.bar.set_description(text)
        else:
            elapsed = time.monotonic() - self.started
            print(f"\r[{self.done}/{self.total}] {elapsed:6.0f} s  {text:<60}", end="", file=sys.stderr, flush=True)

    def advance(self, steps: int = 1) -> None:
        """Count finished runs (skipped repeats count too)."""
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)

    def close(self) -> None:
        """End the bar."""
        if self.bar is not None:
            self.bar.close()
        else:
            print(file=sys.stderr)


def generated_file(size: int, seed: int, work: Path) -> tuple[Path, int]:
    """The synthetic register of a size (made once per size, seed and generator version) and its triple count."""
    version = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    path = work / f"synthetic-{size}-seed{seed}-{version}.ttl"
    counts = path.with_suffix(".json")
    if not path.exists() or not counts.exists():
        command = [sys.executable, str(GENERATOR), "--triples", str(size), "--seed", str(seed), "-o", str(path)]
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
        match = re.search(r"(\d+) triples", finished.stderr)
        assert match is not None, finished.stderr
        triples = int(match.group(1))
        counts.write_text(json.dumps({"triples": triples, "summary": finished.stderr.strip()}))
    return path, json.loads(counts.read_text())["triples"]


def run_size(size: int, repeat: int, options: Options, progress: Progress) -> dict:
    """Every row at one size: {"triples": n, "rows": {key: [outcome, ...]}}."""
    progress.describe(f"{size:,}: generating")
    data, triples = generated_file(size, options.seed, options.work)
    scratch = Path(tempfile.mkdtemp(prefix=f"size-{size}-", dir=options.work))
    env = {"CPSU_KG_CACHE": str(scratch / "cache")}
    context = {"data": str(data), "scratch": str(scratch), "inference": options.naive_inference}
    rows: dict[str, list[dict]] = {}
    settings = asdict(options)
    chosen = selected_rows(options.rows)
    for stage in dict.fromkeys(row.key.split("/")[0] for row in chosen):
        # A/B: the stage's rows take turns (project, reference, project, ...), so drift of a shared machine
        # reaches both sides alike instead of going straight into their ratio
        stage_rows = [row for row in chosen if row.key.split("/")[0] == stage]
        for attempt in range(repeat):
            for row in stage_rows:
                outcomes = rows.setdefault(row.key, [])
                if outcomes and outcomes[-1]["status"] != OK:  # over a limit or failed: the next repeats would too
                    progress.advance()
                    continue
                progress.describe(f"{size:,}: {row.key} ({attempt + 1}/{repeat})")
                limit_s = row_limit_s(settings, row.key)
                outcome = run_row(
                    row.setup, row.measure, context, limit_s, options.setup_limit_s, env, options.mem_limit_kb
                )
                outcomes.append(asdict(outcome))
                progress.advance()
    return {"triples": triples, "rows": rows}


# The real register from the command line, as a user runs it: a fresh process each time, start-up included.
REGISTER_COMMANDS = (
    ("build", "`cpsu-kg build`, empty cache"),
    ("build-warm", "`cpsu-kg build` again, nothing changed (outputs verified by hash)"),
    ("query", "`cpsu-kg query who-led-on -p date=1960-01-01`, cache filled"),
)


def time_command(arguments: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds (user + system of the child) of one `cpsu-kg` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", *arguments], env={**os.environ, **env}, check=True,
                   capture_output=True, cwd=BENCHMARKS.parent)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": wall, "cpu_seconds": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}


def run_register_commands(repeat: int, work: Path) -> dict[str, list[dict[str, float]]]:
    """Each command of REGISTER_COMMANDS `repeat` times, each round with a cache and an output folder of its own."""
    timings: dict[str, list[dict[str, float]]] = {key: [] for key, _ in REGISTER_COMMANDS}
    for attempt in range(repeat):
        scratch = Path(tempfile.mkdtemp(prefix=f"register-{attempt}-", dir=work))
        env, out = {"CPSU_KG_CACHE": str(scratch / "cache")}, str(scratch / "dist")
        timings["build"].append(time_command(["build", "--out", out], env))
        timings["build-warm"].append(time_command(["build", "--out", out], env))
        timings["query"].append(time_command(["query", "who-led-on", "-p", "date=1960-01-01"], env))
        shutil.rmtree(scratch, ignore_errors=True)
    return timings


def register_lines(results: dict) -> list[str]:
    """The table of the real register's commands (median of the rounds), when the run measured them."""
    timings = results.get("register")
    if not timings:
        return []
    lines = ["## The register from the command line", "",
             f"The project's own register (`data/`), each command a fresh process, start-up and imports included; "
             f"median of {len(timings['build'])} rounds, each with an empty cache and output folder of its own.", "",
             "| command | wall | CPU |", "|---|---|---|"]  # fmt: skip
    for key, what in REGISTER_COMMANDS:
        wall = statistics.median(t["seconds"] for t in timings[key])
        cpu = statistics.median(t["cpu_seconds"] for t in timings[key])
        lines.append(f"| {what} | {format_seconds(wall)} | {format_seconds(cpu)} |")
    return [*lines, ""]


def run_all(options: Options) -> dict:
    """Run every size; return the raw results with the machine description."""
    options.work.mkdir(parents=True, exist_ok=True)
    progress = Progress(len(selected_rows(options.rows)) * sum(options.repeat))
    results = {"machine": machine(), "options": {**asdict(options), "work": str(options.work)}, "sizes": {}}
    results["started"] = datetime.datetime.now().isoformat(timespec="seconds")
    results["register"] = run_register_commands(max(options.repeat), options.work)
    try:
        for size, repeat in zip(options.sizes, options.repeat, strict=True):
            results["sizes"][str(size)] = run_size(size, repeat, options, progress)
    finally:
        progress.close()
    results["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    return results


# ---------------------------------------------------------------- the machine


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or platform's guess elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    """Total memory from /proc/meminfo, in GiB."""
    kib = proc_kb("/proc/meminfo", "MemTotal")
    return f"{kib / 2**20:.1f} GiB" if kib else "unknown"


def machine() -> dict[str, str]:
    """Platform, CPU, cores, memory, Python and the versions of the libraries the stages use."""
    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            versions[library] = "not installed"
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": memory_gib(),
        "python": platform.python_version(),
        **versions,
    }


# ---------------------------------------------------------------- rendering results.md


def median_seconds(outcomes: list[dict]) -> float | None:
    """The median seconds of the successful runs, None when there are none."""
    seconds = [o["seconds"] for o in outcomes if o["status"] == OK]
    return statistics.median(seconds) if seconds else None


def failure(outcomes: list[dict]) -> dict | None:
    """The run that went over a limit or failed, if any."""
    return next((o for o in outcomes if o["status"] != OK), None)


def time_cell(outcomes: list[dict] | None) -> str:
    """A table cell: median seconds and peak memory, or what stopped the row ("> limit", "error ...")."""
    if not outcomes:
        return "—"
    failed, seconds = failure(outcomes), median_seconds(outcomes)
    if failed is not None and seconds is None:
        return failed["status"] if failed["status"] != ERROR else f"error: {failed['detail']}"
    peak = max(o["peak_kb"] for o in outcomes if o["status"] == OK) / 1024
    cpu = statistics.median([o["cpu_seconds"] for o in outcomes if o["status"] == OK and o.get("cpu_seconds")] or [0])
    cell = f"{format_seconds(seconds)} (CPU {format_seconds(cpu)}, {peak:,.0f} MB)"
    return f"{cell}, then {failed['status']}" if failed is not None else cell


def format_seconds(seconds: float | None) -> str:
    """Seconds with sensible precision."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def ratio_cell(top: list[dict] | None, bottom: list[dict] | None, limit_s: float) -> str:
    """The ratio of the second row's time to the first's, a lower bound when the second went over the limit."""
    if not top or not bottom:
        return "—"
    first, second = median_seconds(top), median_seconds(bottom)
    if first and second:
        return f"{second / first:.1f}×"
    if first and (failure(bottom) or {}).get("status") == LIMIT:
        return f"> {limit_s / first:.0f}×"
    return "—"


def stage_table(results: dict, title: str, first: str, second: str | None, ratio: str, note: str) -> list[str]:
    """One stage's table: the rows as lines, the sizes as columns, and the ratio."""
    sizes, limit_s = list(results["sizes"]), row_limit_s(results["options"], second or first)
    what = {row.key: row.what for row in ROWS}
    header = "| | " + " | ".join(f"{int(size):,}" for size in sizes) + " |"
    lines = [f"### {title}", "", header, "|---" * (len(sizes) + 1) + "|"]
    for key in (first, second):
        if key is not None:
            cells = [time_cell(results["sizes"][size]["rows"].get(key)) for size in sizes]
            lines.append(f"| {key.split('/')[1]}: {what[key]} | " + " | ".join(cells) + " |")
    if second is not None:
        cells = [ratio_cell(*(results["sizes"][s]["rows"].get(k) for k in (first, second)), limit_s) for s in sizes]
        lines.append(f"| **{ratio}** | " + " | ".join(cells) + " |")
    for key in (first, second):
        if key in COUNTS:
            cells = [count_cell(results["sizes"][size]["rows"].get(key), COUNTS[key]) for size in sizes]
            lines.append(f"| {key.split('/')[1]}: {COUNTS[key]} | " + " | ".join(cells) + " |")
    return [*lines, "", note, ""] if note else [*lines, ""]


def count_cell(outcomes: list[dict] | None, key: str) -> str:
    """A count a row reported (violations found, triples inferred), or — when it reported none."""
    value = extra_median(outcomes, key)
    if value is None:
        return "—"
    return format_seconds(value) if key == "graph build" else f"{value:,.0f}"


def extra_median(outcomes: list[dict] | None, key: str) -> float | None:
    """The median of an extra value over the runs that reported it."""
    values = [o["extras"][key] for o in outcomes or [] if key in o["extras"]]
    return statistics.median(values) if values else None


def query_table(results: dict) -> list[str]:
    """Per stored query and size: rdflib and pyoxigraph seconds (a killed run shows its unfinished query as over)."""
    sizes = list(results["sizes"])
    names = sorted(
        key
        for key in {k for s in sizes for r in ("query/rdflib", "query/oxigraph")
                    for o in results["sizes"][s]["rows"].get(r, []) for k in o["extras"]}
        if key.startswith("query ")
    )  # fmt: skip
    order = query_order(results)
    header = "| query | " + " | ".join(f"{int(size):,}: rdflib / pyoxigraph" for size in sizes) + " |"
    lines = ["### stored queries, one by one (median seconds)", "", header, "|---" * (len(sizes) + 1) + "|"]
    for name in names:
        cells = []
        for size in sizes:
            rows = results["sizes"][size]["rows"]
            pair = [query_cell(rows.get(engine), name, order) for engine in ("query/rdflib", "query/oxigraph")]
            cells.append(" / ".join(pair))
        lines.append(f"| {name.removeprefix('query ')} | " + " | ".join(cells) + " |")
    note = (
        f'"{LIMIT}": the query was running when its row reached the limit; "not run": it comes after that query, '
        "so that run never reached it."
    )
    return [*lines, "", note, ""]


def query_order(results: dict) -> list[str]:
    """The order the stored queries run in: the longest run order any query row reported."""
    orders = [
        [key for key in outcome["extras"] if key.startswith("query ")]
        for size in results["sizes"].values()
        for row in ("query/rdflib", "query/oxigraph")
        for outcome in size["rows"].get(row, [])
    ]
    return max(orders, key=len, default=[])


def query_cell(outcomes: list[dict] | None, key: str, order: list[str]) -> str:
    """One query's median seconds on one engine; in a run killed at the limit, "> limit" or "not run"."""
    value = extra_median(outcomes, key)
    if value is not None:
        return format_seconds(value)
    failed = failure(outcomes or [])
    if failed is None or failed["status"] != LIMIT:
        return "—"
    running = next((name for name in order if name not in failed["extras"]), None)
    return LIMIT if key == running else "not run"


def exponent(t1: float, t2: float, n1: int, n2: int) -> float:
    """The empirical growth exponent between two sizes: log(t2/t1) / log(n2/n1)."""
    return math.log(t2 / t1) / math.log(n2 / n1)


def growth_cell(results: dict, key: str, small: str, large: str) -> str:
    """A stage's exponent between two sizes; a lower bound when the larger one went over the limit."""
    rows_small, rows_large = (results["sizes"][size]["rows"].get(key) for size in (small, large))
    n1, n2 = (results["sizes"][size]["triples"] for size in (small, large))
    t1, t2 = median_seconds(rows_small or []), median_seconds(rows_large or [])
    if t1 and t2:
        return f"{exponent(t1, t2, n1, n2):.2f}"
    if t1 and (failure(rows_large or []) or {}).get("status") == LIMIT:
        return f"> {exponent(t1, row_limit_s(results['options'], key), n1, n2):.2f}"
    return "—"


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """The least-squares slope of log t against log n over (n, t) points: one exponent for the whole range."""
    xs, ys = [math.log(n) for n, _ in points], [math.log(t) for _, t in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)


def n_log_n(n: int) -> float:
    """The time n log n takes, for the growth table's yardstick row."""
    return n * math.log(n)


def fitted_cell(results: dict, key: str) -> str:
    """A stage's exponent fitted over every size it finished at ("—" below three sizes)."""
    points = [(measured["triples"], median_seconds(measured["rows"].get(key) or []))
              for measured in results["sizes"].values()]
    points = [(n, t) for n, t in points if t]
    return f"{fitted_exponent(points):.2f}" if len(points) >= 3 else "—"


def growth_table(results: dict) -> list[str]:
    """Each row's empirical exponent between consecutive sizes, fitted over all of them, and n log n's for scale."""
    sizes = list(results["sizes"])
    pairs = list(zip(sizes, sizes[1:], strict=False))
    if not pairs:
        return ["Only one size was run: no growth to compute.", ""]
    triples = {size: results["sizes"][size]["triples"] for size in sizes}
    header = "| row | " + " | ".join(f"{int(a):,} → {int(b):,}" for a, b in pairs) + " | fitted, all sizes |"
    yardstick = [f"{exponent(n_log_n(triples[a]), n_log_n(triples[b]), triples[a], triples[b]):.2f}"
                 for a, b in pairs]
    fitted_yardstick = fitted_exponent([(n, n_log_n(n)) for n in triples.values()]) if len(sizes) >= 3 else None
    lines = [header, "|---" * (len(pairs) + 2) + "|",
             "| *n log n (the target's bound)* | " + " | ".join(yardstick)
             + f" | {'—' if fitted_yardstick is None else f'{fitted_yardstick:.2f}'} |"]
    ran = rows_run(results)
    for row in sorted(ROWS, key=lambda row: row.side != "machine"):  # the machine's yardsticks under n log n
        if row.key in ran:
            cells = [growth_cell(results, row.key, a, b) for a, b in pairs]
            lines.append(f"| {row.key} | " + " | ".join(cells) + f" | {fitted_cell(results, row.key)} |")
    return [*lines, ""]


def machine_lines(results: dict) -> list[str]:
    """The machine description as a list."""
    machine_info = results["machine"]
    libraries = ", ".join(f"{name} {machine_info[name]}" for name in LIBRARIES if name in machine_info)
    return [
        f"- platform: {machine_info['platform']}",
        f"- CPU: {machine_info['cpu']}, {machine_info['cores']} cores",
        f"- memory: {machine_info['memory']}",
        f"- Python {machine_info['python']}; {libraries}",
        "",
    ]


def load_lines(results: dict) -> list[str]:
    """The machine's 1-minute load average at the start of the runs, per size: how busy it was otherwise."""
    cells = []
    for size, measured in results["sizes"].items():
        loads = [o["load"] for outcomes in measured["rows"].values() for o in outcomes if o.get("load") is not None]
        if loads:
            cells.append(f"{int(size):,}: median {statistics.median(loads):.2f}, max {max(loads):.2f}")
    if not cells:
        return []
    return [f"- load average (1 min) at the start of the runs: {'; '.join(cells)} (on {os.cpu_count()} cores)", ""]


def size_lines(results: dict) -> list[str]:
    """Which sizes were run, with the generated registers' real triple counts."""
    run = ", ".join(f"{int(s):,} ({results['sizes'][s]['triples']:,} triples)" for s in results["sizes"])
    skipped = [size for size in DEFAULT_SIZES if str(size) not in results["sizes"]]
    lines = [f"Sizes run (target triples, and the generated register's triples, without the ontology): {run}."]
    if skipped:
        lines.append(f"Not run: {', '.join(f'{size:,}' for size in skipped)}.")
    return [*lines, ""]


def rows_run(results: dict) -> set[str]:
    """The keys of the rows a run measured (at any size)."""
    return {key for size in results["sizes"].values() for key in size["rows"]}


def rows_option(options: dict) -> str:
    """The --rows part of the command line, when the run had one."""
    return f" --rows {','.join(options['rows'])}" if options.get("rows") else ""


def build_limit_option(options: dict) -> str:
    """The --build-limit-s part of the command line, when the run had one."""
    return f" --build-limit-s {options['build_limit_s']:g}" if options.get("build_limit_s") else ""


def render(results: dict) -> str:
    """The whole results.md."""
    options = results["options"]
    if isinstance(options["repeat"], int):  # raw results of a run with one --repeat for every size
        options["repeat"] = [options["repeat"]] * len(results["sizes"])
    lines = [
        "# Benchmark results: the project's pipeline against the naive reference",
        "",
        f"Measured with `python benchmarks/run.py --sizes {','.join(results['sizes'])} "
        f"--repeat {','.join(str(r) for r in options['repeat'])} "
        f"--limit-s {options['limit_s']:g}{build_limit_option(options)} --seed {options['seed']} "
        f"--naive-inference {options['naive_inference']}{rows_option(options)}` "
        f"from {results['started']} to {results['finished']}.",
        "",
        *size_lines(results),
        "## Machine",
        "",
        *machine_lines(results),
        *load_lines(results),
        "## How to read the tables",
        "",
        f"Each cell is the median of up to {'/'.join(str(r) for r in options['repeat'])} runs (by size), each in a "
        "fresh process (multiprocessing, spawn) "
        "that first does the stage's setup, untimed, then the stage: its wall time, and in brackets its CPU time "
        "(user + system, of the process and the children it waited for: above the wall time when a second core "
        "worked too) and the peak resident memory of that process, setup included (ru_maxrss of the process and "
        "its children). A stage's rows take turns (project, reference, project, ...), so the machine's drift "
        f'reaches both sides of a ratio alike. "{LIMIT}": the stage ran longer '
        f"than {options['limit_s']:g} s (the full-build rows: {row_limit_s(options, 'build/'):g} s) and was killed "
        f'(not repeated); "{SETUP_LIMIT}": its setup ran longer than '
        f'{options["setup_limit_s"]:g} s; "{MEMORY}": it grew past {options["mem_limit_kb"] / 2**20:g} GiB. '
        'A ratio "> N×" is a lower bound: the slower side went over the limit.',
        "",
        *register_lines(results),
        "## Stages",
        "",
    ]
    ran = rows_run(results)
    for title, first, second, ratio, note in TABLES:
        if first in ran or second in ran:
            lines += stage_table(results, title, first, second, ratio, note)
    if ran & {"query/rdflib", "query/oxigraph"}:
        lines += query_table(results)
    lines += [
        "## Growth",
        "",
        "Empirical exponent k of t ∝ n^k between consecutive sizes, k = log(t2/t1) / log(n2/n1), with n the "
        "generated register's triples (1 is linear, 2 quadratic; fixed start-up costs pull k down at the small "
        'sizes). "> k" is a lower bound from a row that went over the limit at the larger size. The last column '
        "is the least-squares slope of log t against log n over every size the row finished at (three at least), "
        "and the first row is what n log n itself gives: a stage within n log n reads at or below it in each "
        "column. The yardstick rows (when run) are the machine's own: Python's sort of the register's lines, an "
        "n log n algorithm, and a set of them, a linear one. Where they read above the first row, the machine "
        "and not an algorithm makes the difference (a working set that outgrows the processor's caches costs "
        "more per item at the larger size), and a stage that reads at or below yardstick/sort grows no faster "
        "than an n log n algorithm does on this machine.",
        "",
        *growth_table(results),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES))
    parser.add_argument("--repeat", default="3", help="runs per row: one number, or one per size (3,3,1)")
    parser.add_argument("--limit-s", type=float, default=300.0, help="kill a stage that runs longer (default 300)")
    parser.add_argument("--build-limit-s", type=float, default=0.0, help="the full-build rows' limit")
    parser.add_argument("--rows", default="", help=f"only these stages, comma-separated ({', '.join(STAGE_NAMES)})")
    parser.add_argument("--setup-limit-s", type=float, default=600.0, help="kill a setup that runs longer")
    parser.add_argument("--mem-limit-gb", type=float, default=16.0, help="kill a run whose memory grows past this")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive-inference", choices=("none", "rdfs"), default="none")
    parser.add_argument("--out", type=Path, default=BENCHMARKS / "results.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cpsu-kg-bench")
    parser.add_argument("--render-only", type=Path, help="render --out from raw results written by --json")
    return parser.parse_args(argv)


def iter_sizes(text: str) -> Iterator[int]:
    """The sizes of --sizes, in the order given."""
    for part in text.split(","):
        if part.strip():
            yield int(float(part))


def repeats(text: str, count: int) -> list[int]:
    """Runs per row for each size: one number for all sizes, or one per size."""
    values = [int(part) for part in text.split(",") if part.strip()]
    if len(values) == 1:
        return values * count
    if len(values) != count or min(values) < 1:
        raise SystemExit(f"--repeat expects one number or {count} (one per size), got {text!r}")
    return values


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or render earlier raw results) and write results.md."""
    args = parse_args(argv)
    if args.render_only:
        results = json.loads(args.render_only.read_text())
    else:
        sizes = list(iter_sizes(args.sizes))
        options = Options(
            sizes, repeats(args.repeat, len(sizes)), args.limit_s, args.setup_limit_s,
            int(args.mem_limit_gb * 2**20), args.seed, args.naive_inference, args.work, args.build_limit_s,
            tuple(part.strip() for part in args.rows.split(",") if part.strip()),
        )  # fmt: skip
        results = run_all(options)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    args.out.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
