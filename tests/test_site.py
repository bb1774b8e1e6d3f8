"""`cpsu-kg site`: a page, Turtle, JSON-LD and N-Triples for every IRI, indexes, dumps and the redirect rules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from pyld import jsonld
from rdflib import Graph

from kg.errors import InputError
from kg.export import jsonld_context, write_atomically
from kg.paths import ID, PROJECT_ROOT
from kg.site import site_files, write_site

ENTITIES = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{ID}")) }}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, queryable, dist):
    root = tmp_path_factory.mktemp("site")
    write_site(queryable, root / "site", dist, "https://example.org/cpsu-kg")
    return root / "site"


def store_triples(store: pyoxigraph.Store, subject: str) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(pyoxigraph.NamedNode(subject),
                                                                                       None, None)}


def test_every_entity_has_a_page_and_three_descriptions(site, queryable):
    (count,) = next(iter(queryable.query(ENTITIES, use_default_graph_as_union=True)))
    pages = [path for path in (site / "id").rglob("*.html") if path.name != "index.html"]
    assert len(pages) == int(count.value)
    for page in pages:
        assert all(page.with_suffix(extension).is_file() for extension in (".ttl", ".jsonld", ".nt")), page
    assert sorted(path.name for path in (site / "id").iterdir()) == [
        "birth", "claim", "congress", "coverage", "death", "event", "gap", "membership", "office", "organisation",
        "organname", "partyname", "person", "place", "plenum", "source", "tenure", "troika"]


def test_a_person_s_page_names_them_in_both_languages_with_each_statement_s_sources(site):
    page = (site / "id" / "person" / "joseph-stalin.html").read_text(encoding="utf-8")
    assert "<h1>Joseph Stalin</h1><p>Иосиф Сталин</p>" in page
    assert '<a href="https://www.wikidata.org/wiki/Q855">Wikidata Q855</a>' in page
    birth = re.search(r"<tr><th>birth</th>.*?</tr>", page).group(0)
    assert '<a href="../../id/birth/joseph-stalin.html">1878-12-18, Gori</a>' in birth
    assert 'href="https://www.archontology.org/nations/ussr/ussr_govt/stalin.php"' in birth
    assert ('<a href="../../id/tenure/general-secretary-1.html">Joseph Stalin, General Secretary (1922–1952)</a>'
            in page)
    assert "<svg" in page  # his spells, drawn small
    assert "schema:Person <span class=\"kind\">(inferred)</span>" in page


def test_every_link_between_pages_leads_to_a_page(site):
    broken = set()
    for page in site.rglob("*.html"):
        if page.name == "ontology.html":
            continue
        for target in re.findall(r'href="([^":#]+)"', page.read_text(encoding="utf-8")):
            if not (page.parent / target).resolve().is_file():
                broken.add((page.relative_to(site).as_posix(), target))
    assert sorted(broken) == []


@pytest.mark.parametrize("entity", ["person/joseph-stalin", "tenure/general-secretary-1", "birth/joseph-stalin",
                                    "membership/politburo-joseph-stalin-1"])
def test_the_turtle_n_triples_and_json_ld_of_an_entity_are_exactly_its_triples(site, queryable, entity):
    expected = store_triples(queryable, ID + entity)
    base = site / "id" / entity
    turtle = Graph().parse(base.with_suffix(".ttl"), format="turtle")  # rdflib: a parser independent of Oxigraph
    assert {f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in turtle} == {
        f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in Graph().parse(data="\n".join(expected), format="nt")}
    assert set(base.with_suffix(".nt").read_text(encoding="utf-8").splitlines()) == expected
    document = {"@context": jsonld_context(), **__import__("json").loads(base.with_suffix(".jsonld").read_text())}
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})  # pyld, a real JSON-LD processor
    assert {str(q.triple) + " ." for q in pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS)} == {
        str(pyoxigraph.Triple(*t)) + " ." for t in
        ((q.subject, q.predicate, q.object) for q in pyoxigraph.parse("\n".join(expected),
                                                                       format=pyoxigraph.RdfFormat.N_TRIPLES))}


def test_indexes_the_front_page_and_the_dumps(site):
    persons = (site / "id" / "person" / "index.html").read_text(encoding="utf-8")
    assert persons.count("<li>") == 198
    front = (site / "index.html").read_text(encoding="utf-8")
    assert "Published at: https://example.org/cpsu-kg" in front
    assert '<a href="id/person/index.html">person</a> (198)' in front
    assert (site / "dumps" / "cpsu.ttl").is_file() and (site / "dumps" / "datapackage.json").is_file()


def test_the_redirect_rules_for_the_host_and_for_w3id(site):
    assert (site / ".htaccess").read_text().splitlines()[5:9] == [
        "RewriteCond %{HTTP_ACCEPT} text/turtle", "RewriteRule ^id/([^.]+)$ id/$1.ttl [L]",
        "RewriteCond %{HTTP_ACCEPT} application/ld\\+json", "RewriteRule ^id/([^.]+)$ id/$1.jsonld [L]"]
    w3id = (site / "w3id.htaccess").read_text().splitlines()
    assert "RewriteRule ^id/(.+)$ https://example.org/cpsu-kg/id/$1.ttl [R=303,L]" in w3id
    assert w3id[-1] == "RewriteRule ^$ https://example.org/cpsu-kg/ [R=302,L]"


def test_without_a_base_url_the_site_says_local_and_has_no_w3id_rules(tmp_path, queryable, site):
    files = site_files(queryable, site / "dumps")  # what write_site writes, without writing the 9,000 others
    write_atomically(tmp_path / "local", {"index.html": files["index.html"]}, manifest={"site": "local"})
    assert "Published at: local (no --base-url was given)" in (tmp_path / "local" / "index.html").read_text()
    assert "w3id.htaccess" not in files and ".htaccess" in files


def test_a_site_without_a_build_or_with_a_bad_base_url_is_a_clear_error(tmp_path, queryable, site):
    with pytest.raises(InputError, match=r"has no cpsu.ttl: run `cpsu-kg build` first"):
        write_site(queryable, tmp_path / "out", tmp_path / "no-dist")
    with pytest.raises(InputError, match=r"--base-url expects an http\(s\) URL, got 'example.org'"):
        write_site(queryable, tmp_path / "out", site / "dumps", "example.org")


def test_cli_site_writes_the_ontology_page_too(tmp_path, site):
    finished = subprocess.run([sys.executable, "-m", "kg", "site", "--dist", str(site / "dumps"), "--out",
                               str(tmp_path / "s")], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-1].startswith("wrote        ")
    assert "<html" in (tmp_path / "s" / "ontology.html").read_text(encoding="utf-8")[:500].lower()
    assert Path(tmp_path / "s" / "id" / "person" / "joseph-stalin.html").is_file()
