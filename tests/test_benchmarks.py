"""The benchmark tools: the synthetic register of benchmarks/generate.py and the row limits of benchmarks/run.py."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import generate as gen  # noqa: E402
from benchmarks import run as bench  # noqa: E402
from benchmarks import validation_growth  # noqa: E402
from kg.load import parse_files  # noqa: E402
from kg.paths import ONTOLOGY_FILES  # noqa: E402
from kg.query import run_checks  # noqa: E402
from kg.reason import reason  # noqa: E402
from kg.validate import validate  # noqa: E402

SIZES = (1000, 10000)


def as_loaded(graph: Graph, folder: Path) -> Graph:
    """Write a generated graph as Turtle and load it with the ontology, as the build loads data/*.ttl."""
    path = folder / "synthetic.ttl"
    graph.serialize(path, format="turtle", encoding="utf-8")
    return parse_files([*ONTOLOGY_FILES, path])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The generated registers at each size (seed 1), and each loaded back from Turtle with the ontology."""
    registers = {}
    for size in SIZES:
        graph = gen.generate(size, seed=1)
        registers[size] = (graph, as_loaded(graph, tmp_path_factory.mktemp(f"synthetic-{size}")))
    return registers


@pytest.mark.parametrize("size", SIZES)
def test_generator_hits_its_target_within_ten_percent(synthetic, size):
    graph, _ = synthetic[size]
    assert abs(len(graph) - size) <= 0.1 * size


def test_generator_is_deterministic_for_a_seed():
    first, again, other = gen.generate(1000, 7), gen.generate(1000, 7), gen.generate(1000, 8)
    assert set(first) == set(again)
    assert set(first) != set(other)


@pytest.mark.parametrize("size", SIZES)
def test_generated_register_passes_the_shapes_and_the_checks(synthetic, size):
    graph, loaded = synthetic[size]
    assert validate(loaded).results == ()
    assert run_checks(loaded + reason(loaded, use_cache=False)) == []
    counts = gen.summary(graph)
    assert counts["PartyCongress"] == 28 and counts["CollectiveLeadership"] >= 1 and counts["Office"] >= 5


def test_the_top_office_line_stops_at_its_cap_while_the_register_grows(monkeypatch):
    from rdflib import RDF

    from kg.terms import CPSU

    monkeypatch.setattr(gen, "TOP_LINE_MAX", 20)
    graph = gen.generate(10000, seed=1)
    offices = set(graph.subjects(RDF.type, CPSU.TopPartyOffice))
    assert len({tenure for tenure, office in graph.subject_objects(CPSU.office) if office in offices}) == 20
    assert 9000 < len(graph) < 11000  # the other offices took up the rest


@pytest.mark.parametrize("count", [3, 7])  # 7: every kind once
def test_validator_finds_exactly_the_planted_violations(tmp_path, count):
    graph = gen.generate(1000, seed=3, planted_violations=count)
    planted = {(violation.node, violation.rule) for violation in graph.planted}
    assert len(graph.planted) == len(planted) == len({violation.kind for violation in graph.planted}) == count
    found = [(violation.node, violation.rule) for violation in validate(as_loaded(graph, tmp_path)).violations]
    assert sorted(found) == sorted(planted)


def test_planting_more_violations_than_a_register_can_hold_is_refused():
    with pytest.raises(ValueError, match="cannot plant"):
        gen.generate(1000, seed=1, planted_violations=500)


# ---------------------------------------------------------------- dummy stages for run.py's child processes


def no_setup(context: dict) -> dict:
    return dict(context)


def slow_setup(context: dict) -> dict:
    time.sleep(60)
    return dict(context)


def nap(state: dict) -> None:
    time.sleep(state["seconds"])
    state["report"]("napped", state["seconds"])


def test_an_over_limit_row_is_killed_and_reported_as_over_the_limit():
    started = time.monotonic()
    outcome = bench.run_row(no_setup, nap, {"seconds": 60}, limit_s=0.5, setup_limit_s=60)
    assert time.monotonic() - started < 30
    assert outcome.status == bench.LIMIT
    assert bench.time_cell([asdict(outcome)]) == "> limit"


def test_a_setup_over_its_limit_is_reported_too():
    outcome = bench.run_row(slow_setup, nap, {"seconds": 0}, limit_s=60, setup_limit_s=3)
    assert outcome.status == bench.SETUP_LIMIT


def test_a_row_within_its_limit_reports_its_time_and_extras():
    outcome = bench.run_row(no_setup, nap, {"seconds": 0.2}, limit_s=30, setup_limit_s=60)
    assert outcome.status == bench.OK
    assert 0.2 <= outcome.seconds < 5
    assert outcome.extras == {"napped": 0.2}
    assert outcome.peak_kb > 0


def test_results_keep_an_over_limit_row_with_a_lower_bound_ratio_and_growth():
    ok = {"status": bench.OK, "seconds": 2.0, "peak_kb": 1024, "cpu_seconds": 3.0, "load": 0.5, "extras": {},
          "detail": ""}
    over = {"status": bench.LIMIT, "seconds": None, "peak_kb": 2048, "extras": {}, "detail": "killed in measure"}
    results = {
        "machine": {"platform": "p", "cpu": "c", "cores": "2", "memory": "1 GiB", "python": "3.11"},
        "options": {"repeat": [1, 1], "limit_s": 120, "setup_limit_s": 600, "mem_limit_kb": 2**24, "seed": 1,
                    "naive_inference": "none"},
        "started": "then", "finished": "now",
        "sizes": {
            "1000": {"triples": 1000, "rows": {"reason/project": [ok], "reason/naive": [ok]}},
            "10000": {"triples": 10000, "rows": {"reason/project": [ok], "reason/naive": [over]}},
        },
    }  # fmt: skip
    text = bench.render(results)
    assert "| naive: owlrl `DeductiveClosure(OWLRL_Semantics).expand` | 2.00 s (CPU 3.00 s, 1 MB) | > limit |" in text
    assert "load average (1 min) at the start of the runs: 1,000: median 0.50, max 0.50" in text
    assert "| **naive / project** | 1.0× | > 60× |" in text
    assert "| reason/naive | > 1.78 | — |" in text
    assert "| *n log n (the target's bound)* | 1.12 | — |" in text


def test_the_growth_table_fits_one_exponent_over_every_size_a_row_finished_at():
    def ok(seconds: float) -> dict:
        return {"status": bench.OK, "seconds": seconds, "peak_kb": 1024, "cpu_seconds": seconds, "load": 0.5,
                "extras": {}, "detail": ""}

    sizes = {"1000": 1000, "10000": 10000, "100000": 100000}
    seconds = {"1000": 0.01, "10000": 0.1, "100000": 10.0}  # linear, then quadratic
    results = {"sizes": {size: {"triples": n, "rows": {"reason/project": [ok(seconds[size])]}}
                         for size, n in sizes.items()}}
    assert bench.growth_table(results) == [
        "| row | 1,000 → 10,000 | 10,000 → 100,000 | fitted, all sizes |",
        "|---|---|---|---|",
        "| *n log n (the target's bound)* | 1.12 | 1.10 | 1.11 |",
        "| reason/project | 1.00 | 2.00 | 1.50 |",
        "",
    ]


def test_the_yardsticks_sort_and_hash_the_register_s_lines_in_a_fixed_random_order(tmp_path):
    data = tmp_path / "register.ttl"
    data.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(50)))
    lines = bench.shuffled_lines({"data": str(data)})["lines"]
    assert lines == bench.shuffled_lines({"data": str(data)})["lines"]  # the same order every run
    assert lines != sorted(lines)
    assert sorted(lines)[0] == '<http://example.org/s0> <http://example.org/p> "0"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    reported = {}
    state = {"lines": lines, "report": reported.__setitem__}
    bench.sort_lines(state)
    assert reported == {"items": 50}
    bench.set_of_lines({**state, "lines": lines + lines[:3]})
    assert reported == {"items": 50}


def test_the_growth_table_puts_the_machine_s_yardsticks_under_n_log_n():
    def ok(seconds: float) -> dict:
        return {"status": bench.OK, "seconds": seconds, "peak_kb": 1024, "cpu_seconds": seconds, "load": 0.5,
                "extras": {}, "detail": ""}

    rows = {"reason/project": [ok(1.0)], "yardstick/sort": [ok(1.0)], "yardstick/set": [ok(1.0)]}
    results = {"sizes": {"1000": {"triples": 1000, "rows": rows},
                         "10000": {"triples": 10000, "rows": {key: [ok(10.0)] for key in rows}}}}
    assert [line.split(" | ")[0] for line in bench.growth_table(results)[2:-1]] == [
        "| *n log n (the target's bound)*", "| yardstick/sort", "| yardstick/set", "| reason/project"]


def test_a_stage_s_project_and_reference_runs_take_turns(monkeypatch, tmp_path):
    ran = []

    def fake_run(setup, measure, context, limit_s, setup_limit_s, env, mem_limit_kb):
        ran.append(measure.__name__)
        return bench.Outcome(bench.OK, 1.0, 1, 1.0, 0.1)

    monkeypatch.setattr(bench, "run_row", fake_run)
    monkeypatch.setattr(bench, "generated_file", lambda size, seed, work: (tmp_path / "x.ttl", size))
    options = bench.Options(sizes=[1000], repeat=[2], limit_s=1, setup_limit_s=1, mem_limit_kb=0, seed=1,
                            naive_inference="none", work=tmp_path, rows=("load", "validate"))
    bench.run_size(1000, 2, options, bench.Progress(8))
    assert ran == ["load_project", "load_naive", "load_project", "load_naive",
                   "validate_project", "validate_naive", "validate_project", "validate_naive"]


def test_the_full_build_rows_have_a_limit_of_their_own():
    options = {"limit_s": 120, "build_limit_s": 400}
    assert bench.row_limit_s(options, "build/naive") == 400
    assert bench.row_limit_s(options, "validate/naive") == 120
    assert bench.row_limit_s({"limit_s": 120}, "build/project") == 120  # raw results of an older run


def test_rows_can_be_chosen_by_stage_and_an_unknown_stage_is_refused():
    assert [row.key for row in bench.selected_rows(["build", "reason-cached"])] == [
        "build/project", "build/naive", "reason-cached/project",
    ]  # fmt: skip
    assert len(bench.selected_rows([])) == len(bench.ROWS)
    with pytest.raises(SystemExit, match="--rows expects stages among build, load, .*; got bogus"):
        bench.selected_rows(["bogus"])


def test_the_register_s_commands_are_timed_and_tabled(tmp_path):
    timings = bench.run_register_commands(1, tmp_path)
    assert list(timings) == ["build", "build-warm", "query"]
    assert all(len(runs) == 1 and runs[0]["seconds"] > 0 and runs[0]["cpu_seconds"] > 0 for runs in timings.values())
    lines = bench.register_lines({"register": timings})
    assert lines[0] == "## The register from the command line"
    assert [line.split(" | ")[0] for line in lines if line.startswith("| `")] == [
        "| `cpsu-kg build`, empty cache", "| `cpsu-kg build` again, nothing changed (outputs verified by hash)",
        "| `cpsu-kg query who-led-on -p date=1960-01-01`, cache filled"]
    assert list(tmp_path.iterdir()) == []  # each round's cache and outputs are removed


def test_the_endpoint_row_loads_the_built_dataset_into_a_store(dist, tmp_path, monkeypatch):
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path))
    bench.endpoint_project({"dist": dist})
    assert [path.name[:6] for path in tmp_path.iterdir() if path.is_dir()] == ["store-"]


def test_the_load_test_client_tells_a_whole_answer_from_an_error(server):
    from benchmarks import load
    from kg.query import list_queries

    requests = load.ordinary_requests(server.port, 30)
    assert len({request.raw for request in requests}) == len(list_queries()) + len(load.ENTITIES)  # each in turn
    outcomes = [load.fetch(request) for request in requests[:5]]
    assert [error for _, error in outcomes] == [None] * 5 and all(ms > 0 for ms, _ in outcomes)
    missing = load.Request(server.port, b"GET /id/person/nobody HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    assert load.fetch(missing)[1] == "HTTP 404"


def test_the_validation_growth_script_prints_a_row_per_size_and_the_exponents(capsys):
    validation_growth.main(["--sizes", "1000,3000"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| triples | exact N-Triples | turbo, no targets | turbo, the shapes | Oxigraph bulk load |"
    assert [len(line.split("|")) for line in lines[2:4]] == [7, 7]
    assert all(cell.strip().endswith(" s") for line in lines[2:4] for cell in line.split("|")[2:6])
    assert lines[4].startswith("growth 1,") and len(re.findall(r" -?\d+\.\d\d(?:,|$)", lines[4])) == 4

