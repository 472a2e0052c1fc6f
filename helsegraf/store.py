"""The store: one small interface, chosen at start-up from settings (DESIGN.md section 2).

:class:`Store` is what the CLI, the named queries and (later) the api talk to. It has two
implementations: :class:`OxigraphStore`, an embedded pyoxigraph store on disk or in memory,
and :class:`helsegraf.remote.RemoteStore`, a SPARQL 1.1 server (:func:`open_store` picks one).

Queries see the union of the named graphs. Writes go through :meth:`Store.replace_graphs`
only, which swaps a set of named graphs in one transaction so that a reader sees either the
old graphs or the new ones, never a mix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef

from helsegraf.namespaces import PREFIXES
from helsegraf.settings import Settings
from helsegraf.sparql import bind
from helsegraf.terms import Term, to_oxigraph, to_rdflib


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


def data_directory(root: Path) -> Path:
    """The RocksDB directory that holds the published graph of the store at ``root``.

    A store directory holds either the database itself (the layout of small loads), or
    generations: ``gen-*`` directories and a ``current`` link naming the published one.
    A bulk publish writes and validates a whole new generation beside the old one and then
    moves the link in one ``rename``, so readers see the old graph or the new one, and a
    publish killed half-way leaves only an unlinked directory behind.
    """
    link = root / CURRENT_LINK
    if link.is_symlink():
        return root / link.readlink()
    return root


class OxigraphStore:
    """The embedded store: pyoxigraph, on disk (a directory) or in memory."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self._db: ox.Store | None = None
        directory = None if path is None else data_directory(path)
        try:
            if directory is None:
                self._db = ox.Store()
            elif read_only:
                self._db = ox.Store.read_only(str(directory))
            else:
                directory.mkdir(parents=True, exist_ok=True)
                self._db = ox.Store(str(directory))
        except OSError as err:
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
        except OSError as err:  # pragma: no cover - disk failure
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
        """Swap the named graphs in one SPARQL Update, which pyoxigraph runs as one transaction.

        Every term is checked (as a pyoxigraph term) before anything is sent, so an invalid
        IRI in the data refuses the whole publish and the store keeps what it had.
        """
        try:
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
                self._live().flush()
        except (SyntaxError, OSError, ValueError, TypeError) as err:
            raise StoreError(f"publishing failed, the store is unchanged: {err}") from err

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
        """Flush and release the database now, not whenever the garbage collector runs.

        pyoxigraph has no close(); RocksDB is closed when the last reference to the store
        goes. A frame kept alive by a traceback elsewhere can hold this object for a long
        time, so the reference is dropped here explicitly.
        """
        store, self._db = self._db, None
        if store is not None and self.path is not None and not self.read_only:
            store.flush()
        del store

    def _live(self) -> ox.Store:
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db


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
