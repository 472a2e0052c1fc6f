"""The safety defaults of a public endpoint, each shown to matter.

* SERVICE: a listener on loopback counts connections. Every spelling of a SERVICE call is
  refused and the listener is reached by nobody; the control case puts the listener on the
  allow-list and shows that the engine really does connect when allowed, so the refusals are
  what keeps it silent.
* Updates: every way of sending one is refused and the graph is unchanged.
* Time: a runaway query on a real server is stopped at the limit, its worker process is gone
  (the CPU is free), and another client's query is answered while it runs.
* Size: an over-long query and an oversized body are refused before any work.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from helsegraf.store import Store
from tests.api.conftest import app_client
from tests.conftest import StoreTarget
from tests.listener import Listener
from tests.live import serve


def _spellings(port: int) -> list[str]:
    """SERVICE calls to the listener, in every form a caller could try."""
    body = "{ ?s ?p ?o }"
    at = f"http://127.0.0.1:{port}"
    return [
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {body} }}",
        f"select * where {{ service silent <http://localhost:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://[::1]:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://2130706433:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://0x7f.0.0.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://0.0.0.0:{port}/> {body} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {body} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {body} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <{at}/> {{ SERVICE <{at}/x> {body} }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <http://127.0.0.1:{port}/> }} SERVICE ?e {body} }}",
        f"SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE SILENT ?e {body} }}",
        f"SELECT * WHERE {{ ?s ?p ?o }} # comment\nSELECT * {{ SERVICE <{at}/> {body} }}",
        f"ASK {{ SERVICE <http://127.0.0.1:{port}/> {body} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{at}/> {body} }} }} }}",
    ]


def test_service_calls_reach_nobody(client: TestClient, listener: Listener) -> None:
    for query in _spellings(listener.port):
        for send in (
            lambda q: client.get("/sparql", params={"query": q}),
            lambda q: client.post("/sparql", data={"query": q}),
            lambda q: client.post(
                "/sparql", content=q, headers={"Content-Type": "application/sparql-query"}
            ),
        ):
            response = send(query)
            assert response.status_code in (400, 403), (query, response.status_code)
    time.sleep(0.5)
    assert listener.connections == 0


def test_service_on_the_allow_list_is_called(store: Store, listener: Listener) -> None:
    """The control: when allowed, the engine does connect, so the refusals above matter."""
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    with app_client(store, service_allow=[endpoint], query_timeout=5) as allowed:
        allowed.get(
            "/sparql",
            params={"query": f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}"},
        )
        refused = allowed.get(
            "/sparql",
            params={"query": f"SELECT * WHERE {{ SERVICE <{endpoint}/other> {{ ?s ?p ?o }} }}"},
        )
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listener.connections >= 1
    assert refused.status_code == 403


def test_the_word_service_in_data_is_not_a_call(client: TestClient) -> None:
    query = "SELECT * WHERE { BIND('SERVICE <http://127.0.0.1:1/> {}' AS ?x) } # SERVICE <x:y>"
    response = client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200


UPDATE = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }"


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/sparql", data={"update": UPDATE}),
        lambda c: c.post(
            "/sparql", content=UPDATE, headers={"Content-Type": "application/sparql-update"}
        ),
        lambda c: c.get("/sparql", params={"update": UPDATE}),
        lambda c: c.get("/sparql", params={"query": UPDATE}),
        lambda c: c.post(
            "/sparql", content=UPDATE, headers={"Content-Type": "application/sparql-query"}
        ),
        lambda c: c.post("/sparql", data={"query": "LOAD <http://127.0.0.1:1/data.ttl>"}),
        lambda c: c.post("/sparql", data={"query": "DROP ALL"}),
        lambda c: c.post(
            "/sparql",
            data={"query": "PREFIX x: <urn:x:> DELETE WHERE { ?s ?p ?o }"},
        ),
    ],
)
def test_updates_are_refused(client: TestClient, send: object) -> None:
    response = send(client)  # type: ignore[operator]
    assert response.status_code == 403
    assert "read-only" in response.text
    check = client.get("/sparql", params={"query": "ASK { <urn:x:s> ?p ?o }", "format": "json"})
    assert check.json()["boolean"] is False
    still = client.get("/sparql", params={"query": "ASK { ?s a dcat:Dataset }", "format": "json"})
    assert still.json()["boolean"] is True


def test_overlong_query_is_413(store: Store) -> None:
    with app_client(store, max_query_length=200) as small:
        response = small.post("/sparql", data={"query": "ASK {}" + " " * 300})
        assert response.status_code == 413


def test_oversized_body_is_413_before_it_is_read(store: Store) -> None:
    with app_client(store, max_request_bytes=1000) as small:
        response = small.post(
            "/sparql",
            content=b"ASK {}" + b" " * 5000,
            headers={"Content-Type": "application/sparql-query"},
        )
        assert response.status_code == 413


def _children(pid: int) -> set[int]:
    """The query worker processes of the server ``pid`` (spawned multiprocessing children)."""
    found: set[int] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            found.add(int(proc.name))
    return found


def _cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } "


def test_runaway_query_is_stopped_while_others_are_answered(
    published_store: StoreTarget,
) -> None:
    with serve(
        published_store.location,
        **published_store.environment(),
        HELSEGRAF_QUERY_TIMEOUT="3",
        HELSEGRAF_QUERY_WORKERS="2",
    ) as url:
        before = _server_workers(url)
        outcome: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            response = httpx.post(f"{url}/sparql", data={"query": RUNAWAY}, timeout=30)
            outcome["status"] = response.status_code
            outcome["text"] = response.text
            outcome["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        quick = httpx.get(
            f"{url}/sparql", params={"query": "ASK { ?s a dcat:Dataset }", "format": "json"}
        )
        quick_seconds = time.monotonic() - started
        assert quick.status_code == 200
        assert quick.json()["boolean"] is True
        assert thread.is_alive(), "the runaway query should still be running"
        assert quick_seconds < 2.0
        thread.join(timeout=30)
        assert outcome["status"] == 503, outcome
        assert "limit" in str(outcome["text"])
        assert 2.5 < float(outcome["seconds"]) < 8.0  # type: ignore[arg-type]
        # the worker that ran it is gone and nothing is left burning a core
        time.sleep(1.0)
        after = _server_workers(url)
        assert before - after, "the worker that ran the runaway query should have been killed"
        cpu = {pid: _cpu_seconds(pid) for pid in after}
        time.sleep(1.0)
        busy = {pid: _cpu_seconds(pid) - cpu[pid] for pid in after if Path(f"/proc/{pid}").exists()}
        assert all(seconds < 0.3 for seconds in busy.values()), busy
        # and the server still answers with a full pool
        assert httpx.get(f"{url}/ready").status_code == 200


def _server_workers(url: str) -> set[int]:
    """Worker pids of the server listening at ``url`` (found through its listening socket)."""
    port = int(url.rsplit(":", 1)[1])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmdline and str(port).encode() in cmdline:
            return _children(int(proc.name))
    raise AssertionError(f"no server process for {url}")
