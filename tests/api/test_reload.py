"""A server picks up a graph published while it runs, between queries, without a restart."""

from __future__ import annotations

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests.conftest import Stores
from tests.live import serve

COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a dcat:Dataset }"


def _graph(count: int) -> Graph:
    graph = Graph()
    for i in range(count):
        source = URIRef(f"https://w3id.org/helsegraf/id/dataset/test-{i}")
        graph.add((source, RDF.type, DCAT.Dataset))
        graph.add((source, DCTERMS.title, Literal(f"Test {i}", lang="nb")))
    return graph


def _count(url: str) -> int:
    response = httpx.get(f"{url}/sparql", params={"query": COUNT, "format": "json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_publish_while_serving_is_seen_by_the_next_query(new_store: Stores) -> None:
    name = URIRef("https://w3id.org/helsegraf/graph/helsedata")
    target = new_store.new()
    writer = target.open()
    writer.replace_graphs({name: _graph(3)})
    writer.close()
    with serve(target.location, **target.environment()) as url:
        assert _count(url) == 3
        for size in (7, 2, 11):
            writer = target.open()
            writer.replace_graphs({name: _graph(size)})
            writer.close()
            # both workers must see it: ask more times than there are workers
            assert [_count(url) for _ in range(4)] == [size] * 4
