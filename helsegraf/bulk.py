"""Publishing a large graph: a new store generation, loaded in bulk, gated, then switched to.

``replace_graphs`` publishes by one SPARQL Update, which is right for the 10k triples of the
helsedata listing but not for millions: the update text alone would be hundreds of
megabytes. :func:`publish_generation` instead

1. bulk-loads every named graph into a new RocksDB directory beside the published one
   (pyoxigraph's ``bulk_load``: no transaction log, several threads);
2. compacts it (``optimize``): a bulk load leaves each index in many overlapping files that
   every lookup has to merge, and that RocksDB would otherwise compact in the background
   during the gate and the first queries served; at 100k sources compacting first takes
   about 5 s and makes the gate about 1.7 times cheaper;
3. runs the SHACL gate (:mod:`helsegraf.fastgate`) inside that directory, so the data is
   loaded once and checked where it will be served; if it conforms, keeps the browse page's
   facet index in it (:func:`helsegraf.browse_index.keep_index`), so that a server
   starting on it needs no query over the whole catalog;
4. if it conforms, moves the store's ``current`` link to it with one ``rename``, which is
   atomic: a reader opening the store sees the old generation or the new one, never a mix,
   and a load killed at any point leaves the published generation untouched;
5. removes generations older than the one it replaced (that one stays, for readers that
   still have it open), and the leftovers of publishes killed before they switched.

A failed gate deletes the new directory and publishes nothing. The whole publish holds the
store's :class:`~helsegraf.store.WriterLock`, as ``helsegraf load`` does: two publishers at
once fail fast instead of removing each other's generations.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from helsegraf import fastgate
from helsegraf.gate import GateReport
from helsegraf.store import (
    CURRENT_LINK,
    StoreError,
    WriterLock,
    collect_generations,
    new_generation,
    switch_generation,
)


@dataclass(frozen=True)
class GraphFile:
    """One named graph to publish, read from a file (N-Triples, Turtle, ...)."""

    graph: str
    path: Path
    format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES


@dataclass(frozen=True)
class Published:
    """The outcome of a bulk publish: the gate's report and, when it conformed, where."""

    report: GateReport
    generation: Path | None
    seconds: dict[str, float]


def _quiet(_message: str) -> None:
    pass


def publish_generation(
    root: Path,
    files: Sequence[GraphFile],
    *,
    checks: list[fastgate.Check] | None = None,
    progress: Callable[[str], None] = _quiet,
) -> Published:
    """Load ``files`` into a new generation of the store at ``root``; publish it if it conforms."""
    root.mkdir(parents=True, exist_ok=True)
    if (root / "CURRENT").exists() and not (root / CURRENT_LINK).is_symlink():
        raise StoreError(
            f"{root} holds a single-directory store; publish in bulk to a new directory, or "
            "to one that already holds generations"
        )
    lock = WriterLock(root)
    try:
        return _publish(root, files, checks, progress)
    finally:
        lock.release()


def _publish(
    root: Path,
    files: Sequence[GraphFile],
    checks: list[fastgate.Check] | None,
    progress: Callable[[str], None],
) -> Published:
    directory = new_generation(root)
    name = directory.name
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    try:
        store = ox.Store(str(directory))
        for file in files:
            progress(f"loading {file.path} into <{file.graph}>")
            store.bulk_load(
                path=str(file.path), format=file.format, to_graph=ox.NamedNode(file.graph)
            )
        store.flush()
        seconds["load"] = time.perf_counter() - started
        progress("compacting the new generation")
        optimize_started = time.perf_counter()
        store.optimize()
        seconds["optimize"] = time.perf_counter() - optimize_started
        progress("checking the shapes")
        gate_started = time.perf_counter()
        report = fastgate.validate_store(store, checks)
        seconds["gate"] = time.perf_counter() - gate_started
        if report.conforms:
            # the browse page's facet index, kept in the generation: a server starting on it
            # reads the index instead of reading the whole catalog (helsegraf.api.browse)
            from helsegraf.browse_index import keep_index

            progress("indexing the browse page's facets")
            index_started = time.perf_counter()
            keep_index(store, directory)
            seconds["index"] = time.perf_counter() - index_started
        del store
    except (OSError, SyntaxError, ValueError) as err:
        shutil.rmtree(directory, ignore_errors=True)
        raise StoreError(f"the bulk load failed and nothing was published: {err}") from err
    if not report.conforms:
        shutil.rmtree(directory, ignore_errors=True)
        return Published(report, None, seconds)
    switch_started = time.perf_counter()
    previous = switch_generation(root, name)
    seconds["switch"] = time.perf_counter() - switch_started
    collect_generations(root, keep={name, previous})
    progress(f"published generation {name}")
    return Published(report, directory, seconds)
