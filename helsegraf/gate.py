"""The SHACL gate: nothing is published unless ontology + data + curation conform.

:func:`validate` runs pySHACL with the project's shapes (``shapes/*.ttl``) over the data
graph together with the ontology, so that ``sh:targetClass dcat:Dataset`` reaches every kind
of data source through ``rdfs:subClassOf`` (SHACL 1.0 section 2.1.3.2) and concept-scheme
membership is visible. The report lists each result as *node, rule, message* so a curator
can see what to fix.

The ontology is merged here rather than passed as pySHACL's ``ont_graph``: pySHACL 0.40
"inoculates" an ont_graph by cloning each blank-node structure recursively, which takes
minutes on OWL axioms such as ``owl:AllDisjointClasses`` lists; a plain union takes
milliseconds and gives the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.term import Node

from helsegraf import paths
from helsegraf.namespaces import SH


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result, in words."""

    focus: str
    path: str
    constraint: str
    message: str
    value: str = ""
    severity: str = "Violation"
    shape: str = ""

    def line(self) -> str:
        """One line for a terminal: node, rule, message."""
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}{value} [{self.constraint}]"


@dataclass
class GateReport:
    """The gate's verdict and its findings, sorted by focus node."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self) -> str:
        """A readable report; one line per result."""
        if self.conforms:
            return "The graph conforms to the shapes."
        lines = [f"The graph does not conform: {len(self.violations)} result(s)."]
        lines.extend("  " + v.line() for v in self.violations)
        return "\n".join(lines)

    @property
    def focus_nodes(self) -> set[str]:
        """Every node that failed a shape."""
        return {v.focus for v in self.violations}


def load_rdf(files: Iterable[Path]) -> Graph:
    """Parse Turtle files into one graph."""
    graph = Graph()
    for file in sorted(files):
        graph.parse(file, format="turtle")
    return graph


def load_shapes(directory: Path = paths.SHAPES_DIR) -> Graph:
    """The project's SHACL shapes."""
    return load_rdf(directory.glob("*.ttl"))


def load_ontology(file: Path = paths.ONTOLOGY_FILE) -> Graph:
    """The helsegraf ontology."""
    return load_rdf([file])


def short_name(node: Node | None, graph: Graph) -> str:
    """A node as the report shows it: a prefixed name when the graph knows the prefix."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except (ValueError, KeyError):
            return str(node)
    return str(node)


def validate(
    data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None
) -> GateReport:
    """Validate ``data`` against the shapes; the ontology supplies the class hierarchy."""
    shapes = load_shapes() if shapes is None else shapes
    ontology = load_ontology() if ontology is None else ontology
    merged = Graph()
    merged += data
    merged += ontology
    conforms, results, _text = pyshacl_validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    violations: list[Violation] = []
    for result in results.subjects(SH.resultSeverity, None):
        severity = results.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=str(results.value(result, SH.focusNode)),
                path=short_name(results.value(result, SH.resultPath), shapes),
                constraint=short_name(results.value(result, SH.sourceConstraintComponent), shapes),
                message=str(results.value(result, SH.resultMessage) or ""),
                value=short_name(results.value(result, SH.value), shapes),
                severity=short_name(severity, shapes).removeprefix("sh:"),
                shape=short_name(results.value(result, SH.sourceShape), shapes),
            )
        )
    return GateReport(conforms=bool(conforms), violations=sorted(violations))
