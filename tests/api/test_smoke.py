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
