"""The server's HTTP protocol (``helsegraf serve``): httptools, with a bound on request heads.

Raw sockets against a real server, since no client library sends heads this large.
"""

from __future__ import annotations

import socket
from urllib.parse import quote, urlsplit

import httpx

from helsegraf.api.protocol import MAX_HEAD_BYTES


def _exchange(live_server: str, raw: bytes) -> bytes:
    url = urlsplit(live_server)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=30) as sock:
        sock.sendall(raw)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
            if b"\r\n\r\n" in reply:
                break
    return reply


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def test_a_head_over_the_limit_gets_431_and_the_connection_closes(live_server: str) -> None:
    for header in (b"X-Big: " + b"a" * MAX_HEAD_BYTES, b"Accept: text/csv," * 5000):
        raw = b"GET /health HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n"
        reply = _exchange(live_server, raw)
        assert _status(reply) == 431, reply[:200]
        assert b"connection: close" in reply.lower()
    # a head sent in many small pieces is counted as a whole
    url = urlsplit(live_server)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=30) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        refused = b""
        for _ in range(MAX_HEAD_BYTES // 1000 + 2):
            try:
                sock.sendall(b"X-Piece: " + b"b" * 990 + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        refused = sock.recv(4096)
    assert refused.startswith(b"HTTP/1.1 431"), refused[:200]


def test_a_long_get_query_within_the_limit_is_answered(live_server: str) -> None:
    padding = "#" + "p" * 40_000 + "\n"
    query = padding + "ASK { ?s ?p ?o }"
    head = f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n"
    assert 40_000 < len(head) < MAX_HEAD_BYTES
    assert _status(_exchange(live_server, head.encode())) == 200


def _direct_post(live_server: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{live_server}/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        timeout=30,
    )


def test_a_large_body_is_not_taken_for_a_large_head(live_server: str) -> None:
    # The first read holds the head and the start of the body: it must not count as head.
    over = _direct_post(live_server, "#" + "q" * 500_000 + "\nASK { ?s ?p ?o }")
    assert over.status_code == 413  # over the 100,000-character query limit, not 431
    within = _direct_post(live_server, "#" + "q" * 90_000 + "\nASK { ?s ?p ?o }")
    assert within.status_code == 200, within.text


def test_keep_alive_requests_each_get_their_own_budget(live_server: str) -> None:
    # Forty requests of 10 KB heads on one connection: 400 KB in all, each under the limit.
    with httpx.Client(base_url=live_server, timeout=30) as client:
        for _ in range(40):
            response = client.get("/health", headers={"X-Filler": "f" * 10_000})
            assert response.status_code == 200
