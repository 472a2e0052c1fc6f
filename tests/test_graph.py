"""The real graph: built from the real listing, it passes the gate, matches the committed
snapshot, keeps the listing's prose out of the repository, and uses only declared terms."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from helsegraf import snapshot
from helsegraf.build import HELSEDATA_GRAPH, ONTOLOGY_GRAPH, Build, check
from helsegraf.namespaces import DCTERMS, HELSEDATA_LISTING, HG
from helsegraf.store import OxigraphStore


def test_the_real_graph_passes_the_gate(built: Build) -> None:
    report = check(built)
    assert report.conforms, report.text()


def test_the_committed_snapshot_matches_the_loader(built: Build) -> None:
    expected = snapshot.serialise(built.graphs[HELSEDATA_GRAPH]).splitlines()
    committed = snapshot.paths.SNAPSHOT_FILE.read_text(encoding="utf-8").splitlines()
    diff = list(difflib.unified_diff(committed, expected, "committed", "loader", lineterm="", n=0))
    assert not diff, "the snapshot is stale; run 'make snapshot'\n" + "\n".join(diff[:40])


def _sentences(listing: str) -> set[str]:
    found = set()
    for line in listing.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", line.strip(" •\t")):
            sentence = " ".join(sentence.split())
            if len(sentence) >= 50:
                found.add(sentence)
    return found


def test_the_snapshot_holds_no_prose(listing_path: Path) -> None:
    facts = snapshot.read()
    assert not set(facts.predicates()) & snapshot.PROSE_PREDICATES
    # Names are facts: a title may be as long as a sentence.
    names = {str(o) for p in (DCTERMS.title, SKOS.altLabel) for o in facts.objects(None, p)}
    text = " ".join(snapshot.paths.SNAPSHOT_FILE.read_text(encoding="utf-8").split())
    sentences = _sentences(listing_path.read_text(encoding="utf-8")) - names
    assert [s for s in sentences if s in text] == []


def test_prose_is_loaded_with_the_listing(built: Build, listing_path: Path) -> None:
    data = built.graphs[HELSEDATA_GRAPH]
    lines = listing_path.read_text(encoding="utf-8").splitlines()
    quotes = list(data.subject_objects(HG.quote))
    assert quotes, "no source sentence was kept for any fact"
    for node, quote in quotes:
        line = data.value(node, HG.sourceLine)
        assert isinstance(line, Literal)
        source = " ".join(lines[int(line) - 1].split())
        assert " ".join(str(quote).split()) in source, (node, int(line))
    described = set(data.subjects(DCTERMS.description, None))
    assert len(described & set(data.subjects(HG.listingPosition, None))) == 83


def test_every_listed_source_names_the_listing(built: Build) -> None:
    data = built.graphs[HELSEDATA_GRAPH]
    for source in data.subjects(HG.listingPosition, None):
        assert (source, DCTERMS.source, URIRef(HELSEDATA_LISTING)) in data, source


def test_every_hg_term_used_is_declared_in_the_ontology(built: Build) -> None:
    ontology = built.graphs[ONTOLOGY_GRAPH]
    declared = {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(str(HG))
    }
    used: set[URIRef] = set()
    for name, graph in built.graphs.items():
        if name == ONTOLOGY_GRAPH:
            continue
        for triple in graph:
            used.update(t for t in triple if isinstance(t, URIRef) and str(t).startswith(str(HG)))
    undeclared = sorted(used - declared)
    assert undeclared == [], undeclared
    for term in declared:
        assert (
            ontology.value(term, RDFS.label) is not None
            or (term, RDF.type, OWL.Ontology) in ontology
        )


def test_publish_stores_every_graph_whole(built: Build, store: OxigraphStore) -> None:
    """What the store answers is what the gate saw: the same triple count in every graph."""
    for name, graph in built.graphs.items():
        count = store.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name}
        ).column("n")
        assert [int(c) for c in count] == [len(graph)], name
