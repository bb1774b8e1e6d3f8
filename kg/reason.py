"""Reason stage: the OWL 2 RL closure (owlrl) of the ontology and the data, kept apart and free of noise."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.compare import to_isomorphic
from rdflib.term import Node

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


def inferred_triples(asserted: Graph, closure: Graph) -> Graph:
    """What the closure adds to the asserted graph, without the noise."""
    inferred = bind_prefixes(Graph())
    for triple in closure:
        if triple not in asserted and not is_noise(triple):
            inferred.add(triple)
    return inferred


def cache_dir() -> Path:
    """Where closures are cached: $CPSU_KG_CACHE, else $XDG_CACHE_HOME/cpsu-kg, else ~/.cache/cpsu-kg."""
    if os.environ.get("CPSU_KG_CACHE"):
        return Path(os.environ["CPSU_KG_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cpsu-kg"


def content_hash(graph: Graph) -> str:
    """A hash of a graph's content that depends neither on triple order nor on blank-node labels."""
    ground, with_blank_nodes = [], Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            with_blank_nodes.add(triple)
        else:
            ground.append(" ".join(term.n3() for term in triple))
    # Only the few triples with blank nodes (the ontology's restrictions and lists) need the costly canonical digest.
    ground.append(str(to_isomorphic(with_blank_nodes).graph_digest()))
    return hashlib.sha256("\n".join(sorted(ground)).encode("utf-8")).hexdigest()


def reason(graph: Graph, ontology: Graph | None = None, use_cache: bool = True) -> Graph:
    """Return the inferred triples of the OWL 2 RL closure of graph + ontology, as a graph of their own."""
    ontology = load_ontology() if ontology is None else ontology
    structural = reasoning_input(graph, ontology)
    cached = cache_dir() / f"inferred-{content_hash(structural)[:32]}.nt"
    if use_cache and cached.exists():
        return bind_prefixes(Graph().parse(cached, format="nt"))
    inferred = inferred_triples(graph + ontology, owl_rl_closure(structural))
    if use_cache:
        cached.parent.mkdir(parents=True, exist_ok=True)
        staging = cached.with_suffix(f".tmp-{os.getpid()}")
        inferred.serialize(staging, format="nt", encoding="utf-8")
        staging.replace(cached)
    return inferred
