"""Reason stage: the OWL 2 RL closure of the ontology and the data (fast engine, owlrl as reference), kept apart."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.term import Node

from kg.cache import cache_dir, content_hash, write_atomically
from kg.load import add_parsed, bind_prefixes, collector_paused, load_ontology

BUILT_IN_VOCABULARIES = (
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
)
EMPTY_CLASSES = frozenset((OWL.Thing, RDFS.Resource))
Triple = tuple[Node, Node, Node]


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


def reasoning_input(graph: Graph, ontology: Graph) -> set[Triple]:
    """The triples that can fire an OWL RL rule: the ontology's axioms and the data's typed links.

    Labels, comments, notes and other annotations match no rule premise except through their
    property's own axioms, so a data triple is kept only when its property appears in the ontology.
    """
    axioms = {triple for triple in ontology if not isinstance(triple[2], Literal)}
    vocabulary = {term for triple in axioms for term in triple} | {RDF.type}
    return axioms | {triple for triple in graph if triple[1] in vocabulary}


def owl_rl_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The full OWL 2 RL closure of some triples, as owlrl computes it."""
    import owlrl  # imported here: `cpsu-kg query` must not pay for it

    closure = Graph()
    closure.addN((s, p, o, closure) for s, p, o in triples)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return set(closure)


def _plain(term: Node) -> Node:
    # reasonable returns plain literals typed xsd:string, which rdflib treats as different terms
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


# Sets, not tuples: `in` on a tuple of rdflib terms calls their Python __eq__ once per member.
SCHEMA_PREDICATES = frozenset(
    (
        OWL.propertyChainAxiom, OWL.inverseOf, RDF.first, RDF.rest,
        RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf,
    )
)  # fmt: skip


def schema_of(closure: set[Triple]) -> Graph:
    """The few triples of the closure that the rules reasonable skips read (chains, lists, domains, hierarchies)."""
    schema = Graph()
    schema.addN((s, p, o, schema) for s, p, o in closure if p in SCHEMA_PREDICATES)
    return schema


def add_property_chain_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rule prp-spo2 (which reasonable skips): x p1 y ... pn z and p = p1 o ... o pn give x p z."""
    schema = schema_of(closure) if schema is None else schema
    chains = [(prop, list(Collection(schema, head))) for prop, head in schema.subject_objects(OWL.propertyChainAxiom)]
    objects: dict[Node, dict[Node, list[Node]]] = {step: {} for _, chain in chains for step in chain}
    for s, p, o in closure:
        if p in objects:
            objects[p].setdefault(s, []).append(o)
    new = set()
    for prop, chain in chains:
        reached = [(s, o) for s, values in objects[chain[0]].items() for o in values]
        for step in chain[1:]:
            reached = [(s, z) for s, y in reached for z in objects[step].get(y, ())]
        new |= {(s, prop, o) for s, o in reached} - closure
    closure |= new
    return len(new)


def add_chain_step_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rules prp-inv1/2 and prp-spo1 for the properties a chain axiom steps along (a head start, see fast_closure)."""
    schema = schema_of(closure) if schema is None else schema
    steps = {step for head in schema.objects(None, OWL.propertyChainAxiom) for step in Collection(schema, head)}
    sources: dict[Node, list[tuple[Node, bool]]] = {}  # property -> [(chain step it gives, swap subject/object)]
    for step in steps:
        for narrower in schema.transitive_subjects(RDFS.subPropertyOf, step):
            sources.setdefault(narrower, []).append((step, False))
        for inverse in {*schema.subjects(OWL.inverseOf, step), *schema.objects(step, OWL.inverseOf)}:
            sources.setdefault(inverse, []).append((step, True))
    new = {
        (o, step, s) if swap else (s, step, o)
        for s, p, o in closure
        if p in sources
        for step, swap in sources[p]
        if not swap or not isinstance(o, Literal)
    }
    new -= closure
    closure |= new
    return len(new)


def add_domain_range_schema_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rules scm-dom1/2 and scm-rng1/2 (which reasonable skips): domains and ranges along the hierarchies."""
    schema = schema_of(closure) if schema is None else schema
    new = set()
    for axis in (RDFS.domain, RDFS.range):
        for prop, cls in schema.subject_objects(axis):
            wider = set(schema.transitive_objects(cls, RDFS.subClassOf))
            narrower = set(schema.transitive_subjects(RDFS.subPropertyOf, prop))
            new |= {(sub_property, axis, super_class) for sub_property in narrower for super_class in wider}
    new -= closure
    closure |= new
    return len(new)


def add_skipped_rule_inferences(closure: set[Triple]) -> int:
    """The rules reasonable skips (prp-spo2, scm-dom/rng), to their own fixpoint; how many triples they added."""
    added = 0
    while True:
        schema = schema_of(closure)
        step = add_property_chain_inferences(closure, schema) + add_domain_range_schema_inferences(closure, schema)
        added += step
        if step == 0:
            return added


def fast_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The OWL 2 RL closure by the Rust reasoner `reasonable`, completed with the rules it skips.

    Those rules run before and after it; it runs again only when they added something that could feed
    its rules. Before its first run, the chain axioms' steps are completed along their inverses and
    sub-properties (sound rules, so nothing is added that the closure lacks), which gives the chains their
    triples early and usually spares a second run over the whole graph. A test proves the result equals
    owlrl's, noise aside, on the register and on a generated graph.
    """
    import reasonable

    closure = set(triples)
    add_chain_step_inferences(closure)
    add_skipped_rule_inferences(closure)
    # reasonable returns new term objects for every triple; the closure keeps one object per term
    terms = {term: term for triple in closure for term in triple}
    while True:
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(list(closure))
        closure.update(
            tuple(terms.setdefault(term, term) for term in (s, p, _plain(o))) for s, p, o in reasoner.reason()
        )
        if add_skipped_rule_inferences(closure) == 0:
            return closure


def inferred_triples(
    asserted: Graph | tuple[Graph, ...], closure: Iterable[Triple], given: set[Triple] | None = None
) -> Graph:
    """What the closure adds to the asserted graph(s) (and to the given triples it started from), without noise.

    given holds every asserted triple whose predicate it uses and whose object is not a literal (that is how
    reasoning_input chose them), so only the other triples need a look in the graphs (an rdflib membership
    test is ~100x slower than a set's, and a set of every asserted triple would cost memory at 10^6).
    """
    graphs = (asserted,) if isinstance(asserted, Graph) else asserted
    given = set() if given is None else given
    covered = {predicate for _, predicate, _ in given}

    def is_asserted(triple: Triple) -> bool:
        if triple in given:
            return True
        if triple[1] in covered and not isinstance(triple[2], Literal):
            return False
        return any(triple in graph for graph in graphs)

    inferred = bind_prefixes(Graph())
    inferred.addN((*triple, inferred) for triple in closure if not is_noise(triple) and not is_asserted(triple))
    return inferred


ENGINES = {"fast": fast_closure, "owlrl": owl_rl_closure}


def reason(
    graph: Graph, ontology: Graph | None = None, use_cache: bool = True, engine: str = "fast", key: str | None = None
) -> Graph:
    """Return the inferred triples of the OWL 2 RL closure of graph + ontology, as a graph of their own.

    engine "fast" (default) is reasonable plus the rules it skips; "owlrl" is the reference it is tested against.
    The result is cached under key (default: a hash of the reasoning input's content).
    """
    ontology = load_ontology() if ontology is None else ontology
    with collector_paused():
        structural = reasoning_input(graph, ontology)
        cached = cache_dir() / f"inferred-{(key or content_hash(structural))[:32]}.nt"
    if use_cache and cached.exists():  # N-Triples is Turtle: Oxigraph parses it ~20x faster than rdflib
        return add_parsed(bind_prefixes(Graph()), cached.read_text(encoding="utf-8"), cached.as_uri())
    with collector_paused():
        inferred = inferred_triples((graph, ontology), ENGINES[engine](structural), structural)
    if use_cache:
        write_atomically(cached, inferred.serialize(format="nt"))
    return inferred
