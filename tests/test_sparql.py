"""Binding request values into SPARQL as terms: never as query text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from helsegraf.sparql import BindingError, bind
from helsegraf.terms import Term

QUERY = "PREFIX ex: <https://example.org/>\nSELECT ?s WHERE { ?s ex:p ?o }"


def _store() -> ox.Store:
    store = ox.Store()
    ex = "https://example.org/"
    for s, o in [("a", ox.Literal("x")), ("b", ox.Literal('x" } ; DROP ALL #'))]:
        store.add(ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(ex + "p"), o))
    return store


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Literal("x"), ["https://example.org/a"]),
        (Literal('x" } ; DROP ALL #'), ["https://example.org/b"]),
        (Literal("x", lang="nb"), []),
        (Literal("nothing\n}"), []),
    ],
)
def test_bound_literals_match_as_values(value: Term, expected: list[str]) -> None:
    rows = _store().query(bind(QUERY, {"o": value}))
    assert isinstance(rows, ox.QuerySolutions)
    assert sorted(str(r["s"].value) for r in rows) == expected


def test_binding_goes_into_the_outer_where_not_a_comment() -> None:
    query = "# a WHERE { in a comment\nSELECT ?s WHERE { ?s ?p ?o }"
    bound = bind(query, {"o": Literal(1967, datatype=XSD.gYear)})
    assert bound.startswith("# a WHERE { in a comment\nSELECT ?s WHERE { VALUES (?o)")
    assert '"1967"^^<http://www.w3.org/2001/XMLSchema#gYear>' in bound


@pytest.mark.parametrize(
    ("bindings", "message"),
    [
        ({"o": URIRef("http://x> } ; DROP ALL #")}, "not a valid IRI"),
        ({"o": URIRef("not an iri")}, "not a valid IRI"),
        ({"o) { (1) } ?x": Literal("1")}, "not a SPARQL variable name"),
    ],
)
def test_invalid_bindings_are_refused(bindings: dict[str, Term], message: str) -> None:
    with pytest.raises(BindingError, match=message):
        bind(QUERY, bindings)


def test_a_query_without_where_cannot_take_parameters() -> None:
    with pytest.raises(BindingError, match="WHERE"):
        bind("ASK { ?s ?p ?o }", {"o": Literal("x")})
    assert bind("ASK { ?s ?p ?o }", {}) == "ASK { ?s ?p ?o }"
