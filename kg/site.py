"""Publish stage: a static Linked Data site of the register, ready for any static host and for w3id.org.

For every entity (every IRI under https://w3id.org/cpsu-kg/id/) it writes id/{kind}/{slug}.html, a page for a
person to read (labels in English and Russian, every statement with the sources that state it, links to the
related entities and to Wikidata, the entity's spells drawn small), and the same description as .ttl, .jsonld
and .nt files beside it; then an index per kind, the front page, the ontology's documentation, the dumps of the
build, and the redirect rules that make the IRIs resolve by content negotiation (.htaccess for an Apache host,
w3id.htaccess for the w3id.org repository). HTML is written with the standard library: the pages are simple and
fixed, and every value is escaped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from html import escape
from pathlib import Path
from typing import BinaryIO

import pyoxigraph

from kg.errors import InputError
from kg.export import STANDARD_PREFIXES, jsonld_context, sorted_triples, write_atomically, write_ntriples, write_turtle
from kg.jsonld import to_jsonld
from kg.paths import ID, INFERRED_GRAPH, PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SOURCE = "http://purl.org/dc/terms/source"
SAME_AS = "http://schema.org/sameAs"
URL = "https://w3id.org/cpsu-kg/ontology#url"
TITLE = "http://purl.org/dc/terms/title"
START = "https://w3id.org/cpsu-kg/ontology#startDate"
END = "https://w3id.org/cpsu-kg/ontology#endDate"
DATE = "https://w3id.org/cpsu-kg/ontology#date"
PLACE = "https://w3id.org/cpsu-kg/ontology#place"
WIKIDATA = "http://www.wikidata.org/entity/"
DUMPS = ("cpsu.ttl", "cpsu.nt", "cpsu-full.nt", "cpsu.jsonld", "cpsu.trig", "cpsu-inferred.ttl", "void.ttl",
         "datapackage.json")
FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples"}
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;
vertical-align:top}th{width:14rem;font-weight:600}.iri,.kind{color:#666;font-size:.9rem}.src{font-size:.85rem}
a{color:#0645ad}svg{display:block;margin:1rem 0}"""


@dataclass
class Entity:
    """One entity of the register: its IRI, what it says (outgoing triples) and who points to it."""

    iri: str
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    incoming: list[pyoxigraph.Triple] = field(default_factory=list)
    inferred: set[pyoxigraph.Triple] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.iri.removeprefix(ID).split("/", 1)[0]

    @property
    def path(self) -> str:
        """Where its files live in the site, without the extension: id/person/joseph-stalin."""
        return f"id/{self.iri.removeprefix(ID)}"

    def values(self, predicate: str) -> list[pyoxigraph.Term]:
        return [t.object for t in self.triples if t.predicate.value == predicate]


def entities(store: pyoxigraph.Store) -> dict[str, Entity]:
    """Every entity of the register with its outgoing and incoming triples (asserted and inferred)."""
    found: dict[str, Entity] = {}
    for quad in store.quads_for_pattern(None, None, None):
        subject, value = quad.subject, quad.object
        if isinstance(subject, pyoxigraph.NamedNode) and subject.value.startswith(ID):
            entity = found.setdefault(subject.value, Entity(subject.value))
            entity.triples.append(quad.triple)
            if isinstance(quad.graph_name, pyoxigraph.NamedNode) and quad.graph_name.value == INFERRED_GRAPH:
                entity.inferred.add(quad.triple)
        if isinstance(value, pyoxigraph.NamedNode) and value.value.startswith(ID):
            found.setdefault(value.value, Entity(value.value)).incoming.append(quad.triple)
    for entity in found.values():
        entity.triples = sorted_triples(set(entity.triples))
        entity.incoming = sorted_triples(set(entity.incoming))
    return {iri: entity for iri, entity in sorted(found.items()) if entity.triples}


def labels(store: pyoxigraph.Store) -> dict[str, dict[str, str]]:
    """Every labelled IRI's labels by language (the ontology's terms included)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(RDFS_LABEL), None):
        if isinstance(quad.object, pyoxigraph.Literal) and quad.object.language:
            found[quad.subject.value].setdefault(quad.object.language, quad.object.value)
    return found


def compact(iri: str) -> str:
    """An IRI in the project's prefixed form where a prefix fits (cpsu:startDate), else the IRI."""
    for prefix, namespace in sorted({**STANDARD_PREFIXES, **PREFIXES}.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@dataclass(frozen=True)
class Site:
    """What every page needs: the labels, the entities (for sources), and where the site is published."""

    labels: dict[str, dict[str, str]]
    entities: dict[str, Entity]
    base_url: str | None

    def name(self, iri: str) -> str:
        """An IRI's English label; for a birth or death (no label of its own) its date and place."""
        label = self.labels.get(iri, {}).get("en")
        if label:
            return label
        entity = self.entities.get(iri)
        if entity is not None and entity.kind in ("birth", "death"):
            said = [value.value for value in entity.values(DATE)]
            said += [self.labels.get(place.value, {}).get("en", "") for place in entity.values(PLACE)]
            return ", ".join(part for part in said if part) or compact(iri)
        return compact(iri)

    def href(self, iri: str, depth: int) -> str:
        """A link from a page depth folders below the site's root to an entity's page."""
        return "../" * depth + f"id/{iri.removeprefix(ID)}.html"


def _term_html(term: pyoxigraph.Term, site: Site, depth: int) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        if term.value.startswith(ID):
            return f'<a href="{escape(site.href(term.value, depth))}">{escape(site.name(term.value))}</a>'
        if term.value.startswith(WIKIDATA):
            item = term.value.removeprefix(WIKIDATA)
            return f'<a href="https://www.wikidata.org/wiki/{escape(item)}">Wikidata {escape(item)}</a>'
        if term.value.startswith(("http://", "https://")) and not term.value.startswith(tuple(PREFIXES.values())):
            return f'<a href="{escape(term.value)}">{escape(term.value)}</a>'
        return escape(site.name(term.value))
    if isinstance(term, pyoxigraph.Literal):
        language = f' <span class="kind">({escape(term.language)})</span>' if term.language else ""
        return escape(term.value) + language
    return escape(str(term))


def _sources_html(iri: str, site: Site) -> str:
    entity = site.entities.get(iri)
    if entity is None:
        return ""
    cited = []
    for source in entity.values(SOURCE):
        described = site.entities.get(source.value)
        url = described.values(URL)[0].value if described and described.values(URL) else source.value
        title = described.values(TITLE)[0].value if described and described.values(TITLE) else url
        cited.append(f'<a href="{escape(url)}">{escape(title)}</a>')
    return "<br>".join(cited)


def _statement_rows(entity: Entity, site: Site, depth: int) -> str:
    """One row per statement: property, value, and the sources that state it where the value is a statement of
    its own (a birth, a term of office, a membership); the entity's own sources are listed below the table."""
    rows = []
    for triple in entity.triples:
        predicate, value = triple.predicate.value, triple.object
        if predicate in (SOURCE, RDFS_LABEL):
            continue
        sources = _sources_html(value.value, site) if isinstance(value, pyoxigraph.NamedNode) else ""
        inferred = ' <span class="kind">(inferred)</span>' if triple in entity.inferred else ""
        rows.append(f"<tr><th>{escape(site.name(predicate))}</th><td>{_term_html(value, site, depth)}{inferred}</td>"
                    f'<td class="src">{sources}</td></tr>')
    return "\n".join(rows)


def _incoming_rows(entity: Entity, site: Site, depth: int) -> str:
    """One row per entity that points here (and that this one does not point to), with the properties it uses."""
    said = {t.object.value for t in entity.triples if isinstance(t.object, pyoxigraph.NamedNode)}
    by_subject: dict[pyoxigraph.Term, list[str]] = defaultdict(list)
    for triple in entity.incoming:
        if triple.subject.value not in said and triple.predicate.value != SOURCE:
            by_subject[triple.subject].append(site.name(triple.predicate.value))
    return "\n".join(
        f"<tr><th>{escape(', '.join(sorted(set(names))))}</th><td>{_term_html(subject, site, depth)}</td></tr>"
        for subject, names in by_subject.items()
    )


def _year(term: pyoxigraph.Term | None) -> float | None:
    if not isinstance(term, pyoxigraph.Literal) or len(term.value) < 4 or not term.value[:4].isdigit():
        return None
    month = int(term.value[5:7]) if len(term.value) >= 7 else 6
    return int(term.value[:4]) + (month - 1) / 12


def spells_svg(entity: Entity, site: Site) -> str:
    """The entity's dated spells (terms of office, memberships) drawn small on 1917-1991; '' when it has none."""
    spells = []
    for triple in entity.triples:
        spell = site.entities.get(triple.object.value) if isinstance(triple.object, pyoxigraph.NamedNode) else None
        if spell is None or spell.kind not in ("tenure", "membership") or spell.iri in {s[0] for s in spells}:
            continue
        start, end = _year(next(iter(spell.values(START)), None)), _year(next(iter(spell.values(END)), None))
        if start is not None:
            spells.append((spell.iri, start, end if end is not None else 1991.9))
    if not spells:
        return ""
    width, row = 600, 14
    scale = width / (1992 - 1917)
    bars = "".join(
        f'<rect x="{(max(start, 1917) - 1917) * scale:.1f}" y="{i * row}" width="{max(end - start, 0.2) * scale:.1f}" '
        f'height="{row - 3}" fill="#b22"><title>{escape(site.name(iri))}</title></rect>'
        for i, (iri, start, end) in enumerate(sorted(spells, key=lambda s: s[1]))
    )
    ticks = "".join(f'<text x="{(year - 1917) * scale:.1f}" y="{len(spells) * row + 12}" font-size="10">{year}</text>'
                    for year in range(1917, 1992, 10))
    return (f'<svg width="{width + 30}" height="{len(spells) * row + 16}" role="img" '
            f'aria-label="spells, 1917-1991">{bars}{ticks}</svg>')


def _page(title: str, body: str, depth: int) -> str:
    home = "../" * depth + "index.html"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} — cpsu-kg</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>\n'
            f'<body><p class="kind"><a href="{home}">cpsu-kg</a></p>\n{body}\n</body></html>\n')


def entity_page(entity: Entity, site: Site) -> str:
    """The HTML page of an entity."""
    depth = 2
    names = site.labels.get(entity.iri, {})
    russian = f"<p>{escape(names['ru'])}</p>" if "ru" in names else ""
    slug = entity.iri.rsplit("/", 1)[1]
    formats = " · ".join(f'<a href="{escape(slug)}.{extension}">{extension}</a>' for extension in FORMATS)
    incoming = _incoming_rows(entity, site, depth)
    body = (
        f"<h1>{escape(site.name(entity.iri))}</h1>{russian}\n"
        f'<p class="iri">{escape(entity.iri)} · {escape(entity.kind)} · {formats}</p>\n'
        f"{spells_svg(entity, site)}\n"
        f"<table><tr><th>property</th><th>value</th><th>sources</th></tr>\n"
        f"{_statement_rows(entity, site, depth)}\n</table>\n"
        + (f"<h2>Linked from</h2>\n<table>\n{incoming}\n</table>\n" if incoming else "")
        + (f"<h2>Sources of its statements</h2>\n<p class=\"src\">{_sources_html(entity.iri, site)}</p>\n"
           if entity.values(SOURCE) else "")
    )
    return _page(site.name(entity.iri), body, depth)


def index_page(kind: str, members: list[Entity], site: Site) -> str:
    """The page listing every entity of one kind."""
    items = "\n".join(f'<li><a href="{escape(member.iri.rsplit("/", 1)[1])}.html">{escape(site.name(member.iri))}</a>'
                      f"</li>" for member in sorted(members, key=lambda m: site.name(m.iri).casefold()))
    return _page(f"{kind} ({len(members)})", f"<h1>{escape(kind)} ({len(members)})</h1>\n<ul>\n{items}\n</ul>", 2)


def front_page(kinds: dict[str, list[Entity]], site: Site, dumps: list[str], ontology: bool) -> str:
    """The site's front page: where it is published, the kinds, the ontology and the dumps."""
    published = escape(site.base_url) if site.base_url else "local (no --base-url was given)"
    kind_items = "\n".join(f'<li><a href="id/{escape(kind)}/index.html">{escape(kind)}</a> ({len(members)})</li>'
                           for kind, members in sorted(kinds.items()))
    dump_items = "\n".join(f'<li><a href="dumps/{escape(name)}">{escape(name)}</a></li>' for name in dumps)
    body = (
        "<h1>cpsu-kg</h1>\n<p>An open, sourced, validated knowledge graph of the leadership of the Communist Party "
        "of the Soviet Union, 1917–1991. Every IRI under <code>https://w3id.org/cpsu-kg/id/</code> has a page here "
        "and the same description in Turtle, JSON-LD and N-Triples.</p>\n"
        f"<p>Published at: {published}</p>\n<h2>Entities</h2>\n<ul>\n{kind_items}\n</ul>\n"
        + ('<h2>Ontology</h2>\n<p><a href="ontology.html">The ontology, documented</a></p>\n' if ontology else "")
        + f"<h2>Dumps</h2>\n<ul>\n{dump_items}\n</ul>"
    )
    return _page("cpsu-kg", body, 0)


def _pattern(media_type: str) -> str:
    """A media type as a mod_rewrite pattern (its + escaped)."""
    return media_type.replace("+", "\\+")


def host_htaccess() -> str:
    """Apache rules for the site's host: /id/{kind}/{slug} answers by content negotiation from the files."""
    rules = ["# cpsu-kg: content negotiation for the entity IRIs (Apache, mod_rewrite)", "RewriteEngine on",
             "AddType text/turtle .ttl", "AddType application/ld+json .jsonld", "AddType application/n-triples .nt"]
    for extension, media_type in FORMATS.items():
        rules += [f"RewriteCond %{{HTTP_ACCEPT}} {_pattern(media_type)}",
                  f"RewriteRule ^id/([^.]+)$ id/$1.{extension} [L]"]
    rules += ["RewriteRule ^id/([^.]+)$ id/$1.html [L]", ""]
    return "\n".join(rules)


def w3id_htaccess(base_url: str) -> str:
    """The rules to propose to the w3id.org repository (cpsu-kg/.htaccess): each IRI redirects (303) to its file."""
    base = base_url.rstrip("/")
    rules = ["# cpsu-kg: for https://github.com/perma-id/w3id.org, folder cpsu-kg/", "RewriteEngine on"]
    for extension, media_type in FORMATS.items():
        rules += [f"RewriteCond %{{HTTP_ACCEPT}} {_pattern(media_type)}",
                  f"RewriteRule ^id/(.+)$ {base}/id/$1.{extension} [R=303,L]"]
    rules += [f"RewriteRule ^id/(.+)$ {base}/id/$1.html [R=303,L]",
              f"RewriteRule ^ontology$ {base}/ontology.html [R=303,L]",
              f"RewriteRule ^$ {base}/ [R=302,L]", ""]
    return "\n".join(rules)


Writer = Callable[[BinaryIO], object]


def _description_writers(entity: Entity, context: dict) -> dict[str, Writer]:
    return {
        f"{entity.path}.ttl": lambda out: write_turtle(entity.triples, out),
        f"{entity.path}.nt": lambda out: write_ntriples(entity.triples, out),
        f"{entity.path}.jsonld": lambda out: out.write(to_jsonld(entity.triples, context).encode("utf-8")),
    }


def _rendered(render: Callable[[], str]) -> Writer:
    return lambda out: out.write(render().encode("utf-8"))


def _copied(path: Path) -> Writer:
    return lambda out: out.write(path.read_bytes())


def site_files(store: pyoxigraph.Store, dist: Path | None, base_url: str | None = None,
               ontology_page: Path | None = None) -> dict[str, Writer]:
    """Every file of the static site of the register by its path in the site, each made only when it is written.

    dist: the build whose dumps the site publishes (read when written); None for a site without dumps (a register
    served unbuilt).
    """
    dumps = list(DUMPS) if dist is not None else []
    missing = [name for name in dumps if not (dist / name).is_file()]
    if missing:
        raise InputError(f"{dist}/ has no {missing[0]}: run `cpsu-kg build` first (the site publishes its dumps)")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise InputError(f"--base-url expects an http(s) URL, got {base_url!r}")
    found = entities(store)
    site = Site(labels(store), found, base_url)
    kinds: dict[str, list[Entity]] = defaultdict(list)
    files: dict[str, Writer] = {}
    context = jsonld_context()
    for entity in found.values():
        kinds[entity.kind].append(entity)
        files[f"{entity.path}.html"] = _rendered(partial(entity_page, entity, site))
        files.update(_description_writers(entity, context))
    for kind, members in kinds.items():
        files[f"id/{kind}/index.html"] = _rendered(partial(index_page, kind, members, site))
    for name in dumps:
        files[f"dumps/{name}"] = _copied(dist / name)
    if ontology_page is not None:
        files["ontology.html"] = _copied(ontology_page)
    files["index.html"] = _rendered(partial(front_page, kinds, site, dumps, ontology_page is not None))
    files[".htaccess"] = _rendered(host_htaccess)
    if base_url is not None:
        files["w3id.htaccess"] = _rendered(partial(w3id_htaccess, base_url))
    return files


def write_site(store: pyoxigraph.Store, out_dir: Path, dist: Path | None, base_url: str | None = None,
               ontology_page: Path | None = None) -> list[Path]:
    """Write the static site of the register into out_dir (only its own files change); return the files.

    dist: the build whose dumps the site publishes; None for a site without dumps (a register served unbuilt).
    """
    files = site_files(store, dist, base_url, ontology_page)
    write_atomically(out_dir, files, manifest={"site": base_url or "local"})  # the manifest: stale pages go
    return [out_dir / name for name in files]
