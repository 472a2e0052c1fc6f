"""The SHACL shapes (``shapes/*.ttl``): each rule fires where it should and nowhere else.

``tests/data/shapes/valid/`` holds graphs that must conform. Each graph in
``tests/data/shapes/invalid/`` breaks one rule and lists, in ``# expect:`` comment lines,
every result the gate must report, as *focus constraint-component shape path* (path ``-``
when the result has none). ``<…>`` terms are IRIs relative to the resource base
(``https://w3id.org/helsegraf/id/``); the others are prefixed names declared in the file.
The test compares the exact set of results, so a rule that also fires elsewhere fails it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from helsegraf import gate, paths
from helsegraf.namespaces import HG, ID_BASE, RDF, RDFS, SH, SKOS

DATA = Path(__file__).parent / "data" / "shapes"
VALID = sorted((DATA / "valid").glob("*.ttl"))
INVALID = sorted((DATA / "invalid").glob("*.ttl"))
HGSH = "https://w3id.org/helsegraf/shapes#"

#: One validation result: focus node, constraint component, shape, path ("" for none).
Result = tuple[str, str, str, str]

_EXPECT = re.compile(r"^# expect: (\S+) (\S+) (\S+) (\S+)\s*$")

#: Parameters of SHACL core constraint components; a shape holding one needs a sh:message.
CORE_PARAMETERS = frozenset(
    SH[name]
    for name in [
        *("class", "datatype", "nodeKind", "minCount", "maxCount", "pattern", "languageIn"),
        *("minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "minLength"),
        *("maxLength", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals"),
        *("not", "and", "or", "xone", "node", "qualifiedValueShape", "closed", "hasValue", "in"),
    ]
)
SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return gate.load_shapes()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    assert paths.ONTOLOGY_FILE.exists(), f"the ontology is missing: {paths.ONTOLOGY_FILE}"
    return gate.load_ontology()


def _validate(data: Graph, shapes: Graph, ontology: Graph) -> gate.GateReport:
    """Run the gate with the real shapes and the real ontology.

    The ontology is mixed into the data here instead of being handed to pySHACL as its
    ``ont_graph``: pySHACL 0.40.1 deep-copies every ``owl:NamedIndividual`` of an ``ont_graph``
    without remembering what it has copied, and the SKOS schemes' ``skos:hasTopConcept`` /
    ``skos:topConceptOf`` cycles make that take minutes per call. The data the shapes see is
    the same: the data graph plus the ontology.
    """
    return gate.validate(data + ontology, shapes=shapes, ontology=Graph())


def _expand(term: str, namespaces: NamespaceManager, base: str = "") -> str:
    if term in ("", "-"):
        return ""
    if term.startswith("<") and term.endswith(">"):
        return urljoin(base, term[1:-1])
    return str(namespaces.expand_curie(term))


def _expected(file: Path, data: Graph) -> set[Result]:
    expected: set[Result] = set()
    for line in file.read_text(encoding="utf-8").splitlines():
        if match := _EXPECT.match(line):
            focus, constraint, shape, path = match.groups()
            nsm = data.namespace_manager
            expected.add(
                (
                    _expand(focus, nsm, ID_BASE),
                    _expand(constraint, nsm),
                    _expand(shape, nsm),
                    _expand(path, nsm),
                )
            )
    return expected


def _actual(report: gate.GateReport, shapes: Graph) -> set[Result]:
    nsm = shapes.namespace_manager
    return {
        (v.focus, _expand(v.constraint, nsm), _expand(v.shape, nsm), _expand(v.path, nsm))
        for v in report.violations
    }


def _parse(file: Path) -> Graph:
    graph = Graph()
    graph.parse(file, format="turtle")
    return graph


def _named_shapes(shapes: Graph) -> Iterator[URIRef]:
    for shape_type in SHAPE_TYPES:
        for shape in shapes.subjects(RDF.type, shape_type):
            assert isinstance(shape, URIRef), f"a typed shape is a blank node: {shape}"
            yield shape


def _rule_shapes(shapes: Graph) -> set[URIRef]:
    """Shapes that can produce a result of their own (a core constraint or sh:sparql)."""
    return {
        shape
        for shape in _named_shapes(shapes)
        if CORE_PARAMETERS & set(shapes.predicates(shape)) or (shape, SH.sparql, None) in shapes
    }


def _english(values: list[Node]) -> bool:
    return len(values) == 1 and isinstance(values[0], Literal) and values[0].language == "en"


# --- the examples -------------------------------------------------------------------------


def test_there_are_examples() -> None:
    assert VALID, f"no valid examples in {DATA / 'valid'}"
    assert len(INVALID) >= 20, f"too few invalid examples in {DATA / 'invalid'}"


@pytest.mark.parametrize("file", VALID, ids=lambda f: f.stem)
def test_valid_example_conforms(file: Path, shapes: Graph, ontology: Graph) -> None:
    report = _validate(_parse(file), shapes, ontology)
    assert report.conforms, report.text()
    assert report.violations == []


@pytest.mark.parametrize("file", INVALID, ids=lambda f: f.stem)
def test_invalid_example_fires_exactly_its_rule(file: Path, shapes: Graph, ontology: Graph) -> None:
    data = _parse(file)
    expected = _expected(file, data)
    assert expected, f"{file.name} has no '# expect:' line"
    report = _validate(data, shapes, ontology)
    assert not report.conforms, f"{file.name} conforms, but should break a rule"
    actual = _actual(report, shapes)
    assert actual == expected, (
        f"\nmissing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}\n"
        + report.text()
    )
    for violation in report.violations:
        assert violation.severity == "Violation", violation.line()
        assert violation.message, violation.line()
        assert "{?" not in violation.message, violation.line()
        assert "{$" not in violation.message, violation.line()


def test_every_rule_has_an_invalid_example(shapes: Graph) -> None:
    exercised = {URIRef(result[2]) for file in INVALID for result in _expected(file, _parse(file))}
    assert _rule_shapes(shapes) - exercised == set()


def test_the_valid_examples_use_every_term_the_shapes_check(shapes: Graph, ontology: Graph) -> None:
    """Every path and target of the shapes is exercised by a graph that conforms."""
    valid = Graph()
    for file in VALID:
        valid += _parse(file)
    mixed = valid + ontology
    used_predicates = set(valid.predicates())
    missing: set[Node] = set()
    for path in shapes.objects(None, SH.path):
        if isinstance(path, URIRef) and path not in used_predicates:
            missing.add(path)
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf):
        missing |= {p for p in shapes.objects(None, target) if p not in used_predicates}
    for cls in shapes.objects(None, SH.targetClass):
        subclasses = set(mixed.transitive_subjects(RDFS.subClassOf, cls))
        if not any((None, RDF.type, c) in valid for c in subclasses):
            missing.add(cls)
    assert missing == set()


# --- the shapes file ----------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(paths.SHAPES_DIR.glob("*.ttl")), ids=lambda f: f.name)
def test_shapes_file_parses(file: Path) -> None:
    assert len(_parse(file)) > 0


def test_shapes_load_in_pyshacl(shapes: Graph, ontology: Graph) -> None:
    """pySHACL accepts every shape (a bad SPARQL query or parameter raises here)."""
    assert _validate(Graph(), shapes, ontology).conforms


def test_every_shape_is_named_and_says_what_to_fix(shapes: Graph) -> None:
    shape_nodes = set(_named_shapes(shapes))
    assert shape_nodes
    rules = _rule_shapes(shapes)
    for shape in shape_nodes:
        assert str(shape).startswith(HGSH), shape
        assert _english(list(shapes.objects(shape, RDFS.label))), f"{shape}: rdfs:label@en"
        if (shape, RDF.type, SH.PropertyShape) in shapes:
            assert shapes.value(shape, SH.name) is not None, f"{shape}: sh:name"
        if shape not in rules:
            continue
        assert shapes.value(shape, SH.severity) == SH.Violation, f"{shape}: sh:severity"
        has_core = bool(CORE_PARAMETERS & set(shapes.predicates(shape)))
        has_sparql = (shape, SH.sparql, None) in shapes
        # pySHACL reports a shape's sh:message and its SPARQL constraint's message together,
        # so a shape carries its message in one place only.
        assert not (has_core and has_sparql), f"{shape}: core constraints and sh:sparql"
        if has_core:
            assert _english(list(shapes.objects(shape, SH.message))), f"{shape}: sh:message@en"
        else:
            assert (shape, SH.message, None) not in shapes, f"{shape}: message on sh:sparql"
            for constraint in shapes.objects(shape, SH.sparql):
                assert _english(list(shapes.objects(constraint, SH.message))), shape
                assert shapes.value(constraint, SH.prefixes) is not None, shape
                assert shapes.value(constraint, SH.select) is not None, shape


def test_every_referenced_shape_is_declared(shapes: Graph) -> None:
    declared = set(_named_shapes(shapes))
    for predicate in (SH.property, SH.node):
        for shape in shapes.objects(None, predicate):
            if isinstance(shape, URIRef):
                assert shape in declared, f"{shape} is referenced but not declared"
    for shape in declared:
        if (shape, RDF.type, SH.PropertyShape) in shapes:
            targeted = any(
                (shape, target, None) in shapes
                for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
            )
            assert targeted or (None, SH.property, shape) in shapes, f"{shape} is never used"


# --- agreement with the ontology ----------------------------------------------------------


def _sh_in(shapes: Graph, shape: URIRef) -> set[Node]:
    values = shapes.value(shape, SH["in"])
    if values is None:  # the list sits in a qualified value shape
        qualified = shapes.value(shape, SH.qualifiedValueShape)
        assert isinstance(qualified, BNode), shape
        values = shapes.value(qualified, SH["in"])
    assert values is not None, shape
    return set(Collection(shapes, values))


@pytest.mark.parametrize(
    ("shape", "scheme", "size"),
    [
        ("Dataset-consentRegime", "ConsentRegimes", 4),
        ("Dataset-identifiability", "IdentifiabilityLevels", 4),
        ("Attribution-role", "OrganisationRoles", 6),
    ],
)
def test_allowed_concepts_are_the_ontology_scheme(
    shape: str, scheme: str, size: int, shapes: Graph, ontology: Graph
) -> None:
    in_scheme = set(ontology.subjects(SKOS.inScheme, HG[scheme]))
    assert len(in_scheme) == size
    assert _sh_in(shapes, URIRef(HGSH + shape)) == in_scheme


@pytest.mark.parametrize("shape", ["ListedSource-kind", "Dataset-kind"])
def test_kinds_are_the_ontology_kinds(shape: str, shapes: Graph, ontology: Graph) -> None:
    kinds = set(ontology.subjects(RDFS.subClassOf, HG.HealthDataSource))
    assert len(kinds) == 5
    assert _sh_in(shapes, URIRef(HGSH + shape)) == kinds
