"""The command line: exit codes 0/1/2, results on stdout, messages on stderr naming the file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import run_cli

from kg.cli import main
from kg.paths import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"


def test_an_unknown_option_is_a_usage_error_with_exit_2():
    finished = run_cli("build", "--outdir", "x")
    assert finished.returncode == 2
    assert finished.stderr.startswith("usage: cpsu-kg")
    assert "unrecognized arguments: --outdir x" in finished.stderr


def test_an_unknown_command_is_a_usage_error_with_exit_2():
    finished = run_cli("frobnicate")
    assert finished.returncode == 2
    assert "invalid choice: 'frobnicate'" in finished.stderr


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_validate_reports_violations_on_stdout_and_exits_1(tmp_path, engine):
    broken = tmp_path / "broken.ttl"
    base = (FIXTURES / "base.ttl").read_text()
    broken.write_text(base.replace('"1930-01-01"^^xsd:date ;\n    cpsu:ordinal 1', '"1930-06"^^xsd:gYearMonth ;\n    cpsu:ordinal 1'))
    finished = run_cli("validate", "--engine", engine, str(broken))
    assert finished.returncode == 1
    overlap = ("another non-acting tenure of the same office: one office cannot have two elected holders on the same "
               "day (unless it is collegial, cpsu:collegial true).")
    assert finished.stdout.splitlines() == [
        f"{broken}: Violation: tenure:leader-1 — path cpsu:office — rule shape:NoOverlappingTenures: This tenure "
        f"overlaps https://w3id.org/cpsu-kg/id/tenure/leader-2, {overlap} (value: tenure:leader-2)",
        f"{broken}: Violation: tenure:leader-1 — path cpsu:replacedBy — rule shape:SuccessorStartsAfterEnd: Its "
        "successor https://w3id.org/cpsu-kg/id/tenure/leader-2 starts before this tenure ends: a successor takes "
        "office on or after the day the predecessor leaves. (value: tenure:leader-2)",
        f"{broken}: Violation: tenure:leader-2 — path cpsu:office — rule shape:NoOverlappingTenures: This tenure "
        f"overlaps https://w3id.org/cpsu-kg/id/tenure/leader-1, {overlap} (value: tenure:leader-1)",
        "3 violation(s), 0 warning(s).",
    ]


def test_validate_without_files_checks_the_register_and_exits_0(capsys):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "0 violation(s), 0 warning(s).\n"


def test_an_unknown_validation_engine_is_a_usage_error():
    finished = run_cli("validate", "--engine", "jena")
    assert finished.returncode == 2
    assert "argument --engine: invalid choice: 'jena' (choose from 'turbo', 'pyshacl')" in finished.stderr


def test_cli_timeline_writes_the_picture_and_rejects_a_bad_file_name(tmp_path):
    written = run_cli("timeline", "-o", str(tmp_path / "timeline.svg"), "--from", "1980", "--to", "1991")
    assert (written.returncode, written.stdout) == (0, f"wrote        {tmp_path / 'timeline.svg'}\n")
    svg = (tmp_path / "timeline.svg").read_text()
    assert "Mikhail Gorbachev" in svg and "Joseph Stalin" not in svg
    refused = run_cli("timeline", "-o", str(tmp_path / "timeline.gif"))
    assert refused.returncode == 2
    assert refused.stderr == (f"cpsu-kg: error: cannot write a timeline to {tmp_path / 'timeline.gif'}: "
                              "the file name must end in .svg or .png\n")


def test_cli_docs_writes_the_ontology_register_and_body_pages(tmp_path):
    finished = run_cli("docs", "--out", str(tmp_path / "docs"))
    assert finished.returncode == 0, finished.stderr
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [
        "ontology.html", "orgburo.html", "politburo.html", "register.html", "secretariat.html", "timeline-orgburo.svg",
        "timeline-politburo.svg", "timeline-secretariat.svg", "timeline.svg"]
    # it says what it is doing before the seconds it takes, then what it wrote
    assert finished.stdout.splitlines()[0] == (f"writing      the ontology, register and body pages and their charts "
                                               f"into {tmp_path / 'docs'}/ (a few seconds)")
    assert finished.stdout.splitlines()[1].startswith(f"wrote        {tmp_path / 'docs' / 'ontology.html'}, ")


def test_cli_wikidata_without_network_or_cache_is_a_one_line_error_with_exit_2():
    finished = run_cli("wikidata", "check", "--endpoint", "http://127.0.0.1:9/sparql")
    assert finished.returncode == 2
    assert finished.stderr.startswith("cpsu-kg: error: cannot reach the Wikidata endpoint http://127.0.0.1:9/sparql: ")
    assert finished.stderr.endswith("; no cached answer (run once with network, or pass --endpoint)\n")
    assert len(finished.stderr.splitlines()) == 1


def sparql(query: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", "sparql", "-", *options], cwd=PROJECT_ROOT, input=query,
                          capture_output=True, text=True)


def test_sparql_runs_a_query_from_standard_input_with_the_prefixes_declared():
    finished = sparql('SELECT ?name WHERE { person:joseph-stalin rdfs:label ?name } ORDER BY ?name', "--format", "csv")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines() == ["name", "Joseph Stalin", "Иосиф Сталин"]


def test_sparql_reads_a_file_and_answers_ask_and_construct(tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("PREFIX p: <https://w3id.org/cpsu-kg/id/person/>\nASK { p:joseph-stalin a cpsu:Person }\n")
    assert subprocess.run([sys.executable, "-m", "kg", "sparql", str(query), "--format", "csv"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True).stdout.splitlines() == ["ask", "true"]
    construct = sparql("CONSTRUCT { ?p a cpsu:Person } WHERE { ?p a cpsu:Person ; cpsu:death/cpsu:date "
                       '"1953-03-05"^^xsd:date }', "--format", "csv")
    assert construct.stdout.splitlines() == [
        "subject,predicate,object",
        "https://w3id.org/cpsu-kg/id/person/joseph-stalin,http://www.w3.org/1999/02/22-rdf-syntax-ns#type,"
        "https://w3id.org/cpsu-kg/ontology#Person",
    ]


def test_sparql_with_a_syntax_error_names_the_user_s_line_and_exits_2():
    finished = sparql("SELECT * WHERE {\n  ?s ?p }")
    assert finished.returncode == 2
    assert finished.stderr.startswith("cpsu-kg: error: the query is not valid SPARQL: error at line 2, column ")
    assert finished.stdout == ""


def test_version_names_the_installed_version():
    from importlib.metadata import version

    finished = run_cli("--version")
    assert (finished.returncode, finished.stdout) == (0, f"cpsu-kg {version('cpsu-kg')}\n")
