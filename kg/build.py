"""The build pipeline: load, validate and export the register, timing each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph

from kg.export import export
from kg.load import CPSU, DATA_DIR, load
from kg.validate import ValidationReport, validate


@dataclass
class BuildResult:
    """What a build produced: the graph, its validation report, the files written and stage timings."""

    graph: Graph
    report: ValidationReport
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self, cls: str) -> int:
        """Number of distinct instances of a cpsu: class in the asserted graph."""
        return len(set(self.graph.subjects(RDF.type, CPSU[cls])))

    def summary(self) -> str:
        """A one-screen summary of the build."""
        timings = ", ".join(f"{stage} {secs:.2f} s" for stage, secs in self.seconds.items())
        lines = [
            f"triples      {len(self.graph)}",
            f"persons      {self.count('Person')}",
            f"tenures      {self.count('Tenure')}",
            f"congresses   {self.count('PartyCongress')}",
            f"violations   {len(self.report.violations)}",
            f"time         {timings}",
        ]
        if self.files:
            lines.append("wrote        " + ", ".join(str(path) for path in self.files))
        return "\n".join(lines)


def build(data_dir: Path | str = DATA_DIR, out_dir: Path | str = "dist") -> BuildResult:
    """Load and validate the register; when it conforms, export it to out_dir (atomically)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    graph = load(data_dir)
    seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    report = validate(graph)
    seconds["validate"] = time.perf_counter() - started
    result = BuildResult(graph=graph, report=report, seconds=seconds)
    if not report.conforms:
        return result

    started = time.perf_counter()
    result.files = export(graph, out_dir, validation_text=report.text())
    seconds["export"] = time.perf_counter() - started
    return result
