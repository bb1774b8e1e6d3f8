"""`cpsu-kg serve`: a real read-only SPARQL 1.1 endpoint, and the same answers on rdflib, pyoxigraph and HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pyoxigraph
import pytest
from SPARQLWrapper import CSV, JSON, SPARQLWrapper
from support import COUNT_ALL, free_port, http_get, http_status_and_text, text_count

from kg.paths import DATA_DIR, PROJECT_ROOT
from kg.query import from_json, get_query, list_queries, run, run_oxigraph, substituted_text
from kg.serve import port_is_free, start_server
from kg.terms import oxigraph_store


def http_rows(server, query, values):
    return from_json(json.loads(http_get(server.query_url, substituted_text(query, values), "application/sparql-results+json")))


def test_sparqlwrapper_runs_a_stored_query_against_the_server(server):
    client = SPARQLWrapper(server.query_url)
    client.setQuery(substituted_text(get_query("who-led-on"), {"date": "1960-01-01"}))
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [(b["holderLabel"]["value"], b["officeLabel"]["value"], b["start"]["value"], b["end"]["value"]) for b in bindings] == [
        ("Nikita Khrushchev", "First Secretary of the Central Committee of the CPSU", "1953-09-07", "1964-10-14")]


def test_plain_http_gets_the_same_rows_as_csv(server):
    text = http_get(server.query_url, substituted_text(get_query("who-led-on"), {"date": "1960-01-01"}), "text/csv")
    assert text.splitlines() == [
        "holder,holderLabel,officeLabel,start,end,acting,basis,note",
        "https://w3id.org/cpsu-kg/id/person/nikita-khrushchev,Nikita Khrushchev,"
        "First Secretary of the Central Committee of the CPSU,1953-09-07,1964-10-14,false,de jure,",
    ]
    client = SPARQLWrapper(server.query_url)
    client.setQuery(COUNT_ALL)
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[1] == text_count(server)


def test_the_default_graph_is_the_union_of_the_asserted_and_inferred_named_graphs(server, dist):
    graphs = http_get(server.query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
                      "text/csv").splitlines()[1:]
    counts = {line.split(",")[0]: int(line.split(",")[1]) for line in graphs}
    assert sorted(counts) == ["https://w3id.org/cpsu-kg/graph/asserted", "https://w3id.org/cpsu-kg/graph/inferred"]
    assert int(text_count(server)) == sum(counts.values())


def test_graph_store_protocol_reads_a_named_graph(server):
    url = f"{server.url}store?graph={urllib.parse.quote('https://w3id.org/cpsu-kg/graph/inferred')}"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/n-triples"}), timeout=30) as reply:
        lines = [line for line in reply.read().decode().splitlines() if line.strip()]
    assert "<https://w3id.org/cpsu-kg/id/person/joseph-stalin> <https://w3id.org/cpsu-kg/ontology#holds> " \
           "<https://w3id.org/cpsu-kg/id/tenure/general-secretary-1> ." in lines


def test_the_query_ui_is_served_at_the_root(server):
    with urllib.request.urlopen(server.url, timeout=30) as reply:
        assert reply.status == 200
        assert reply.headers.get_content_type() == "text/html"


def ordered(query) -> bool:
    return re.search(r"^ORDER BY", query.text, re.MULTILINE) is not None


@pytest.fixture(scope="module")
def queryable_graph_in_oxigraph(queryable_graph) -> pyoxigraph.Store:
    """The rdflib graph the reference engine reads, converted once into a pyoxigraph store."""
    return oxigraph_store(queryable_graph)


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_every_stored_query_gives_the_same_rows_on_rdflib_pyoxigraph_and_http(name, queryable_graph,
                                                                              queryable_graph_in_oxigraph, server):
    query = get_query(name)
    values = dict(query.defaults)
    assert sorted(values) == sorted(p.name for p in query.parameters), "each parameter needs a test default"
    on_rdflib = run(query, queryable_graph, values)
    on_oxigraph = run_oxigraph(query, queryable_graph_in_oxigraph, values)
    over_http = http_rows(server, query, values)
    assert on_rdflib.rows, "a parity test on no rows proves nothing"
    assert on_rdflib.variables == on_oxigraph.variables == over_http.variables
    assert Counter(on_rdflib.rows) == Counter(on_oxigraph.rows) == Counter(over_http.rows)
    if ordered(query):
        assert on_rdflib.rows == on_oxigraph.rows == over_http.rows


def test_with_no_build_serve_serves_the_register_itself(tmp_path, monkeypatch, queryable):
    from kg.query import register_file

    monkeypatch.chdir(tmp_path)  # no ./dist here
    with start_server(None, "127.0.0.1", free_port(), data_dir=DATA_DIR) as running:
        assert running.dataset == register_file(DATA_DIR)
        rows = from_json(json.loads(http_get(running.query_url, COUNT_ALL, "application/sparql-results+json")))
        assert rows.dicts() == [{"triples": len(queryable)}]
        status, media_type, page = http_status_and_text(f"{running.url}id/person/nikita-khrushchev",
                                                        {"Accept": "text/html"})
        assert (status, media_type) == (200, "text/html")
        assert "Nikita Khrushchev" in page
        assert http_status_and_text(f"{running.url}dumps/cpsu.ttl")[0] == 404  # a register served unbuilt has none


def test_cli_serve_prints_the_url_answers_and_stops_cleanly_on_ctrl_c(dist):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--dist", str(dist), "--port", str(port)],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        line = process.stdout.readline()
        assert line == (f"SPARQL endpoint http://127.0.0.1:{port}/query (query UI http://127.0.0.1:{port}/), "
                        f"read-only, serving {dist / 'cpsu.trig'}; Ctrl-C stops it\n")
        assert http_get(f"http://127.0.0.1:{port}/query", "ASK { ?s ?p ?o }", "text/csv").strip() in ("true", "1")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: to the whole foreground process group
        assert process.wait(timeout=15) == 0
        assert port_is_free("127.0.0.1", port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_cli_query_on_the_oxigraph_engine_prints_the_same_table_as_rdflib():
    outputs = [subprocess.run([sys.executable, "-m", "kg", "query", "top-office-holders", "--engine", engine],
                              cwd=PROJECT_ROOT, capture_output=True, text=True).stdout for engine in ("rdflib", "oxigraph")]
    assert outputs[0] == outputs[1]
    assert outputs[0].splitlines()[-1] == "(12 rows)"


def test_results_come_in_every_sparql_format_by_accept_header_and_by_post(server):
    query = "SELECT ?ordinal WHERE { <https://w3id.org/cpsu-kg/id/congress/19> <https://w3id.org/cpsu-kg/ontology#ordinal> ?ordinal }"
    assert http_get(server.query_url, query, "text/tab-separated-values").splitlines() == ["?ordinal", "19"]
    assert "<literal datatype=\"http://www.w3.org/2001/XMLSchema#integer\">19</literal>" in \
        http_get(server.query_url, query, "application/sparql-results+xml")
    request = urllib.request.Request(server.query_url, data=query.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.read().decode().splitlines() == ["ordinal", "19"]


def test_the_store_is_rebuilt_only_when_the_built_dataset_changes(dist, tmp_path, monkeypatch):
    from kg.serve import prepare_store

    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))  # not the store the module's server is using
    first = prepare_store(dist / "cpsu.trig")
    marker = first / "loaded-once"
    marker.write_text("")
    assert prepare_store(dist / "cpsu.trig") == first and marker.exists()
    changed = tmp_path / "dist"
    changed.mkdir()
    (changed / "cpsu.trig").write_text((dist / "cpsu.trig").read_text() + "<urn:g> { <urn:s> <urn:p> <urn:o> . }\n")
    second = prepare_store(changed / "cpsu.trig")
    assert second != first and not first.exists()


def test_cors_headers_are_sent_only_when_asked_for(dist, server):
    request = urllib.request.Request(f"{server.query_url}?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Access-Control-Allow-Origin"] is None
    with start_server(dist, "127.0.0.1", free_port(), cors=True) as open_server:
        request.full_url = f"{open_server.query_url}?query=ASK%7B%7D"
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://example.org")


@pytest.mark.parametrize(("accept", "content_type", "marker"), [
    ("text/html", "text/html", "<h1>Joseph Stalin</h1>"),
    ("text/turtle", "text/turtle", "person:joseph-stalin"),
    ("application/ld+json", "application/ld+json", '"person/joseph-stalin"'),
    ("application/n-triples", "application/n-triples", "<https://w3id.org/cpsu-kg/id/person/joseph-stalin> "),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", '"person/joseph-stalin"'),
    ("*/*", "text/html", "<h1>Joseph Stalin</h1>"),
])
def test_an_entity_iri_dereferences_by_content_negotiation(server, accept, content_type, marker):
    status, served_as, text = http_status_and_text(f"{server.url}id/person/joseph-stalin", {"Accept": accept})
    assert (status, served_as) == (200, content_type)
    assert marker in text


def test_the_site_is_served_as_cpsu_kg_site_writes_it_each_page_made_when_asked(server, dist, tmp_path):
    from kg.cache import cache_dir
    from kg.export import write_atomically
    from kg.site import site_files

    store = pyoxigraph.Store()
    store.load(path=str(dist / "cpsu.trig"), format=pyoxigraph.RdfFormat.TRIG)
    files = site_files(store, dist)
    asked = ["index.html", "id/person/index.html", "id/person/joseph-stalin.html", "id/person/joseph-stalin.ttl",
             "id/tenure/general-secretary-1.jsonld", "id/congress/20.nt", "dumps/void.ttl", ".htaccess"]
    write_atomically(tmp_path, {name: files[name] for name in asked}, manifest={"site": "local"})
    for name in asked:
        assert http_status_and_text(f"{server.url}{name}")[::2] == (200, (tmp_path / name).read_text())
    assert "Published at: local (no --base-url was given)" in (tmp_path / "index.html").read_text()
    assert not list(cache_dir().glob("site-*"))  # made on request, not written at start
    for missing in ("w3id.htaccess", "id/person/nobody", "id/person/../../../etc/passwd", "dumps/../cpsu.trig"):
        assert http_status_and_text(f"{server.url}{missing}")[0] == 404


def test_the_query_page_is_cpsu_kg_s_and_offers_every_stored_query(server):
    status, content_type, page = http_status_and_text(server.url)
    assert (status, content_type) == (200, "text/html")
    assert "<title>cpsu-kg: SPARQL</title>" in page
    assert page.count("data-query=") == len(list_queries())
    assert "PREFIX cpsu: <https://w3id.org/cpsu-kg/ontology#>" in page
    assert http_status_and_text(f"{server.url}yasgui.min.js")[0] == 200  # served locally, works offline


@pytest.fixture(scope="module")
def open_server(dist):
    with start_server(dist, "127.0.0.1", free_port(), cors=True) as running:
        yield running


@pytest.mark.parametrize("entity", ["person/joseph-stalin", "tenure/general-secretary-1", "congress/20"])
def test_with_cors_each_kind_of_iri_dereferences_to_html_turtle_and_json_ld_describing_it(open_server, entity):
    from pyld import jsonld

    from kg.export import jsonld_context

    iri = f"https://w3id.org/cpsu-kg/id/{entity}"
    url = f"{open_server.url}id/{entity}"
    status, content_type, page = http_status_and_text(url, {"Accept": "text/html", "Origin": "http://example.org"})
    assert (status, content_type) == (200, "text/html") and "<h1>" in page
    status, _, turtle = http_status_and_text(url, {"Accept": "text/turtle"})
    subjects = {quad.subject.value for quad in pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)}
    assert (status, subjects) == (200, {iri})
    status, _, text = http_status_and_text(url, {"Accept": "application/ld+json"})
    document = {"@context": jsonld_context(), **json.loads(text)}
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert {quad.subject.value for quad in pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS)} == {iri}
    request = urllib.request.Request(url, headers={"Accept": "text/turtle", "Origin": "http://example.org"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    page = http_status_and_text(open_server.url)[2]
    assert page.count("data-query=") == len(list_queries())
