"""Wikidata: check the register's links against Wikidata and diff its tenures with Wikidata's position-held statements.

Two commands share one small network layer: a SPARQL SELECT over HTTP GET with a descriptive User-Agent,
connect and read timeouts, bounded retries with exponential backoff on HTTP 429 and 5xx (honouring
Retry-After), and an on-disk cache of answers so a repeated run works offline.

- `check`: labels (en, ru), birth and death dates (P569, P570) and instance-of (P31) of every linked entity,
  fetched in batches of VALUES, compared with the register's; each link that does not fit is a Finding.
- `diff`: the position-held (P39) statements of every office with a Wikidata QID, aligned with the register's
  tenures of that office, and the membership statements of every party body with a QID (the Politburo), aligned
  with the register's spells in it; each difference is a DiffRow, and QuickStatements v1 lines propose the
  fixes that need no judgement (missing statements, missing qualifiers).
"""

from __future__ import annotations

import datetime
import difflib
import email.utils
import hashlib
import http.client
import json
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph
from rdflib import RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.term import Node

from kg.errors import InputError
from kg.paths import ID
from kg.query import Rows, from_json, register_graph, to_table
from kg.terms import CPSU, rdflib_converter

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = "cpsu-kg/0.1 (https://w3id.org/cpsu-kg; knowledge graph of the CPSU leadership) python-urllib"
ACCEPT = "application/sparql-results+json"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 70.0  # the public endpoint stops a query after 60 s
ANSWER_WITHIN_S = 120.0  # the whole answer, however slowly it trickles in
READ_CHUNK = 65536
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 1.0  # waits 1, 2, 4 s between the 4 attempts unless the server sends Retry-After
MAX_RETRY_AFTER_S = 60.0
BATCH_SIZE = 50  # QIDs per VALUES block of the check query

WD = "http://www.wikidata.org/entity/"
SCHEMA = Namespace("http://schema.org/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
HUMAN = "Q5"
SEED_SOURCE = URIRef(f"{ID}source/seed-article")

CHECK_FORMATS = ("table", "json")
DIFF_FORMATS = ("table", "json", "quickstatements")

# The position-held qualifiers the register mirrors, in the order rows and QuickStatements give them.
QUALIFIERS = ("P580", "P582", "P1545", "P1534", "P1365", "P1366")
DATE_QUALIFIERS = ("P580", "P582")

# End causes (P1534) whose Wikidata item was confirmed from public text in this project's session:
#  - Q5247364 "death in office": the P1534 value of a P39 statement (David Sassoli, President of the European
#    Parliament) in the README of EDJNet/tidywikidatar, and 'Mort en fonction' => 'Q5247364' in an
#    EveryPolitician Luxembourg-deputies scraper's CAUSE_LOOKUP. Q4 "death" (a spouse end-cause table and a
#    P31 label list in public code) is accepted as the same cause when comparing.
#  - Q796919 "resignation": 'Démission' => 'Q796919' in the same CAUSE_LOOKUP of end causes.
# Removal, Promotion, Reassignment, OfficeAbolished, OfficeRenamed and PartySuspended have no confirmed
# QID, so their P1534 qualifier is neither compared nor proposed; Undocumented has none by nature.
END_CAUSE_QIDS = {CPSU.Death: "Q5247364", CPSU.Resignation: "Q796919"}
EQUIVALENT_END_CAUSES = {"Q5247364": frozenset({"Q5247364", "Q4"})}


# ---------------------------------------------------------------- the network layer


@dataclass(frozen=True)
class Answer:
    """A SPARQL answer, when it was fetched (ISO timestamp, UTC) and whether it came from the cache."""

    rows: Rows
    fetched: str
    from_cache: bool


class _ReadTimeout:
    """Connect within the connection's timeout (the connect timeout), then allow READ_TIMEOUT_S per read."""

    def connect(self) -> None:
        """Open the connection, then switch its socket to the read timeout."""
        super().connect()
        self.sock.settimeout(READ_TIMEOUT_S)


class _HTTPConnection(_ReadTimeout, http.client.HTTPConnection):
    """An HTTP connection with separate connect and read timeouts."""


class _HTTPSConnection(_ReadTimeout, http.client.HTTPSConnection):
    """An HTTPS connection with separate connect and read timeouts."""


class _HTTPHandler(urllib.request.HTTPHandler):
    """urllib's HTTP handler, opening connections with separate connect and read timeouts."""

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open an http:// request."""
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's HTTPS handler, opening connections with separate connect and read timeouts."""

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open an https:// request."""
        return self.do_open(_HTTPSConnection, req, context=self._context)


_OPENER = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)


class Unreachable(Exception):
    """No answer from the endpoint (refused, timed out, an HTTP error, or 429/5xx after the retries); the reason."""


def check_endpoint(endpoint: str) -> str:
    """The endpoint URL, or InputError when it is not an http(s) URL."""
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", endpoint):
        raise InputError(f"--endpoint expects an http(s) URL such as {DEFAULT_ENDPOINT}, got {endpoint!r}")
    return endpoint


def wikidata_cache_dir() -> Path:
    """Where answers are cached: the project's cache folder ($CPSU_KG_CACHE or ~/.cache/cpsu-kg), /wikidata."""
    from kg.cache import cache_dir

    return cache_dir() / "wikidata"


def cache_path(endpoint: str, query: str) -> Path:
    """The cache file of a query's answer from an endpoint, named by a hash of both."""
    digest = hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()[:32]
    return wikidata_cache_dir() / f"{digest}.json"


def read_cached(path: Path) -> dict | None:
    """A cached answer ({endpoint, query, fetched, results}), or None when there is none or it is unreadable."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cached if isinstance(cached, dict) and {"fetched", "results"} <= cached.keys() else None


def write_cached(path: Path, endpoint: str, query: str, results: dict) -> str:
    """Store an answer with its fetch time (atomically); return the fetch time."""
    fetched = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp")
    document = {"endpoint": endpoint, "query": query, "fetched": fetched, "results": results}
    staging.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    staging.replace(path)
    return fetched


def retry_delay(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait before the next attempt: Retry-After (seconds or HTTP date) when given, else backoff."""
    if retry_after:
        if retry_after.strip().isdigit():
            return min(float(retry_after.strip()), MAX_RETRY_AFTER_S)
        try:
            when = email.utils.parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            seconds = (when - datetime.datetime.now(datetime.UTC)).total_seconds()
            return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
    return BACKOFF_BASE_S * 2 ** (attempt - 1)


def is_retryable(status: int) -> bool:
    """True for the HTTP statuses worth another attempt: 429 (too many requests) and 5xx."""
    return status == 429 or 500 <= status <= 599


def _request(endpoint: str, query: str) -> urllib.request.Request:
    url = f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode({'query': query})}"
    return urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": USER_AGENT})


def _parse_results(endpoint: str, body: bytes) -> dict:
    try:
        document = json.loads(body)
        from_json(document)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            f"the Wikidata endpoint {endpoint} did not answer with SPARQL JSON results: {error}"
        ) from error
    return document


def read_within(response: http.client.HTTPResponse, seconds: float) -> bytes:
    """The whole body of a response, or Unreachable when it takes longer than seconds in all (a trickling server)."""
    deadline, chunks = time.monotonic() + seconds, []
    while chunk := response.read1(READ_CHUNK):
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise Unreachable(f"the answer took longer than {seconds:g} s to arrive")
    return b"".join(chunks)


def projected_variables(query: str) -> list[str]:
    """The variables a SELECT query projects (?x, and the ?y of (… AS ?y)), in order."""
    clause = re.search(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\s*)?\{", query, re.S | re.I)
    if clause is None:
        return []
    projection = clause.group(1)
    # an expression (… AS ?y) projects ?y only: innermost brackets first, a call inside one projects nothing
    while (inner := re.search(r"\(([^()]*)\)", projection)) is not None:
        alias = re.search(r"\bAS\s+(\?\w+)\s*$", inner.group(1), re.I)
        projection = projection[: inner.start()] + (f" {alias.group(1)} " if alias else " ") + projection[inner.end():]
    return list(dict.fromkeys(re.findall(r"\?(\w+)", projection)))


def answer_problem(query: str, results: dict) -> str | None:
    """What makes an answer unusable (a projected variable missing from its head, a date that is no calendar day),
    or None when it is fine: such an answer is refused, and never cached."""
    heads = set(results.get("head", {}).get("vars", []))
    missing = [name for name in projected_variables(query) if name not in heads]
    if missing:
        return f"the answer lacks the variable(s) {', '.join('?' + name for name in missing)}"
    for binding in results.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("datatype", "").endswith(("#dateTime", "#date")) and not _calendar_day(value.get("value")):
                return f"the answer holds the date {value.get('value')!r}, which is no calendar day"
    return None


def _calendar_day(value: object) -> bool:
    found = day(value)
    if not found:
        return False
    try:
        datetime.date.fromisoformat(found)
    except ValueError:
        return False
    return True


def fetch_results(endpoint: str, query: str, sleep: Callable[[float], None] = time.sleep) -> dict:
    """GET a SELECT query's SPARQL JSON results, retrying on 429 and 5xx; raise Unreachable saying why it failed."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with _OPENER.open(_request(endpoint, query), timeout=CONNECT_TIMEOUT_S) as response:
                return _parse_results(endpoint, read_within(response, ANSWER_WITHIN_S))
        except urllib.error.HTTPError as error:
            error.close()
            if not is_retryable(error.code):
                raise Unreachable(f"HTTP {error.code} {error.reason}") from error
            if attempt == MAX_ATTEMPTS:
                raise Unreachable(f"HTTP {error.code} {error.reason} ({MAX_ATTEMPTS} attempts)") from error
            sleep(retry_delay((error.headers or {}).get("Retry-After"), attempt))
        except urllib.error.URLError as error:
            raise Unreachable(str(error.reason)) from error
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            raise Unreachable(str(error) or type(error).__name__) from error
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _unreachable_message(endpoint: str, reason: str, cached: dict | None, refresh: bool) -> str:
    if refresh and cached is not None:
        return (
            f"cannot reach the Wikidata endpoint {endpoint}: {reason}; refresh ignores the cached answer of "
            f"{cached['fetched']} (run without refresh to use it)"
        )
    return (
        f"cannot reach the Wikidata endpoint {endpoint}: {reason}; "
        "no cached answer (run once with network, or pass --endpoint)"
    )


def select(
    query: str, endpoint: str = DEFAULT_ENDPOINT, *, refresh: bool = False, sleep: Callable[[float], None] = time.sleep
) -> Answer:
    """Run a SELECT on a SPARQL endpoint: the cached answer when there is one (unless refresh), else fetch and cache it.

    With no answer from the endpoint and none cached (or refresh), raise InputError with a one-line reason.
    """
    path = cache_path(check_endpoint(endpoint), query)
    cached = read_cached(path)
    if cached is not None and answer_problem(query, cached["results"]) is not None:
        cached = None  # a bad answer an older version cached: fetch again
    if cached is not None and not refresh:
        return Answer(from_json(cached["results"]), cached["fetched"], from_cache=True)
    try:
        results = fetch_results(endpoint, query, sleep)
    except Unreachable as error:
        raise InputError(_unreachable_message(endpoint, str(error), cached, refresh)) from error
    problem = answer_problem(query, results)
    if problem is not None:
        raise InputError(f"the Wikidata endpoint {endpoint} gave an answer this project cannot use: {problem} "
                         "(not cached)")
    return Answer(from_json(results), write_cached(path, endpoint, query, results), from_cache=False)


# ---------------------------------------------------------------- shared helpers


def qid(iri: object) -> str | None:
    """The QID of a Wikidata entity IRI (http://www.wikidata.org/entity/Q42 -> Q42), else None."""
    match = re.fullmatch(r"http://www\.wikidata\.org/entity/(Q\d+)", str(iri)) if iri is not None else None
    return match.group(1) if match else None


def short_id(iri: Node | str) -> str:
    """A register IRI without its common prefix (https://w3id.org/cpsu-kg/id/person/x -> person/x)."""
    return str(iri).removeprefix(ID)


def day(value: object) -> str:
    """The YYYY-MM-DD day of an xsd:date or a Wikidata dateTime ('1878-12-18T00:00:00Z'); '' for none."""
    match = re.match(r"[+]?(-?\d{4,}-\d\d-\d\d)", str(value)) if value is not None else None
    return match.group(1) if match else ""


def life_day(graph: Graph, person: Node, event: URIRef) -> str:
    """The day of a person's birth or death (cpsu:birth or cpsu:death, then cpsu:date); '' when not known to the day."""
    node = graph.value(person, event)
    return day(graph.value(node, CPSU.date)) if node is not None else ""


def label(graph: Graph, node: Node, language: str = "en") -> str:
    """A node's rdfs:label in a language, '' when it has none."""
    return next((str(o) for o in graph.objects(node, RDFS.label) if getattr(o, "language", None) == language), "")


def wikidata_link(graph: Graph, node: Node) -> str | None:
    """The QID a register node is linked to (schema:sameAs or skos:exactMatch), or None."""
    links = [qid(o) for p in (SCHEMA.sameAs, SKOS.exactMatch) for o in graph.objects(node, p)]
    return min((link for link in links if link), default=None)


def values_block(qids: Iterable[str]) -> str:
    """A SPARQL VALUES list of Wikidata items: 'wd:Q1 wd:Q2'."""
    return " ".join(f"wd:{item}" for item in qids)


def batches(items: Sequence[str], size: int = BATCH_SIZE) -> list[Sequence[str]]:
    """The items in consecutive slices of at most size."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def records(rows: Rows) -> list[dict[str, Node | None]]:
    """The rows as dicts of rdflib terms (None when unbound), keeping lexical forms such as '1878-12-18T00:00:00Z'."""
    term = rdflib_converter()
    return [dict(zip(rows.variables, (term(value) for value in row), strict=True)) for row in rows.rows]


def one_line(text: str) -> str:
    """Text with its tabs, line breaks and runs of spaces made single spaces (a label from Wikidata may hold them)."""
    return " ".join(text.split())


def _table(variables: list[str], lines: Iterable[Sequence[str]]) -> str:
    return to_table(Rows(variables, [tuple(pyoxigraph.Literal(one_line(cell)) for cell in line) for line in lines]))


def _oldest(answers: Iterable[Answer]) -> str:
    return min((answer.fetched for answer in answers), default="")


PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


# ---------------------------------------------------------------- check: do the links fit?


@dataclass(frozen=True)
class LinkedEntity:
    """A register node linked to a Wikidata item, with what check compares."""

    entity: str
    qid: str
    is_person: bool
    labels: tuple[str, ...]
    names: tuple[str, ...]
    birth: str = ""
    death: str = ""


@dataclass(frozen=True)
class WikidataItem:
    """What Wikidata says about an item: labels (en, ru), birth and death days, classes, redirect target."""

    labels: tuple[str, ...] = ()
    births: frozenset[str] = frozenset()
    deaths: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    redirect: str = ""


@dataclass(frozen=True)
class Finding:
    """A link that does not fit: the register node, its QID, what is wrong, our value and Wikidata's."""

    entity: str
    qid: str
    problem: str
    ours: str
    theirs: str


@dataclass(frozen=True)
class CheckReport:
    """The findings of `check`, how many links were checked, against which endpoint and as of when."""

    findings: list[Finding]
    checked: int
    endpoint: str
    fetched: str
    from_cache: bool

    def summary(self) -> str:
        """One line for stderr: how many links, against what, as of when, how many flagged."""
        cached = ", from the cache" if self.from_cache else ""
        return (
            f"checked {self.checked} Wikidata links against {self.endpoint} (answers of {self.fetched}{cached}): "
            f"{len(self.findings)} finding(s)"
        )


def our_names(graph: Graph, node: Node, properties: Iterable[URIRef] = (RDFS.label,)) -> tuple[str, ...]:
    """The node's English and Russian names under the given properties (by default its labels), sorted."""
    names = [o for p in properties for o in graph.objects(node, p)]
    return tuple(sorted(str(name) for name in names if getattr(name, "language", None) in ("en", "ru")))


def linked_entities(graph: Graph) -> list[LinkedEntity]:
    """Every register node linked to a Wikidata item, by node."""
    linked = []
    for node in sorted({s for p in (SCHEMA.sameAs, SKOS.exactMatch) for s in graph.subjects(p, None)}):
        link = wikidata_link(graph, node)
        if link and str(node).startswith(ID):
            linked.append(
                LinkedEntity(
                    entity=short_id(node),
                    qid=link,
                    is_person=(node, RDF.type, CPSU.Person) in graph,
                    labels=our_names(graph, node),
                    names=our_names(graph, node, (RDFS.label, SKOS.altLabel)),
                    birth=life_day(graph, node, CPSU.birth),
                    death=life_day(graph, node, CPSU.death),
                )
            )
    return linked


def check_query(qids: Iterable[str]) -> str:
    """The SELECT that fetches labels (en, ru), P569, P570, P31 and redirects of a batch of items."""
    return (
        PREFIXES
        + f"""SELECT ?item ?label ?birth ?death ?class ?redirect WHERE {{
  VALUES ?item {{ {values_block(qids)} }}
  OPTIONAL {{ ?item rdfs:label ?label . FILTER (lang(?label) = "en" || lang(?label) = "ru") }}
  OPTIONAL {{ ?item wdt:P569 ?birth }}
  OPTIONAL {{ ?item wdt:P570 ?death }}
  OPTIONAL {{ ?item wdt:P31 ?class }}
  OPTIONAL {{ ?item owl:sameAs ?redirect }}
}}"""
    )


def wikidata_items(rows: Rows) -> dict[str, WikidataItem]:
    """The rows of check_query gathered per item (one row per combination of values)."""
    gathered: dict[str, dict[str, set[str]]] = {}
    for row in records(rows):
        values = gathered.setdefault(
            qid(row["item"]) or "", {k: set() for k in ("label", "birth", "death", "class", "redirect")}
        )
        values["label"].add("" if row["label"] is None else str(row["label"]))
        values["birth"].add(day(row["birth"]))
        values["death"].add(day(row["death"]))
        values["class"].add(qid(row["class"]) or "")
        values["redirect"].add(qid(row["redirect"]) or "")
    return {
        item: WikidataItem(
            labels=tuple(sorted(v["label"] - {""})),
            births=frozenset(v["birth"] - {""}),
            deaths=frozenset(v["death"] - {""}),
            classes=frozenset(v["class"] - {""}),
            redirect=min(v["redirect"] - {""}, default=""),
        )
        for item, v in gathered.items()
    }


def normalised(name: str) -> str:
    """A name casefolded, without diacritics (ё -> е), punctuation or extra spaces, for comparison."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]|_", " ", letters).split())


def names_match(ours: str, theirs: str) -> bool:
    """True when two names share their last word (the family name) or are alike (difflib ratio >= 0.8)."""
    a, b = normalised(ours), normalised(theirs)
    if not a or not b:
        return False
    return a.split()[-1] == b.split()[-1] or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def label_fits(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """True when any of our names matches any of Wikidata's labels."""
    theirs = list(theirs)
    return any(names_match(a, b) for a in ours for b in theirs)


def _date_findings(linked: LinkedEntity, item: WikidataItem) -> list[Finding]:
    pairs = (
        ("birth date differs (P569)", linked.birth, item.births),
        ("death date differs (P570)", linked.death, item.deaths),
    )
    return [
        Finding(linked.entity, linked.qid, problem, ours, ", ".join(sorted(theirs)))
        for problem, ours, theirs in pairs
        if ours and theirs and ours not in theirs
    ]


def findings_for(linked: LinkedEntity, item: WikidataItem | None) -> list[Finding]:
    """What does not fit between a register node and the Wikidata item it is linked to."""
    found = partial(Finding, linked.entity, linked.qid)
    if item is None or not (item.labels or item.classes or item.redirect):
        return [found("unknown to Wikidata (no label, no class)", " / ".join(linked.labels), "")]
    if item.redirect:
        return [found("redirected to another item (owl:sameAs)", linked.qid, item.redirect)]
    findings = []
    if not label_fits(linked.names, item.labels):
        findings.append(found("label differs", " / ".join(linked.labels), " / ".join(item.labels)))
    if linked.is_person and HUMAN not in item.classes:
        findings.append(found("not a human (P31 lacks Q5)", "cpsu:Person", ", ".join(sorted(item.classes))))
    return findings + _date_findings(linked, item)


def check(
    graph: Graph | None = None,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    refresh: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckReport:
    """Check every Wikidata link of the register (labels, P569/P570, P31); the CLI exits 1 on any finding."""
    graph = register_graph() if graph is None else graph
    linked = linked_entities(graph)
    qids = sorted({entity.qid for entity in linked}, key=lambda q: int(q[1:]))
    answers = [select(check_query(batch), endpoint, refresh=refresh, sleep=sleep) for batch in batches(qids)]
    items = {item: data for answer in answers for item, data in wikidata_items(answer.rows).items()}
    findings = [finding for entity in linked for finding in findings_for(entity, items.get(entity.qid))]
    return CheckReport(findings, len(linked), endpoint, _oldest(answers), all(a.from_cache for a in answers))


def render_check(report: CheckReport, output_format: str = "table") -> str:
    """The findings as an aligned table or as JSON."""
    if output_format == "json":
        document = {
            "endpoint": report.endpoint,
            "fetched": report.fetched,
            "checked": report.checked,
            "findings": [asdict(finding) for finding in report.findings],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output_format == "table":
        columns = ["entity", "qid", "problem", "ours", "theirs"]
        return _table(columns, ([getattr(f, c) for c in columns] for f in report.findings))
    raise InputError(f"unknown format '{output_format}'; expected one of: {', '.join(CHECK_FORMATS)}")


# ---------------------------------------------------------------- diff: tenures against P39 statements


@dataclass(frozen=True)
class Tenure:
    """One of the register's tenures of an office, with its qualifiers in Wikidata's terms (property -> value)."""

    iri: str
    name: str
    person: str | None
    qualifiers: dict[str, str] = field(hash=False)
    source_url: str = ""
    statement_property: str = "P39"  # what would carry it: P39 (position held), or P463 (member of) for a body
    # the start as the register gives it when only its month or year is known ("1938-01"): never compared or
    # proposed, only used to pair the tenure with the closest of a person's statements
    coarse_start: str = ""

    @property
    def start(self) -> str:
        """The first day (P580)."""
        return self.qualifiers.get("P580", "")

    @property
    def end(self) -> str:
        """The last day (P582), '' when open."""
        return self.qualifiers.get("P582", "")


@dataclass(frozen=True)
class Statement:
    """A Wikidata P39 statement: its id, the person, and each qualifier's values (property -> set of values)."""

    iri: str
    person: str
    qualifiers: dict[str, frozenset[str]] = field(hash=False)

    @property
    def start(self) -> str:
        """The earliest start day (P580), '' when there is none."""
        return min(self.qualifiers.get("P580", ()), default="")

    @property
    def end(self) -> str:
        """The earliest end day (P582), '' when there is none."""
        return min(self.qualifiers.get("P582", ()), default="")

    @property
    def id(self) -> str:
        """The statement id without its IRI prefix (Q44071-…)."""
        return self.iri.removeprefix(f"{WD}statement/")


@dataclass(frozen=True)
class DiffRow:
    """One difference between the register's tenures of an office and Wikidata's P39 statements for it."""

    kind: str
    office: str
    person: str
    name: str
    property: str
    ours: str
    theirs: str
    tenure: str = ""
    statement: str = ""
    when: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class DiffReport:
    """The differences, the QuickStatements that would fix what needs no judgement, and what was left out."""

    rows: list[DiffRow]
    quickstatements: list[str]
    notes: list[str]
    offices: int
    endpoint: str
    fetched: str
    from_cache: bool
    bodies: int = 0

    @property
    def differs(self) -> bool:
        """True when there is at least one difference."""
        return bool(self.rows)

    def summary(self) -> str:
        """One line for stderr: how many offices and differences, against what, as of when."""
        cached = ", from the cache" if self.from_cache else ""
        return (
            f"compared the tenures of {self.offices} office(s) and the spells in {self.bodies} party body(ies) with "
            f"Wikidata's P39 and P463 statements at {self.endpoint} "
            f"(answers of {self.fetched}{cached}): {len(self.rows)} difference(s)"
        )


def statements_query(office: str) -> str:
    """The SELECT of every non-deprecated P39 statement for an office, with its qualifiers."""
    return (
        PREFIXES
        + f"""SELECT ?statement ?person ?start ?end ?replaces ?replacedBy ?ordinal ?endCause WHERE {{
  ?person p:P39 ?statement . ?statement ps:P39 wd:{office} .
  MINUS {{ ?statement wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
  OPTIONAL {{ ?statement pq:P1365 ?replaces }}
  OPTIONAL {{ ?statement pq:P1366 ?replacedBy }}
  OPTIONAL {{ ?statement pq:P1545 ?ordinal }}
  OPTIONAL {{ ?statement pq:P1534 ?endCause }}
}}
ORDER BY ?statement"""
    )


def memberships_query(body: str) -> str:
    """The SELECT of every non-deprecated statement that a person belonged to a party body, with its dates.

    Wikidata says it two ways: member of (P463) the body, or position held (P39) of a position that is part of
    (P361) the body (a "member of the Politburo" item, full or candidate). Both are read; roles are not told
    apart, so the register's spells are compared as memberships (see `membership_periods`).
    """
    return (
        PREFIXES
        + f"""SELECT ?statement ?person ?start ?end ?replaces ?replacedBy ?ordinal ?endCause WHERE {{
  {{ ?person p:P463 ?statement . ?statement ps:P463 wd:{body} . }}
  UNION
  {{ ?person p:P39 ?statement . ?statement ps:P39 ?position . ?position wdt:P361 wd:{body} . }}
  MINUS {{ ?statement wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
}}
ORDER BY ?statement"""
    )


STATEMENT_COLUMNS = {
    "start": "P580",
    "end": "P582",
    "ordinal": "P1545",
    "endCause": "P1534",
    "replaces": "P1365",
    "replacedBy": "P1366",
}


def qualifier_value(column: str, value: object) -> str:
    """A qualifier value of statements_query as diff compares it: a day, an ordinal string or a QID."""
    if column in ("start", "end"):
        return day(value)
    return str(value) if column == "ordinal" else qid(value) or ""


def statements(rows: Rows) -> list[Statement]:
    """The rows of statements_query gathered per statement (one row per combination of qualifier values)."""
    gathered: dict[str, tuple[str, dict[str, set[str]]]] = {}
    for row in records(rows):
        _, values = gathered.setdefault(str(row["statement"]), (qid(row["person"]) or "", {}))
        for column, prop in STATEMENT_COLUMNS.items():
            if row[column] is not None:
                values.setdefault(prop, set()).add(qualifier_value(column, row[column]))
    return [
        Statement(iri, person, {prop: frozenset(v - {""}) for prop, v in values.items() if v - {""}})
        for iri, (person, values) in sorted(gathered.items())
    ]


def next_tenure(graph: Graph, tenure: Node, forward: bool) -> Node | None:
    """The tenure after (forward) or before a tenure in its line of succession, from either direction's links."""
    if forward:
        return graph.value(tenure, CPSU.replacedBy) or graph.value(None, CPSU.replaces, tenure)
    return graph.value(tenure, CPSU.replaces) or graph.value(None, CPSU.replacedBy, tenure)


def neighbour_holder(graph: Graph, tenure: Node, forward: bool) -> str | None:
    """The QID of the nearest other person before (or after) a tenure in its line of succession, None if unlinked.

    A holder who goes on under a new title (First Secretary -> General Secretary) is stepped over: Wikidata's
    replaces (P1365) and replaced by (P1366) name the person who held the post before or after.
    """
    holder, seen, step = graph.value(tenure, CPSU.holder), {tenure}, next_tenure(graph, tenure, forward)
    while step is not None and step not in seen and graph.value(step, CPSU.holder) == holder:
        seen.add(step)
        step = next_tenure(graph, step, forward)
    return None if step is None or step in seen else wikidata_link(graph, graph.value(step, CPSU.holder))


def source_url(graph: Graph, tenure: Node) -> str:
    """The address of a tenure's first non-seed source (by id), else of the seed article; '' when none."""
    sources = sorted(graph.objects(tenure, DCTERMS.source), key=lambda s: (s == SEED_SOURCE, str(s)))
    return next((str(url) for s in sources if (url := graph.value(s, CPSU.url)) is not None), "")


def our_qualifiers(graph: Graph, tenure: Node) -> dict[str, str]:
    """A tenure's values in Wikidata's terms: P580/P582 days, P1545 ordinal, P1534/P1365/P1366 QIDs."""
    ordinal = graph.value(tenure, CPSU.ordinal)
    values = {
        "P580": day(graph.value(tenure, CPSU.startDate)),
        "P582": day(graph.value(tenure, CPSU.endDate)),
        "P1545": "" if ordinal is None else str(ordinal),
        "P1534": END_CAUSE_QIDS.get(graph.value(tenure, CPSU.endCause), ""),
        "P1365": neighbour_holder(graph, tenure, forward=False) or "",
        "P1366": neighbour_holder(graph, tenure, forward=True) or "",
    }
    return {prop: value for prop, value in values.items() if value}


def tenures_of(graph: Graph, office: Node) -> list[Tenure]:
    """The register's tenures of an office, by start date."""
    tenures = [
        Tenure(
            iri=short_id(node),
            name=label(graph, graph.value(node, CPSU.holder)),
            person=wikidata_link(graph, graph.value(node, CPSU.holder)),
            qualifiers=our_qualifiers(graph, node),
            source_url=source_url(graph, node),
        )
        for node in set(graph.subjects(CPSU.office, office))
    ]
    return sorted(tenures, key=lambda tenure: (tenure.start, tenure.iri))


def linked_offices(graph: Graph) -> list[tuple[Node, str]]:
    """Every office (anything that has tenures, or is a cpsu:Office) linked to a Wikidata item, with its QID."""
    offices = set(graph.objects(None, CPSU.office)) | set(graph.subjects(RDF.type, CPSU.Office))
    linked = [(office, link) for office in offices if (link := wikidata_link(graph, office))]
    return sorted(linked, key=lambda pair: int(pair[1][1:]))


def linked_bodies(graph: Graph) -> list[tuple[Node, str]]:
    """Every party body with spells in the register (cpsu:body) that is linked to a Wikidata item, with its QID."""
    bodies = set(graph.objects(None, CPSU.body))
    linked = [(body, link) for body in bodies if (link := wikidata_link(graph, body))]
    return sorted(linked, key=lambda pair: int(pair[1][1:]))


def membership_periods(graph: Graph, body: Node) -> list[Tenure]:
    """The register's memberships of a body, by start: a person's spells joined where one ends the day the next
    begins (a candidate promoted to full member stays a member), each with its P580/P582 days.

    Wikidata's membership statements rarely tell full from candidate members, so roles are not compared.
    """
    spells: dict[Node, list[Node]] = {}
    for spell in set(graph.subjects(CPSU.body, body)):
        spells.setdefault(graph.value(spell, CPSU.member), []).append(spell)
    periods = []
    for person, own in spells.items():
        own.sort(key=lambda spell: str(graph.value(spell, CPSU.startDate)))
        joined: list[list[Node]] = []
        for spell in own:
            if joined and graph.value(joined[-1][-1], CPSU.endDate) == graph.value(spell, CPSU.startDate):
                joined[-1].append(spell)
            else:
                joined.append([spell])
        periods += [membership_period(graph, person, run) for run in joined]
    return sorted(periods, key=lambda period: (period.start, period.iri))


def membership_period(graph: Graph, person: Node, spells: Sequence[Node]) -> Tenure:
    """One membership: the first spell's start, the last one's end, the ids of the spells joined (with " + ")."""
    start = graph.value(spells[0], CPSU.startDate)
    values = {"P580": day(start), "P582": day(graph.value(spells[-1], CPSU.endDate))}
    return Tenure(
        iri=" + ".join(short_id(spell) for spell in spells),
        name=label(graph, person),
        person=wikidata_link(graph, person),
        qualifiers={prop: value for prop, value in values.items() if value},
        source_url=source_url(graph, spells[0]),
        statement_property="P463",
        coarse_start="" if values["P580"] or start is None else str(start),
    )


def names_by_qid(graph: Graph) -> dict[str, str]:
    """The register's English name of each Wikidata item it links to."""
    nodes = {s for p in (SCHEMA.sameAs, SKOS.exactMatch) for s in graph.subjects(p, None)}
    return {link: label(graph, node) for node in nodes if (link := wikidata_link(graph, node))}


def days_apart(a: str, b: str) -> int:
    """How many days lie between two YYYY-MM-DD days; a very large number when either is unknown."""
    if not a or not b:
        return 10**9
    return abs((datetime.date.fromisoformat(a) - datetime.date.fromisoformat(b)).days)


def pairing_day(tenure: Tenure) -> str:
    """The tenure's first day, or the first day of its month or year when only that is known (for pairing only)."""
    if tenure.start or not tenure.coarse_start:
        return tenure.start
    return (tenure.coarse_start + "-01-01")[:10]


Pairs = list[tuple[Tenure, Statement]]


def align(
    tenures: Sequence[Tenure], found: Sequence[Statement], by_start: bool = True
) -> tuple[Pairs, list[Tenure], list[Statement]]:
    """Pair tenures with statements; return the pairs, the unpaired tenures and the unpaired statements.

    First by person (the closest start dates first, for a person who held the office twice), then, among the
    rest and when by_start (an office of one holder at a time, not a body), by the same start date: such a pair
    is a holder disagreement.
    """
    pairs: Pairs = []
    by_person = sorted(
        (
            (days_apart(pairing_day(t), s.start), t.start, s.iri, t, s)
            for t in tenures
            for s in found
            if t.person == s.person
        ),
        key=lambda candidate: candidate[:3],
    )
    same_start = [(t, s) for t in tenures for s in found if by_start and t.start and t.start == s.start]
    for tenure, statement in [candidate[3:] for candidate in by_person] + same_start:
        if all(tenure is not t and statement is not s for t, s in pairs):
            pairs.append((tenure, statement))
    return (
        pairs,
        [t for t in tenures if all(t is not paired for paired, _ in pairs)],
        [s for s in found if all(s is not paired for _, paired in pairs)],
    )


def _period(start: str, end: str) -> str:
    return f"{start or '?'} – {end or '?'}"


def _named(item: str, names: dict[str, str]) -> str:
    return f"{item} ({names[item]})" if names.get(item) else item


def _accepted(prop: str, ours: str) -> frozenset[str]:
    return EQUIVALENT_END_CAUSES.get(ours, frozenset({ours})) if prop == "P1534" else frozenset({ours})


def qualifier_rows(office: str, tenure: Tenure, statement: Statement) -> list[DiffRow]:
    """The qualifiers of a statement that are missing or disagree with the tenure it is paired with."""
    rows = []
    for prop in QUALIFIERS:
        ours, theirs = tenure.qualifiers.get(prop), statement.qualifiers.get(prop, frozenset())
        if ours is None or _accepted(prop, ours) & theirs:
            continue
        kind = (
            "qualifier missing"
            if not theirs
            else "date disagrees"
            if prop in DATE_QUALIFIERS
            else "qualifier disagrees"
        )
        rows.append(
            DiffRow(
                kind,
                office,
                tenure.person or "",
                tenure.name,
                prop,
                ours,
                ", ".join(sorted(theirs)),
                tenure.iri,
                statement.id,
                tenure.start,
            )
        )
    return rows


def pair_rows(office: str, tenure: Tenure, statement: Statement, names: dict[str, str]) -> list[DiffRow]:
    """The differences between a tenure and the statement paired with it: another holder, or its qualifiers."""
    if tenure.person == statement.person:
        return qualifier_rows(office, tenure, statement)
    return [
        DiffRow(
            "holder disagrees",
            office,
            tenure.person or "",
            tenure.name,
            tenure.statement_property,
            _named(tenure.person or "", names),
            _named(statement.person, names),
            tenure.iri,
            statement.id,
            tenure.start,
        )
    ]


def missing_in_wikidata(office: str, tenure: Tenure) -> DiffRow:
    """A tenure of ours that no statement matches."""
    return DiffRow(
        "missing in Wikidata",
        office,
        tenure.person or "",
        tenure.name,
        tenure.statement_property,
        _period(tenure.start, tenure.end),
        "",
        tenure.iri,
        "",
        tenure.start,
    )


def overlaps(tenure: Tenure, statement: Statement) -> bool:
    """True when a statement's period (with a start) and a tenure's share a day."""
    far = "9999-12-31"
    return bool(statement.start) and statement.start <= (tenure.end or far) and tenure.start <= (statement.end or far)


def missing_here(
    office: str, statement: Statement, names: dict[str, str], unlinked: Sequence[Tenure], prop: str = "P39"
) -> DiffRow:
    """A statement no tenure of ours matches; 'ours' names a tenure of the period whose holder has no QID."""
    overlap = "; ".join(
        f"{t.iri} ({t.name}, holder not linked to Wikidata)" for t in unlinked if overlaps(t, statement)
    )
    return DiffRow(
        "missing here",
        office,
        statement.person,
        names.get(statement.person, ""),
        prop,
        overlap,
        _period(statement.start, statement.end),
        "",
        statement.id,
        statement.start,
    )


def diff_office(
    office: str, tenures: Sequence[Tenure], found: Sequence[Statement], names: dict[str, str], body: bool = False
) -> list[DiffRow]:
    """Every difference between the register's tenures of one office (or memberships of a body) and Wikidata's
    statements for it.

    Only tenures whose holder has a QID take part; the others can only be named beside a statement of their period
    (not for a body: many members at once, and no holder can disagree with another).
    """
    linked = [tenure for tenure in tenures if tenure.person]
    pairs, only_ours, only_theirs = align(linked, found, by_start=not body)
    rows = [row for tenure, statement in pairs for row in pair_rows(office, tenure, statement, names)]
    rows += [missing_in_wikidata(office, tenure) for tenure in only_ours]
    unlinked = [] if body else [t for t in tenures if not t.person]
    prop = "P463" if body else "P39"
    rows += [missing_here(office, statement, names, unlinked, prop) for statement in only_theirs]
    return sorted(
        rows, key=lambda r: (r.when, r.person, QUALIFIERS.index(r.property) if r.property in QUALIFIERS else -1)
    )


# QuickStatements v1 (https://www.wikidata.org/wiki/Help:QuickStatements), as the reference implementation
# magnusmanske/quickstatements parses it (public_html/quickstatements.php: importDataFromV1, parseValueV1):
# one command per line, columns separated by tabs; "Q… P… value" adds a statement, then pairs follow, "Pnnn value"
# a qualifier and "Snnn value" a reference snak (consecutive S pairs form one reference); items are bare QIDs,
# strings are in double quotes, times are +YYYY-MM-DDT00:00:00Z/11 (11 = day precision; Gregorian calendar by
# default). A statement that already exists is not added twice: its qualifiers and references go to the item's
# first statement with the same property and value (getStatementID). That is the v1 way to add a qualifier to an
# existing statement, and why v1 cannot address one of two statements for an office held twice.


def qs_value(prop: str, value: str) -> str:
    """A qualifier or reference value in QuickStatements v1 syntax: a time, a quoted string or a bare QID."""
    if prop in DATE_QUALIFIERS:
        return f"+{value}T00:00:00Z/11"
    if prop in ("P1545", "S854"):
        return '"' + value.replace('"', "%22").replace("\t", "%09") + '"'
    return value


def qs_line(person: str, office: str, values: dict[str, str], url: str, prop: str = "P39") -> str:
    """One v1 command: add (or find) person P39 office (or P463 body), with qualifiers in QUALIFIERS order and an
    S854 reference."""
    columns = [person, prop, office]
    columns += [part for prop in QUALIFIERS if prop in values for part in (prop, qs_value(prop, values[prop]))]
    columns += ["S854", qs_value("S854", url)] if url else []
    return "\t".join(columns)


def statement_counts(found: Iterable[Statement], office: str) -> dict[tuple[str, str], int]:
    """How many statements each person has for an office, keyed by (office, person)."""
    counts: dict[tuple[str, str], int] = {}
    for statement in found:
        counts[office, statement.person] = counts.get((office, statement.person), 0) + 1
    return counts


# How many statements a person may already have for the office for a v1 line to land where it should.
SAFE_STATEMENT_COUNT = {"missing in Wikidata": 0, "qualifier missing": 1}


def unsafe_line_note(tenure: str, person: str, office: str, existing: int) -> str:
    """Why no QuickStatements line is written for a tenure: v1 would edit the wrong statement."""
    return (
        f"no QuickStatements line for {tenure}: {person} has {existing} statement(s) for {office}, "
        "and v1 adds qualifiers to the first one"
    )


def quickstatements(
    rows: Sequence[DiffRow], tenures: dict[str, Tenure], counts: dict[tuple[str, str], int]
) -> tuple[list[str], list[str]]:
    """The v1 lines adding each statement missing in Wikidata and each tenure's missing qualifiers, and notes.

    A line is left out, with a note, where v1 would put it on the wrong statement (a missing statement of a
    person who already has one for the office, or missing qualifiers of a person who has several), and for a
    missing statement whose start the register knows only to the month or the year.
    """
    lines, notes = [], []
    proposable = [row for row in rows if row.kind in SAFE_STATEMENT_COUNT]
    for iri, kind, office, person in dict.fromkeys((r.tenure, r.kind, r.office, r.person) for r in proposable):
        existing = counts.get((office, person), 0)
        if existing != SAFE_STATEMENT_COUNT[kind]:
            notes.append(unsafe_line_note(iri, person, office, existing))
            continue
        if kind == "missing in Wikidata" and "P580" not in tenures[iri].qualifiers:
            notes.append(f"no QuickStatements line for {iri}: its start is known only to the month or the year")
            continue
        missing = {row.property for row in proposable if row.tenure == iri and row.kind == kind}
        values = {p: v for p, v in tenures[iri].qualifiers.items() if kind == "missing in Wikidata" or p in missing}
        lines.append(qs_line(person, office, values, tenures[iri].source_url, tenures[iri].statement_property))
    return lines, notes


def diff(
    graph: Graph | None = None,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    refresh: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> DiffReport:
    """Diff the tenures of every office linked to Wikidata with Wikidata's P39 statements for it, and the spells in
    every party body linked to Wikidata with its membership statements."""
    graph = register_graph() if graph is None else graph
    names, offices, bodies = names_by_qid(graph), linked_offices(graph), linked_bodies(graph)
    rows: list[DiffRow] = []
    answers: list[Answer] = []
    tenures: dict[str, Tenure] = {}
    counts: dict[tuple[str, str], int] = {}
    for office, office_qid in offices:
        answers.append(select(statements_query(office_qid), endpoint, refresh=refresh, sleep=sleep))
        found, ours = statements(answers[-1].rows), tenures_of(graph, office)
        tenures |= {tenure.iri: tenure for tenure in ours}
        counts |= statement_counts(found, office_qid)
        rows += diff_office(office_qid, ours, found, names)
    not_compared = [
        f"not compared: {t.iri} ({t.name}), holder not linked to Wikidata" for t in tenures.values() if not t.person
    ]
    for body, body_qid in bodies:
        answers.append(select(memberships_query(body_qid), endpoint, refresh=refresh, sleep=sleep))
        found, ours = statements(answers[-1].rows), membership_periods(graph, body)
        tenures |= {period.iri: period for period in ours}
        counts |= statement_counts(found, body_qid)
        rows += diff_office(body_qid, ours, found, names, body=True)
        unlinked = sum(not period.person for period in ours)
        not_compared.append(f"not compared: {unlinked} of the {len(ours)} memberships of {label(graph, body)} "
                            f"({body_qid}), their holders not linked to Wikidata")
    lines, notes = quickstatements(rows, tenures, counts)
    return DiffReport(rows, lines, not_compared + notes, len(offices), endpoint, _oldest(answers),
                      all(a.from_cache for a in answers), len(bodies))


DIFF_COLUMNS = ["kind", "office", "person", "name", "property", "ours", "theirs"]


def render_diff(report: DiffReport, output_format: str = "table") -> str:
    """The differences as an aligned table, as JSON, or as QuickStatements v1 lines (tab-separated)."""
    if output_format == "quickstatements":
        return "".join(f"{line}\n" for line in report.quickstatements)
    if output_format == "json":
        rows = [{k: v for k, v in asdict(row).items() if k != "when"} for row in report.rows]
        document = {
            "endpoint": report.endpoint,
            "fetched": report.fetched,
            "rows": rows,
            "notes": report.notes,
            "quickstatements": report.quickstatements,
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output_format == "table":
        table = _table(DIFF_COLUMNS, ([getattr(row, c) for c in DIFF_COLUMNS] for row in report.rows))
        return table + "".join(f"{note}\n" for note in report.notes)
    raise InputError(f"unknown format '{output_format}'; expected one of: {', '.join(DIFF_FORMATS)}")
