"""Every stored query returns exactly the expected rows on the real register; parameters are typed and bound."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.paths import PROJECT_ROOT
from kg.query import bind_parameters, get_query, list_queries, read_query, render, run, run_oxigraph, run_query

TOP = {
    "CS": "Chairman of the Secretariat of the Central Committee",
    "RS": "Responsible Secretary of the Central Committee",
    "GS": "General Secretary of the Central Committee of the CPSU",
    "FS": "First Secretary of the Central Committee of the CPSU",
    "PPVS": "Chairman of the Presidium of the Supreme Soviet of the USSR",
    "CoM": "Chairman of the Council of Ministers of the USSR",
    "SNK": "Chairman of the Council of People's Commissars of the USSR",
    "SS": "Second Secretary of the Central Committee",
    "CVS": "Chairman of the Supreme Soviet of the USSR",
    "PRES": "President of the Soviet Union",
}


def table(graph, name, columns, **params):
    """The given columns of a stored query's rows, as tuples of strings ('' when unbound)."""
    rows = run(get_query(name), graph, {k: str(v) for k, v in params.items()})
    index = [rows.variables.index(column) for column in columns]
    return [tuple("" if row[i] is None else row[i].value for i in index) for row in rows.rows]


def test_top_office_holders(queryable):
    assert table(queryable, "top-office-holders", ["holderLabel", "officeLabel", "start", "end", "acting", "endCause", "days"]) == [
        ("Yakov Sverdlov", TOP["CS"], "1918-03-08", "1919-03-16", "false", "death in office", "373"),
        ("Elena Stasova", TOP["RS"], "1919-03-25", "1919-11-29", "false", "not documented", "249"),
        ("Nikolai Krestinsky", TOP["RS"], "1919-11-29", "1921-03-16", "false", "not documented", "473"),
        ("Vyacheslav Molotov", TOP["RS"], "1921-03-16", "1922-04-03", "false", "office abolished", "383"),
        ("Joseph Stalin", TOP["GS"], "1922-04-03", "1952-10-16", "false", "office abolished", "11154"),
        ("Nikita Khrushchev", TOP["FS"], "1953-09-07", "1964-10-14", "false", "removal", "4055"),
        ("Leonid Brezhnev", TOP["FS"], "1964-10-14", "1966-04-08", "false", "office renamed", "541"),
        ("Leonid Brezhnev", TOP["GS"], "1966-04-08", "1982-11-10", "false", "death in office", "6060"),
        ("Yuri Andropov", TOP["GS"], "1982-11-12", "1984-02-09", "false", "death in office", "454"),
        ("Konstantin Chernenko", TOP["GS"], "1984-02-13", "1985-03-10", "false", "death in office", "391"),
        ("Mikhail Gorbachev", TOP["GS"], "1985-03-11", "1991-08-24", "false", "resignation", "2357"),
        ("Vladimir Ivashko", TOP["GS"], "1991-08-24", "1991-08-29", "true", "party suspended", "5"),
    ]


@pytest.mark.parametrize(("date", "expected"), [
    ("1930-01-01", [("Joseph Stalin", TOP["GS"], "1922-04-03", "1952-10-16", "")]),
    ("1953-06-01", [("", "", "1952-10-16", "1953-09-07",
                     "nobody formally held the top office; the last holder, Joseph Stalin, left it on 1952-10-16; "
                     "the next, Nikita Khrushchev, took it on 1953-09-07")]),
    ("1960-01-01", [("Nikita Khrushchev", TOP["FS"], "1953-09-07", "1964-10-14", "")]),
    ("1966-04-07", [("Leonid Brezhnev", TOP["FS"], "1964-10-14", "1966-04-08", "")]),
    ("1966-04-09", [("Leonid Brezhnev", TOP["GS"], "1966-04-08", "1982-11-10", "")]),
    ("1991-08-24", [("Mikhail Gorbachev", TOP["GS"], "1985-03-11", "1991-08-24", ""),
                    ("Vladimir Ivashko", TOP["GS"], "1991-08-24", "1991-08-29", "acting holder, not elected")]),
    ("1991-08-26", [("Vladimir Ivashko", TOP["GS"], "1991-08-24", "1991-08-29", "acting holder, not elected")]),
    ("1992-01-01", [("", "", "1991-08-29", "",
                     "nobody formally held the top office; the last holder, Vladimir Ivashko, left it on 1991-08-29")]),
])
def test_who_led_on(queryable, date, expected):
    assert table(queryable, "who-led-on", ["holderLabel", "officeLabel", "start", "end", "note"], date=date) == expected


def test_succession_of_khrushchev(queryable):
    assert table(queryable, "succession", ["position", "holderLabel", "officeLabel", "start"], person="nikita-khrushchev") == [
        ("predecessor", "Yakov Sverdlov", TOP["CS"], "1918-03-08"),
        ("predecessor", "Elena Stasova", TOP["RS"], "1919-03-25"),
        ("predecessor", "Nikolai Krestinsky", TOP["RS"], "1919-11-29"),
        ("predecessor", "Vyacheslav Molotov", TOP["RS"], "1921-03-16"),
        ("predecessor", "Joseph Stalin", TOP["GS"], "1922-04-03"),
        ("self", "Nikita Khrushchev", TOP["FS"], "1953-09-07"),
        ("successor", "Leonid Brezhnev", TOP["FS"], "1964-10-14"),
        ("successor", "Leonid Brezhnev", TOP["GS"], "1966-04-08"),
        ("successor", "Yuri Andropov", TOP["GS"], "1982-11-12"),
        ("successor", "Konstantin Chernenko", TOP["GS"], "1984-02-13"),
        ("successor", "Mikhail Gorbachev", TOP["GS"], "1985-03-11"),
        ("successor", "Vladimir Ivashko", TOP["GS"], "1991-08-24"),
    ]


def test_succession_of_brezhnev_marks_both_of_his_titles_as_his_own(queryable):
    rows = table(queryable, "succession", ["position", "holderLabel", "officeLabel"],
                 person="https://w3id.org/cpsu-kg/id/person/leonid-brezhnev")
    assert [row for row in rows if row[0] == "self"] == [("self", "Leonid Brezhnev", TOP["FS"]), ("self", "Leonid Brezhnev", TOP["GS"])]
    assert (rows[5], rows[8]) == (("predecessor", "Nikita Khrushchev", TOP["FS"]), ("successor", "Yuri Andropov", TOP["GS"]))


def test_died_in_office(queryable):
    assert table(queryable, "died-in-office", ["holderLabel", "officeLabel", "end"]) == [
        ("Yakov Sverdlov", TOP["CS"], "1919-03-16"),
        ("Vladimir Lenin", TOP["SNK"], "1924-01-21"),
        ("Joseph Stalin", TOP["CoM"], "1953-03-05"),
        ("Mikhail Suslov", TOP["SS"], "1982-01-25"),
        ("Leonid Brezhnev", TOP["PPVS"], "1982-11-10"),
        ("Leonid Brezhnev", TOP["GS"], "1982-11-10"),
        ("Yuri Andropov", TOP["PPVS"], "1984-02-09"),
        ("Yuri Andropov", TOP["GS"], "1984-02-09"),
        ("Konstantin Chernenko", TOP["PPVS"], "1985-03-10"),
        ("Konstantin Chernenko", TOP["GS"], "1985-03-10"),
    ]


def test_tenure_lengths_longest_first(queryable):
    assert table(queryable, "tenure-lengths", ["holderLabel", "days"]) == [
        ("Joseph Stalin", "11154"), ("Leonid Brezhnev", "6060"), ("Nikita Khrushchev", "4055"),
        ("Mikhail Gorbachev", "2357"), ("Leonid Brezhnev", "541"), ("Nikolai Krestinsky", "473"),
        ("Yuri Andropov", "454"), ("Konstantin Chernenko", "391"), ("Vyacheslav Molotov", "383"),
        ("Yakov Sverdlov", "373"), ("Elena Stasova", "249"), ("Vladimir Ivashko", "5"),
    ]


def test_troikas(queryable):
    assert table(queryable, "troikas", ["troikaLabel", "memberLabel", "role", "start", "end"]) == [
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Grigory Zinoviev",
         "Chairman of the Petrograd Soviet and of the Communist International", "1923", "1925"),
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Joseph Stalin", "General Secretary of the Central Committee", "1923", "1925"),
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Lev Kamenev",
         "Chairman of the Moscow Soviet and Deputy Chairman of the Council of People's Commissars", "1923", "1925"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Georgy Malenkov", "Chairman of the Council of Ministers", "1953-03-05", "1953-06-26"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Lavrentiy Beria",
         "First Deputy Chairman of the Council of Ministers and Minister of Internal Affairs", "1953-03-05", "1953-06-26"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Vyacheslav Molotov",
         "First Deputy Chairman of the Council of Ministers and Minister of Foreign Affairs", "1953-03-05", "1953-06-26"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Leonid Brezhnev", "First Secretary (General Secretary from 1966)", "1964-10-14", "1977-06-16"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Nikolai Podgorny",
         "Second Secretary, then Chairman of the Presidium of the Supreme Soviet (from 9 December 1965)", "1964-10-14", "1977-06-16"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Alexei Kosygin", "Chairman of the Council of Ministers", "1964-10-15", "1977-06-16"),
    ]


def test_congresses(queryable):
    rows = table(queryable, "congresses", ["ordinal", "start", "end", "startOldStyle", "endOldStyle", "place", "partyName"])
    assert [row[0] for row in rows] == [str(n) for n in range(1, 29)]
    assert rows[:7] == [
        ("1", "1898-03-13", "1898-03-15", "1898-03-01", "1898-03-03", "Minsk", "Russian Social Democratic Labour Party"),
        ("2", "1903-07-30", "1903-08-23", "1903-07-17", "1903-08-10", "Brussels, London", "Russian Social Democratic Labour Party"),
        ("3", "1905-04-25", "1905-05-10", "1905-04-12", "1905-04-27", "London", "Russian Social Democratic Labour Party"),
        ("4", "1906-04-23", "1906-05-08", "1906-04-10", "1906-04-25", "Stockholm", "Russian Social Democratic Labour Party"),
        ("5", "1907-05-13", "1907-06-01", "1907-04-30", "1907-05-19", "London", "Russian Social Democratic Labour Party"),
        ("6", "1917-08-08", "1917-08-16", "1917-07-26", "1917-08-03", "Petrograd", "Russian Social Democratic Labour Party (Bolsheviks)"),
        ("7", "1918-03-06", "1918-03-08", "", "", "Petrograd", "Russian Social Democratic Labour Party (Bolsheviks)"),
    ]
    assert [(row[0], row[1], row[2]) for row in rows[7:]] == [
        ("8", "1919-03-18", "1919-03-23"), ("9", "1920-03-29", "1920-04-05"), ("10", "1921-03-08", "1921-03-16"),
        ("11", "1922-03-27", "1922-04-02"), ("12", "1923-04-17", "1923-04-25"), ("13", "1924-05-23", "1924-05-31"),
        ("14", "1925-12-18", "1925-12-31"), ("15", "1927-12-02", "1927-12-19"), ("16", "1930-06-26", "1930-07-13"),
        ("17", "1934-01-26", "1934-02-10"), ("18", "1939-03-10", "1939-03-21"), ("19", "1952-10-05", "1952-10-14"),
        ("20", "1956-02-14", "1956-02-25"), ("21", "1959-01-27", "1959-02-05"), ("22", "1961-10-17", "1961-10-31"),
        ("23", "1966-03-29", "1966-04-08"), ("24", "1971-03-30", "1971-04-09"), ("25", "1976-02-24", "1976-03-05"),
        ("26", "1981-02-23", "1981-03-03"), ("27", "1986-02-25", "1986-03-06"), ("28", "1990-07-02", "1990-07-13"),
    ]
    assert {row[6] for row in rows[7:14]} == {"Russian Communist Party (Bolsheviks)"}
    assert {row[6] for row in rows[14:19]} == {"All-Union Communist Party (Bolsheviks)"}
    assert {row[6] for row in rows[19:]} == {"Communist Party of the Soviet Union"}
    decided = [(row[0], row[1][:60]) for row in table(queryable, "congresses", ["ordinal", "decision"]) if row[1]]
    assert decided == [
        ("11", "Its Central Committee, meeting on 3 April 1922, the day afte"),
        ("17", "Did not formally re-elect Stalin as General Secretary; he ke"),
        ("19", "Renamed the party the Communist Party of the Soviet Union (1"),
        ("23", "Renamed the post of First Secretary back to General Secretar"),
    ]


def test_congresses_during_brezhnevs_tenure(queryable):
    assert table(queryable, "congresses-during-tenure", ["ordinal", "start", "officeLabel"], person="leonid-brezhnev") == [
        ("23", "1966-03-29", TOP["FS"]), ("24", "1971-03-30", TOP["GS"]),
        ("25", "1976-02-24", TOP["GS"]), ("26", "1981-02-23", TOP["GS"]),
    ]


def test_congresses_during_stalins_tenure(queryable):
    assert [row[0] for row in table(queryable, "congresses-during-tenure", ["ordinal"], person="joseph-stalin")] == [
        "12", "13", "14", "15", "16", "17", "18", "19"]


def test_second_secretaries_who_led(queryable):
    assert table(queryable, "second-secretaries-who-led", ["personLabel", "secondStart", "secondEnd", "topOfficeLabel", "topStart"]) == [
        ("Leonid Brezhnev", "1964-07-15", "1964-10-14", TOP["FS"], "1964-10-14"),
        ("Konstantin Chernenko", "1982-01-25", "1982-05-24", TOP["GS"], "1984-02-13"),
        ("Yuri Andropov", "1982-05-24", "1982-11-10", TOP["GS"], "1982-11-12"),
        ("Konstantin Chernenko", "1982-11-10", "1984-02-09", TOP["GS"], "1984-02-13"),
    ]


def test_party_and_state_offices(queryable):
    assert table(queryable, "party-and-state-offices", ["personLabel", "kind", "officeLabel", "since"]) == [
        ("Joseph Stalin", "party", TOP["GS"], "1922-04-03"),
        ("Joseph Stalin", "state", TOP["SNK"], "1941-05-06"),
        ("Joseph Stalin", "state", TOP["CoM"], "1946-03-19"),
        ("Nikita Khrushchev", "party", TOP["FS"], "1953-09-07"),
        ("Nikita Khrushchev", "state", TOP["CoM"], "1958-03-27"),
        ("Leonid Brezhnev", "state", TOP["PPVS"], "1960-05-07"),
        ("Leonid Brezhnev", "party", TOP["FS"], "1964-10-14"),
        ("Leonid Brezhnev", "party", TOP["GS"], "1966-04-08"),
        ("Yuri Andropov", "party", TOP["GS"], "1982-11-12"),
        ("Yuri Andropov", "state", TOP["PPVS"], "1983-06-16"),
        ("Konstantin Chernenko", "party", TOP["GS"], "1984-02-13"),
        ("Konstantin Chernenko", "state", TOP["PPVS"], "1984-04-11"),
        ("Mikhail Gorbachev", "party", TOP["GS"], "1985-03-11"),
        ("Mikhail Gorbachev", "state", TOP["PPVS"], "1988-10-01"),
        ("Mikhail Gorbachev", "state", TOP["CVS"], "1989-05-25"),
        ("Mikhail Gorbachev", "state", TOP["PRES"], "1990-03-15"),
    ]


def test_wikidata_links(queryable):
    rows = table(queryable, "wikidata-links", ["label", "class", "wikidata"])
    assert len(rows) == 30
    assert rows[:3] == [
        ("Soviet Union", "Organisation", "http://www.wikidata.org/entity/Q15180"),
        ("Russian Social Democratic Labour Party", "PartyName", "http://www.wikidata.org/entity/Q204911"),
        ("Central Committee of the Communist Party of the Soviet Union", "PartyOrgan", "http://www.wikidata.org/entity/Q1971373"),
    ]
    assert ("General Secretary of the Central Committee of the CPSU", "TopPartyOffice", "http://www.wikidata.org/entity/Q1048744") in rows
    assert [row for row in rows if row[1] == "Person"][0] == ("Boris Yeltsin", "Person", "http://www.wikidata.org/entity/Q34453")


@pytest.mark.parametrize(("date", "expected"), [
    ("1900-01-01", [("RSDLP", "1898-03-15", "1917")]),
    ("1917-08-10", [("RSDLP(b)", "1917", "1918-03-08")]),
    ("1918-03-08", [("RSDLP(b)", "1917", "1918-03-08"), ("RCP(b)", "1918-03-08", "1925-12-31")]),
    ("1925-12-20", [("RCP(b)", "1918-03-08", "1925-12-31")]),
    ("1930-01-01", [("AUCP(b)", "1925-12-31", "1952-10-13")]),
    ("1960-01-01", [("CPSU", "1952-10-13", "")]),
])
def test_party_name_on(queryable, date, expected):
    assert table(queryable, "party-name-on", ["abbreviation", "from", "until"], date=date) == expected


def test_every_stored_query_has_a_summary_and_a_test_here():
    source = Path(__file__).read_text(encoding="utf-8")
    queries = list_queries()
    assert len(queries) == 12
    assert [q.name for q in queries if not q.summary] == []
    assert [q.name for q in queries if f'"{q.name}"' not in source] == []


def test_parameters_are_typed_from_their_grlc_names():
    assert [(p.name, p.kind) for p in get_query("who-led-on").parameters] == [("date", "xsd_date")]
    assert [(p.name, p.kind) for p in get_query("succession").parameters] == [("person", "iri")]
    assert get_query("top-office-holders").parameters == ()


@pytest.mark.parametrize(("name", "values", "message"), [
    ("who-led-on", {"date": "1953-13-01"}, "parameter 'date' expects an xsd:date such as 1953-06-01, got '1953-13-01'"),
    ("who-led-on", {"date": "June 1953"}, "parameter 'date' expects an xsd:date such as 1953-06-01, got 'June 1953'"),
    ("who-led-on", {}, "query 'who-led-on' needs parameter 'date': an xsd:date such as 1953-06-01"),
    ("who-led-on", {"date": "1953-06-01", "when": "x"},
     "unknown parameter 'when' for query 'who-led-on'; expected: date (an xsd:date such as 1953-06-01)"),
    ("succession", {"person": "Joseph Stalin"},
     "parameter 'person' expects a person id such as joseph-stalin, or the IRI "
     "https://w3id.org/cpsu-kg/id/person/joseph-stalin, got 'Joseph Stalin'"),
    ("top-office-holders", {"date": "1953-06-01"},
     "unknown parameter 'date' for query 'top-office-holders'; expected: no parameters"),
])
def test_bad_parameters_say_what_was_expected(name, values, message):
    with pytest.raises(InputError) as error:
        bind_parameters(get_query(name), values)
    assert str(error.value) == message


def test_an_unknown_person_is_reported_with_the_known_ids(queryable):
    with pytest.raises(InputError, match=r"^no person 'https://w3id.org/cpsu-kg/id/person/stalin' in the register; "
                                         r"expected one of: alexei-kirichenko, alexei-kosygin, "):
        run(get_query("succession"), queryable, {"person": "stalin"})


def test_an_unknown_query_lists_the_stored_ones():
    with pytest.raises(InputError) as error:
        get_query("who-ruled")
    assert str(error.value).startswith("unknown query 'who-ruled'; expected one of: congresses-during-tenure, congresses, ")


def test_a_query_file_with_a_syntax_error_is_reported_with_its_name(tmp_path):
    broken = tmp_path / "broken-query.rq"
    broken.write_text("#+ summary: broken\nSELECT ?x WHERE { ?x ?p }\n")
    with pytest.raises(InputError, match=r"broken-query\.rq: SPARQL syntax error in query 'broken-query': "):
        read_query(broken)


def test_run_query_returns_python_values(queryable):
    rows = run_query("who-led-on", queryable, date="1960-01-01")
    assert rows == [{
        "holder": "https://w3id.org/cpsu-kg/id/person/nikita-khrushchev", "holderLabel": "Nikita Khrushchev",
        "officeLabel": TOP["FS"], "start": datetime.date(1953, 9, 7), "end": datetime.date(1964, 10, 14),
        "acting": False, "note": "",
    }]


def test_result_formats_follow_the_sparql_results_specs(queryable):
    rows = run(get_query("who-led-on"), queryable, {"date": "1991-08-26"})
    assert render(rows, "csv").splitlines()[1] == (
        "https://w3id.org/cpsu-kg/id/person/vladimir-ivashko,Vladimir Ivashko,"
        f"{TOP['GS']},1991-08-24,1991-08-29,true,\"acting holder, not elected\"")
    assert render(rows, "tsv").splitlines() == [
        "?holder\t?holderLabel\t?officeLabel\t?start\t?end\t?acting\t?note",
        '<https://w3id.org/cpsu-kg/id/person/vladimir-ivashko>\t"Vladimir Ivashko"@en\t'
        f'"{TOP["GS"]}"@en\t"1991-08-24"^^<http://www.w3.org/2001/XMLSchema#date>\t'
        '"1991-08-29"^^<http://www.w3.org/2001/XMLSchema#date>\t"true"^^<http://www.w3.org/2001/XMLSchema#boolean>\t'
        '"acting holder, not elected"',
    ]
    assert '"start": {\n          "type": "literal",\n          "value": "1991-08-24",\n          "datatype": ' \
           '"http://www.w3.org/2001/XMLSchema#date"\n        }' in render(rows, "json")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_cli_query_prints_a_table_on_stdout():
    finished = run_cli("query", "who-led-on", "-p", "date=1966-04-09")
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0].split() == ["holder", "holderLabel", "officeLabel", "start", "end", "acting", "note"]
    assert "Leonid Brezhnev  General Secretary of the Central Committee of the CPSU  1966-04-08  1982-11-10  false" in lines[2]
    assert lines[-1] == "(1 row)"


def test_cli_injection_attempt_in_a_parameter_is_rejected_and_changes_nothing():
    before = (PROJECT_ROOT / "data" / "tenures.ttl").read_bytes()
    finished = run_cli("query", "who-led-on", "-p", 'date=1953-01-01"^^xsd:date) } } DROP ALL #')
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr == ("cpsu-kg: error: parameter 'date' expects an xsd:date such as 1953-06-01, "
                               "got '1953-01-01\"^^xsd:date) } } DROP ALL #'\n")
    assert (PROJECT_ROOT / "data" / "tenures.ttl").read_bytes() == before
    after = run_cli("query", "top-office-holders", "--format", "csv")
    assert after.returncode == 0 and len(after.stdout.splitlines()) == 13


def test_cli_unknown_query_and_bad_format_exit_2():
    unknown = run_cli("query", "who-ruled")
    assert (unknown.returncode, unknown.stderr.split(";")[0]) == (2, "cpsu-kg: error: unknown query 'who-ruled'")
    bad_format = run_cli("query", "who-led-on", "-p", "date=1960-01-01", "--format", "xml")
    assert bad_format.returncode == 2 and "invalid choice: 'xml'" in bad_format.stderr
    malformed = run_cli("query", "who-led-on", "-p", "1960-01-01")
    assert (malformed.returncode, malformed.stderr) == (2, "cpsu-kg: error: parameter '1960-01-01' is not of the form name=value\n")


def test_cli_queries_lists_every_query_with_its_parameters():
    finished = run_cli("queries")
    assert finished.returncode == 0
    assert "who-led-on -p date=<xsd:date>\n    Who held the party's top office on a given day" in finished.stdout
    assert "succession -p person=<iri>\n" in finished.stdout


def test_the_python_api_loads_validates_reasons_queries_and_exports(tmp_path):
    import kg

    graph = kg.load()
    assert kg.validate(graph).conforms
    inferred = kg.reason(graph)
    rows = kg.run_query("who-led-on", graph + inferred, date="1953-06-01")
    assert [row["holder"] for row in rows] == [None]
    written = kg.export(graph, tmp_path / "dist")
    assert [path.name for path in written] == [
        "cpsu.ttl", "cpsu.nt", "cpsu-full.nt", "cpsu.jsonld", "cpsu-inferred.ttl", "cpsu.trig", "void.ttl"]


def test_the_register_store_is_cached_by_the_files_and_matches_the_graph(queryable):
    from kg.query import register_store

    store = register_store()
    assert len(store) == len(queryable)
    assert run_oxigraph(get_query("who-led-on"), store, {"date": "1960-01-01"}).rows == \
        run(get_query("who-led-on"), queryable, {"date": "1960-01-01"}).rows


def test_the_first_query_after_a_build_reuses_the_closure_the_build_cached(tmp_path, monkeypatch, queryable):
    import sys

    from kg.build import build
    from kg.paths import DATA_DIR
    from kg.query import register_store

    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    assert build(DATA_DIR, tmp_path / "dist").files
    closures = sorted((tmp_path / "cache").glob("inferred-*.nt"))
    assert len(closures) == 1
    monkeypatch.setattr(sys.modules["kg.reason"], "ENGINES", {})  # reasoning anew would now raise KeyError
    store = register_store()
    assert sorted((tmp_path / "cache").glob("inferred-*.nt")) == closures
    assert len(store) == len(queryable)
