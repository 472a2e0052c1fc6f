"""The store contract: the same behaviour from every backend.

Today the embedded pyoxigraph store (in memory and on disk) is the only backend; the remote
SPARQL 1.1 backend joins the ``backend`` parametrisation when it lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from helsegraf.store import (
    ExportFormat,
    OxigraphStore,
    QueryFormError,
    QuerySyntaxError,
    Store,
    query_form,
)

EX = Namespace("https://example.org/")
G1, G2 = EX.g1, EX.g2


def _graph(*triples: tuple[URIRef, URIRef, URIRef | Literal]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@pytest.fixture(params=["memory", "disk"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = OxigraphStore(None if request.param == "memory" else tmp_path / "store")
    store.replace_graphs(
        {
            G1: _graph((EX.a, EX.name, Literal('Å "quoted"', lang="nb")), (EX.a, EX.part, EX.b)),
            G2: _graph((EX.b, EX.name, Literal("B")), (EX.b, EX.year, Literal(1967))),
        }
    )
    yield store
    store.close()


def test_select_sees_the_union_of_named_graphs(backend: Store) -> None:
    result = backend.select("SELECT ?s ?n WHERE { ?s <https://example.org/name> ?n } ORDER BY ?s")
    assert result.variables == ["s", "n"]
    assert result.column("s") == [EX.a, EX.b]
    assert result.column("n") == [Literal('Å "quoted"', lang="nb"), Literal("B")]


def test_bindings_are_joined_as_terms(backend: Store) -> None:
    query = "SELECT ?n WHERE { ?s <https://example.org/name> ?n }"
    assert backend.select(query, {"s": EX.b}).column("n") == [Literal("B")]
    # A hostile string is matched as a literal value, not read as query text.
    hostile = Literal('B" } ; DROP ALL #')
    assert (
        backend.select("SELECT ?s WHERE { ?s <https://example.org/name> ?n }", {"n": hostile}).rows
        == []
    )


def test_ask_construct_and_describe(backend: Store) -> None:
    assert backend.ask("ASK WHERE { ?s <https://example.org/part> ?o }") is True
    assert backend.ask("ASK WHERE { ?s <https://example.org/part> ?o }", {"o": EX.zzz}) is False
    built = backend.construct(
        "CONSTRUCT { ?o <https://example.org/whole> ?s } WHERE { ?s <https://example.org/part> ?o }"
    )
    assert set(built) == {(EX.b, EX.whole, EX.a)}
    described = backend.describe(EX.b)
    assert (EX.a, EX.part, EX.b) in described
    assert (EX.b, EX.name, Literal("B")) in described


def test_wrong_form_and_bad_syntax_are_clear_errors(backend: Store) -> None:
    with pytest.raises(QueryFormError):
        backend.select("ASK { ?s ?p ?o }")
    with pytest.raises(QuerySyntaxError) as err:
        backend.select("SELECT ?s WHERE { ?s ?p }")
    assert str(err.value)


def test_replace_graphs_replaces_only_the_named_graphs(backend: Store) -> None:
    backend.replace_graphs({G2: _graph((EX.c, EX.name, Literal("C")))})
    names = backend.select("SELECT ?n WHERE { ?s <https://example.org/name> ?n } ORDER BY ?n")
    assert names.column("n") == [Literal("C"), Literal('Å "quoted"', lang="nb")]
    assert backend.graph_names() == [G1, G2]


def test_a_failed_publish_leaves_the_store_unchanged(backend: Store) -> None:
    before = backend.export(ExportFormat.NQUADS)
    bad = Graph()
    bad.add((EX.x, EX.name, Literal("fine")))
    # rdflib writes this IRI out verbatim; the store's parser must refuse the whole update.
    bad.add((URIRef("https://example.org/bad iri"), EX.name, Literal("bad")))
    with pytest.raises(Exception, match="unchanged"):
        backend.replace_graphs({G1: Graph(), G2: bad})
    assert backend.export(ExportFormat.NQUADS) == before


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_round_trips(backend: Store, fmt: ExportFormat) -> None:
    data = backend.export(fmt, union=True)
    parsed = Graph().parse(
        data=data,
        format={"nquads": "nquads", "trig": "trig", "turtle": "turtle", "ntriples": "nt"}[
            fmt.value
        ],
    )
    expected = backend.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isomorphic(parsed, expected)


def test_export_keeps_named_graphs(backend: Store) -> None:
    lines = backend.export(ExportFormat.NQUADS).decode().splitlines()
    assert any(line.endswith(f"<{G2}> .") for line in lines)
    assert len(lines) == 4


def test_disk_store_survives_reopening(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs({G1: _graph((EX.a, EX.name, Literal("A")))})
    store.close()
    del store
    reopened = OxigraphStore(tmp_path / "s", read_only=True)
    assert reopened.select("SELECT ?n WHERE { ?s ?p ?n }").column("n") == [Literal("A")]


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX a: <http://a/#>\n# ask me\nASK { ?s ?p ?o }", "ASK"),
        ("base <http://x/> construct where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://a>", "DESCRIBE"),
        ("   ", ""),
    ],
)
def test_query_form(query: str, form: str) -> None:
    assert query_form(query) == form
