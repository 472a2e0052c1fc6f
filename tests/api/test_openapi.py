"""The OpenAPI description lists every route and every media type each one can answer in."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from helsegraf import formats


def _content_types(spec: dict[str, Any], path: str, method: str) -> set[str]:
    responses = spec["paths"][path][method]["responses"]
    return set(responses["200"].get("content", {}))


def test_openapi_lists_the_sparql_media_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method in ("get", "post"):
        offered = _content_types(spec, "/sparql", method)
        assert set(formats.RESULT_TYPES) <= offered
        assert set(formats.GRAPH_TYPES) <= offered
    body = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} <= set(body)
    assert formats.HTML in _content_types(spec, "/queries/{name}", "get")


def test_openapi_documents_the_error_statuses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    statuses = set(spec["paths"]["/sparql"]["get"]["responses"])
    assert {"400", "403", "406", "413", "422", "503"} <= statuses


def test_docs_page_is_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200


def test_docs_load_nothing_from_another_host(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn." not in page
    assert "https://" not in page.replace("https://w3id.org", "")
    assert client.get("/redoc").status_code == 404


def test_every_read_route_lists_its_media_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        offered = _content_types(spec, path, "get")
        assert offered, f"GET {path} lists no media type"
    for path in ("/id/{path}", "/ontology", "/shapes"):
        offered = _content_types(spec, path, "get")
        assert {formats.TURTLE, formats.JSONLD, formats.RDFXML, formats.NTRIPLES} <= offered
        assert formats.HTML in offered
    assert {"text/html", "application/json"} <= _content_types(spec, "/", "get")
