"""Helpers the test modules share: free ports, HTTP, the command line, processes and copies of the register."""


from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kg.paths import DATA_DIR, PROJECT_ROOT

COUNT_ALL = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, query: str, accept: str) -> str:
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def text_count(server) -> str:
    return http_get(server.query_url, COUNT_ALL, "text/csv").splitlines()[1]


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


def http_status_and_text(url: str, headers: dict | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers.get_content_type(), reply.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode("utf-8")


def copy_of_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def previous_build(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "cpsu.ttl").write_text("previous build\n")
    return out


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


OUTPUTS = ("cpsu.ttl", "cpsu.nt", "cpsu-full.nt", "cpsu.jsonld", "cpsu-inferred.ttl", "cpsu.trig", "void.ttl",
           "validation.txt")


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing should wait here, asked to sleep {seconds} s")


def build_after_edit(tmp_path: Path, name: str, old: str, new: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """`cpsu-kg build` of a copy of the register with one replacement in one file, over a previous build; the
    finished command, the edited file and the output folder."""
    data = copy_of_data(tmp_path)
    edited = data / name
    text = edited.read_text()
    assert old in text, old
    edited.write_text(text.replace(old, new))
    out = previous_build(tmp_path)
    return run_cli("build", "--data", str(data), "--out", str(out)), edited, out
