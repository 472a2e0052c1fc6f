"""Assemble the graph that a load publishes: one named graph per source, plus curation,
reference identifiers and the ontology (DESIGN.md section 1 and docs/data-model.md).

:func:`build` is pure apart from reading the project's own files and the listing path it is
given; :func:`publish` is the only function here that writes to a store, and only after the
SHACL gate has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from helsegraf import gate, paths, snapshot
from helsegraf.loaders.helsedata import ListingWarning, load_listing, parse_curation
from helsegraf.namespaces import GRAPH
from helsegraf.reference import reference_graph
from helsegraf.store import Store

ONTOLOGY_GRAPH = GRAPH.ontology
HELSEDATA_GRAPH = GRAPH.helsedata
CURATION_GRAPH = GRAPH.curation
REFERENCE_GRAPH = GRAPH.reference

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass
class Build:
    """The named graphs of one load, and what the loader had to say."""

    graphs: dict[URIRef, Graph]
    origin: str
    warnings: list[ListingWarning] = field(default_factory=list)
    listed: int = 0

    def data(self) -> Graph:
        """Everything but the ontology: what the shapes check."""
        data = Graph()
        for name, graph in self.graphs.items():
            if name != ONTOLOGY_GRAPH:
                data += graph
        return data


def load_curation(directory: Path = paths.CURATION_DIR) -> Graph:
    """The project-authored curation (``data/curation/*.ttl``)."""
    return parse_curation(sorted(directory.glob("*.ttl")))


def build(
    listing: Path | None,
    *,
    curation_dir: Path = paths.CURATION_DIR,
    progress: Progress = _quiet,
) -> Build:
    """Build the graphs from the listing at ``listing``, or from the committed snapshot.

    With ``listing=None`` the committed facts snapshot is used (no prose: a fresh machine
    without the listing still gets every fact).
    """
    curation = load_curation(curation_dir)
    progress(f"curation: {len(curation)} triples from {curation_dir}")
    graphs: dict[URIRef, Graph] = {
        ONTOLOGY_GRAPH: gate.load_ontology(),
        CURATION_GRAPH: curation,
        REFERENCE_GRAPH: reference_graph(),
    }
    if listing is None:
        graphs[HELSEDATA_GRAPH] = snapshot.read()
        listed = snapshot.listed_count(graphs[HELSEDATA_GRAPH])
        progress(f"helsedata.no facts: {len(graphs[HELSEDATA_GRAPH])} triples from the snapshot")
        return Build(graphs, origin=str(paths.SNAPSHOT_FILE), listed=listed)
    text = read_listing(listing)
    result = load_listing(text, curation)
    graphs[HELSEDATA_GRAPH] = result.graph
    progress(
        f"helsedata.no listing: {len(result.listed)} sources, {len(result.graph)} triples "
        f"from {listing}"
    )
    return Build(graphs, origin=str(listing), warnings=result.warnings, listed=len(result.listed))


def read_listing(path: Path) -> str:
    """The listing's text; bytes that are not UTF-8 become U+FFFD (the loader warns)."""
    return path.read_bytes().decode("utf-8", errors="replace")


def check(built: Build, *, engine: str = "sparql") -> gate.GateReport:
    """Run the gate over a build: a build with no data source fails before SHACL runs.

    An empty graph conforms to every shape, so without this rule a load of the wrong file
    (or of an empty one) would replace the published graph with nothing.

    ``engine`` is ``sparql`` (the shapes compiled to SPARQL, :mod:`helsegraf.fastgate`; it
    scales) or ``pyshacl`` (the reference implementation, which the tests compare it with).
    """
    if built.listed == 0:
        empty = gate.Violation(
            focus=built.origin,
            path="",
            constraint="no data sources",
            message="no data source was found here; a load must publish at least one",
        )
        return gate.GateReport(conforms=False, violations=[empty])
    if engine == "pyshacl":
        return gate.validate(built.data(), ontology=built.graphs[ONTOLOGY_GRAPH])
    from helsegraf import fastgate

    return fastgate.validate(built.data(), ontology=built.graphs[ONTOLOGY_GRAPH])


def publish(store: Store, built: Build) -> None:
    """Replace the store's graphs by the build's, in one transaction."""
    store.replace_graphs(built.graphs)
