"""End to end in a real browser: the SPARQL editor, and browsing from the home page to a query.

Debian's Chromium, driven by Playwright, against ``helsegraf serve`` over the real graph
(fixtures in ``conftest.py`` here and in ``tests/``). Every page is watched: no request may go
to another host, and no console error, uncaught exception or CSP violation may happen, unless
the test expects it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from helsegraf.namespaces import ID_BASE, PREFIXES
from helsegraf.queries import load_registry

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    from tests.browser.conftest import Watch

pytestmark = pytest.mark.browser

#: The editor's examples: the named queries that need no parameter.
EXAMPLES = [q for q in load_registry() if not any(p.required for p in q.parameters)]


def editor_text(page: Page) -> str:
    """What the CodeMirror editor holds."""
    text: str = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    return text


def type_query(page: Page, query: str) -> None:
    """Replace the editor's text by ``query`` from the keyboard, and run it with Ctrl+Enter."""
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(query)
    page.keyboard.press("Control+Enter")


def table_rows(page: Page) -> list[list[str]]:
    """The text of each cell of #results, row by row (waits for the first row)."""
    page.locator("#results tbody tr").first.wait_for()
    rows: list[list[str]] = page.eval_on_selector_all(
        "#results tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    return rows


def table_head(page: Page) -> list[str]:
    return page.locator("#results thead th").all_text_contents()


@pytest.mark.usefixtures("vendored")
def test_the_editor_highlights_the_query_and_offers_examples_and_prefixes(watch: Watch) -> None:
    from playwright.sync_api import expect

    page = watch.page
    page.goto(watch.url("/sparql"))
    # CodeMirror replaced the textarea, and colours the SPARQL keywords
    expect(page.locator(".CodeMirror")).to_be_visible()
    expect(page.locator("textarea#query")).to_be_hidden()
    expect(page.locator(".CodeMirror .cm-keyword", has_text="SELECT")).to_have_count(1)
    assert "SELECT ?source ?title" in editor_text(page)
    # Norwegian by default (the context's locale is nb-NO)
    expect(page.locator("#run")).to_have_text("Kjør")
    expect(page.locator("#keys")).to_be_visible()
    # the editor is no keyboard trap: Esc hands the focus to the Run button
    page.locator(".CodeMirror").click()
    page.keyboard.press("Escape")
    expect(page.locator("#run")).to_be_focused()
    # the examples are the named queries without required parameters; "Show" is for no-JS
    options = page.locator("#example option").all_text_contents()
    assert options[1:] == [q.title for q in EXAMPLES]
    expect(page.locator("#load-example")).to_be_hidden()
    # the prefixes the endpoint declares, listed for the reader
    prefix_list = page.locator("#prefix-list").text_content() or ""
    for prefix, namespace in PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>" in prefix_list
    # all of it from this server: the page, its CSS and scripts, CodeMirror included
    paths = {urlsplit(url).path for url in watch.requests}
    assert "/static/vendor/codemirror/lib/codemirror.js" in paths
    assert "/static/editor.js" in paths
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_an_example_runs_and_its_answer_is_a_table(watch: Watch, live_server: str) -> None:
    from playwright.sync_api import expect

    page = watch.page
    page.goto(watch.url("/sparql?lang=en"))
    page.select_option("#example", "count-by-kind")
    example = next(q for q in EXAMPLES if q.name == "count-by-kind")
    assert editor_text(page) == example.text
    assert parse_qs(urlsplit(page.url).query)["example"] == ["count-by-kind"]

    page.click("#run")
    rows = table_rows(page)
    assert table_head(page) == ["?kind", "?kindLabel", "?kindLabelNb", "?sources"]
    assert len(rows) == 5
    expect(page.locator("#status")).to_have_text(re.compile(r"^5 rows · [\d.,]+ m?s$"))
    expect(page.locator("#status")).to_have_attribute("role", "status")
    # kinds are ontology terms: shown as prefixed names, linked to this server's ontology page
    kinds = page.locator("#results tbody tr td:first-child a")
    expect(kinds).to_have_count(5)
    assert all(href.startswith("/ontology#") for href in _hrefs(page, "#results tbody a"))
    assert rows[0][0] == "hg:MedicalQualityRegister"
    # the counts add up to the sources the listing names, as the endpoint itself says
    listed = _select_one(
        live_server, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d hg:listingPosition ?p }"
    )
    assert sum(int(row[3]) for row in rows) == int(listed)
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_a_typed_query_runs_with_ctrl_enter_and_links_stay_local(watch: Watch) -> None:
    page = watch.page
    page.goto(watch.url("/sparql?lang=en"))
    type_query(
        page,
        "SELECT ?source ?title WHERE {\n"
        "  ?source a hg:MedicalQualityRegister ; dct:title ?title .\n"
        '  FILTER(lang(?title) = "nb")\n'
        "} ORDER BY ?title LIMIT 3",
    )
    rows = table_rows(page)
    assert len(rows) == 3
    hrefs = _hrefs(page, "#results tbody a")
    assert len(hrefs) == 3
    # helsegraf's own IRIs link to this server's pages, not to w3id.org
    assert all(re.fullmatch(r"/id/dataset/[\w-]+", href) for href in hrefs)
    # ... while the text is the IRI itself
    assert [row[0] for row in rows] == [ID_BASE + href.removeprefix("/id/") for href in hrefs]
    # the language tag is the cell's lang, for screen readers
    assert page.locator('#results tbody span.literal[lang="nb"]').count() == 3
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_values_from_the_graph_are_text_never_markup(watch: Watch) -> None:
    from playwright.sync_api import expect

    page = watch.page
    page.goto(watch.url("/sparql?lang=en"))
    markup = '<img src="/x" class="injected">'
    type_query(
        page,
        "SELECT ?html ?script WHERE { VALUES (?html ?script) "
        f"{{ ('{markup}' <javascript:alert(1)>) }} }}",
    )
    rows = table_rows(page)
    assert rows == [[markup, "javascript:alert(1)"]]
    expect(page.locator("#results img")).to_have_count(0)
    # an IRI that is not http(s) is shown, not linked
    expect(page.locator("#results a")).to_have_count(0)
    assert not any(urlsplit(url).path == "/x" for url in watch.requests)
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_ask_is_yes_or_no_and_construct_is_turtle_text(watch: Watch) -> None:
    from playwright.sync_api import expect

    page = watch.page
    page.goto(watch.url("/sparql?lang=en"))
    type_query(page, "ASK { ?source a dcat:Dataset }")
    expect(page.locator("#answer")).to_have_text("yes")
    expect(page.locator("#status")).to_have_text(re.compile(r"^Answer: yes · "))
    expect(page.locator("#results tr")).to_have_count(0)

    type_query(page, "ASK { ?source a hg:NoSuchClass }")
    expect(page.locator("#answer")).to_have_text("no")

    type_query(
        page,
        "CONSTRUCT { ?source a dcat:Dataset } WHERE { ?source a hg:CentralHealthRegister } LIMIT 2",
    )
    graph = page.locator("pre#graph")
    expect(graph).to_be_visible()
    expect(graph).to_contain_text("dcat:Dataset")
    expect(page.locator("#answer")).to_be_hidden()
    expect(page.locator("#status")).to_have_text(re.compile(r"^Turtle, [\d.,]+ k?B · "))
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_the_servers_error_is_shown_as_an_alert(watch: Watch) -> None:
    from playwright.sync_api import expect

    page = watch.page
    # Chromium logs every 4xx answer to a fetch on the console; these two are the point here.
    watch.expect_error(r"status of 40[03] .*/sparql\)$")
    page.goto(watch.url("/sparql?lang=en"))
    status = page.locator("#status")

    type_query(page, "SELEC ?s WHERE { ?s ?p ?o }")
    expect(status).to_have_attribute("role", "alert")
    expect(status).to_have_text(re.compile(r"^Error 400: \S"))
    expect(page.locator("#results tr")).to_have_count(0)

    type_query(page, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    expect(status).to_have_text(re.compile(r"^Error 403: .*read-only"))

    # a good query afterwards is a plain status again
    type_query(page, "SELECT ?s WHERE { ?s a dcat:Dataset } LIMIT 1")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text(re.compile(r"^1 row · "))
    watch.assert_clean()


def test_without_the_vendored_files_the_textarea_still_runs_queries(watch: Watch) -> None:
    from playwright.sync_api import expect

    page = watch.page
    # a server whose front end was never built (a bare pip install) answers 404 for them
    page.route("**/static/vendor/**", lambda route: route.fulfill(status=404, body="not found"))
    watch.expect_error(r"status of 404 .*/static/vendor/")
    page.goto(watch.url("/sparql?lang=en"))
    textarea = page.locator("textarea#query")
    expect(textarea).to_be_visible()
    expect(page.locator(".CodeMirror")).to_have_count(0)
    textarea.fill("SELECT (COUNT(*) AS ?n) WHERE { ?s a dcat:Dataset }")
    textarea.press("Control+Enter")
    rows = table_rows(page)
    assert len(rows) == 1
    assert int(rows[0][0]) > 0
    # and the example list fills the textarea
    page.select_option("#example", "count-by-kind")
    expect(textarea).to_have_value(next(q.text for q in EXAMPLES if q.name == "count-by-kind"))
    page.click("#run")
    expect(page.locator("#results tbody tr")).to_have_count(5)
    watch.assert_clean()


def test_without_javascript_the_form_still_works(open_page: Callable[..., Watch]) -> None:
    from playwright.sync_api import expect

    watch = open_page(java_script_enabled=False)
    page = watch.page
    page.goto(watch.url("/sparql?lang=en"))
    # choosing an example asks the server for the page with it
    page.select_option("#example", "count-by-kind")
    page.click("#load-example")
    page.wait_for_url(re.compile(r"example=count-by-kind"))
    example = next(q for q in EXAMPLES if q.name == "count-by-kind")
    expect(page.locator("textarea#query")).to_have_value(example.text)
    # the query form submits to /sparql, which answers with SPARQL JSON
    page.locator("textarea#query").fill("SELECT (COUNT(*) AS ?n) WHERE { ?s a dcat:Dataset }")
    expect(page.locator("select#format")).to_have_value("json")
    with page.expect_navigation() as navigation:
        page.click("#run")
    response = navigation.value
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    answer = json.loads(response.text())
    assert int(answer["results"]["bindings"][0]["n"]["value"]) > 0
    watch.assert_clean()


@pytest.mark.usefixtures("vendored")
def test_browse_filter_open_a_source_and_query_it(watch: Watch, live_server: str) -> None:
    """The home page → a consent facet → a source → the editor, asking about that source."""
    page = watch.page
    page.goto(watch.url("/"))
    count = page.locator("#result-count")
    everything = _number(count.text_content())
    facet = page.locator('a.facet-value[data-facet="consent"]').first
    with page.expect_navigation():
        facet.click()
    assert "consent=" in urlsplit(page.url).query
    filtered = _number(count.text_content())
    assert 0 < filtered < everything
    sources = page.locator("ul#sources a.source")
    assert 1 <= sources.count() <= filtered

    source = sources.first
    name = (source.text_content() or "").strip()
    with page.expect_navigation() as navigation:
        source.click()
    assert navigation.value is not None
    assert navigation.value.status == 200
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/id/dataset/[\w-]+", path)
    heading = (page.locator("h1").first.text_content() or "").strip()
    assert heading
    assert heading in name or name in heading

    page.goto(watch.url("/sparql?lang=en"))
    iri = ID_BASE + path.removeprefix("/id/")
    type_query(
        page,
        f"SELECT ?title ?regime WHERE {{ <{iri}> dct:title ?title ; hg:consentRegime ?regime }}",
    )
    rows = table_rows(page)
    titles = page.locator("#results tbody td:first-child .literal").all_text_contents()
    assert any(heading in title or title in heading for title in titles)
    # the source came through a consent facet, so its consent regime is stated
    assert all(row[1].startswith("hg:") for row in rows)
    watch.assert_clean()


# -- helpers ----------------------------------------------------------------------------------


def _hrefs(page: Page, selector: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        selector, "links => links.map(a => a.getAttribute('href'))"
    )
    return hrefs


def _number(text: str | None) -> int:
    """The first whole number in ``text`` (``"31 kilder"`` → 31; spaces may group digits)."""
    match = re.search(r"\d[\d\s\u00a0]*", text or "")
    assert match, f"no number in {text!r}"
    return int(re.sub(r"\D", "", match.group()))


def _select_one(base_url: str, query: str) -> str:
    """The one value of a one-row, one-column SELECT, asked of the endpoint directly."""
    response = httpx.post(
        base_url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    bindings = response.json()["results"]["bindings"]
    assert len(bindings) == 1
    value: str = next(iter(bindings[0].values()))["value"]
    return value
