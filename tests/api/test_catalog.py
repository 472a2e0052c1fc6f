"""``/catalog`` over HTTP: profiles, formats, conditional GET, paging, and facts from the graph.

Every expectation is read from the published graph (through the store) or from the catalog
document itself, never written down here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from helsegraf.api.app import create_app
from helsegraf.catalog import HYDRA, PUBLISHER_PATTERN
from helsegraf.namespaces import DPV, VCARD, sparql_prologue
from helsegraf.settings import Settings
from helsegraf.store import Store
from tests.conftest import StoreBackend

LISTED = sparql_prologue() + "SELECT ?d WHERE { ?d hg:listingPosition ?p }"


def catalog(client: TestClient, **params: str) -> Graph:
    response = client.get("/catalog", params=params, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def catalog_iri(graph: Graph) -> URIRef:
    (iri,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert isinstance(iri, URIRef)
    return iri


@pytest.fixture(scope="module")
def no_view(client: TestClient) -> Graph:
    return catalog(client)


@pytest.fixture(scope="module")
def health_view(client: TestClient) -> Graph:
    return catalog(client, profile="healthdcat-ap")


def test_every_listed_source_is_a_dataset_of_the_catalog(
    no_view: Graph, health_view: Graph, store: Store
) -> None:
    listed = set(store.select(LISTED).column("d"))
    assert len(listed) > 50
    for view in (no_view, health_view):
        assert set(view.objects(catalog_iri(view), DCAT.dataset)) == listed
        assert set(view.subjects(RDF.type, DCAT.Dataset)) == listed


def test_the_sparql_endpoint_is_a_data_service_of_the_catalog(no_view: Graph) -> None:
    (service,) = no_view.objects(catalog_iri(no_view), DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in no_view
    assert no_view.value(service, DCAT.endpointURL) == URIRef("http://testserver/sparql")
    served = set(no_view.objects(service, DCAT.servesDataset))
    assert served == set(no_view.objects(catalog_iri(no_view), DCAT.dataset))


def test_titles_are_the_graphs_titles(no_view: Graph, store: Store) -> None:
    for dataset in no_view.objects(catalog_iri(no_view), DCAT.dataset):
        assert set(no_view.objects(dataset, DCTERMS.title)) == set(
            store.construct(
                f"CONSTRUCT {{ <{dataset}> <{DCTERMS.title}> ?t }} "
                f"WHERE {{ <{dataset}> <{DCTERMS.title}> ?t }}"
            ).objects()
        )


def test_publisher_is_the_controller_with_its_organisation_number(
    no_view: Graph, store: Store
) -> None:
    rows = store.select(
        sparql_prologue()
        + "SELECT ?d ?number WHERE { ?d hg:listingPosition ?p ; dpv:hasDataController ?c . "
        "?c dct:identifier ?number FILTER NOT EXISTS { ?d dct:publisher ?x } "
        "FILTER NOT EXISTS { ?d dpv:hasDataController ?c2 FILTER (?c2 != ?c) } }"
    ).rows
    assert len(rows) > 30
    for row in rows:
        publisher = no_view.value(row["d"], DCTERMS.publisher)
        assert publisher == URIRef(PUBLISHER_PATTERN.format(row["number"]))
        assert no_view.value(publisher, DCTERMS.identifier) == Literal(str(row["number"]))
        assert no_view.value(publisher, FOAF.name) is not None


def test_every_dataset_has_exactly_one_publisher(no_view: Graph) -> None:
    for dataset in no_view.subjects(RDF.type, DCAT.Dataset):
        assert len(list(no_view.objects(dataset, DCTERMS.publisher))) == 1, dataset


def test_contact_points_carry_the_listings_emails(no_view: Graph, store: Store) -> None:
    rows = store.select(
        sparql_prologue()
        + "SELECT ?d ?email WHERE { ?d hg:listingPosition ?p ; dcat:contactPoint ?c . "
        "?c vcard:hasEmail ?email }"
    ).rows
    assert rows
    for row in rows:
        (contact,) = no_view.objects(row["d"], DCAT.contactPoint)
        assert (contact, VCARD.hasEmail, row["email"]) in no_view
        assert (contact, RDF.type, VCARD.Kind) in no_view


def test_a_source_without_an_address_points_to_the_listing(no_view: Graph, store: Store) -> None:
    without = store.select(
        sparql_prologue() + "SELECT ?d WHERE { ?d hg:listingPosition ?p "
        "FILTER NOT EXISTS { ?d dcat:contactPoint ?c } }"
    ).column("d")
    assert without
    for dataset in without:
        (contact,) = no_view.objects(dataset, DCAT.contactPoint)
        assert no_view.value(contact, VCARD.hasEmail) is None
        assert no_view.value(contact, VCARD.hasURL) == URIRef("https://helsedata.no/no/datakilder/")


def test_no_time_coverage_is_invented(no_view: Graph, health_view: Graph, store: Store) -> None:
    with_period = set(
        store.select(
            sparql_prologue() + "SELECT ?d WHERE { ?d hg:listingPosition ?p ; dct:temporal ?t }"
        ).column("d")
    )
    for view in (no_view, health_view):
        covered = set(view.subjects(DCTERMS.temporal, None))
        assert covered == with_period


def test_legal_bases_become_applicable_legislation_and_dpv(
    health_view: Graph, store: Store
) -> None:
    rows = store.select(
        sparql_prologue()
        + "SELECT ?d ?basis ?act WHERE { ?d hg:listingPosition ?p ; dpv:hasLegalBasis ?basis . "
        "OPTIONAL { ?basis eli:is_part_of ?act } }"
    ).rows
    assert rows
    applicable = URIRef("http://data.europa.eu/r5r/applicableLegislation")
    for row in rows:
        assert (row["d"], DPV.hasLegalBasis, row["basis"]) in health_view
        assert (row["d"], applicable, row.get("act", row["basis"])) in health_view


def test_health_view_has_an_access_body_and_a_category(health_view: Graph) -> None:
    health = "http://healthdataportal.eu/ns/health#"
    for dataset in health_view.subjects(RDF.type, DCAT.Dataset):
        assert len(list(health_view.objects(dataset, URIRef(health + "hdab")))) == 1
        assert list(health_view.objects(dataset, URIRef(health + "healthCategory")))


def test_profiles_differ_in_publisher_type_vocabulary(no_view: Graph, health_view: Graph) -> None:
    no_types = {
        str(t)
        for t in no_view.objects(None, DCTERMS.type)
        if (None, DCTERMS.publisher, None) in no_view
    }
    assert any(t.startswith("http://purl.org/adms/publishertype/") for t in no_types)
    assert not any("hdeu-dcat" in str(t) for t in no_view.objects(None, DCTERMS.type))
    assert any("publisher-type" in str(t) for t in health_view.objects(None, DCTERMS.type))


@pytest.mark.parametrize(
    ("accept", "media", "parse_as"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_every_rdf_format_holds_the_same_graph(
    client: TestClient, no_view: Graph, accept: str, media: str, parse_as: str
) -> None:
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=parse_as)
    assert len(graph) == len(no_view)
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == set(
        no_view.subjects(RDF.type, DCAT.Dataset)
    )


def test_a_harvester_sending_no_accept_gets_turtle(client: TestClient) -> None:
    response = client.get("/catalog", headers={"Accept": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    Graph().parse(data=response.text, format="turtle")


def test_a_browser_gets_a_page_listing_the_datasets(client: TestClient, no_view: Graph) -> None:
    response = client.get("/catalog", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for dataset in list(no_view.subjects(RDF.type, DCAT.Dataset))[:5]:
        assert "/id/dataset/" + str(dataset).rsplit("/", 1)[-1] in response.text


def test_unknown_profile_page_and_format_are_clear_400s(client: TestClient) -> None:
    for params in (
        {"profile": "dcat-ap-se"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "99999"},
        {"format": "docx"},
    ):
        response = client.get("/catalog", params=params)
        assert response.status_code == 400, params
        assert response.text
    assert client.get("/catalog", params={"page": "999"}).status_code == 404
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_etag_gives_304_and_changes_with_the_profile(client: TestClient) -> None:
    first = client.get("/catalog")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    again = client.get("/catalog", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/catalog", headers={"If-None-Match": '"other"'}).status_code == 200
    health = client.get("/catalog", params={"profile": "healthdcat-ap"})
    assert health.headers["etag"] != etag
    # each format has its own body and so its own tag
    assert (
        client.get("/catalog", headers={"Accept": "application/n-triples"}).headers["etag"] != etag
    )


def test_pages_are_linked_with_hydra_and_cover_every_dataset(
    client: TestClient, no_view: Graph
) -> None:
    everything = set(no_view.subjects(RDF.type, DCAT.Dataset))
    seen: set[URIRef] = set()
    page = catalog(client, page_size="20")
    pages = 1
    while True:
        datasets = set(page.objects(catalog_iri(page), DCAT.dataset))
        assert len(datasets) <= 20
        assert not datasets & seen
        seen |= datasets
        view = page.value(catalog_iri(page), HYDRA.view)
        assert page.value(view, HYDRA.totalItems) == Literal(len(everything))
        following = page.value(view, HYDRA.next)
        if following is None:
            break
        response = client.get(str(following), headers={"Accept": "text/turtle"})
        page = Graph().parse(data=response.text, format="turtle")
        pages += 1
    assert seen == everything
    assert pages == -(-len(everything) // 20)


def test_catalog_iri_dereferences_to_the_catalog(client: TestClient, no_view: Graph) -> None:
    path = str(catalog_iri(no_view)).replace("https://w3id.org/helsegraf", "")
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/catalog"


@pytest.mark.embedded_only(
    "Last-Modified is the store directory's last write; a remote store has no such time, "
    "and its answers carry none (README, The catalog)"
)
def test_last_modified_and_if_modified_since(store_dir: Path) -> None:
    app = create_app(Settings(store=str(store_dir), query_workers=1))
    with TestClient(app) as client:
        first = client.get("/catalog")
        assert first.status_code == 200
        stamp = first.headers["last-modified"]
        assert client.get("/catalog", headers={"If-Modified-Since": stamp}).status_code == 304
        earlier = datetime.now(UTC) - timedelta(days=3650)
        later = client.get(
            "/catalog", headers={"If-Modified-Since": format_datetime(earlier, usegmt=True)}
        )
        assert later.status_code == 200
        # an If-None-Match that does not match wins over a date that would
        assert (
            client.get(
                "/catalog", headers={"If-Modified-Since": stamp, "If-None-Match": '"x"'}
            ).status_code
            == 200
        )
        assert client.get("/catalog", headers={"If-Modified-Since": "yesterday"}).status_code == 200


def test_quality_report_scores_every_dataset(client: TestClient, no_view: Graph) -> None:
    response = client.get("/catalog/quality")
    assert response.status_code == 200
    report = response.json()
    assert {d["id"] for d in report["datasets"]} == {
        str(d) for d in no_view.subjects(RDF.type, DCAT.Dataset)
    }
    assert report["max_points"] == 405
    assert 0 < report["catalogue"]["average_points"] < 405
    for dataset in report["datasets"]:
        keywords = next(i for i in dataset["indicators"] if i["key"] == "keywordAvailability")
        assert keywords["points"] == keywords["max_points"]
    page = client.get("/catalog/quality", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "MQA" in page.text


def test_the_quality_report_is_not_run_again_for_each_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pySHACL takes seconds per report: a report asked for again is the kept one, per store
    generation, or for a remote store (no generation) per time slot, so that a client asking
    in a loop cannot keep the server busy."""
    from helsegraf import standards
    from helsegraf.api import catalog as catalog_routes

    runs: list[str] = []
    compliance = standards.compliance

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append("run")
        return compliance(*args, **kwargs)

    monkeypatch.setattr(standards, "compliance", counted)
    # one time slot for the whole test, so that none ends between the requests
    monkeypatch.setattr(catalog_routes, "REMOTE_INDEX_SECONDS", 1e9)
    answers = [client.get("/catalog/quality") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[2].json()
    assert len(runs) <= 1, runs  # none when an earlier test already had this report built


def test_a_raw_request_without_any_accept_header_gets_turtle(
    live_server: str, store_backend: StoreBackend
) -> None:
    """Over a real socket, with no Accept header at all (a TestClient always sends one).

    Last-Modified comes only with a store on disk; a remote store has no such time."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(live_server)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    connection.putrequest("GET", "/catalog", skip_accept_encoding=True)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/turtle; charset=utf-8"
    assert response.getheader("ETag")
    assert (response.getheader("Last-Modified") is not None) == (not store_backend.remote)
    graph = Graph().parse(data=body, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) > 50
