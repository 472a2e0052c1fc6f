"""Both catalog views pass the official shape sets, with pySHACL, without a single violation.

The shapes are the files the standards bodies publish (``../shared/standards``), read and
repaired in memory by :mod:`helsegraf.standards`. The background graph is the concept
statements of ``data/vocabularies`` (vocabulary membership is checked in the data graph).
Each view is also broken on purpose, to show the check can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from helsegraf import catalog, standards
from helsegraf.catalog import Profile, Site
from helsegraf.store import OxigraphStore

SITE = Site(root="https://helsegraf.example/", base_iri="https://w3id.org/helsegraf/id/")

#: Each view and the shape sets it must pass.
CASES = [
    (Profile.DCAT_AP_NO, "dcat-ap-no-3"),
    (Profile.DCAT_AP_NO, "dcat-ap-3.0.1"),
    (Profile.DCAT_AP_NO, "dcat-ap-3.0.1-full"),
    (Profile.HEALTHDCAT_AP, "healthdcat-ap-8-non-public"),
    (Profile.HEALTHDCAT_AP, "dcat-ap-3.0.1"),
    (Profile.HEALTHDCAT_AP, "dcat-ap-3.0.1-full"),
]


@pytest.fixture(scope="module", autouse=True)
def _standards(require_shared: Callable[[Path, str], Path]) -> None:
    require_shared(standards.STANDARDS_DIR, "the official DCAT shape sets")


@pytest.fixture(scope="module")
def views(store: OxigraphStore) -> dict[Profile, Graph]:
    return {
        profile: catalog.from_store(store, profile, SITE, modified="2026-11-27")
        for profile in Profile
    }


@pytest.mark.parametrize(("profile", "shape_set"), CASES, ids=[f"{p.value}-{s}" for p, s in CASES])
def test_view_conforms_to_the_official_shapes(
    views: dict[Profile, Graph], profile: Profile, shape_set: str
) -> None:
    report = standards.validate(views[profile], shape_set, background=catalog.vocabularies())
    assert report.conforms, report.text
    assert not report.violations


@pytest.mark.parametrize(("profile", "shape_set"), CASES, ids=[f"{p.value}-{s}" for p, s in CASES])
def test_a_broken_view_fails(views: dict[Profile, Graph], profile: Profile, shape_set: str) -> None:
    """A dataset without its title (mandatory everywhere) is reported, by name."""
    broken = Graph()
    broken += views[profile]
    dataset = sorted(broken.subjects(RDF.type, DCAT.Dataset))[0]
    broken.remove((dataset, DCTERMS.title, None))
    report = standards.validate(broken, shape_set, background=catalog.vocabularies())
    assert not report.conforms
    assert dataset in {finding.focus for finding in report.violations}


def test_views_hold_their_own_publisher_types(views: dict[Profile, Graph]) -> None:
    """The conflict the profiles resolve differently: a view that mixed them would fail one."""
    mixed = Graph()
    mixed += views[Profile.DCAT_AP_NO]
    mixed += views[Profile.HEALTHDCAT_AP]
    report = standards.validate(mixed, "dcat-ap-no-3", background=catalog.vocabularies())
    assert not report.conforms


def test_the_catalog_has_no_blank_nodes(views: dict[Profile, Graph]) -> None:
    """Every node is an IRI, so a rebuilt document is byte-identical and its ETag stable."""
    from rdflib import BNode

    for view in views.values():
        assert not any(isinstance(term, BNode) for triple in view for term in triple)


def test_every_concept_used_is_in_the_vocabulary_files(views: dict[Profile, Graph]) -> None:
    vocab = catalog.vocabularies()
    for view in views.values():
        for concept in view.subjects(
            RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")
        ):
            if str(concept).startswith("https://w3id.org/helsegraf/ontology#"):
                continue  # helsegraf's own kinds of source
            assert (
                concept,
                URIRef("http://www.w3.org/2004/02/skos/core#inScheme"),
                None,
            ) in vocab, concept


def test_an_unknown_concept_is_refused(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        catalog.HEALTH_CATEGORIES,  # type: ignore[arg-type]
        catalog.HG.MedicalQualityRegister,
        (URIRef(str(catalog.HEALTH_CATEGORY) + "NOT_A_CODE"),),
    )
    with pytest.raises(catalog.UnknownConceptError):
        catalog.from_store(store, Profile.HEALTHDCAT_AP, SITE)


def test_compliance_verdicts_name_the_failing_dataset(views: dict[Profile, Graph]) -> None:
    broken = Graph()
    broken += views[Profile.DCAT_AP_NO]
    datasets = sorted(broken.subjects(RDF.type, DCAT.Dataset))
    broken.remove((datasets[0], DCTERMS.description, None))
    verdicts = standards.compliance(broken, "dcat-ap-no", background=catalog.vocabularies())
    assert verdicts is not None
    assert verdicts[datasets[0]] is False
    assert all(verdicts[d] for d in datasets[1:])
