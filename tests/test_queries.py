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
CEC = "Chairman of the Central Executive Committee of the USSR"


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


DE_FACTO = "Leader of the party (de facto)"
VACANT_1952 = ("nobody formally held the top office; the last holder, Joseph Stalin, left it on 1952-10-16; "
               "the next, Nikita Khrushchev, took it on 1953-09-07")


@pytest.mark.parametrize(("date", "expected"), [
    ("1922-01-01", [("Vladimir Lenin", DE_FACTO, "1917-11", "1924-01", "de facto",
                     "Lenin held no office of the party: he led it as its founder and"),
                    ("Vyacheslav Molotov", TOP["RS"], "1921-03-16", "1922-04-03", "de jure", "")]),
    ("1930-01-01", [("Joseph Stalin", TOP["GS"], "1922-04-03", "1952-10-16", "de jure", "")]),
    ("1952-12-01", [("", "", "1952-10-16", "1953-09-07", "de jure", VACANT_1952[:64]),
                    ("Joseph Stalin", DE_FACTO, "1952-10-16", "1953-03-05", "de facto",
                     "After the 19th Congress abolished the office of General Secreta")]),
    ("1953-03-10", [("", "", "1952-10-16", "1953-09-07", "de jure", VACANT_1952[:64]),
                    ("Georgy Malenkov", DE_FACTO, "1953-03-06", "1953-03-14", "de facto",
                     "The senior (first-listed) secretary after Stalin's death: the jo")]),
    ("1953-06-01", [("", "", "1952-10-16", "1953-09-07", "de jure", VACANT_1952[:64]),
                    ("Nikita Khrushchev", DE_FACTO, "1953-03-14", "1953-09-07", "de facto",
                     "Senior secretary, heading the Secretariat, from Malenkov's depar")]),
    ("1960-01-01", [("Nikita Khrushchev", TOP["FS"], "1953-09-07", "1964-10-14", "de jure", "")]),
    ("1966-04-07", [("Leonid Brezhnev", TOP["FS"], "1964-10-14", "1966-04-08", "de jure", "")]),
    ("1966-04-09", [("Leonid Brezhnev", TOP["GS"], "1966-04-08", "1982-11-10", "de jure", "")]),
    ("1991-08-24", [("Mikhail Gorbachev", TOP["GS"], "1985-03-11", "1991-08-24", "de jure", ""),
                    ("Vladimir Ivashko", TOP["GS"], "1991-08-24", "1991-08-29", "de jure", "acting holder, not elected")]),
    ("1991-08-26", [("Vladimir Ivashko", TOP["GS"], "1991-08-24", "1991-08-29", "de jure", "acting holder, not elected")]),
    ("1992-01-01", [("", "", "1991-08-29", "", "de jure",
                     "nobody formally held the top office; the last holder, Vladimir Ivashko, left it on 1991-08-29")]),
])
def test_who_led_on(queryable, date, expected):
    # the de jure answer (a holder or the vacancy) beside any de facto leader; long notes are compared by their start
    rows = table(queryable, "who-led-on", ["holderLabel", "officeLabel", "start", "end", "basis", "note"], date=date)
    assert len(rows) == len(expected)
    assert [row[:5] + (row[5][:len(want[5])],) for row, want in zip(rows, expected, strict=True)] == expected
    assert VACANT_1952 in [row[5] for row in rows] or date not in ("1952-12-01", "1953-03-10", "1953-06-01")


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
    # Brezhnev's term as head of state is dated by the month: the one source that states its end gives November 1982
    assert table(queryable, "died-in-office", ["holderLabel", "officeLabel", "end"]) == [
        ("Yakov Sverdlov", "Chairman of the All-Russian Central Executive Committee", "1919-03-16"),
        ("Yakov Sverdlov", TOP["CS"], "1919-03-16"),
        ("Vladimir Lenin", DE_FACTO, "1924-01"),
        ("Vladimir Lenin", "Chairman of the Council of People's Commissars of the Russian SFSR", "1924-01-21"),
        ("Vladimir Lenin", TOP["SNK"], "1924-01-21"),
        ("Nariman Narimanov", CEC, "1925-03-19"),
        ("Alexander Chervyakov", CEC, "1937-06-16"),
        ("Andrei Zhdanov", TOP["SS"], "1948-08-31"),
        ("Joseph Stalin", TOP["CoM"], "1953-03-05"),
        ("Joseph Stalin", DE_FACTO, "1953-03-05"),
        ("Mikhail Suslov", TOP["SS"], "1982-01-25"),
        ("Leonid Brezhnev", TOP["PPVS"], "1982-11"),
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
        ("Leonid Brezhnev", "1963-06-21", "1964-10-14", TOP["FS"], "1964-10-14"),
        ("Konstantin Chernenko", "1982-01-25", "1982-05-24", TOP["GS"], "1984-02-13"),
        ("Yuri Andropov", "1982-05-24", "1982-11-10", TOP["GS"], "1982-11-12"),
        ("Konstantin Chernenko", "1982-11-10", "1984-02-09", TOP["GS"], "1984-02-13"),
        ("Mikhail Gorbachev", "1984-02-09", "1985-03-10", TOP["GS"], "1985-03-11"),
    ]


def test_party_and_state_offices(queryable):
    VTSIK = "Chairman of the All-Russian Central Executive Committee"
    RSFSR = "Chairman of the Council of People's Commissars of the Russian SFSR"
    assert table(queryable, "party-and-state-offices", ["personLabel", "kind", "officeLabel", "since"]) == [
        ("Yakov Sverdlov", "state", VTSIK, "1917-11-21"),
        ("Yakov Sverdlov", "party", TOP["CS"], "1918-03-08"),
        ("Yakov Sverdlov", "state", RSFSR, "1918-08-30"),
        ("Vyacheslav Molotov", "party", TOP["RS"], "1921-03-16"),
        ("Joseph Stalin", "party", TOP["GS"], "1922-04-03"),
        ("Vyacheslav Molotov", "state", TOP["SNK"], "1930-12-19"),
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
        ("Konstantin Chernenko", "state", TOP["PPVS"], "1984-04-12"),
        ("Mikhail Gorbachev", "party", TOP["GS"], "1985-03-11"),
        ("Mikhail Gorbachev", "state", TOP["PPVS"], "1988-10-01"),
        ("Mikhail Gorbachev", "state", TOP["CVS"], "1989-05-25"),
        ("Mikhail Gorbachev", "state", TOP["PRES"], "1990-03-15"),
    ]


def test_wikidata_links(queryable):
    rows = table(queryable, "wikidata-links", ["label", "class", "wikidata"])
    assert len(rows) == 30
    assert rows[:3] == [
        ("Chairman of the Council of Ministers of the USSR", "HeadOfGovernmentOffice", "http://www.wikidata.org/entity/Q4376674"),
        ("Chairman of the Council of People's Commissars of the USSR", "HeadOfGovernmentOffice",
         "http://www.wikidata.org/entity/Q4376682"),
        ("Chairman of the Presidium of the Supreme Soviet of the USSR", "HeadOfStateOffice",
         "http://www.wikidata.org/entity/Q135215773"),
    ]
    assert ("Politburo of the Central Committee", "PartyOrgan", "http://www.wikidata.org/entity/Q842008") in rows
    assert ("General Secretary of the Central Committee of the CPSU", "TopPartyOffice", "http://www.wikidata.org/entity/Q1048744") in rows
    assert [row for row in rows if row[1] == "Person"][0] == ("Boris Yeltsin", "Person", "http://www.wikidata.org/entity/Q34453")


@pytest.mark.parametrize(("date", "expected"), [
    ("1900-01-01", [("RSDLP", "1898-03-15", "1917")]),
    # the name changed in 1917 (dated by the year): on a day of that year either name may have been in force
    ("1917-08-10", [("RSDLP", "1898-03-15", "1917"), ("RSDLP(b)", "1917", "1918-03-08")]),
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
    assert len(queries) == 23
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
                                         r"expected one of: absamat-masaliyev, adolph-joffe, "):
        run(get_query("succession"), queryable, {"person": "stalin"})


def test_an_unknown_query_lists_the_stored_ones():
    with pytest.raises(InputError) as error:
        get_query("who-ruled")
    assert str(error.value).startswith("unknown query 'who-ruled'; expected one of: body-changes, congresses-during-tenure, congresses, ")


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
        "acting": False, "basis": "de jure", "note": "",
    }]


def test_result_formats_follow_the_sparql_results_specs(queryable):
    rows = run(get_query("who-led-on"), queryable, {"date": "1991-08-26"})
    assert render(rows, "csv").splitlines()[1] == (
        "https://w3id.org/cpsu-kg/id/person/vladimir-ivashko,Vladimir Ivashko,"
        f"{TOP['GS']},1991-08-24,1991-08-29,true,de jure,\"acting holder, not elected\"")
    assert render(rows, "tsv").splitlines() == [
        "?holder\t?holderLabel\t?officeLabel\t?start\t?end\t?acting\t?basis\t?note",
        '<https://w3id.org/cpsu-kg/id/person/vladimir-ivashko>\t"Vladimir Ivashko"@en\t'
        f'"{TOP["GS"]}"@en\t"1991-08-24"^^<http://www.w3.org/2001/XMLSchema#date>\t'
        '"1991-08-29"^^<http://www.w3.org/2001/XMLSchema#date>\t"true"^^<http://www.w3.org/2001/XMLSchema#boolean>\t'
        '"de jure"\t"acting holder, not elected"',
    ]
    assert '"start": {\n          "type": "literal",\n          "value": "1991-08-24",\n          "datatype": ' \
           '"http://www.w3.org/2001/XMLSchema#date"\n        }' in render(rows, "json")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_cli_query_prints_a_table_on_stdout():
    finished = run_cli("query", "who-led-on", "-p", "date=1966-04-09")
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0].split() == ["holder", "holderLabel", "officeLabel", "start", "end", "acting", "basis", "note"]
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
    assert "who-led-on -p date=<xsd:date>\n    Who led the party on a given day" in finished.stdout
    assert "members-on -p body=<xsd:string> -p date=<xsd:date>\n" in finished.stdout
    assert "succession -p person=<iri>\n" in finished.stdout


def test_the_python_api_loads_validates_reasons_queries_and_exports(tmp_path):
    import kg

    graph = kg.load()
    assert kg.validate(graph).conforms
    inferred = kg.reason(graph)
    rows = kg.run_query("who-led-on", graph + inferred, date="1953-06-01")
    assert [row["holder"] for row in rows] == [None, "https://w3id.org/cpsu-kg/id/person/nikita-khrushchev"]
    assert [row["basis"] for row in rows] == ["de jure", "de facto"]
    written = kg.export(graph, tmp_path / "dist")
    assert [path.name for path in written] == [
        "cpsu.ttl", "cpsu.nt", "cpsu-full.nt", "cpsu.jsonld", "cpsu-inferred.ttl", "cpsu.trig", "void.ttl",
        *[f"{name}.csv" for name in ("bodies", "congresses", "events", "memberships", "offices", "persons", "sources",
                                     "tenures")], "datapackage.json"]


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


# ---------------------------------------------------------------- the leading bodies and the trust layer


def test_second_secretaries(queryable):
    # one row per term and source: the terms, in order, with their precision and basis
    rows = table(queryable, "second-secretaries", ["holderLabel", "start", "end", "precision", "acting", "basis"])
    assert list(dict.fromkeys(rows)) == [
        ("Vyacheslav Molotov", "1922-04", "1930-12", "month", "false", "de facto"),
        ("Lazar Kaganovich", "1930-12", "1939-03-21", "month", "false", "de facto"),
        ("Andrei Zhdanov", "1939-03-21", "1948-08-31", "day", "false", "de facto"),
        ("Georgy Malenkov", "1948-08-31", "1952-10-16", "day", "false", "de facto"),
        ("Alexei Kirichenko", "1957-12-17", "1960-04-05", "day", "false", "de facto"),
        ("Frol Kozlov", "1960-05-04", "1963-06-21", "day", "false", "de facto"),
        ("Leonid Brezhnev", "1963-06-21", "1964-10-14", "day", "false", "de facto"),
        ("Nikolai Podgorny", "1964-10-14", "1965-12-06", "day", "false", "de facto"),
        ("Mikhail Suslov", "1965-12-06", "1982-01-25", "day", "false", "de facto"),
        ("Konstantin Chernenko", "1982-01-25", "1982-05-24", "day", "true", "de facto"),
        ("Yuri Andropov", "1982-05-24", "1982-11-10", "day", "false", "de facto"),
        ("Konstantin Chernenko", "1982-11-10", "1984-02-09", "day", "false", "de facto"),
        ("Mikhail Gorbachev", "1984-02-09", "1985-03-10", "day", "false", "de facto"),
        ("Yegor Ligachev", "1985-03-10", "1990-07-14", "day", "false", "de facto"),
        ("Vladimir Ivashko", "1990-07-12", "1991-08-29", "day", "false", "de jure"),
    ]
    assert len(rows) == 25  # each term once per source that states it


def test_offices_held_by_brezhnev(queryable):
    rows = table(queryable, "offices-held", ["kind", "position", "start", "end", "precision", "basis"], person="leonid-brezhnev")
    assert rows == [
        ("membership", "candidate member, Politburo of the Central Committee", "1952-10-16", "1953-03-05", "day", "de jure"),
        ("membership", "secretary, Secretariat of the Central Committee", "1952-10-16", "1953-03-05", "day", "de jure"),
        ("membership", "secretary, Secretariat of the Central Committee", "1956", "1960", "year", "de jure"),
        ("membership", "candidate member, Politburo of the Central Committee", "1956-02", "1957-06", "month", "de jure"),
        ("membership", "full member, Politburo of the Central Committee", "1957-06", "1982-11-10", "month", "de jure"),
        ("office", TOP["PPVS"], "1960-05-07", "1964-07-15", "day", "de jure"),
        ("office", TOP["SS"], "1963-06-21", "1964-10-14", "day", "de facto"),
        ("membership", "secretary, Secretariat of the Central Committee", "1963-06-21", "1982-11-10", "day", "de jure"),
        ("office", TOP["FS"], "1964-10-14", "1966-04-08", "day", "de jure"),
        ("collective leadership", "First Secretary (General Secretary from 1966), Troika of 1964 (Brezhnev, Kosygin, Podgorny)",
         "1964-10-14", "1977-06-16", "day", "de jure"),
        ("office", TOP["GS"], "1966-04-08", "1982-11-10", "day", "de jure"),
        ("office", TOP["PPVS"], "1977-06", "1982-11", "month", "de jure"),
    ]


def test_memberships_of_suslov(queryable):
    rows = table(queryable, "memberships", ["bodyLabel", "role", "start", "end", "startedBy", "endCause"], person="mikhail-suslov")
    assert rows == [
        ("Organisational Bureau of the Central Committee", "full member", "1946-03-18", "1952-10-05",
         "Plenum of the Central Committee of 18 March 1946", "body dissolved"),
        ("Secretariat of the Central Committee", "secretary", "1947-05-24", "1982-01-25",
         "Plenum of the Central Committee of 24 May 1947", "death in office"),
        ("Politburo of the Central Committee", "full member", "1952-10-16", "1953-03-06",
         "Plenum of the Central Committee of 16 October 1952", "not re-elected"),
        ("Politburo of the Central Committee", "full member", "1955-07-12", "1982-01-25",
         "Plenum of the Central Committee of 4–12 July 1955", "death in office"),
    ]


def test_memberships_of_popov_and_of_khrushchev_in_the_politburo(queryable):
    columns = ["bodyLabel", "role", "start", "end", "endCause"]
    assert table(queryable, "memberships", columns, person="georgy-popov") == [
        ("Organisational Bureau of the Central Committee", "full member", "1946", "1952", "not documented"),
        ("Secretariat of the Central Committee", "secretary", "1946-03-18", "1949-12-16", "not documented"),
    ]
    politburo = [row for row in table(queryable, "memberships", columns, person="nikita-khrushchev")
                 if row[0].startswith("Politburo")]
    assert politburo[:2] == [
        ("Politburo of the Central Committee", "candidate member", "1938-01", "1939-03-22", "promotion"),
        ("Politburo of the Central Committee", "full member", "1939-03-22", "1964", "removal"),
    ]

MAY_BE_MISSING = "the register may be missing members of the {} on this day"
NO_END = "no source documents the end of this spell: it may have ended before this day"


@pytest.mark.parametrize(("body", "date", "full", "candidates", "open_ended"), [
    ("politburo", "1953-01-01",
     # the 25 full members of the Presidium elected on 16 October 1952, all of them now
     ["Anastas Mikoyan", "Averky Aristov", "Demyan Korotchenko", "Dmitry Chesnokov", "Georgy Malenkov", "Joseph Stalin",
      "Kliment Voroshilov", "Lavrentiy Beria", "Lazar Kaganovich", "Leonid G. Melnikov", "Maksim Saburov",
      "Matvei Shkiryatov", "Mikhail Pervukhin", "Mikhail Suslov", "Nikita Khrushchev", "Nikolai Bulganin",
      "Nikolai Mikhaylov", "Nikolai Shvernik", "Otto Kuusinen", "Panteleimon Ponomarenko", "Semyon Ignatyev",
      "Vasily Andrianov", "Vasily Kuznetsov", "Vyacheslav Malyshev", "Vyacheslav Molotov"],
     # ten of its eleven candidates (Ivan Kabanov is not in the register), and Kirichenko, whose candidacy is dated
     # only by the year 1953
     ["Alexander Puzanov", "Alexei Kirichenko", "Alexei Kosygin", "Andrei Vyshinsky", "Arseni Zverev", "Ivan Tevosian",
      "Leonid Brezhnev", "Nikolai Ignatov", "Nikolai Patolichev", "Nikolai Pegov", "Pavel Yudin"], []),
    ("politburo", "1957-09-01",
     # after the anti-party group: the fifteen full members La Stampa listed on 3 July 1957 and its eight
     # candidates, with Kalnbērziņš, whose candidacy is dated by the year 1957
     ["Alexei Kirichenko", "Anastas Mikoyan", "Averky Aristov", "Frol Kozlov", "Georgy Zhukov", "Kliment Voroshilov",
      "Leonid Brezhnev", "Mikhail Suslov", "Nikita Khrushchev", "Nikolai Belyaev", "Nikolai Bulganin",
      "Nikolai Ignatov", "Nikolai Shvernik", "Otto Kuusinen", "Yekaterina Furtseva"],
     ["Alexei Kosygin", "Andrei Kirilenko", "Demyan Korotchenko", "Jānis Kalnbērziņš", "Kirill Mazurov",
      "Mikhail Pervukhin", "Nuritdin Mukhitdinov", "Pyotr Pospelov", "Vasil Mzhavanadze"], []),
    ("politburo", "1985-03-11",
     ["Andrei Gromyko", "Dinmukhamed Kunayev", "Grigory Romanov", "Heydar Aliyev", "Mikhail Gorbachev",
      "Mikhail Solomentsev", "Nikolai Tikhonov", "Viktor Grishin", "Vitaly Vorotnikov", "Volodymyr Shcherbytsky"],
     ["Boris Ponomarev", "Eduard Shevardnadze", "Pyotr Demichev", "Vasily Kuznetsov", "Viktor Chebrikov",
      "Vladimir Dolgikh"], []),
    ("secretariat", "1925-01-01",
     ["Andrey Andreyev", "Joseph Stalin", "Lazar Kaganovich", "Nikolai Uglanov", "Vyacheslav Molotov"], [],
     [("Felix Dzerzhinsky", "secretary"), ("Elena Stasova", "candidate")]),
    ("secretariat", "1947-01-01",  # the 18th Secretariat after the plenums of March and June 1946 (en.wikipedia's table)
     ["Alexey Kuznetsov", "Andrei Zhdanov", "Georgy Popov", "Joseph Stalin", "Nikolai Patolichev"], [],
     [("Elena Stasova", "candidate")]),
    ("secretariat", "1950-01-01",  # the 18th Secretariat after the plenums of July 1948 and December 1949
     ["Georgy Malenkov", "Joseph Stalin", "Mikhail Suslov", "Nikita Khrushchev", "Panteleimon Ponomarenko"], [],
     [("Elena Stasova", "candidate")]),
    ("secretariat", "1953-01-01",  # the ten secretaries elected after the 19th Congress (Spitsyn: «избрано 10 членов»)
     ["Averky Aristov", "Georgy Malenkov", "Joseph Stalin", "Leonid Brezhnev", "Mikhail Suslov", "Nikita Khrushchev",
      "Nikolai Ignatov", "Nikolai Mikhaylov", "Nikolai Pegov", "Panteleimon Ponomarenko"], [],
     [("Elena Stasova", "candidate")]),
    ("secretariat", "1953-03-10",  # cut to six on 5 March 1953; Aristov, Mikhaylov and Malenkov left on 14 March
     ["Averky Aristov", "Georgy Malenkov", "Mikhail Suslov", "Nikita Khrushchev", "Nikolai Mikhaylov", "Pyotr Pospelov",
      "Semyon Ignatyev"], [],
     [("Nikolai Shatalin", "secretary"), ("Elena Stasova", "candidate")]),
    ("secretariat", "1980-01-01",  # under Brezhnev: Chernenko from 1976, Rusakov from 1977, Gorbachev from 1978
     ["Andrei Kirilenko", "Boris Ponomarev", "Ivan Kapitonov", "Konstantin Chernenko", "Konstantin Rusakov",
      "Leonid Brezhnev", "Mikhail Gorbachev", "Mikhail Suslov", "Mikhail Zimyanin", "Vladimir Dolgikh"], [],
     [("Nikolai Shatalin", "secretary")]),
    ("secretariat", "1986-03-01",  # between the plenum of 18 February 1986 (Rusakov retired) and the one after the 27th Congress
     ["Boris Ponomarev", "Ivan Kapitonov", "Lev Zaikov", "Mikhail Gorbachev", "Mikhail Zimyanin", "Viktor Nikonov",
      "Vladimir Dolgikh", "Yegor Ligachev"], [],
     [("Nikolai Shatalin", "secretary")]),
    ("orgburo", "1930-01-01", ["Andrei Bubnov", "Lazar Kaganovich", "Vyacheslav Molotov", "Yan Gamarnik"],
     ["Nikolai Shvernik"],
     [("Mikhail Vladimirsky", "full")]),
])
def test_members_on(queryable, body, date, full, candidates, open_ended):
    rows = table(queryable, "members-on", ["personLabel", "role", "bodyLabel", "note"], body=body, date=date)
    sure = [row for row in rows if row[0] and not row[3]]
    assert [name for name, role, _, _ in sure if role in ("full", "secretary")] == full
    assert [name for name, role, _, _ in sure if role == "candidate"] == candidates
    assert [(name, role) for name, role, _, note in rows if note == NO_END] == open_ended
    assert rows[-1] == ("", "", rows[0][2], MAY_BE_MISSING.format(body))
    assert len(rows) == len(full) + len(candidates) + len(open_ended) + 1


def test_members_on_names_the_body_as_it_was_called_that_day(queryable):
    # the Politburo was the Presidium from October 1952 to April 1966 (data/organisations.ttl, cpsu:organName)
    names = {table(queryable, "members-on", ["bodyLabel"], body="politburo", date=date)[0][0]
             for date in ("1953-06-01", "1960-01-01")}
    labels = {row[0] for row in table(queryable, "members-on", ["bodyLabel"], body="politburo", date="1970-01-01")}
    assert names == {"Presidium of the Central Committee"} and labels == {"Politburo of the Central Committee"}


def test_body_changes_in_the_politburo_in_1957(queryable):
    rows = table(queryable, "body-changes", ["day", "change", "personLabel", "role", "endCause"],
                 body="politburo", **{"from": "1957-06-01", "to": "1957-12-31"})
    assert rows == [
        ("1957", "joined", "Jānis Kalnbērziņš", "candidate", ""),
        ("1957", "joined", "Otto Kuusinen", "full", ""),
        ("1957-06", "joined", "Georgy Zhukov", "full", ""),
        ("1957-06", "joined", "Leonid Brezhnev", "full", ""),
        ("1957-06", "left", "Georgy Zhukov", "candidate", "promotion"),
        ("1957-06", "left", "Leonid Brezhnev", "candidate", "promotion"),
        ("1957-06", "left", "Georgy Malenkov", "full", "removal"),  # dated to the month by FRUS
        ("1957-06", "left", "Lazar Kaganovich", "full", "removal"),
        ("1957-06", "left", "Maksim Saburov", "full", "removal"),
        *[("1957-06-29", "joined", name, "candidate", "") for name in (
            "Alexei Kosygin", "Andrei Kirilenko", "Demyan Korotchenko", "Kirill Mazurov", "Mikhail Pervukhin",
            "Pyotr Pospelov", "Vasil Mzhavanadze")],
        *[("1957-06-29", "joined", name, "full", "") for name in (
            "Averky Aristov", "Frol Kozlov", "Nikolai Ignatov", "Nikolai Shvernik", "Yekaterina Furtseva")],
        ("1957-06-29", "left", "Dmitri Shepilov", "candidate", "removal"),
        ("1957-06-29", "left", "Frol Kozlov", "candidate", "promotion"),
        ("1957-06-29", "left", "Nikolai Shvernik", "candidate", "promotion"),
        ("1957-06-29", "left", "Yekaterina Furtseva", "candidate", "promotion"),
        ("1957-06-29", "left", "Mikhail Pervukhin", "full", "not documented"),
        ("1957-06-29", "left", "Vyacheslav Molotov", "full", "removal"),
        ("1957-07", "joined", "Nikolai Belyaev", "full", ""),
        ("1957-10", "left", "Georgy Zhukov", "full", "removal"),
        ("1957-12-17", "joined", "Nuritdin Mukhitdinov", "full", ""),
        ("1957-12-17", "left", "Nuritdin Mukhitdinov", "candidate", "promotion"),
    ]


def test_coverage_of_the_orgburo_lists_each_known_gap_with_its_period(queryable):
    person = "https://w3id.org/cpsu-kg/id/person/"
    full, candidate = ("full", "1919-03-25", "1952-10-16", "false"), ("candidate", "1919-03-25", "1952-10-16", "false")
    assert table(queryable, "coverage", ["role", "from", "until", "complete", "missing", "missingLabel"],
                 body="orgburo") == [
        ("full", "1919-01-16", "1919-03-25", "false", "", ""),
        (*candidate, person + "felix-dzerzhinsky", "Felix Dzerzhinsky"),
        (*candidate, person + "janis-rudzutaks", "Janis Rudzutaks"),
        (*candidate, "", "Pyotr Zalutsky"),
        (*full, person + "joseph-stalin", "Joseph Stalin"),
    ]


def test_coverage_of_the_politburo_has_complete_periods_without_gaps(queryable):
    rows = table(queryable, "coverage", ["role", "from", "until", "complete", "missingLabel"], body="politburo")
    assert [row for row in rows if row[3] == "true"] == [("full", "1919-03-25", "1934-02-10", "true", "")]
    assert [row[4] for row in rows if row[:2] == ("candidate", "1966-04-08")] == [
        "Boris Pugo"]
    assert len(rows) == 8


def test_longest_serving(queryable):
    assert table(queryable, "longest-serving", ["personLabel", "days", "spells", "uncounted"], body="politburo")[:5] == [
        ("Anastas Mikoyan", "14504", "2", "0"), ("Vyacheslav Molotov", "13254", "2", "0"),
        ("Kliment Voroshilov", "12615", "1", "0"), ("Joseph Stalin", "12399", "1", "0"),
        ("Alexei Kosygin", "11048", "5", "0"),
    ]
    assert table(queryable, "longest-serving", ["personLabel", "days"], body="orgburo")[:3] == [
        ("Lazar Kaganovich", "7827"), ("Lev Mekhlis", "5389"), ("Andrei Zhdanov", "5316")]


@pytest.mark.parametrize(("date", "expected"), [
    ("1924-01-01", [
        ("head of government", "Vladimir Lenin", "Chairman of the Council of People's Commissars of the Russian SFSR",
         "1917-11-09", "1924-01-21", "false"),
        ("head of government", "Vladimir Lenin", TOP["SNK"], "1923-07-06", "1924-01-21", "false"),
        ("head of state", "Mikhail Kalinin", "Chairman of the All-Russian Central Executive Committee",
         "1919-03-30", "1938-07-15", "false"),
        ("head of state", "Alexander Chervyakov", CEC, "1922-12-30", "1937-06-16", "false"),
        ("head of state", "Grigory Petrovsky", CEC, "1922-12-30", "1938-01-12", "false"),
        ("head of state", "Mikhail Kalinin", CEC, "1922-12-30", "1938-01-12", "false"),
        ("head of state", "Nariman Narimanov", CEC, "1922-12-30", "1925-03-19", "false"),
    ]),
    # the 20th Congress
    ("1956-02-20", [("head of government", "Nikolai Bulganin", TOP["CoM"], "1955-02-08", "1958-03-27", "false"),
                    ("head of state", "Kliment Voroshilov", TOP["PPVS"], "1953-03-15", "1960-05-07", "false")]),
    # the day Andropov was elected: Brezhnev's term, dated to November 1982, ended with his death on the 10th
    ("1982-11-12", [("head of government", "Nikolai Tikhonov", TOP["CoM"], "1980-10-23", "1985-09-27", "false"),
                    ("head of state", "Vasily Kuznetsov", TOP["PPVS"], "1982-11-10", "1983-06-16", "true")]),
])
def test_state_leaders_on(queryable, date, expected):
    assert table(queryable, "state-leaders-on", ["role", "personLabel", "officeLabel", "start", "end", "acting"], date=date) == expected


def test_persons(queryable):
    columns = ["personLabel", "personLabelRu", "birthDate", "birthPlaceLabel", "birthCountryLabel", "deathDate",
               "deathPlaceLabel", "gender", "wikidata"]
    rows = table(queryable, "persons", columns)
    assert len(rows) == 198
    assert ("Joseph Stalin", "Иосиф Сталин", "1878-12-18", "Gori", "Georgia", "1953-03-05", "Moscow", "male",
            "http://www.wikidata.org/entity/Q855") in rows
    # two of the Secretariat of July 1990, added from NRC Handelsblad, TASS and Novaya Gazeta: Gidaspov undated
    assert ("Valentin Falin", "Валентин Фалин", "1926-04-03", "Petrograd", "Russia", "", "", "male", "") in rows
    assert ("Boris Gidaspov", "Борис Гидаспов", "", "", "", "2007-08", "", "male", "") in rows  # the day is disputed
    # "Which leaders were born in Ukraine?"
    assert [row[0] for row in rows if row[4] == "Ukraine"] == [
        "Alexei Kirichenko", "Andrei Vyshinsky", "Andrei Zhdanov", "Dmitry Polyansky", "Grigory Petrovsky",
        "Grigory Sokolnikov", "Grigory Zinoviev", "Kliment Voroshilov", "Lazar Kaganovich", "Leonid Brezhnev",
        "Lev Mekhlis", "Maksim Saburov", "Matvei Muranov", "Mikhail Kaganovich", "Nikolai Podgorny", "Nikolai Tikhonov",
        "Oleg Baklanov", "Petro Shelest", "Sergey Syrtsov", "Stanislav Hurenko", "Viktor Chebrikov", "Vitaly Doguzhiyev",
        "Vladimir Ivashko", "Vlas Chubar", "Volodymyr Shcherbytsky", "Yan Gamarnik", "Yevgeny Primakov"]
    # "Which women held leadership posts?"
    assert [row[0] for row in rows if row[7] == "female"] == [
        "Aleksandra Artyukhina", "Aleksandra Biryukova", "Elena Stasova", "Galina Semenova", "Yekaterina Furtseva"]


def test_disputes(queryable):
    rows = table(queryable, "disputes", ["entityLabel", "property", "value", "preferred", "sourceUrl"])
    khrushchev = [row[2:] for row in rows if row[0] == "Nikita Khrushchev, First Secretary (1953–1964)"]
    assert khrushchev == [
        ("1953-09-07", "true", "http://fact-index.com/l/li/list_of_leaders_of_the_soviet_union.html"),
        ("1953-09-07", "true", "http://old.xn--80afqtm.xn--p1ai/novosti/u-prezidiuma-ck-est-odno-predlozhenie-izbranie-ns-"
                               "hrushcheva-pervym-sekretarem-ck-kpss"),
        ("1953-09-14", "false", "https://en.wikipedia.org/wiki/General_Secretary_of_the_Communist_Party_of_the_Soviet_Union"),
        ("1953-09-14", "false", "https://simple.m.wikipedia.org/wiki/Nikita_Khrushchev"),
        ("1953-09-14", "false", "https://www.wikiwand.com/en/Nikita_Khrushchev"),
    ]
    assert [row[2:4] for row in rows if row[0] == "Mikhail Gorbachev, General Secretary (1985–1991)"] == [
        ("1985-03-11", "true"), ("1985-03-10", "false")]
    assert {row[2:4] for row in rows if row[0] == "Georgy Malenkov, birth"} == {("1902-01-08", "true"), ("1902-01-13", "false")}
    assert [row[2:] for row in rows if row[0] == "Jānis Kalnbērziņš, candidate member of the Politburo (1957–1961)"] == [
        ("1961", "true", "https://de.m.wikipedia.org/wiki/Jan_Eduardowitsch_Kalnbersin"),
        ("1962", "false", "https://wikimili.com/en/J%C4%81nis_Kalnb%C4%93rzi%C5%86%C5%A1")]
    # every dispute has exactly one preferred value, the value the register itself holds
    preferred = {}
    for entity, prop, value, is_preferred, _ in rows:
        if is_preferred == "true":
            preferred.setdefault((entity, prop), set()).add(value)
    assert all(len(values) == 1 for values in preferred.values())
    assert {(entity, prop) for entity, prop, *_ in rows} == set(preferred)


def test_sources_of_a_disputed_term_leaves_out_the_source_of_the_other_value(queryable):
    rows = table(queryable, "sources-of", ["property", "value", "sourceUrl", "tier"], entity="tenure/second-secretary-1963-06-21")
    assert [row for row in rows if row[0] in ("startDate", "endDate")] == [
        ("endDate", "1964-10-14", "https://jfk.artifacts.archives.gov/people/7788/leonid-brezhnev?ctx=501f88781a826c7199d4f4244e206f8d2fe95cd5&idx=111", "tier 1"),
        ("endDate", "1964-10-14", "https://worddisk.com/wiki/Leonid_Brezhnev/", "tier 2"),
        ("startDate", "1963-06-21", "https://worddisk.com/wiki/Leonid_Brezhnev/", "tier 2"),
    ]


def test_sources_of_a_person_covers_the_births_deaths_terms_and_memberships(queryable):
    rows = table(queryable, "sources-of", ["statement", "property", "value", "tier"], entity="yuri-andropov")
    statements = sorted({row[0].rsplit("/id/", 1)[1] for row in rows})
    assert statements == [
        "birth/yuri-andropov", "death/yuri-andropov", "membership/politburo-yuri-andropov-1",
        "membership/politburo-yuri-andropov-2", "membership/secretariat-yuri-andropov-1",
        "membership/secretariat-yuri-andropov-2", "person/yuri-andropov",
        "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1983-06-16", "tenure/general-secretary-3",
        "tenure/second-secretary-1982-05-24"]
    assert {row[1:] for row in rows if row[0].endswith("birth/yuri-andropov")} >= {
        ("date", "1914-06-15", "tier 1"), ("dateOldStyle", "1914-06-02", "tier 1"), ("place", "Nagutskaya", "tier 2")}
    assert {row[3] for row in rows} == {"tier 1", "tier 2"}


def test_sources_of_an_unknown_entity_says_so(queryable):
    with pytest.raises(InputError, match=r"^no entity 'https://w3id.org/cpsu-kg/id/person/stalin' in the register"):
        run(get_query("sources-of"), queryable, {"entity": "stalin"})
    with pytest.raises(InputError, match=r"^parameter 'entity' expects a person id such as joseph-stalin"):
        run(get_query("sources-of"), queryable, {"entity": "spaceship/x"})
