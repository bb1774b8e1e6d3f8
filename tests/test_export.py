"""`cpsu-kg build` writes dumps that independent parsers read back as the same graph, byte-stable and atomically."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from pyld import jsonld
from rdflib import RDF, RDFS, Dataset, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from support import OUTPUTS, run_cli

from kg.export import jsonld_context
from kg.jsonld import to_jsonld
from kg.paths import PROJECT_ROOT
from kg.query import list_queries, run
from kg.terms import graph_of

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: rdflib's closed ones warn when pytest inspects them
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")


class Built:
    """A build's result with its asserted and inferred triples as rdflib graphs."""

    def __init__(self, result) -> None:
        self.graph = graph_of(result.register.asserted_quads())
        self.inferred = graph_of(result.register.inferred_quads())
        self.register = result.register


@pytest.fixture(scope="module")
def built(session_build):
    result, out = session_build
    return Built(result), out


def ground_triples(graph: Graph) -> set[str]:
    """The graph's triples without blank nodes, as N-Triples lines (comparable across parsers)."""
    return {line for line in graph.serialize(format="nt").splitlines() if line and "_:" not in line}


def test_build_writes_every_output_and_a_clean_report(built):
    _, out = built
    assert sorted(path.name for path in out.iterdir()) == sorted([*OUTPUTS, ".cpsu-kg-build", "csv", "datapackage.json"])
    assert sorted(path.name for path in (out / "csv").iterdir()) == [
        "bodies.csv", "congresses.csv", "events.csv", "memberships.csv", "offices.csv", "persons.csv", "sources.csv",
        "tenures.csv"]
    assert (out / "validation.txt").read_text() == "0 violation(s), 0 warning(s).\n"


def test_turtle_parses_back_to_the_built_graph(built):
    result, out = built
    assert isomorphic(Graph().parse(out / "cpsu.ttl", format="turtle"), result.graph)


def test_turtle_and_ntriples_read_by_oxigraph_give_the_same_triples(built):
    result, out = built
    for name, rdf_format in (("cpsu.ttl", pyoxigraph.RdfFormat.TURTLE), ("cpsu.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        quads = list(pyoxigraph.parse(path=str(out / name), format=rdf_format))
        assert len(quads) == len(result.graph), name
        oxigraph_lines = {f"{quad.subject} {quad.predicate} {quad.object} ." for quad in quads if "_:" not in str(quad)}
        assert oxigraph_lines == ground_triples(result.graph), name


def test_inferred_triples_are_exported_apart_and_beside_the_asserted_ones_in_trig(built):
    result, out = built
    inferred = Graph().parse(out / "cpsu-inferred.ttl", format="turtle")
    assert len(inferred) == len(result.inferred) > 1000
    assert not set(inferred) & set(result.graph)
    dataset = Dataset().parse(out / "cpsu.trig", format="trig")
    asserted_part = dataset.graph(URIRef("https://w3id.org/cpsu-kg/graph/asserted"))
    inferred_part = dataset.graph(URIRef("https://w3id.org/cpsu-kg/graph/inferred"))
    assert isomorphic(asserted_part, result.graph)
    assert set(inferred_part) == set(result.inferred)
    store = pyoxigraph.Store()
    store.load(path=str(out / "cpsu.trig"), format=pyoxigraph.RdfFormat.TRIG)
    assert len(store) == len(result.graph) + len(result.inferred)


def test_void_counts_equal_those_of_the_built_graph(built):
    result, out = built
    void = Graph().parse(out / "void.ttl", format="turtle")
    dump = Graph().parse(out / "cpsu.ttl", format="turtle")
    dataset = URIRef("https://w3id.org/cpsu-kg/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void and (dataset, RDF.type, DCAT.Dataset) in void
    assert void.value(dataset, VOID.triples).toPython() == len(dump) == len(result.graph)
    assert void.value(dataset, VOID.entities).toPython() == len(
        {s for s in dump.subjects() if str(s).startswith("https://w3id.org/cpsu-kg/id/")})
    assert void.value(dataset, VOID.classes).toPython() == len(set(dump.objects(None, RDF.type)))
    assert void.value(dataset, VOID.properties).toPython() == len(set(dump.predicates()))
    persons = next(p for p in void.objects(dataset, VOID.classPartition)
                   if void.value(p, VOID["class"]) == URIRef("https://w3id.org/cpsu-kg/ontology#Person"))
    assert void.value(persons, VOID.entities).toPython() == len(
        set(dump.subjects(RDF.type, URIRef("https://w3id.org/cpsu-kg/ontology#Person")))) > 150
    holder = next(p for p in void.objects(dataset, VOID.propertyPartition)
                  if void.value(p, VOID.property) == URIRef("https://w3id.org/cpsu-kg/ontology#holder"))
    assert void.value(holder, VOID.triples).toPython() == len(set(dump.triples((None, URIRef("https://w3id.org/cpsu-kg/ontology#holder"), None))))
    subset = void.value(dataset, VOID.subset)
    assert void.value(subset, VOID.triples).toPython() == len(result.inferred)
    media = {str(void.value(d, DCTERMS.title)): str(void.value(d, DCAT.mediaType)).rsplit("/", 2)[-2:]
             for d in void.objects(dataset, DCAT.distribution)}
    assert media == {"cpsu.ttl": ["text", "turtle"], "cpsu.nt": ["application", "n-triples"],
                     "cpsu-full.nt": ["application", "n-triples"],
                     "cpsu.jsonld": ["application", "ld+json"], "cpsu.trig": ["application", "trig"],
                     "cpsu-inferred.ttl": ["text", "turtle"]}
    # a local build announces no public location, and says so
    assert void.value(dataset, VOID.sparqlEndpoint) is None and void.value(dataset, VOID.dataDump) is None
    assert str(void.value(dataset, RDFS.comment)) == ("A local build: its dumps and SPARQL endpoint have no public "
                                                      "location (cpsu-kg build --base-url, --endpoint-url).")
    assert void.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
    assert len(set(void.objects(dataset, DCTERMS.source))) == len(set(dump.objects(None, DCTERMS.source)))
    assert len(set(void.objects(dataset, VOID.exampleResource))) == 4


def test_jsonld_is_compacted_with_readable_keys(built):
    _, out = built
    document = json.loads((out / "cpsu.jsonld").read_text())
    stalin = next(node for node in document["@graph"] if node["id"] == "tenure/general-secretary-1")
    assert stalin["holder"] == "person/joseph-stalin"
    assert stalin["office"] == "office/general-secretary"
    assert (stalin["startDate"], stalin["endDate"]) == ("1922-04-03", "1952-10-16")
    assert stalin["label"] == {"en": "Joseph Stalin, General Secretary (1922–1952)",
                               "ru": "Иосиф Сталин, Генеральный секретарь (1922–1952)"}


def inferred_types(result) -> Graph:
    types = Graph()
    types += result.inferred.triples((None, RDF.type, None))
    return types


def test_jsonld_parses_back_with_rdflib_and_with_pyld_to_the_asserted_graph_and_the_inferred_types(built):
    result, out = built
    text = (out / "cpsu.jsonld").read_text()
    expected = result.graph + inferred_types(result)
    assert isomorphic(Graph().parse(data=text, format="json-ld"), expected)
    expanded = jsonld.expand(json.loads(text))
    assert len(expanded) == len(json.loads(text)["@graph"])
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nquads"), expected)


def test_jsonld_gives_booleans_and_numbers_as_json_values_and_carries_inferred_types(built):
    _, out = built
    document = json.loads((out / "cpsu.jsonld").read_text())
    khrushchev = next(node for node in document["@graph"] if node["id"] == "tenure/first-secretary-1")
    assert khrushchev["acting"] is False and khrushchev["ordinal"] == 1
    assert {"cpsu:Tenure", "cpsu:TopOfficeTenure", "org:Membership"} <= set(khrushchev["type"])


def pyld_term(term) -> dict:
    """A pyoxigraph term in the form pyld's N-Quads parser gives it (an RDF dataset's term)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "blank node", "value": f"_:{term.value}"}
    literal = {"type": "literal", "datatype": term.datatype.value, "value": term.value}
    if term.language:
        literal["language"] = term.language
    return literal


def pyld_dataset(triples) -> dict:
    """The triples as the RDF dataset pyld's from_rdf takes: what its N-Quads parser builds, without its
    quadratic duplicate check (17 s on the register; the triples come from a store, so they are distinct)."""
    return {"@default": [{"subject": pyld_term(triple.subject), "predicate": pyld_term(triple.predicate),
                          "object": pyld_term(triple.object)} for triple in triples]}


def pyld_compacted(triples) -> dict:
    """The reference: pyld's own conversion from RDF and compaction of the triples with the project's context."""
    expanded = jsonld.from_rdf(pyld_dataset(triples), {"useNativeTypes": True})
    return jsonld.compact(expanded, {"@context": jsonld_context()})


def test_the_reference_dataset_is_what_pyld_parses_from_n_quads(built):
    result, _ = built
    triples = sorted({quad.triple for quad in result.register.asserted_quads()}, key=str)
    sample = [triple for triple in triples if isinstance(triple.object, pyoxigraph.Literal)][:300] + \
        [triple for triple in triples if isinstance(triple.subject, pyoxigraph.BlankNode)][:50]
    nquads = pyoxigraph.serialize(sample, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    assert jsonld.parse_nquads(nquads) == pyld_dataset(sample)
    assert {term["language"] for term in (t["object"] for t in pyld_dataset(sample)["@default"]) if "language" in term}


def same_graph(left: dict, right: dict) -> bool:
    """Whether two JSON-LD documents describe the same RDF graph (compared by pyld's canonical N-Quads)."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads"}
    return jsonld.normalize(left, options) == jsonld.normalize(right, options)


def test_the_jsonld_writer_gives_the_graph_pyld_compaction_gives_on_the_register(built):
    result, out = built
    triples = [quad.triple for quad in result.register.asserted_quads()]
    ours = json.loads(to_jsonld(triples, jsonld_context()))
    assert same_graph(ours, pyld_compacted(triples))


def test_the_jsonld_writer_gives_the_graph_pyld_compaction_gives_on_a_generated_register():
    from tests.test_fast_paths import generator, with_ontology

    graph = with_ontology(generator().generate(10_000, seed=13))
    triples = [quad.triple for quad in pyoxigraph.parse(graph.serialize(format="nt").encode(),
                                                         format=pyoxigraph.RdfFormat.N_TRIPLES)]
    assert len(triples) > 9_000
    ours = json.loads(to_jsonld(triples, jsonld_context()))
    assert same_graph(ours, pyld_compacted(triples))


def test_the_full_ntriples_dump_is_the_asserted_and_the_inferred_triples_sorted(built):
    result, out = built
    lines = (out / "cpsu-full.nt").read_text().splitlines()
    assert len(lines) == len(result.graph) + len(result.inferred)
    assert isomorphic(Graph().parse(out / "cpsu-full.nt", format="nt"), result.graph + result.inferred)


def test_output_folders_are_world_readable(built):
    _, out = built
    assert out.stat().st_mode & 0o777 == 0o755
    assert {path.stat().st_mode & 0o777 for path in out.rglob("*") if path.is_dir()} == {0o755}
    assert {path.stat().st_mode & 0o777 for path in out.rglob("*") if path.is_file()} == {0o644}


def test_two_builds_in_different_processes_are_byte_identical(tmp_path):
    for folder, seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "build", "--out", str(tmp_path / folder)], check=True, env=env,
                       cwd=PROJECT_ROOT, capture_output=True)
    for name in OUTPUTS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_every_stored_query_answers_on_the_full_dump_in_a_plain_store_as_cpsu_kg_query_does(built, queryable):
    _, out = built
    plain = pyoxigraph.Store()
    plain.load(path=str(out / "cpsu-full.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    for query in list_queries():
        values = dict(query.defaults)
        on_dump, through_query = run(query, plain, values), run(query, queryable, values)
        assert on_dump.rows, query.name
        assert on_dump.variables == through_query.variables, query.name
        assert Counter(on_dump.rows) == Counter(through_query.rows), query.name


def csv_rows(out: Path, name: str) -> list[dict[str, str]]:
    with (out / "csv" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_spreadsheets_hold_one_tidy_row_per_entity_with_ids_labels_and_sources(built):
    _, out = built
    stalin = next(row for row in csv_rows(out, "persons") if row["person_id"] == "joseph-stalin")
    assert {key: stalin[key] for key in ("name_en", "name_ru", "birth_date", "birth_place", "birth_country",
                                         "death_date", "death_place", "wikidata")} == {
        "name_en": "Joseph Stalin", "name_ru": "Иосиф Сталин", "birth_date": "1878-12-18", "birth_place": "Gori",
        "birth_country": "Georgia", "death_date": "1953-03-05", "death_place": "Moscow", "wikidata": "Q855"}
    first = next(row for row in csv_rows(out, "tenures") if row["tenure_id"] == "general-secretary-1")
    assert first == {
        "tenure_id": "general-secretary-1", "person_id": "joseph-stalin", "person_en": "Joseph Stalin",
        "office_id": "general-secretary", "office_en": "General Secretary of the Central Committee of the CPSU",
        "start_date": "1922-04-03", "end_date": "1952-10-16", "acting": "false", "basis": "de jure",
        "end_cause": "office abolished",
        "source_urls": "https://en.wikipedia.org/wiki/General_Secretary_of_the_Communist_Party_of_the_Soviet_Union "
                       "https://www.archontology.org/nations/ussr/cpsu/secretariat.php"}
    counts = {name: len(csv_rows(out, name)) for name in ("persons", "tenures", "memberships", "congresses")}
    assert counts == {"persons": 198, "tenures": 77, "memberships": 371, "congresses": 28}
    second = next(row for row in csv_rows(out, "congresses") if row["congress_id"] == "2")
    assert (second["places"], second["start_date_old_style"]) == ("Brussels; London", "1903-07-17")


def test_frictionless_validates_the_data_package_and_catches_a_broken_reference(built, tmp_path):
    from frictionless import validate

    _, out = built
    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    tenures = next(resource for resource in descriptor["resources"] if resource["name"] == "tenures")
    assert [f["type"] for f in tenures["schema"]["fields"] if f["name"] in ("start_date", "acting")] == ["string",
                                                                                                      "boolean"]
    broken = tmp_path / "package"
    shutil.copytree(out, broken, ignore=shutil.ignore_patterns("*.nt", "*.ttl", "*.trig", "*.jsonld"))
    text = (broken / "csv" / "tenures.csv").read_text(encoding="utf-8")
    (broken / "csv" / "tenures.csv").write_text(text.replace(",joseph-stalin,", ",josef-stalin,", 1), encoding="utf-8")
    report = validate(broken / "datapackage.json")
    assert not report.valid
    assert [error[2] for error in report.flatten(["rowNumber", "fieldName", "type"])] == ["foreign-key"]


def test_void_names_the_public_locations_it_is_given(tmp_path):
    finished = run_cli("build", "--out", str(tmp_path / "dist"), "--base-url", "https://example.org/cpsu-kg",
                       "--endpoint-url", "https://example.org/sparql")
    assert finished.returncode == 0, finished.stderr
    void = Graph().parse(tmp_path / "dist" / "void.ttl", format="turtle")
    dataset = URIRef("https://w3id.org/cpsu-kg/dataset")
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert URIRef("https://example.org/cpsu-kg/dumps/cpsu.ttl") in set(void.objects(dataset, VOID.dataDump))
    assert void.value(dataset, RDFS.comment) is None
    assert run_cli("build", "--out", str(tmp_path / "x"), "--base-url", "example.org").stderr == (
        "cpsu-kg: error: --base-url expects an http(s) URL, got 'example.org'\n")
