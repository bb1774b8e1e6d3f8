"""Dataset description for export: VoID and DCAT metadata of the built graph (dist/void.ttl)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID
from rdflib.term import Node

from kg.load import ID, bind_prefixes

DATASET = URIRef("https://w3id.org/cpsu-kg/dataset")
INFERRED_SUBSET = URIRef("https://w3id.org/cpsu-kg/dataset/inferred")
ONTOLOGY = URIRef("https://w3id.org/cpsu-kg/ontology")
ENDPOINT = URIRef("http://127.0.0.1:7878/query")
LICENCE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
SEED_SOURCE = URIRef(f"{ID}source/seed-article")
EXAMPLES = ("person/joseph-stalin", "tenure/general-secretary-1", "congress/19", "troika/1953")
MEDIA_TYPES = {
    "cpsu.ttl": "text/turtle",
    "cpsu.nt": "application/n-triples",
    "cpsu.jsonld": "application/ld+json",
    "cpsu.trig": "application/trig",
    "cpsu-inferred.ttl": "text/turtle",
}
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib's DCAT namespace is DCAT 2
TITLE = "cpsu-kg: the leadership of the Communist Party of the Soviet Union, 1917-1991"


@dataclass
class Statistics:
    """The counts VoID reports, gathered in one pass over the graph."""

    triples: int = 0
    subjects: set[Node] = field(default_factory=set)
    objects: set[Node] = field(default_factory=set)
    entities: set[Node] = field(default_factory=set)
    class_entities: Counter = field(default_factory=Counter)
    classes: set[Node] = field(default_factory=set)
    property_triples: Counter = field(default_factory=Counter)
    sources: set[Node] = field(default_factory=set)


def statistics(graph: Graph) -> Statistics:
    """Count the graph's triples, subjects, objects, entities, classes, properties and sources in one pass."""
    stats = Statistics()
    for s, p, o in graph:
        stats.triples += 1
        stats.subjects.add(s)
        stats.objects.add(o)
        stats.property_triples[p] += 1
        own = isinstance(s, URIRef) and str(s).startswith(ID)
        if own:
            stats.entities.add(s)
        if p == RDF.type:
            stats.classes.add(o)
            if own:
                stats.class_entities[o] += 1
        elif p == DCTERMS.source:
            stats.sources.add(o)
    return stats


def _partition_iri(kind: str, term: Node) -> URIRef:
    # named partitions: readable, and no blank nodes to canonicalise when the file is written
    local = re.sub(r"[^A-Za-z0-9]+", "-", str(term).split("//", 1)[-1]).strip("-")
    return URIRef(f"{DATASET}/{kind}-partition/{local}")


def _partitions(description: Graph, stats: Statistics) -> None:
    for cls, count in sorted(stats.class_entities.items()):
        partition = _partition_iri("class", cls)
        description.add((DATASET, VOID.classPartition, partition))
        description.add((partition, VOID["class"], cls))
        description.add((partition, VOID.entities, Literal(count)))
    for predicate, count in sorted(stats.property_triples.items()):
        partition = _partition_iri("property", predicate)
        description.add((DATASET, VOID.propertyPartition, partition))
        description.add((partition, VOID.property, predicate))
        description.add((partition, VOID.triples, Literal(count)))


def _distributions(description: Graph, files: list[str]) -> None:
    for name in files:
        if name not in MEDIA_TYPES:
            continue
        distribution = URIRef(f"https://w3id.org/cpsu-kg/dist/{name}")
        description.add((DATASET, DCAT.distribution, distribution))
        description.add((distribution, RDF.type, DCAT.Distribution))
        description.add((distribution, DCAT.downloadURL, distribution))
        description.add(
            (distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[name]}"))
        )
        description.add((distribution, DCTERMS.title, Literal(name)))
        if name != "cpsu-inferred.ttl":
            description.add((DATASET, VOID.dataDump, distribution))


def describe(graph: Graph, inferred: Graph | None, files: list[str]) -> Graph:
    """VoID + DCAT description of the asserted graph: counts, partitions, dumps, endpoint, licence, provenance."""
    description = bind_prefixes(Graph())
    for prefix, namespace in (("void", VOID), ("dcat", DCAT)):
        description.bind(prefix, namespace)
    stats = statistics(graph)
    version = graph.value(ONTOLOGY, OWL.versionInfo)
    issued = graph.value(ONTOLOGY, DCTERMS.modified)
    facts = [
        (RDF.type, VOID.Dataset),
        (RDF.type, DCAT.Dataset),
        (
            DCTERMS.title,
            Literal("cpsu-kg: the leadership of the Communist Party of the Soviet Union, 1917-1991", lang="en"),
        ),
        (
            DCTERMS.description,
            Literal(
                "A sourced, SHACL-validated knowledge graph of who led the CPSU and when: terms of office under every "
                "title of the top office, Second Secretaries, congresses, plenums, troikas and events, each fact with "
                "its source.",
                lang="en",
            ),
        ),
        (DCTERMS.license, LICENCE),
        (DCTERMS.source, SEED_SOURCE),
        (DCTERMS.creator, Literal("cpsu-kg contributors")),
        (DCTERMS.conformsTo, ONTOLOGY),
        (VOID.vocabulary, URIRef("https://w3id.org/cpsu-kg/ontology#")),
        (VOID.uriSpace, Literal(ID)),
        (VOID.sparqlEndpoint, ENDPOINT),
        (FOAF.homepage, URIRef("https://w3id.org/cpsu-kg")),
        (VOID.triples, Literal(stats.triples)),
        (VOID.entities, Literal(len(stats.entities))),
        (VOID.classes, Literal(len(stats.classes))),
        (VOID.properties, Literal(len(stats.property_triples))),
        (VOID.distinctSubjects, Literal(len(stats.subjects))),
        (VOID.distinctObjects, Literal(len(stats.objects))),
    ]
    if version is not None:
        facts.append((DCAT_VERSION, Literal(str(version))))
    if issued is not None:  # the ontology's date, not the clock: the same input gives the same file
        facts.append((DCTERMS.issued, Literal(str(issued), datatype=XSD.date)))
    for predicate, obj in facts:
        description.add((DATASET, predicate, obj))
    for example in EXAMPLES:
        description.add((DATASET, VOID.exampleResource, URIRef(f"{ID}{example}")))
    for source in sorted(stats.sources):
        description.add((DATASET, DCTERMS.source, source))
    _partitions(description, stats)
    _distributions(description, files)
    if inferred is not None:
        description.add((DATASET, VOID.subset, INFERRED_SUBSET))
        description.add((INFERRED_SUBSET, RDF.type, VOID.Dataset))
        description.add((INFERRED_SUBSET, DCTERMS.title, Literal("OWL 2 RL inferences of cpsu-kg", lang="en")))
        description.add((INFERRED_SUBSET, VOID.triples, Literal(len(inferred))))
        description.add((INFERRED_SUBSET, VOID.dataDump, URIRef("https://w3id.org/cpsu-kg/dist/cpsu-inferred.ttl")))
    return description
