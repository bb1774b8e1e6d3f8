"""Wikidata answers are checked before they are cached: a malformed, slow or failing endpoint is one clear error, and nothing bad is kept."""


from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time

import pytest
from support import free_port, no_sleep

from kg import wikidata
from kg.errors import InputError

EMPTY_RESULTS = {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def test_no_network_and_no_cache_is_a_one_line_input_error(queryable_graph):
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(InputError) as raised:
        wikidata.check(queryable_graph, endpoint=url, sleep=no_sleep)
    assert str(raised.value) == (
        f"cannot reach the Wikidata endpoint {url}: [Errno 111] Connection refused; "
        "no cached answer (run once with network, or pass --endpoint)"
    )


def test_an_endpoint_must_be_an_http_url():
    with pytest.raises(InputError, match=r"--endpoint expects an http\(s\) URL such as https://query.wikidata.org/sparql, got 'ftp://x'"):
        wikidata.select("SELECT * {}", "ftp://x")


class Scripted(http.server.BaseHTTPRequestHandler):
    """Answers GETs with the server's script of (status, headers, body, delay), one entry per request."""

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        status, headers, body, delay = self.server.script[min(len(self.server.requests), len(self.server.script)) - 1]
        time.sleep(delay)
        self.send_response(status)
        for name, value in {"Content-Type": "application/sparql-results+json", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def scripted_server(*script):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.daemon_threads = True
    server.script, server.requests = list(script), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


OK = (200, {}, json.dumps(EMPTY_RESULTS).encode(), 0)


def test_429_is_retried_with_backoff_honouring_retry_after(private_cache):
    waits = []
    with scripted_server((429, {"Retry-After": "3"}, b"slow down", 0), (429, {}, b"slow down", 0), OK) as (server, url):
        answer = wikidata.select("SELECT ?x WHERE {}", url, sleep=waits.append)
    assert len(server.requests) == 3
    assert waits == [3.0, 2.0]  # Retry-After first, then exponential backoff (1, 2, 4 s for attempts 1, 2, 3)
    assert answer.rows.variables == ["x"] and answer.rows.rows == []
    path, headers = server.requests[0]
    assert path == "/sparql?query=SELECT+%3Fx+WHERE+%7B%7D"
    assert headers["Accept"] == "application/sparql-results+json"
    assert headers["User-Agent"] == "cpsu-kg/0.1 (https://w3id.org/cpsu-kg; knowledge graph of the CPSU leadership) python-urllib"
    assert len(list(private_cache.glob("*.json"))) == 1


def test_5xx_is_retried_at_most_four_times_then_reported(private_cache):
    waits = []
    with scripted_server((503, {}, b"busy", 0)) as (server, url), pytest.raises(InputError) as raised:
        wikidata.select("SELECT ?x WHERE {}", url, sleep=waits.append)
    assert len(server.requests) == 4 and waits == [1.0, 2.0, 4.0]
    assert str(raised.value) == (
        f"cannot reach the Wikidata endpoint {url}: HTTP 503 Service Unavailable (4 attempts); "
        "no cached answer (run once with network, or pass --endpoint)"
    )
    assert list(private_cache.glob("*.json")) == []


def test_a_client_error_is_not_retried():
    bad_request = pytest.raises(InputError, match=r": HTTP 400 Bad Request; no cached answer")
    with scripted_server((400, {}, b"bad query", 0)) as (server, url), bad_request:
        wikidata.select("SELECT ?x WHERE {}", url, sleep=no_sleep)
    assert len(server.requests) == 1


def test_an_answer_that_is_not_sparql_json_is_an_input_error():
    not_json = pytest.raises(InputError, match=r"did not answer with SPARQL JSON results")
    with scripted_server((200, {"Content-Type": "text/html"}, b"<html>maintenance</html>", 0)) as (_, url), not_json:
        wikidata.select("SELECT ?x WHERE {}", url, sleep=no_sleep)


def test_a_slow_answer_hits_the_read_timeout(monkeypatch):
    monkeypatch.setattr(wikidata, "READ_TIMEOUT_S", 0.2)
    timed_out = pytest.raises(InputError, match=r"cannot reach the Wikidata endpoint .*: timed out; no cached answer")
    with scripted_server((200, {}, json.dumps(EMPTY_RESULTS).encode(), 1.0)) as (_, url), timed_out:
        wikidata.select("SELECT ?x WHERE {}", url, sleep=no_sleep)


def answer_with(variables, bindings) -> tuple:
    return (200, {}, json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode(), 0)


def test_an_answer_without_a_projected_variable_is_refused_and_not_cached(private_cache):
    with scripted_server(answer_with(["item"], [])) as (_, url), pytest.raises(InputError) as raised:
        wikidata.select("SELECT ?item (SAMPLE(?l) AS ?label) WHERE { ?item ?p ?l } GROUP BY ?item", url,
                        sleep=no_sleep)
    assert str(raised.value) == (f"the Wikidata endpoint {url} gave an answer this project cannot use: the answer "
                                 "lacks the variable(s) ?label (not cached)")
    assert list(private_cache.glob("*.json")) == []


def test_an_answer_with_a_date_that_is_no_calendar_day_is_refused_and_not_cached(private_cache):
    bad_day = {"birth": {"type": "literal", "value": "1953-13-45T00:00:00Z",
                         "datatype": "http://www.w3.org/2001/XMLSchema#dateTime"}}
    with scripted_server(answer_with(["birth"], [bad_day])) as (_, url), pytest.raises(InputError) as raised:
        wikidata.select("SELECT ?birth WHERE {}", url, sleep=no_sleep)
    assert str(raised.value).endswith("the answer holds the date '1953-13-45T00:00:00Z', which is no calendar day "
                                      "(not cached)")
    assert list(private_cache.glob("*.json")) == []


class Trickling(http.server.BaseHTTPRequestHandler):
    """Sends a valid answer one byte every 50 ms: each read is quick, the whole answer is not."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        for byte in json.dumps(EMPTY_RESULTS).encode():
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.05)

    def log_message(self, *args):
        pass


def test_an_answer_that_trickles_in_hits_the_deadline_for_the_whole_answer(monkeypatch):
    monkeypatch.setattr(wikidata, "ANSWER_WITHIN_S", 0.5)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match=r": the answer took longer than 0.5 s to arrive; no cached answer"):
            wikidata.select("SELECT ?x WHERE {}", url, sleep=no_sleep)
    finally:
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 3


def test_tabs_and_line_breaks_from_wikidata_do_not_break_a_table():
    table = wikidata._table(["label"], [["Josef\tStalin\n(label)"]])
    assert table.splitlines()[2] == "Josef Stalin (label)"


def test_retry_after_as_an_http_date_is_honoured_and_capped():
    assert wikidata.retry_delay("Wed, 21 Oct 2015 07:28:00 GMT", 1) == 0.0  # in the past: retry at once
    assert wikidata.retry_delay("86400", 1) == wikidata.MAX_RETRY_AFTER_S
    assert wikidata.retry_delay("soon", 3) == 4.0


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path):
    """Each test gets its own answer cache."""
    monkeypatch.setenv("CPSU_KG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "wikidata"
