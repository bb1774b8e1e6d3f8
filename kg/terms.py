"""The bridge between rdflib's and Oxigraph's terms, for the edges where rdflib is the right tool.

The pipeline keeps the register in one pyoxigraph Store; rdflib graphs are made from it only for the
reference engines, pyLODE and users who ask for one.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph
from rdflib import XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.paths import CPSU_NS, PREFIXES

CPSU = Namespace(CPSU_NS)
OxigraphTerm = pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode
Triple = tuple[Node, Node, Node]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on a graph, so every serialisation uses the same short names."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def to_oxigraph(term: Node) -> OxigraphTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal) and term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    datatype = term.datatype if isinstance(term, Literal) and term.datatype else XSD.string
    return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(datatype)))


def from_oxigraph(term: object) -> Node | None:
    """A pyoxigraph term as an rdflib term (xsd:string literals without a datatype, as rdflib gives them)."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = None if term.datatype.value == str(XSD.string) else URIRef(term.datatype.value)
    return Literal(term.value, datatype=datatype)


def oxigraph_converter() -> Callable[[Node], OxigraphTerm]:
    """to_oxigraph with a memory: each distinct rdflib term is converted once (IRIs repeat a lot)."""
    return functools.lru_cache(maxsize=None)(to_oxigraph)


def rdflib_converter(known: Iterable[Node] = ()) -> Callable[[object], Node | None]:
    """from_oxigraph with a memory: each distinct Oxigraph term is converted once, and a known term (a vocabulary
    constant such as RDF.type) comes back as that very object.

    Python compares terms by identity before calling rdflib's __eq__ (a Python method): triples whose terms are
    the same objects as the constants a rule names are found in sets without it.
    """
    memory: dict[object, Node | None] = {to_oxigraph(term): term for term in known}

    def convert(term: object) -> Node | None:
        converted = memory.get(term)
        if converted is None:
            converted = memory[term] = from_oxigraph(term)
        return converted

    return convert


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk of long-lived objects is made.

    Every full collection walks every object alive, and a growing graph set off one each time it grew by a
    quarter: at 10^6 triples that cost a quarter of reading a graph. Nothing made here is garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was made goes straight to the oldest generation: else the next young collections walk it all
            # (paused, the collector still counts it as young), 4-5 % of reasoning at 10^6 triples.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def rdflib_triples(quads: Iterable[pyoxigraph.Quad], term: Callable[[object], Node | None] | None = None,
                   ) -> list[Triple]:
    """Oxigraph quads as rdflib triples (graph names dropped), each distinct term converted once (by term, a
    converter that may be shared between calls, see rdflib_converter)."""
    term = term or rdflib_converter()
    with collector_paused():
        return [(term(quad.subject), term(quad.predicate), term(quad.object)) for quad in quads]


def graph_of(quads: Iterable[pyoxigraph.Quad]) -> Graph:
    """An rdflib graph (the project's prefixes bound) of some Oxigraph quads, their graph names dropped."""
    graph = bind_prefixes(Graph())
    with collector_paused():
        graph.addN((*triple, graph) for triple in rdflib_triples(quads))
    return graph


def oxigraph_quads(triples: Iterable[Triple], graph_name: str | None = None) -> list[pyoxigraph.Quad]:
    """rdflib triples as Oxigraph quads in a named graph (the default graph when no name is given)."""
    term = oxigraph_converter()
    graph = pyoxigraph.NamedNode(graph_name) if graph_name else pyoxigraph.DefaultGraph()
    return [pyoxigraph.Quad(term(s), term(p), term(o), graph) for s, p, o in triples]


def oxigraph_store(*graphs: Iterable[Triple]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding the triples of rdflib graphs (in its default graph)."""
    store = pyoxigraph.Store()
    for graph in graphs:
        store.bulk_extend(oxigraph_quads(graph))
    return store
