"""The build pipeline: load, validate, reason, check and export the register, timing each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph

from kg.cache import code_hash, read_json, register_files_hash, register_key, text_hash, write_json
from kg.export import BackgroundJsonld, export
from kg.load import CONTEXT_FILE, CPSU, DATA_DIR, SHAPES_FILE, load, load_ontology
from kg.query import CHECKS_DIR
from kg.reason import reason
from kg.validate import CheckFailure, ValidationReport, run_checks, validate


@dataclass
class BuildResult:
    """What a build produced: graphs, validation report, failed checks, files written and stage timings."""

    graph: Graph
    report: ValidationReport
    inferred: Graph = field(default_factory=Graph)
    failed_checks: list[CheckFailure] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        """True when the data conforms to the shapes and passes every check."""
        return self.report.conforms and not self.failed_checks

    def count(self, cls: str) -> int:
        """Number of distinct instances of a cpsu: class in the asserted graph."""
        return len(set(self.graph.subjects(RDF.type, CPSU[cls])))

    def summary(self) -> str:
        """A one-screen summary of the build."""
        timings = ", ".join(f"{stage} {secs:.2f} s" for stage, secs in self.seconds.items())
        lines = [
            f"triples      {len(self.graph)} asserted, {len(self.inferred)} inferred",
            f"persons      {self.count('Person')}",
            f"tenures      {self.count('Tenure')}",
            f"congresses   {self.count('PartyCongress')}",
            f"violations   {len(self.report.violations)}",
            f"checks       {len(self.failed_checks)} failed",
            f"time         {timings}",
        ]
        if self.files:
            lines.append("wrote        " + ", ".join(str(path) for path in self.files))
        return "\n".join(lines)


class _Stopwatch:
    def __init__(self, seconds: dict[str, float], stage: str) -> None:
        self.seconds, self.stage = seconds, stage

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.seconds[self.stage] = time.perf_counter() - self.started


def _validated(graph: Graph, graph_hash: str) -> ValidationReport:
    key = "validation-" + text_hash(graph_hash, SHAPES_FILE.read_text(encoding="utf-8"), code_hash())[:32]
    cached = read_json(key)
    if isinstance(cached, list):
        return ValidationReport.from_json(cached)
    report = validate(graph)
    write_json(key, report.to_json())
    return report


def _checked(graph: Graph, inferred: Graph, graph_hash: str) -> list[CheckFailure]:
    checks = [path.read_text(encoding="utf-8") for path in sorted(CHECKS_DIR.glob("*.rq"))]
    key = "checks-passed-" + text_hash(graph_hash, *checks, code_hash())[:32]
    if read_json(key) is True:
        return []
    failures = run_checks(graph, inferred)
    if not failures:
        write_json(key, True)
    return failures


def _dist_stamp(out_dir: Path, graph_hash: str) -> tuple[str, str]:
    return "dist-stamp-" + text_hash(str(out_dir.resolve()))[:32], text_hash(
        graph_hash, CONTEXT_FILE.read_text(encoding="utf-8"), code_hash()
    )


def _up_to_date_dist(out_dir: Path, graph_hash: str) -> list[Path] | None:
    """The files of out_dir when an export of these very inputs wrote them and they are all there, else None."""
    stamp_name, stamp = _dist_stamp(out_dir, graph_hash)
    expected = read_json(stamp_name)
    if isinstance(expected, dict) and expected.get("stamp") == stamp:
        files = [out_dir / name for name in expected["files"]]
        if all(path.exists() for path in files):
            return files
    return None


def _exported(
    graph: Graph, inferred: Graph, report: ValidationReport, out_dir: Path, graph_hash: str, jsonld: BackgroundJsonld
) -> list[Path]:
    files = export(graph, out_dir, validation_text=report.text(), inferred=inferred, jsonld=jsonld)
    stamp_name, stamp = _dist_stamp(out_dir, graph_hash)
    write_json(stamp_name, {"stamp": stamp, "files": [path.name for path in files]})
    return files


def build(data_dir: Path | str = DATA_DIR, out_dir: Path | str = "dist") -> BuildResult:
    """Load, validate, reason and check the register; when all pass, export it to out_dir (atomically).

    Each stage's result is cached by a hash of its inputs (the files, the shapes, the checks, this code),
    so an unchanged rebuild skips the work and leaves an up-to-date dist/ as it is.
    """
    seconds: dict[str, float] = {}
    with _Stopwatch(seconds, "load"):
        ontology = load_ontology()
        graph = load(data_dir, ontology=ontology)
        graph_hash = register_files_hash(Path(data_dir))
    with _Stopwatch(seconds, "validate"):
        report = _validated(graph, graph_hash)
    result = BuildResult(graph=graph, report=report, seconds=seconds)
    if not report.conforms:
        return result
    up_to_date = _up_to_date_dist(Path(out_dir), graph_hash)
    jsonld = BackgroundJsonld(graph) if up_to_date is None else None  # compacted while reasoning and checks run
    try:
        with _Stopwatch(seconds, "reason"):
            result.inferred = reason(graph, ontology, key=register_key(graph_hash))
        with _Stopwatch(seconds, "check"):
            result.failed_checks = _checked(graph, result.inferred, graph_hash)
        if result.failed_checks:
            return result
        with _Stopwatch(seconds, "export"):
            result.files = up_to_date or _exported(graph, result.inferred, report, Path(out_dir), graph_hash, jsonld)
    finally:
        if jsonld is not None:
            jsonld.cancel()
    return result
