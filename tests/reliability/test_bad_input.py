"""Bad input gets one clear line, the right exit status and no traceback: malformed files, missing files, invalid registers."""


from __future__ import annotations

import subprocess
import sys

import pyoxigraph
import pytest
from support import build_after_edit, copy_of_data, run_cli

from kg.cli import main
from kg.errors import InputError
from kg.load import add_file
from kg.paths import PROJECT_ROOT


def test_malformed_turtle_names_the_file_and_line_and_exits_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n\nex:d ex:e "unterminated .\nex:f ex:g ex:h .\n')
    finished = run_cli("validate", str(bad))
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr == (f"cpsu-kg: error: {bad}:4: Turtle syntax error: Unexpected end of file "
                               "(between line 4 column 11 and line 6 column 1)\n")


def test_a_data_folder_with_malformed_turtle_fails_the_build_with_exit_2(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "persons.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    finished = run_cli("build", "--data", str(data), "--out", str(tmp_path / "dist"))
    assert finished.returncode == 2
    assert finished.stderr.startswith(f"cpsu-kg: error: {data / 'persons.ttl'}:2: Turtle syntax error: ")
    assert not (tmp_path / "dist").exists()


def test_a_missing_file_is_reported_with_exit_2(capsys):
    assert main(["validate", "no/such/file.ttl"]) == 2
    assert capsys.readouterr().err.startswith("cpsu-kg: error: no/such/file.ttl: cannot read: ")


def test_sparql_on_a_missing_file_is_a_one_line_error():
    assert run_cli("sparql", "no/such.rq").stderr.startswith("cpsu-kg: error: cannot read the query file no/such.rq")


def test_query_sparql_and_docs_refuse_a_register_the_build_rejects(tmp_path):
    import shutil

    from kg.paths import DATA_DIR

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    tenures = data / "tenures.ttl"
    tenures.write_text(tenures.read_text().replace("cpsu:acting false", 'cpsu:acting "no"^^xsd:boolean', 1))
    refusal = (f"cpsu-kg: error: the register in {data} violates the shapes (1 result(s)); "
               "`cpsu-kg build` lists them\n")
    for command in (["query", "who-led-on", "-p", "date=1960-01-01"], ["docs", "--out", str(tmp_path / "docs")]):
        finished = run_cli(*command, "--data", str(data))
        assert (finished.returncode, finished.stdout, finished.stderr) == (2, "", refusal)
    finished = subprocess.run([sys.executable, "-m", "kg", "sparql", "-", "--data", str(data)], cwd=PROJECT_ROOT,
                              input="ASK {}", capture_output=True, text=True)
    assert (finished.returncode, finished.stderr) == (2, refusal)
    assert not (tmp_path / "docs").exists()


def test_a_turtle_syntax_error_names_the_line_oxigraph_found_and_adds_nothing(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n<x> <y> .\n")
    store = pyoxigraph.Store()
    with pytest.raises(InputError, match=r"broken\.ttl:2: Turtle syntax error: "):
        add_file(store, broken, "http://example.org/graph")
    assert len(store) == 0


def one_line_error(finished: subprocess.CompletedProcess) -> str:
    """The one line a refused command prints, after checking it is one line and no traceback."""
    assert "Traceback" not in finished.stderr
    assert finished.stderr.count("\n") == 1, finished.stderr
    return finished.stderr


@pytest.mark.parametrize("command", ["build", "query", "sparql"])
def test_a_data_file_that_is_not_utf8_is_one_line_naming_it(tmp_path, command):
    data = copy_of_data(tmp_path)
    (data / "persons.ttl").write_bytes((data / "persons.ttl").read_bytes().replace("Сталин".encode(), b"\xd0\xa1\xff"))
    arguments = {"build": ["--out", str(tmp_path / "dist")], "query": ["who-led-on", "-p", "date=1960-01-01"], "sparql": [str(ASK_FILE)]}
    finished = run_cli(command, *arguments[command], "--data", str(data))
    assert finished.returncode == 2
    assert one_line_error(finished).startswith(f"cpsu-kg: error: {data / 'persons.ttl'}")
    assert not (tmp_path / "dist").exists()


ASK_FILE = PROJECT_ROOT / "tests" / "fixtures" / "ask.rq"


def test_a_symlink_loop_in_the_data_folder_is_one_line_naming_it(tmp_path):
    data = copy_of_data(tmp_path)
    (data / "loop.ttl").symlink_to(data / "loop.ttl")
    finished = run_cli("build", "--data", str(data), "--out", str(tmp_path / "dist"))
    assert finished.returncode == 2
    assert one_line_error(finished).startswith(f"cpsu-kg: error: {data / 'loop.ttl'}")


def test_an_ill_typed_literal_is_one_violation_and_no_traceback(tmp_path):
    data = copy_of_data(tmp_path)
    lives = data / "lives.ttl"
    lives.write_text(lives.read_text().replace('"1883-10-10"^^xsd:date', '"1883-10-45"^^xsd:date'))
    finished = run_cli("build", "--data", str(data), "--out", str(tmp_path / "dist"))
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr and "rdflib" not in finished.stderr
    violations = [line for line in finished.stderr.splitlines() if ": Violation: " in line]
    assert violations == [f"{lives}: Violation: birth:adolph-joffe — path cpsu:date — rule shape:LifeEventDate: A birth or "
                          "death has at most one date: a day (xsd:date, YYYY-MM-DD), a month (xsd:gYearMonth, YYYY-MM) or "
                          "a year (xsd:gYear, YYYY), well formed and in the Gregorian calendar. "
                          '(value: "1883-10-45"^^xsd:date)']


def test_a_bad_iri_is_reported_at_the_line_the_parser_found_it(tmp_path):
    data = copy_of_data(tmp_path)
    persons = data / "persons.ttl"
    lines = persons.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("person:joseph-stalin a cpsu:Person"))
    lines[number] = lines[number].replace("rdfs:label", "<http://exa mple.org/p>", 1)
    persons.write_text("".join(lines))
    finished = run_cli("build", "--data", str(data), "--out", str(tmp_path / "dist"))
    assert finished.returncode == 2
    assert one_line_error(finished).startswith(f"cpsu-kg: error: {persons}:{number + 1}: Turtle syntax error: ")


def test_a_misspelt_property_fails_the_build_naming_it(tmp_path):
    finished, _, out = build_after_edit(tmp_path, "persons.ttl", "person:joseph-stalin a cpsu:Person ;",
                                        "person:joseph-stalin a cpsu:Person ; cpsu:deathDat 1 ;")
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    assert finished.stderr.splitlines()[0] == ("Check failed: undeclared-term-violation — A class or property of the cpsu: "
                                               "vocabulary that the register uses but the ontology does not declare, "
                                               "with the first node that uses it.")
    assert finished.stderr.splitlines()[3].split() == ["https://w3id.org/cpsu-kg/ontology#deathDat", "property",
                                                       "https://w3id.org/cpsu-kg/id/person/joseph-stalin"]
    assert (out / "cpsu.ttl").read_text() == "previous build\n"


def test_a_misspelt_class_fails_the_build_at_the_shapes(tmp_path):
    finished, _, out = build_after_edit(tmp_path, "persons.ttl", "person:joseph-stalin a cpsu:Person ;",
                                        "person:joseph-stalin a cpsu:Persn ;")
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    # what uses him fails its shapes (he is no longer a person), and the cause is named beside it
    assert "— rule shape:TenureHolder: A tenure has exactly one holder, who is a cpsu:Person" in finished.stderr
    lines = finished.stderr.splitlines()
    first = lines.index("Check failed: undeclared-term-violation — A class or property of the cpsu: vocabulary that the "
                        "register uses but the ontology does not declare, with the first node that uses it.")
    assert lines[first + 3].split() == ["https://w3id.org/cpsu-kg/ontology#Persn", "class",
                                        "https://w3id.org/cpsu-kg/id/person/joseph-stalin"]
    assert (out / "cpsu.ttl").read_text() == "previous build\n"


SHAPE_WITH_QUERY = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { %s }" ] .
"""


@pytest.mark.parametrize(("query", "reason"), [
    ("$this ?p ?o . MINUS { $this ?p ?o }", "SPARQL constraints cannot use MINUS"),
    ("$this ?p ?o . {", "SPARQL parse error"),
], ids=["forbidden by SHACL", "does not parse"])
def test_shapes_the_engine_cannot_run_are_one_input_error_naming_the_file(tmp_path, query, reason):
    from kg.validate import turbo_report

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPE_WITH_QUERY % query, encoding="utf-8")
    with pytest.raises(InputError, match=f"^{shapes}: the SHACL shapes cannot be run: .*{reason}"):
        turbo_report("<http://example.org/a> a <http://example.org/C> .\n", shapes)
