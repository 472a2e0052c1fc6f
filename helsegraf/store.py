"""The store: one small interface, chosen at start-up from settings (DESIGN.md section 2).

:class:`Store` is what the CLI, the named queries and (later) the api talk to. It has two
implementations: :class:`OxigraphStore`, an embedded pyoxigraph store on disk or in memory,
and :class:`helsegraf.remote.RemoteStore`, a SPARQL 1.1 server (:func:`open_store` picks one).

Queries see the union of the named graphs. Writes go through :meth:`Store.replace_graphs`
only, which swaps a set of named graphs at once so that a reader sees either the old graphs
or the new ones, never a mix (on disk: by switching to a new generation of the store).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from helsegraf.namespaces import PREFIXES
from helsegraf.settings import Settings
from helsegraf.sparql import bind
from helsegraf.terms import OxTerm, Term, to_oxigraph, to_rdflib


class StoreError(Exception):
    """A store operation failed; the message is safe to show a user."""


class QuerySyntaxError(StoreError):
    """The query text is not valid SPARQL 1.1; the message is the parser's."""


class QueryFormError(StoreError):
    """The query has the wrong form for the call (e.g. an ASK passed to ``select``)."""


@dataclass(frozen=True)
class SelectResult:
    """The answer to a SELECT query: its variables, in order, and its rows."""

    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)

    def column(self, name: str) -> list[Term]:
        """The values bound to ``name``, one per row that binds it."""
        return [row[name] for row in self.rows if name in row]


class ExportFormat(StrEnum):
    """The serialisations ``helsegraf export`` writes."""

    NQUADS = "nquads"
    TRIG = "trig"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"

    @property
    def has_graphs(self) -> bool:
        """True when the format can carry named graphs."""
        return self in (ExportFormat.NQUADS, ExportFormat.TRIG)


_OX_FORMATS = {
    ExportFormat.NQUADS: ox.RdfFormat.N_QUADS,
    ExportFormat.TRIG: ox.RdfFormat.TRIG,
    ExportFormat.TURTLE: ox.RdfFormat.TURTLE,
    ExportFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
}


class Store(Protocol):
    """What helsegraf needs of a triple store."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> SelectResult:
        """Run a SELECT query over the union of the graphs, with variables pre-bound."""
        ...

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """Run an ASK query."""
        ...

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query; the triples as a graph."""
        ...

    def describe(self, iri: URIRef) -> Graph:
        """Every triple with ``iri`` as subject or object."""
        ...

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each named graph by the given triples, all in one transaction."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs the store holds."""
        ...

    def export(self, fmt: ExportFormat, *, union: bool = False) -> bytes:
        """The whole published graph, serialised."""
        ...

    def close(self) -> None:
        """Release the store (flush and unlock the directory)."""
        ...


_FORM = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX|prefix|BASE|base)\b[^\n<]*<[^>]*>)*\s*(\w+)",
    re.IGNORECASE,
)


def query_form(query: str) -> str:
    """The form of a SPARQL query (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) or ``""``.

    A cheap look at the first keyword after the prologue; the parser has the last word.

    >>> query_form("PREFIX a: <http://a/>\\n# comment\\nask { ?s ?p ?o }")
    'ASK'
    """
    match = _FORM.match(query)
    return match.group(1).upper() if match else ""


#: In a store directory, the link naming the generation that is published.
CURRENT_LINK = "current"
#: The prefix of generation directories (``gen-<time>-<pid>``).
GENERATION_PREFIX = "gen-"
#: In a store directory, the file a writer locks while it may publish.
WRITER_LOCK = ".writer.lock"
#: The files of a RocksDB database (in the root of a store kept in the older layout).
_ROCKSDB_FILE = re.compile(
    r"^(?:CURRENT|IDENTITY|LOCK|LOG(?:\.old\..*)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.(?:sst|log|blob))$"
)


def data_directory(root: Path) -> Path:
    """The RocksDB directory that holds the published graph of the store at ``root``.

    A store directory holds generations: ``gen-*`` directories and a ``current`` link naming
    the published one. Every publish writes a whole new generation beside the published one
    (:meth:`OxigraphStore.replace_graphs`, or :func:`helsegraf.bulk.publish_generation` for
    large graphs) and then moves the link in one ``rename``, so readers see the old graph or
    the new one, and a publish killed half-way leaves only an unlinked directory behind. A
    published generation is never written again: pyoxigraph leaves reading a directory that
    another process writes undefined (in practice a reader meets table files the writer's
    compaction has just deleted).

    A store written by older versions of helsegraf is one database in ``root`` itself; it is
    read as it is, and its next publish moves it to generations. A copy made by a tool that
    follows links (``shutil.copytree``, ``cp -L``) has a ``current`` directory instead of the
    link; it is read there, and its next publish turns it into a generation.
    """
    link = root / CURRENT_LINK
    if link.is_symlink():
        return root / link.readlink()
    if link.is_dir():
        return link
    return root


def new_generation(root: Path) -> Path:
    """A fresh generation directory's path in ``root`` (not created)."""
    return root / f"{GENERATION_PREFIX}{time.time_ns()}-{os.getpid()}"


def switch_generation(root: Path, name: str) -> str:
    """Point ``root/current`` at ``name`` atomically; the name it pointed at before (or "")."""
    link = root / CURRENT_LINK
    previous = ""
    if link.is_symlink():
        previous = str(link.readlink())
    elif link.is_dir():  # a copy that followed the link: the directory becomes a generation
        moved = new_generation(root)
        link.rename(moved)
        previous = moved.name
    temporary = root / f".{CURRENT_LINK}-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(name)
    temporary.replace(link)
    descriptor = os.open(root, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the rename itself is durable once the directory is synced
    finally:
        os.close(descriptor)
    return previous


def collect_generations(root: Path, keep: set[str]) -> None:
    """Remove what no reader can need any more; only under :class:`WriterLock`.

    The published generation and the one before it stay (readers may still have that one
    open until their next query). Every other generation is either older or the leftover of
    a publish that was killed before it switched (the lock rules out one still being
    written). The database of the older single-directory layout goes once a generation has
    replaced the generation that replaced it.
    """
    for entry in root.iterdir():
        if entry.name.startswith(GENERATION_PREFIX) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    if "" in keep:
        return  # the first generation: readers may still read the old layout
    for entry in root.iterdir():
        if _ROCKSDB_FILE.match(entry.name) and entry.is_file() and not entry.is_symlink():
            entry.unlink(missing_ok=True)


class WriterLock:
    """An exclusive lock on a store directory, held by the one process that may publish.

    Publishing writes a new generation and removes old ones; two publishers at once could
    remove each other's generation. The lock is ``flock`` on a file in the directory, so the
    kernel releases it when its holder ends, however it ends.
    """

    def __init__(self, root: Path) -> None:
        descriptor = os.open(root / WRITER_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(descriptor)
            raise StoreError(
                f"another writer is publishing to {root} (a helsegraf load?); try again when "
                "it has finished"
            ) from err
        self._finalizer = weakref.finalize(self, os.close, descriptor)

    def release(self) -> None:
        """Unlock (closing the file releases the lock)."""
        self._finalizer()


def _open_published(root: Path) -> ox.Store:
    """The published graph of ``root`` for reading: its data directory opened read-only, or
    an empty store when nothing is published there yet."""
    directory = data_directory(root)
    if not (directory / "CURRENT").is_file():
        return ox.Store()
    return ox.Store.read_only(str(directory))


class OxigraphStore:
    """The embedded store: pyoxigraph, on disk (a directory) or in memory.

    On disk, the store never writes into a directory that is published: a reader (another
    process, or this one) only ever opens published generations, read-only, and
    :meth:`replace_graphs` writes a new generation and switches to it. Opened for writing,
    the store holds the directory's :class:`WriterLock` until :meth:`close`.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self._db: ox.Store | None = None
        self._lock: WriterLock | None = None
        directory = None if path is None else data_directory(path)
        try:
            if path is None:
                self._db = ox.Store()
            elif read_only:
                if not path.is_dir() or not (data_directory(path) / "CURRENT").is_file():
                    raise StoreError(f"no graph is published at {path}: run 'helsegraf load'")
                self._db = ox.Store.read_only(str(directory))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._lock = WriterLock(path)
                self._db = _open_published(path)
        except (OSError, RuntimeError) as err:
            if self._lock is not None:
                self._lock.release()
            raise StoreError(f"cannot open the store at {path}: {err}") from err
        self.path = path
        self.directory = directory
        self.read_only = read_only

    # -- queries -----------------------------------------------------------------------------

    def _query(self, query: str, bindings: Mapping[str, Term] | None) -> object:
        text = bind(query, bindings)
        try:
            return self._live().query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        except (OSError, RuntimeError) as err:  # a disk failure; pyoxigraph's "Corruption"
            raise StoreError(f"the store could not answer: {err}") from err

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> SelectResult:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryFormError("expected a SELECT query")
        return select_result(result)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryFormError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> Graph:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryFormError("expected a CONSTRUCT or DESCRIBE query")
        return graph_of(result)

    def describe(self, iri: URIRef) -> Graph:
        return self.construct(DESCRIBE, {"x": iri})

    # -- writes ------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace the named graphs: readers see all the old graphs or all the new ones.

        Every term is checked (as a pyoxigraph term) before anything is written, so an
        invalid IRI in the data refuses the whole publish and the store keeps what it had.
        In memory, one SPARQL Update (one transaction) swaps the graphs. On disk, a new
        generation is written with the graphs that are not replaced and the new ones, and
        the ``current`` link is moved to it (see :func:`data_directory`).
        """
        if self.read_only:
            raise StoreError("publishing failed, the store is unchanged: it is open read-only")
        try:
            if self.path is None:
                self._update(graphs)
                return
            replaced = {ox.NamedNode(str(name)) for name in graphs}
            quads = [q for q in self.quads() if q.graph_name not in replaced]
            quads += [quad for name, graph in graphs.items() for quad in _quads(name, graph)]
        except (SyntaxError, OSError, RuntimeError, ValueError, TypeError) as err:
            raise StoreError(f"publishing failed, the store is unchanged: {err}") from err
        self._publish(self.path, quads)

    def _update(self, graphs: Mapping[URIRef, Graph]) -> None:
        operations: list[str] = []
        for name, graph in graphs.items():
            target = to_oxigraph(name)
            operations.append(f"DROP SILENT GRAPH {target}")
            if len(graph):
                body = "\n".join(
                    f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} ." for s, p, o in graph
                )
                operations.append(f"INSERT DATA {{ GRAPH {target} {{\n{body}\n}} }}")
        if operations:
            self._live().update(" ;\n".join(operations))

    def _publish(self, root: Path, quads: list[ox.Quad]) -> None:
        """Write ``quads`` as a new generation of ``root``, switch to it and read it."""
        directory = new_generation(root)
        try:
            written = ox.Store(str(directory))
            written.bulk_extend(quads)
            written.flush()
            # the browse page's facet index, kept in the generation (helsegraf.api.browse)
            from helsegraf.browse_index import keep_index

            keep_index(written, directory)
            del written
        except (OSError, RuntimeError, ValueError) as err:
            shutil.rmtree(directory, ignore_errors=True)
            raise StoreError(f"publishing failed, the store is unchanged: {err}") from err
        try:
            previous = switch_generation(root, directory.name)
        except OSError as err:
            shutil.rmtree(directory, ignore_errors=True)
            raise StoreError(f"publishing failed, the store is unchanged: {err}") from err
        self._db = None  # let go of the old generation before it may be removed
        collect_generations(root, keep={directory.name, previous})
        try:
            self._db = ox.Store.read_only(str(directory))
        except (OSError, RuntimeError) as err:  # pragma: no cover - disk failure
            raise StoreError(f"published, but the store cannot be read: {err}") from err
        self.directory = directory

    # -- export ------------------------------------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._live().named_graphs() if isinstance(g, ox.NamedNode)
        )

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store (for tests and export)."""
        return iter(self._live().quads_for_pattern(None, None, None, None))

    def export(self, fmt: ExportFormat, *, union: bool = False) -> bytes:
        ox_format = _OX_FORMATS[fmt]
        if fmt.has_graphs and not union:
            data = self._live().dump(format=ox_format, prefixes=_graph_prefixes(fmt))
        else:
            union_store = ox.Store()
            union_store.extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in self.quads()
            )
            data = union_store.dump(
                format=ox_format, from_graph=ox.DefaultGraph(), prefixes=_graph_prefixes(fmt)
            )
        return data or b""

    def close(self) -> None:
        """Release the database and the writer's lock now, not whenever the garbage
        collector runs.

        pyoxigraph has no close(); RocksDB is closed when the last reference to the store
        goes. A frame kept alive by a traceback elsewhere can hold this object for a long
        time, so the reference is dropped here explicitly. (Nothing is left to flush: on
        disk, every write went into a generation that was closed before it was published.)
        """
        self._db = None
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def _live(self) -> ox.Store:
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db


def _quads(name: URIRef, graph: Graph) -> Iterator[ox.Quad]:
    """The triples of ``graph`` as quads in the named graph ``name``.

    Each graph gets blank nodes of its own, as each ``INSERT DATA`` of an update does: a
    label in one graph does not name the same node as the same label in another graph.
    """
    target = ox.NamedNode(str(name))
    blanks: dict[str, ox.BlankNode] = {}

    def term(node: object) -> OxTerm:
        if isinstance(node, BNode):
            return blanks.setdefault(str(node), ox.BlankNode())
        return to_oxigraph(cast(Term, node))

    for s, p, o in graph:
        yield ox.Quad(
            cast(ox.NamedNode | ox.BlankNode, term(s)), cast(ox.NamedNode, term(p)), term(o), target
        )


def _graph_prefixes(fmt: ExportFormat) -> dict[str, str] | None:
    return PREFIXES if fmt in (ExportFormat.TURTLE, ExportFormat.TRIG) else None


#: What ``describe`` means on every backend (servers' own DESCRIBE answers differ).
DESCRIBE = "CONSTRUCT { ?x ?p ?o . ?s ?q ?x } WHERE { { ?x ?p ?o } UNION { ?s ?q ?x } }"


def select_result(solutions: ox.QuerySolutions) -> SelectResult:
    """pyoxigraph solutions as a :class:`SelectResult` of rdflib terms (unbound: left out)."""
    variables = [v.value for v in solutions.variables]
    rows: list[dict[str, Term]] = []
    for solution in solutions:
        row: dict[str, Term] = {}
        for name in variables:
            value = solution[name]
            if value is not None:
                row[name] = to_rdflib(value)
        rows.append(row)
    return SelectResult(variables, rows)


def graph_of(triples: Iterable[ox.Triple]) -> Graph:
    """pyoxigraph triples as an rdflib graph with the project's prefixes bound."""
    graph = _new_graph()
    for triple in triples:
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return graph


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store the settings name: in memory, a directory, or a SPARQL 1.1 server's URL."""
    if settings.store_is_memory:
        return OxigraphStore(None)
    if settings.store_is_remote:
        from helsegraf.remote import RemoteStore  # remote imports this module

        return RemoteStore(settings, read_only=read_only)
    return OxigraphStore(Path(settings.store), read_only=read_only)


__all__: Sequence[str] = [
    "ExportFormat",
    "OxigraphStore",
    "QueryFormError",
    "QuerySyntaxError",
    "SelectResult",
    "Store",
    "StoreError",
    "open_store",
    "query_form",
]
