"""The fast reasoner against owlrl on randomly generated small ontologies and data (hypothesis, derandomised).

Each case draws a few axioms over four classes, four properties and four individuals, from the OWL 2 RL
constructs: subClassOf, equivalentClass, subPropertyOf, equivalentProperty, inverseOf, transitive, symmetric,
functional and inverse-functional properties, property chains, domain, range, hasValue (an individual or a
literal), someValuesFrom, allValuesFrom, unionOf and intersectionOf; then typed links, typings and literal values.
The two closures must be equal, noise aside (kg.reason.is_noise).

What the fast path leaves out, on purpose: inferences that need a generalised triple whose subject is a literal.
owlrl derives through such triples; RDF has none and reasonable makes none. They arise when a literal value meets
an axiom that turns an object into a subject or types it: an inverse or symmetric property ("y" p a), a range or
an allValuesFrom ("y" a C), a functional property ("y" owl:sameAs a). So a case holds literals (in its data or in
an owl:hasValue) only when it has none of those five axioms; the project's ontology gives none of them a literal.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from kg.reason import fast_closure, is_noise, owl_rl_closure

EX = "http://example.org/"
CLASSES = [URIRef(f"{EX}C{i}") for i in range(4)]
PROPERTIES = [URIRef(f"{EX}p{i}") for i in range(4)]
INDIVIDUALS = [URIRef(f"{EX}a{i}") for i in range(4)]
VALUE = Literal("y")
CHARACTERISTICS = {
    "transitive": OWL.TransitiveProperty, "symmetric": OWL.SymmetricProperty,
    "functional": OWL.FunctionalProperty, "inverse-functional": OWL.InverseFunctionalProperty,
}  # fmt: skip
MAKE_LITERAL_SUBJECTS = {"inverseOf", "symmetric", "range", "allValuesFrom", "functional"}
AXIOM_KINDS = (
    "subClassOf", "equivalentClass", "subPropertyOf", "equivalentProperty", "inverseOf", *CHARACTERISTICS,
    "chain", "domain", "range", "hasValue", "hasValue-literal", "someValuesFrom", "allValuesFrom", "unionOf",
    "intersectionOf",
)  # fmt: skip


def restriction(graph: Graph, prop: URIRef, kind: URIRef, value: object) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, OWL.Restriction))
    graph.add((node, OWL.onProperty, prop))
    graph.add((node, kind, value))
    return node


def rdf_list(graph: Graph, members: list) -> BNode:
    head = BNode()
    Collection(graph, head, members)
    return head


def add_axiom(graph: Graph, kind: str, c: list, p: list, individual: URIRef, placement: int) -> None:
    """One axiom of the given kind over the drawn classes c, properties p and individual."""
    if kind in ("subClassOf", "equivalentClass"):
        graph.add((c[0], RDFS.subClassOf if kind == "subClassOf" else OWL.equivalentClass, c[1]))
    elif kind in ("subPropertyOf", "equivalentProperty", "inverseOf"):
        graph.add((p[0], {"subPropertyOf": RDFS.subPropertyOf, "equivalentProperty": OWL.equivalentProperty,
                          "inverseOf": OWL.inverseOf}[kind], p[1]))
    elif kind in CHARACTERISTICS:
        graph.add((p[0], RDF.type, CHARACTERISTICS[kind]))
    elif kind == "chain":
        graph.add((p[0], OWL.propertyChainAxiom, rdf_list(graph, [p[1], p[2]])))
    elif kind in ("domain", "range"):
        graph.add((p[0], RDFS.domain if kind == "domain" else RDFS.range, c[0]))
    elif kind.startswith("hasValue"):
        node = restriction(graph, p[0], OWL.hasValue, VALUE if kind == "hasValue-literal" else individual)
        graph.add([(c[0], OWL.equivalentClass, node), (c[0], RDFS.subClassOf, node), (node, RDFS.subClassOf, c[0])]
                  [placement % 3])
    elif kind == "someValuesFrom":
        graph.add((restriction(graph, p[0], OWL.someValuesFrom, c[1]), RDFS.subClassOf, c[0]))
    elif kind == "allValuesFrom":
        graph.add((c[0], RDFS.subClassOf, restriction(graph, p[0], OWL.allValuesFrom, c[1])))
    else:
        graph.add((c[0], OWL.unionOf if kind == "unionOf" else OWL.intersectionOf, rdf_list(graph, [c[1], c[2]])))


@st.composite
def ontology_and_data(draw: st.DrawFn) -> set:
    graph = Graph()
    kinds = draw(st.lists(st.sampled_from(AXIOM_KINDS), min_size=1, max_size=8))
    literals_allowed = not (MAKE_LITERAL_SUBJECTS & set(kinds))
    for kind in kinds:
        kind = "hasValue" if kind == "hasValue-literal" and not literals_allowed else kind
        classes = draw(st.permutations(CLASSES))
        properties = [draw(st.sampled_from(PROPERTIES)) for _ in range(3)]
        add_axiom(graph, kind, classes, properties, draw(st.sampled_from(INDIVIDUALS)), draw(st.integers(0, 2)))
    for _ in range(draw(st.integers(2, 10))):
        subject, choice = draw(st.sampled_from(INDIVIDUALS)), draw(st.integers(0, 9))
        if choice < 3:
            graph.add((subject, RDF.type, draw(st.sampled_from(CLASSES))))
        elif choice < 9 or not literals_allowed:
            graph.add((subject, draw(st.sampled_from(PROPERTIES)), draw(st.sampled_from(INDIVIDUALS))))
        else:
            graph.add((subject, draw(st.sampled_from(PROPERTIES)), VALUE))
    return set(graph)


def without_noise(closure: set) -> set:
    return {triple for triple in closure if not is_noise(triple)}


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ontology_and_data())
def test_the_fast_closure_equals_owlrl_on_random_ontologies(triples):
    fast, reference = without_noise(fast_closure(set(triples))), without_noise(owl_rl_closure(set(triples)))
    if fast != reference:
        graph = Graph()
        graph.addN((*triple, graph) for triple in triples)
        note(graph.serialize(format="turtle"))
        note(f"missing: {sorted(reference - fast)}\nextra: {sorted(fast - reference)}")
    assert fast == reference


def test_an_inverse_functional_property_makes_only_subjects_of_one_value_the_same():
    ifp = PROPERTIES[0]
    a0, a1, a2 = INDIVIDUALS[:3]
    triples = {(ifp, RDF.type, OWL.InverseFunctionalProperty), (a0, ifp, a2), (a1, ifp, a2), (INDIVIDUALS[3], ifp, a0)}
    closure = without_noise(fast_closure(triples))
    assert {t for t in closure if t[1] == OWL.sameAs} == {(a0, OWL.sameAs, a1), (a1, OWL.sameAs, a0)}
    assert closure == without_noise(owl_rl_closure(triples))


def test_a_has_value_restriction_with_a_literal_types_its_holders_both_ways():
    c0, c1 = CLASSES[:2]
    p0 = PROPERTIES[0]
    a0, a1 = INDIVIDUALS[:2]
    graph = Graph()
    graph.add((c0, OWL.equivalentClass, restriction(graph, p0, OWL.hasValue, VALUE)))
    graph.add((a0, p0, VALUE))
    graph.add((a1, RDF.type, c0))
    closure = without_noise(fast_closure(set(graph)))
    assert (a0, RDF.type, c0) in closure and (a1, p0, VALUE) in closure
    assert closure == without_noise(owl_rl_closure(set(graph)))
