"""The OWL 2 ontology, ``ontology/helsegraf.ttl``.

What is checked:

* it declares exactly the ``hg:`` terms of the data model (docs/data-model.md), each with the
  right OWL entity type, labels in Norwegian Bokmål and English, and a definition;
* the contract's axioms (kinds, disjointness, inverses, sub-properties, ranges);
* the reused terms are declared with the entity type their source vocabulary gives them;
* the SKOS concept schemes;
* OWL 2 DL: a structural check written here, and Pellet's OWL 2 DL profile check (OWL API);
* consistency with a real reasoner (HermiT through owlready2), with negative cases that show
  the reasoner does report the errors the axioms are there to catch.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from helsegraf import namespaces as ns
from helsegraf.namespaces import (
    DCTERMS,
    DPV,
    ELI,
    FOAF,
    HG,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    VANN,
    VCARD,
)

# DCAT and XSD are reached through the module (ns.DCAT, ns.XSD): as module globals, pytest's
# fixture discovery probes them for `_mock_name` and rdflib warns about an undefined term.

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "helsegraf.ttl"
DATA_MODEL_DOC = ROOT / "docs" / "data-model.md"

ONTOLOGY_IRI = URIRef("https://w3id.org/helsegraf/ontology")
VERSION_IRI = URIRef("https://w3id.org/helsegraf/ontology/0.1.0")
EX = "https://example.org/test/"
#: dct: and vann: terms the ontology header must state.
HEADER_TERMS = ("title", "description", "license", "creator", "created", "modified")
VANN_TERMS = (VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri)

# --- the contract: every hg: term, by OWL entity type ------------------------------------------

HG_CLASSES = {
    HG.HealthDataSource,
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
    HG.AdministrativeRegister,
    HG.Act,
    HG.Regulation,
    HG.CurationDecision,
}
KINDS = {
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
    HG.AdministrativeRegister,
}
HG_OBJECT_PROPERTIES = {
    HG.consentRegime,
    HG.identifiability,
    HG.regulatedBy,
    HG.licensedBy,
    HG.confidentialityDispensationBy,
    HG.mergedFrom,
    HG.mergedInto,
    HG.followUpOf,
    HG.hasFollowUp,
    HG.continuationOf,
    HG.continuedBy,
    HG.deliversDataTo,
    HG.receivesDataFrom,
    HG.concerns,
}
#: Datatype properties and their ranges.
HG_DATATYPE_PROPERTIES = {
    HG.listingPosition: ns.XSD.integer,
    HG.applicationViaHelsedata: ns.XSD.boolean,
    HG.sourceLine: ns.XSD.integer,
    HG.sectionNumber: ns.XSD.string,
    HG.sectionLetter: ns.XSD.string,
    HG.untitledEntryKey: ns.XSD.string,
}
HG_ANNOTATION_PROPERTIES = {HG.quote}
#: Concept schemes and their concepts.
SCHEMES = {
    HG.ConsentRegimes: {
        HG.ConsentRequired,
        HG.ConsentNotRequired,
        HG.OptOut,
        HG.VoluntaryParticipation,
    },
    HG.IdentifiabilityLevels: {
        HG.DirectlyIdentifying,
        HG.Pseudonymous,
        HG.DeIdentified,
        HG.Anonymous,
    },
    HG.OrganisationRoles: {
        HG.ApplicationHandler,
        HG.Pseudonymiser,
        HG.RegisterMaintainer,
        HG.DataLinker,
        HG.DataDistributor,
        HG.SurveillanceScopeSetter,
    },
}
HG_INDIVIDUALS = set(SCHEMES) | set().union(*SCHEMES.values())
HG_TERMS = (
    HG_CLASSES
    | HG_OBJECT_PROPERTIES
    | set(HG_DATATYPE_PROPERTIES)
    | HG_ANNOTATION_PROPERTIES
    | HG_INDIVIDUALS
)
INVERSES = {
    (HG.mergedInto, HG.mergedFrom),
    (HG.hasFollowUp, HG.followUpOf),
    (HG.continuedBy, HG.continuationOf),
    (HG.receivesDataFrom, HG.deliversDataTo),
    (DCTERMS.hasPart, DCTERMS.isPartOf),
    (DCTERMS.replaces, DCTERMS.isReplacedBy),
}

# --- reused terms and the entity type their source vocabulary gives them -----------------------

REUSED = {
    ns.DCAT.Dataset: OWL.Class,
    DCTERMS.PeriodOfTime: OWL.Class,
    ELI.LegalResource: OWL.Class,
    ELI.LegalResourceSubdivision: OWL.Class,
    FOAF.Organization: OWL.Class,
    PROV.Entity: OWL.Class,
    PROV.Attribution: OWL.Class,
    SKOS.Concept: OWL.Class,
    SKOS.ConceptScheme: OWL.Class,
    VCARD.Kind: OWL.Class,
    DPV.hasDataController: OWL.ObjectProperty,
    DPV.hasDataProcessor: OWL.ObjectProperty,
    DPV.hasLegalBasis: OWL.ObjectProperty,
    DCTERMS.isPartOf: OWL.ObjectProperty,
    DCTERMS.hasPart: OWL.ObjectProperty,
    DCTERMS.temporal: OWL.ObjectProperty,
    DCTERMS.isReplacedBy: OWL.ObjectProperty,
    DCTERMS.replaces: OWL.ObjectProperty,
    DCTERMS.relation: OWL.ObjectProperty,
    DCTERMS.source: OWL.ObjectProperty,
    PROV.qualifiedAttribution: OWL.ObjectProperty,
    PROV.agent: OWL.ObjectProperty,
    PROV.wasDerivedFrom: OWL.ObjectProperty,
    ns.DCAT.hadRole: OWL.ObjectProperty,
    ELI.is_part_of: OWL.ObjectProperty,
    ORG.subOrganizationOf: OWL.ObjectProperty,
    ns.DCAT.contactPoint: OWL.ObjectProperty,
    VCARD.hasEmail: OWL.ObjectProperty,
    SKOS.inScheme: OWL.ObjectProperty,
    SKOS.hasTopConcept: OWL.ObjectProperty,
    SKOS.topConceptOf: OWL.ObjectProperty,
    DCTERMS.title: OWL.AnnotationProperty,
    DCTERMS.description: OWL.AnnotationProperty,
    DCTERMS.license: OWL.AnnotationProperty,
    DCTERMS.creator: OWL.AnnotationProperty,
    DCTERMS.created: OWL.AnnotationProperty,
    DCTERMS.modified: OWL.AnnotationProperty,
    VANN.preferredNamespacePrefix: OWL.AnnotationProperty,
    VANN.preferredNamespaceUri: OWL.AnnotationProperty,
    SKOS.prefLabel: OWL.AnnotationProperty,
    SKOS.altLabel: OWL.AnnotationProperty,
    SKOS.definition: OWL.AnnotationProperty,
    SKOS.scopeNote: OWL.AnnotationProperty,
    SKOS.editorialNote: OWL.AnnotationProperty,
    SKOS.hiddenLabel: OWL.AnnotationProperty,
    FOAF.name: OWL.DatatypeProperty,
    DCTERMS.identifier: OWL.DatatypeProperty,
    ELI.id_local: OWL.DatatypeProperty,
    ns.DCAT.startDate: OWL.DatatypeProperty,
    ns.DCAT.endDate: OWL.DatatypeProperty,
}
#: Reused terms whose use in helsegraf the ontology must document (skos:scopeNote).
DOCUMENTED_REUSE = {
    DPV.hasDataController,
    DPV.hasDataProcessor,
    DPV.hasLegalBasis,
    DCTERMS.isPartOf,
    DCTERMS.hasPart,
    DCTERMS.temporal,
    DCTERMS.isReplacedBy,
    DCTERMS.replaces,
    PROV.qualifiedAttribution,
    ns.DCAT.hadRole,
    ELI.is_part_of,
    ELI.LegalResourceSubdivision,
    FOAF.Organization,
    ORG.subOrganizationOf,
}

# --- OWL 2 vocabulary for the structural DL check ----------------------------------------------

ENTITY_TYPES = (
    OWL.Class,
    RDFS.Datatype,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
#: OWL 2 Structural Specification §4 (the OWL 2 datatype map).
OWL2_DATATYPES = {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, OWL.real, OWL.rational} | {
    ns.XSD[name]
    for name in [
        *("decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger"),
        *("negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt"),
        *("unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString"),
        *("token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary"),
        *("base64Binary", "anyURI", "dateTime", "dateTimeStamp"),
    ]
}
BUILTIN_ANNOTATION_PROPERTIES = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
    OWL.priorVersion,
    OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
}
#: The RDF mapping vocabulary this ontology may use (OWL 2 Mapping to RDF Graphs, tables 1-17).
MAPPING_PREDICATES = {
    RDF.type,
    RDF.first,
    RDF.rest,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.disjointWith,
    OWL.inverseOf,
    OWL.members,
    OWL.distinctMembers,
    OWL.onProperty,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.unionOf,
    OWL.intersectionOf,
    OWL.complementOf,
    OWL.oneOf,
    OWL.versionIRI,
    OWL.sameAs,
    OWL.differentFrom,
}
#: Types that state a property's characteristics, and which property kinds may carry them.
CHARACTERISTICS = {
    OWL.FunctionalProperty: (OWL.ObjectProperty, OWL.DatatypeProperty),
    OWL.InverseFunctionalProperty: (OWL.ObjectProperty,),
    OWL.TransitiveProperty: (OWL.ObjectProperty,),
    OWL.SymmetricProperty: (OWL.ObjectProperty,),
    OWL.AsymmetricProperty: (OWL.ObjectProperty,),
    OWL.ReflexiveProperty: (OWL.ObjectProperty,),
    OWL.IrreflexiveProperty: (OWL.ObjectProperty,),
}
#: Types of the anonymous axiom nodes this ontology may use.
AXIOM_TYPES = {OWL.Ontology, OWL.AllDisjointClasses, OWL.AllDifferent, OWL.Restriction}
RESERVED_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(ns.XSD))


# --- helpers -----------------------------------------------------------------------------------


def load_ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


def declared(g: Graph, entity_type: URIRef) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, entity_type) if isinstance(s, URIRef)}


def defined_hg_terms(g: Graph) -> set[URIRef]:
    return {
        s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(HG))
    }


def langs(g: Graph, s: Node, p: URIRef) -> list[str | None]:
    return [o.language for o in g.objects(s, p) if isinstance(o, Literal)]


def members(g: Graph, node: Node, p: URIRef) -> list[Node]:
    head = g.value(node, p)
    return list(Collection(g, head)) if head is not None else []


def dl_problems(g: Graph) -> list[str]:
    """Structural OWL 2 DL checks on the RDF of an ontology; an empty list means none found.

    Not a full profile checker (test_owl2_dl_profile_with_owlapi runs one): it checks typing
    (no property punning, declared entities in every position an axiom needs them), ranges of
    datatype properties in the OWL 2 datatype map, and that no reserved IRI is redeclared.
    """
    problems: list[str] = []
    kinds = {t: declared(g, t) for t in ENTITY_TYPES}
    classes = kinds[OWL.Class] | {OWL.Thing, OWL.Nothing}
    ops, dps, aps = (kinds[t] for t in PROPERTY_TYPES)
    aps_all = aps | BUILTIN_ANNOTATION_PROPERTIES
    individuals = kinds[OWL.NamedIndividual]

    def kind_of(p: Node) -> URIRef | None:
        found = [t for t in PROPERTY_TYPES if p in kinds[t]]
        return found[0] if len(found) == 1 else None

    def is_class(c: Node) -> bool:
        return isinstance(c, BNode) or c in classes

    for a, b in ((ops, dps), (ops, aps), (dps, aps), (kinds[OWL.Class], kinds[RDFS.Datatype])):
        for iri in sorted(a & b):
            problems.append(f"{iri} is declared as two incompatible kinds of entity")
    for t, iris in kinds.items():
        for iri in sorted(iris):
            if iri.startswith(RESERVED_NAMESPACES):
                problems.append(f"reserved IRI {iri} is declared as {t}")

    for s, p, o in g:
        if p in MAPPING_PREDICATES:
            continue
        if p in ops:
            if isinstance(o, Literal):
                problems.append(f"object property {p} has a literal value on {s}")
            elif isinstance(o, URIRef) and o not in individuals:
                problems.append(f"{o} (value of {p} on {s}) is not a declared individual")
        elif p in dps:
            if not isinstance(o, Literal):
                problems.append(f"datatype property {p} has a non-literal value on {s}")
            elif o.datatype is not None and o.datatype not in OWL2_DATATYPES:
                problems.append(f"{p} on {s}: datatype {o.datatype} is not in the OWL 2 map")
        elif p not in aps_all:
            problems.append(f"predicate {p} is used but not declared as a property")

    for s, o in g.subject_objects(RDF.type):
        if o in ENTITY_TYPES or o in AXIOM_TYPES or o in CHARACTERISTICS:
            continue
        if o not in classes:
            problems.append(f"{s} is typed with {o}, which is not a declared class")
        elif isinstance(s, URIRef) and s not in individuals:
            problems.append(f"{s} is an instance of {o} but not declared owl:NamedIndividual")
    for characteristic, allowed in CHARACTERISTICS.items():
        for s in g.subjects(RDF.type, characteristic):
            if kind_of(s) not in allowed:
                problems.append(f"{s} is {characteristic} but not a {' or '.join(allowed)}")

    for p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
        for s, o in g.subject_objects(p):
            for c in (s, o):
                if not is_class(c):
                    problems.append(f"{c} is used in {p} but is not a declared class")
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        problems += [
            f"{c} is in owl:AllDisjointClasses but is not a declared class"
            for c in members(g, node, OWL.members)
            if not is_class(c)
        ]
    for node in g.subjects(RDF.type, OWL.AllDifferent):
        problems += [
            f"{i} is in owl:AllDifferent but is not a declared individual"
            for i in members(g, node, OWL.distinctMembers)
            if i not in individuals
        ]
    for s, o in g.subject_objects(RDFS.subPropertyOf):
        if kind_of(s) is None or kind_of(s) != kind_of(o):
            problems.append(f"rdfs:subPropertyOf joins {s} and {o}, not of one property kind")
    for s, o in g.subject_objects(OWL.inverseOf):
        if s not in ops or o not in ops:
            problems.append(f"owl:inverseOf joins {s} and {o}, not both object properties")
    for s, o in g.subject_objects(RDFS.domain):
        if kind_of(s) in (OWL.ObjectProperty, OWL.DatatypeProperty) and not is_class(o):
            problems.append(f"domain {o} of {s} is not a declared class")
        elif kind_of(s) is None:
            problems.append(f"{s} has a domain but is not a declared property")
    for s, o in g.subject_objects(RDFS.range):
        if kind_of(s) == OWL.ObjectProperty and not is_class(o):
            problems.append(f"range {o} of object property {s} is not a declared class")
        elif kind_of(s) == OWL.DatatypeProperty and o not in OWL2_DATATYPES:
            problems.append(f"range {o} of datatype property {s} is not in the OWL 2 map")
        elif kind_of(s) is None:
            problems.append(f"{s} has a range but is not a declared property")
    for s, o in g.subject_objects(OWL.onProperty):
        if kind_of(o) not in (OWL.ObjectProperty, OWL.DatatypeProperty):
            problems.append(f"restriction {s} is on {o}, not a declared object/data property")
    return problems


# --- the file, its header, its terms -----------------------------------------------------------


def test_ontology_header(onto: Graph) -> None:
    assert set(onto.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY_IRI}
    header = {p: set(onto.objects(ONTOLOGY_IRI, p)) for p in onto.predicates(ONTOLOGY_IRI)}
    for p in (OWL.versionIRI, OWL.versionInfo, *(DCTERMS[n] for n in HEADER_TERMS), *VANN_TERMS):
        assert header.get(p), f"the ontology header has no {p}"
    assert header[OWL.versionIRI] == {VERSION_IRI}
    assert header[OWL.versionInfo] == {Literal("0.1.0")}
    assert {lit.language for lit in header[DCTERMS.title]} >= {"en", "nb"}
    assert {lit.language for lit in header[DCTERMS.description]} >= {"en", "nb"}
    assert header[DCTERMS.license] == {URIRef("https://creativecommons.org/licenses/by/4.0/")}
    assert header[DCTERMS.creator]
    date = Literal("2026-11-27", datatype=ns.XSD.date)
    assert header[DCTERMS.created] == {date}
    assert header[DCTERMS.modified] == {date}
    assert header[VANN.preferredNamespacePrefix] == {Literal("hg")}
    assert header[VANN.preferredNamespaceUri] == {Literal(str(HG))}
    assert OWL.imports not in header, "no owl:imports: reused terms are declared locally"


def test_declares_exactly_the_contract_terms(onto: Graph) -> None:
    defined = defined_hg_terms(onto)
    assert sorted(defined - HG_TERMS) == [], "hg: terms not in the data model"
    assert sorted(HG_TERMS - defined) == [], "data-model terms missing from the ontology"


def test_every_hg_iri_used_is_defined(onto: Graph) -> None:
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and t.startswith(str(HG))}
    assert sorted(used - defined_hg_terms(onto)) == []


def test_every_hg_term_in_the_data_model_doc_is_defined(onto: Graph) -> None:
    mentioned = {HG[m] for m in re.findall(r"\bhg:([A-Za-z]\w*)", DATA_MODEL_DOC.read_text())}
    assert mentioned, "the data-model document mentions no hg: term"
    assert sorted(mentioned - defined_hg_terms(onto)) == []


@pytest.mark.parametrize(
    ("terms", "entity_type"),
    [
        (HG_CLASSES, OWL.Class),
        (HG_OBJECT_PROPERTIES, OWL.ObjectProperty),
        (set(HG_DATATYPE_PROPERTIES), OWL.DatatypeProperty),
        (HG_ANNOTATION_PROPERTIES, OWL.AnnotationProperty),
        (HG_INDIVIDUALS, OWL.NamedIndividual),
    ],
    ids=["classes", "object", "datatype", "annotation", "individuals"],
)
def test_hg_terms_have_one_entity_type(
    onto: Graph, terms: set[URIRef], entity_type: URIRef
) -> None:
    for term in sorted(terms):
        types = {t for t in onto.objects(term, RDF.type) if t in ENTITY_TYPES}
        assert types == {entity_type}, term


def test_every_hg_term_has_labels_and_definition(onto: Graph) -> None:
    for term in sorted(defined_hg_terms(onto)):
        assert sorted(langs(onto, term, RDFS.label), key=str) == ["en", "nb"], term
        definitions = langs(onto, term, SKOS.definition) + langs(onto, term, RDFS.comment)
        assert "en" in definitions, f"{term} has no English definition"
        assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


# --- the contract's axioms ---------------------------------------------------------------------


def test_class_hierarchy(onto: Graph) -> None:
    assert (HG.HealthDataSource, RDFS.subClassOf, ns.DCAT.Dataset) in onto
    for kind in KINDS:
        assert (kind, RDFS.subClassOf, HG.HealthDataSource) in onto, kind
    for legal in (HG.Act, HG.Regulation, ELI.LegalResourceSubdivision):
        assert (legal, RDFS.subClassOf, ELI.LegalResource) in onto, legal
    assert (HG.Act, OWL.disjointWith, HG.Regulation) in onto


def test_kinds_are_pairwise_disjoint(onto: Graph) -> None:
    groups = [
        set(members(onto, n, OWL.members)) for n in onto.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert KINDS in groups


def test_inverse_and_sub_properties(onto: Graph) -> None:
    for p, q in INVERSES:
        assert (p, OWL.inverseOf, q) in onto, (p, q)
    assert (HG.mergedFrom, RDFS.subPropertyOf, PROV.wasDerivedFrom) in onto
    assert (HG.followUpOf, RDFS.subPropertyOf, DCTERMS.relation) in onto
    assert (HG.hasFollowUp, RDFS.subPropertyOf, DCTERMS.relation) in onto


def test_domains_and_ranges(onto: Graph) -> None:
    for p in (HG.consentRegime, HG.identifiability):
        assert set(onto.objects(p, RDFS.domain)) == {ns.DCAT.Dataset}, p
        assert set(onto.objects(p, RDFS.range)) == {SKOS.Concept}, p
    for p, datatype in HG_DATATYPE_PROPERTIES.items():
        assert set(onto.objects(p, RDFS.range)) == {datatype}, p
    assert set(onto.objects(HG.quote, RDFS.range)) == {RDF.langString}
    assert set(onto.objects(HG.concerns, RDFS.domain)) == {HG.CurationDecision}


def test_reused_terms_are_declared_with_their_source_entity_type(onto: Graph) -> None:
    for term, entity_type in REUSED.items():
        types = {t for t in onto.objects(term, RDF.type) if t in ENTITY_TYPES}
        assert types == {entity_type}, term
        assert onto.value(term, RDFS.isDefinedBy) is not None, term
    for term in DOCUMENTED_REUSE:
        assert "en" in langs(onto, term, SKOS.scopeNote), f"{term}: use is not documented"


# --- concept schemes ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", sorted(SCHEMES), ids=lambda s: s.removeprefix(str(HG)))
def test_concept_scheme(onto: Graph, scheme: URIRef) -> None:
    expected = SCHEMES[scheme]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
    assert sorted(langs(onto, scheme, SKOS.prefLabel), key=str) == ["en", "nb"]
    # DCAT-AP 3 (shapes.ttl, CategoryScheme_Shape) wants a dct:title on every concept scheme.
    assert sorted(langs(onto, scheme, DCTERMS.title), key=str) == ["en", "nb"]
    assert set(onto.subjects(SKOS.inScheme, scheme)) == expected
    assert set(onto.objects(scheme, SKOS.hasTopConcept)) == expected
    for concept in sorted(expected):
        assert (concept, RDF.type, SKOS.Concept) in onto, concept
        assert set(onto.objects(concept, SKOS.inScheme)) == {scheme}, concept
        assert (concept, SKOS.topConceptOf, scheme) in onto, concept
        assert sorted(langs(onto, concept, SKOS.prefLabel), key=str) == ["en", "nb"], concept
        assert "en" in langs(onto, concept, SKOS.definition), concept
    different = [
        set(members(onto, n, OWL.distinctMembers))
        for n in onto.subjects(RDF.type, OWL.AllDifferent)
    ]
    assert expected in different


# --- OWL 2 DL ----------------------------------------------------------------------------------


def test_structural_owl2_dl_check_passes(onto: Graph) -> None:
    assert dl_problems(onto) == []


def _pun_dct_is_part_of(g: Graph) -> None:
    g.add((DCTERMS.isPartOf, RDF.type, OWL.DatatypeProperty))


def _undeclared_predicate(g: Graph) -> None:
    g.add((HG.OptOut, URIRef(EX + "undeclared"), HG.ConsentRequired))


def _gyear_range(g: Graph) -> None:
    g.set((HG.listingPosition, RDFS.range, ns.XSD.gYear))


def _undeclared_superclass(g: Graph) -> None:
    g.add((HG.Act, RDFS.subClassOf, ELI.Work))


def _inverse_of_datatype_property(g: Graph) -> None:
    g.add((HG.sourceLine, OWL.inverseOf, HG.concerns))


def _typo_in_concept(g: Graph) -> None:
    g.add((HG.OptOut, SKOS.inScheme, HG.ConsentRegime))


def _functional_annotation_property(g: Graph) -> None:
    g.add((HG.quote, RDF.type, OWL.FunctionalProperty))


#: Ways to break OWL 2 DL, and what the structural check must then report.
BREAKAGES: dict[str, tuple[Callable[[Graph], None], str]] = {
    "property-punning": (_pun_dct_is_part_of, "declared as two incompatible kinds"),
    "undeclared-predicate": (_undeclared_predicate, "not declared as a property"),
    "non-owl2-datatype-range": (_gyear_range, "is not in the OWL 2 map"),
    "undeclared-class": (_undeclared_superclass, "is not a declared class"),
    "inverse-of-datatype-property": (_inverse_of_datatype_property, "not both object"),
    "undeclared-individual": (_typo_in_concept, "is not a declared individual"),
    "functional-annotation-property": (_functional_annotation_property, "FunctionalProperty"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_structural_owl2_dl_check_can_fail(breakage: str) -> None:
    g = load_ontology()
    break_it, expected = BREAKAGES[breakage]
    break_it(g)
    problems = dl_problems(g)
    assert any(expected in problem for problem in problems), problems


# --- a real reasoner and a real profile checker (need Java) -----------------------------------


@pytest.fixture(scope="module")
def java() -> str:
    java_exe = str(owlready2.JAVA_EXE)
    try:
        subprocess.run([java_exe, "-version"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail(
            f"HermiT and Pellet need Java ({exc}): install a JRE, or deselect these tests "
            "with pytest -m 'not reasoner'"
        )
    return java_exe


def pellet_owl_profile(java: str, ttl: Path) -> str:
    """The OWL profile Pellet's ``info`` command (OWL API 3 profile checker) finds for a file."""
    jars = sorted((Path(owlready2.__file__).parent / "pellet").glob("*.jar"))
    classpath = ":".join(str(j) for j in jars)
    run = subprocess.run(
        [java, "-Xmx1g", "-cp", classpath, "pellet.Pellet", "info", str(ttl)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r"^OWL Profile = (.+)$", run.stdout, re.MULTILINE)
    assert found, f"pellet info gave no profile:\n{run.stdout}\n{run.stderr}"
    return found.group(1).strip()


#: Pellet names the first profile the ontology is in, trying EL, QL, RL, DL and then plain OWL 2;
#: the first four are all within OWL 2 DL.
DL_PROFILES = {"OWL 2 EL", "OWL 2 QL", "OWL 2 RL", "OWL 2 DL"}


@pytest.mark.reasoner
def test_owl2_dl_profile_with_owlapi(java: str) -> None:
    assert pellet_owl_profile(java, ONTOLOGY_FILE) in DL_PROFILES


@pytest.mark.reasoner
def test_owl2_dl_profile_check_can_fail(java: str, tmp_path: Path) -> None:
    g = load_ontology()
    _pun_dct_is_part_of(g)
    broken = tmp_path / "punned.ttl"
    g.serialize(broken, format="turtle")
    assert pellet_owl_profile(java, broken) == "OWL 2"


def reason(java: str, tmp_path: Path, extra: Graph | None = None) -> owlready2.World:
    """Load the ontology (plus ``extra``) into a fresh owlready2 World and run HermiT on it."""
    g = load_ontology()
    if extra is not None:
        g += extra
    nt = tmp_path / "helsegraf.nt"
    g.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    with nt.open("rb") as ntriples:
        world.get_ontology(str(ONTOLOGY_IRI)).load(fileobj=ntriples, format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    return world


def unsatisfiable(world: owlready2.World) -> list[str]:
    """IRIs of the named classes HermiT found equivalent to owl:Nothing."""
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def turtle(text: str) -> Graph:
    prefixes = {"hg": HG, "ex": EX, "dct": DCTERMS, "owl": OWL, "rdfs": RDFS}
    prologue = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items())
    return Graph().parse(data=prologue + text, format="turtle")


@pytest.mark.reasoner
def test_hermit_finds_ontology_consistent_and_every_class_satisfiable(
    java: str, tmp_path: Path
) -> None:
    world = reason(java, tmp_path)
    assert unsatisfiable(world) == []


@pytest.mark.reasoner
def test_hermit_reports_an_unsatisfiable_class(java: str, tmp_path: Path) -> None:
    extra = turtle(
        "ex:Broken a owl:Class ; "
        "rdfs:subClassOf hg:MedicalQualityRegister , hg:PopulationHealthSurvey ."
    )
    world = reason(java, tmp_path, extra)
    assert unsatisfiable(world) == [EX + "Broken"]


INCONSISTENT_DATA = {
    "two-disjoint-kinds": "ex:ds a hg:MedicalQualityRegister , hg:PopulationHealthSurvey .",
    "regulated-by-an-act": "ex:ds hg:regulatedBy ex:law . ex:law a hg:Act .",
    "two-listing-positions": "ex:ds hg:listingPosition 1 , 2 .",
    "two-consent-regimes-the-same": "hg:OptOut owl:sameAs hg:ConsentNotRequired .",
}


@pytest.mark.reasoner
@pytest.mark.parametrize("case", sorted(INCONSISTENT_DATA))
def test_hermit_reports_inconsistent_data(java: str, tmp_path: Path, case: str) -> None:
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(java, tmp_path, turtle(INCONSISTENT_DATA[case]))


@pytest.mark.reasoner
def test_hermit_infers_inverses_and_types(java: str, tmp_path: Path) -> None:
    extra = turtle(
        """
        ex:merged hg:mergedFrom ex:old .
        ex:later hg:followUpOf ex:earlier .
        ex:part dct:isPartOf ex:whole .
        ex:iplos dct:isReplacedBy ex:kpr .
        ex:a hg:deliversDataTo ex:b .
        ex:listed hg:listingPosition 7 .
        """
    )
    inferred = reason(java, tmp_path, extra).as_rdflib_graph()

    def ex(name: str) -> URIRef:
        return URIRef(EX + name)

    expected = [
        (ex("old"), HG.mergedInto, ex("merged")),
        (ex("earlier"), HG.hasFollowUp, ex("later")),
        (ex("whole"), DCTERMS.hasPart, ex("part")),
        (ex("kpr"), DCTERMS.replaces, ex("iplos")),
        (ex("b"), HG.receivesDataFrom, ex("a")),
        (ex("listed"), RDF.type, ns.DCAT.Dataset),
    ]
    missing = [t for t in expected if t not in inferred]
    assert missing == []
