"""The scalable gate (SHACL compiled to SPARQL) against pySHACL, the reference.

Both run on the real graph and on every crafted example of ``tests/data/shapes``; they must
give the same verdict and the same results as (focus node, constraint component, shape,
path). A result only one of them reports fails the test, so the compiled gate can neither
miss a violation pySHACL finds nor invent one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from helsegraf import fastgate, gate
from helsegraf.build import Build

DATA = Path(__file__).parent / "data" / "shapes"
EXAMPLES = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))

Result = tuple[str, str, str, str]


def _results(report: gate.GateReport) -> set[Result]:
    return {(v.focus, v.constraint, v.shape, v.path) for v in report.violations}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return gate.load_ontology()


@pytest.fixture(scope="module")
def checks() -> list[fastgate.Check]:
    return fastgate.compile_shapes()


@pytest.mark.parametrize("file", EXAMPLES, ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_same_results_as_pyshacl(file: Path, ontology: Graph, checks: list[fastgate.Check]) -> None:
    data = Graph().parse(file, format="turtle")
    reference = gate.validate(data + ontology, ontology=Graph())
    compiled = fastgate.validate(data, ontology=ontology)
    assert compiled.conforms == reference.conforms
    assert _results(compiled) == _results(reference), (
        f"\nonly pySHACL: {sorted(_results(reference) - _results(compiled))}"
        f"\nonly compiled: {sorted(_results(compiled) - _results(reference))}"
    )


def test_same_verdict_on_the_real_graph(built: Build) -> None:
    data = built.data()
    ontology = built.graphs[next(n for n in built.graphs if str(n).endswith("/ontology"))]
    compiled = fastgate.validate(data, ontology=ontology)
    reference = gate.validate(data, ontology=ontology)
    assert compiled.conforms is reference.conforms is True


def test_messages_are_filled_in(ontology: Graph) -> None:
    file = next(
        f for f in (DATA / "invalid").glob("*.ttl") if "unique" in f.stem or "position" in f.stem
    )
    report = fastgate.validate(Graph().parse(file, format="turtle"), ontology=ontology)
    assert report.violations
    for violation in report.violations:
        assert violation.message
        assert "{?" not in violation.message
        assert "{$" not in violation.message


def test_an_unknown_component_is_refused_not_skipped() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:uniqueLang true ] .
        """,
        format="turtle",
    )
    with pytest.raises(fastgate.Unsupported):
        fastgate.compile_shapes(shapes)
