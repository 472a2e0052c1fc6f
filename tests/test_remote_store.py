"""What only the remote backend has: a network, a server that can be down, slow, unreachable,
set up without a union default graph, or behind a password.

The server is a real ``oxigraph serve`` (:mod:`tests.oxigraph_server`); the unreachable and
silent endpoints are real loopback sockets that never answer. Everything a remote store shares
with the embedded one is in ``test_store_contract.py``.
"""

from __future__ import annotations

import base64
import hmac
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import ValidationError
from rdflib import Graph, Literal, Namespace, URIRef

from helsegraf.remote import AnswerTooLargeError, RemoteStore
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore, StoreError, open_store
from tests.oxigraph_server import OxigraphServer, running, unavailable

EX = Namespace("https://example.org/")
G1 = EX.g1
NAMES = "SELECT ?n WHERE { ?s <https://example.org/name> ?n }"
#: The time limit the timeout tests configure, and how much later than it an error may come.
TIMEOUT, SLACK = 1.0, 1.5


def _sample() -> dict[URIRef, Graph]:
    graph = Graph()
    graph.add((EX.a, EX.name, Literal("A")))
    graph.add((EX.a, EX.part, EX.b))
    return {G1: graph}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with running(None, tmp_path_factory.mktemp("oxigraph")) as started:
        yield started


# -- choosing the backend -------------------------------------------------------------------------


def test_open_store_picks_the_backend_from_settings(tmp_path: Path) -> None:
    remote = open_store(Settings(store="http://127.0.0.1:1/query"), read_only=True)
    assert isinstance(remote, RemoteStore)
    assert remote.read_only
    local = open_store(Settings(store=str(tmp_path / "s")))
    assert isinstance(local, OxigraphStore)
    local.close()
    assert Settings(store="HTTPS://example.org/sparql").store_is_remote
    assert not Settings(store=str(tmp_path)).store_is_remote
    with pytest.raises(StoreError, match="not a SPARQL endpoint"):
        RemoteStore(Settings(store=str(tmp_path)))


@pytest.mark.parametrize("field", ["store", "update_endpoint", "gsp_endpoint"])
def test_credentials_in_a_url_are_refused_without_being_echoed(field: str) -> None:
    with pytest.raises(ValidationError) as err:
        Settings(**{field: "http://reader:s3cret-pw@127.0.0.1:7878/query"})  # type: ignore[arg-type]
    assert "HELSEGRAF_REMOTE_PASSWORD" in str(err.value)
    assert "s3cret-pw" not in str(err.value)


def test_empty_remote_settings_mean_unset() -> None:
    settings = Settings(update_endpoint="", gsp_endpoint="", remote_user="", remote_password="")
    assert (settings.update_endpoint, settings.gsp_endpoint) == (None, None)
    assert (settings.remote_user, settings.remote_password) == (None, None)
    with pytest.raises(ValidationError):
        Settings(gsp_endpoint="ftp://example.org/store")


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), (None, pytest.skip.Exception)]
)
def test_a_server_that_cannot_start_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None, outcome: type[BaseException]
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with socket.socket() as taken:  # the port is taken, so oxigraph serve exits at once
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(outcome, match="oxigraph"), running(None, tmp_path, port=port):
            pytest.fail("the server cannot have started")


def test_a_read_only_remote_store_refuses_to_publish(server: OxigraphServer) -> None:
    server.clear()
    store = RemoteStore(server.settings(), read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs(_sample())
    assert store.graph_names() == []


# -- a server that is down, slow or unreachable ---------------------------------------------------


def test_a_stopped_server_is_a_quick_clear_error_and_the_store_recovers(
    tmp_path: Path,
) -> None:
    """The same RemoteStore works again once the server is back on its port: no state to reset."""
    server = OxigraphServer(tmp_path / "data", log=tmp_path / "oxigraph.log")
    try:
        server.start()
    except OSError as err:
        unavailable(str(err))
    try:
        store = RemoteStore(server.settings())
        store.replace_graphs(_sample())
        server.stop()
        started = time.monotonic()
        with pytest.raises(StoreError, match="cannot reach the SPARQL server") as err:
            store.select(NAMES)
        assert time.monotonic() - started < SLACK
        assert server.query_url in str(err.value)
        with pytest.raises(StoreError, match=r"the store is unchanged: .*cannot reach"):
            store.replace_graphs(_sample())
        server.start()  # same port, same location
        assert store.select(NAMES).column("n") == [Literal("A")]
        store.replace_graphs({G1: Graph()})
        assert store.graph_names() == []
    finally:
        server.stop()


@contextmanager
def _silent_endpoint(*, accepts_connections: bool) -> Iterator[str]:
    """A loopback endpoint that never answers.

    With ``accepts_connections`` the kernel completes the connection and the request is
    sent, but no reply ever comes (a server stuck in a query). Without, the listener's
    queue is full, so the kernel drops the connection attempt: a blackholed address.
    """
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8 if accepts_connections else 0)
        port = listener.getsockname()[1]
        if not accepts_connections:
            for _ in range(3):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.mark.parametrize("accepts_connections", [False, True], ids=["blackholed", "silent"])
def test_an_endpoint_that_never_answers_times_out(accepts_connections: bool) -> None:
    with _silent_endpoint(accepts_connections=accepts_connections) as url:
        store = RemoteStore(Settings(store=url, remote_timeout=TIMEOUT))
        started = time.monotonic()
        with pytest.raises(StoreError, match=f"did not answer within {TIMEOUT:g} s"):
            store.ask("ASK { ?s ?p ?o }")
        elapsed = time.monotonic() - started
        assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + SLACK
        started = time.monotonic()
        # Sent but unanswered, an update's fate is unknown; never sent, it changed nothing.
        outcome = "may still apply it" if accepts_connections else "the store is unchanged"
        with pytest.raises(StoreError, match=outcome):
            store.replace_graphs(_sample())
        assert time.monotonic() - started < TIMEOUT + SLACK


def test_a_wrong_path_is_a_clear_error(server: OxigraphServer) -> None:
    store = RemoteStore(Settings(store=f"{server.url}/no-such-endpoint"))
    with pytest.raises(StoreError, match=r"no SPARQL endpoint at .*/no-such-endpoint"):
        store.ask("ASK { ?s ?p ?o }")


def test_an_answer_over_the_row_limit_is_stopped_as_it_arrives(server: OxigraphServer) -> None:
    """The api's limit on answers: exact at the bound, in SPARQL XML and in N-Triples."""
    server.clear()
    rows = 3000  # with these literals, an answer of several read chunks
    graph = Graph()
    for i in range(rows):
        graph.add((EX[f"s{i}"], EX.note, Literal(f"row {i} " + "x" * 100)))
    store = RemoteStore(server.settings())
    store.replace_graphs({G1: graph})
    for query in (
        "SELECT ?s ?o WHERE { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ):
        answer = store.run(query, max_rows=rows)
        assert len(list(answer)) == rows  # type: ignore[arg-type]
        with pytest.raises(AnswerTooLargeError, match=f"more than {rows - 1} rows"):
            store.run(query, max_rows=rows - 1)


# -- the union default graph ----------------------------------------------------------------------


def test_a_server_without_union_default_graph_is_reported_at_publish(tmp_path: Path) -> None:
    with running(None, tmp_path, union_default_graph=False) as plain:
        store = RemoteStore(plain.settings())
        with pytest.raises(StoreError, match="not the union of its named graphs"):
            store.replace_graphs(_sample())
        # The data went in; queries over the default graph do not see it ...
        assert store.graph_names() == [G1]
        assert store.select(NAMES).rows == []
        # ... unless the query endpoint asks Oxigraph for the union (its URL parameter).
        union = RemoteStore(plain.settings(store=f"{plain.query_url}?union-default-graph"))
        assert union.select(NAMES).column("n") == [Literal("A")]
        union.replace_graphs(_sample())  # and publishing through it passes the check


# -- credentials ----------------------------------------------------------------------------------


class _AuthProxy(ThreadingHTTPServer):
    """HTTP basic authentication in front of a real server (Oxigraph has none of its own)."""

    def __init__(self, upstream: str, user: str, password: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[str | None] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _AuthProxy

    def _forward(self) -> None:
        given = self.headers.get("Authorization")
        self.server.seen.append(given)
        if self.path.startswith("/moved"):
            self._reply(302, b"", {"Location": f"{self.server.upstream}/query"})
            return
        if given is None or not hmac.compare_digest(given, self.server.expected):
            self._reply(401, b"who are you?", {"WWW-Authenticate": 'Basic realm="sparql"'})
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k in ("Content-Type", "Accept") if (v := self.headers.get(k))}
        target = self.server.upstream + self.path
        request = urllib.request.Request(
            target, data=body or None, headers=headers, method=self.command
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, data, kind = reply.status, reply.read(), reply.headers["Content-Type"]
        except urllib.error.HTTPError as err:
            status, data, kind = err.code, err.read(), err.headers["Content-Type"]
        self._reply(status, data, {"Content-Type": kind or "text/plain"})

    def _reply(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def proxy(server: OxigraphServer) -> Iterator[_AuthProxy]:
    server.clear()
    proxied = _AuthProxy(server.url, "writer", "pa55-word")
    thread = threading.Thread(target=proxied.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield proxied
    finally:
        proxied.shutdown()
        proxied.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "gsp"])
def test_basic_credentials_are_sent_from_settings(proxy: _AuthProxy, gsp: bool) -> None:
    settings = Settings(
        store=f"{proxy.url}/query",
        update_endpoint=f"{proxy.url}/update",
        gsp_endpoint=f"{proxy.url}/store" if gsp else None,
        remote_user="writer",
        remote_password="pa55-word",  # type: ignore[arg-type]
    )
    store = RemoteStore(settings)
    store.replace_graphs(_sample())
    assert store.select(NAMES).column("n") == [Literal("A")]
    assert proxy.seen
    assert all(seen == proxy.expected for seen in proxy.seen)


def test_wrong_credentials_are_a_clear_error_that_never_shows_them(proxy: _AuthProxy) -> None:
    settings = Settings(
        store=f"{proxy.url}/query",
        remote_user="writer",
        remote_password="not-the-pa55",  # type: ignore[arg-type]
    )
    store = RemoteStore(settings)
    for attempt in (lambda: store.ask("ASK { ?s ?p ?o }"), lambda: store.replace_graphs(_sample())):
        with pytest.raises(StoreError, match="refused access") as err:
            attempt()
        for text in (str(err.value), repr(err.value), repr(store), repr(settings)):
            assert "not-the-pa55" not in text
            assert base64.b64encode(b"writer:not-the-pa55").decode() not in text
    anonymous = RemoteStore(Settings(store=f"{proxy.url}/query"))
    with pytest.raises(StoreError, match="HTTP 401"):
        anonymous.ask("ASK { ?s ?p ?o }")
    assert proxy.seen[-1] is None


def test_a_redirect_is_reported_not_followed(proxy: _AuthProxy) -> None:
    """A redirected POST loses its body, and following it would carry the password along."""
    store = RemoteStore(
        Settings(
            store=f"{proxy.url}/moved",
            remote_user="writer",
            remote_password="pa55-word",  # type: ignore[arg-type]
        )
    )
    with pytest.raises(StoreError, match=r"redirects to .*/query"):
        store.ask("ASK { ?s ?p ?o }")
    assert len(proxy.seen) == 1


class _HostileHandler(BaseHTTPRequestHandler):
    """A 'SPARQL server' that answers every query with an entity-expansion bomb in RDF/XML."""

    BOMB = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        b"<ex:p>&i;</ex:p></rdf:Description></rdf:RDF>"
    )

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rdf+xml")
        self.send_header("Content-Length", str(len(self.BOMB)))
        self.end_headers()
        self.wfile.write(self.BOMB)

    def log_message(self, *args: object) -> None:
        pass


def test_a_hostile_servers_rdf_is_refused_not_expanded() -> None:
    """A graph answer from a remote server is outside input: an entity bomb is refused by
    helsegraf.rdfsafe before any parser expands it (pyoxigraph would allocate gigabytes)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        store = RemoteStore(Settings(store=url, remote_timeout=5), read_only=True)
        started = time.monotonic()
        with pytest.raises(StoreError, match="refused"):
            store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert time.monotonic() - started < 5
    finally:
        server.shutdown()
        server.server_close()
