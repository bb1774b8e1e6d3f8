"""Documentation pages: the ontology (by pyLODE) and the register (holders, dates, end causes, sources, timeline).

The register page is built from stored queries (queries/docs/*.rq), as plain HTML with its own small stylesheet and
no external resources; every value from the graph is HTML-escaped.
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import logging
import re
import sys
import types
from collections import defaultdict
from pathlib import Path

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal

from kg.load import parse_files
from kg.paths import ONTOLOGY_DIR, QUERIES_DIR
from kg.query import get_query, run

DOCS_QUERIES_DIR = QUERIES_DIR / "docs"
ONTOLOGY_FILE = ONTOLOGY_DIR / "cpsu.ttl"
JSON_LD = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(\s*</script>)', re.DOTALL)
LANES = {"top office": "The party's top office", "second secretary": "Second Secretaries"}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
figure { margin: 1.5rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption, .meta { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.5rem; border-bottom: 1px solid #e6e6e6; }
th { background: #f5f5f5; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
td ul { margin: 0; padding-left: 1.1rem; }
.note { color: #555; font-size: 0.85rem; margin: 0.2rem 0 0; }
.acting { font-style: italic; }
.tier { display: inline-block; font-size: 0.7rem; font-weight: 600; padding: 0 0.3rem; margin-right: 0.3rem;
        border-radius: 0.2rem; vertical-align: 0.1rem; }
.tier1 { background: #1f5f8b; color: #fff; }
.tier2 { background: #d9e6f0; color: #1f3b52; }
.preferred { font-weight: 600; }
"""


# ---------------------------------------------------------------- the ontology page (pyLODE)


def _import_ontpub() -> type:
    """pyLODE's OntPub, imported so that pyLODE 3.4.1's packaging bug and its logging set-up do no harm."""
    # pyLODE 3.4.1 reads its version from a pyproject.toml that its wheel does not install (RDFLib/pyLODE#260): when
    # that fails, pylode.version is supplied from the installed package's metadata. Importing pyLODE also calls
    # logging.basicConfig(level=DEBUG) on the root logger; the root logger is put back as it was.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        try:
            from pylode import OntPub
        except FileNotFoundError:
            for name in [name for name in sys.modules if name == "pylode" or name.startswith("pylode.")]:
                del sys.modules[name]
            version = types.ModuleType("pylode.version")
            version.__version__ = importlib.metadata.version("pylode")
            sys.modules["pylode.version"] = version
            from pylode import OntPub
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return OntPub


def _sorted_json(value: object) -> object:
    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def stable_json_ld(page: str) -> str:
    """The page with its embedded JSON-LD in a fixed order (pyLODE writes it in set order, which varies by run)."""

    def canonical(match: re.Match[str]) -> str:
        data = _sorted_json(json.loads(match.group(2)))
        text = json.dumps(data, indent=2, ensure_ascii=False).replace("</", "<\\/")
        return f"{match.group(1)}\n{text}\n{match.group(3)}"

    return JSON_LD.sub(canonical, page)


def documentation_view(ontology: Path = ONTOLOGY_FILE) -> Graph:
    """The ontology as pyLODE should see it: one titled document, English labels only (cpsu.ttl is unchanged)."""
    # pyLODE 3.4.1 takes every skos:ConceptScheme for the document itself (the page would be titled after the last
    # scheme it meets, e.g. EndCauses) and runs the labels of all languages together ("TenureСрок полномочий"). So
    # the view drops the concept-scheme typing of cpsu:EndCauses and cpsu:ChangeKinds (pyLODE lists neither them
    # nor their members) and the labels and titles in languages other than English.
    graph = Graph(bind_namespaces="core")
    graph += parse_files([Path(ontology)])
    for scheme in list(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        if (scheme, RDF.type, OWL.Ontology) not in graph:
            graph.remove((scheme, RDF.type, SKOS.ConceptScheme))
    for predicate in (RDFS.label, DCTERMS.title, SKOS.prefLabel):
        for subject, label in list(graph.subject_objects(predicate)):
            if isinstance(label, Literal) and label.language not in (None, "en"):
                graph.remove((subject, predicate, label))
    return graph


def write_ontology_page(path: Path, ontology: Path = ONTOLOGY_FILE) -> Path:
    """Write the HTML documentation of the ontology, generated by pyLODE (OntPub profile), to path."""
    ontpub = _import_ontpub()
    page = ontpub(ontology=documentation_view(ontology), sort_subjects=True).make_html()
    path.write_text(stable_json_ld(page), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the register page


def escape(value: object) -> str:
    """A value as HTML text, escaped (quotes too); None as the empty string."""
    return "" if value is None else html.escape(str(value), quote=True)


def link(url: object, text: object) -> str:
    """An HTML link to an http(s) address, or the escaped text alone for anything else."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{escape(text or url)}</a>'
    return escape(text)


Cited = tuple[str, str, str]  # a source as the page shows it: address, title, tier ("Tier1", "Tier2" or "")
TIER_BADGES = {"Tier1": ("tier1", "T1", "tier 1: a reference work, specialist chronology or dated report"),
               "Tier2": ("tier2", "T2", "tier 2: Wikipedia or a verbatim copy of a Wikipedia article")}


def tier_badge(tier: str) -> str:
    """A small badge naming a source's tier under the source policy (nothing for an unknown tier)."""
    if tier not in TIER_BADGES:
        return ""
    css, text, title = TIER_BADGES[tier]
    return f'<span class="tier {css}" title="{escape(title)}">{text}</span>'


def cited(source: Cited) -> str:
    """One source as a list item: its tier badge and a link to it."""
    url, title, tier = source
    return f"<li>{tier_badge(tier)}{link(url, title)}</li>"


def tier_name(tier: object) -> str:
    """The local name of a tier IRI (cpsu:Tier1 -> 'Tier1'); '' for none."""
    return str(tier).rsplit("#", 1)[-1] if tier else ""


def tenure_sources(graph: Graph, query: str = "tenure-sources", key: str = "tenure") -> dict[str, list[Cited]]:
    """The sources of each tenure (or, with query spell-sources and key spell, each body membership) by IRI:
    (address, title, tier)."""
    sources: dict[str, list[Cited]] = defaultdict(list)
    for row in run(get_query(query, DOCS_QUERIES_DIR), graph).dicts():
        sources[str(row[key])].append(
            (str(row["url"] or ""), str(row["title"] or row["source"]), tier_name(row["tier"])))
    return sources


def how_it_ended(row: dict[str, object]) -> str:
    """The end cause of a tenure and the plenum, congress or event that ended it, as HTML."""
    cause = escape(row["endCause"] or "not recorded")
    return f'{cause}<br><span class="meta">{escape(row["endedBy"])}</span>' if row["endedBy"] else cause


def tenure_row(number: int, row: dict[str, object], sources: list[Cited]) -> str:
    """One table row: the tenure's holder (and note), title, dates, end and sources."""
    ident = escape(str(row["tenure"]).rsplit("/", 1)[-1])
    note = f'<p class="note">{escape(row["note"])}</p>' if row["note"] else ""
    title = escape(row["officeLabel"]) + (' <span class="acting">(acting)</span>' if row["acting"] else "")
    listed = "".join(cited(source) for source in sources)
    return (
        f'<tr id="{ident}"><td>{number}</td><td><strong>{escape(row["holderLabel"])}</strong>{note}</td>'
        f"<td>{title}</td>"
        f'<td class="date"><time datetime="{escape(row["start"])}">{escape(row["start"])}</time></td>'
        f'<td class="date"><time datetime="{escape(row["end"])}">{escape(row["end"])}</time></td>'
        f"<td>{how_it_ended(row)}</td><td><ul>{listed}</ul></td></tr>"
    )


def tenure_table(rows: list[dict[str, object]], sources: dict[str, list[Cited]]) -> str:
    """A table of tenures, one row each, in order."""
    head = "".join(f"<th>{name}</th>" for name in ("#", "Holder", "Title", "From", "To", "How it ended", "Sources"))
    body = "\n".join(
        tenure_row(number, row, sources.get(str(row["tenure"]), [])) for number, row in enumerate(rows, start=1)
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def lane_section(lane: str, rows: list[dict[str, object]], sources: dict[str, list[Cited]]) -> str:
    """A section of the page: a heading, a count of terms and persons, and the table."""
    persons = len({row["holder"] for row in rows})
    anchor = lane.replace(" ", "-")
    return (
        f'<section id="{anchor}">\n<h2>{escape(LANES[lane])}</h2>\n'
        f'<p class="meta">{len(rows)} terms, {persons} persons.</p>\n{tenure_table(rows, sources)}\n</section>'
    )


def disputed_section(graph: Graph) -> str:
    """The "Disputed" section: every value the sources give for a disputed property, the preferred one first."""
    rows = run(get_query("disputes"), graph).dicts()
    described = {str(row["url"]): (str(row["url"]), str(row["title"] or row["url"]), tier_name(row["tier"]))
                 for row in run(get_query("source-tiers", DOCS_QUERIES_DIR), graph).dicts()}
    values: dict[tuple[str, str, str], dict[str, object]] = {}
    for row in rows:
        key = (str(row["entityLabel"]), str(row["property"]), str(row["value"]))
        entry = values.setdefault(key, {"preferred": bool(row["preferred"]), "reason": row["reason"], "sources": []})
        url = str(row["sourceUrl"])
        entry["sources"].append(described.get(url, (url, url, "")))
    body = "\n".join(
        f'<tr><td>{escape(entity)}</td><td>{escape(prop)}</td>'
        f'<td class="date{" preferred" if entry["preferred"] else ""}">{escape(value)}'
        f'{" (preferred)" if entry["preferred"] else ""}</td><td>{escape(entry["reason"])}</td>'
        f'<td><ul>{"".join(cited(source) for source in entry["sources"])}</ul></td></tr>'
        for (entity, prop, value), entry in values.items()
    )
    disputes = len({(entity, prop) for entity, prop, _ in values})
    head = "".join(f"<th>{name}</th>" for name in ("Entry", "Property", "Value", "Why", "Sources"))
    return (
        '<section id="disputed">\n<h2>Disputed</h2>\n'
        f'<p class="meta">{disputes} facts on which reliable sources disagree ({len(values)} values). The '
        "register keeps each value with the sources that give it; the preferred one (first) is the value every other "
        "query uses, and the register says why it prefers it. From the stored "
        "query <code>disputes</code>.</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</section>"
    )


def timeline_figure_html(timeline_src: str | None) -> str:
    """The timeline image, when one was drawn beside the page."""
    if timeline_src is None:
        return ""
    return (
        f'<figure><img src="{escape(timeline_src)}" alt="Timeline of the party\'s top office, its vacancies, the '
        'Second Secretaries, the troikas and the congresses, 1917-1991">\n<figcaption>Each bar is a term of office, '
        "coloured by the title in force; hatched bars are acting terms or vacancies; the bands are the troikas; the "
        "ticks at the foot are the party congresses.</figcaption></figure>"
    )


def register_page(graph: Graph, timeline_src: str | None = "timeline.svg") -> str:
    """The register page as HTML: the top office's holders and the Second Secretaries, with their sources."""
    rows = run(get_query("tenures", DOCS_QUERIES_DIR), graph).dicts()
    sources = tenure_sources(graph)
    sections = "\n".join(lane_section(lane, [row for row in rows if row["lane"] == lane], sources) for lane in LANES)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>cpsu-kg: the leaders of the Communist Party of the Soviet Union</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<header>\n"
        "<h1>Leaders of the Communist Party of the Soviet Union, 1917&#8211;1991</h1>\n"
        '<p class="meta">Generated from the cpsu-kg register by its stored queries (queries/docs/*.rq). Dates are '
        "Gregorian; a term runs from its first to its last day; a date of four or seven characters is known only to "
        "the year or the month. Each source carries its tier under the project\'s source policy: "
        f"{tier_badge('Tier1')} reference works and specialist chronologies, {tier_badge('Tier2')} Wikipedia. "
        "The classes and properties are documented in "
        '<a href="ontology.html">ontology.html</a>; the leading bodies have pages of their own: '
        '<a href="politburo.html">Politburo</a>, <a href="secretariat.html">Secretariat</a>, '
        '<a href="orgburo.html">Orgburo</a>.</p>\n</header>\n'
        f"{timeline_figure_html(timeline_src)}\n{sections}\n{disputed_section(graph)}\n</body>\n</html>\n"
    )


BODIES = ("politburo", "secretariat", "orgburo")


def spell_row(number: int, row: dict[str, object], sources: list[Cited]) -> str:
    """One table row of a body's page: the member, role, dates, how the spell began and ended, and its sources."""
    ident = escape(str(row["spell"]).rsplit("/", 1)[-1])
    began = f'<br><span class="meta">{escape(row["startedBy"])}</span>' if row["startedBy"] else ""
    end = escape(row["end"]) if row["end"] else '<span class="meta">no source dates the end</span>'
    ended = escape(row["endCause"] or "not recorded") + (
        f'<br><span class="meta">{escape(row["endedBy"])}</span>' if row["endedBy"] else "")
    listed = "".join(cited(source) for source in sources)
    return (f'<tr id="{ident}"><td>{number}</td><td><strong>{escape(row["personLabel"])}</strong></td>'
            f"<td>{escape(row['role'])}</td><td class=\"date\">{escape(row['start'])}{began}</td>"
            f'<td class="date">{end}</td><td>{ended}</td><td><ul>{listed}</ul></td></tr>')


def coverage_section(graph: Graph, body: str) -> str:
    """A body's completeness, period by period (queries/coverage.rq): complete or not, its note, its known gaps."""
    periods: dict[tuple, list[dict]] = {}
    for row in run(get_query("coverage"), graph, {"body": body}).dicts():
        periods.setdefault((row["role"], row["from"], row["until"], row["complete"], row["note"]), []).append(row)
    items = []
    for (role, start, until, complete, note), gaps in periods.items():
        state = "complete" if complete else "may be missing members"
        missing = "".join(f"<li><strong>{escape(gap['missingLabel'])}</strong>: {escape(gap['reason'])}</li>"
                          for gap in gaps if gap["missingLabel"])
        known = f"<ul>{missing}</ul>" if missing else ""
        items.append(f'<li><strong>{escape(role)}, {escape(start)} to {escape(until)}</strong>: {state}. '
                     f'<span class="meta">{escape(note)}</span>{known}</li>')
    return ('<section id="completeness">\n<h2>How complete this register is</h2>\n<p class="meta">The register\'s '
            "own statements (data/coverage.ttl, <code>cpsu-kg query coverage</code>), each known gap with why it is "
            "missing; nothing is filled from memory.</p>\n<ul>" + "".join(items) + "</ul>\n</section>")


def body_page(graph: Graph, body: str, chart_src: str | None) -> str:
    """The page of a leading body: its membership chart and every spell with its sources, in order of entry."""
    rows = run(get_query("body-members", DOCS_QUERIES_DIR), graph, {"body": body}).dicts()
    sources = tenure_sources(graph, "spell-sources", "spell")
    name = str(rows[0]["bodyLabel"]) if rows else body
    head = "".join(f"<th>{label}</th>" for label in ("#", "Member", "Role", "From", "To", "How it ended", "Sources"))
    table = "\n".join(spell_row(number, row, sources.get(str(row["spell"]), []))
                      for number, row in enumerate(rows, start=1))
    chart = (f'<figure><img src="{escape(chart_src)}" alt="Membership chart of the {escape(name)}"></figure>'
             if chart_src else "")
    persons = len({row["person"] for row in rows})
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>cpsu-kg: {escape(name)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n"
        f"<h1>{escape(name)}</h1>\n<p class=\"meta\">{len(rows)} spells, {persons} persons, from the cpsu-kg "
        "register (queries/docs/body-members.rq). A date of four or seven characters is known only to the year or "
        "the month. Where the register may be missing members on a day, <code>cpsu-kg query members-on</code> says so. "
        '<a href="register.html">The party\'s leaders</a>.</p>\n</header>\n'
        f"{chart}\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{table}\n</tbody>\n</table>\n"
        f"{coverage_section(graph, body)}\n</body>\n</html>\n"
    )


def build_docs(graph: Graph, out_dir: Path, timeline: bool = True) -> list[Path]:
    """Write ontology.html (pyLODE), register.html, a page per leading body and, by default, their charts
    (timeline.svg, timeline-<body>.svg) into out_dir; return the files."""
    from kg.body_timeline import draw_body_timeline
    from kg.timeline import draw_timeline

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_ontology_page(out_dir / "ontology.html")]
    register = out_dir / "register.html"
    register.write_text(register_page(graph, "timeline.svg" if timeline else None), encoding="utf-8")
    written.append(register)
    if timeline:
        written.append(draw_timeline(graph, out_dir / "timeline.svg"))
    for body in BODIES:
        chart = f"timeline-{body}.svg" if timeline else None
        page = out_dir / f"{body}.html"
        page.write_text(body_page(graph, body, chart), encoding="utf-8")
        written.append(page)
        if chart is not None:
            written.append(draw_body_timeline(graph, body, out_dir / chart))
    return written
