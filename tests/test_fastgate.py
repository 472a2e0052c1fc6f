"""The scalable gate (SHACL compiled to SPARQL) against pySHACL, the reference.

Both run on the real graph and on every crafted example of ``tests/data/shapes``; they must
give the same verdict and the same results as (focus node, constraint component, shape,
path). A result only one of them reports fails the test, so the compiled gate can neither
miss a violation pySHACL finds nor invent one.

The compiled queries take shortcuts that must not change a result: ``MINUS`` instead of
``FILTER NOT EXISTS`` for ``sh:class``/``sh:in``/``sh:or``, counts grouped per subject before
the focus nodes join, a SHACL-SPARQL constraint's focus joined last when its focus set is
large, checks of an empty focus set skipped. Each is compared with pySHACL here where the
project's shapes and examples do not reach it: every example at once (several checks failing
on one node), shapes with the counts and lists the project does not use, and the same data
spread over named graphs with triples in two of them (as a bulk publish checks it).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from helsegraf import fastgate, gate
from helsegraf.build import Build
from helsegraf.terms import to_oxigraph

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


def _same(compiled: gate.GateReport, reference: gate.GateReport) -> None:
    assert compiled.conforms == reference.conforms
    assert _results(compiled) == _results(reference), (
        f"\nonly pySHACL: {sorted(_results(reference) - _results(compiled))}"
        f"\nonly compiled: {sorted(_results(compiled) - _results(reference))}"
    )


@pytest.mark.parametrize("file", EXAMPLES, ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_same_results_as_pyshacl(
    file: Path, ontology: Graph, checks: list[fastgate.Check], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = Graph().parse(file, format="turtle")
    reference = gate.validate(data + ontology, ontology=Graph())
    compiled = fastgate.validate(data, ontology=ontology)
    _same(compiled, reference)
    monkeypatch.setattr(fastgate, "LARGE_FOCUS", 1)  # the focus joined last
    _same(fastgate.validate(data, ontology=ontology), reference)
    assert fastgate.validate(data, ontology=ontology).violations == compiled.violations


def _every_example() -> Graph:
    """All crafted examples in one graph: their nodes share IRIs (``<dataset/a>`` is in most
    of them), so one node fails several checks, of one shape and of several.

    ``"x"^^xsd:string`` is written ``"x"``: RDF 1.1 makes them one term, as pyoxigraph does,
    but rdflib keeps two, so an organisation number written both ways in two examples would
    be two values to pySHACL (a ``sh:maxCount 1`` result) and one to the compiled gate.
    """
    data = Graph()
    for file in EXAMPLES:
        for s, p, o in Graph().parse(file, format="turtle"):
            if isinstance(o, Literal) and o.datatype == XSD.string:
                o = Literal(str(o))
            data.add((s, p, o))
    return data


@pytest.fixture(scope="module")
def every_example(ontology: Graph) -> tuple[Graph, gate.GateReport]:
    data = _every_example()
    return data, gate.validate(data + ontology, ontology=Graph())


@pytest.fixture(params=["focus first", "focus last"])
def focus_order(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each check with its focus set joined first, and (for every set) joined last."""
    if request.param == "focus last":
        monkeypatch.setattr(fastgate, "LARGE_FOCUS", 1)
    order: str = request.param
    return order


def test_several_failures_on_one_node(
    every_example: tuple[Graph, gate.GateReport],
    ontology: Graph,
    focus_order: str,
) -> None:
    data, reference = every_example
    compiled = fastgate.validate(data, ontology=ontology)
    _same(compiled, reference)
    per_node: dict[str, set[str]] = {}
    for violation in compiled.violations:
        per_node.setdefault(violation.focus, set()).add(violation.shape)
    assert max(len(shapes) for shapes in per_node.values()) >= 5  # the case this test is for


def test_named_graphs_with_shared_triples(
    every_example: tuple[Graph, gate.GateReport],
    ontology: Graph,
    focus_order: str,
) -> None:
    """As a bulk publish checks a store: the union of named graphs, some triples in two."""
    data, reference = every_example
    graphs = [ox.NamedNode(f"urn:example:graph:{i}") for i in range(3)]
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
        for n, (s, p, o) in enumerate(sorted(data) + sorted(ontology))
        for graph in (graphs[n % 3], graphs[(n + n // 3) % 3])
    )
    _same(fastgate.validate_store(store, union=True), reference)


#: Shapes with what the project's shapes do not use: counts above 1 and 0, a qualified
#: maximum of 0, ``sh:in`` of literals and of IRIs on property and node shapes, ``sh:class``
#: through ``rdfs:subClassOf`` on a node shape, ``sh:or`` and ``sh:not`` of classes.
COUNTS_AND_LISTS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:Thing a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:Thing-names , ex:Thing-tag , ex:Thing-note , ex:Thing-friends ,
        ex:Thing-robots , ex:Thing-level , ex:Thing-colour , ex:Thing-owner , ex:Thing-parent .
ex:Thing-names sh:path ex:name ; sh:minCount 2 ; sh:maxCount 3 .
ex:Thing-tag sh:path ex:tag ; sh:maxCount 0 .
ex:Thing-note sh:path ex:note ; sh:minCount 0 .
ex:Thing-friends sh:path ex:friend ; sh:qualifiedValueShape [ sh:class ex:Person ] ;
    sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 3 .
ex:Thing-robots sh:path ex:friend ; sh:qualifiedValueShape [ sh:class ex:Robot ] ;
    sh:qualifiedMaxCount 0 .
ex:Thing-level sh:path ex:level ; sh:in ( "low" "high" 1 ) .
ex:Thing-colour sh:path ex:colour ; sh:in ( ex:Red ex:Green ) .
ex:Thing-owner sh:path ex:owner ; sh:or ( [ sh:class ex:Person ] [ sh:class ex:Company ] ) .
ex:Thing-parent sh:path ex:parent ; sh:class ex:Thing ; sh:not [ sh:class ex:Robot ] .

ex:Coloured a sh:NodeShape ; sh:targetSubjectsOf ex:colour ; sh:class ex:Thing .
ex:Colour a sh:NodeShape ; sh:targetObjectsOf ex:colour ; sh:in ( ex:Red ex:Green ex:Blue ) .
"""

COUNTS_AND_LISTS_DATA = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Student rdfs:subClassOf ex:Person .
ex:Cyborg rdfs:subClassOf ex:Robot , ex:Person .
ex:SmallThing rdfs:subClassOf ex:Thing .
ex:p1 a ex:Person . ex:p2 a ex:Person . ex:s1 a ex:Student . ex:r1 a ex:Robot .
ex:c1 a ex:Cyborg . ex:co a ex:Company .

ex:a a ex:Thing , ex:SmallThing ; ex:name "a" ; ex:tag "t" ; ex:friend ex:p1 , ex:r1 , "p1" ;
    ex:level "medium" , 1 , "1" ; ex:colour ex:Blue , ex:Red ; ex:owner ex:r1 , ex:co , "x" ;
    ex:parent ex:b , ex:nobody .
ex:b a ex:Thing , ex:Robot ; ex:name "b1" , "b2" , "b3" , "b4" ;
    ex:friend ex:p1 , ex:s1 , ex:c1 , ex:p2 ; ex:level "low" , "high"@en ;
    ex:owner ex:s1 , ex:c1 ; ex:parent ex:a , ex:b .
ex:c a ex:SmallThing ; ex:name "c1" , "c2" ; ex:friend ex:s1 , ex:p2 ; ex:colour ex:Purple .
ex:d ex:colour ex:Green ; ex:name "d" .
ex:e a ex:Thing ; ex:name "e1" , "e1"@nb , "e2" ; ex:friend ex:p1 , ex:p1 , ex:s1 ;
    ex:note "n" ; ex:level 1 , "01"^^xsd:integer .
"""


def test_counts_and_lists_the_project_does_not_use(focus_order: str) -> None:
    shapes = Graph().parse(data=COUNTS_AND_LISTS, format="turtle")
    data = Graph().parse(data=COUNTS_AND_LISTS_DATA, format="turtle")
    reference = gate.validate(data, shapes=shapes, ontology=Graph())
    compiled = fastgate.validate(data, ontology=Graph(), shapes=shapes)
    _same(compiled, reference)
    components = {v.constraint.removeprefix("sh:") for v in compiled.violations}
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "QualifiedMaxCountConstraintComponent",
        "InConstraintComponent",
        "OrConstraintComponent",
        "NotConstraintComponent",
        "ClassConstraintComponent",
    } <= components


SPARQL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:Joins a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:select \"\"\"
        SELECT $this ?value WHERE {
            { $this <http://example.org/p#value> ?value } $this ex:bind ?optional .
            # a comment with a brace }
            FILTER (?value != "}" && ?value != '}')
            FILTER NOT EXISTS { ?value ex:q $this OPTIONAL { $this ex:r ?x } BIND(1 AS ?y) }
        }\"\"\" ] .
ex:Optional a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:select "SELECT $this WHERE { OPTIONAL { $this ex:p ?v } FILTER(!BOUND(?v)) }" ] .
ex:Bind a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { BIND($this AS ?value) }" ] .
ex:Minus a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:select "SELECT $this WHERE { ?s ex:p ?o MINUS { ?s ex:q ?o } }" ] .
"""


def test_the_focus_joins_last_only_where_order_does_not_matter() -> None:
    checks = {c.shape: c for c in fastgate.compile_shapes(Graph().parse(data=SPARQL_SHAPES))}
    # braces in strings and a comment, a # in an IRI, OPTIONAL and BIND in an inner group
    # and as names (ex:bind, ?optional):
    # the focus moves from just after WHERE's "{" to just before its "}"
    joins = checks["ex:Joins"]
    text = joins.query.replace(f" {joins.focus} ", "", 1)
    end = text.rindex("}")
    assert joins.focus_last == text[:end] + f" {joins.focus} " + text[end:]
    for shape in ("ex:Optional", "ex:Bind", "ex:Minus"):
        assert checks[shape].focus_last == ""
    project = fastgate.compile_shapes()
    assert any(c.focus_last for c in project)
    for check in project:
        if check.focus_last:
            assert check.component == "sh:SPARQLConstraintComponent"


def test_a_negative_count_is_refused() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount -1 ] .
        """,
        format="turtle",
    )
    with pytest.raises(fastgate.Unsupported):
        fastgate.compile_shapes(shapes)


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
