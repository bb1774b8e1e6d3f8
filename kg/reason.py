"""Reason stage: the OWL 2 RL closure of the ontology and the data (fast engine, owlrl as reference), kept apart."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.term import Node

from kg.cache import cache_dir, content_hash, write_atomically
from kg.load import bind_prefixes, load_ontology

BUILT_IN_VOCABULARIES = (
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
)
EMPTY_CLASSES = (OWL.Thing, RDFS.Resource)


def is_noise(triple: tuple[Node, Node, Node]) -> bool:
    """True for inferred triples that tell a reader nothing (owlrl's axiomatic and trivial output)."""
    subject, _, obj = triple
    return (
        isinstance(subject, Literal)  # "1921-03-16"^^xsd:date rdf:type xsd:date
        or any(isinstance(term, BNode) for term in triple)  # typing by anonymous restrictions, list cells
        or subject == obj  # x owl:sameAs x, C rdfs:subClassOf C, p rdfs:subPropertyOf p
        or obj in EMPTY_CLASSES  # x rdf:type owl:Thing, C rdfs:subClassOf owl:Thing, p rdfs:range owl:Thing
        or str(subject).startswith(BUILT_IN_VOCABULARIES)  # xsd:date rdf:type rdfs:Datatype, rdf:type a rdf:Property
    )


def reasoning_input(graph: Graph, ontology: Graph) -> Graph:
    """The triples that can fire an OWL RL rule: the ontology's axioms and the data's typed links.

    Labels, comments, notes and other annotations match no rule premise except through their
    property's own axioms, so a data triple is kept only when its property appears in the ontology.
    """
    axioms = [triple for triple in ontology if not isinstance(triple[2], Literal)]
    vocabulary = {term for triple in axioms for term in triple}
    structural = Graph()
    for triple in axioms:
        structural.add(triple)
    for triple in graph:
        if triple[1] == RDF.type or triple[1] in vocabulary:
            structural.add(triple)
    return structural


def owl_rl_closure(graph: Graph) -> Graph:
    """The full OWL 2 RL closure of a graph, as owlrl computes it (the graph itself is left unchanged)."""
    import owlrl  # imported here: `cpsu-kg query` must not pay for it

    closure = Graph()
    closure += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return closure


def _plain(term: Node) -> Node:
    # reasonable returns plain literals typed xsd:string, which rdflib treats as different terms
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _chains(graph: Graph) -> list[tuple[Node, list[Node]]]:
    chains = []
    for prop, head in graph.subject_objects(OWL.propertyChainAxiom):
        chains.append((prop, list(Collection(graph, head))))
    return chains


def add_property_chain_inferences(closure: Graph) -> int:
    """Rule prp-spo2 (which reasonable skips): x p1 y ... pn z and p = p1 o ... o pn give x p z."""
    added = 0
    for prop, steps in _chains(closure):
        reached = {(s, o) for s, o in closure.subject_objects(steps[0])}
        for step in steps[1:]:
            reached = {(s, z) for s, y in reached for z in closure.objects(y, step)}
        for subject, obj in reached:
            if (subject, prop, obj) not in closure:
                closure.add((subject, prop, obj))
                added += 1
    return added


def add_domain_range_schema_inferences(closure: Graph) -> int:
    """Rules scm-dom1/2 and scm-rng1/2 (which reasonable skips): domains and ranges along the hierarchies."""
    added = 0
    for axis in (RDFS.domain, RDFS.range):
        for prop, cls in list(closure.subject_objects(axis)):
            wider = set(closure.transitive_objects(cls, RDFS.subClassOf))
            narrower = set(closure.transitive_subjects(RDFS.subPropertyOf, prop))
            for sub_property in narrower:
                for super_class in wider:
                    if (sub_property, axis, super_class) not in closure:
                        closure.add((sub_property, axis, super_class))
                        added += 1
    return added


def fast_closure(graph: Graph) -> Graph:
    """The OWL 2 RL closure by the Rust reasoner `reasonable`, completed with the rules it skips.

    Repeated to a fixpoint because the added triples can feed its rules again; a test proves the result
    equals owlrl's, noise aside, on the register and on a generated graph.
    """
    import reasonable

    closure = Graph()
    closure += graph
    while True:
        before = len(closure)
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(closure)
        for triple in reasoner.reason():
            closure.add(tuple(_plain(term) for term in triple))
        add_property_chain_inferences(closure)
        add_domain_range_schema_inferences(closure)
        if len(closure) == before:
            return closure


def inferred_triples(asserted: Graph, closure: Graph) -> Graph:
    """What the closure adds to the asserted graph, without the noise."""
    inferred = bind_prefixes(Graph())
    for triple in closure:
        if triple not in asserted and not is_noise(triple):
            inferred.add(triple)
    return inferred


ENGINES = {"fast": fast_closure, "owlrl": owl_rl_closure}


def reason(graph: Graph, ontology: Graph | None = None, use_cache: bool = True, engine: str = "fast") -> Graph:
    """Return the inferred triples of the OWL 2 RL closure of graph + ontology, as a graph of their own.

    engine "fast" (default) is reasonable plus the rules it skips; "owlrl" is the reference it is tested against.
    """
    ontology = load_ontology() if ontology is None else ontology
    structural = reasoning_input(graph, ontology)
    cached = cache_dir() / f"inferred-{content_hash(structural)[:32]}.nt"
    if use_cache and cached.exists():
        return bind_prefixes(Graph().parse(cached, format="nt"))
    inferred = inferred_triples(graph + ontology, ENGINES[engine](structural))
    if use_cache:
        write_atomically(cached, inferred.serialize(format="nt"))
    return inferred
