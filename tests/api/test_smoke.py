"""The app starts over the real graph and answers on every kind of route."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_ready_once_the_graph_is_loaded(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_a_real_server_answers_over_a_socket(live_server: str) -> None:
    import httpx

    response = httpx.get(
        f"{live_server}/sparql",
        params={"query": "ASK { ?s a dcat:Dataset }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": "ASK {}"})
    head = client.head("/sparql", params={"query": "ASK {}"})
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/sparql", "/queries", "/health", "/nowhere"):
        headers = client.get(path, headers={"Accept": "text/html"}).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
