"""The serve stage's HTTP front: one port for the SPARQL endpoint, the query page and the entity pages.

Oxigraph's server runs behind it on loopback ports (two of them: the fast lane and the slow lane) and stays the
SPARQL engine. The front exists for what that server cannot do itself: refuse `SERVICE` (the server would fetch
from any address a client names), refuse a query nested deeper or longer than a limit before it reaches the engine
(thousands of brackets overflow its stack), give each query a short turn on the fast lane and move one that needs
longer to the slow lane, whose engine runs only on idle CPU (a heavy query, a client's or an attacker's, cannot
slow the others), answer many clients asking the same at once with one engine answer, cap the size of an answer,
answer the register's IRIs (/id/{kind}/{slug}) by content negotiation from the static site, add CORS headers on
request, and serve a query page that knows the project's prefixes and queries. It is the standard library's
threading HTTP server and client: no framework is needed to pass requests on, and the Python that runs cpsu-kg
has them.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import http.server
import io
import itertools
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol

MAX_QUERY_CHARS = 100_000
MAX_NESTING = 64
MAX_ANSWER_BYTES = 64 * 1024 * 1024
CHUNK = 65536
# Oxigraph's own --timeout-s cancels what it can (a query streaming rows) and says so in the answer; the front
# restarts the engine only for a query still running this long after the timeout.
GRACE_S = 2
# Complete answers up to this size are kept, in all up to ANSWERS_KEPT_BYTES (the least recently used go first).
KEPT_ANSWER_BYTES = 1024 * 1024
ANSWERS_KEPT_BYTES = 64 * 1024 * 1024
# A query that ran past the timeout is refused at once for this long: the store never changes, so the same text
# would hold the engine as long again (after a while it may run once more, in case the machine was only busy).
OVERRUN_REFUSED_S = 60
OVERRUNS_REMEMBERED = 1024
# A query gets this long on the fast lane's engine; one that needs longer is cancelled there (that engine restarted)
# and goes on, within the timeout, on the slow lane's engine, which runs at the lowest CPU priority: a heavy query
# no longer takes a core from the quick ones. A text that outgrew the fast lane goes straight to the slow one for
# SLOW_REMEMBERED_S. The stored queries take milliseconds; benchmarks/load.py chose the figure (0.25 s and 0.5 s let
# abusive queries that change their text each time hold the cores long enough to push p99 past 250 ms).
FAST_LANE_S = 0.15
SLOW_REMEMBERED_S = 600
PASSED_ON = ("/query", "/sparql", "/store", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
ENTITY_FORMATS = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl",
                  "application/ld+json": "jsonld", "application/json": "jsonld", "application/n-triples": "nt"}
FILE_TYPES = {".html": "text/html; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
              ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".json": "application/json",
              ".trig": "application/trig", ".svg": "image/svg+xml"}
# Strings, IRIs and comments, whose brackets and words are not the query's structure.
NOT_STRUCTURE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|' r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|' r"'(?:[^'\\\n]|\\.)*'|" r'<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def query_problem(text: str) -> str | None:
    """Why the front refuses a query (too long, nested too deep, SERVICE), or None when it may reach the engine."""
    if len(text) > MAX_QUERY_CHARS:
        return f"the query is longer than {MAX_QUERY_CHARS} characters"
    structure = NOT_STRUCTURE.sub(" ", text)
    depth = deepest = 0
    for character in structure:
        if character in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "})]":
            depth -= 1
    if deepest > MAX_NESTING:
        return f"the query nests brackets {deepest} deep; this endpoint allows {MAX_NESTING}"
    if re.search(r"\bSERVICE\b", structure, re.IGNORECASE):
        return ("SERVICE is not allowed here: this endpoint does not fetch from other endpoints "
                "(federate from your own client; queries/federated/ has examples)")
    return None


def entity_format(accept: str | None) -> str:
    """The file extension of the description an Accept header asks for (by q-value; HTML when none fits)."""
    best, best_q = "html", 0.0
    for part in (accept or "").split(","):
        media_type, *parameters = [piece.strip() for piece in part.split(";")]
        q = 1.0
        for parameter in parameters:
            if parameter.startswith("q="):
                try:
                    q = float(parameter[2:])
                except ValueError:
                    q = 0.0
        if media_type in ENTITY_FORMATS and q > best_q:
            best, best_q = ENTITY_FORMATS[media_type], q
    return best


class CancelledByEngine(Exception):
    """Oxigraph's own timeout ended the query: the answer it sent is cut short."""


class Upstream(Protocol):
    """The engine behind the front (kg.serve.Engine): where to send a query, and how to stop one."""

    def current(self) -> tuple[int, int]:
        """The engine's loopback port and generation."""

    def cancel(self, generation: int) -> None:
        """End the work of a query that ran over the timeout on that generation of the engine."""


@dataclass(frozen=True)
class FrontConfig:
    """What the front needs: the engine, the static site, the query page, CORS on or off, the timeout, and the slow
    lane's engine (None: every request goes to `upstream`, for the whole timeout)."""

    upstream: Upstream
    site: Mapping[str, Callable[[BinaryIO], object]]
    page: bytes
    cors: bool
    timeout_s: int
    slow_lane: Upstream | None = None


class KeptAnswers:
    """Complete answers of the read-only engine by request, the least recently used dropped past a byte budget;
    and a turn per request, so that many clients asking the same at once cost the engine one answer."""

    def __init__(self, budget: int = ANSWERS_KEPT_BYTES) -> None:
        self.budget, self.size = budget, 0
        self._answers: collections.OrderedDict[tuple, tuple[str, bytes]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._turns: dict[tuple, list] = {}  # request -> [its lock, how many threads hold or wait for it]

    @contextlib.contextmanager
    def turn(self, key: tuple, wait_s: float) -> Iterator[None]:
        """One thread at a time per request: the others wait (at most wait_s, then go on anyway), and the next one
        finds the first one's answer kept."""
        with self._lock:
            entry = self._turns.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        got = entry[0].acquire(timeout=wait_s)
        try:
            yield
        finally:
            if got:
                entry[0].release()
            with self._lock:
                entry[1] -= 1
                if not entry[1]:
                    del self._turns[key]

    def get(self, key: tuple) -> tuple[str, bytes] | None:
        """The kept answer (content type, body) to this request, or None."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            return None

    def put(self, key: tuple, answer: tuple[str, bytes]) -> None:
        """Keep an answer, dropping the least recently used past the budget."""
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self.size += len(answer[1])
            while self.size > self.budget:
                _, dropped = self._answers.popitem(last=False)
                self.size -= len(dropped[1])


class RememberedQueries:
    """Query texts (whitespace aside) that ran past a limit lately, each remembered for a while."""

    def __init__(self, for_s: float = OVERRUN_REFUSED_S, remembered: int = OVERRUNS_REMEMBERED) -> None:
        self.for_s, self.remembered = for_s, remembered
        self._when: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(text: str) -> str:
        return " ".join(text.split())

    def remember(self, text: str) -> None:
        """Note that this query ran past the limit now."""
        if not text:  # not a query (the store's own paths): nothing to refuse later
            return
        key = self._key(text)
        with self._lock:
            self._when[key] = time.monotonic()
            self._when.move_to_end(key)
            while len(self._when) > self.remembered:
                self._when.popitem(last=False)

    def seconds_left(self, text: str) -> float:
        """How much longer this query is remembered (0 when it is not)."""
        with self._lock:
            when = self._when.get(self._key(text))
        return 0.0 if when is None else max(0.0, when + self.for_s - time.monotonic())


class Front(http.server.ThreadingHTTPServer):
    """The front's HTTP server: one thread per request, none outliving the process."""

    daemon_threads = True
    request_queue_size = 256  # the listen backlog: the standard library's 5 drops connections under load

    def __init__(self, address: tuple[str, int], config: FrontConfig) -> None:
        super().__init__(address, FrontHandler)
        self.config = config
        self.serving = False  # whether `start` ran: `shutdown` waits for a serve_forever that never began
        self.answers = KeptAnswers()
        self.overruns = RememberedQueries(OVERRUN_REFUSED_S)  # refused for a while
        self.slow_queries = RememberedQueries(SLOW_REMEMBERED_S)  # sent straight to the slow lane

    def start(self) -> threading.Thread:
        """Serve in a background thread; return it."""
        thread = threading.Thread(target=self.serve_forever, name="cpsu-kg front", daemon=True)
        thread.start()
        self.serving = True
        return thread

    def close(self) -> None:
        """Stop serving (if it began) and release the port."""
        if self.serving:
            self.shutdown()
        self.server_close()


class FrontHandler(http.server.BaseHTTPRequestHandler):
    """Routes a request: the query page, the engine (checked first), or a file of the static site."""

    server: Front
    server_version = "cpsu-kg"
    _answered = False  # whether the response to the client has begun

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the standard library's name
        pass

    def _cors(self) -> None:
        if self.server.config.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              retry_after_s: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if retry_after_s is not None:
            self.send_header("Retry-After", str(retry_after_s))
        self._cors()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_OPTIONS(self) -> None:  # noqa: N802 - the standard library's name
        if not self.server.config.cors:
            self._send(405, b"CORS is off (cpsu-kg serve --cors turns it on)\n")
            return
        self._send(204, b"")

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path, _, query_string = self.path.partition("?")
        if path == "/":
            self._send(200, self.server.config.page, "text/html; charset=utf-8")
        elif path in ("/query", "/sparql"):
            text = urllib.parse.parse_qs(query_string).get("query", [""])[0]
            self._checked_and_passed_on(text, None)
        elif path in PASSED_ON:
            self._pass_on(None, "")
        else:
            self._site_file(path)

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.partition("?")[0]
        if path not in ("/query", "/sparql"):
            self._send(403, b"this endpoint is read-only: only queries are answered\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_QUERY_CHARS * 4:
            self._send(413, f"the request is larger than {MAX_QUERY_CHARS * 4} bytes\n".encode())
            return
        body = self.rfile.read(length)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/sparql-query":
            text = body.decode("utf-8", errors="replace")
        else:
            text = urllib.parse.parse_qs(body.decode("utf-8", errors="replace")).get("query", [""])[0]
        self._checked_and_passed_on(text, body)

    def _checked_and_passed_on(self, text: str, body: bytes | None) -> None:
        problem = query_problem(text)
        if problem is not None:
            self._send(400, f"cpsu-kg refused the query: {problem}\n".encode())
            return
        self._pass_on(body, text)

    def _pass_on(self, body: bytes | None, text: str) -> None:
        """Send the request on to an engine and its answer back, cut off at MAX_ANSWER_BYTES.

        A query goes first to the fast lane, then, if it needs longer than FAST_LANE_S, to the slow lane (see
        `_lanes`). A query that has not answered in full within the timeout is cancelled (its engine restarted),
        whether its client still waits or has gone: the client, if it waits, gets a 503 saying so. Small complete
        answers are kept (the store never changes) and a repeated request is answered from them; a query that ran
        past the timeout is remembered, and refused for a while (OVERRUN_REFUSED_S) before it reaches an engine.
        """
        config = self.server.config
        key = (self.command, self.path, body, self.headers.get("Accept"), self.headers.get("Content-Type"))
        with self.server.answers.turn(key, config.timeout_s + GRACE_S):
            if (kept := self.server.answers.get(key)) is not None:
                self._send(200, kept[1], kept[0])
            elif (refused_s := self.server.overruns.seconds_left(text)) > 0:
                self._send(503, f"cpsu-kg: this query ran longer than the {config.timeout_s} s timeout a moment ago "
                           f"and the store has not changed since: it is refused for another {refused_s:.0f} s\n"
                           .encode(), retry_after_s=max(1, round(refused_s)))
            else:
                self._engines_answer(body, text, key)

    def _engines_answer(self, body: bytes | None, text: str, key: tuple) -> None:
        config = self.server.config
        started = time.monotonic()
        deadline = started + config.timeout_s + GRACE_S
        self._answered = False
        for upstream, budget_s in self._lanes(text):
            if self._on_lane(upstream, budget_s, body, (started, deadline), key, text):
                return
            if self._answered or time.monotonic() >= deadline:
                break
            if budget_s is not None:  # it outgrew the fast lane
                self.server.slow_queries.remember(text)
        self.server.overruns.remember(text)
        self._failed(503, f"the query ran longer than the {config.timeout_s} s timeout and was cancelled")

    def _lanes(self, text: str) -> list[tuple[Upstream, float | None]]:
        """The engines a request may go to, in turn, each with how long it may run there (None: to the deadline).

        A query gets FAST_LANE_S on the fast lane, then the rest of the timeout on the slow lane; a query that
        outgrew the fast lane lately goes straight to the slow one. Anything else (the store's own paths) and
        every request of a front with no slow lane go to the fast lane for the whole timeout.
        """
        config = self.server.config
        if config.slow_lane is None or not text:
            return [(config.upstream, None)]
        slow: list[tuple[Upstream, float | None]] = [(config.slow_lane, None)]
        if self.server.slow_queries.seconds_left(text) > 0:
            return slow
        return [(config.upstream, FAST_LANE_S), *slow]

    def _on_lane(self, upstream: Upstream, budget_s: float | None, body: bytes | None,
                 times: tuple[float, float], key: tuple, text: str) -> bool:
        """Relay the request through one lane's engine; False when it outgrew the lane before answering (its work
        there cancelled, by the front or by the engine's own timeout), True when the exchange is over (answered, or
        failed and the client told).

        A query that lost its engine to a restart (another query's cancellation) is sent again to the new one,
        with its lane's time anew, until the deadline: a read-only query can be.
        """
        started, deadline = times
        while True:
            port, generation = upstream.current()
            sent = time.monotonic()
            lane_deadline = deadline if budget_s is None else min(deadline, sent + budget_s)
            try:
                self._relay(port, body, (started, lane_deadline, deadline), key, text)
                return True
            except CancelledByEngine:
                return False
            except TimeoutError:
                upstream.cancel(generation)
                return False
            except (OSError, http.client.HTTPException):
                restarted = upstream.current()[1] != generation
                if restarted and not self._answered and time.monotonic() < deadline:
                    continue
                self._failed(502, "the engine was restarted to cancel a query that ran over the timeout; send the "
                             "query again" if restarted else "the engine did not answer")
                return True

    def _relay(self, port: int, body: bytes | None, times: tuple[float, float, float], key: tuple,
               text: str) -> None:
        """One exchange with an engine: a small answer held whole (and kept), a large one streamed to the cap.

        times: when the request came, when its lane gives up on it unless its answer is streaming by then, and the
        deadline of the whole request. TimeoutError when one of them passes; CancelledByEngine when the engine's own
        timeout cut the answer.
        """
        started, lane_deadline, deadline = times
        upstream = http.client.HTTPConnection("127.0.0.1", port,
                                              timeout=max(lane_deadline - time.monotonic(), 0.1))
        headers = {name: value for name in ("Accept", "Content-Type") if (value := self.headers.get(name))}
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            content_type = answer.getheader("Content-Type") or "application/octet-stream"
            held, size, holdable = [], 0, min(KEPT_ANSWER_BYTES, MAX_ANSWER_BYTES)
            while size <= holdable and (chunk := answer.read1(CHUNK)):
                if time.monotonic() > lane_deadline:
                    raise TimeoutError
                held.append(chunk)
                size += len(chunk)
            if size <= holdable:  # the whole answer
                if time.monotonic() - started >= self.server.config.timeout_s:
                    raise CancelledByEngine  # its 200 ends in Oxigraph's "cancelled": the client gets the front's 503
                whole = b"".join(held)
                if answer.status == 200:
                    self.server.answers.put(key, (content_type, whole))
                self._answered = True
                self._send(answer.status, whole, content_type)
                return
            self.send_response(answer.status)
            self._answered = True
            if upstream.sock is not None:  # streaming now: the lane keeps it to the request's deadline
                upstream.sock.settimeout(max(deadline - time.monotonic(), 0.1))
            self.send_header("Content-Type", content_type)
            self._cors()
            self.end_headers()
            sent = 0
            for chunk in itertools.chain(held, iter(lambda: answer.read1(CHUNK), b"")):
                if sent >= MAX_ANSWER_BYTES:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError
                self.wfile.write(chunk[: MAX_ANSWER_BYTES - sent])
                sent += len(chunk)
        finally:
            upstream.close()

    def _failed(self, status: int, reason: str) -> None:
        """End a request the engine could not finish: a status and the reason if nothing was sent yet."""
        if not self._answered:
            with contextlib.suppress(OSError):  # the client may have gone
                self._send(status, f"cpsu-kg: {reason}\n".encode())
        self.close_connection = True

    def _site_file(self, path: str) -> None:
        relative = urllib.parse.unquote(path).lstrip("/")
        if relative.startswith("id/") and not PurePosixPath(relative).suffix:
            relative = f"{relative}.{entity_format(self.headers.get('Accept'))}"
        write = self.server.config.site.get(relative)
        if write is None:
            self._send(404, f"not found: /{relative}\n".encode())
            return
        page = io.BytesIO()
        write(page)
        self._send(200, page.getvalue(), FILE_TYPES.get(PurePosixPath(relative).suffix, "application/octet-stream"))
