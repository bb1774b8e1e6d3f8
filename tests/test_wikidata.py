"""`cpsu-kg wikidata check|diff` against a local Oxigraph server holding a Wikidata-shaped fixture; no test uses the network."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from support import no_sleep

from kg import wikidata
from kg.errors import InputError
from kg.paths import PROJECT_ROOT, QUERIES_DIR
from kg.query import list_queries, read_query
from kg.serve import Engine, oxigraph_binary
from kg.wikidata import DiffRow, Finding, Statement, Tenure

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "wikidata.ttl"
FEDERATED = PROJECT_ROOT / "queries" / "federated"
GENERAL_SECRETARY = "Q1048744"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
ALT_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
SAME_AS = URIRef("http://schema.org/sameAs")
PERSON = "https://w3id.org/cpsu-kg/id/person/"


@contextlib.contextmanager
def oxigraph_serving(location: Path, log: Path):
    """A read-only oxigraph server over a store, answering before the block starts and stopped after it, even on failure."""
    engine = Engine(location, 30, log)
    try:
        engine.launch()
        engine.wait_until_ready()
        yield f"http://127.0.0.1:{engine.port}/query"
    finally:
        engine.stop()


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory) -> Path:
    """An on-disk Oxigraph store loaded with the Wikidata-shaped fixture."""
    location = tmp_path_factory.mktemp("wikidata") / "store"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(FIXTURE)], check=True,
                   capture_output=True)  # fmt: skip
    return location


@pytest.fixture(scope="module")
def endpoint(fixture_store, tmp_path_factory):
    with oxigraph_serving(fixture_store, tmp_path_factory.mktemp("log") / "server.log") as url:
        yield url


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path):
    """Each test gets its own answer cache."""
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "wikidata"


# ---------------------------------------------------------------- check


KHRUSHCHEV_LABEL = Finding("person/nikita-khrushchev", "Q35314", "label differs", "Nikita Khrushchev / Никита Хрущёв",
                           "Wright brothers / Братья Райт")  # fmt: skip
KHRUSHCHEV_TYPE = Finding("person/nikita-khrushchev", "Q35314", "not a human (P31 lacks Q5)", "cpsu:Person", "Q14073567")
PETROGRAD = Finding("place/petrograd", "Q656", "label differs", "Petrograd / Петроград", "Saint Petersburg / Санкт-Петербург")


def test_check_flags_exactly_the_planted_wrong_qid(endpoint, queryable_graph):
    report = wikidata.check(queryable_graph, endpoint=endpoint, sleep=no_sleep)
    assert report.checked == 30
    assert report.findings == [KHRUSHCHEV_LABEL, KHRUSHCHEV_TYPE]
    assert not report.from_cache


def test_an_alternative_label_of_ours_is_a_name_the_link_may_fit(endpoint, queryable_graph):
    # The register links Petrograd to the city's item, which Wikidata calls Saint Petersburg; the altLabel matches it.
    graph = Graph()
    graph += queryable_graph
    graph.remove((URIRef("https://w3id.org/cpsu-kg/id/place/petrograd"), ALT_LABEL, None))
    findings = wikidata.check(graph, endpoint=endpoint, sleep=no_sleep).findings
    assert findings == [KHRUSHCHEV_LABEL, KHRUSHCHEV_TYPE, PETROGRAD]


def test_check_compares_dates_against_any_of_wikidatas_values_and_flags_the_others(endpoint, queryable_graph):
    # Stalin and Malenkov have two birth dates in the fixture, one of them ours: not flagged. Changing ours is.
    graph = Graph()
    graph += queryable_graph
    stalins_death = URIRef("https://w3id.org/cpsu-kg/id/death/joseph-stalin")
    graph.set((stalins_death, wikidata.CPSU.date, Literal("1953-03-06", datatype=XSD_DATE)))
    findings = wikidata.check(graph, endpoint=endpoint, sleep=no_sleep).findings
    assert Finding("person/joseph-stalin", "Q855", "death date differs (P570)", "1953-03-06", "1953-03-05") in findings
    assert len(findings) == 3


def test_check_flags_a_link_to_a_redirect_and_to_an_item_wikidata_does_not_know(endpoint, queryable_graph):
    graph = Graph()
    graph += queryable_graph
    graph.add((URIRef(f"{PERSON}elena-stasova"), SAME_AS, URIRef("http://www.wikidata.org/entity/Q130000001")))
    graph.add((URIRef(f"{PERSON}yakov-sverdlov"), SAME_AS, URIRef("http://www.wikidata.org/entity/Q130000002")))
    findings = wikidata.check(graph, endpoint=endpoint, sleep=no_sleep).findings
    assert findings == [
        Finding("person/elena-stasova", "Q130000001", "redirected to another item (owl:sameAs)", "Q130000001", "Q1394"),
        KHRUSHCHEV_LABEL,
        KHRUSHCHEV_TYPE,
        Finding("person/yakov-sverdlov", "Q130000002", "unknown to Wikidata (no label, no class)",
                "Yakov Sverdlov / Яков Свердлов", ""),
    ]  # fmt: skip


def test_check_renders_an_aligned_table_and_json(endpoint, queryable_graph):
    report = wikidata.check(queryable_graph, endpoint=endpoint, sleep=no_sleep)
    table = wikidata.render_check(report, "table").splitlines()
    assert table[0].split() == ["entity", "qid", "problem", "ours", "theirs"]
    assert table[2].startswith("person/nikita-khrushchev  Q35314  label differs")
    assert table[-1] == "(2 rows)"
    document = json.loads(wikidata.render_check(report, "json"))
    assert document["endpoint"] == endpoint and document["checked"] == 30
    assert document["findings"][1] == {"entity": "person/nikita-khrushchev", "qid": "Q35314",
                                       "problem": "not a human (P31 lacks Q5)", "ours": "cpsu:Person",
                                       "theirs": "Q14073567"}  # fmt: skip
    with pytest.raises(InputError, match=r"unknown format 'csv'; expected one of: table, json"):
        wikidata.render_check(report, "csv")


@pytest.mark.parametrize(
    ("ours", "theirs", "fits"),
    [
        ("Никита Хрущёв", "Никита Сергеевич Хрущев", True),  # ё = е, and the family name is shared
        ("Joseph Stalin", "Iosif Vissarionovich Stalin", True),
        ("Yuri Andropov", "Jurij Andropov.", True),
        ("Lavrentiy Beria", "Lavrenty Beriya", True),  # no shared last word, but alike (ratio >= 0.8)
        ("Nikita Khrushchev", "Wright brothers", False),
        ("Petrograd", "Saint Petersburg", False),
        ("", "Moscow", False),
    ],
)
def test_names_match_by_family_name_or_likeness_after_normalisation(ours, theirs, fits):
    assert wikidata.names_match(ours, theirs) is fits


# ---------------------------------------------------------------- diff


SOVNARKOM, PRESIDIUM, POLITBURO = "Q4376682", "Q135215773", "Q842008"
EXPECTED_ROWS = [
    DiffRow("missing here", GENERAL_SECRETARY, "Q180588", "Georgy Malenkov", "P39", "", "1953-03-05 – 1953-03-14",
            "", "Q180588-gs-1953"),
    DiffRow("qualifier missing", GENERAL_SECRETARY, "Q765165", "Leonid Brezhnev", "P1534", "Q5247364", "",
            "tenure/general-secretary-2", "Q765165-gs-1966"),
    DiffRow("date disagrees", GENERAL_SECRETARY, "Q44071", "Yuri Andropov", "P580", "1982-11-12", "1982-11-13",
            "tenure/general-secretary-3", "Q44071-gs-1982"),
    DiffRow("missing in Wikidata", GENERAL_SECRETARY, "Q127442", "Konstantin Chernenko", "P39", "1984-02-13 – 1985-03-10",
            "", "tenure/general-secretary-4", ""),
    DiffRow("qualifier missing", GENERAL_SECRETARY, "Q30487", "Mikhail Gorbachev", "P1545", "5", "",
            "tenure/general-secretary-5", "Q30487-gs-1985"),
    DiffRow("qualifier disagrees", GENERAL_SECRETARY, "Q30487", "Mikhail Gorbachev", "P1365", "Q127442", "Q44071",
            "tenure/general-secretary-5", "Q30487-gs-1985"),
    DiffRow("holder disagrees", "Q4376674", "Q180588", "Georgy Malenkov", "P39", "Q180588 (Georgy Malenkov)",
            "Q141829 (Lavrentiy Beria)", "tenure/chairman-of-the-council-of-ministers-1953-03-05", "Q141829-com-1953"),
    DiffRow("missing in Wikidata", SOVNARKOM, "Q132899", "Vyacheslav Molotov", "P39", "1930-12-19 – 1941-05-06", "",
            "tenure/chairman-of-the-council-of-peoples-commissars-1930-12-19", ""),
    DiffRow("qualifier missing", SOVNARKOM, "Q855", "Joseph Stalin", "P1365", "Q132899", "",
            "tenure/chairman-of-the-council-of-peoples-commissars-1941-05-06", "Q855-sovnarkom-1941"),
    DiffRow("qualifier missing", PRESIDIUM, "Q765165", "Leonid Brezhnev", "P1366", "Q44071", "",
            "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1977-06", "Q765165-presidium-1977"),
    DiffRow("qualifier missing", PRESIDIUM, "Q44071", "Yuri Andropov", "P1365", "Q765165", "",
            "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1983-06-16", "Q44071-presidium-1983"),
    DiffRow("qualifier missing", PRESIDIUM, "Q44071", "Yuri Andropov", "P1366", "Q127442", "",
            "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1983-06-16", "Q44071-presidium-1983"),
    # the register prefers 12 April 1984 (Britannica, Daniels) and keeps Wikipedia's 11 April as a claim
    DiffRow("date disagrees", PRESIDIUM, "Q127442", "Konstantin Chernenko", "P580", "1984-04-12", "1984-04-11",
            "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1984-04-12", "Q127442-presidium-1984"),
    DiffRow("qualifier missing", PRESIDIUM, "Q127442", "Konstantin Chernenko", "P1365", "Q44071", "",
            "tenure/chairman-of-the-presidium-of-the-supreme-soviet-1984-04-12", "Q127442-presidium-1984"),
    # the Politburo: the register's memberships (a person's spells joined where one ends as the next begins)
    DiffRow("missing in Wikidata", POLITBURO, "Q180588", "Georgy Malenkov", "P463", "? – ?", "",
            "membership/politburo-georgy-malenkov-1 + membership/politburo-georgy-malenkov-2"),
    DiffRow("missing in Wikidata", POLITBURO, "Q30487", "Mikhail Gorbachev", "P463", "? – 1991-08-24", "",
            "membership/politburo-mikhail-gorbachev-1 + membership/politburo-mikhail-gorbachev-2"),
    DiffRow("qualifier missing", POLITBURO, "Q1394", "Vladimir Lenin", "P582", "1924-01-21", "",
            "membership/politburo-vladimir-lenin-1", "Q1394-pb"),
    DiffRow("missing in Wikidata", POLITBURO, "Q132899", "Vyacheslav Molotov", "P463", "1921-03-16 – 1957-06-29", "",
            "membership/politburo-vyacheslav-molotov-1 + membership/politburo-vyacheslav-molotov-2"),
    DiffRow("missing in Wikidata", POLITBURO, "Q215705", "Lazar Kaganovich", "P463", "1926-07-23 – ?", "",
            "membership/politburo-lazar-kaganovich-1 + membership/politburo-lazar-kaganovich-2"),
    DiffRow("missing here", POLITBURO, "Q35314", "Nikita Khrushchev", "P463", "", "1934-02-10 – 1937-10-12",
            "", "Q35314-pb-1934"),
    DiffRow("missing in Wikidata", POLITBURO, "Q141829", "Lavrentiy Beria", "P463", "1939-03-22 – ?", "",
            "membership/politburo-lavrentiy-beria-candidate + membership/politburo-lavrentiy-beria-1"),
    DiffRow("date disagrees", POLITBURO, "Q44071", "Yuri Andropov", "P580", "1967-06-21", "1973-04-27",
            "membership/politburo-yuri-andropov-1 + membership/politburo-yuri-andropov-2", "Q44071-pb"),
]  # fmt: skip

POLITBURO_QUICKSTATEMENTS = [
    'Q1394\tP463\tQ842008\tP582\t+1924-01-21T00:00:00Z/11\tS854\t"https://archontology.org/nations/ussr/ussr_govt/lenin.php"',
    "Q132899\tP463\tQ842008\tP580\t+1921-03-16T00:00:00Z/11\tP582\t+1957-06-29T00:00:00Z/11\tS854\t"
    '"https://de.wikipedia.org/wiki/Kandidaten_des_Politb%c3%bcros_der_Kommunistischen_Partei_der_Sowjetunion"',
    'Q215705\tP463\tQ842008\tP580\t+1926-07-23T00:00:00Z/11\tS854\t"http://piglix.com/piglix/Lazar_Kaganovich"',
    'Q141829\tP463\tQ842008\tP580\t+1939-03-22T00:00:00Z/11\tS854\t"https://private.bibliboba.com/books/the-great-terror/p/315"',
]
EXPECTED_QUICKSTATEMENTS = [
    'Q765165\tP39\tQ1048744\tP1534\tQ5247364\tS854\t"http://fact-index.com/l/li/list_of_leaders_of_the_soviet_union.html"',
    "Q127442\tP39\tQ1048744\tP580\t+1984-02-13T00:00:00Z/11\tP582\t+1985-03-10T00:00:00Z/11\tP1545\t\"4\""
    '\tP1534\tQ5247364\tP1365\tQ44071\tP1366\tQ30487\tS854\t"https://britannica.com/biography/Konstantin-Chernenko"',
    'Q30487\tP39\tQ1048744\tP1545\t"5"\tS854\t"https://apnews.com/05b2328482b289961f03f9cd048257bb"',
    "Q132899\tP39\tQ4376682\tP580\t+1930-12-19T00:00:00Z/11\tP582\t+1941-05-06T00:00:00Z/11\tP1366\tQ855"
    '\tS854\t"http://www.rev.hu/history_of_45/szerviz/kislex/biograf_uk/molotov.htm"',
    'Q855\tP39\tQ4376682\tP1365\tQ132899\tS854\t"https://www.archontology.org/nations/ussr/ussr_govt/stalin.php"',
    'Q44071\tP39\tQ135215773\tP1365\tQ765165\tP1366\tQ127442\tS854\t"http://piglix.com/piglix/Yury_Andropov"',
    'Q127442\tP39\tQ135215773\tP1365\tQ44071\tS854\t"https://britannica.com/biography/Konstantin-Chernenko"',
] + POLITBURO_QUICKSTATEMENTS


def test_diff_reports_exactly_the_planted_differences(endpoint, queryable_graph):
    report = wikidata.diff(queryable_graph, endpoint=endpoint, sleep=no_sleep)
    assert (report.offices, report.bodies) == (6, 1)
    assert report.rows == EXPECTED_ROWS
    assert report.differs
    unlinked = [note for note in report.notes if note.endswith("holder not linked to Wikidata")]
    assert unlinked[:3] == [
        "not compared: tenure/general-secretary-6 (Vladimir Ivashko), holder not linked to Wikidata",
        "not compared: tenure/president-of-the-ussr-1991-08 (Gennady Yanayev), holder not linked to Wikidata",
        "not compared: tenure/chairman-of-the-council-of-ministers-1955-02-08 (Nikolai Bulganin), holder not linked to Wikidata",
    ]
    assert len(unlinked) == 16
    assert report.notes[16:] == [
        "not compared: 150 of the 163 memberships of Politburo of the Central Committee (Q842008), their holders not "
        "linked to Wikidata",
        "no QuickStatements line for tenure/chairman-of-the-presidium-of-the-supreme-soviet-1977-06: Q765165 has 2 "
        "statement(s) for Q135215773, and v1 adds qualifiers to the first one",
        "no QuickStatements line for membership/politburo-georgy-malenkov-1 + membership/politburo-georgy-malenkov-2: "
        "its start is known only to the month or the year",
        "no QuickStatements line for membership/politburo-mikhail-gorbachev-1 + membership/politburo-mikhail-gorbachev-2: "
        "its start is known only to the month or the year"]


def test_diff_writes_quickstatements_v1_for_the_missing_statement_and_the_missing_qualifiers(endpoint, queryable_graph):
    report = wikidata.diff(queryable_graph, endpoint=endpoint, sleep=no_sleep)
    assert report.quickstatements == EXPECTED_QUICKSTATEMENTS
    assert wikidata.render_diff(report, "quickstatements") == "".join(f"{line}\n" for line in EXPECTED_QUICKSTATEMENTS)


def test_diff_renders_a_table_with_notes_and_json(endpoint, queryable_graph):
    report = wikidata.diff(queryable_graph, endpoint=endpoint, sleep=no_sleep)
    table = wikidata.render_diff(report, "table").splitlines()
    assert table[0].split() == ["kind", "office", "person", "name", "property", "ours", "theirs"]
    assert table[4].split() == ["date", "disagrees", "Q1048744", "Q44071", "Yuri", "Andropov", "P580", "1982-11-12",
                                "1982-11-13"]  # fmt: skip
    assert table[24] == "(22 rows)"
    assert table[25] == "not compared: tenure/general-secretary-6 (Vladimir Ivashko), holder not linked to Wikidata"
    document = json.loads(wikidata.render_diff(report, "json"))
    assert document["rows"][3] == {
        "kind": "missing in Wikidata", "office": "Q1048744", "person": "Q127442", "name": "Konstantin Chernenko",
        "property": "P39", "ours": "1984-02-13 – 1985-03-10", "theirs": "", "tenure": "tenure/general-secretary-4",
        "statement": "",
    }  # fmt: skip
    assert document["quickstatements"] == EXPECTED_QUICKSTATEMENTS
    with pytest.raises(InputError, match=r"expected one of: table, json, quickstatements"):
        wikidata.render_diff(report, "tsv")


def tenure(iri: str, person: str | None, start: str, end: str = "", name: str = "X") -> Tenure:
    return Tenure(f"tenure/{iri}", name, person, {"P580": start, **({"P582": end} if end else {})})


def statement(iri: str, person: str, start: str, end: str = "") -> Statement:
    qualifiers = {"P580": frozenset({start})} | ({"P582": frozenset({end})} if end else {})
    return Statement(f"http://www.wikidata.org/entity/statement/{iri}", person, qualifiers)


def test_align_pairs_two_terms_of_one_person_by_the_closest_start_date():
    first, second = tenure("a", "Q1", "1950-01-01", "1955-01-01"), tenure("b", "Q1", "1960-01-01", "1965-01-01")
    late, early = statement("Q1-late", "Q1", "1960-01-02"), statement("Q1-early", "Q1", "1950-01-01")
    pairs, ours, theirs = wikidata.align([first, second], [late, early])
    assert [(t.iri, s.id) for t, s in pairs] == [("tenure/a", "Q1-early"), ("tenure/b", "Q1-late")]
    assert (ours, theirs) == ([], [])
    rows = wikidata.diff_office("Q9", [first, second], [late, early], {})
    assert [(r.kind, r.tenure, r.property, r.ours, r.theirs) for r in rows] == [
        ("qualifier missing", "tenure/a", "P582", "1955-01-01", ""),
        ("date disagrees", "tenure/b", "P580", "1960-01-01", "1960-01-02"),
        ("qualifier missing", "tenure/b", "P582", "1965-01-01", ""),
    ]


def test_a_statement_in_the_period_of_an_unlinked_holder_is_missing_here_and_names_that_tenure():
    unlinked = tenure("ivashko", None, "1991-08-24", "1991-08-29", name="Vladimir Ivashko")
    rows = wikidata.diff_office("Q9", [unlinked], [statement("Q7-x", "Q7", "1991-08-24", "1991-08-29")], {})
    assert rows == [DiffRow("missing here", "Q9", "Q7", "", "P39",
                            "tenure/ivashko (Vladimir Ivashko, holder not linked to Wikidata)",
                            "1991-08-24 – 1991-08-29", "", "Q7-x")]  # fmt: skip


def test_no_quickstatements_line_where_v1_would_put_it_on_another_statement():
    twice = tenure("second-term", "Q1", "1960-01-01", "1965-01-01")
    rows = [DiffRow("missing in Wikidata", "Q9", "Q1", "X", "P39", "1960-01-01 – 1965-01-01", "", twice.iri)]
    lines, notes = wikidata.quickstatements(rows, {twice.iri: twice}, {("Q9", "Q1"): 1})
    assert lines == []
    assert notes == [
        "no QuickStatements line for tenure/second-term: Q1 has 1 statement(s) for Q9, and v1 adds qualifiers to the first one"
    ]
    lines, notes = wikidata.quickstatements(rows, {twice.iri: twice}, {})
    assert lines == ["Q1\tP39\tQ9\tP580\t+1960-01-01T00:00:00Z/11\tP582\t+1965-01-01T00:00:00Z/11"]
    assert notes == []


def test_end_causes_only_with_a_confirmed_qid_are_proposed():
    confirmed = wikidata.END_CAUSE_QIDS
    assert confirmed == {wikidata.CPSU.Death: "Q5247364", wikidata.CPSU.Resignation: "Q796919"}


# ---------------------------------------------------------------- the network layer: cache, offline, retries


def test_a_second_run_answers_from_the_cache_and_refresh_needs_the_endpoint(fixture_store, tmp_path, queryable_graph,
                                                                            private_cache):  # fmt: skip
    with oxigraph_serving(fixture_store, tmp_path / "server.log") as url:
        first = wikidata.check(queryable_graph, endpoint=url, sleep=no_sleep)
        diffed = wikidata.diff(queryable_graph, endpoint=url, sleep=no_sleep)
    assert not first.from_cache and not diffed.from_cache
    cached = [json.loads(path.read_text()) for path in sorted(private_cache.glob("*.json"))]
    assert len(cached) == 8  # one check batch, one query per office (6), one per body (the Politburo)
    assert {entry["endpoint"] for entry in cached} == {url}
    assert all(entry["fetched"] >= first.fetched and entry["results"]["head"]["vars"] for entry in cached)

    again = wikidata.check(queryable_graph, endpoint=url, sleep=no_sleep)  # the server is stopped
    assert again.from_cache and again.findings == first.findings and again.fetched == first.fetched
    assert wikidata.diff(queryable_graph, endpoint=url, sleep=no_sleep).rows == diffed.rows

    with pytest.raises(InputError) as raised:
        wikidata.check(queryable_graph, endpoint=url, refresh=True, sleep=no_sleep)
    assert str(raised.value) == (
        f"cannot reach the Wikidata endpoint {url}: [Errno 111] Connection refused; "
        f"refresh ignores the cached answer of {first.fetched} (run without refresh to use it)"
    )


# ---------------------------------------------------------------- federated example queries


def test_the_federated_queries_parse_carry_the_network_tag_and_stay_out_of_the_offline_set():
    paths = sorted(FEDERATED.glob("*.rq"))
    assert len(paths) >= 2
    for path in paths:
        query = read_query(path)
        assert query.summary and "network" in query.tags, path
        assert "#+ endpoint_in_url: False" in query.text.splitlines(), path
        assert "SERVICE <https://query.wikidata.org/sparql>" in query.text, path
    assert not {path.stem for path in paths} & {query.name for query in list_queries(QUERIES_DIR)}


def test_cli_check_and_diff_exit_1_on_disagreements_and_print_the_rows(endpoint):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "kg", "wikidata", *args, "--endpoint", endpoint],
                              cwd=PROJECT_ROOT, capture_output=True, text=True)

    checked = cli("check")
    assert checked.returncode == 1
    assert [line.split()[:2] for line in checked.stdout.splitlines()[2:4]] == [
        ["person/nikita-khrushchev", "Q35314"], ["person/nikita-khrushchev", "Q35314"]]
    differs = cli("diff", "--format", "quickstatements")
    assert differs.returncode == 1
    assert differs.stdout.splitlines()[1].startswith("Q127442\tP39\tQ1048744\tP580\t+1984-02-13T00:00:00Z/11\t")


def test_in_a_body_two_members_who_joined_the_same_day_are_not_a_holder_disagreement():
    ours = [tenure("a", "Q1", "1957-06-29", "1961-10-31")]
    theirs = [statement("s", "Q2", "1957-06-29")]
    assert wikidata.align(ours, theirs) == ([(ours[0], theirs[0])], [], [])  # an office: one holder at a time
    assert wikidata.align(ours, theirs, by_start=False) == ([], ours, theirs)  # a body: two members, one missing each side
