"""The synthetic catalogs the benchmarks use are valid helsegraf graphs of the stated size."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from bench.generate import graphs, write_ntriples
from helsegraf import fastgate, gate
from helsegraf.namespaces import DCAT, GRAPH, RDF


def test_a_small_catalog_passes_both_gates() -> None:
    named = graphs(120)
    ontology = named[URIRef(str(GRAPH.ontology))]
    data = Graph()
    for name, graph in named.items():
        if name != URIRef(str(GRAPH.ontology)):
            data += graph
    assert len(set(data.subjects(RDF.type, DCAT.Dataset))) == 120
    assert fastgate.validate(data, ontology=ontology).conforms
    reference = gate.validate(data, ontology=ontology)
    assert reference.conforms, reference.text()


def test_between_20_and_30_triples_per_source(tmp_path: Path) -> None:
    count = write_ntriples(2000, tmp_path / "catalog.nt")
    assert 20 * 2000 <= count <= 30 * 2000
    streamed = Graph().parse(tmp_path / "catalog.nt", format="nt")
    assert len(streamed) == count
    assert set(streamed) == set(graphs(2000)[URIRef(str(GRAPH.helsedata))])
