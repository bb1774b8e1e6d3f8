"""OWL RL reasoning: the inferences the queries rely on are there, owlrl's noise is not, and the fast input is exact."""

from __future__ import annotations

import gc
import weakref

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Literal, URIRef

from kg.cache import content_hash
from kg.paths import ID, ONTOLOGY_GRAPH
from kg.reason import (
    add_property_chain_inferences,
    is_noise,
    owl_rl_closure,
    reason,
    reasoning_input,
    schema_of,
)
from kg.terms import CPSU, rdflib_triples

PERSON, TENURE, OFFICE = f"{ID}person/", f"{ID}tenure/", f"{ID}office/"


def test_inverse_property_holds_is_inferred_from_holder(inferred):
    assert (URIRef(PERSON + "joseph-stalin"), CPSU.holds, URIRef(TENURE + "general-secretary-1")) in inferred
    assert (URIRef(OFFICE + "general-secretary"), CPSU.officeTenure, URIRef(TENURE + "general-secretary-1")) in inferred


def test_property_chain_makes_the_holder_of_a_tenure_hold_its_office(inferred):
    held = set(inferred.objects(URIRef(PERSON + "leonid-brezhnev"), CPSU.heldOffice))
    assert held == {URIRef(OFFICE + name) for name in (
        "first-secretary", "general-secretary", "second-secretary", "chairman-of-the-presidium-of-the-supreme-soviet")}


def test_succession_is_transitive_across_titles_and_the_1952_gap(inferred):
    stalin = URIRef(TENURE + "general-secretary-1")
    later = {str(t).removeprefix(TENURE) for t in inferred.objects(stalin, CPSU.succeededBy)}
    assert later == {"first-secretary-1", "first-secretary-2", "general-secretary-2", "general-secretary-3",
                     "general-secretary-4", "general-secretary-5", "general-secretary-6"}
    assert (URIRef(TENURE + "general-secretary-6"), CPSU.precededBy, URIRef(TENURE + "chairman-of-the-secretariat-1")) in inferred


def test_every_general_secretary_tenure_is_a_top_office_tenure_through_subclasses(inferred):
    general = set(inferred.subjects(RDF.type, CPSU.GeneralSecretaryTenure))
    assert {str(t).removeprefix(TENURE) for t in general} == {f"general-secretary-{n}" for n in range(1, 7)}
    assert all((t, RDF.type, CPSU.TopOfficeTenure) in inferred for t in general)
    assert len(set(inferred.subjects(RDF.type, CPSU.TopOfficeTenure))) == 12
    assert len(set(inferred.subjects(RDF.type, CPSU.TopStateOfficeTenure))) == 45


def test_alignment_classes_are_inferred_for_instances(inferred):
    tenure = URIRef(TENURE + "first-secretary-1")
    assert (tenure, RDF.type, URIRef("http://www.w3.org/ns/org#Membership")) in inferred
    assert (URIRef(PERSON + "nikita-khrushchev"), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")) in inferred


def test_no_noise_in_the_inferred_graph(inferred):
    assert not [t for t in inferred if isinstance(t[0], Literal)]
    assert not [t for t in inferred if t[1] == OWL.sameAs and t[0] == t[2]]
    assert not [t for t in inferred if t[1] == RDF.type and t[2] in (OWL.Thing, RDFS.Resource)]
    assert not [t for t in inferred if str(t[0]).startswith("http://www.w3.org/2001/XMLSchema#")]
    assert not [t for t in inferred if any(isinstance(term, BNode) for term in t)]
    assert not [t for t in inferred if t[0] == t[2]]


def test_noise_is_recognised():
    date = Literal("1921-03-16", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    stalin = URIRef(PERSON + "joseph-stalin")
    assert is_noise((date, RDF.type, URIRef("http://www.w3.org/2001/XMLSchema#date")))
    assert is_noise((stalin, OWL.sameAs, stalin))
    assert is_noise((stalin, RDF.type, OWL.Thing))
    assert is_noise((CPSU.Tenure, RDFS.subClassOf, OWL.Thing))
    assert not is_noise((stalin, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")))


def structural_input(reasoned) -> set:
    """The reasoning input of the real register: the ontology's axioms and the data's typed links."""
    return reasoning_input(rdflib_triples(reasoned.data_quads()), rdflib_triples(reasoned.quads(ONTOLOGY_GRAPH)))


@pytest.fixture(scope="module")
def owlrl_on_the_structural_input(register):
    """The project's owlrl path on the register (about 12 s): computed once for the two tests that compare with it."""
    return set(reason(register, use_cache=False, engine="owlrl"))


def test_reasoning_over_the_structural_input_gives_exactly_owlrl_on_everything(register, reasoned,
                                                                                owlrl_on_the_structural_input):
    reference = {triple for triple in owl_rl_closure(register) if triple not in register and not is_noise(triple)}
    assert owlrl_on_the_structural_input == reference
    assert len(structural_input(reasoned)) < len(register)


def test_the_fast_engine_gives_exactly_the_owlrl_inferences_on_the_register(register, owlrl_on_the_structural_input):
    fast = reason(register, use_cache=False, engine="fast")
    assert len(fast) == 6589
    assert set(fast) == owlrl_on_the_structural_input


def test_the_property_chain_rule_that_reasonable_skips_is_applied():
    from rdflib import Graph

    graph = Graph().parse(data="""
        @prefix cpsu: <https://w3id.org/cpsu-kg/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        cpsu:heldOffice owl:propertyChainAxiom ( cpsu:holds cpsu:office ) .
        <urn:p> cpsu:holds <urn:t> . <urn:t> cpsu:office <urn:o> .""", format="turtle")
    closure = set(graph)
    assert add_property_chain_inferences(closure) == 1
    assert closure - set(graph) == {(URIRef("urn:p"), CPSU.heldOffice, URIRef("urn:o"))}
    assert add_property_chain_inferences(closure) == 0


def test_the_closure_cache_is_keyed_by_content(register, reasoned):
    structural = structural_input(reasoned)
    assert content_hash(structural) == content_hash(structural_input(reasoned))
    before = content_hash(structural)
    structural.add((URIRef(PERSON + "joseph-stalin"), CPSU.holds, URIRef(TENURE + "x")))
    assert content_hash(structural) != before
    assert set(reason(register)) == set(reason(register, use_cache=False))


def test_the_chain_steps_come_from_their_inverses_so_reasonable_runs_once(reasoned, monkeypatch):
    import reasonable

    from kg.reason import fast_closure

    runs = []
    real = reasonable.PyReasoner

    def counted() -> object:
        runs.append(1)
        return real()

    monkeypatch.setattr(reasonable, "PyReasoner", counted)
    closure = fast_closure(structural_input(reasoned))
    # holds comes from holder by owl:inverseOf; with it in place before the first run, heldOffice is there too
    person, office = URIRef(PERSON + "joseph-stalin"), URIRef(OFFICE + "general-secretary")
    assert (person, CPSU.heldOffice, office) in closure
    assert len(runs) == 1


def test_the_chain_step_inferences_follow_inverses_and_sub_properties():
    from rdflib import Graph

    from kg.reason import add_chain_step_inferences

    graph = Graph().parse(data="""
        @prefix cpsu: <https://w3id.org/cpsu-kg/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        cpsu:heldOffice owl:propertyChainAxiom ( cpsu:holds cpsu:office ) .
        cpsu:holds owl:inverseOf cpsu:holder .
        <urn:actingIn> rdfs:subPropertyOf cpsu:office .
        <urn:t> cpsu:holder <urn:p> ; <urn:actingIn> <urn:o> .""", format="turtle")
    closure = set(graph)
    assert add_chain_step_inferences(closure) == 2
    assert closure - set(graph) == {
        (URIRef("urn:p"), CPSU.holds, URIRef("urn:t")),
        (URIRef("urn:t"), CPSU.office, URIRef("urn:o")),
    }


def test_the_closure_graph_holds_exactly_what_its_store_holds_through_adds_and_removes():
    from kg.reason import ClosureGraph

    a, b, year = URIRef("urn:a"), URIRef("urn:b"), Literal("1953", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))
    graph = ClosureGraph()
    graph.addN([(a, RDF.type, b, graph), (a, RDFS.label, Literal("A"), graph), (a, CPSU.startDate, year, graph)])
    graph.add((b, RDF.type, OWL.Class))
    assert (a, CPSU.startDate, Literal("1953", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))) in graph
    assert (a, CPSU.startDate, Literal("1953")) not in graph  # a plain literal is another term, as in the store
    graph.remove((a, None, None))
    assert [(a, RDF.type, b) in graph, (a, RDFS.label, Literal("A")) in graph, (b, RDF.type, OWL.Class) in graph] == [
        False, False, True]
    assert (None, RDF.type, None) in graph and (a, None, None) not in graph
    assert set(graph) == {(b, RDF.type, OWL.Class)}


def test_the_register_is_read_with_the_rules_own_constants_and_one_object_per_term(reasoned):
    from kg.reason import data_and_ontology

    data, ontology = data_and_ontology(reasoned)
    types = [triple for triple in data if triple[1] == RDF.type]
    assert types and all(triple[1] is RDF.type for triple in types)  # the constant itself: found by identity
    assert all(p is RDFS.subClassOf for _, p, _ in ontology if p == RDFS.subClassOf)
    in_data = {id(p) for _, p, _ in data if p == CPSU.holder}
    in_ontology = {id(s) for s, _, _ in ontology if s == CPSU.holder}  # its declaration
    assert len(in_data | in_ontology) == 1 and in_data and in_ontology  # data and ontology share one converter


def test_a_schema_graph_is_freed_as_soon_as_it_is_dropped_not_left_for_the_collector():
    # Each round of the skipped rules makes one; a store that held its graph (a cycle) waited for a collection.
    gc.disable()
    try:
        schema = schema_of({(URIRef("http://example.org/A"), RDFS.subClassOf, URIRef("http://example.org/B"))})
        assert len(schema) == 1
        store = weakref.ref(schema.store)
        del schema
        assert store() is None
    finally:
        gc.enable()
