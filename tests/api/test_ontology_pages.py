"""``/ontology`` and ``/shapes``: the files as RDF by ``Accept``, and documentation for people.

What the pages must document is read from the files themselves (``ontology/helsegraf.ttl``
and ``shapes/*.ttl``), so a term added there without documentation fails here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from helsegraf import paths
from helsegraf.api import resources
from helsegraf.namespaces import HG, HGSH
from tests.api.test_resources import BROWSER, RDF_TYPES, Html, words

FORMAT_NAMES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
}


@pytest.fixture(scope="module")
def ontology_file() -> Graph:
    return Graph().parse(paths.ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes_files() -> Graph:
    graph = Graph()
    for path in sorted(paths.SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology_nb(client: TestClient) -> Html:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    return Html(response.text)


@pytest.fixture(scope="module")
def ontology_en(client: TestClient) -> Html:
    response = client.get("/ontology", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.headers["content-language"] == "en"
    return Html(response.text)


def own_terms(graph: Graph, *kinds: URIRef) -> list[URIRef]:
    """helsegraf's own terms declared in ``graph`` with one of ``kinds`` as their type."""
    return sorted(
        {
            s
            for kind in kinds
            for s in graph.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(str(HG))
        }
    )


def local(term: URIRef) -> str:
    return str(term)[len(str(HG)) :]


def lang_text(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> str:
    values = [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == lang
    ]
    assert len(values) == 1, (subject, predicate, lang)
    return values[0]


# -- /ontology as RDF ------------------------------------------------------------------------


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_the_ontology_in_every_rdf_format_is_the_file(
    client: TestClient, ontology_file: Graph, media: str
) -> None:
    for response in (
        client.get("/ontology", headers={"Accept": media}),
        client.get(f"/ontology?format={FORMAT_NAMES[media]}", headers={"Accept": BROWSER}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media
        served = Graph().parse(data=response.content, format=RDF_TYPES[media])
        assert isomorphic(served, ontology_file)


def test_a_program_that_accepts_anything_gets_turtle(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Accept" in response.headers["vary"]
    link = response.headers["link"]
    for media in ("application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert f'type="{media}"' in link
    assert 'type="text/turtle"' not in link


def test_an_unchanged_ontology_is_not_sent_again(client: TestClient) -> None:
    first = client.get("/ontology", headers={"Accept": "text/turtle"})
    tag = first.headers["etag"]
    again = client.get("/ontology", headers={"Accept": "text/turtle", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/ontology", headers={"Accept": "application/rdf+xml"})
    assert other.headers["etag"] != tag


def test_the_ontology_refuses_what_it_cannot_send(client: TestClient) -> None:
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/ontology", headers={"Accept": "x"}).status_code == 400
    assert client.get("/ontology?format=pdf").status_code == 400


def test_the_files_are_read_once_not_per_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for cached in (
        resources.vocabulary,
        resources.shapes_graph,
        resources.ontology_bytes,
        resources.shapes_bytes,
        resources.ontology_doc,
        resources.shapes_doc,
    ):
        cached.cache_clear()
    parsed: list[str] = []
    original = rdflib.Graph.parse

    def counting_parse(self: Graph, source: object = None, **kwargs: object) -> Graph:
        parsed.append(str(source))
        return original(self, source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rdflib.Graph, "parse", counting_parse)
    for _ in range(3):
        for accept in (BROWSER, "application/rdf+xml", "application/ld+json"):
            for path in ("/ontology", "/shapes", "/ontology?lang=en", "/shapes?lang=en"):
                assert client.get(path, headers={"Accept": accept}).status_code == 200
    assert parsed.count(str(paths.ONTOLOGY_FILE)) == 1
    shape_files = [str(p) for p in paths.SHAPES_DIR.glob("*.ttl")]
    assert all(parsed.count(f) == 1 for f in shape_files)


# -- /ontology as HTML -----------------------------------------------------------------------


def test_every_own_class_property_and_individual_has_an_anchor(
    ontology_nb: Html, ontology_file: Graph
) -> None:
    terms = own_terms(
        ontology_file,
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
    )
    assert len(terms) > 40
    ids = ontology_nb.ids
    assert len(ids) == len(set(ids)), "anchors are unique"
    missing = [local(t) for t in terms if local(t) not in ids]
    assert not missing
    # and the reused terms are documented too, under their CURIE
    assert "dcat:Dataset" in ids
    assert "dpv:hasDataController" in ids


def test_each_term_shows_its_labels_and_definitions_in_nb_and_en(
    ontology_nb: Html, ontology_en: Html, ontology_file: Graph
) -> None:
    for term in own_terms(ontology_file, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for html in (ontology_nb, ontology_en):
            section = html.text_of(local(term))
            for lang in ("nb", "en"):
                assert words(lang_text(ontology_file, term, RDFS.label, lang)) in section
                assert words(lang_text(ontology_file, term, SKOS.definition, lang)) in section
    # the heading is in the page's language
    term = HG.MedicalQualityRegister
    assert ontology_nb.text_of(local(term)).startswith(
        lang_text(ontology_file, term, RDFS.label, "nb")
    )
    assert ontology_en.text_of(local(term)).startswith(
        lang_text(ontology_file, term, RDFS.label, "en")
    )


def curie(term: URIRef) -> str:
    return resources.curie(term)


def test_superclasses_domains_ranges_and_inverses_are_documented(
    ontology_nb: Html, ontology_file: Graph
) -> None:
    checked = 0
    for term in own_terms(ontology_file, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        section = ontology_nb.text_of(local(term))
        for predicate, heading in (
            (RDFS.subClassOf, "Underklasse av"),
            (RDFS.domain, "Domene"),
            (RDFS.range, "Verdiområde"),
            (RDFS.subPropertyOf, "Underegenskap av"),
            (OWL.inverseOf, "Omvendt av"),
        ):
            for value in ontology_file.objects(term, predicate):
                assert isinstance(value, URIRef)
                assert heading in section
                assert curie(value) in section, (term, predicate, value)
                checked += 1
    assert checked > 30
    # links between terms stay on the page
    assert "#HealthDataSource" in ontology_nb.links
    assert "#dcat:Dataset" in ontology_nb.links


def test_concept_schemes_list_their_concepts(ontology_en: Html, ontology_file: Graph) -> None:
    schemes = own_terms(ontology_file, SKOS.ConceptScheme)
    assert len(schemes) >= 3
    for scheme in schemes:
        section = ontology_en.text_of(local(scheme))
        concepts = list(ontology_file.subjects(SKOS.inScheme, scheme))
        assert concepts
        for concept in concepts:
            assert isinstance(concept, URIRef)
            assert words(lang_text(ontology_file, concept, SKOS.prefLabel, "en")) in section


def test_the_header_states_the_ontology_metadata(ontology_en: Html, ontology_file: Graph) -> None:
    (header,) = ontology_file.subjects(RDF.type, OWL.Ontology)
    text = ontology_en.text
    assert lang_text(ontology_file, header, rdflib.DCTERMS.title, "en") in text
    assert str(ontology_file.value(header, OWL.versionInfo)) in text
    assert str(ontology_file.value(header, rdflib.DCTERMS.license)) in ontology_en.links


def test_the_documentation_needs_no_inline_style_or_script(client: TestClient) -> None:
    for path in ("/ontology", "/shapes"):
        response = client.get(path, headers={"Accept": BROWSER})
        html = Html(response.text)
        assert html.inline_styles == 0
        assert "script" not in html.tags
        assert "style" not in html.tags
        assert {v.strip() for v in response.headers["vary"].split(",")} >= {
            "Accept",
            "Accept-Language",
        }


# -- /shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_the_shapes_in_every_rdf_format_are_the_files(
    client: TestClient, shapes_files: Graph, media: str
) -> None:
    response = client.get("/shapes", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert isomorphic(Graph().parse(data=response.content, format=RDF_TYPES[media]), shapes_files)


@pytest.fixture(scope="module")
def shapes_page(client: TestClient) -> Html:
    response = client.get("/shapes", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.status_code == 200
    return Html(response.text)


def named_shapes(graph: Graph) -> Iterator[URIRef]:
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if isinstance(shape, URIRef):
                yield shape


def test_every_shape_is_listed_with_its_target_path_and_message(
    shapes_page: Html, shapes_files: Graph
) -> None:
    shapes = sorted(set(named_shapes(shapes_files)))
    assert len(shapes) > 20
    assert len(shapes_page.ids) == len(set(shapes_page.ids)), "anchors are unique"
    messages_checked = 0
    for shape in shapes:
        anchor = str(shape)[len(str(HGSH)) :]
        assert anchor in shapes_page.ids, shape
        section = shapes_page.text_of(anchor)
        for label in shapes_files.objects(shape, RDFS.label):
            assert words(str(label)) in section
        path = shapes_files.value(shape, SH.path)
        if isinstance(path, URIRef):
            assert curie(path) in section
        for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
            for target in shapes_files.objects(shape, predicate):
                assert isinstance(target, URIRef)
                assert curie(target) in section
        messages = list(shapes_files.objects(shape, SH.message)) + [
            m
            for c in shapes_files.objects(shape, SH.sparql)
            for m in shapes_files.objects(c, SH.message)
        ]
        for message in messages:
            assert words(str(message)) in section
            messages_checked += 1
    assert messages_checked >= len(shapes) // 2
