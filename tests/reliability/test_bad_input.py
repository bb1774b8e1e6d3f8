"""Bad input gets one clear line, the right exit status and no traceback: malformed files, missing files, invalid registers."""


from __future__ import annotations

import subprocess
import sys

import pyoxigraph
import pytest
from support import run_cli

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
