"""Every SHACL shape fires on a tiny broken register, naming the node, the path, the rule and its message.

The pattern follows BrickSchema's shape tests: one small valid base graph (fixtures/base.ttl);
each case removes and adds the triples that break one rule and asserts the exact results.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.load import load_shapes, parse_files
from kg.paths import ONTOLOGY_FILES, PREFIXES
from kg.validate import SH, validate

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX_LINES = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items()) + (
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def broken_register(remove: str = "", add: str = "") -> Graph:
    """The base register (with the ontology) minus the triples of `remove`, plus those of `add` (Turtle)."""
    graph = parse_files([*ONTOLOGY_FILES, FIXTURES / "base.ttl"])
    graph -= Graph().parse(data=PREFIX_LINES + remove, format="turtle")
    graph.parse(data=PREFIX_LINES + add, format="turtle")
    return graph


def results_of(remove: str = "", add: str = "") -> list[tuple[str, str, str]]:
    return [(v.node, v.path, v.rule) for v in validate(broken_register(remove, add)).results]


def messages_of(remove: str = "", add: str = "") -> list[str]:
    return [v.message for v in validate(broken_register(remove, add)).results]


# (rule, remove, add, expected (node, path, rule) results, a phrase of the message)
CASES = [
    ("shape:EnglishLabel", 'person:beta rdfs:label "Beta"@en .', "",
     [("person:beta", "rdfs:label", "shape:EnglishLabel")], "exactly one English name"),
    ("shape:RussianLabel", 'office:leader rdfs:label "Руководитель"@ru .', "",
     [("office:leader", "rdfs:label", "shape:RussianLabel")], "exactly one Russian name"),
    ("shape:HasSource", "place:city dcterms:source source:test .", "",
     [("place:city", "dcterms:source", "shape:HasSource")], "Must cite at least one source"),
    ("shape:StartDate", 'tenure:leader-1 cpsu:startDate "1920-01-01"^^xsd:date .',
     'tenure:leader-1 cpsu:startDate "1920-01-01" .',
     [("tenure:leader-1", "cpsu:startDate", "shape:EndNotBeforeStart"),
      ("tenure:leader-1", "cpsu:startDate", "shape:StartDate")], "exactly one start date"),
    ("shape:EndDate", 'tenure:leader-2 cpsu:endDate "1940-01-01"^^xsd:date .', "",
     [("tenure:leader-2", "cpsu:endDate", "shape:EndDate")], "exactly one end date"),
    ("shape:EndNotBeforeStart", 'congress:1 cpsu:endDate "1920-03-05"^^xsd:date .',
     'congress:1 cpsu:endDate "1920-02-01"^^xsd:date .',
     [("congress:1", "cpsu:startDate", "shape:EndNotBeforeStart")], "start date is later than the end date"),
    ("shape:StartDateOldStyle", "", 'congress:1 cpsu:startDateOldStyle "17 February 1920" .',
     [("congress:1", "cpsu:startDateOldStyle", "shape:StartDateOldStyle")], "Old Style (Julian) start date"),
    ("shape:EndDateOldStyle", "", 'congress:1 cpsu:endDateOldStyle "1920-02-21"^^xsd:date .',
     [("congress:1", "cpsu:endDateOldStyle", "shape:EndDateOldStyle")], "Old Style (Julian) end date"),
    ("shape:WikidataSameAs", "", "person:beta schema:sameAs <https://www.wikidata.org/wiki/Q3> .",
     [("person:beta", "schema:sameAs", "shape:WikidataSameAs")], "http://www.wikidata.org/entity/Q123"),
    ("shape:PersonBirthDate", 'person:gamma cpsu:birthDate "1895-01-01"^^xsd:date .', "",
     [("person:gamma", "cpsu:birthDate", "shape:PersonBirthDate")], "exactly one birth date"),
    ("shape:PersonDeathDate", "", 'person:gamma cpsu:deathDate "1960-01-01" .',
     [("person:gamma", "cpsu:birthDate", "shape:PersonBornBeforeDeath"),
      ("person:gamma", "cpsu:deathDate", "shape:PersonDeathDate")], "at most one death date"),
    ("shape:PersonBornBeforeDeath", "", 'person:gamma cpsu:deathDate "1890-01-01"^^xsd:date .',
     [("person:gamma", "cpsu:birthDate", "shape:PersonBornBeforeDeath")], "birth date is not before the death date"),
    ("shape:PersonBirthDateOldStyle", "", 'person:gamma cpsu:birthDateOldStyle "20 Dec 1894" .',
     [("person:gamma", "cpsu:birthDateOldStyle", "shape:PersonBirthDateOldStyle")], "Old Style (Julian) birth date"),
    ("shape:TenureHolder", "tenure:leader-2 cpsu:holder person:beta .", "tenure:leader-2 cpsu:holder office:leader .",
     [("tenure:leader-2", "cpsu:holder", "shape:TenureHolder")], "exactly one holder"),
    ("shape:TenureOffice", "tenure:leader-2 cpsu:office office:leader .", "",
     [("tenure:leader-2", "cpsu:office", "shape:TenureOffice")], "exactly one office"),
    ("shape:TenureOrdinal", "tenure:leader-2 cpsu:ordinal 2 .", "tenure:leader-2 cpsu:ordinal 0 .",
     [("tenure:leader-2", "cpsu:ordinal", "shape:TenureOrdinal")], "at most one ordinal"),
    ("shape:TenureActing", "tenure:leader-2 cpsu:acting false .", 'tenure:leader-2 cpsu:acting "no" .',
     [("tenure:leader-2", "cpsu:acting", "shape:TenureActing")], "whether it was acting"),
    ("shape:TenureEndCause", "tenure:leader-2 cpsu:endCause cpsu:Death .", "tenure:leader-2 cpsu:endCause cpsu:Renamed .",
     [("tenure:leader-2", "cpsu:endCause", "shape:TenureEndCause")], "must say how it ended"),
    ("shape:TenureReplaces", "", "tenure:leader-2 cpsu:replaces tenure:leader-2 .",
     [("tenure:leader-2", "cpsu:replaces", "shape:SuccessionLinksAgree"),
      ("tenure:leader-2", "cpsu:replaces", "shape:TenureReplaces")], "replaces at most one"),
    ("shape:TenureReplacedBy", "", "tenure:leader-2 cpsu:replacedBy person:alpha .",
     [("tenure:leader-2", "cpsu:replacedBy", "shape:SuccessionLinksAgree"),
      ("tenure:leader-2", "cpsu:replacedBy", "shape:TenureReplacedBy")], "replaced by at most one"),
    ("shape:TenureStartedBy", "", "tenure:leader-1 cpsu:startedBy person:alpha .",
     [("tenure:leader-1", "cpsu:startedBy", "shape:TenureStartedBy")], "What began a tenure"),
    ("shape:TenureEndedBy", "", "tenure:leader-1 cpsu:endedBy office:leader .",
     [("tenure:leader-1", "cpsu:endedBy", "shape:TenureEndedBy")], "What ended a tenure"),
    ("shape:NoOverlappingTenures",
     'tenure:leader-2 cpsu:startDate "1930-01-01"^^xsd:date .',
     'tenure:leader-2 cpsu:startDate "1929-06-01"^^xsd:date .',
     [("tenure:leader-1", "cpsu:office", "shape:NoOverlappingTenures"),
      ("tenure:leader-1", "cpsu:replacedBy", "shape:SuccessorStartsAfterEnd"),
      ("tenure:leader-2", "cpsu:office", "shape:NoOverlappingTenures")],
     "overlaps https://w3id.org/cpsu-kg/id/tenure/leader-"),
    ("shape:SuccessorStartsAfterEnd",
     'tenure:leader-2 cpsu:startDate "1930-01-01"^^xsd:date . tenure:leader-2 cpsu:acting false .',
     'tenure:leader-2 cpsu:startDate "1929-06-01"^^xsd:date . tenure:leader-2 cpsu:acting true .',
     [("tenure:leader-1", "cpsu:replacedBy", "shape:SuccessorStartsAfterEnd")], "starts before this tenure ends"),
    ("shape:SuccessionLinksAgree", "tenure:leader-2 cpsu:replaces tenure:leader-1 .", "",
     [("tenure:leader-1", "cpsu:replacedBy", "shape:SuccessionLinksAgree")], "succession links disagree"),
    ("shape:TenureWithinLifetime", "", 'person:beta cpsu:deathDate "1935-01-01"^^xsd:date .',
     [("tenure:leader-2", "cpsu:holder", "shape:TenureWithinLifetime")], "outside its holder's lifetime"),
    ("shape:OrdinalUniqueWithinOffice", "tenure:leader-2 cpsu:ordinal 2 .", "tenure:leader-2 cpsu:ordinal 1 .",
     [("tenure:leader-1", "cpsu:ordinal", "shape:OrdinalUniqueWithinOffice"),
      ("tenure:leader-2", "cpsu:ordinal", "shape:OrdinalUniqueWithinOffice")], "has the same ordinal"),
    ("shape:TopOfficeTenureHasOrdinal", "tenure:leader-2 cpsu:ordinal 2 .", "",
     [("tenure:leader-2", "cpsu:ordinal", "shape:TopOfficeTenureHasOrdinal")], "top office needs its ordinal"),
    ("shape:OfficeWikidataMatch", "office:leader skos:exactMatch <http://www.wikidata.org/entity/Q1> .",
     'office:leader skos:exactMatch <http://www.wikidata.org/entity/P39> .',
     [("office:leader", "skos:exactMatch", "shape:OfficeWikidataMatch")], "office's Wikidata link"),
    ("shape:OfficePostIn", "office:leader cpsu:postIn organisation:party .", "",
     [("office:leader", "cpsu:postIn", "shape:OfficePostIn")], "belongs to exactly one organisation"),
    ("shape:PartyNameAbbreviation", 'partyname:party-1 cpsu:abbreviation "TP"@en .', "",
     [("partyname:party-1", "cpsu:abbreviation", "shape:PartyNameAbbreviation")], "needs its abbreviation"),
    ("shape:PartyNameShape", 'partyname:party-1 cpsu:startDate "1900-01-01"^^xsd:date .', "",
     [("partyname:party-1", "(node)", "shape:PartyNameShape")], "can be placed in time"),
    ("shape:PartyNameFollowedBy", "", "partyname:party-1 cpsu:followedBy place:city .",
     [("partyname:party-1", "cpsu:followedBy", "shape:PartyNameFollowedBy")], "followed by at most one"),
    ("shape:PartyNameAdoptedAt", "", "partyname:party-1 cpsu:adoptedAt place:city .",
     [("partyname:party-1", "cpsu:adoptedAt", "shape:PartyNameAdoptedAt")], "adopted at no more than one"),
    ("shape:OptionalStartDate", "", 'partyname:party-1 cpsu:startDate "1899-01-01"^^xsd:date .',
     [("partyname:party-1", "cpsu:startDate", "shape:OptionalStartDate")], "At most one start date"),
    ("shape:OptionalEndDate", "", 'partyname:party-1 cpsu:endDate "1991-01-01"^^xsd:date .',
     [("partyname:party-1", "cpsu:endDate", "shape:OptionalEndDate")], "At most one end date"),
    ("shape:SourceTitle", 'source:test dcterms:title "A test source"@en .', "",
     [("source:test", "dcterms:title", "shape:SourceTitle")], "needs a title"),
    ("shape:SourceUrl", 'source:test cpsu:url "https://example.org/test"^^xsd:anyURI .',
     'source:test cpsu:url "example.org/test"^^xsd:anyURI .',
     [("source:test", "cpsu:url", "shape:SourceUrl")], "exactly one web address"),
    ("shape:CongressOrdinal", "congress:1 cpsu:ordinal 1 .", "congress:1 cpsu:ordinal 29 .",
     [("congress:1", "cpsu:ordinal", "shape:CongressOrdinal")], "from 1 to 28"),
    ("shape:CongressPlace", "congress:1 cpsu:place place:city .", "congress:1 cpsu:place person:alpha .",
     [("congress:1", "cpsu:place", "shape:CongressPlace")], "the place (cpsu:place) where it met"),
    ("shape:CongressPartyName", "congress:1 cpsu:partyNameAtTime partyname:party-1 .", "",
     [("congress:1", "cpsu:partyNameAtTime", "shape:CongressPartyName")], "party's name at the time"),
    ("shape:CongressOrdinalUnique", "",
     'congress:2 a cpsu:PartyCongress ; rdfs:label "2nd"@en , "II"@ru ; cpsu:ordinal 1 ; '
     'cpsu:startDate "1921-03-01"^^xsd:date ; cpsu:endDate "1921-03-02"^^xsd:date ; '
     "cpsu:place place:city ; cpsu:partyNameAtTime partyname:party-1 ; dcterms:source source:test .",
     [("congress:1", "cpsu:ordinal", "shape:CongressOrdinalUnique"),
      ("congress:2", "cpsu:ordinal", "shape:CongressOrdinalUnique")], "congresses are numbered without repeats"),
    ("shape:CongressWithinPartyName", 'congress:1 cpsu:startDate "1920-03-01"^^xsd:date .',
     'congress:1 cpsu:startDate "1899-03-01"^^xsd:date .',
     [("congress:1", "cpsu:partyNameAtTime", "shape:CongressWithinPartyName")], "not yet, or no longer, called"),
    ("shape:OfficeChangeKind", "",
     'event:change a cpsu:OfficeChange ; rdfs:label "Change"@en , "Изменение"@ru ; dcterms:source source:test ; '
     'cpsu:startDate "1925-01-01"^^xsd:date ; cpsu:endDate "1925-01-01"^^xsd:date ; cpsu:affectedOffice office:leader .',
     [("event:change", "cpsu:changeKind", "shape:OfficeChangeKind")], "says what it did"),
    ("shape:OfficeChangeAffects", "",
     'event:change a cpsu:OfficeChange ; rdfs:label "Change"@en , "Изменение"@ru ; dcterms:source source:test ; '
     'cpsu:startDate "1925-01-01"^^xsd:date ; cpsu:endDate "1925-01-01"^^xsd:date ; cpsu:changeKind cpsu:Renamed .',
     [("event:change", "cpsu:affectedOffice", "shape:OfficeChangeAffects")], "names exactly one office"),
    ("shape:OfficeChangeDecidedAt", "",
     'event:change a cpsu:OfficeChange ; rdfs:label "Change"@en , "Изменение"@ru ; dcterms:source source:test ; '
     'cpsu:startDate "1925-01-01"^^xsd:date ; cpsu:endDate "1925-01-01"^^xsd:date ; cpsu:changeKind cpsu:Renamed ; '
     "cpsu:affectedOffice office:leader ; cpsu:decidedAt person:alpha .",
     [("event:change", "cpsu:decidedAt", "shape:OfficeChangeDecidedAt")], "decided at no more than one"),
    ("shape:DatedExactlyOrByYear", "", 'troika:first cpsu:startYear "1925"^^xsd:gYear .',
     [("troika:first", "(node)", "shape:DatedExactlyOrByYear")], "not both and not neither"),
    ("shape:StartYear", 'troika:first cpsu:startDate "1925-01-01"^^xsd:date .', 'troika:first cpsu:startYear "1925" .',
     [("troika:first", "cpsu:startYear", "shape:StartYear")], "A start year"),
    ("shape:EndYear", 'troika:first cpsu:endDate "1926-01-01"^^xsd:date .', 'troika:first cpsu:endYear 1926 .',
     [("troika:first", "cpsu:endYear", "shape:EndYear")], "An end year"),
    ("shape:TroikaMembers", "troika:first cpsu:hasMembership troika:first-gamma .", "",
     [("troika:first", "cpsu:hasMembership", "shape:TroikaMembers")], "exactly three members"),
    ("shape:MembershipMember", "troika:first-beta cpsu:member person:beta .", "",
     [("troika:first-beta", "cpsu:member", "shape:MembershipMember")], "names exactly one member"),
    ("shape:MembershipRoleEnglish", 'troika:first-beta cpsu:role "Deputy"@en .', "",
     [("troika:first-beta", "cpsu:role", "shape:MembershipRoleEnglish")], "role in English"),
    ("shape:MembershipRoleRussian", 'troika:first-beta cpsu:role "Заместитель"@ru .', "",
     [("troika:first-beta", "cpsu:role", "shape:MembershipRoleRussian")], "role in Russian"),
    ("shape:MembershipRoleOffice", "", "troika:first-beta cpsu:roleOffice person:beta .",
     [("troika:first-beta", "cpsu:roleOffice", "shape:MembershipRoleOffice")], "role office is at most one"),
    ("shape:MembershipWithinLeadership", 'troika:first-gamma cpsu:endDate "1926-01-01"^^xsd:date .',
     'troika:first-gamma cpsu:endDate "1927-01-01"^^xsd:date .',
     [("troika:first-gamma", "cpsu:startDate", "shape:MembershipWithinLeadership")], "fall outside those of the"),
]


def test_the_base_register_conforms():
    report = validate(broken_register())
    assert report.results == ()


@pytest.mark.parametrize(("rule", "remove", "add", "expected", "phrase"), CASES, ids=[case[0] for case in CASES])
def test_each_shape_fires_on_its_broken_fixture_with_its_message(rule, remove, add, expected, phrase):
    report = validate(broken_register(remove, add))
    assert [(v.node, v.path, v.rule) for v in report.results] == expected
    assert all(v.severity == "Violation" for v in report.results)
    assert [v for v in report.results if v.rule == rule and phrase in v.message], report.text()


def test_every_shape_with_a_message_has_a_case():
    shapes = load_shapes()
    namespaces = shapes.namespace_manager
    with_messages = {shape.n3(namespaces) for shape in shapes.subjects(SH.message, None) if isinstance(shape, URIRef)}
    assert with_messages - {case[0] for case in CASES} == set()


def test_an_acting_tenure_may_overlap_an_elected_one():
    add = (
        'tenure:acting a cpsu:Tenure ; rdfs:label "Gamma, acting Leader"@en , "Гамма, и. о."@ru ; '
        "cpsu:holder person:gamma ; cpsu:office office:leader ; "
        'cpsu:startDate "1935-01-01"^^xsd:date ; cpsu:endDate "1936-01-01"^^xsd:date ; '
        "cpsu:ordinal 3 ; cpsu:acting true ; cpsu:endCause cpsu:Removal ; dcterms:source source:test ."
    )
    assert validate(broken_register(add=add)).results == ()


def test_a_violation_reads_as_node_path_rule_and_message():
    report = validate(broken_register(remove="tenure:leader-2 cpsu:replaces tenure:leader-1 ."))
    assert report.text() == (
        "Violation: tenure:leader-1 — path cpsu:replacedBy — rule shape:SuccessionLinksAgree: "
        "The succession links disagree: this tenure names "
        "https://w3id.org/cpsu-kg/id/tenure/leader-2 as its successor or predecessor, but "
        "https://w3id.org/cpsu-kg/id/tenure/leader-2 does not name it back "
        "(cpsu:replacedBy and cpsu:replaces must mirror each other). (value: tenure:leader-2)\n"
        "1 violation(s), 0 warning(s).\n"
    )


@pytest.mark.parametrize(("rule", "remove", "add", "expected", "phrase"), CASES, ids=[case[0] for case in CASES])
def test_pyshacl_turbo_reports_exactly_what_pyshacl_reports(rule, remove, add, expected, phrase):
    graph = broken_register(remove, add)
    turbo = validate(graph, engine="turbo")
    assert turbo == validate(graph, engine="pyshacl")
    assert turbo.results, "the broken fixture must produce results for the comparison to mean anything"


def test_an_unknown_engine_is_named():
    with pytest.raises(ValueError, match="expected one of turbo, pyshacl"):
        validate(broken_register(), engine="jena")
