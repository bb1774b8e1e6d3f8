"""The query page and an entity page in a real browser (Debian's chromium, driven by playwright), headless.

Run with `pytest -m browser` (the default run leaves them out, since they need chromium, which pip cannot
install); `.ci/run` installs chromium and runs them.
"""

from __future__ import annotations

import shutil
import socket

import pytest

from kg.build import build
from kg.paths import DATA_DIR
from kg.serve import start_server

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dist = tmp_path_factory.mktemp("browser") / "dist"
    assert build(DATA_DIR, dist).succeeded
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with start_server(dist, "127.0.0.1", port) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "the browser tests need Debian's chromium: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def test_the_query_page_opens_on_a_question_runs_it_and_offers_the_stored_queries(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url)
    page.wait_for_selector(".CodeMirror", timeout=20_000)
    assert page.title() == "cpsu-kg: SPARQL"
    assert editor_text(page).startswith("PREFIX cpsu: <https://w3id.org/cpsu-kg/ontology#>")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=20_000)
    rows = page.inner_text(".yasr table.dataTable tbody")
    assert "Nikita Khrushchev" in rows and "de facto" in rows and "nobody formally held the top office" in rows
    page.click("nav a[data-query]:text-is('members-on')")
    assert "?_body_xsd_string" not in editor_text(page) and '"politburo"' in editor_text(page)
    page.close()


def test_an_entity_iri_opens_as_a_page_in_a_browser(server, browser):
    page = browser.new_page()
    page.goto(f"{server.url}id/person/joseph-stalin")
    assert page.inner_text("h1") == "Joseph Stalin"
    assert page.is_visible("svg")  # his spells, drawn small
    page.click("td a:text-is('Joseph Stalin, General Secretary (1922–1952)')")
    assert page.url.endswith("/id/tenure/general-secretary-1.html")
    assert page.inner_text("h1") == "Joseph Stalin, General Secretary (1922–1952)"
    page.close()
