"""`cpsu-kg serve`: a real read-only SPARQL 1.1 endpoint, and the same answers on rdflib, pyoxigraph and HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from SPARQLWrapper import CSV, JSON, SPARQLWrapper

from kg.build import build
from kg.errors import InputError
from kg.paths import DATA_DIR, PROJECT_ROOT
from kg.query import from_json, get_query, list_queries, run, run_oxigraph, substituted_text
from kg.serve import port_is_free, start_server
from kg.terms import oxigraph_store

COUNT_ALL = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve") / "dist"
    result = build(DATA_DIR, out)
    assert result.succeeded
    return out


@pytest.fixture(scope="module")
def server(dist):
    with start_server(dist, "127.0.0.1", free_port()) as running:
        yield running


def http_get(url: str, query: str, accept: str) -> str:
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


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


def text_count(server) -> str:
    return http_get(server.query_url, COUNT_ALL, "text/csv").splitlines()[1]


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


def test_an_update_is_refused_and_changes_nothing(server):
    before = text_count(server)
    for endpoint in ("update", "query"):
        request = urllib.request.Request(f"{server.url}{endpoint}", data=b"update=DROP%20ALL", method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code in (400, 403)
    assert text_count(server) == before


def ordered(query) -> bool:
    return re.search(r"^ORDER BY", query.text, re.MULTILINE) is not None


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_every_stored_query_gives_the_same_rows_on_rdflib_pyoxigraph_and_http(name, queryable_graph, server):
    query = get_query(name)
    values = dict(query.defaults)
    assert sorted(values) == sorted(p.name for p in query.parameters), "each parameter needs a test default"
    on_rdflib = run(query, queryable_graph, values)
    on_oxigraph = run_oxigraph(query, oxigraph_store(queryable_graph), values)
    over_http = http_rows(server, query, values)
    assert on_rdflib.rows, "a parity test on no rows proves nothing"
    assert on_rdflib.variables == on_oxigraph.variables == over_http.variables
    assert Counter(on_rdflib.rows) == Counter(on_oxigraph.rows) == Counter(over_http.rows)
    if ordered(query):
        assert on_rdflib.rows == on_oxigraph.rows == over_http.rows


def test_a_query_past_the_timeout_is_stopped_and_the_server_keeps_answering(dist):
    # some 20,000 squared rows, many seconds of work (a third pattern would make Oxigraph's checks for cancellation,
    # once per row of the outer pattern, too rare for the timeout to bite; the reliability issue's business)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with start_server(dist, "127.0.0.1", free_port(), timeout_s=1) as server:
        started = time.monotonic()
        # Oxigraph has already sent 200 and the header row when it cancels, so the cancellation is in the body.
        assert http_get(server.query_url, heavy, "text/csv").splitlines() == ["n", "The SPARQL operation has been cancelled"]
        assert time.monotonic() - started < 15
        assert text_count(server).isdigit()


def test_a_port_in_use_is_a_one_line_error(dist):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        with pytest.raises(InputError) as error:
            start_server(dist, "127.0.0.1", port)
        assert str(error.value) == f"port {port} on 127.0.0.1 is already in use; choose another with --port"


def test_a_missing_dist_tells_the_user_to_build(tmp_path):
    with pytest.raises(InputError) as error:
        start_server(tmp_path / "dist", "127.0.0.1", free_port())
    assert str(error.value) == f"{tmp_path / 'dist'}/ has no cpsu.trig: run `cpsu-kg build` first"


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


def test_cli_serve_on_a_busy_port_exits_2_with_one_line(dist):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run([sys.executable, "-m", "kg", "serve", "--dist", str(dist), "--port", str(port)],
                                  cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    assert finished.stderr == f"cpsu-kg: error: port {port} on 127.0.0.1 is already in use; choose another with --port\n"


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
    first = prepare_store(dist)
    marker = first / "loaded-once"
    marker.write_text("")
    assert prepare_store(dist) == first and marker.exists()
    changed = tmp_path / "dist"
    changed.mkdir()
    (changed / "cpsu.trig").write_text((dist / "cpsu.trig").read_text() + "<urn:g> { <urn:s> <urn:p> <urn:o> . }\n")
    second = prepare_store(changed)
    assert second != first and not first.exists()


def serve_process(dist, port, *options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "serve", "--dist", str(dist), "--port", str(port), *options],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def processes() -> list[tuple[int, int, str]]:
    """Every running process as (pid, parent pid, command line), from Linux's /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue
            found.append((int(entry.name), parent, command))
    return found


def children_of(pid: int) -> list[int]:
    """The processes whose parent is pid."""
    return [child for child, parent, _ in processes() if parent == pid]


def processes_mentioning(text: str) -> list[int]:
    """The processes whose command line contains text."""
    return [pid for pid, _, command in processes() if text in command]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_cli_serve_stops_its_server_and_exits_0_on_sigterm_and_sighup(dist, signum):
    port = free_port()
    process = serve_process(dist, port)
    try:
        assert process.stdout.readline().startswith("SPARQL endpoint")
        (child,) = children_of(process.pid)
        os.kill(process.pid, signum)  # to cpsu-kg alone, as docker, systemd or `timeout` send it
        assert process.wait(timeout=15) == 0
        assert process.stderr.read() == ""
        assert port_is_free("127.0.0.1", port)
        assert not Path(f"/proc/{child}").exists()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_cli_serve_says_so_and_exits_1_when_its_server_dies(dist):
    process = serve_process(dist, free_port())
    try:
        assert process.stdout.readline().startswith("SPARQL endpoint")
        (child,) = children_of(process.pid)
        os.kill(child, signal.SIGKILL)
        assert process.wait(timeout=15) == 1
        assert process.stderr.read().startswith("cpsu-kg: error: the oxigraph server stopped (exit status -9): ")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_cors_headers_are_sent_only_when_asked_for(dist, server):
    request = urllib.request.Request(f"{server.query_url}?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Access-Control-Allow-Origin"] is None
    with start_server(dist, "127.0.0.1", free_port(), cors=True) as open_server:
        request.full_url = f"{open_server.query_url}?query=ASK%7B%7D"
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://example.org")


def test_two_servers_started_at_once_on_an_empty_cache_both_answer(dist, tmp_path, monkeypatch):
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    ports = [free_port(), free_port()]
    processes = [serve_process(dist, port) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            assert process.stdout.readline().startswith("SPARQL endpoint"), process.stderr.read()
            assert http_get(f"http://127.0.0.1:{port}/query", "ASK { ?s ?p ?o }", "text/csv").strip() in ("true", "1")
    finally:
        for process in processes:
            os.kill(process.pid, signal.SIGTERM)
    assert [process.wait(timeout=15) for process in processes] == [0, 0]
    assert [path.name for path in (tmp_path / "cache").iterdir() if ".loading-" in path.name] == []


def test_a_server_of_another_build_leaves_the_store_of_a_running_server_alone(dist, tmp_path, monkeypatch):
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    other = tmp_path / "other"
    shutil.copytree(dist, other)
    with (other / "cpsu.trig").open("a") as trig:
        trig.write("<urn:cpsu-kg:a> <urn:cpsu-kg:b> <urn:cpsu-kg:c> .\n")
    with start_server(dist, "127.0.0.1", free_port()) as first:
        before = text_count(first)
        with start_server(other, "127.0.0.1", free_port()) as second:
            assert int(text_count(second)) == int(before) + 1
            assert text_count(first) == before  # its store is still there
        stores = sorted(p.name for p in (tmp_path / "cache").glob("store-*") if p.is_dir())
        assert len(stores) == 2


def http_status_and_text(url: str, headers: dict | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers.get_content_type(), reply.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode("utf-8")


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


def test_an_unknown_entity_is_a_404_and_paths_cannot_leave_the_site(server):
    assert http_status_and_text(f"{server.url}id/person/nobody")[0] == 404
    assert http_status_and_text(f"{server.url}id/../../etc/passwd")[0] == 404


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is not allowed here"),
    ("SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000, "the query nests brackets 3000 deep; this endpoint allows 64"),
    ("SELECT * WHERE { ?s ?p ?o FILTER (" + "(" * 5000 + "1" + ")" * 5000 + ") }", "nests brackets 5002 deep"),
])
def test_the_front_refuses_service_and_deep_nesting_and_the_engine_keeps_answering(server, query, message):
    status, _, text = http_status_and_text(f"{server.query_url}?{urllib.parse.urlencode({'query': query})}")
    assert status == 400
    assert text.startswith("cpsu-kg refused the query: ") and message in text
    assert text_count(server).isdigit()


def test_service_inside_a_string_or_an_iri_is_no_service_call(server):
    query = 'SELECT ?x WHERE { VALUES ?x { "SERVICE" <urn:SERVICE> } }'
    assert http_get(server.query_url, query, "text/csv").splitlines()[1:] == ["SERVICE", "urn:SERVICE"]


def test_the_query_page_is_cpsu_kg_s_and_offers_every_stored_query(server):
    status, content_type, page = http_status_and_text(server.url)
    assert (status, content_type) == (200, "text/html")
    assert "<title>cpsu-kg: SPARQL</title>" in page
    assert page.count("data-query=") == len(list_queries())
    assert "PREFIX cpsu: <https://w3id.org/cpsu-kg/ontology#>" in page
    assert http_status_and_text(f"{server.url}yasgui.min.js")[0] == 200  # served locally, works offline


def test_the_engine_ends_when_cpsu_kg_serve_is_killed_outright(dist):
    process = serve_process(dist, free_port())
    try:
        assert process.stdout.readline().startswith("SPARQL endpoint")
        (child,) = children_of(process.pid)
        os.kill(process.pid, signal.SIGKILL)  # no handler runs: only the kernel can tell the child
        process.wait(timeout=15)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, os.WNOHANG)
            time.sleep(0.1)
        state = Path(f"/proc/{child}/stat").read_text().split(") ")[1][0] if Path(f"/proc/{child}").exists() else "gone"
        assert state in ("gone", "Z")  # ended (a zombie until its new parent reaps it)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


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


def test_ctrl_c_during_start_up_exits_0_without_a_traceback_and_leaves_no_process(dist, tmp_path, monkeypatch):
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))  # an empty cache: start-up loads the store first
    process = serve_process(dist, free_port())
    try:
        time.sleep(0.5)  # in the middle of loading the store or writing the site
        os.kill(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in process.stderr.read()
        assert processes_mentioning(str(tmp_path / "cache")) == []  # no loader or engine left on that cache
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
