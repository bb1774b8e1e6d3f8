"""The documentation pages: the ontology by pyLODE, the register page with its sources, and the timeline beside it."""

from __future__ import annotations

import logging
import re

import pytest
from rdflib import OWL, RDF, Graph

from kg.docs import build_docs, escape, link, register_page
from kg.paths import ONTOLOGY_DIR
from kg.terms import CPSU

TOP_OFFICE_STARTS = {
    "chairman-of-the-secretariat-1": ("Yakov Sverdlov", "1918-03-08"),
    "responsible-secretary-1": ("Elena Stasova", "1919-03-25"),
    "responsible-secretary-2": ("Nikolai Krestinsky", "1919-11-29"),
    "responsible-secretary-3": ("Vyacheslav Molotov", "1921-03-16"),
    "general-secretary-1": ("Joseph Stalin", "1922-04-03"),
    "first-secretary-1": ("Nikita Khrushchev", "1953-09-07"),
    "first-secretary-2": ("Leonid Brezhnev", "1964-10-14"),
    "general-secretary-2": ("Leonid Brezhnev", "1966-04-08"),
    "general-secretary-3": ("Yuri Andropov", "1982-11-12"),
    "general-secretary-4": ("Konstantin Chernenko", "1984-02-13"),
    "general-secretary-5": ("Mikhail Gorbachev", "1985-03-11"),
    "general-secretary-6": ("Vladimir Ivashko", "1991-08-24"),
}


@pytest.fixture(scope="module")
def docs(queryable, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    return out, build_docs(queryable, out)


@pytest.fixture(scope="module")
def register_html(docs) -> str:
    return (docs[0] / "register.html").read_text(encoding="utf-8")


def table_rows(page: str, section: str) -> dict[str, str]:
    """The rows of a section's table, by their id."""
    body = re.search(rf'<section id="{section}">(.*?)</section>', page, re.DOTALL).group(1)
    return dict(re.findall(r'<tr id="([^"]+)">(.*?)</tr>', body, re.DOTALL))


def test_the_pages_and_the_timeline_are_written(docs):
    out, written = docs
    assert written == [out / "ontology.html", out / "register.html", out / "timeline.svg",
                       out / "politburo.html", out / "timeline-politburo.svg", out / "secretariat.html",
                       out / "timeline-secretariat.svg", out / "orgburo.html", out / "timeline-orgburo.svg"]
    assert all(path.stat().st_size > 1000 for path in written)


def test_the_timeline_can_be_left_out(queryable, tmp_path):
    written = build_docs(queryable, tmp_path, timeline=False)
    assert [path.name for path in written] == ["ontology.html", "register.html", "politburo.html", "secretariat.html",
                                               "orgburo.html"]
    assert "<img" not in (tmp_path / "register.html").read_text(encoding="utf-8")


def test_the_ontology_page_documents_every_class_and_property(docs):
    page = (docs[0] / "ontology.html").read_text(encoding="utf-8")
    ontology = Graph().parse(ONTOLOGY_DIR / "cpsu.ttl")
    terms = sorted(
        str(term).removeprefix(str(CPSU))
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(str(CPSU))
    )
    assert len(terms) > 60
    assert [term for term in terms if term not in page or f"{CPSU}{term}" not in page] == []
    assert "<title>cpsu-kg ontology</title>" in page


def test_the_ontology_page_is_reproducible_and_pylode_leaves_logging_alone(docs, tmp_path):
    from kg.docs import write_ontology_page

    root = logging.getLogger()
    before = (root.level, root.handlers[:])
    page = write_ontology_page(tmp_path / "ontology.html").read_text(encoding="utf-8")
    assert page == (docs[0] / "ontology.html").read_text(encoding="utf-8")
    assert (root.level, root.handlers[:]) == before


def test_the_register_page_names_every_top_office_term_with_its_start_and_a_source(register_html):
    rows = table_rows(register_html, "top-office")
    assert list(rows) == list(TOP_OFFICE_STARTS)
    for ident, (holder, start) in TOP_OFFICE_STARTS.items():
        assert f"<strong>{holder}</strong>" in rows[ident]
        assert f'<time datetime="{start}">{start}</time>' in rows[ident]
        assert re.search(r'<a href="https?://[^"]+">[^<]+</a>', rows[ident]), ident
    assert "death in office" in rows["general-secretary-2"]
    assert '<span class="acting">(acting)</span>' in rows["general-secretary-6"]
    assert "party suspended" in rows["general-secretary-6"]
    assert (
        '<a href="https://en.wikipedia.org/wiki/General_Secretary_of_the_Communist_Party_of_the_Soviet_Union">'
        "General Secretary of the Communist Party of the Soviet Union — English Wikipedia (the project&#x27;s "
        "seed article)</a>"
    ) in rows["general-secretary-1"]
    assert '<p class="meta">12 terms, 11 persons.</p>' in register_html


def test_the_register_page_lists_the_second_secretaries(register_html):
    rows = table_rows(register_html, "second-secretary")
    assert len(rows) == 14
    assert "<strong>Georgy Malenkov</strong>" in rows["second-secretary-1948-08-31"]
    assert '<time datetime="1922-04">1922-04</time>' in rows["second-secretary-1922-04"]  # a month, shown as such
    assert '<time datetime="1985-03-10">1985-03-10</time>' in rows["second-secretary-1985-03-10"]
    assert all(re.search(r'<a href="https?://', row) for row in rows.values())


def test_the_register_page_embeds_the_timeline_and_loads_nothing_from_elsewhere(docs, register_html):
    assert '<img src="timeline.svg"' in register_html
    assert (docs[0] / "timeline.svg").exists()
    assert re.findall(r"<(?:script|link|iframe)\b", register_html) == []
    assert re.findall(r'src="([^"]+)"', register_html) == ["timeline.svg"]
    assert "<!DOCTYPE html>" in register_html and '<html lang="en">' in register_html


def test_values_are_escaped(queryable):
    assert escape("<b>\"x\" & 'y'</b>") == "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;"
    assert link("javascript:alert(1)", "<x>") == "&lt;x&gt;"
    assert link("https://example.org/?a=1&b=2", "a & b") == '<a href="https://example.org/?a=1&amp;b=2">a &amp; b</a>'
    page = register_page(queryable, None)
    assert "English Wikipedia dates the post March–December 1919 and calls it &#x27;Chairwoman of the Secretariat&#x27;" in page
    assert "<figure>" not in page


def test_each_source_carries_its_tier_badge(register_html):
    rows = table_rows(register_html, "top-office")
    assert ('<li><span class="tier tier1" title="tier 1: a reference work, specialist chronology or dated report">T1</span>'
            '<a href="https://www.archontology.org/nations/ussr/cpsu/secretariat.php">') in "".join(rows.values())
    assert ('<li><span class="tier tier2" title="tier 2: Wikipedia or a verbatim copy of a Wikipedia article">T2</span>'
            '<a href="https://en.wikipedia.org/wiki/General_Secretary_of_the_Communist_Party_of_the_Soviet_Union">'
            ) in rows["general-secretary-1"]
    cited = re.findall(r"<li>(.*?)</li>", "".join(rows.values()))
    assert cited and all(item.startswith('<span class="tier tier') for item in cited)


def test_the_disputed_section_lists_every_value_with_its_sources_preferred_first(register_html):
    section = register_html[register_html.index('<section id="disputed">'):]
    section = section[: section.index("</section>")]
    assert re.search(r"<p class=\"meta\">(\d+) facts on which reliable sources disagree \((\d+) values\)", section)
    khrushchev = re.findall(r"<tr><td>Nikita Khrushchev, First Secretary \(1953–1964\)</td><td>startDate</td>"
                            r"<td class=\"date( preferred)?\">([^<]*)</td>", section)
    assert khrushchev == [(" preferred", "1953-09-07 (preferred)"), ("", "1953-09-14")]
    assert "<tr><td>Georgy Malenkov, birth</td><td>date</td><td class=\"date preferred\">1902-01-08 (preferred)</td>" in section


def test_each_leading_body_has_a_page_with_every_spell_in_order_and_its_sources(docs):
    pages = {body: (docs[0] / f"{body}.html").read_text(encoding="utf-8") for body in ("politburo", "secretariat",
                                                                                        "orgburo")}
    rows = {body: dict(re.findall(r'<tr id="([^"]+)">(.*?)</tr>', page, re.DOTALL)) for body, page in pages.items()}
    assert {body: len(found) for body, found in rows.items()} == {"politburo": 216, "secretariat": 113, "orgburo": 35}
    assert "<h1>Politburo of the Central Committee</h1>" in pages["politburo"]
    assert '<img src="timeline-politburo.svg"' in pages["politburo"]
    first = rows["politburo"]["politburo-grigory-zinoviev-1"]
    assert "<strong>Grigory Zinoviev</strong></td><td>candidate member</td>" in first
    assert "1919-03-25<br><span class=\"meta\">Central Committee meeting of 25 March 1919</span>" in first
    assert 'href="https://en.wikipedia.org/wiki/Grigory_Zinoviev"' in first
    assert list(rows["politburo"])[:3] == ["politburo-grigory-zinoviev-1", "politburo-joseph-stalin-1",
                                           "politburo-leon-trotsky-1"]


def test_each_body_page_says_how_complete_the_register_is_with_its_known_gaps(docs):
    page = (docs[0] / "orgburo.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="completeness">'):page.index("</section>")]
    periods = re.findall(r"<li><strong>([^<]+)</strong>: (complete|may be missing members)\.", section)
    assert periods == [("full, 1919-01-16 to 1919-03-25", "may be missing members"),
                       ("candidate, 1919-03-25 to 1952-10-16", "may be missing members"),
                       ("full, 1919-03-25 to 1952-10-16", "may be missing members")]
    assert re.findall(r"<li><strong>([^<]+)</strong>: [^<]*</li>", section) == [
        "Felix Dzerzhinsky", "Janis Rudzutaks", "Pyotr Zalutsky", "Joseph Stalin"]
    politburo = (docs[0] / "politburo.html").read_text(encoding="utf-8")
    assert "<li><strong>full, 1919-03-25 to 1934-02-10</strong>: complete." in politburo
