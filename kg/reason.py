"""Reason stage: the OWL 2 RL closure of the ontology and the data (fast engine, owlrl as reference), kept apart.

The inferences go into the register's store as a named graph of their own (kg.paths.INFERRED_GRAPH).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.cache import cache_dir, content_hash, register_key, write_atomically
from kg.load import Register, register_of_graph
from kg.paths import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.terms import Triple, collector_paused, graph_of, oxigraph_quads, rdflib_converter, rdflib_triples

BUILT_IN_VOCABULARIES = (
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
)
EMPTY_CLASSES = frozenset((OWL.Thing, RDFS.Resource))
# Annotations match no OWL RL rule premise; the ontology's own are left out of the reasoning input.
ANNOTATION_PREDICATES = frozenset(
    (RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.versionIRI, OWL.imports)
)
ANNOTATION_NAMESPACES = ("http://purl.org/dc/terms/", "http://purl.org/vocab/vann/", "http://www.w3.org/2004/02/skos/core#")


def is_noise(triple: Triple) -> bool:
    """True for inferred triples that tell a reader nothing (owlrl's axiomatic and trivial output)."""
    subject, predicate, obj = triple
    return (
        isinstance(subject, (Literal, BNode))  # "1921-03-16"^^xsd:date rdf:type xsd:date; anonymous restrictions,
        or isinstance(predicate, BNode)  # list cells
        or isinstance(obj, BNode)
        # x owl:sameAs x, C rdfs:subClassOf C, p rdfs:subPropertyOf p (hashes first: rdflib's == is Python code)
        or (hash(subject) == hash(obj) and subject == obj)
        or obj in EMPTY_CLASSES  # x rdf:type owl:Thing, C rdfs:subClassOf owl:Thing, p rdfs:range owl:Thing
        or str(subject).startswith(BUILT_IN_VOCABULARIES)  # xsd:date rdf:type rdfs:Datatype, rdf:type a rdf:Property
    )


def is_annotation(predicate: Node) -> bool:
    """True for the predicates of annotations (labels, comments, Dublin Core, SKOS, VANN)."""
    return predicate in ANNOTATION_PREDICATES or str(predicate).startswith(ANNOTATION_NAMESPACES)


def reasoning_input(data: Iterable[Triple], ontology: Iterable[Triple]) -> set[Triple]:
    """The triples that can fire an OWL RL rule: the ontology's axioms and the data's typed links.

    The ontology's annotations are left out; its other triples stay, literal objects included (an
    owl:hasValue "y" restriction needs its literal). A data triple is kept when its property appears in an axiom.
    """
    axioms = {triple for triple in ontology if not is_annotation(triple[1])}
    vocabulary = {term for triple in axioms for term in triple if not isinstance(term, Literal)} | {RDF.type}
    return axioms | {triple for triple in data if triple[1] in vocabulary}


def owl_rl_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The full OWL 2 RL closure of some triples, as owlrl computes it."""
    import owlrl  # imported here: `cpsu-kg query` must not pay for it

    closure = ClosureGraph()
    closure.addN((s, p, o, closure) for s, p, o in triples)
    with owlrl_vocabulary_looked_up_once():
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return set(closure)


class ClosureGraph(Graph):
    """The in-memory graph owlrl expands: SimpleMemory (no context bookkeeping: owlrl runs a fifth faster on it),
    and whether it holds a whole triple is answered from a Python set.

    owlrl asks that for every triple a rule derives (Core.store_triple), and rdflib answers it through its
    triple-pattern generator: measured on the register, 45 % of owlrl's time. owlrl changes the graph only by add
    and remove, which keep the set in step; the set and the store compare terms alike (their hash and ==).
    """

    def __init__(self) -> None:
        super().__init__(store="SimpleMemory")
        self._held: set[Triple] = set()

    def add(self, triple: Triple) -> ClosureGraph:
        super().add(triple)
        self._held.add(triple)
        return self

    def addN(self, quads: Iterable[tuple[Node, Node, Node, Graph]]) -> ClosureGraph:  # noqa: N802 - rdflib's name
        quads = [quad for quad in quads if quad[3] is self]
        super().addN(quads)
        self._held.update((s, p, o) for s, p, o, _ in quads)
        return self

    def remove(self, triple: tuple[Node | None, Node | None, Node | None]) -> ClosureGraph:
        self._held.difference_update(list(self.triples(triple)))
        super().remove(triple)
        return self

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        subject, predicate, obj = triple
        if subject is None or predicate is None or obj is None:
            return super().__contains__(triple)
        return triple in self._held


class TermsLookedUpOnce:
    """An rdflib namespace whose terms are looked up once, then read as plain attributes (RDF.type, OWL.sameAs)."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)  # the next RDF.type is an ordinary attribute: __getattr__ is not called again
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._namespace[name]


@contextmanager
def owlrl_vocabulary_looked_up_once() -> Iterator[None]:
    """Within the block, owlrl's modules read RDF, RDFS, OWL and XSD through TermsLookedUpOnce (same terms).

    owlrl names a vocabulary term (OWL.sameAs) for every triple of every round, and each name goes through
    rdflib's DefinedNamespace lookup: measured on the register, that lookup was half of owlrl's time.
    """
    swapped = []
    for name, module in list(sys.modules.items()):
        if name == "owlrl" or name.startswith("owlrl."):
            for attribute in ("RDF", "RDFS", "OWL", "XSD"):
                namespace = vars(module).get(attribute)
                if namespace is not None and not isinstance(namespace, TermsLookedUpOnce):
                    swapped.append((module, attribute, namespace))
                    setattr(module, attribute, TermsLookedUpOnce(namespace))
    try:
        yield
    finally:
        for module, attribute, namespace in swapped:
            setattr(module, attribute, namespace)


def _plain_object(triple: Triple) -> Triple:
    # reasonable returns plain literals typed xsd:string, which rdflib treats as different terms
    obj = triple[2]
    if isinstance(obj, Literal) and obj.datatype == XSD.string:
        return triple[0], triple[1], Literal(str(obj))
    return triple


# Sets, not tuples: `in` on a tuple of rdflib terms calls their Python __eq__ once per member.
SCHEMA_PREDICATES = frozenset(
    (
        OWL.propertyChainAxiom, OWL.inverseOf, RDF.first, RDF.rest, RDFS.domain, RDFS.range, RDFS.subClassOf,
        RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.unionOf, OWL.intersectionOf, RDF.type,
        OWL.onProperty, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom,
    )
)  # fmt: skip


TYPE_PREDICATE = frozenset((RDF.type,))  # a set: `p != RDF.type` would call rdflib's __eq__ for every triple
# The terms the rules name: the register's own triples are read with these very objects (see data_and_ontology).
VOCABULARY = SCHEMA_PREDICATES | EMPTY_CLASSES | {OWL.sameAs, OWL.InverseFunctionalProperty, RDF.nil}


def schema_of(closure: set[Triple]) -> Graph:
    """The triples of the closure that the rules reasonable skips read (chains, lists, hierarchies, declarations).

    Of rdf:type, only the declarations of properties and classes (objects in the OWL and RDFS vocabularies).
    """
    schema = Graph(store="SimpleMemory")  # no contexts: a Memory store and its graph hold each other (a cycle)
    schema.addN(
        (s, p, o, schema)
        for s, p, o in closure
        if p in SCHEMA_PREDICATES and (p not in TYPE_PREDICATE or str(o).startswith(BUILT_IN_VOCABULARIES))
    )
    return schema


def list_members(schema: Graph, head: Node) -> list[Node]:
    """The members of an RDF list in the schema (empty when the list is malformed)."""
    try:
        return list(Collection(schema, head))
    except Exception:  # noqa: BLE001 - a malformed list fires no rule
        return []


def add_property_chain_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rule prp-spo2 (which reasonable skips): x p1 y ... pn z and p = p1 o ... o pn give x p z."""
    schema = schema_of(closure) if schema is None else schema
    chains = [(prop, list_members(schema, head)) for prop, head in schema.subject_objects(OWL.propertyChainAxiom)]
    chains = [(prop, chain) for prop, chain in chains if chain]
    objects: dict[Node, dict[Node, list[Node]]] = {step: {} for _, chain in chains for step in chain}
    for s, p, o in closure:
        if p in objects:
            objects[p].setdefault(s, []).append(o)
    new = set()
    for prop, chain in chains:
        reached = [(s, o) for s, values in objects[chain[0]].items() for o in values]
        for step in chain[1:]:
            reached = [(s, z) for s, y in reached for z in objects[step].get(y, ())]
        new |= {(s, prop, o) for s, o in reached if not isinstance(s, Literal)} - closure
    closure |= new
    return len(new)


def add_chain_step_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rules prp-inv1/2 and prp-spo1 for the properties a chain axiom steps along (a head start, see fast_closure)."""
    schema = schema_of(closure) if schema is None else schema
    steps = {step for head in schema.objects(None, OWL.propertyChainAxiom) for step in list_members(schema, head)}
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


def _pairs(schema: Graph, predicate: Node) -> set[tuple[Node, Node]]:
    return set(schema.subject_objects(predicate))


def _restrictions(schema: Graph, kind: Node) -> dict[Node, list[tuple[Node, Node]]]:
    """For a restriction kind (owl:hasValue, someValuesFrom, allValuesFrom): its value -> [(restriction, property)]."""
    found: dict[Node, list[tuple[Node, Node]]] = {}
    for restriction, value in schema.subject_objects(kind):
        for prop in schema.objects(restriction, OWL.onProperty):
            found.setdefault(value, []).append((restriction, prop))
    return found


def add_class_schema_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """The OWL 2 RL schema rules reasonable skips for classes and properties (one round; the caller iterates).

    scm-sco, scm-spo (transitivity), scm-eqc1/2 and scm-eqp1/2 (equivalence both ways), scm-int and scm-uni
    (the members of intersections and unions), scm-hv, scm-svf1/2 and scm-avf1/2 (restrictions along the
    hierarchies). owl:onProperty and the restriction values are read with the rest of the closure.
    """
    schema = schema_of(closure) if schema is None else schema
    sub, subp = _pairs(schema, RDFS.subClassOf), _pairs(schema, RDFS.subPropertyOf)
    new: set[Triple] = set()
    for narrow, wide in sub:
        new |= {(narrow, RDFS.subClassOf, wider) for wider in schema.objects(wide, RDFS.subClassOf)}
        if (wide, narrow) in sub:
            new.add((narrow, OWL.equivalentClass, wide))
    for narrow, wide in subp:
        new |= {(narrow, RDFS.subPropertyOf, wider) for wider in schema.objects(wide, RDFS.subPropertyOf)}
        if (wide, narrow) in subp:
            new.add((narrow, OWL.equivalentProperty, wide))
    for one, other in _pairs(schema, OWL.equivalentClass):
        new |= {(one, RDFS.subClassOf, other), (other, RDFS.subClassOf, one)}
    for one, other in _pairs(schema, OWL.equivalentProperty):
        new |= {(one, RDFS.subPropertyOf, other), (other, RDFS.subPropertyOf, one)}
    for cls, head in _pairs(schema, OWL.intersectionOf):
        new |= {(cls, RDFS.subClassOf, member) for member in list_members(schema, head)}
    for cls, head in _pairs(schema, OWL.unionOf):
        new |= {(member, RDFS.subClassOf, cls) for member in list_members(schema, head)}
    for restrictions in _restrictions(schema, OWL.hasValue).values():
        new |= {(c1, RDFS.subClassOf, c2) for c1, p1 in restrictions for c2, p2 in restrictions if (p1, p2) in subp}
    for kind, along_values in ((OWL.someValuesFrom, False), (OWL.allValuesFrom, True)):
        by_value = _restrictions(schema, kind)
        for restrictions in by_value.values():  # scm-svf2 / scm-avf2: same value, sub-property
            for c1, p1 in restrictions:
                for c2, p2 in restrictions:
                    if (p1, p2) in subp:
                        new.add((c2, RDFS.subClassOf, c1) if along_values else (c1, RDFS.subClassOf, c2))
        for y1, y2 in sub:  # scm-svf1 / scm-avf1: same property, sub-class values
            for c1, p1 in by_value.get(y1, ()):
                new |= {(c1, RDFS.subClassOf, c2) for c2, p2 in by_value.get(y2, ()) if p1 == p2}
    new = {triple for triple in new if triple[0] != triple[2]} - closure
    closure |= new
    return len(new)


def add_inverse_functional_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rule prp-ifp, which reasonable gets wrong (it makes any two subjects of such a property the same):
    x1 p y and x2 p y, with p inverse-functional, give x1 owl:sameAs x2."""
    schema = schema_of(closure) if schema is None else schema
    properties = set(schema.subjects(RDF.type, OWL.InverseFunctionalProperty))
    if not properties:
        return 0
    subjects: dict[tuple[Node, Node], set[Node]] = {}
    for s, p, o in closure:
        if p in properties:
            subjects.setdefault((p, o), set()).add(s)
    new = {(x1, OWL.sameAs, x2) for same in subjects.values() for x1 in same for x2 in same if x1 != x2}
    new -= closure
    closure |= new
    return len(new)


def add_class_combination_inferences(closure: set[Triple], schema: Graph | None = None) -> int:
    """Rules cls-int1, cls-int2 and cls-uni, which reasonable applies to one list per class only:
    an instance of every member of an intersection is one of it (and back); one of a union's members is one of it."""
    schema = schema_of(closure) if schema is None else schema
    intersections = [(cls, list_members(schema, head)) for cls, head in _pairs(schema, OWL.intersectionOf)]
    unions = [(cls, list_members(schema, head)) for cls, head in _pairs(schema, OWL.unionOf)]
    if not intersections and not unions:
        return 0
    types: dict[Node, set[Node]] = {}
    for s, p, o in closure:
        if p == RDF.type:
            types.setdefault(s, set()).add(o)
    new: set[Triple] = set()
    for node, classes in types.items():
        for cls, members in intersections:
            if cls in classes:
                new |= {(node, RDF.type, member) for member in members}
            elif members and all(member in classes for member in members):
                new.add((node, RDF.type, cls))
        new |= {(node, RDF.type, cls) for cls, members in unions if classes.intersection(members)}
    new -= closure
    closure |= new
    return len(new)


SKIPPED_RULES: tuple[Callable[[set[Triple], Graph], int], ...] = (
    add_property_chain_inferences,
    add_domain_range_schema_inferences,
    add_class_schema_inferences,
    add_inverse_functional_inferences,
    add_class_combination_inferences,
)
# Declarations reasonable must not see: it gets their rules wrong, and SKIPPED_RULES applies them instead.
WITHHELD_FROM_REASONABLE = frozenset((OWL.InverseFunctionalProperty,))


def add_skipped_rule_inferences(closure: set[Triple]) -> int:
    """The rules reasonable skips, to their own fixpoint; how many triples they added."""
    added = 0
    while True:
        schema = schema_of(closure)
        step = sum(rule(closure, schema) for rule in SKIPPED_RULES)
        added += step
        if step == 0:
            return added


def fast_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The OWL 2 RL closure by the Rust reasoner `reasonable`, completed with the rules it skips.

    Those rules run before and after it; it runs again only when they added something that could feed
    its rules. Before its first run, the chain axioms' steps are completed along their inverses and
    sub-properties (sound rules, so nothing is added that the closure lacks), which gives the chains their
    triples early and usually spares a second run over the whole graph. Tests prove the result equals
    owlrl's, noise aside, on the register, on a generated graph and on randomly generated ontologies.
    """
    import reasonable

    closure = set(triples)
    add_chain_step_inferences(closure)
    add_skipped_rule_inferences(closure)
    # reasonable returns new term objects for every triple; the closure keeps one object per term
    terms = {term: term for triple in closure for term in triple}
    same = terms.setdefault
    while True:
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph([t for t in closure if not (t[2] in WITHHELD_FROM_REASONABLE and t[1] in TYPE_PREDICATE)])
        closure.update((same(s, s), same(p, p), same(o, o)) for s, p, o in map(_plain_object, reasoner.reason()))
        if add_skipped_rule_inferences(closure) == 0:
            return closure


def inferred_triples(
    closure: Iterable[Triple], given: set[Triple], is_asserted: Callable[[Triple], bool]
) -> list[Triple]:
    """What the closure adds to the asserted triples, without noise.

    given (the reasoning input) holds every asserted triple whose predicate it uses, except annotations,
    so only the other triples need is_asserted (a look-up in the store).
    """
    covered = {predicate for _, predicate, _ in given if not is_annotation(predicate)}
    return [
        triple
        for triple in closure
        if triple not in given and not is_noise(triple) and (triple[1] in covered or not is_asserted(triple))
    ]


ENGINES = {"fast": fast_closure, "owlrl": owl_rl_closure}


def _closure_cache(register: Register, structural: set[Triple]) -> Path:
    key = register_key(register.files_digest) if register.files_digest else content_hash(structural)
    return cache_dir() / f"inferred-{key[:32]}.nt"


def data_and_ontology(register: Register) -> tuple[list[Triple], list[Triple]]:
    """The register's data and ontology as rdflib triples, one object per term, the rules' constants included."""
    term = rdflib_converter(VOCABULARY)  # dropped on return: it holds an Oxigraph term for each of them
    return rdflib_triples(register.data_quads(), term), rdflib_triples(register.quads(ONTOLOGY_GRAPH), term)


def reason_register(register: Register, use_cache: bool = True, engine: str = "fast") -> None:
    """Add the OWL 2 RL inferences of the register's ontology and data to its store, as the inferred graph.

    engine "fast" (default) is reasonable plus the rules it skips; "owlrl" is the reference it is tested against.
    The result is cached under the register's key (its files and this code), or its content when it has no files.
    """
    store, inferred_graph = register.store, pyoxigraph.NamedNode(INFERRED_GRAPH)
    store.remove_graph(inferred_graph)
    with collector_paused():
        structural = reasoning_input(*data_and_ontology(register))
    cached = _closure_cache(register, structural)
    if use_cache and cached.exists():
        store.load(path=str(cached), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=inferred_graph)
        return
    asserted = [pyoxigraph.NamedNode(name) for name in (ONTOLOGY_GRAPH, *register.data_graphs)]

    def is_asserted(triple: Triple) -> bool:
        (quad,) = oxigraph_quads([triple])
        return any(pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, graph) in store for graph in asserted)

    with collector_paused():
        quads = oxigraph_quads(inferred_triples(ENGINES[engine](structural), structural, is_asserted), INFERRED_GRAPH)
    store.bulk_extend(quads)
    if use_cache:  # in no particular order: the store it is loaded into does not keep one (sorting: 4.4 s at 10^6)
        triples = (quad.triple for quad in quads)
        write_atomically(cached, pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES))


def reason(graph: Graph, use_cache: bool = True, engine: str = "fast") -> Graph:
    """The inferred triples of the OWL 2 RL closure of an rdflib graph (ontology included), as a graph of their own.

    For the Python API and the tests: the graph is put in a store, reasoned as a register is, and read back.
    """
    register = register_of_graph(graph)
    reason_register(register, use_cache=use_cache, engine=engine)
    return graph_of(register.inferred_quads())
