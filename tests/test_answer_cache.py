"""The /sparql answer cache: a repeat is answered without a worker, and only until a publish.

The app runs over a store directory with real query workers; the graph is published with
:meth:`OxigraphStore.replace_graphs`, as ``helsegraf load`` does, while the app serves.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from helsegraf import guard
from helsegraf.api.app import create_app
from helsegraf.engine import QueryPool
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore

GRAPH = URIRef("https://w3id.org/helsegraf/graph/helsedata")
COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a dcat:Dataset }"
TITLES = "SELECT ?t WHERE { ?s dct:title ?t } ORDER BY ?t"


def _publish(root: Path, count: int) -> None:
    graph = Graph()
    for i in range(count):
        source = URIRef(f"https://w3id.org/helsegraf/id/dataset/cache-{i}")
        graph.add((source, RDF.type, DCAT.Dataset))
        graph.add((source, DCTERMS.title, Literal(f"Kilde {i:05d} " + "x" * 40, lang="nb")))
    writer = OxigraphStore(root)
    try:
        writer.replace_graphs({GRAPH: graph})
    finally:
        writer.close()


@contextmanager
def _app(root: Path, **settings: object) -> Iterator[TestClient]:
    values: dict[str, object] = {"store": str(root), "query_workers": 1, **settings}
    app = create_app(Settings(**values))  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield client


def _pool(client: TestClient) -> QueryPool:
    pool: QueryPool = client.app.state.pool  # type: ignore[attr-defined]
    return pool


def _count(client: TestClient, accept: str = "application/sparql-results+json") -> int:
    response = client.post("/sparql", data={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_repeat_is_answered_from_memory_without_a_worker(tmp_path: Path) -> None:
    _publish(tmp_path, 3)
    with _app(tmp_path, query_timeout=2) as client:
        pool = _pool(client)
        assert pool.answers is not None
        assert _count(client) == 3
        assert pool.answers.hits == 0
        # With the only worker stopped, an answer can only come from the cache.
        (worker,) = pool._all
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGSTOP)
        try:
            assert _count(client) == 3
            assert pool.answers.hits == 1
            # Another Accept is another answer: it needs the worker, which cannot answer.
            other = client.post("/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"})
            assert other.status_code == 503
        finally:
            # the pool kills a worker past the time limit, and may have done so already
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.process.pid, signal.SIGCONT)


def test_a_publish_drops_every_kept_answer(tmp_path: Path) -> None:
    _publish(tmp_path, 3)
    with _app(tmp_path) as client:
        pool = _pool(client)
        assert [_count(client) for _ in range(3)] == [3, 3, 3]
        assert pool.answers is not None
        assert pool.answers.hits == 2
        for size in (7, 2):
            _publish(tmp_path, size)
            assert [_count(client) for _ in range(3)] == [size] * 3
        assert pool.answers.hits == 6


def test_the_budget_bounds_what_is_kept(tmp_path: Path) -> None:
    _publish(tmp_path, 1500)  # all titles as SPARQL JSON: about 150 KB
    with _app(tmp_path, answer_cache_mb=1) as client:
        pool = _pool(client)
        assert pool.answers is not None
        big = client.post("/sparql", data={"query": TITLES, "format": "json"})
        assert len(big.content) > 1_000_000 // 16  # over a sixteenth of the budget: not kept
        again = client.post("/sparql", data={"query": TITLES, "format": "json"})
        assert again.content == big.content
        assert pool.answers.hits == 0
        # Sixty answers of about 35 KB: kept, but the bytes kept never pass the budget.
        for i in range(60):
            query = f"{TITLES} LIMIT {300 + i}"
            answer = client.post("/sparql", data={"query": query, "format": "json"})
            assert answer.status_code == 200
            assert 25_000 < len(answer.content) < 1_000_000 // 16
            assert pool.answers.used <= pool.answers.budget
        assert 10 < len(pool.answers._answers) < 60


def test_no_cache_when_switched_off(tmp_path: Path) -> None:
    _publish(tmp_path, 3)
    with _app(tmp_path, answer_cache_mb=0) as client:
        assert _pool(client).answers is None
        assert [_count(client) for _ in range(2)] == [3, 3]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "SELECT * { " + "{ " * (guard.MAX_NESTING + 1) + "}" * (guard.MAX_NESTING + 1) + " }",
    ],
)
def test_a_refused_query_stays_refused_when_sent_again(query: str) -> None:
    # guard.check remembers what it read; the verdict must not turn into a pass
    verdicts = []
    for _ in range(3):
        with pytest.raises((guard.RefusedError, guard.TooDeepError)) as raised:
            guard.check(query, allow=())
        verdicts.append(type(raised.value))
    assert len(set(verdicts)) == 1
