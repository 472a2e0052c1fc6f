"""/sparql over the real graph: every result format, content negotiation, errors, the service
description and the editor. Expected answers come from the store itself, not from constants.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from helsegraf.namespaces import DCTERMS, GRAPH
from helsegraf.store import Store
from tests.api.conftest import app_client

HELSE_BERGEN = "https://w3id.org/helsegraf/id/organisation/helse-bergen-hf"
NIR = "https://w3id.org/helsegraf/id/dataset/nir"
SELECT = "SELECT ?s ?title WHERE { ?s a dcat:Dataset ; dct:title ?title } ORDER BY ?s ?title"
CONSTRUCT = "CONSTRUCT { ?s dct:title ?t } WHERE { ?s a dcat:Dataset ; dct:title ?t }"


def _expected_rows(store: Store) -> list[tuple[str, str]]:
    result = store.select(SELECT)
    return [(str(r["s"]), str(r["title"])) for r in result.rows]


def _rows_from(media: str, body: bytes) -> list[tuple[str, str]]:
    """Rows of (s, title) from any SPARQL results format, read by pyoxigraph's own parser."""
    fmt = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[media]
    parsed = ox.parse_query_results(body, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    return [(s["s"].value, s["title"].value) for s in parsed]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "media",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/tab-separated-values",
    ],
)
def test_select_in_each_results_format(client: TestClient, store: Store, media: str) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": media})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert _rows_from(media, response.content) == _expected_rows(store)


def test_select_as_csv(client: TestClient, store: Store) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["s", "title"]
    assert [tuple(r) for r in rows[1:]] == _expected_rows(store)


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_rdf_format(
    client: TestClient, store: Store, media: str, rdflib_format: str
) -> None:
    response = client.post(
        "/sparql",
        content=CONSTRUCT,
        headers={"Content-Type": "application/sparql-query", "Accept": media},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=rdflib_format)
    expected = store.construct(CONSTRUCT)
    assert len(graph) == len(expected) > 80
    assert set(graph) == set(expected)


def test_ask_in_json_and_xml(client: TestClient) -> None:
    query = f"ASK {{ ?s dpv:hasDataController <{HELSE_BERGEN}> }}"
    as_json = client.post("/sparql", data={"query": query})
    assert as_json.json() == {"head": {}, "boolean": True}
    as_xml = client.get("/sparql", params={"query": query, "format": "xml"})
    assert "<boolean>true</boolean>" in as_xml.text


def test_describe_gives_the_resource(client: TestClient) -> None:
    iri = NIR
    response = client.get(
        "/sparql", params={"query": f"DESCRIBE <{iri}>"}, headers={"Accept": "text/turtle"}
    )
    graph = Graph().parse(data=response.text, format="turtle")
    assert graph.value(URIRef(iri), DCTERMS.title) is not None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("  text/tab-separated-values ;  q=0.9 ,text/csv;q=0.8", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ("application/json", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
    ],
)
def test_accept_negotiation(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "accept" in response.headers["vary"].lower()


def test_no_acceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "SELECT" in response.text
    graph_as_table = client.get(
        "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}
    )
    assert graph_as_table.status_code == 406


def test_format_override_wins_over_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}", "format": "json"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize("header", ["text/", "a/b;q=2", "*/html", "x" * 5000])
def test_unreadable_accept_is_400(client: TestClient, header: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": header})
    assert response.status_code == 400


def test_unknown_format_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "format": "yaml"})
    assert response.status_code == 400
    assert "yaml" in response.text


def test_malformed_query_gives_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "error at 1:" in response.text


def test_protocol_dataset_selects_named_graphs(client: TestClient, store: Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = str(GRAPH.ontology)
    response = client.get(
        "/sparql", params={"query": count, "default-graph-uri": ontology, "format": "json"}
    )
    got = int(response.json()["results"]["bindings"][0]["n"]["value"])
    expected = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}"
    )
    assert got == int(expected.rows[0]["n"])
    union = client.get("/sparql", params={"query": count, "format": "json"}).json()
    assert int(union["results"]["bindings"][0]["n"]["value"]) > got


def test_service_description_counts_the_graphs(client: TestClient, store: Store) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    void = "http://rdfs.org/ns/void#"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {
        str(graph.value(n, URIRef(sd + "name"))): int(
            graph.value(graph.value(n, URIRef(sd + "graph")), URIRef(void + "triples"))  # type: ignore[arg-type]
        )
        for n in graph.objects(None, URIRef(sd + "namedGraph"))
    }
    expected = {
        str(row["g"]): int(row["n"])
        for row in store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ).rows
    }
    assert names == expected
    formats = set(graph.objects(None, URIRef(sd + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats


def test_service_description_in_json_ld(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert json.loads(response.text)


def test_a_browser_gets_the_editor_with_examples(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="query"' in response.text
    assert "curation-decisions" in response.text or "count-by-kind" in response.text


def test_cors_allows_reads_from_any_origin(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_results_keep_languages_and_datatypes(client: TestClient) -> None:
    query = (
        f"SELECT ?t ?y WHERE {{ <{NIR}> dct:title ?t . FILTER(lang(?t) = 'nb') "
        "BIND(STRDT('2001', xsd:gYear) AS ?y) }"
    )
    bindings = client.get("/sparql", params={"query": query, "format": "json"}).json()
    row = bindings["results"]["bindings"][0]
    assert row["t"]["xml:lang"] == "nb"
    assert row["y"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"


def test_union_default_graph_sees_every_dataset(client: TestClient, store: Store) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a dcat:Dataset }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    got = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert got == len(set(store.select("SELECT ?s WHERE { ?s a dcat:Dataset }").column("s")))


def test_result_size_limit(store: Store) -> None:
    with app_client(store, max_results=5) as small:
        over = small.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a dcat:Dataset }"})
        assert over.status_code == 422
        assert "more than 5 rows" in over.text
        under = small.get(
            "/sparql", params={"query": "SELECT ?s WHERE { ?s a dcat:Dataset } LIMIT 5"}
        )
        assert under.status_code == 200
        assert len(under.json()["results"]["bindings"]) == 5
        triples = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a dcat:Dataset }"})
        assert triples.status_code == 422
