"""Dataset description for export: VoID and DCAT metadata of the built graph (dist/void.ttl)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph

from kg.paths import CPSU_NS, ID

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
PREFIXES = {"void": VOID, "dcat": DCAT}

DATASET = "https://w3id.org/cpsu-kg/dataset"
INFERRED_SUBSET = "https://w3id.org/cpsu-kg/dataset/inferred"
ONTOLOGY = "https://w3id.org/cpsu-kg/ontology"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"
SEED_SOURCE = f"{ID}source/seed-article"
EXAMPLES = ("person/joseph-stalin", "tenure/general-secretary-1", "congress/19", "troika/1953")
MEDIA_TYPES = {
    "cpsu.ttl": "text/turtle",
    "cpsu.nt": "application/n-triples",
    "cpsu-full.nt": "application/n-triples",
    "cpsu.jsonld": "application/ld+json",
    "cpsu.trig": "application/trig",
    "cpsu-inferred.ttl": "text/turtle",
}
TITLE = "cpsu-kg: the leadership of the Communist Party of the Soviet Union, 1917-1991"
DESCRIPTION = (
    "A sourced, SHACL-validated knowledge graph of who led the CPSU and when: terms of office under every "
    "title of the top office, Second Secretaries, congresses, plenums, troikas and events, each fact with "
    "its source."
)
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass
class Statistics:
    """The counts VoID reports, gathered in one pass over the graph."""

    triples: int = 0
    subjects: set[Term] = field(default_factory=set)
    objects: set[Term] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    class_entities: Counter = field(default_factory=Counter)
    classes: set[str] = field(default_factory=set)
    property_triples: Counter = field(default_factory=Counter)
    sources: set[str] = field(default_factory=set)
    version: str | None = None
    modified: str | None = None


def statistics(triples: Iterable[pyoxigraph.Triple]) -> Statistics:
    """Count the triples, subjects, objects, entities, classes, properties and sources in one pass."""
    stats = Statistics()
    for triple in triples:
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        stats.triples += 1
        stats.subjects.add(subject)
        stats.objects.add(obj)
        stats.property_triples[predicate] += 1
        own = isinstance(subject, pyoxigraph.NamedNode) and subject.value.startswith(ID)
        if own:
            stats.entities.add(subject.value)
        if predicate == RDF_TYPE:
            stats.classes.add(obj.value)
            if own:
                stats.class_entities[obj.value] += 1
        elif predicate == f"{DCTERMS}source":
            stats.sources.add(obj.value)
        elif subject.value == ONTOLOGY and predicate == OWL_VERSION_INFO:
            stats.version = obj.value
        elif subject.value == ONTOLOGY and predicate == f"{DCTERMS}modified":
            stats.modified = obj.value
    return stats


def _iri(value: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(value)


def _literal(value: object, datatype: str | None = None, language: str | None = None) -> pyoxigraph.Literal:
    if language:
        return pyoxigraph.Literal(str(value), language=language)
    if datatype is None and isinstance(value, int):
        datatype = f"{XSD}integer"
    return pyoxigraph.Literal(str(value), datatype=_iri(datatype) if datatype else None)


def _partition_iri(kind: str, term: str) -> str:
    # named partitions: readable, and no blank nodes to canonicalise when the file is written
    local = re.sub(r"[^A-Za-z0-9]+", "-", term.split("//", 1)[-1]).strip("-")
    return f"{DATASET}/{kind}-partition/{local}"


def _partitions(stats: Statistics) -> list[tuple[str, str, Term]]:
    facts: list[tuple[str, str, Term]] = []
    for cls, count in sorted(stats.class_entities.items()):
        partition = _partition_iri("class", cls)
        facts += [(DATASET, f"{VOID}classPartition", _iri(partition)), (partition, f"{VOID}class", _iri(cls))]
        facts.append((partition, f"{VOID}entities", _literal(count)))
    for predicate, count in sorted(stats.property_triples.items()):
        partition = _partition_iri("property", predicate)
        facts += [(DATASET, f"{VOID}propertyPartition", _iri(partition))]
        facts += [(partition, f"{VOID}property", _iri(predicate)), (partition, f"{VOID}triples", _literal(count))]
    return facts


@dataclass(frozen=True)
class Publication:
    """Where a build is published, as its user says (None: local): the site (`cpsu-kg site`, whose dumps/ folder
    holds the dumps) and the SPARQL endpoint."""

    base_url: str | None = None
    endpoint_url: str | None = None

    def dump(self, name: str) -> str | None:
        return f"{self.base_url.rstrip('/')}/dumps/{name}" if self.base_url else None


LOCAL = Publication()  # a build nobody has published


def _distributions(files: list[str], publication: Publication) -> list[tuple[str, str, Term]]:
    """A DCAT distribution per dump, named under the dataset; a download URL and a void:dataDump only where the
    dumps are published (a local build has no public location to announce)."""
    facts: list[tuple[str, str, Term]] = []
    for name in files:
        if name not in MEDIA_TYPES:
            continue
        distribution = f"{DATASET}/distribution/{name}"
        media_type = f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[name]}"
        facts += [
            (DATASET, f"{DCAT}distribution", _iri(distribution)),
            (distribution, RDF_TYPE, _iri(f"{DCAT}Distribution")),
            (distribution, f"{DCAT}mediaType", _iri(media_type)),
            (distribution, f"{DCTERMS}title", _literal(name)),
        ]
        url = publication.dump(name)
        if url is not None:
            facts.append((distribution, f"{DCAT}downloadURL", _iri(url)))
            facts.append((INFERRED_SUBSET if name == "cpsu-inferred.ttl" else DATASET, f"{VOID}dataDump", _iri(url)))
    return facts


def _where(publication: Publication) -> list[tuple[str, str, Term]]:
    facts: list[tuple[str, str, Term]] = []
    if publication.endpoint_url is not None:
        facts.append((DATASET, f"{VOID}sparqlEndpoint", _iri(publication.endpoint_url)))
    if publication.base_url is None or publication.endpoint_url is None:
        missing = " and ".join(part for part, url in (("dumps", publication.base_url),
                                                       ("SPARQL endpoint", publication.endpoint_url)) if url is None)
        facts.append((DATASET, RDFS_COMMENT, _literal(
            f"A local build: its {missing} have no public location (cpsu-kg build --base-url, --endpoint-url).",
            language="en")))
    return facts


def describe(
    asserted: Iterable[pyoxigraph.Triple],
    inferred: list[pyoxigraph.Triple] | None,
    files: list[str],
    publication: Publication = LOCAL,
) -> list[pyoxigraph.Triple]:
    """VoID + DCAT description of the asserted graph: counts, partitions, dumps, endpoint, licence, provenance."""
    stats = statistics(asserted)
    facts: list[tuple[str, str, Term]] = [
        (DATASET, RDF_TYPE, _iri(f"{VOID}Dataset")),
        (DATASET, RDF_TYPE, _iri(f"{DCAT}Dataset")),
        (DATASET, f"{DCTERMS}title", _literal(TITLE, language="en")),
        (DATASET, f"{DCTERMS}description", _literal(DESCRIPTION, language="en")),
        (DATASET, f"{DCTERMS}license", _iri(LICENCE)),
        (DATASET, f"{DCTERMS}source", _iri(SEED_SOURCE)),
        (DATASET, f"{DCTERMS}creator", _literal("cpsu-kg contributors")),
        (DATASET, f"{DCTERMS}conformsTo", _iri(ONTOLOGY)),
        (DATASET, f"{VOID}vocabulary", _iri(CPSU_NS)),
        (DATASET, f"{VOID}uriSpace", _literal(ID)),
        (DATASET, f"{FOAF}homepage", _iri("https://w3id.org/cpsu-kg")),
        (DATASET, f"{VOID}triples", _literal(stats.triples)),
        (DATASET, f"{VOID}entities", _literal(len(stats.entities))),
        (DATASET, f"{VOID}classes", _literal(len(stats.classes))),
        (DATASET, f"{VOID}properties", _literal(len(stats.property_triples))),
        (DATASET, f"{VOID}distinctSubjects", _literal(len(stats.subjects))),
        (DATASET, f"{VOID}distinctObjects", _literal(len(stats.objects))),
    ]
    if stats.version is not None:
        facts.append((DATASET, f"{DCAT}version", _literal(stats.version)))
    if stats.modified is not None:  # the ontology's date, not the clock: the same input gives the same file
        facts.append((DATASET, f"{DCTERMS}issued", _literal(stats.modified, f"{XSD}date")))
    facts += [(DATASET, f"{VOID}exampleResource", _iri(f"{ID}{example}")) for example in EXAMPLES]
    facts += [(DATASET, f"{DCTERMS}source", _iri(source)) for source in sorted(stats.sources)]
    facts += _partitions(stats) + _distributions(files, publication) + _where(publication)
    if inferred is not None:
        facts += [
            (DATASET, f"{VOID}subset", _iri(INFERRED_SUBSET)),
            (INFERRED_SUBSET, RDF_TYPE, _iri(f"{VOID}Dataset")),
            (INFERRED_SUBSET, f"{DCTERMS}title", _literal("OWL 2 RL inferences of cpsu-kg", language="en")),
            (INFERRED_SUBSET, f"{VOID}triples", _literal(len(inferred))),
        ]
    return [pyoxigraph.Triple(_iri(subject), _iri(predicate), obj) for subject, predicate, obj in facts]
