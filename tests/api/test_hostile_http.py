"""Hostile requests to every route get a clear 4xx, never a 500, and reach nothing they should not.

The routes and inputs are enumerated, not sampled: every read route of the api with every kind
of broken parameter (non-UTF-8 escapes, overlong UTF-8, NUL, control characters, a huge value),
absurd ``Accept`` headers, path traversal, writes by every HTTP method, brackets nested past
what the engine's parser survives, and ``FROM``/``FROM NAMED``/``default-graph-uri`` naming a
listener that must never be contacted. ``tests/test_fuzz_api.py`` adds generated inputs.
"""

from __future__ import annotations

import http.client
import socket
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from helsegraf import guard
from tests.listener import Listener

#: Every route a reader can reach, with a valid request (so only the hostile part varies).
READ_ROUTES = (
    "/",
    "/families",
    "/sparql",
    "/queries",
    "/queries/consent-free-by-organisation",
    "/id/dataset/nir",
    "/id/organisation/helse-bergen-hf",
    "/catalog",
    "/catalog/quality",
    "/ontology",
    "/shapes",
    "/docs",
    "/openapi.json",
    "/health",
    "/ready",
)
#: Parameters some route reads; sent to every route.
PARAMETERS = (
    "query",
    "format",
    "q",
    "lang",
    "page",
    "page_size",
    "profile",
    "organisation",
    "kind",
)
#: Broken values, percent-encoded as they would arrive.
BAD_VALUES = {
    "non-UTF-8": "%ff%fe%fd",
    "overlong UTF-8": "%C0%AF",
    "NUL": "%00",
    "control characters": "%01%1b%7f",
    "lone surrogate": "%ED%A0%80",
    "huge": "x" * 50_000,
}


@pytest.mark.parametrize("route", READ_ROUTES)
@pytest.mark.parametrize("value", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_broken_parameters_never_give_a_server_error(
    client: TestClient, route: str, value: str
) -> None:
    for name in PARAMETERS:
        response = client.get(f"{route}?{name}={value}")
        assert response.status_code < 500, (route, name, response.status_code, response.text[:200])


ABSURD_ACCEPTS = {
    "huge": "text/html;q=0.5," * 4000,
    "garbage": "*/*;q=abc",
    "q over one": "text/turtle;q=2",
    "no slash": "turtle",
    "empty parameters": ";;;,,,;",
    "nothing matches": "image/png",
}


@pytest.mark.parametrize("route", READ_ROUTES)
@pytest.mark.parametrize("accept", list(ABSURD_ACCEPTS.values()), ids=list(ABSURD_ACCEPTS))
def test_absurd_accept_headers_get_a_4xx_or_a_default(
    client: TestClient, route: str, accept: str
) -> None:
    response = client.get(route, headers={"Accept": accept})
    assert response.status_code < 500, (route, response.status_code, response.text[:200])


FORMAT_ROUTES = ("/sparql", "/id/dataset/nir", "/catalog", "/queries", "/ontology")


@pytest.mark.parametrize("route", FORMAT_ROUTES)
def test_unknown_format_values_are_a_clear_400(client: TestClient, route: str) -> None:
    response = client.get(route, params={"format": "docx", "query": "ASK {}"})
    assert response.status_code == 400
    assert "format" in response.text.lower()


TRAVERSALS = (
    "/queries/..%2f..%2fpyproject.toml",
    "/queries/../../pyproject.toml",
    "/queries/%2e%2e",
    "/queries/consent-free-by-organisation%00.rq",
    "/queries/..%5c..%5cpyproject.toml",
    "/id/..%2f..%2fetc%2fpasswd",
    "/id/dataset/%2e%2e/%2e%2e/etc/passwd",
    "/id/%00",
    "/static/..%2f..%2fhelsegraf%2fsettings.py",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_reads_no_file(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    for secret in ("[project]", "root:", "BaseSettings", "SELECT"):
        assert secret not in response.text, (path, secret)


def test_traversal_sent_raw_over_a_socket_reads_no_file(live_server: str) -> None:
    """A client that does not normalise ``..`` (curl --path-as-is) gets no file either."""
    url = urlsplit(live_server)
    for path in ("/static/../../pyproject.toml", "/queries/../x.toml", "/id/../../etc/passwd"):
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
        assert response.status in (400, 404), (path, response.status)
        assert "[project]" not in body
        assert "root:" not in body


def test_non_latin1_and_oversized_headers_over_a_socket(live_server: str) -> None:
    """Raw bytes no client library would send: the server answers 4xx or closes, never 500."""
    url = urlsplit(live_server)
    requests = [
        b"GET /catalog HTTP/1.1\r\nHost: x\r\nAccept: \xff\xfe\xc0\xaf\r\n\r\n",
        b"GET /sparql?query=%ff HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: " + b"nb;q=0.5," * 20_000 + b"\r\n\r\n",
        b"GET /id/dataset/nir HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    ]
    for raw in requests:
        with socket.create_connection((url.hostname or "", url.port or 80), timeout=30) as sock:
            sock.sendall(raw)
            reply = sock.recv(4096)
        if reply:  # a server may also just close an over-long request
            status = int(reply.split(b" ", 2)[1])
            assert status < 500, (raw[:60], reply[:200])


# -- writes and administration -------------------------------------------------------------------


def test_no_route_writes_and_no_admin_route_exists(client: TestClient) -> None:
    """Only GET/HEAD, and POST to /sparql (for queries), are routed; nothing loads or reloads."""
    from fastapi.routing import APIRoute

    app = client.app
    for route in app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute):
            continue
        methods = set(route.methods or ())
        writes = methods - {"GET", "HEAD"}
        if route.path == "/sparql":
            assert writes == {"POST"}
        else:
            assert not writes, (route.path, methods)
        for word in ("load", "reload", "admin", "update", "upload", "publish"):
            assert word not in route.path.lower(), route.path


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "POST"])
@pytest.mark.parametrize("route", [r for r in READ_ROUTES if r != "/sparql"])
def test_write_methods_are_not_allowed(client: TestClient, method: str, route: str) -> None:
    response = client.request(method, route, content=b"<a> <b> <c> .")
    assert response.status_code == 405, (method, route, response.status_code)


def test_graph_store_protocol_writes_are_not_allowed_on_sparql(client: TestClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(
            method, "/sparql", params={"graph": "https://w3id.org/helsegraf/graph/curation"}
        )
        assert response.status_code == 405


# -- queries the engine must not see -------------------------------------------------------------


def nested(depth: int) -> str:
    return "SELECT * WHERE { FILTER(" + "(" * depth + "true" + ")" * depth + ") }"


def test_brackets_nested_past_the_limit_are_refused_before_the_engine(client: TestClient) -> None:
    """pyoxigraph's parser dies (SIGSEGV) a few thousand levels down: refuse, don't crash."""
    for depth in (guard.MAX_NESTING + 1, 5_000, 20_000):
        for send in (
            # a URL holds about 20,000 levels once percent-encoded; the body takes any depth
            lambda q: client.get("/sparql", params={"query": q[:20_000]}),
            lambda q: client.post("/sparql", data={"query": q}),
            lambda q: client.post(
                "/sparql", content=q, headers={"Content-Type": "application/sparql-query"}
            ),
        ):
            response = send(nested(depth))
            assert response.status_code == 400, (depth, response.text[:200])
            assert "nest" in response.text
    # within the limit the query runs
    ok = client.get("/sparql", params={"query": nested(guard.MAX_NESTING - 10)})
    assert ok.status_code == 200
    assert client.get("/ready").status_code == 200


def test_brackets_in_strings_and_iris_do_not_count(client: TestClient) -> None:
    text = "(" * (guard.MAX_NESTING + 50)
    query = f'SELECT * WHERE {{ BIND("{text}" AS ?x) }}'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_from_and_dataset_parameters_are_never_dereferenced(
    client: TestClient, listener: Listener
) -> None:
    """A graph IRI in FROM, FROM NAMED or the protocol's dataset parameters names a graph of
    the store; it is never fetched (an unknown graph is just empty)."""
    target = f"http://127.0.0.1:{listener.port}/graph.ttl"
    queries = [
        ("GET", {"query": f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}"}),
        ("GET", {"query": f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        ("GET", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": target}),
        ("GET", {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": target}),
        ("POST", {"query": f"ASK FROM <{target}> {{ ?s ?p ?o }}"}),
    ]
    for method, params in queries:
        if method == "GET":
            response = client.get("/sparql", params=params)
        else:
            response = client.post("/sparql", data=params)
        assert response.status_code == 200, (params, response.text[:200])
    assert listener.connections == 0


def test_request_text_shown_in_pages_is_escaped(client: TestClient) -> None:
    script = "<script>alert(1)</script>"
    for path, params in (
        ("/", {"q": script}),
        ("/queries/consent-free-by-organisation", {"organisation": script}),
        ("/id/dataset/" + quote("<script>"), {}),
        ("/catalog", {"profile": script}),
    ):
        response = client.get(path, params=params, headers={"Accept": "text/html"})
        if response.headers["content-type"].startswith("text/html"):
            assert "<script>alert" not in response.text, path
        else:  # an error in plain text is shown as text, and the browser may not sniff it
            assert response.headers["content-type"].startswith("text/plain"), path
            assert response.headers["x-content-type-options"] == "nosniff"
