"""The package's shape: no import circle inside kg/, and the command line's fast path imports no rdflib."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from kg.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "kg"


def imported_modules(path: Path) -> set[str]:
    """The kg modules a module imports, at its top or inside its functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            found |= {node.module} if node.module != "kg" else {f"kg.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kg.")}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {f"kg.{path.stem}": path for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "__main__")}
    return {name: imported_modules(path) & set(modules) - {name} for name, path in modules.items()}


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph (as a path that returns to its start), or None."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return path[path.index(imported):] + [imported] if imported in path else [module, imported]
            if imported not in state and (cycle := visit(imported, [*path, imported])):
                return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def test_no_module_of_kg_imports_itself_through_others():
    graph = import_graph()
    assert {"kg.load", "kg.query", "kg.reason", "kg.validate", "kg.export"} <= set(graph)
    assert a_cycle(graph) is None, " -> ".join(a_cycle(graph) or [])


def test_the_cycle_finder_finds_a_planted_circle():
    assert a_cycle({"kg.a": {"kg.b"}, "kg.b": {"kg.c"}, "kg.c": {"kg.a"}}) == ["kg.a", "kg.b", "kg.c", "kg.a"]
    assert a_cycle({"kg.a": {"kg.b"}, "kg.b": set()}) is None


def test_the_ground_floor_imports_nothing_of_the_project():
    assert import_graph()["kg.paths"] == set()


def rdf_libraries_imported_by(*arguments: str, cwd: Path = PROJECT_ROOT) -> str:
    """The rdflib, pyshacl and owlrl modules a second run of the command imports (the first may fill caches)."""
    code = (f"import sys; from kg.cli import main; main({list(arguments)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl', 'owlrl')), file=sys.stderr)")
    for _ in range(2):
        finished = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return finished.stderr.strip().splitlines()[-1]


def test_a_cached_query_from_the_command_line_imports_no_rdflib():
    assert rdf_libraries_imported_by("query", "who-led-on", "-p", "date=1960-01-01") == "[]"


def test_an_up_to_date_build_parses_nothing_and_imports_no_rdflib(tmp_path):
    from kg.paths import DATA_DIR

    assert rdf_libraries_imported_by("build", "--data", str(DATA_DIR), "--out", str(tmp_path / "dist")) == "[]"


def test_the_prebuilt_graph_is_what_a_query_reads_with_an_empty_cache(tmp_path, monkeypatch, queryable):

    import kg.query
    from kg.paths import ASSERTED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH

    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    (tmp_path / "prebuilt").mkdir()
    (tmp_path / "prebuilt" / "register-0123456789abcdef0123456789abcdef.nq").write_text("stale\n")
    prebuilt = kg.query.write_prebuilt(tmp_path / "prebuilt")
    assert [path.name for path in (tmp_path / "prebuilt").iterdir()] == [prebuilt.name]  # the older one went
    monkeypatch.setattr(kg.query, "PREBUILT_DIR", tmp_path / "prebuilt")
    assert kg.query.register_file() == prebuilt
    store = kg.query.register_store()
    assert not list((tmp_path / "cache").glob("register-*"))  # nothing was built
    # the data files' graphs are one asserted graph: the file names no folder of the machine that built it
    assert {graph.value for graph in store.named_graphs()} == {ONTOLOGY_GRAPH, ASSERTED_GRAPH, INFERRED_GRAPH}
    assert "file:" not in prebuilt.read_text(encoding="utf-8")
    assert len(store) == len(queryable)
    assert kg.query.run_query("who-led-on", store, date="1960-01-01") == kg.query.run_query(
        "who-led-on", queryable, date="1960-01-01"
    )


def test_a_changed_register_never_meets_the_prebuilt_graph(tmp_path, monkeypatch):
    import shutil

    import kg.query
    from kg.paths import DATA_DIR

    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(kg.query, "PREBUILT_DIR", tmp_path / "prebuilt")
    kg.query.write_prebuilt(tmp_path / "prebuilt")
    changed = tmp_path / "data"
    shutil.copytree(DATA_DIR, changed)
    with (changed / "persons.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\n# a comment changes the files, so the key\n")
    assert kg.query.register_file(changed).parent == tmp_path / "cache"


def test_the_suite_s_schedule_names_every_test_file_and_no_other():
    from conftest import LONGEST_FIRST

    tests_dir = PROJECT_ROOT / "tests"
    files = {path.relative_to(tests_dir).as_posix() for path in tests_dir.rglob("test_*.py")
             if "w3c-shacl" not in path.parts}
    assert sorted(LONGEST_FIRST) == sorted(files - {"test_browser.py"})  # the browser tests run on their own
