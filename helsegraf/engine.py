"""Query execution in worker processes, so that a time limit really stops the work.

pyoxigraph evaluates a query inside one call that Python cannot interrupt, and a thread
cannot be killed. Each query therefore runs in one of a few worker processes, each holding
its own read-only handle on the store. When a query passes its time limit the worker is
killed (its CPU is freed at once) and a fresh one takes its place; other workers go on
answering other clients.

The server talks to the pool only through :class:`QueryPool` (asyncio). A worker opens the
store from :class:`StoreSource`: the store directory read-only, or, for an in-memory store,
an N-Quads copy of its contents. When ``helsegraf load`` publishes a new graph into the
directory, the next query a worker runs reopens it, so readers move from the old graph to
the new one between queries, never within one.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from helsegraf import conneg, formats
from helsegraf.namespaces import PREFIXES
from helsegraf.remote import AnswerTooLargeError, RemoteStore
from helsegraf.settings import Settings
from helsegraf.store import (
    CURRENT_LINK,
    OxigraphStore,
    QueryFormError,
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
    data_directory,
)
from helsegraf.terms import Term

# -- what the api asks and gets back ----------------------------------------------------------


class EngineError(Exception):
    """A query could not be answered; ``status`` is the HTTP status that says why."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedQueryError(EngineError):
    """The text is not a SPARQL 1.1 query (400); the message is the parser's."""

    status = 400


class NotAcceptableError(EngineError):
    """No media type the client accepts can carry this answer (406)."""

    status = 406


class BadRequestError(EngineError):
    """The request cannot be understood (a bad ``Accept`` header or ``format``; 400)."""

    status = 400


class TooLargeError(EngineError):
    """The answer has more rows or triples than the configured limit (422)."""

    status = 422


class QueryTimeoutError(EngineError):
    """The query ran past its time limit and was stopped (503)."""

    status = 503


class UnavailableError(EngineError):
    """Every worker is busy, or the store cannot be read (503)."""

    status = 503


class WorkerLostError(UnavailableError):
    """The worker process died (crashed, or killed from outside); it is replaced."""


_ERRORS: dict[str, type[EngineError]] = {
    cls.__name__: cls
    for cls in (
        EngineError,
        MalformedQueryError,
        NotAcceptableError,
        BadRequestError,
        TooLargeError,
        QueryTimeoutError,
        UnavailableError,
    )
}


@dataclass(frozen=True)
class ProtocolQuery:
    """A query as the SPARQL 1.1 Protocol delivers it, with the client's format wishes."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: Resolves relative IRIs in the query (the Protocol lets the service choose; we use the
    #: endpoint's own URL).
    base_iri: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised answer: its body, media type and the query form that produced it."""

    body: bytes
    media_type: str
    form: str


@dataclass(frozen=True)
class StoreSource:
    """How a worker opens the store: a directory (read-only), an N-Quads copy in memory, or
    a remote SPARQL 1.1 server (``remote``: the settings that name it and its credentials).
    """

    path: Path | None = None
    nquads: bytes = b""
    remote: Settings | None = None

    @classmethod
    def from_store(cls, store: Store, path: Path | None) -> StoreSource:
        """The source for ``store``: its server, its directory, or a copy of an in-memory store."""
        if isinstance(store, RemoteStore):
            return cls(remote=store.settings)
        if path is not None:
            return cls(path=path)
        from helsegraf.store import ExportFormat

        return cls(nquads=store.export(ExportFormat.NQUADS))

    def generation(self) -> tuple[int, ...]:
        """Changes whenever a writer has changed the directory.

        RocksDB never rewrites a data file in place: a publish appends to the write-ahead
        log, creates new table files and a new manifest. The names and sizes of the files
        (not the informational LOG) therefore change with every write, and a worker that
        sees a new generation reopens the store before its next query. In a store kept in
        generations (every store helsegraf has written since generations came in) the
        ``current`` link alone tells the generation, since a published one is never written.

        A remote server has no generation: it publishes in its own transactions, and a
        worker holds no copy of the data that could go stale.
        """
        if self.path is None or self.remote is not None:
            return (0,)
        try:
            # A published generation is never written again, so the link names it: one
            # system call, on every query, instead of a scan of the directory.
            return (hash((self.path / CURRENT_LINK).readlink()),)
        except OSError:
            pass  # the older single-directory layout, or a copy that followed the link
        try:
            directory = data_directory(self.path)
            entries = sorted(
                (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                for entry in os.scandir(directory)
                if not entry.name.startswith(("LOG", "LOCK"))
            )
        except OSError:
            return (0,)
        return (hash((str(directory), tuple(entries))),)

    def modified(self) -> float | None:
        """When a writer last changed the store directory (seconds since the epoch), or
        None when that is unknown: a remote server, or a copy in memory."""
        if self.path is None or self.remote is not None:
            return None
        try:
            directory = data_directory(self.path)
            stamps = [
                entry.stat().st_mtime
                for entry in os.scandir(directory)
                if not entry.name.startswith(("LOG", "LOCK"))
            ]
        except OSError:
            return None
        return max(stamps, default=None)


# -- the worker process ---------------------------------------------------------------------


class _OverflowError(Exception):
    pass


class _ExpiredError(Exception):
    pass


class _Limited(io.RawIOBase):
    """A sink that counts lines and time while pyoxigraph writes into it."""

    def __init__(self, max_lines: int, deadline: float) -> None:
        self.buffer = bytearray()
        self.lines = 0
        self.max_lines = max_lines
        self.deadline = deadline

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_lines:
            raise _OverflowError
        if time.monotonic() > self.deadline:
            raise _ExpiredError
        self.buffer += chunk
        return len(chunk)


class _Worker:
    """The state of one worker process (runs in the child)."""

    def __init__(self, source: StoreSource) -> None:
        self.source = source
        self.generation: tuple[int, ...] | None = None
        self.store: OxigraphStore | RemoteStore | None = None

    def open(self, generation: tuple[int, ...]) -> OxigraphStore | RemoteStore:
        if self.store is not None and generation == self.generation:
            return self.store
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.source.remote is not None:
            # Holds no connection: a server that was down is simply asked again next time.
            self.store = RemoteStore(self.source.remote, read_only=True)
        elif self.source.path is not None:
            self.store = _open_read_only(self.source.path)
        else:
            self.store = OxigraphStore(None)
            raw = self.store._live()
            raw.load(self.source.nquads, format=ox.RdfFormat.N_QUADS)
        self.generation = generation
        return self.store

    def answer(
        self, store: OxigraphStore | RemoteStore, request: ProtocolQuery, limits: _Limits
    ) -> Answer:
        result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
        if isinstance(store, RemoteStore):
            # The server answers in SPARQL XML or N-Triples where it can, whose solutions and
            # triples are counted as they arrive, so an answer far over the limit is stopped
            # early; the answer then takes the same counting and re-serialisation path as the
            # embedded store's.
            try:
                result = store.run(
                    request.query,
                    default_graphs=request.default_graphs,
                    named_graphs=request.named_graphs,
                    base_iri=request.base_iri,
                    max_rows=limits.max_results + 1,
                )
            except AnswerTooLargeError as err:
                raise TooLargeError(
                    f"the answer has more than {limits.max_results} rows or triples; add a LIMIT"
                ) from err
            except QuerySyntaxError as err:
                raise MalformedQueryError(f"malformed query: {err}") from err
            except StoreError as err:  # down, slow or refusing: unavailable for now (503)
                raise UnavailableError(str(err)) from err
            except ValueError as err:  # e.g. an invalid base IRI
                raise BadRequestError(str(err)) from err
        else:
            options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": request.base_iri}
            try:
                if request.default_graphs or request.named_graphs:
                    options["default_graph"] = [
                        _graph_name(g, "default-graph-uri") for g in request.default_graphs
                    ] or [ox.DefaultGraph()]
                    options["named_graphs"] = [
                        _graph_name(g, "named-graph-uri") for g in request.named_graphs
                    ]
                else:
                    options["use_default_graph_as_union"] = True
                result = store._live().query(request.query, **options)
            except SyntaxError as err:
                raise MalformedQueryError(f"malformed query: {err}") from err
            except ValueError as err:
                raise BadRequestError(str(err)) from err
        deadline = time.monotonic() + limits.timeout
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            form = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
            media = _choose(request, formats.RESULT_TYPES, formats.ALIASES, form)
            if isinstance(result, ox.QueryBoolean):
                return Answer(
                    result.serialize(format=formats.results_format(media)) or b"", media, form
                )
            sink = _Limited(limits.max_results + 1, deadline)  # TSV: a header line, one per row
            try:
                result.serialize(cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
            except (_OverflowError, OSError) as err:
                if sink.lines > sink.max_lines:
                    raise TooLargeError(
                        f"the answer has more than {limits.max_results} rows; add a LIMIT"
                    ) from err
                if time.monotonic() > deadline:
                    raise QueryTimeoutError(
                        f"the query ran past the {limits.timeout:g} s limit"
                    ) from err
                raise
            if media == formats.TSV:
                return Answer(bytes(sink.buffer), media, form)
            solutions = ox.parse_query_results(bytes(sink.buffer), format=ox.QueryResultsFormat.TSV)
            assert isinstance(solutions, ox.QuerySolutions)
            body = solutions.serialize(format=formats.results_format(media)) or b""
            return Answer(body, media, form)
        form = "CONSTRUCT"
        media = _choose(request, formats.GRAPH_TYPES, formats.GRAPH_ALIASES, form)
        triples: list[ox.Triple] = []
        for count, triple in enumerate(result, start=1):
            if count > limits.max_results:
                raise TooLargeError(
                    f"the answer has more than {limits.max_results} triples; add a LIMIT"
                )
            if not count % 1000 and time.monotonic() > deadline:
                raise QueryTimeoutError(f"the query ran past the {limits.timeout:g} s limit")
            triples.append(triple)
        data = ox.serialize(triples, format=formats.graph_format(media), prefixes=_prefixes(media))
        return Answer(data or b"", media, form)


def _graph_name(iri: str, parameter: str) -> ox.NamedNode:
    """A graph named by the protocol's dataset parameters, or 400 for a value that is not an
    absolute IRI."""
    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise BadRequestError(f"{parameter} must be an absolute IRI: {err}") from err


def _prefixes(media: str) -> dict[str, str] | None:
    return PREFIXES if media == formats.TURTLE else None


def _choose(
    request: ProtocolQuery, offers: tuple[str, ...], aliases: Mapping[str, str], form: str
) -> str:
    try:
        media = conneg.choose(request.accept, offers, format_name=request.format, aliases=aliases)
    except conneg.NegotiationError as err:
        raise BadRequestError(str(err)) from err
    if media is None:
        raise NotAcceptableError(
            f"a {form} answer can be sent as {', '.join(offers)}; the Accept header "
            f"({(request.accept or '')[:200]}) allows none of them"
        )
    return media


def _open_read_only(path: Path) -> OxigraphStore:
    """Open the directory read-only, retrying briefly while a writer compacts it.

    A read-only open can meet a table file that a concurrent writer's compaction has just
    removed; the next attempt reads the new manifest.
    """
    for attempt in range(5):
        try:
            return OxigraphStore(path, read_only=True)
        except StoreError:
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class _Limits:
    timeout: float
    max_results: int


def _worker_main(conn: Connection, source: StoreSource, limits: _Limits) -> None:
    """The loop of a worker process: one request in, one reply out."""
    worker = _Worker(source)
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        op, payload, generation = message
        try:
            reply = _serve_once(worker, op, payload, generation, limits)
            conn.send(("ok", reply))
        except EngineError as err:
            conn.send(("error", type(err).__name__, err.message))
        except QuerySyntaxError as err:
            conn.send(("error", "MalformedQueryError", str(err)))
        except QueryFormError as err:
            conn.send(("error", "BadRequestError", str(err)))
        except StoreError as err:  # the store cannot be read now: try again later
            worker.store = None
            conn.send(("error", "UnavailableError", str(err)))
        except Exception as err:
            conn.send(("error", "EngineError", f"{type(err).__name__}: {err}"))


def _serve_once(
    worker: _Worker, op: str, payload: Any, generation: tuple[int, ...], limits: _Limits
) -> Any:
    """One operation; a storage error (a generation switched away under the reader) reopens
    the store and tries once more, then is reported as unavailable, never as a server error."""
    for attempt in (1, 2):
        try:
            store = worker.open(generation)
            return _dispatch(worker, store, op, payload, limits)
        except (RuntimeError, OSError) as err:
            worker.store = None
            worker.generation = None
            if attempt == 2:
                raise StoreError(f"the store cannot be read now ({err}); try again") from err
    raise AssertionError("unreachable")  # pragma: no cover


def _dispatch(
    worker: _Worker, store: OxigraphStore | RemoteStore, op: str, payload: Any, limits: _Limits
) -> Any:
    if op == "answer":
        return worker.answer(store, payload, limits)
    if op == "select":
        return store.select(*payload)
    if op == "ask":
        return store.ask(*payload)
    if op == "construct":
        return list(store.construct(*payload))
    if op == "catalog":
        from helsegraf import catalog

        return catalog.render(store, payload)
    if op == "ping":
        return "pong"
    raise EngineError(f"unknown operation {op!r}")  # pragma: no cover - programming error


# -- the pool (runs in the server) ------------------------------------------------------------

#: Most cached answers the pool keeps (least recently used go first).
CACHE_ENTRIES = 256
#: The largest /sparql answer the pool keeps, as a share of the answer cache's budget.
CACHE_LARGEST_SHARE = 16


class _AnswerCache:
    """Serialised /sparql answers of the published generation, least recently used first out.

    The published graph changes only when a publish switches the store to a new generation,
    so an answer is exact until then; the first lookup under a new generation drops every
    answer of the old one. The budget counts answer bytes; an answer over a sixteenth of it
    is not kept, so one large answer cannot evict all the small ones.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.generation: tuple[int, ...] | None = None
        self._answers: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self.hits = 0

    def get(self, generation: tuple[int, ...], key: tuple[Any, ...]) -> Answer | None:
        if generation != self.generation:
            self._answers.clear()
            self.used = 0
            self.generation = generation
            return None
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, generation: tuple[int, ...], key: tuple[Any, ...], answer: Answer) -> None:
        size = _entry_size(key, answer)
        if generation != self.generation or size > self.budget // CACHE_LARGEST_SHARE:
            return
        self._answers[key] = answer
        self.used += size
        while self.used > self.budget:
            self.used -= _entry_size(*self._answers.popitem(last=False))


def _entry_size(key: tuple[Any, ...], answer: Answer) -> int:
    """What an entry of :class:`_AnswerCache` counts against its budget: the answer's bytes
    and the characters of the request that named it."""
    return len(answer.body) + sum(len(part) for part in key if isinstance(part, str))


@dataclass(eq=False)
class _Handle:
    process: BaseProcess
    conn: Connection


class QueryPool:
    """A fixed number of worker processes answering queries under a time and size limit."""

    def __init__(
        self,
        source: StoreSource,
        *,
        workers: int = 2,
        timeout: float = 10.0,
        max_results: int = 10_000,
        queue_timeout: float | None = None,
        answer_cache_mb: int = 0,
    ) -> None:
        self.source = source
        self.size = max(1, workers)
        self.limits = _Limits(timeout, max_results)
        self.queue_timeout = queue_timeout if queue_timeout is not None else timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Handle] = asyncio.Queue()
        self._all: set[_Handle] = set()
        self._cache: OrderedDict[tuple[Any, ...], SelectResult] = OrderedDict()
        self.cache_hits = 0
        # Nothing is kept for a remote store: its graph can change without a generation the
        # api can see.
        self.answers = (
            _AnswerCache(answer_cache_mb * 1_000_000)
            if answer_cache_mb and source.remote is None
            else None
        )
        self._closed = False

    # life cycle

    def _spawn(self) -> _Handle:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child, self.source, self.limits),
            name="helsegraf-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        handle = _Handle(process, parent)
        self._all.add(handle)
        return handle

    async def start(self) -> None:
        """Start the workers and wait until each has opened the store."""
        handles = [self._spawn() for _ in range(self.size)]
        for handle in handles:
            await self._roundtrip(handle, ("ping", None, self.source.generation()), 120.0)
            self._idle.put_nowait(handle)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for handle in list(self._all):
            self._stop(handle)

    def _stop(self, handle: _Handle) -> None:
        self._all.discard(handle)
        with contextlib.suppress(OSError):
            handle.conn.close()
        if handle.process.is_alive():
            handle.process.kill()
        handle.process.join(timeout=5)

    async def _replace(self, handle: _Handle) -> None:
        self._stop(handle)
        if self._closed:
            return
        fresh = self._spawn()
        try:
            await self._roundtrip(fresh, ("ping", None, self.source.generation()), 120.0)
        except EngineError:
            self._stop(fresh)
            raise
        self._idle.put_nowait(fresh)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    # queries

    async def _roundtrip(self, handle: _Handle, message: tuple[Any, ...], timeout: float) -> Any:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = handle.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        handle.conn.send(message)
        loop.add_reader(fd, readable)
        try:
            await asyncio.wait_for(ready, timeout)
        except TimeoutError as err:
            raise QueryTimeoutError(
                f"the query ran past the {self.limits.timeout:g} s limit and was stopped"
            ) from err
        finally:
            loop.remove_reader(fd)
        # uvloop's add_reader makes the descriptor non-blocking and leaves it so: a reply larger
        # than the pipe's buffer would then stop half-read (BlockingIOError), taken for a lost
        # worker. The reply has begun to arrive; the rest is read blocking, as multiprocessing
        # expects.
        os.set_blocking(fd, True)
        try:
            reply = handle.conn.recv()
        except (EOFError, OSError) as err:
            raise WorkerLostError("the query worker stopped unexpectedly; try again") from err
        if reply[0] == "ok":
            return reply[1]
        raise _ERRORS.get(reply[1], EngineError)(reply[2])

    async def _run(self, op: str, payload: Any, generation: tuple[int, ...] | None = None) -> Any:
        if self._closed:
            raise UnavailableError("the query service is shutting down")
        try:
            handle = await asyncio.wait_for(self._idle.get(), self.queue_timeout)
        except TimeoutError as err:
            raise UnavailableError("every query worker is busy; try again shortly") from err
        healthy = False
        try:
            # the worker's own checks stop a slow serialisation; the kill is the backstop
            result = await self._roundtrip(
                handle,
                (op, payload, generation or self.source.generation()),
                self.limits.timeout + 0.5,
            )
            healthy = True
            return result
        except EngineError as err:
            # A worker that answered "unavailable" (a remote server down, a store being
            # switched) is fine and stays; only a timeout or a lost worker is replaced.
            healthy = not isinstance(err, (QueryTimeoutError, WorkerLostError))
            raise
        finally:
            if healthy:
                self._idle.put_nowait(handle)
            else:
                # killed at the time limit, crashed, or abandoned by a client that went away
                asyncio.get_running_loop().create_task(self._replace(handle))

    async def answer(self, request: ProtocolQuery) -> Answer:
        """Answer a protocol query, serialised in the format the client negotiated.

        With an answer cache, the same request (query text, Accept, format, dataset and
        base IRI) against the same generation is answered from memory, without a worker.
        """
        if self.answers is None:
            result: Answer = await self._run("answer", request)
            return result
        key = (
            request.query,
            request.accept,
            request.format,
            request.default_graphs,
            request.named_graphs,
            request.base_iri,
        )
        generation = self.source.generation()
        kept = self.answers.get(generation, key)
        if kept is not None:
            return kept
        result = await self._run("answer", request, generation)
        self.answers.put(generation, key, result)
        return result

    async def select(
        self, query: str, bindings: Mapping[str, Term] | None = None, *, cached: bool = False
    ) -> SelectResult:
        """A SELECT for the api's own pages.

        With ``cached``, the answer is kept until the store's generation changes (a publish):
        for aggregates over the whole graph, such as the browse page's facet counts, which
        cost seconds on a large catalog and cannot change between publishes. A remote store
        has no generation the api can see, so nothing is cached for it.
        """
        key: tuple[Any, ...] | None = None
        if cached and self.source.remote is None:
            key = (self.source.generation(), query, tuple(sorted((bindings or {}).items())))
            hit = self._cache.get(key)
            if hit is not None:
                self.cache_hits += 1
                self._cache.move_to_end(key)
                return hit
        result: SelectResult = await self._run("select", (query, dict(bindings or {})))
        if key is not None:
            self._cache[key] = result
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return result

    async def catalog(self, request: Any) -> bytes:
        """A catalog document (:class:`helsegraf.catalog.PageRequest`), built in a worker."""
        body: bytes = await self._run("catalog", request)
        return body

    async def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """An ASK for the api's own pages."""
        return bool(await self._run("ask", (query, dict(bindings or {}))))

    async def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """A CONSTRUCT for the api's own pages, as an rdflib graph."""
        from rdflib import Graph

        triples = await self._run("construct", (query, dict(bindings or {})))
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri, override=True)
        for triple in triples:
            graph.add(triple)
        return graph
