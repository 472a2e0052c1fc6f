"""The named-query library over HTTP: listing, typed parameters, result formats, errors."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from helsegraf.queries import load_registry
from helsegraf.store import SelectResult, Store

HELSE_BERGEN = "https://w3id.org/helsegraf/id/organisation/helse-bergen-hf"
CONSENT_FREE = "consent-free-by-organisation"


def _datasets(result: SelectResult) -> set[str]:
    return {str(v) for v in result.column("dataset")}


def test_list_has_every_query_with_its_parameters(client: TestClient) -> None:
    registry = load_registry()
    listed = client.get("/queries", headers={"Accept": "application/json"}).json()
    assert [q["name"] for q in listed] == registry.names()
    by_name = {q["name"]: q for q in listed}
    for query in registry:
        entry = by_name[query.name]
        assert entry["text"] == query.text
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in query.parameters]
        assert entry["url"].endswith(f"/queries/{query.name}")


def test_list_as_html_for_a_browser(client: TestClient) -> None:
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    for name in load_registry().names():
        assert f'href="/queries/{name}"' in page.text


def test_consent_free_sources_run_by_helse_bergen(client: TestClient, store: Store) -> None:
    """The question the product exists for, over HTTP, checked against the store directly."""
    expected = load_registry().run(store, CONSENT_FREE, {"organisation": HELSE_BERGEN})
    assert isinstance(expected, SelectResult)
    response = client.get(
        f"/queries/{CONSENT_FREE}",
        params={"organisation": "helse-bergen-hf"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    got = {b["dataset"]["value"] for b in response.json()["results"]["bindings"]}
    assert got == _datasets(expected)
    assert "https://w3id.org/helsegraf/id/dataset/nir" in got  # opt-out, controller


def test_typed_parameters_change_the_answer(client: TestClient, store: Store) -> None:
    params = {"organisation": HELSE_BERGEN, "opt_out": "false", "format": "csv"}
    response = client.get(f"/queries/{CONSENT_FREE}", params=params)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = load_registry().run(
        store, CONSENT_FREE, {"organisation": HELSE_BERGEN, "opt_out": "false"}
    )
    assert isinstance(expected, SelectResult)
    assert {r["dataset"] for r in rows} == _datasets(expected)
    everything = client.get(
        f"/queries/{CONSENT_FREE}", params={"organisation": HELSE_BERGEN, "format": "csv"}
    )
    assert len(rows) < len(list(csv.DictReader(io.StringIO(everything.text))))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs organisation"),
        ({"organisation": "not an iri"}, "expected an absolute IRI"),
        ({"organisation": HELSE_BERGEN, "opt_out": "maybe"}, "expected true or false"),
        ({"organisation": HELSE_BERGEN, "role": "owner"}, "expected one of"),
        ({"organisation": HELSE_BERGEN, "nonsense": "1"}, "no parameter"),
        ({"organisation": "http://x/> } ; DROP ALL #"}, "DROP ALL"),
    ],
)
def test_bad_parameters_are_400(client: TestClient, params: dict[str, str], message: str) -> None:
    response = client.get(
        f"/queries/{CONSENT_FREE}", params=params, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/queries/no-such-query",
        "/queries/..%2F..%2Fetc%2Fpasswd",
        "/queries/UPPER",
        "/queries/a.rq",
    ],
)
def test_unknown_names_are_404(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "application/json"}).status_code == 404


def test_ask_and_construct_queries_over_http(client: TestClient) -> None:
    registry = load_registry()
    ask = next(q for q in registry if str(q.form) == "ASK")
    construct = next(q for q in registry if str(q.form) == "CONSTRUCT")
    params = {p.name: p.example or "" for p in ask.parameters if p.required}
    answer = client.get(f"/queries/{ask.name}", params={**params, "format": "json"})
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json()["boolean"], bool)
    params = {p.name: p.example or "" for p in construct.parameters if p.required}
    graph = client.get(
        f"/queries/{construct.name}", params=params, headers={"Accept": "text/turtle"}
    )
    assert graph.status_code == 200, graph.text
    assert graph.headers["content-type"].startswith("text/turtle")


def test_html_page_shows_the_results_table(client: TestClient, store: Store) -> None:
    page = client.get(
        f"/queries/{CONSENT_FREE}",
        params={"organisation": "helse-bergen-hf"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200
    assert 'id="results"' in page.text
    for title in store.select(
        "SELECT ?t WHERE { ?d dct:title ?t FILTER(lang(?t) = 'nb') }",
        {"d": URIRef("https://w3id.org/helsegraf/id/dataset/nir")},
    ).column("t"):
        assert str(title) in page.text


def test_html_page_explains_a_bad_parameter(client: TestClient) -> None:
    page = client.get(
        f"/queries/{CONSENT_FREE}",
        params={"organisation": "<script>alert(1)</script>"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
