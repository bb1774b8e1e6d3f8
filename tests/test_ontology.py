"""The ontology documents itself: every term has English and Russian labels and a comment; metadata is complete."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS

from kg.load import load_ontology
from kg.terms import CPSU

ONTOLOGY_IRI = URIRef("https://w3id.org/cpsu-kg/ontology")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def terms():
    ontology = load_ontology()
    return ontology, sorted({s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t) if str(s).startswith(str(CPSU))})


def test_every_class_and_property_has_labels_in_english_and_russian_and_a_comment():
    ontology, names = terms()
    assert len(names) >= 60
    undocumented = [
        name for name in names
        if {label.language for label in ontology.objects(name, RDFS.label)} != {"en", "ru"}
        or not any(comment.language == "en" for comment in ontology.objects(name, RDFS.comment))
    ]
    assert undocumented == []


def test_the_ontology_states_title_version_licence_creator_and_date():
    ontology, _ = terms()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    for prop in (DCTERMS.title, OWL.versionIRI, DCTERMS.license, DCTERMS.creator, DCTERMS.created):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, prop


def test_classes_required_by_the_design_exist():
    ontology, _ = terms()
    for name in ("Person", "Office", "TopPartyOffice", "Tenure", "Organisation", "PartyCongress", "Plenum",
                 "CollectiveLeadership", "LeadershipMembership", "Event"):
        assert (CPSU[name], RDF.type, OWL.Class) in ontology, name


def test_alignments_map_onto_org_schema_foaf_and_prov():
    ontology, _ = terms()
    assert (CPSU.Office, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Post")) in ontology
    assert (CPSU.Tenure, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in ontology
    assert (CPSU.Tenure, RDFS.subClassOf, URIRef("http://schema.org/OrganizationRole")) in ontology
    assert (CPSU.Person, RDFS.subClassOf, URIRef("http://xmlns.com/foaf/0.1/Person")) in ontology
    assert (CPSU.Source, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in ontology
