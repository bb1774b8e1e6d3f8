"""The register's content: the exact officeholders, their dates and the sources behind every fact."""

from __future__ import annotations

import re
from collections import Counter

from rdflib import RDF, Graph

from kg.paths import DATA_DIR
from kg.terms import CPSU

PREFIXES = """
PREFIX cpsu: <https://w3id.org/cpsu-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def rows(graph: Graph, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(value) if value is not None else "" for value in row) for row in graph.query(PREFIXES + query)]


def test_top_office_holders_in_order_with_dates_titles_and_end_causes(register):
    query = """
        SELECT ?name ?title ?start ?end ?ordinal ?acting ?cause WHERE {
            ?tenure cpsu:office ?office ; cpsu:holder ?person ; cpsu:startDate ?start ; cpsu:endDate ?end ;
                    cpsu:ordinal ?ordinal ; cpsu:acting ?acting ; cpsu:endCause ?causeNode .
            ?office a cpsu:TopPartyOffice ; rdfs:label ?title . FILTER (lang(?title) = "en")
            ?person rdfs:label ?name . FILTER (lang(?name) = "en")
            BIND (STRAFTER(STR(?causeNode), "#") AS ?cause)
        } ORDER BY ?start ?end"""
    assert rows(register, query) == [
        ("Yakov Sverdlov", "Chairman of the Secretariat of the Central Committee", "1918-03-08", "1919-03-16", "1", "false", "Death"),
        ("Elena Stasova", "Responsible Secretary of the Central Committee", "1919-03-25", "1919-11-29", "1", "false", "Undocumented"),
        ("Nikolai Krestinsky", "Responsible Secretary of the Central Committee", "1919-11-29", "1921-03-16", "2", "false", "Undocumented"),
        ("Vyacheslav Molotov", "Responsible Secretary of the Central Committee", "1921-03-16", "1922-04-03", "3", "false", "OfficeAbolished"),
        ("Joseph Stalin", "General Secretary of the Central Committee of the CPSU", "1922-04-03", "1952-10-16", "1", "false", "OfficeAbolished"),
        ("Nikita Khrushchev", "First Secretary of the Central Committee of the CPSU", "1953-09-07", "1964-10-14", "1", "false", "Removal"),
        ("Leonid Brezhnev", "First Secretary of the Central Committee of the CPSU", "1964-10-14", "1966-04-08", "2", "false", "OfficeRenamed"),
        ("Leonid Brezhnev", "General Secretary of the Central Committee of the CPSU", "1966-04-08", "1982-11-10", "2", "false", "Death"),
        ("Yuri Andropov", "General Secretary of the Central Committee of the CPSU", "1982-11-12", "1984-02-09", "3", "false", "Death"),
        ("Konstantin Chernenko", "General Secretary of the Central Committee of the CPSU", "1984-02-13", "1985-03-10", "4", "false", "Death"),
        ("Mikhail Gorbachev", "General Secretary of the Central Committee of the CPSU", "1985-03-11", "1991-08-24", "5", "false", "Resignation"),
        ("Vladimir Ivashko", "General Secretary of the Central Committee of the CPSU", "1991-08-24", "1991-08-29", "6", "true", "PartySuspended"),
    ]


def test_the_top_office_succession_is_one_unbroken_chain_across_titles(register):
    query = """
        SELECT ?from ?to WHERE {
            ?a cpsu:replacedBy ?b ; cpsu:office/a cpsu:TopPartyOffice ; cpsu:startDate ?start .
            ?a rdfs:label ?from . ?b rdfs:label ?to . FILTER (lang(?from) = "en" && lang(?to) = "en")
        } ORDER BY ?start"""
    assert rows(register, query) == [
        ("Yakov Sverdlov, Chairman of the Secretariat (1918–1919)", "Elena Stasova, Responsible Secretary (1919)"),
        ("Elena Stasova, Responsible Secretary (1919)", "Nikolai Krestinsky, Responsible Secretary (1919–1921)"),
        ("Nikolai Krestinsky, Responsible Secretary (1919–1921)", "Vyacheslav Molotov, Responsible Secretary (1921–1922)"),
        ("Vyacheslav Molotov, Responsible Secretary (1921–1922)", "Joseph Stalin, General Secretary (1922–1952)"),
        ("Joseph Stalin, General Secretary (1922–1952)", "Nikita Khrushchev, First Secretary (1953–1964)"),
        ("Nikita Khrushchev, First Secretary (1953–1964)", "Leonid Brezhnev, First Secretary (1964–1966)"),
        ("Leonid Brezhnev, First Secretary (1964–1966)", "Leonid Brezhnev, General Secretary (1966–1982)"),
        ("Leonid Brezhnev, General Secretary (1966–1982)", "Yuri Andropov, General Secretary (1982–1984)"),
        ("Yuri Andropov, General Secretary (1982–1984)", "Konstantin Chernenko, General Secretary (1984–1985)"),
        ("Konstantin Chernenko, General Secretary (1984–1985)", "Mikhail Gorbachev, General Secretary (1985–1991)"),
        ("Mikhail Gorbachev, General Secretary (1985–1991)", "Vladimir Ivashko, General Secretary (acting) (1991)"),
    ]


def test_second_secretaries_in_order(register):
    query = """
        SELECT ?name ?start ?end ?acting WHERE {
            ?tenure cpsu:office <https://w3id.org/cpsu-kg/id/office/second-secretary> ; cpsu:holder ?person ;
                    cpsu:startDate ?start ; cpsu:endDate ?end ; cpsu:acting ?acting .
            ?person rdfs:label ?name . FILTER (lang(?name) = "en")
        } ORDER BY STR(?start)"""
    # 1952-1957 is a gap: no acceptable source dates a Second Secretary then (see data/tenures.ttl)
    assert rows(register, query) == [
        ("Vyacheslav Molotov", "1922-04", "1930-12", "false"),
        ("Lazar Kaganovich", "1930-12", "1939-03-21", "false"),
        ("Andrei Zhdanov", "1939-03-21", "1948-08-31", "false"),
        ("Georgy Malenkov", "1948-08-31", "1952-10-16", "false"),
        ("Alexei Kirichenko", "1957-12-17", "1960-04-05", "false"),
        ("Frol Kozlov", "1960-05-04", "1963-06-21", "false"),
        ("Leonid Brezhnev", "1963-06-21", "1964-10-14", "false"),
        ("Nikolai Podgorny", "1964-10-14", "1965-12-06", "false"),
        ("Mikhail Suslov", "1965-12-06", "1982-01-25", "false"),
        ("Konstantin Chernenko", "1982-01-25", "1982-05-24", "true"),
        ("Yuri Andropov", "1982-05-24", "1982-11-10", "false"),
        ("Konstantin Chernenko", "1982-11-10", "1984-02-09", "false"),
        ("Mikhail Gorbachev", "1984-02-09", "1985-03-10", "false"),
        ("Yegor Ligachev", "1985-03-10", "1990-07-14", "false"),
    ]


def test_all_28_congresses_with_dates_places_and_party_names(register):
    query = """
        SELECT ?ordinal ?start ?end ?places ?party WHERE {
            {
                SELECT ?congress (GROUP_CONCAT(?placeName; separator="+") AS ?places) WHERE {
                    ?congress a cpsu:PartyCongress ; cpsu:place/rdfs:label ?placeName . FILTER (lang(?placeName) = "en")
                } GROUP BY ?congress
            }
            ?congress cpsu:ordinal ?ordinal ; cpsu:startDate ?start ; cpsu:endDate ?end ;
                      cpsu:partyNameAtTime/cpsu:abbreviation ?party . FILTER (lang(?party) = "en")
        } ORDER BY ?ordinal"""
    result = rows(register, query)
    assert [row[0] for row in result] == [str(n) for n in range(1, 29)]
    assert result[0] == ("1", "1898-03-13", "1898-03-15", "Minsk", "RSDLP")
    assert {row[3] for row in result if row[0] == "2"} in ({"Brussels+London"}, {"London+Brussels"})
    assert result[6] == ("7", "1918-03-06", "1918-03-08", "Petrograd", "RSDLP(b)")
    assert result[10] == ("11", "1922-03-27", "1922-04-02", "Moscow", "RCP(b)")
    assert result[16] == ("17", "1934-01-26", "1934-02-10", "Moscow", "AUCP(b)")
    assert result[18] == ("19", "1952-10-05", "1952-10-14", "Moscow", "AUCP(b)")
    assert result[22] == ("23", "1966-03-29", "1966-04-08", "Moscow", "CPSU")
    assert result[27] == ("28", "1990-07-02", "1990-07-13", "Moscow", "CPSU")


def test_pre_1918_congresses_keep_their_old_style_dates(register):
    query = """
        SELECT ?ordinal ?startOS ?endOS WHERE {
            ?congress a cpsu:PartyCongress ; cpsu:ordinal ?ordinal ;
                      cpsu:startDateOldStyle ?startOS ; cpsu:endDateOldStyle ?endOS .
        } ORDER BY ?ordinal"""
    assert rows(register, query) == [
        ("1", "1898-03-01", "1898-03-03"),
        ("2", "1903-07-17", "1903-08-10"),
        ("3", "1905-04-12", "1905-04-27"),
        ("4", "1906-04-10", "1906-04-25"),
        ("5", "1907-04-30", "1907-05-19"),
        ("6", "1917-07-26", "1917-08-03"),
    ]


def test_troikas_have_their_three_members_and_roles(register):
    query = """
        SELECT ?troika ?member WHERE {
            ?t a cpsu:CollectiveLeadership ; rdfs:label ?troika ; cpsu:hasMembership ?m . FILTER (lang(?troika) = "en")
            ?m cpsu:member/rdfs:label ?member ; cpsu:role ?role . FILTER (lang(?member) = "en" && lang(?role) = "en")
        } ORDER BY ?troika ?member"""
    assert rows(register, query) == [
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Grigory Zinoviev"),
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Joseph Stalin"),
        ("Troika of 1923 (Stalin, Zinoviev, Kamenev)", "Lev Kamenev"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Georgy Malenkov"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Lavrentiy Beria"),
        ("Troika of 1953 (Malenkov, Beria, Molotov)", "Vyacheslav Molotov"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Alexei Kosygin"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Leonid Brezhnev"),
        ("Troika of 1964 (Brezhnev, Kosygin, Podgorny)", "Nikolai Podgorny"),
    ]


def test_every_person_has_english_and_russian_labels_and_a_source(register):
    query = """
        SELECT ?person WHERE {
            ?person a cpsu:Person .
            FILTER NOT EXISTS {
                ?person rdfs:label ?en , ?ru ; dcterms:source ?source .
                FILTER (lang(?en) = "en" && lang(?ru) = "ru")
            }
        }"""
    assert rows(register, query) == []
    persons = set(register.subjects(RDF.type, CPSU.Person))
    born = {person for person in persons if (register.value(register.value(person, CPSU.birth), CPSU.date))}
    assert len(persons) == 198
    assert len(born) == 185  # the 13 others are known gaps: no acceptable source read gives their birth


def test_every_entry_in_data_cites_a_source_that_is_described(register):
    query = """
        SELECT ?entry WHERE {
            { SELECT DISTINCT ?entry WHERE { ?entry ?p ?o } }  # each entry once, before the filters (5x faster)
            FILTER (STRSTARTS(STR(?entry), "https://w3id.org/cpsu-kg/id/") && !STRSTARTS(STR(?entry), "https://w3id.org/cpsu-kg/id/source/"))
            FILTER NOT EXISTS { ?entry dcterms:source ?source . ?source cpsu:url ?url }
            # the register's word on its own completeness (data/coverage.ttl, its known gaps too) is not a fact
            # taken from a source
            FILTER NOT EXISTS { ?entry a ?own . FILTER (?own IN (cpsu:Coverage, cpsu:KnownGap)) }
        }"""
    assert rows(register, query) == []


def test_seed_sentences_quoted_as_evidence_are_verbatim_from_the_seed(register):
    seed = " ".join((DATA_DIR / "seed-article.txt").read_text().split())
    evidence = {str(o) for o in register.objects(None, register.namespace_manager.expand_curie("cpsu:evidence"))}
    assert len(evidence) >= 20
    assert [sentence for sentence in evidence if " ".join(sentence.split()) not in seed] == []


def test_wikidata_links_are_only_the_confirmed_ones(register):
    query = """
        SELECT ?entity ?qid WHERE {
            { ?entity <http://schema.org/sameAs> ?item } UNION { ?entity <http://www.w3.org/2004/02/skos/core#exactMatch> ?item }
            FILTER (STRSTARTS(STR(?entity), "https://w3id.org/cpsu-kg/id/"))
            BIND (STRAFTER(STR(?item), "entity/") AS ?qid)
        } ORDER BY ?entity"""
    assert dict(rows(register, query)) == {
        "https://w3id.org/cpsu-kg/id/office/chairman-of-the-council-of-ministers": "Q4376674",
        "https://w3id.org/cpsu-kg/id/office/chairman-of-the-council-of-peoples-commissars": "Q4376682",
        "https://w3id.org/cpsu-kg/id/office/chairman-of-the-presidium-of-the-supreme-soviet": "Q135215773",
        "https://w3id.org/cpsu-kg/id/office/chairman-of-the-supreme-soviet": "Q4376657",
        "https://w3id.org/cpsu-kg/id/office/general-secretary": "Q1048744",
        "https://w3id.org/cpsu-kg/id/office/president-of-the-ussr": "Q1255261",
        "https://w3id.org/cpsu-kg/id/organisation/central-committee": "Q1971373",
        "https://w3id.org/cpsu-kg/id/organisation/cpsu": "Q79854",
        "https://w3id.org/cpsu-kg/id/organisation/politburo": "Q842008",
        "https://w3id.org/cpsu-kg/id/organisation/soviet-union": "Q15180",
        "https://w3id.org/cpsu-kg/id/organisation/supreme-soviet": "Q326465",
        "https://w3id.org/cpsu-kg/id/partyname/rsdlp": "Q204911",
        "https://w3id.org/cpsu-kg/id/person/georgy-malenkov": "Q180588",
        "https://w3id.org/cpsu-kg/id/person/joseph-stalin": "Q855",
        "https://w3id.org/cpsu-kg/id/person/konstantin-chernenko": "Q127442",
        "https://w3id.org/cpsu-kg/id/person/lavrentiy-beria": "Q141829",
        "https://w3id.org/cpsu-kg/id/person/lazar-kaganovich": "Q215705",
        "https://w3id.org/cpsu-kg/id/person/leonid-brezhnev": "Q765165",
        "https://w3id.org/cpsu-kg/id/person/mikhail-gorbachev": "Q30487",
        "https://w3id.org/cpsu-kg/id/person/nikita-khrushchev": "Q35314",
        "https://w3id.org/cpsu-kg/id/person/vladimir-lenin": "Q1394",
        "https://w3id.org/cpsu-kg/id/person/vyacheslav-molotov": "Q132899",
        "https://w3id.org/cpsu-kg/id/person/yuri-andropov": "Q44071",
        "https://w3id.org/cpsu-kg/id/person/boris-yeltsin": "Q34453",
        "https://w3id.org/cpsu-kg/id/place/brussels": "Q239",
        "https://w3id.org/cpsu-kg/id/place/london": "Q84",
        "https://w3id.org/cpsu-kg/id/place/minsk": "Q2280",
        "https://w3id.org/cpsu-kg/id/place/moscow": "Q649",
        "https://w3id.org/cpsu-kg/id/place/petrograd": "Q656",
        "https://w3id.org/cpsu-kg/id/place/stockholm": "Q1754",
    }


def test_no_node_is_described_in_two_blocks():
    # a second block for a subject merges into the first without a word, and where its values equal the first's
    # no shape can see it (this happened to two claims of Polyansky's in a merge): every node is described once
    starts = Counter(match.group(1) for path in sorted(DATA_DIR.glob("*.ttl"))
                     for match in re.finditer(r"^([a-z]+:\S+) a ", path.read_text(encoding="utf-8"), re.M))
    assert sum(starts.values()) > 2_000  # the pattern finds the blocks
    assert [subject for subject, blocks in starts.items() if blocks > 1] == []
