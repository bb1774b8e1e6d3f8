"""Compacted JSON-LD written directly for the project's own context (ontology/context.jsonld).

pyld's general compaction algorithm took most of the export's time (10^5 triples: ~11 s of CPU); the context
is fixed and simple (prefixes, terms typed @id or with one datatype, language maps), so the compacted form
can be written in one pass. pyld stays the judge: the tests expand this document and pyld's own compaction
of the same triples and find the same graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
NATIVE = {f"{XSD}boolean": re.compile(r"true|false"), f"{XSD}integer": re.compile(r"-?(0|[1-9][0-9]{0,15})")}
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass
class Context:
    """What the writer needs of a JSON-LD context: its base, prefixes and terms (by property and kind)."""

    base: str
    prefixes: dict[str, str] = field(default_factory=dict)
    id_terms: dict[str, str] = field(default_factory=dict)  # property IRI -> term typed @id
    typed_terms: dict[tuple[str, str], str] = field(default_factory=dict)  # (property, datatype) -> term
    language_terms: dict[str, str] = field(default_factory=dict)  # property IRI -> term with a language map
    plain_terms: dict[str, str] = field(default_factory=dict)  # property IRI -> term with no type nor container
    id_alias: str = "@id"
    type_alias: str = "@type"

    @classmethod
    def read(cls, context: dict) -> Context:
        """The parts of a context (the value of @context) that the writer uses."""
        prefixes = {k: v for k, v in context.items() if isinstance(v, str) and not k.startswith("@") and v[-1:] in "/#"}
        found = cls(base=context.get("@base", ""), prefixes=prefixes)
        for name, definition in context.items():
            if definition == "@id":
                found.id_alias = name
            elif definition == "@type":
                found.type_alias = name
            elif isinstance(definition, dict):
                found.add_term(name, definition)
        return found

    def expand(self, compact: str) -> str:
        """A compact IRI or term value (prefix:local) as a full IRI."""
        prefix, _, local = compact.partition(":")
        return self.prefixes[prefix] + local if prefix in self.prefixes else compact

    def add_term(self, name: str, definition: dict) -> None:
        """Index a term definition by the property it stands for and the values it takes."""
        prop, kind = self.expand(definition["@id"]), definition.get("@type")
        if kind == "@id":
            self.id_terms.setdefault(prop, name)
        elif kind is not None:
            self.typed_terms.setdefault((prop, self.expand(kind)), name)
        elif definition.get("@container") == "@language":
            self.language_terms.setdefault(prop, name)
        elif "@container" not in definition:
            self.plain_terms.setdefault(prop, name)

    def compact_iri(self, iri: str, relative: bool) -> str:
        """An IRI in its shortest safe form: relative to the base (for node ids), else prefix:local, else whole."""
        if relative and iri.startswith(self.base) and ":" not in iri[len(self.base) :]:
            return iri[len(self.base) :]
        best = max((p for p, ns in self.prefixes.items() if iri.startswith(ns)), key=lambda p: len(self.prefixes[p]),
                   default=None)  # fmt: skip
        if best is not None and iri != self.prefixes[best] and not iri[len(self.prefixes[best]) :].startswith("//"):
            return f"{best}:{iri[len(self.prefixes[best]):]}"
        return iri

    def node_id(self, term: Term) -> str:
        """How a node (IRI or blank node) is named as a node id or an @id-typed value."""
        return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else self.compact_iri(term.value, True)

    def entry(self, predicate: str, value: Term) -> tuple[str, object]:
        """The key and the compacted value of one statement about a node (language maps merged by the caller)."""
        if isinstance(value, pyoxigraph.NamedNode | pyoxigraph.BlankNode):
            if predicate in self.id_terms:
                return self.id_terms[predicate], self.node_id(value)
            return self.compact_iri(predicate, False), {self.id_alias: self.node_id(value)}
        if value.language:
            if predicate in self.language_terms:
                return self.language_terms[predicate], {value.language: value.value}
            return self.compact_iri(predicate, False), {"@value": value.value, "@language": value.language}
        datatype = value.datatype.value
        if (predicate, datatype) in self.typed_terms:
            return self.typed_terms[(predicate, datatype)], value.value
        key = self.plain_terms.get(predicate) or self.compact_iri(predicate, False)
        if datatype == f"{XSD}string":
            return key, value.value
        if datatype in NATIVE and NATIVE[datatype].fullmatch(value.value):
            return key, json.loads(value.value)  # a JSON boolean or number, read back as this very literal
        return key, {"@value": value.value, "@type": self.compact_iri(datatype, False)}


def _language_map(values: list[object]) -> dict[str, object]:
    """The {language: text} entries of one term merged into one language map."""
    by_language: dict[str, list[str]] = {}
    for value in values:
        for language, text in value.items():  # type: ignore[union-attr]
            by_language.setdefault(language, []).append(text)
    return {lang: texts[0] if len(texts) == 1 else sorted(texts) for lang, texts in sorted(by_language.items())}


def _merged(values: list[object]) -> object:
    """One value as itself, several as a sorted list."""
    ordered = sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return ordered[0] if len(ordered) == 1 else ordered


def compacted_document(triples: Iterable[pyoxigraph.Triple], context: dict) -> dict:
    """The triples as one compacted JSON-LD document: the context, then a @graph of nodes sorted by id."""
    reader = Context.read(context)
    nodes: dict[str, dict[str, list[object]]] = {}
    types: dict[str, list[str]] = {}
    for triple in triples:
        node = reader.node_id(triple.subject)
        entries = nodes.setdefault(node, {})
        if triple.predicate.value == RDF_TYPE and not isinstance(triple.object, pyoxigraph.Literal):
            cls = triple.object
            types.setdefault(node, []).append(
                reader.node_id(cls) if isinstance(cls, pyoxigraph.BlankNode) else reader.compact_iri(cls.value, False)
            )
            continue
        key, value = reader.entry(triple.predicate.value, triple.object)
        entries.setdefault(key, []).append(value)
    graph = []
    for node in sorted(nodes):
        compacted: dict[str, object] = {reader.id_alias: node}
        if node in types:
            compacted[reader.type_alias] = _merged(types[node])
        language_keys = set(reader.language_terms.values())
        compacted.update(
            (key, _language_map(values) if key in language_keys else _merged(values))
            for key, values in sorted(nodes[node].items())
        )
        graph.append(compacted)
    return {"@context": context, "@graph": graph}


def to_jsonld(triples: Iterable[pyoxigraph.Triple], context: dict) -> str:
    """The triples as compacted JSON-LD text (UTF-8, indented, deterministic for the same triples)."""
    return json.dumps(compacted_document(triples, context), ensure_ascii=False, indent=2) + "\n"
