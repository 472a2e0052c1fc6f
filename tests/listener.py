"""A loopback listener for the tests that prove nothing is contacted (SERVICE, FROM, DTDs,
remote JSON-LD contexts): any connection to it is recorded."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


class Listener:
    """A TCP server on a free loopback port that records every connection made to it (and
    answers any request with a JSON-LD context, for the tests that let a parser fetch one)."""

    CONTEXT = b'{"@context": {"name": "http://xmlns.com/foaf/0.1/name"}}'

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.connections = 0
        self.connected = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self.connected.set()
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(65536))
                    conn.sendall(
                        b"HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(self.CONTEXT), self.CONTEXT)
                    )
                except OSError:
                    pass

    def assert_untouched(self) -> None:
        """No connection arrived (a connect() completes before the parse returns; the short
        wait only lets the accepting thread notice it)."""
        assert not self.connected.wait(0.2), f"the listener was contacted: {self.requests}"

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A fresh listener, closed after the test."""
    server = Listener()
    yield server
    server.close()
