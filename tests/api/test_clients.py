"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's SPARQLStore.

The server is ``helsegraf serve`` in a subprocess over the real graph (``live_server``);
answers are compared with the same query run on the store directly.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper import JSONLD as SW_JSONLD

from helsegraf.namespaces import sparql_prologue
from helsegraf.store import Store

SELECT = sparql_prologue() + (
    "SELECT ?s ?title WHERE { ?s a dcat:Dataset ; dct:title ?title . "
    "FILTER(lang(?title) = 'nb') } ORDER BY ?s"
)
ASK = sparql_prologue() + (
    "ASK { ?s dpv:hasDataController <https://w3id.org/helsegraf/id/organisation/helse-bergen-hf> }"
)
CONSTRUCT = sparql_prologue() + (
    "CONSTRUCT { ?s dct:title ?t ; hg:consentRegime ?c } "
    "WHERE { ?s a dcat:Dataset ; dct:title ?t ; hg:consentRegime ?c }"
)


def _wrapper(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    sparql.setTimeout(30)
    return sparql


def _expected(store: Store) -> list[tuple[str, str]]:
    return [(str(r["s"]), str(r["title"])) for r in store.select(SELECT).rows]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(live_server: str, store: Store, method: str) -> None:
    result: Any = _wrapper(live_server, SELECT, JSON, method).queryAndConvert()
    rows = [(b["s"]["value"], b["title"]["value"]) for b in result["results"]["bindings"]]
    assert rows == _expected(store)
    assert len(rows) >= 83


def test_sparqlwrapper_select_xml(live_server: str, store: Store) -> None:
    document: Any = _wrapper(live_server, SELECT, XML).queryAndConvert()
    ns = "http://www.w3.org/2005/sparql-results#"
    rows = []
    for result in document.getElementsByTagNameNS(ns, "result"):
        values = {
            b.getAttribute("name"): b.firstChild.firstChild.data  # <binding><uri|literal>
            for b in result.getElementsByTagNameNS(ns, "binding")
        }
        rows.append((values["s"], values["title"]))
    assert rows == _expected(store)


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_select_csv_tsv(live_server: str, store: Store, fmt: str) -> None:
    raw: Any = _wrapper(live_server, SELECT, fmt).queryAndConvert()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if fmt == CSV:
        rows = [tuple(r) for r in csv.reader(io.StringIO(text))][1:]
        assert rows == _expected(store)
    else:
        lines = text.strip("\n").split("\n")
        assert lines[0].split("\t") == ["?s", "?title"]
        iris = [line.split("\t")[0] for line in lines[1:]]
        assert iris == [f"<{s}>" for s, _ in _expected(store)]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_server: str, store: Store, fmt: str) -> None:
    result: Any = _wrapper(live_server, ASK, fmt).queryAndConvert()
    if fmt == JSON:
        value = result["boolean"]
    else:
        node = result.getElementsByTagName("boolean")[0]
        value = node.firstChild.data == "true"
    assert value is store.ask(ASK) is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, SW_JSONLD])
def test_sparqlwrapper_construct(live_server: str, store: Store, fmt: str) -> None:
    result: Any = _wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(result, Graph):
        graph = result
    else:
        text = result.decode("utf-8") if isinstance(result, bytes) else result
        graph = Graph().parse(
            data=text, format={TURTLE: "turtle", N3: "turtle", SW_JSONLD: "json-ld"}[fmt]
        )
    assert set(graph) == set(store.construct(CONSTRUCT))


def test_sparqlwrapper_reports_a_malformed_query(live_server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as caught:
        _wrapper(live_server, "SELECT ?s WHERE { ?s ?p }", JSON).queryAndConvert()
    assert "error at" in str(caught.value)


def test_rdflib_sparqlstore(live_server: str, store: Store) -> None:
    remote = Graph(store=SPARQLStore(f"{live_server}/sparql", returnFormat="json"))
    rows = [(str(r[0]), str(r[1])) for r in remote.query(SELECT)]  # type: ignore[index]
    assert rows == _expected(store)
    nir = URIRef("https://w3id.org/helsegraf/id/dataset/nir")
    assert set(remote.triples((nir, None, None)))
    assert remote.query(ASK).askAnswer is True
