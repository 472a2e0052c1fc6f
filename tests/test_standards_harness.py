"""The official-shapes harness (``tests/standards.py``) can fail as well as pass.

For every shape set a tiny hand-written catalog conforms and broken variants of it do not,
each with the expected focus node. For every in-memory repair, pySHACL refuses the file as
published and runs the repaired one, the repair changes exactly what it claims to, and the
constraint around the repaired spot still fires.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, SKOS, XSD

from helsegraf import standards
from helsegraf.namespaces import DATA_THEME as DATA_THEME_NS
from helsegraf.namespaces import HEALTHDCATAP
from helsegraf.standards import (
    HEALTHDCAT_LEVELS,
    SHAPE_SETS,
    RepairNotApplicableError,
    ShapeFile,
    detach_pathless_property_shapes,
    drop_dangling_property_references,
    validate,
)

EX = Namespace("https://example.org/catalog/")
THEME = DATA_THEME_NS
HEALTH = HEALTHDCATAP
LOS = URIRef("https://psi.norge.no/los/tema/helse-og-omsorg")
DATA_THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
FREQUENCY = URIRef("http://publications.europa.eu/resource/authority/frequency")
DAP301 = "https://semiceu.github.io/DCAT-AP/releases/3.0.1#"
DAP_SHAPES = Namespace("https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/shapes.ttl#")

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix eu: <http://publications.europa.eu/resource/authority/> .
@prefix theme: <http://publications.europa.eu/resource/authority/data-theme/> .
@prefix access: <http://publications.europa.eu/resource/authority/access-right/> .
@prefix filetype: <http://publications.europa.eu/resource/authority/file-type/> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
@prefix pubtype: <http://purl.org/adms/publishertype/> .
@prefix hdeu: <https://hdeu-dcat.data.health.europa.eu/resource/authority/> .
@prefix category: <https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/> .
@prefix ex: <https://example.org/catalog/> .
"""

#: One catalog, one dataset, its publisher, contact point, period and distribution, written so
#: that it satisfies DCAT-AP-NO v3 and v2, and DCAT-AP 3.0.1 (both sets) at once.
CATALOG = (
    PREFIXES
    + """
ex:catalog a dcat:Catalog ;
    dct:identifier "helsegraf" ;
    dct:title "Helsedatakatalog"@nb ;
    dct:description "Norske helsedatakilder."@nb ;
    dct:publisher ex:fhi ;
    dcat:contactPoint ex:contact ;
    dcat:dataset ex:dataset .
ex:dataset a dcat:Dataset ;
    dct:identifier "reseptregisteret" ;
    dct:title "Reseptregisteret"@nb ;
    dct:description "Legemidler utlevert fra apotek på resept."@nb ;
    dct:publisher ex:fhi ;
    dcat:contactPoint ex:contact ;
    dcat:theme theme:HEAL ;
    dcat:keyword "legemidler"@nb ;
    dct:accessRights access:NON_PUBLIC ;
    dct:issued "2004-01-01"^^xsd:date ;
    dct:spatial country:NOR ;
    dct:temporal ex:period ;
    dcat:distribution ex:distribution .
ex:period a dct:PeriodOfTime ; dcat:startDate "2004-01-01"^^xsd:date .
ex:distribution a dcat:Distribution ;
    dcat:accessURL <https://helsedata.no/no/datakilder/> ;
    dct:format filetype:HTML .
ex:fhi a foaf:Agent ; foaf:name "Folkehelseinstituttet"@nb ; dct:type pubtype:NationalAuthority .
ex:contact a vcard:Organization, vcard:Kind ;
    vcard:fn "Folkehelseinstituttet"@nb ;
    vcard:hasURL <https://www.fhi.no/> .
"""
)

#: The concept statements CATALOG relies on (what a view's background would provide).
BACKGROUND = (
    PREFIXES
    + """
eu:data-theme a skos:ConceptScheme ; dct:title "Data theme"@en .
theme:HEAL a skos:Concept ; skos:inScheme eu:data-theme ; skos:prefLabel "Health"@en .
eu:access-right a skos:ConceptScheme ; dct:title "Access right"@en .
access:PUBLIC a skos:Concept, dct:RightsStatement ; skos:inScheme eu:access-right ;
    skos:prefLabel "public"@en .
access:NON_PUBLIC a skos:Concept, dct:RightsStatement ; skos:inScheme eu:access-right ;
    skos:prefLabel "non-public"@en .
access:RESTRICTED a skos:Concept, dct:RightsStatement ; skos:inScheme eu:access-right ;
    skos:prefLabel "restricted"@en .
eu:file-type a skos:ConceptScheme ; dct:title "File type"@en .
filetype:HTML a skos:Concept, dct:MediaTypeOrExtent ; skos:inScheme eu:file-type ;
    skos:prefLabel "HTML"@en .
eu:country a skos:ConceptScheme ; dct:title "Country"@en .
country:NOR a skos:Concept, dct:Location ; skos:inScheme eu:country ; skos:prefLabel "Norway"@en .
<http://purl.org/adms/publishertype/1.0> a skos:ConceptScheme ; dct:title "Publisher type"@en .
pubtype:NationalAuthority a skos:Concept ;
    skos:inScheme <http://purl.org/adms/publishertype/1.0> ;
    skos:prefLabel "National authority"@en .
<https://psi.norge.no/los> a skos:ConceptScheme ; dct:title "LOS"@nb .
<https://psi.norge.no/los/tema/helse-og-omsorg> a skos:Concept ;
    skos:inScheme <https://psi.norge.no/los> ; skos:prefLabel "Helse og omsorg"@nb .
eu:frequency a skos:ConceptScheme ; dct:title "Frequency"@en .
<http://publications.europa.eu/resource/authority/frequency/ANNUAL> a skos:Concept, dct:Frequency ;
    skos:inScheme eu:frequency ; skos:prefLabel "annual"@en .
"""
)

#: A HealthDCAT-AP dataset (ACCESS is replaced by the level): the properties every level requires
#: plus the four NON_PUBLIC adds (contact point, keyword, type, provenance).
HEALTH_CATALOG = (
    PREFIXES
    + """
ex:catalog a dcat:Catalog ;
    dct:title "Helsedatakatalog"@nb ;
    dct:description "Norske helsedatakilder."@nb ;
    dct:publisher ex:fhi ;
    dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> ;
    dcat:dataset ex:dataset .
ex:dataset a dcat:Dataset ;
    dct:identifier "reseptregisteret" ;
    dct:title "Reseptregisteret"@nb ;
    dct:description "Legemidler utlevert fra apotek på resept."@nb ;
    dct:accessRights <ACCESS> ;
    dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> ;
    dcat:theme theme:HEAL ;
    healthdcatap:healthCategory category:MRMR ;
    healthdcatap:hdab ex:hdab ;
    healthdcatap:hasStructuredData false ;
    dct:publisher ex:fhi ;
    dcat:contactPoint ex:contact ;
    dcat:keyword "legemidler"@nb ;
    dct:type ex:register ;
    dct:provenance ex:provenance ;
    dcat:distribution ex:distribution .
ex:provenance a dct:ProvenanceStatement ; rdfs:label "Lovpålagt registrering."@nb .
ex:distribution a dcat:Distribution ;
    dcat:accessURL <https://helsedata.no/no/datakilder/> ;
    dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> .
<http://data.europa.eu/eli/reg/2025/327/oj> a eli:LegalResource .
ex:fhi a foaf:Agent ; foaf:name "Folkehelseinstituttet"@nb ; cv:contactPoint ex:fhi-contact .
ex:hdab a foaf:Agent ; foaf:name "Helsedataservice"@nb ; cv:contactPoint ex:hdab-contact .
ex:fhi-contact a cv:ContactPoint ; cv:contactPage <https://www.fhi.no/> .
ex:hdab-contact a cv:ContactPoint ; cv:email "helsedataservice@example.org" .
ex:contact a vcard:Kind ; vcard:fn "Folkehelseinstituttet"@nb ; vcard:hasURL <https://www.fhi.no/> .
"""
)

HEALTH_BACKGROUND = (
    BACKGROUND
    + """
hdeu:healthcategories a skos:ConceptScheme ; dct:title "Health categories"@en .
category:MRMR a skos:Concept ;
    skos:inScheme hdeu:healthcategories ;
    skos:prefLabel "Medical registries and mortality registries"@en .
ex:register a skos:Concept ; skos:prefLabel "register"@en .
"""
)

GENERAL_SETS = [s for s in SHAPE_SETS if s not in HEALTHDCAT_LEVELS]
HEALTH_SETS = list(HEALTHDCAT_LEVELS)


@pytest.fixture(autouse=True)
def _standards(require_shared: Callable[[Path, str], Path]) -> None:
    """Skip (fail in CI) when ../shared/standards is absent."""
    require_shared(standards.STANDARDS_DIR, "the official shape sets")


def turtle(text: str) -> Graph:
    """A graph from Turtle text."""
    return Graph().parse(data=text, format="turtle")


def catalog() -> Graph:
    """A fresh copy of the general catalog."""
    return turtle(CATALOG)


def health_catalog(name: str) -> Graph:
    """A fresh copy of the HealthDCAT-AP catalog at the access level of the set ``name``."""
    return turtle(HEALTH_CATALOG.replace("ACCESS", str(HEALTHDCAT_LEVELS[name])))


def background(name: str) -> Graph:
    """The concept statements for the set ``name``."""
    return turtle(HEALTH_BACKGROUND if name in HEALTHDCAT_LEVELS else BACKGROUND)


def example(name: str) -> Graph:
    """The conforming example catalog for the set ``name``."""
    return health_catalog(name) if name in HEALTHDCAT_LEVELS else catalog()


# ---------------------------------------------------------------------------------------------
# Every set: the example conforms, the broken variants do not.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHAPE_SETS)
def test_example_conforms(name: str) -> None:
    report = validate(example(name), name, background(name))
    assert report.conforms, report.text


@pytest.mark.parametrize("name", SHAPE_SETS)
def test_dataset_without_title_fails_on_the_dataset(name: str) -> None:
    data = example(name)
    data.remove((EX.dataset, DCTERMS.title, None))
    report = validate(data, name, background(name))
    assert not report.conforms
    assert {(f.focus, f.path, f.component) for f in report.violations} == {
        (EX.dataset, f"<{DCTERMS.title}>", "MinCountConstraintComponent")
    }, report.text


@pytest.mark.parametrize("name", SHAPE_SETS)
def test_without_background_the_vocabulary_checks_fail(name: str) -> None:
    """The concept statements matter: without them the example's concepts are unknown."""
    report = validate(example(name), name)
    assert not report.conforms, report.text


@pytest.mark.parametrize("name", ["dcat-ap-no-3", *HEALTH_SETS])
def test_theme_outside_data_theme_fails_on_the_dataset(name: str) -> None:
    """DCAT-AP-NO v3 needs one EU data theme; HealthDCAT-AP needs every theme to be one."""
    data = example(name)
    data.remove((EX.dataset, DCAT.theme, THEME.HEAL))
    data.add((EX.dataset, DCAT.theme, LOS))
    if name not in HEALTHDCAT_LEVELS:
        data.add((EX.dataset, DCAT.theme, THEME.HEAL))  # NO: a LOS theme beside HEAL is fine
        assert validate(data, name, background(name)).conforms
        data.remove((EX.dataset, DCAT.theme, THEME.HEAL))
    report = validate(data, name, background(name))
    assert not report.conforms
    assert report.focus_nodes() == {EX.dataset}, report.text
    assert {f.path for f in report.violations} == {f"<{DCAT.theme}>"}


def test_theme_outside_data_theme_is_a_dcat_ap_warning_only() -> None:
    """DCAT-AP 3.0.1 checks dcat:theme against the data-theme NAL as a (kept) Warning only."""
    data = catalog()
    data.remove((EX.dataset, DCAT.theme, THEME.HEAL))
    data.add((EX.dataset, DCAT.theme, LOS))
    report = validate(data, "dcat-ap-3.0.1", background("dcat-ap-3.0.1"))
    assert report.conforms, report.text
    assert any(
        f.focus == EX.dataset and f.path == f"<{DCAT.theme}>" and f.value == LOS
        for f in report.warnings
    ), report.text


@pytest.mark.parametrize("name", ["dcat-ap-3.0.1", "dcat-ap-no-3", *HEALTH_SETS])
def test_frequency_outside_the_frequency_scheme_fails_on_the_dataset(name: str) -> None:
    data = example(name)
    data.add((EX.dataset, DCTERMS.accrualPeriodicity, LOS))
    report = validate(data, name, background(name))
    assert report.focus_nodes() == {EX.dataset}, report.text
    assert {f.path for f in report.violations} == {f"<{DCTERMS.accrualPeriodicity}>"}
    good = example(name)
    good.add((EX.dataset, DCTERMS.accrualPeriodicity, URIRef(str(FREQUENCY) + "/ANNUAL")))
    assert validate(good, name, background(name)).conforms


def test_no_requires_language_tagged_titles() -> None:
    data = catalog()
    data.set((EX.dataset, DCTERMS.title, Literal("Reseptregisteret")))
    report = validate(data, "dcat-ap-no-3", background("dcat-ap-no-3"))
    assert {(f.focus, f.component) for f in report.violations} == {
        (EX.dataset, "DatatypeConstraintComponent")
    }, report.text
    assert validate(data, "dcat-ap-3.0.1", background("dcat-ap-3.0.1")).conforms


@pytest.mark.parametrize("name", HEALTH_SETS)
def test_healthdcat_dataset_at_another_access_level_fails(name: str) -> None:
    other = next(level for other_name, level in HEALTHDCAT_LEVELS.items() if other_name != name)
    data = example(name)
    data.set((EX.dataset, DCTERMS.accessRights, other))
    report = validate(data, name, background(name))
    assert {(f.focus, f.path, f.component) for f in report.violations} == {
        (EX.dataset, f"<{DCTERMS.accessRights}>", "HasValueConstraintComponent")
    }, report.text


@pytest.mark.parametrize("name", HEALTH_SETS)
def test_healthdcat_graph_guard_needs_a_dataset(name: str) -> None:
    data = example(name)
    data.remove((EX.dataset, RDF.type, DCAT.Dataset))
    report = validate(data, name, background(name))
    assert URIRef("urn:x-shacl:guard") in report.focus_nodes(), report.text
    assert "SPARQLConstraintComponent" in {f.component for f in report.violations}


@pytest.mark.parametrize("name", HEALTH_SETS)
def test_healthdcat_requires_the_hdab(name: str) -> None:
    data = example(name)
    data.remove((EX.dataset, HEALTH.hdab, None))
    report = validate(data, name, background(name))
    assert {(f.focus, f.path) for f in report.violations} == {(EX.dataset, f"<{HEALTH.hdab}>")}, (
        report.text
    )


def test_only_healthdcat_non_public_requires_provenance() -> None:
    for name in HEALTH_SETS:
        data = example(name)
        data.remove((EX.dataset, DCTERMS.provenance, None))
        report = validate(data, name, background(name))
        expected = {(EX.dataset, f"<{DCTERMS.provenance}>")} if "non-public" in name else set()
        assert {(f.focus, f.path) for f in report.violations} == expected, report.text


# ---------------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------------


def test_report_keeps_warnings_and_reads_well() -> None:
    report = validate(catalog(), "dcat-ap-3.0.1", background("dcat-ap-3.0.1"))
    assert report.conforms
    assert report.warnings, "the recommended shapes report Warnings"
    assert sorted(report.results, key=id) == sorted(
        [*report.violations, *report.warnings, *report.infos], key=id
    )
    assert report.text.startswith("dcat-ap-3.0.1: conforms=True (0 violations,")
    # A nested sh:node failure keeps the severity of the reporting (Warning) shape.
    publisher = [f for f in report.warnings if f.path == f"<{DCTERMS.publisher}>"]
    assert publisher
    assert all(f.details for f in publisher)


def test_validate_changes_neither_argument() -> None:
    data, concepts = catalog(), background("dcat-ap-no-3")
    sizes = (len(data), len(concepts))
    validate(data, "dcat-ap-no-3", concepts)
    assert (len(data), len(concepts)) == sizes


def test_shapes_is_a_copy() -> None:
    copy = standards.shapes("dcat-ap-no-3")
    copy.remove((None, None, None))
    assert len(standards.shapes("dcat-ap-no-3")) > 0


def test_unknown_set_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown shape set"):
        standards.shapes("dcat-ap-9")


def test_no_set_needs_advanced_features() -> None:
    assert not any(standards.needs_advanced(name) for name in SHAPE_SETS)


def test_required_vocabularies() -> None:
    no = standards.required_vocabularies("dcat-ap-no-3")
    assert any(
        use.target == f"targetClass <{DCAT.Dataset}>" and use.path == f"<{DCAT.theme}>"
        for use in no[DATA_THEME]
    )
    health = standards.required_vocabularies("healthdcat-ap-8-public")
    categories = URIRef(
        "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories"
    )
    assert [(u.path, u.severity, u.scheme_typed) for u in health[categories]] == [
        (f"<{HEALTH.healthCategory}>", "Violation", True)
    ]
    publisher_types = standards.required_vocabularies("dcat-ap-3.0.1")[
        URIRef("http://purl.org/adms/publishertype/1.0")
    ]
    assert {u.path for u in publisher_types} == {f"<{DCTERMS.publisher}>/<{DCTERMS.type}>"}
    assert {u.severity for u in publisher_types} == {"Warning"}


# ---------------------------------------------------------------------------------------------
# The repairs: still needed, exactly as wide as claimed, and the constraint around them works.
# ---------------------------------------------------------------------------------------------

DATASERVICE = turtle(
    PREFIXES + 'ex:service a dcat:DataService ; dct:title "Oppslag"@nb .'
    " ex:service dcat:endpointURL <https://example.org/api> ."
)


def run_pyshacl(data: Graph, shapes_graph: Graph) -> bool:
    """pySHACL's conforms flag, Warnings allowed (raises when it cannot run the shapes)."""
    conforms, _results, _text = pyshacl_validate(
        data, shacl_graph=shapes_graph, inference="none", allow_warnings=True, allow_infos=True
    )
    return bool(conforms)


def test_dangling_references_abort_pyshacl_unrepaired() -> None:
    with pytest.raises(Exception, match="not a well-formed SHACL PropertyShape"):
        run_pyshacl(DATASERVICE, standards.shapes("dcat-ap-3.0.1-full", repaired=False))
    assert run_pyshacl(DATASERVICE, standards.shapes("dcat-ap-3.0.1-full"))


def test_dangling_repair_drops_exactly_the_two_references() -> None:
    graph = Graph()
    graph += standards.parse_file("dcat-ap-3.0.1/dcat-ap-SHACL.ttl")
    removed = drop_dangling_property_references(graph)
    service = URIRef(DAP301 + "dcat:DataServiceShape")
    assert sorted(removed) == [
        (service, SH.property, URIRef(f"{service}/dc08f4dca4377fade57f89454e3fa06a8389d314")),
        (service, SH.property, URIRef(f"{service}/eb3ac4e4fdde2e2588a9502c5956060a18c5c99f")),
    ]
    assert len(graph) == len(standards.parse_file("dcat-ap-3.0.1/dcat-ap-SHACL.ttl")) - 2


def test_dangling_repair_keeps_the_data_service_constraints() -> None:
    data = Graph()
    data += DATASERVICE
    data.remove((EX.service, DCAT.endpointURL, None))
    report = validate(data, "dcat-ap-3.0.1-full")
    assert {(f.focus, f.path) for f in report.violations} == {
        (EX.service, f"<{DCAT.endpointURL}>")
    }, report.text


@pytest.mark.parametrize("name", HEALTH_SETS)
def test_pathless_property_shape_aborts_pyshacl_unrepaired(name: str) -> None:
    with pytest.raises(Exception, match="not a well-formed SHACL PropertyShape"):
        run_pyshacl(example(name) + background(name), standards.shapes(name, repaired=False))
    assert run_pyshacl(example(name) + background(name), standards.shapes(name))


@pytest.mark.parametrize("level", ["public", "non-public", "restricted"])
def test_pathless_repair_detaches_only_the_structured_data_rule(level: str) -> None:
    graph = Graph()
    graph += standards.parse_file(f"healthdcat-ap/shapes/{level}-shapes.ttl")
    removed = detach_pathless_property_shapes(graph)
    assert len(removed) == 1
    ((parent, _, shape),) = removed
    assert parent == DAP_SHAPES.Dataset_Shape
    assert isinstance(shape, BNode)
    assert set(graph.objects(shape, SH.targetClass)) == {DCAT.Dataset}
    assert (shape, RDF.type, SH.NodeShape) in graph
    assert (shape, SH["or"], None) in graph
    assert "hasVariables" in str(graph.value(shape, SH.message))


@pytest.mark.parametrize("name", HEALTH_SETS)
def test_pathless_repair_keeps_the_structured_data_rule(name: str) -> None:
    data = example(name)
    data.set((EX.dataset, HEALTH.hasStructuredData, Literal(True)))
    report = validate(data, name, background(name))
    assert {(f.focus, f.component, f.severity) for f in report.violations} == {
        (EX.dataset, "OrConstraintComponent", "Violation")
    }, report.text
    assert "hasVariables" in report.violations[0].message
    data.set((EX.dataset, HEALTH.hasStructuredData, Literal("yes", datatype=XSD.string)))
    assert not validate(data, name, background(name)).conforms


@pytest.mark.parametrize(
    ("repair", "path"),
    [
        (drop_dangling_property_references, "dcat-ap-3.0.1/shapes.ttl"),
        (detach_pathless_property_shapes, "dcat-ap-3.0.1/shapes.ttl"),
        (detach_pathless_property_shapes, "dcat-ap-no/dcatapno3-core-shapes.ttl"),
    ],
)
def test_repair_refuses_a_file_without_the_problem(repair: standards.Repair, path: str) -> None:
    with pytest.raises(RepairNotApplicableError):
        standards.repaired_file(ShapeFile(path, (repair,)))


@pytest.mark.parametrize("name", SHAPE_SETS)
def test_every_file_parses_and_only_repaired_files_abort(name: str) -> None:
    """Each set's files exist; the sets without repairs run as published."""
    for shape_file in standards.SHAPE_SET_FILES[name]:
        assert standards.standards_file(shape_file.path).is_file()
    if not any(f.repairs for f in standards.SHAPE_SET_FILES[name]):
        data = example(name) + background(name)
        run_pyshacl(data, standards.shapes(name, repaired=False))


def test_skos_concepts_in_the_background_are_validated_too() -> None:
    """The background is merged, so DCAT-AP's Category_Shape checks its concepts' labels."""
    concepts = background("dcat-ap-3.0.1")
    concepts.remove((THEME.HEAL, SKOS.prefLabel, None))
    report = validate(catalog(), "dcat-ap-3.0.1", concepts)
    assert report.focus_nodes() == {THEME.HEAL}, report.text
