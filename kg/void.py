"""Dataset description for export: VoID and DCAT metadata of the built graph (dist/void.ttl)."""

from __future__ import annotations

import re
from collections import Counter

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


def entities(graph: Graph) -> set[URIRef]:
    """The register's own entities: subjects whose IRI is under https://w3id.org/cpsu-kg/id/."""
    return {s for s in graph.subjects(unique=True) if isinstance(s, URIRef) and str(s).startswith(ID)}


def _partition_iri(kind: str, term: Node) -> URIRef:
    # named partitions: readable, and no blank nodes to canonicalise when the file is written
    local = re.sub(r"[^A-Za-z0-9]+", "-", str(term).split("//", 1)[-1]).strip("-")
    return URIRef(f"{DATASET}/{kind}-partition/{local}")


def _partitions(description: Graph, graph: Graph) -> None:
    class_counts = Counter(
        o for s, o in graph.subject_objects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(ID)
    )
    for cls, count in sorted(class_counts.items()):
        partition = _partition_iri("class", cls)
        description.add((DATASET, VOID.classPartition, partition))
        description.add((partition, VOID["class"], cls))
        description.add((partition, VOID.entities, Literal(count)))
    for predicate, count in sorted(Counter(p for _, p, _ in graph).items()):
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
        (VOID.triples, Literal(len(graph))),
        (VOID.entities, Literal(len(entities(graph)))),
        (VOID.classes, Literal(len(set(graph.objects(None, RDF.type))))),
        (VOID.properties, Literal(len(set(graph.predicates())))),
        (VOID.distinctSubjects, Literal(len(set(graph.subjects())))),
        (VOID.distinctObjects, Literal(len(set(graph.objects())))),
    ]
    if version is not None:
        facts.append((DCAT_VERSION, Literal(str(version))))
    if issued is not None:  # the ontology's date, not the clock: the same input gives the same file
        facts.append((DCTERMS.issued, Literal(str(issued), datatype=XSD.date)))
    for predicate, obj in facts:
        description.add((DATASET, predicate, obj))
    for example in EXAMPLES:
        description.add((DATASET, VOID.exampleResource, URIRef(f"{ID}{example}")))
    for source in sorted(set(graph.objects(None, DCTERMS.source))):
        description.add((DATASET, DCTERMS.source, source))
    _partitions(description, graph)
    _distributions(description, files)
    if inferred is not None:
        description.add((DATASET, VOID.subset, INFERRED_SUBSET))
        description.add((INFERRED_SUBSET, RDF.type, VOID.Dataset))
        description.add((INFERRED_SUBSET, DCTERMS.title, Literal("OWL 2 RL inferences of cpsu-kg", lang="en")))
        description.add((INFERRED_SUBSET, VOID.triples, Literal(len(inferred))))
        description.add((INFERRED_SUBSET, VOID.dataDump, URIRef("https://w3id.org/cpsu-kg/dist/cpsu-inferred.ttl")))
    return description
