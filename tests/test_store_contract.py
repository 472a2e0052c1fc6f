"""The store contract: one set of tests, the same answers from every backend.

Each test runs against

- ``embedded``: the pyoxigraph store in this process;
- ``oxigraph-server``: a :class:`~helsegraf.remote.RemoteStore` on a real ``oxigraph serve``
  (started by :mod:`tests.oxigraph_server` with ``--union-default-graph``), publishing with
  one SPARQL Update;
- ``oxigraph-server-gsp``: the same, publishing with Graph Store Protocol PUTs.

The remote cases fail in CI when the server cannot start; they are never skipped there.
Behaviour only the remote backend has (a server that is down, slow or unreachable,
credentials, a server without a union default graph) is in ``test_remote_store.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from helsegraf.build import Build, publish
from helsegraf.namespaces import RDF
from helsegraf.queries import NamedQuery, load_registry
from helsegraf.remote import RemoteStore
from helsegraf.store import (
    ExportFormat,
    OxigraphStore,
    QueryFormError,
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
)
from tests.oxigraph_server import OxigraphServer, running

EX = Namespace("https://example.org/")
G1, G2 = EX.g1, EX.g2
BACKENDS = ["embedded", "oxigraph-server", "oxigraph-server-gsp"]
REGISTRY = load_registry()
RDFLIB_FORMATS = {"nquads": "nquads", "trig": "trig", "turtle": "turtle", "ntriples": "nt"}


def _graph(*triples: tuple[URIRef, URIRef, URIRef | Literal]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _sample() -> dict[URIRef, Graph]:
    """Two graphs; ``ex:a ex:part ex:b`` in one and ``ex:b``'s name in the other."""
    return {
        G1: _graph(
            (EX.a, EX.name, Literal('Å "quoted"', lang="nb")),
            (EX.a, EX.part, EX.b),
            (EX.a, RDF.type, EX.Thing),
        ),
        G2: _graph((EX.b, EX.name, Literal("B")), (EX.b, EX.year, Literal(1967))),
    }


@dataclass
class Backend:
    """A store under test and what its publishing promises."""

    name: str
    store: Store
    #: True when one publish replaces all its graphs in one transaction (not GSP: per graph).
    atomic_across_graphs: bool


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One in-memory ``oxigraph serve`` for this module's scratch tests (cleared per test)."""
    with running(None, tmp_path_factory.mktemp("oxigraph")) as started:
        yield started


def _open(name: str, request: pytest.FixtureRequest) -> Backend:
    if name == "embedded":
        return Backend(name, OxigraphStore(None), atomic_across_graphs=True)
    server: OxigraphServer = request.getfixturevalue("server")
    server.clear()
    gsp = name.endswith("-gsp")
    return Backend(name, RemoteStore(server.settings(gsp=gsp)), atomic_across_graphs=not gsp)


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """A backend holding nothing."""
    backend = _open(request.param, request)
    yield backend
    backend.store.close()


@pytest.fixture
def backend(empty: Backend) -> Backend:
    """A backend holding :func:`_sample`."""
    empty.store.replace_graphs(_sample())
    return empty


def _quads(store: Store) -> set[str]:
    """The store's N-Quads lines, as a set (the order of an export is not part of the contract)."""
    return set(store.export(ExportFormat.NQUADS).decode("utf-8").splitlines())


# -- queries --------------------------------------------------------------------------------------


def test_select_sees_the_union_of_named_graphs(backend: Backend) -> None:
    result = backend.store.select(
        "SELECT ?s ?n WHERE { ?s <https://example.org/name> ?n } ORDER BY ?s"
    )
    assert result.variables == ["s", "n"]
    assert result.column("s") == [EX.a, EX.b]
    assert result.column("n") == [Literal('Å "quoted"', lang="nb"), Literal("B")]


def test_a_join_spans_graphs(backend: Backend) -> None:
    # ex:part is in one graph and ex:b's name in the other: a store that ran each pattern
    # inside one GRAPH ?g would find nothing here.
    result = backend.store.select(
        "SELECT ?n WHERE { ?a <https://example.org/part> ?b . ?b <https://example.org/name> ?n }"
    )
    assert result.column("n") == [Literal("B")]


def test_helsegraf_prefixes_need_no_declaration(backend: Backend) -> None:
    result = backend.store.select("SELECT ?s WHERE { ?s rdf:type ?t }")
    assert result.column("s") == [EX.a]
    # A query that declares a prefix itself keeps its own meaning.
    own = "PREFIX rdf: <https://example.org/> SELECT ?s WHERE { ?s rdf:name ?n } ORDER BY ?s"
    assert backend.store.select(own).column("s") == [EX.a, EX.b]


def test_bindings_are_joined_as_terms(backend: Backend) -> None:
    store = backend.store
    query = "SELECT ?n WHERE { ?s <https://example.org/name> ?n }"
    assert store.select(query, {"s": EX.b}).column("n") == [Literal("B")]
    by_name = "SELECT ?s WHERE { ?s <https://example.org/name> ?n }"
    assert store.select(by_name, {"n": Literal('Å "quoted"', lang="nb")}).column("s") == [EX.a]
    year = "SELECT ?s WHERE { ?s <https://example.org/year> ?y }"
    assert store.select(year, {"y": Literal(1967)}).column("s") == [EX.b]
    assert store.select(year, {"y": Literal("1967")}).rows == []  # a string is not an integer
    # A hostile string is matched as a literal value, not read as query text.
    hostile = Literal('B" } ; DROP ALL #')
    assert store.select(by_name, {"n": hostile}).rows == []
    assert len(_quads(store)) == 5


def test_ask_construct_and_describe(backend: Backend) -> None:
    store = backend.store
    assert store.ask("ASK WHERE { ?s <https://example.org/part> ?o }") is True
    assert store.ask("ASK WHERE { ?s <https://example.org/part> ?o }", {"o": EX.zzz}) is False
    built = store.construct(
        "CONSTRUCT { ?o <https://example.org/whole> ?s } WHERE { ?s <https://example.org/part> ?o }"
    )
    assert set(built) == {(EX.b, EX.whole, EX.a)}
    chosen = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": EX.b, "p": EX.year})
    assert set(chosen) == {(EX.b, EX.year, Literal(1967))}
    described = store.describe(EX.b)
    assert set(described) == {
        (EX.a, EX.part, EX.b),
        (EX.b, EX.name, Literal("B")),
        (EX.b, EX.year, Literal(1967)),
    }


def test_wrong_form_is_a_clear_error(backend: Backend) -> None:
    with pytest.raises(QueryFormError):
        backend.store.select("ASK { ?s ?p ?o }")
    with pytest.raises(QueryFormError):
        backend.store.ask("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryFormError):
        backend.store.construct("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryFormError):
        backend.store.select("CONSTRUCT WHERE { ?s ?p ?o }")


def test_syntax_errors_give_the_parser_message_and_line(backend: Backend) -> None:
    # Both backends are Oxigraph, whose messages say "error at LINE:COLUMN: expected ...".
    with pytest.raises(QuerySyntaxError) as err:
        backend.store.select("SELECT ?s WHERE { ?s ?p }")
    assert re.search(r"\b1:26\b", str(err.value)), err.value
    # The error is on line 2 of the text given, whatever the store adds in front of it.
    with pytest.raises(QuerySyntaxError) as err:
        backend.store.select("SELECT ?s\nWHERE { ?s rdf:type ?t . ?s ?p }")
    assert re.search(r"\b2:33\b", str(err.value)), err.value


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "PREFIX ex: <https://example.org/>\n# looks harmless\nDELETE WHERE { ?s ?p ?o }",
        "CLEAR GRAPH <https://example.org/g1>",
    ],
)
def test_an_update_is_never_run_as_a_query(backend: Backend, update: str) -> None:
    before = _quads(backend.store)
    with pytest.raises(QuerySyntaxError):
        backend.store.select(update)
    assert _quads(backend.store) == before


# -- publishing -----------------------------------------------------------------------------------


def test_replace_graphs_replaces_only_the_named_graphs(backend: Backend) -> None:
    store = backend.store
    store.replace_graphs({G2: _graph((EX.c, EX.name, Literal("C")))})
    names = store.select("SELECT ?n WHERE { ?s <https://example.org/name> ?n } ORDER BY ?n")
    assert names.column("n") == [Literal("C"), Literal('Å "quoted"', lang="nb")]
    assert store.graph_names() == [G1, G2]
    assert f"<{EX.b}> <{EX.year}> " not in "".join(_quads(store))


def test_an_empty_graph_removes_the_graph(backend: Backend) -> None:
    backend.store.replace_graphs({G2: Graph()})
    assert backend.store.graph_names() == [G1]
    assert backend.store.select("SELECT ?y WHERE { ?s <https://example.org/year> ?y }").rows == []


def test_an_invalid_iri_refuses_the_whole_publish(backend: Backend) -> None:
    before = _quads(backend.store)
    bad = Graph()
    bad.add((EX.x, EX.name, Literal("fine")))
    # rdflib accepts this IRI and would write it out verbatim; the store must refuse it
    # before anything changes, the valid graph in the same publish included.
    bad.add((URIRef("https://example.org/bad iri"), EX.name, Literal("bad")))
    with pytest.raises(StoreError, match="unchanged"):
        backend.store.replace_graphs({G1: _graph((EX.new, EX.name, Literal("new"))), G2: bad})
    assert _quads(backend.store) == before


def test_blank_nodes_keep_their_identity_in_a_large_publish(empty: Backend) -> None:
    # More triples than one update operation carries (the remote store batches them), with
    # each blank node's triples apart in the graph's order and pairs of blank nodes linked.
    size = 700
    graph = Graph()
    nodes = [BNode() for _ in range(size)]
    for i, node in enumerate(nodes):
        graph.add((EX[f"s{i}"], EX.period, node))
        graph.add((node, EX.start, Literal(1900 + i)))
        graph.add((node, EX.end, Literal(1901 + i)))
        if i % 2:
            graph.add((nodes[i - 1], EX.next, node))
    empty.store.replace_graphs({G1: graph})
    # A blank node split in two would lose the joins through it.
    spans = empty.store.select(
        "PREFIX ex: <https://example.org/> "
        "SELECT ?s ?start ?end WHERE { ?s ex:period ?b . ?b ex:start ?start ; ex:end ?end }"
    )
    found = {(row["s"], row["start"].toPython(), row["end"].toPython()) for row in spans.rows}
    assert found == {(EX[f"s{i}"], 1900 + i, 1901 + i) for i in range(size)}
    pairs = empty.store.select(
        "PREFIX ex: <https://example.org/> "
        "SELECT ?a ?b WHERE { ?a ex:period ?x . ?x ex:next ?y . ?b ex:period ?y }"
    )
    linked = {(row["a"], row["b"]) for row in pairs.rows}
    assert linked == {(EX[f"s{i - 1}"], EX[f"s{i}"]) for i in range(1, size, 2)}
    assert len(empty.store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows) == len(graph)


def _version(tag: str, size: int) -> Graph:
    graph = Graph()
    for i in range(size):
        graph.add((EX[f"{tag}{i}"], EX.value, Literal(i)))
    return graph


#: Two versions of two graphs; every count identifies one graph's version.
OLD = {G1: 1200, G2: 800}
NEW = {G1: 2000, G2: 500}
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def observe_publishes(store: Store, publishes: int = 8) -> set[tuple[int, int]]:
    """Publish the old and new versions in turn while a thread reads; the counts it saw.

    Each read counts both graphs in one query, so it sees one state of the store. After
    every publish the writer waits for two more reads: the second of them began after the
    publish had returned, so both versions are surely seen, and reads also fall during the
    publishes. A missing graph counts 0 (a DROP seen before its INSERT).
    """
    versions = [
        {name: _version(f"old-{name[-2:]}-", size) for name, size in OLD.items()},
        {name: _version(f"new-{name[-2:]}-", size) for name, size in NEW.items()},
    ]
    store.replace_graphs(versions[0])
    seen: list[tuple[int, int]] = []
    changed = threading.Condition()
    stop = threading.Event()
    failure: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                rows = store.select(COUNTS).rows
                by_graph = {row["g"]: int(row["n"]) for row in rows}  # type: ignore[call-overload]
                with changed:
                    seen.append((by_graph.get(G1, 0), by_graph.get(G2, 0)))
                    changed.notify_all()
        except BaseException as err:  # reported by the writer
            failure.append(err)
            with changed:
                changed.notify_all()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        for number in range(publishes):
            store.replace_graphs(versions[(number + 1) % 2])
            with changed:
                target = len(seen) + 2
                assert changed.wait_for(
                    lambda target=target: len(seen) >= target or bool(failure), timeout=60
                )
            assert not failure, failure
    finally:
        stop.set()
        thread.join(timeout=60)
    return set(seen)


def test_readers_never_see_a_half_published_graph(empty: Backend) -> None:
    seen = observe_publishes(empty.store)
    assert {g1 for g1, _ in seen} <= {OLD[G1], NEW[G1]}, f"a half-published graph: {seen}"
    assert {g2 for _, g2 in seen} <= {OLD[G2], NEW[G2]}, f"a half-published graph: {seen}"
    whole = {(OLD[G1], OLD[G2]), (NEW[G1], NEW[G2])}
    if empty.atomic_across_graphs:
        assert seen == whole
    else:  # GSP: one PUT per graph, so a new graph may be seen beside an old one
        assert whole <= seen


# -- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_round_trips(backend: Backend, fmt: ExportFormat) -> None:
    data = backend.store.export(fmt, union=True)
    parsed = Graph().parse(data=data, format=RDFLIB_FORMATS[fmt.value])
    expected = backend.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(parsed) == 5
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("fmt", [ExportFormat.NQUADS, ExportFormat.TRIG])
def test_export_keeps_named_graphs(backend: Backend, fmt: ExportFormat) -> None:
    dataset = Dataset()
    dataset.parse(data=backend.store.export(fmt), format=RDFLIB_FORMATS[fmt.value])
    for name, graph in _sample().items():
        assert isomorphic(dataset.graph(name), graph)


def test_graph_names(empty: Backend) -> None:
    assert empty.store.graph_names() == []
    empty.store.replace_graphs({G2: _graph((EX.b, EX.name, Literal("B")))})
    assert empty.store.graph_names() == [G2]
    empty.store.replace_graphs(_sample())
    assert empty.store.graph_names() == [G1, G2]


def test_a_closed_store_refuses_work(empty: Backend) -> None:
    empty.store.close()
    with pytest.raises(StoreError, match="closed"):
        empty.store.ask("ASK { ?s ?p ?o }")


# -- the real graph -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def real(
    request: pytest.FixtureRequest, built: Build, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The real built graph, published by :func:`helsegraf.build.publish` into a backend."""
    name: str = request.param
    if name == "embedded":
        store: Store = OxigraphStore(None)
        publish(store, built)
        yield store
        store.close()
        return
    with running(None, tmp_path_factory.mktemp(name)) as server:
        remote = RemoteStore(server.settings(gsp=name.endswith("-gsp")))
        publish(remote, built)
        yield remote


def test_the_real_graph_is_published_whole(real: Store, built: Build) -> None:
    assert real.graph_names() == sorted(built.graphs)
    dataset = Dataset()
    dataset.parse(data=real.export(ExportFormat.NQUADS), format="nquads")
    for name, graph in built.graphs.items():
        published = dataset.graph(name)
        assert len(published) == len(graph), name
        assert to_isomorphic(published) == to_isomorphic(graph), name


def _rows(result: SelectResult) -> list[tuple[str, ...]]:
    """The rows, comparable across stores: blank nodes by kind only (their labels differ)."""

    def text(row: dict[str, object], name: str) -> str:
        value = row.get(name)
        if value is None:
            return ""
        return "_:" if isinstance(value, BNode) else repr(value)

    return sorted(tuple(text(row, name) for name in result.variables) for row in result.rows)  # type: ignore[arg-type]


def _same(answer: object, reference: object) -> None:
    if isinstance(reference, SelectResult):
        assert isinstance(answer, SelectResult)
        assert answer.variables == reference.variables
        assert _rows(answer) == _rows(reference)
    elif isinstance(reference, Graph):
        assert isinstance(answer, Graph)
        assert len(answer) == len(reference)
        assert isomorphic(answer, reference)
    else:
        assert answer == reference


def _examples(query: NamedQuery) -> list[dict[str, str]]:
    """Every example value at once, and only the required parameters' examples."""
    every = {p.name: p.example or "" for p in query.parameters}
    required = {p.name: p.example or "" for p in query.parameters if p.required}
    return [every, required] if every != required else [every]


@pytest.mark.parametrize("name", REGISTRY.names())
def test_named_queries_answer_alike(real: Store, store: OxigraphStore, name: str) -> None:
    """Each named query, with its documented examples, answers as on the reference store."""
    answered = 0
    for params in _examples(REGISTRY.get(name)):
        reference = REGISTRY.run(store, name, params)
        _same(REGISTRY.run(real, name, params), reference)
        answered += bool(reference.rows if isinstance(reference, SelectResult) else reference)
    # the examples are meant to find something: a comparison of two empty answers proves little
    assert answered, f"{name}: the examples find nothing on the reference store"
