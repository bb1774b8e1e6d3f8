"""The build pipeline: load, validate, reason, check and export the register, timing each stage.

One Oxigraph store carries the register through every stage (kg.load.Register). Each stage's result is
cached by a hash of its inputs (the files, the shapes, the checks, this code); a build whose inputs are
unchanged and whose outputs still hash to what it wrote returns at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.cache import cache_dir, code_hash, file_hash, read_json, register_key, text_hash, write_json
from kg.errors import InputError
from kg.load import Register, load_register, register_files_digest
from kg.paths import (
    CHECKS_DIR,
    CONTEXT_FILE,
    CPSU_NS,
    DATA_DIR,
    INFERRED_GRAPH,
    MANIFEST,
    ONTOLOGY_DIR,
    QUERIES_DIR,
    SHAPES_FILE,
)
from kg.query import BEFORE_REASONING, CheckFailure, run_checks, save_register_store
from kg.void import LOCAL, Publication

if TYPE_CHECKING:  # the stages that bring rdflib are imported when a build runs them, not for an up-to-date one
    from kg.validate import ValidationReport

COUNTED_CLASSES = {"persons": "Person", "tenures": "Tenure", "congresses": "PartyCongress"}


@dataclass
class BuildResult:
    """What a build produced: the register, validation report, failed checks, files written, counts and timings."""

    report: ValidationReport | None = None  # None: not validated again (an up-to-date build of conforming data)
    register: Register | None = None
    failed_checks: list[CheckFailure] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    up_to_date: bool = False

    @property
    def conforms(self) -> bool:
        """True when the data conforms to the shapes (or an up-to-date build says it did)."""
        return self.report is None or self.report.conforms

    @property
    def succeeded(self) -> bool:
        """True when the data conforms to the shapes and passes every check."""
        return self.conforms and not self.failed_checks

    def summary(self) -> str:
        """A one-screen summary of the build."""
        timings = ", ".join(f"{stage} {secs:.2f} s" for stage, secs in self.seconds.items())
        counts = self.counts
        lines = [
            f"triples      {counts.get('asserted', 0)} asserted, {counts.get('inferred', 0)} inferred",
            *(f"{name:<12} {counts.get(name, 0)}" for name in COUNTED_CLASSES),
            f"violations   {len(self.report.violations) if self.report else 0}",
            f"checks       {len(self.failed_checks)} failed",
            f"time         {timings}",
        ]
        if self.files:
            verb = "up to date  " if self.up_to_date else "wrote       "
            lines.append(f"{verb} " + ", ".join(str(path) for path in self.files))
        return "\n".join(lines)


@contextmanager
def stopwatch(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Time the block into seconds[stage]."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = time.perf_counter() - started


def register_counts(register: Register) -> dict[str, int]:
    """How many asserted and inferred triples, persons, tenures and congresses the register holds."""
    counts = {"asserted": len(register.asserted_quads()), "inferred": len(register.inferred_quads())}
    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for name, cls in COUNTED_CLASSES.items():
        instances = register.store.quads_for_pattern(None, rdf_type, pyoxigraph.NamedNode(CPSU_NS + cls))
        counts[name] = len({quad.subject for quad in instances if quad.graph_name.value != INFERRED_GRAPH})
    return counts


def _validated(register: Register) -> ValidationReport:
    from kg.validate import ValidationReport, validate

    key = "validation-" + text_hash(register.files_digest, SHAPES_FILE.read_text(encoding="utf-8"), code_hash())[:32]
    cached = read_json(key)
    if isinstance(cached, list):
        return ValidationReport.from_json(cached)
    report = validate(register)
    write_json(key, report.to_json())
    return report


def _checked(register: Register) -> list[CheckFailure]:
    checks = [path.read_text(encoding="utf-8") for path in sorted(CHECKS_DIR.glob("*.rq"))]
    key = "checks-passed-" + text_hash(register.files_digest, *checks, code_hash())[:32]
    if read_json(key) is True:
        return []
    failures = run_checks(register)
    if not failures:
        write_json(key, True)
    return failures


def build_key(files_digest: str, publication: Publication = LOCAL) -> str:
    """What the outputs of a build depend on: the register's files (their digest), the context, the checks, where
    it is published and this code."""
    checks = [path.read_text(encoding="utf-8") for path in sorted(CHECKS_DIR.glob("*.rq"))]
    return text_hash(register_key(files_digest), CONTEXT_FILE.read_text(encoding="utf-8"), *checks,
                     repr(publication))


def read_manifest(out_dir: Path) -> dict | None:
    """The manifest a build left in out_dir (its key, files with their hashes, counts), or None."""
    try:
        manifest = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _up_to_date(out_dir: Path, key: str) -> dict | None:
    """The manifest of out_dir when a build of these very inputs wrote it and every file still hashes the same."""
    manifest = read_manifest(out_dir)
    if manifest is None or manifest.get("key") != key or not isinstance(manifest.get("files"), dict):
        return None
    for name, digest in manifest["files"].items():
        path = Path(out_dir) / name
        if not path.is_file() or file_hash(path) != digest:
            return None
    return manifest


def refuse_source_folder(out_dir: Path, data_dir: Path) -> None:
    """Stop a build whose output folder is one of the register's own folders (its dumps would become its input)."""
    sources = {data_dir.resolve(), ONTOLOGY_DIR.resolve(), QUERIES_DIR.resolve(), CHECKS_DIR.resolve()}
    if out_dir.resolve() in sources:
        raise InputError(f"--out {out_dir}: that folder holds the register's own files; choose another, e.g. dist")


def build(
    data_dir: Path | str = DATA_DIR, out_dir: Path | str = "dist", publication: Publication = LOCAL
) -> BuildResult:
    """Load, validate, reason and check the register; when all pass, export it to out_dir (atomically).

    Inputs whose bytes are unchanged and outputs that still hash as written make a build up to date: nothing is
    parsed, and the stages that bring rdflib are not even imported.
    """
    out_dir, seconds = Path(out_dir), {}
    refuse_source_folder(out_dir, Path(data_dir))
    with stopwatch(seconds, "hash"):
        key = build_key(register_files_digest(data_dir), publication)
        manifest = _up_to_date(out_dir, key)
    if manifest is not None:
        files = [out_dir / name for name in manifest["files"]]
        return BuildResult(files=files, counts=manifest.get("counts", {}), seconds=seconds, up_to_date=True)
    with stopwatch(seconds, "load"):
        register = load_register(data_dir)
    with stopwatch(seconds, "validate"):
        report = _validated(register)
    result = BuildResult(report=report, register=register, seconds=seconds)
    if not report.conforms:
        # a misspelt class or property breaks the shapes of whatever uses it: name the cause beside the symptoms
        result.failed_checks = run_checks(register, names=BEFORE_REASONING)
        return result
    from kg.export import export
    from kg.reason import reason_register

    with stopwatch(seconds, "reason"):
        reason_register(register)
    result.counts = register_counts(register)
    # Oxigraph runs the check queries without holding the GIL, so they run beside the export (a second core);
    # the export stages its files and moves them into place only once the checks have passed. (At 10^6 triples
    # with benchmarks/run.py the checks add nothing to the peak of memory, which is the reasoning's: a check that
    # made Oxigraph hash a whole side of a join once did, and is written so that it no longer does.)
    with ThreadPoolExecutor(max_workers=1) as checker:
        checking = checker.submit(_timed_checks, register, seconds)

        def checks_passed() -> bool:
            result.failed_checks = checking.result()
            return not result.failed_checks

        with stopwatch(seconds, "export"):
            manifest = {"key": key, "counts": result.counts}
            result.files = export(register, out_dir, validation_text=report.text(), manifest=manifest,
                                  publication=publication, go_ahead=checks_passed)
        if result.failed_checks:  # the export was told not to go ahead: the previous outputs stay
            return result
    save_register_store(register.store, cache_dir() / f"register-{register_key(register.files_digest)[:32]}.nq")
    return result


def _timed_checks(register: Register, seconds: dict[str, float]) -> list[CheckFailure]:
    with stopwatch(seconds, "check"):
        return _checked(register)
