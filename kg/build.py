"""The build pipeline: load, validate, reason, check and export the register, timing each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph

from kg.export import export
from kg.load import CPSU, DATA_DIR, load, load_ontology
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


def build(data_dir: Path | str = DATA_DIR, out_dir: Path | str = "dist") -> BuildResult:
    """Load, validate, reason and check the register; when all pass, export it to out_dir (atomically)."""
    seconds: dict[str, float] = {}
    with _Stopwatch(seconds, "load"):
        ontology = load_ontology()
        graph = load(data_dir)
    with _Stopwatch(seconds, "validate"):
        report = validate(graph)
    result = BuildResult(graph=graph, report=report, seconds=seconds)
    if not report.conforms:
        return result
    with _Stopwatch(seconds, "reason"):
        result.inferred = reason(graph, ontology)
    with _Stopwatch(seconds, "check"):
        result.failed_checks = run_checks(graph + result.inferred)
    if result.failed_checks:
        return result
    with _Stopwatch(seconds, "export"):
        result.files = export(graph, out_dir, validation_text=report.text(), inferred=result.inferred)
    return result
