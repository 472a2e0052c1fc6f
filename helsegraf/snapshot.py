"""The committed snapshot of the facts extracted from the helsedata.no listing.

The repository holds no sentence of the listing, so a fresh machine without the listing
loads this file instead: the loader's output with every *prose* statement removed
(descriptions and the quoted source sentences), as sorted N-Triples so that a regenerated
snapshot diffs line by line. ``make snapshot`` regenerates it; a test checks that it equals
the loader's output on the listing.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from helsegraf import paths
from helsegraf.namespaces import DCTERMS, HG

#: Predicates whose objects are text of the listing, kept out of the repository.
PROSE_PREDICATES: frozenset[URIRef] = frozenset({DCTERMS.description, HG.quote})


def facts_only(graph: Graph) -> Graph:
    """``graph`` without its prose statements."""
    facts = Graph()
    for triple in graph:
        if triple[1] not in PROSE_PREDICATES:
            facts.add(triple)
    return facts


def serialise(graph: Graph) -> str:
    """The facts of ``graph`` as sorted N-Triples."""
    lines = facts_only(graph).serialize(format="nt").splitlines()
    return "".join(sorted(f"{line}\n" for line in lines if line.strip()))


def write(graph: Graph, path: Path = paths.SNAPSHOT_FILE) -> int:
    """Write the snapshot; the number of triples written."""
    text = serialise(graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def read(path: Path = paths.SNAPSHOT_FILE) -> Graph:
    """The committed snapshot as a graph."""
    graph = Graph()
    graph.parse(path, format="nt")
    return graph


def listed_count(graph: Graph) -> int:
    """How many listed sources a facts graph describes."""
    return len(set(graph.subjects(HG.listingPosition, None)))
