"""The api's query pool over a remote store: worker processes forward protocol queries to a
real ``oxigraph serve`` and answer as they do over the embedded store, under the same limits.

The reference answers come from the embedded store holding the same real graph (the
session's ``store`` fixture).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from helsegraf.build import Build, publish
from helsegraf.engine import (
    MalformedQueryError,
    ProtocolQuery,
    QueryPool,
    StoreSource,
    TooLargeError,
    UnavailableError,
)
from helsegraf.remote import RemoteStore
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore
from helsegraf.terms import to_rdflib
from tests.oxigraph_server import OxigraphServer, running, unavailable

T = TypeVar("T")
TITLES = "SELECT ?s ?t WHERE { ?s a hg:MedicalQualityRegister ; dct:title ?t }"
PARTS = "CONSTRUCT { ?part dct:isPartOf ?whole } WHERE { ?part dct:isPartOf ?whole }"


@pytest.fixture(scope="module")
def loaded(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings naming an ``oxigraph serve`` that holds the real graph."""
    with running(None, tmp_path_factory.mktemp("oxigraph")) as server:
        settings = server.settings()
        publish(RemoteStore(settings), built)
        yield settings


def _with_pool(
    settings: Settings, scenario: Callable[[QueryPool], Awaitable[T]], **limits: Any
) -> T:
    """Run ``scenario`` against a started one-worker pool over the remote store."""

    async def main() -> T:
        source = StoreSource.from_store(RemoteStore(settings), None)
        pool = QueryPool(source, workers=1, **limits)
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            await pool.close()

    # a thread of its own: another test's library (Playwright's sync API) may have left an
    # event loop running in this thread, where asyncio.run() refuses to start
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, main()).result()


def _pairs(solutions: object) -> set[tuple[str, ...]]:
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return {tuple(str(to_rdflib(solution[n])) for n in names) for solution in solutions}


def _titles(store: OxigraphStore) -> set[tuple[str, ...]]:
    return {(str(row["s"]), str(row["t"])) for row in store.select(TITLES).rows}


def test_the_source_of_a_remote_store_names_the_server(loaded: Settings) -> None:
    source = StoreSource.from_store(RemoteStore(loaded), None)
    assert source.remote == loaded
    assert source.path is None
    assert not source.nquads
    assert source.generation() == source.generation()


def test_protocol_queries_answer_as_on_the_embedded_store(
    loaded: Settings, store: OxigraphStore
) -> None:
    async def scenario(pool: QueryPool) -> None:
        select = await pool.answer(ProtocolQuery(TITLES, accept="application/sparql-results+json"))
        assert select.media_type == "application/sparql-results+json"
        expected = _titles(store)
        assert expected
        got = _pairs(ox.parse_query_results(select.body, format=ox.QueryResultsFormat.JSON))
        assert got == expected

        graph = await pool.answer(ProtocolQuery(PARTS, accept="text/turtle"))
        assert graph.media_type == "text/turtle"
        reference = store.construct(PARTS)
        assert len(reference)
        assert isomorphic(Graph().parse(data=graph.body, format="turtle"), reference)

        ask = await pool.answer(
            ProtocolQuery("ASK { ?s a dcat:Dataset }", accept="application/sparql-results+json")
        )
        assert json.loads(ask.body)["boolean"] is True

        # the api's own pages use select/ask/construct through the same workers
        rows = await pool.select(TITLES)
        assert {(str(r["s"]), str(r["t"])) for r in rows.rows} == expected

    _with_pool(loaded, scenario)


def test_limits_and_errors_are_the_embedded_stores(loaded: Settings, store: OxigraphStore) -> None:
    limit = 5
    assert len(store.select(TITLES).rows) > limit
    assert len(store.construct(PARTS)) > limit

    async def scenario(pool: QueryPool) -> None:
        for query in (TITLES, PARTS):
            with pytest.raises(TooLargeError):
                await pool.answer(ProtocolQuery(query))
        small = await pool.answer(
            ProtocolQuery(f"{TITLES} LIMIT {limit}", accept="text/tab-separated-values")
        )
        assert small.body.count(b"\n") == limit + 1  # the header and one line per row
        with pytest.raises(MalformedQueryError):
            await pool.answer(ProtocolQuery("SELECT ?s WHERE { ?s ?p"))
        with pytest.raises(MalformedQueryError):
            await pool.answer(ProtocolQuery("DROP ALL"))
        assert await pool.ask("ASK { ?s a dcat:Dataset }")  # DROP ALL was never run

    _with_pool(loaded, scenario, max_results=limit)


def test_a_server_that_goes_away_is_503_and_the_pool_recovers(built: Build, tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "data", log=tmp_path / "oxigraph.log")
    try:
        server.start()
    except OSError as err:
        unavailable(str(err))
    try:
        settings = server.settings(remote_timeout=2.0)
        publish(RemoteStore(settings), built)

        async def scenario(pool: QueryPool) -> None:
            query = ProtocolQuery("ASK { ?s a dcat:Dataset }")
            assert b"true" in (await pool.answer(query)).body
            server.stop()
            with pytest.raises(UnavailableError, match="cannot reach"):
                await pool.answer(query)
            with pytest.raises(UnavailableError, match="cannot reach"):
                await pool.ask(query.query)
            server.start()  # same port and data
            assert b"true" in (await pool.answer(query)).body

        _with_pool(settings, scenario)
    finally:
        server.stop()
