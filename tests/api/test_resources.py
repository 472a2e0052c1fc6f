"""``/id/...``: every resource of the graph, as a page for people and as RDF for programs.

The expectations are read from the graph the app serves (the session's store), never copied
from the pages: what a page must show is what the graph holds about the resource.
"""

from __future__ import annotations

import http.client
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from helsegraf.namespaces import DPV, GRAPH, HG, ID_BASE, VCARD
from helsegraf.store import Store
from tests.api.conftest import app_client
from tests.conftest import StoreBackend

NIR = URIRef(ID_BASE + "dataset/nir")
HKR = URIRef(ID_BASE + "dataset/hkr")
HELSE_BERGEN = URIRef(ID_BASE + "organisation/helse-bergen-hf")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


class Html(HTMLParser):
    """A parsed page: ids, links, text by element id, and what the CSP would refuse."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
    )

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.inline_styles = 0
        self.handlers: list[str] = []
        self.langs: list[str] = []
        self.text_by_id: dict[str, list[str]] = defaultdict(list)
        self.all_text: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if "style" in values:
            self.inline_styles += 1
        if values.get("lang"):
            self.langs.append(str(values["lang"]))
        self.handlers += [name for name in values if name.startswith("on")]
        if tag not in self.VOID:
            self._open.append((tag, values.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.all_text.append(data)
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.all_text).split())

    def text_of(self, element_id: str) -> str:
        return " ".join(" ".join(self.text_by_id[element_id]).split())


def words(text: str) -> str:
    """``text`` with its white space normalised, as :attr:`Html.text` has it."""
    return " ".join(text.split())


def page(client: TestClient, path: str, **headers: str) -> Html:
    response = client.get(path, headers={"Accept": BROWSER, **headers})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    return Html(response.text)


def rdf(client: TestClient, path: str, media: str = "text/turtle") -> Graph:
    response = client.get(path, headers={"Accept": media})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].split(";")[0] == media
    return Graph().parse(data=response.content, format=RDF_TYPES[media])


def rows_of(store: Store, query: str, **bindings: URIRef) -> list[dict[str, object]]:
    rows = store.select(query, dict(bindings)).rows
    return [dict(row) for row in rows]


def document_in_store(store: Store, iri: URIRef) -> Graph:
    """Every triple whose subject is ``iri`` or one of its hash IRIs, read the slow way."""
    return store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER (isIRI(?s) && (?s = ?x || "
        'STRSTARTS(STR(?s), CONCAT(STR(?x), "#")))) }',
        {"x": iri},
    )


# -- RDF -------------------------------------------------------------------------------------


def test_a_source_in_turtle_holds_its_title_and_consent_regime(
    client: TestClient, store: Store
) -> None:
    graph = rdf(client, "/id/dataset/nir")
    expected = rows_of(
        store,
        "SELECT ?title ?consent WHERE { ?x dct:title ?title ; hg:consentRegime ?consent }",
        x=NIR,
    )
    assert expected
    for row in expected:
        assert (NIR, DCTERMS.title, row["title"]) in graph
        assert (NIR, HG.consentRegime, row["consent"]) in graph


@pytest.mark.parametrize("slug", ["dataset/nir", "dataset/hkr", "dataset/iplos", "dataset/bdr"])
def test_the_document_is_the_resource_with_its_hash_nodes_and_provenance(
    client: TestClient, store: Store, slug: str
) -> None:
    iri = URIRef(ID_BASE + slug)
    served = rdf(client, f"/id/{slug}", "application/n-triples")
    expected = document_in_store(store, iri)
    assert len(expected) > 0
    assert set(served) == set(expected)
    fragments = {str(s).split("#")[1].split("-")[0] for s in served.subjects() if "#" in str(s)}
    assert "fact" in fragments  # the provenance nodes of its facts are part of the document


def test_provenance_nodes_of_hash_nodes_come_with_the_document(
    client: TestClient, store: Store
) -> None:
    rows = rows_of(
        store,
        "SELECT ?fact WHERE { ?x dct:temporal ?t . ?fact rdf:subject ?t }",
        x=NIR,
    )
    assert rows, "the NIR entry states a time coverage, and its fact has provenance"
    served = rdf(client, "/id/dataset/nir")
    for row in rows:
        assert (row["fact"], RDF.subject, URIRef(str(NIR) + "#temporal")) in served


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_every_rdf_format_parses_back_to_the_same_triples(client: TestClient, media: str) -> None:
    reference = rdf(client, "/id/dataset/hkr", "application/n-triples")
    assert isomorphic(rdf(client, "/id/dataset/hkr", media), reference)
    name = {"text/turtle": "ttl", "application/n-triples": "nt"}.get(media)
    name = name or {"application/ld+json": "jsonld", "application/rdf+xml": "rdf"}[media]
    response = client.get(f"/id/dataset/hkr?format={name}", headers={"Accept": BROWSER})
    assert response.headers["content-type"].split(";")[0] == media
    assert isomorphic(Graph().parse(data=response.content, format=RDF_TYPES[media]), reference)


def test_browsers_get_html_and_programs_rdf(client: TestClient) -> None:
    cases = {
        BROWSER: "text/html",
        "text/html": "text/html",
        "*/*": "text/turtle",
        "application/ld+json, text/html;q=0.5": "application/ld+json",
        "application/rdf+xml": "application/rdf+xml",
        "text/plain": "text/plain",
    }
    for accept, media in cases.items():
        response = client.get("/id/dataset/nir", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media, accept
    bare = client.get("/id/dataset/nir", headers={"Accept": ""})
    assert bare.headers["content-type"].startswith("text/turtle")


def test_headers_name_every_other_representation_and_what_varies(client: TestClient) -> None:
    turtle = client.get("/id/dataset/nir", headers={"Accept": "text/turtle"})
    assert "Accept" in turtle.headers["vary"]
    links = parse_links(turtle.headers["link"])
    assert "text/turtle" not in links.values()
    assert set(links.values()) == {
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "text/html",
    }
    for href, media in links.items():
        assert urlsplit(href).path == "/id/dataset/nir"
        followed = client.get(href, headers={"Accept": "text/turtle"})
        assert followed.status_code == 200
        assert followed.headers["content-type"].split(";")[0] == media
    html = client.get("/id/dataset/nir", headers={"Accept": BROWSER})
    assert {v.strip() for v in html.headers["vary"].split(",")} >= {"Accept", "Accept-Language"}
    assert "text/turtle" in parse_links(html.headers["link"]).values()
    assert "text/html" not in parse_links(html.headers["link"]).values()


def parse_links(header: str) -> dict[str, str]:
    links = {}
    for part in header.split(","):
        target, *params = part.split(";")
        attributes = dict(p.strip().split("=", 1) for p in params)
        assert attributes["rel"] == '"alternate"'
        links[target.strip().strip("<>")] = attributes["type"].strip('"')
    return links


def test_head_answers_like_get(client: TestClient) -> None:
    get = client.get("/id/dataset/nir", headers={"Accept": "text/turtle"})
    head = client.head("/id/dataset/nir", headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""


# -- status codes ----------------------------------------------------------------------------


def test_an_unknown_resource_is_404_a_page_for_browsers_text_for_programs(
    client: TestClient,
) -> None:
    text = client.get("/id/dataset/does-not-exist", headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert text.headers["content-type"].startswith("text/plain")
    assert "Accept" in text.headers["vary"]
    html = client.get("/id/dataset/does-not-exist", headers={"Accept": BROWSER})
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    parsed = Html(html.text)
    assert parsed.text_of("missing-iri") == ID_BASE + "dataset/does-not-exist"
    assert "/" in parsed.links  # a way back to the list of sources


def test_nothing_acceptable_is_406_and_a_bad_request_is_400(client: TestClient) -> None:
    assert client.get("/id/dataset/nir", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/dataset/nir", headers={"Accept": "text/html;q=0"}).status_code == 406
    assert client.get("/id/dataset/nir", headers={"Accept": "not a media type"}).status_code == 400
    assert client.get("/id/dataset/nir", headers={"Accept": "text/html;q=7"}).status_code == 400
    assert client.get("/id/dataset/nir?format=docx").status_code == 400
    # the format names a type precisely, so it wins over the Accept header
    response = client.get("/id/dataset/nir?format=nt", headers={"Accept": "image/png"})
    assert response.headers["content-type"].startswith("application/n-triples")


HOSTILE = [
    "/id/dataset/%2e%2e/nir",
    "/id/dataset/%2E%2E/%2E%2E/etc/passwd",
    "/id/dataset%2Fnir",
    "/id/..%2F..%2Fetc%2Fpasswd",
    "/id/dataset/nir%00",
    "/id/dataset/nir%0d%0aSet-Cookie:x=1",
    "/id/dataset/NIR",
    "/id/dataset//nir",
    "/id/dataset/nir/",
    "/id/dataset/n%C3%B8r",
    "/id/dataset/nir;x=1",
    "/id/dataset/nir.ttl",
    "/id/dataset/ni r",
    "/id/dataset\\nir",
    "/id/" + "a" * 5000,
    "/id/" + "/".join(["a"] * 40),
    "/id/",
    "/id/_:b0",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused_before_any_query(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "root:" not in response.text
    assert "set-cookie" not in response.headers


def test_dot_segments_sent_as_is_are_refused_over_a_socket(live_server: str) -> None:
    """A client may send ``..`` unnormalised (curl --path-as-is); httpx would resolve it."""
    address = urlsplit(live_server)
    for raw in ("/id/dataset/../nir", "/id/../../etc/passwd", "/id/./dataset/nir"):
        connection = http.client.HTTPConnection(address.hostname or "", address.port)
        try:
            connection.request("GET", raw, headers={"Accept": "text/turtle"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        assert response.status in (400, 404), raw
        assert b"root:" not in body


def test_fragments_are_not_resources_of_their_own(client: TestClient) -> None:
    # a client never sends the fragment; an encoded '#' is not a path of its own
    for path in ("/id/dataset/nir%23temporal", "/id/dataset/nir%23fact-00000000"):
        assert client.get(path).status_code in (400, 404)


# -- the page of a data source ---------------------------------------------------------------


def test_the_page_of_a_source_shows_its_facts_in_words(client: TestClient, store: Store) -> None:
    html = page(client, "/id/dataset/nir")
    facts = html.text_of("facts")
    (row,) = rows_of(
        store,
        """SELECT ?title ?controller ?name ?consent ?consentLabel WHERE {
             ?x dct:title ?title ; dpv:hasDataController ?controller ;
                hg:consentRegime ?consent .
             FILTER (lang(?title) = "nb")
             ?controller foaf:name ?name .
             ?consent rdfs:label ?consentLabel . FILTER (lang(?consentLabel) = "nb")
           }""",
        x=NIR,
    )
    assert html.text_of("resource").startswith(words("Datakilde " + str(row["title"])))
    assert words(str(row["name"])) in facts
    assert words(str(row["consentLabel"])) in facts
    assert f"/id/{str(row['controller'])[len(ID_BASE) :]}" in html.links
    assert "/ontology#" + str(row["consent"]).rsplit("#", 1)[1] in html.links


def test_the_page_quotes_the_sentence_behind_each_fact(client: TestClient, store: Store) -> None:
    quotes = rows_of(
        store,
        """SELECT ?predicate ?quote ?line WHERE {
             ?fact rdf:subject ?x ; rdf:predicate ?predicate ; hg:quote ?quote ;
                   hg:sourceLine ?line .
           }""",
        x=NIR,
    )
    assert quotes, "the session graph is built from the listing, so facts carry their sentence"
    html = page(client, "/id/dataset/nir")
    for row in quotes:
        assert words(str(row["quote"])) in html.text
    # each sentence is shown with the line it stands on
    assert all(f"linje {row['line']}" in html.text for row in quotes)
    assert "q" in html.tags


def test_the_legal_basis_links_to_lovdata(client: TestClient, store: Store) -> None:
    rows = rows_of(
        store,
        """SELECT ?x ?provision ?lovdata WHERE {
             ?x hg:listingPosition ?position ; dpv:hasLegalBasis ?provision .
             ?provision rdfs:seeAlso ?lovdata .
           } ORDER BY ?position LIMIT 1""",
    )
    assert rows
    source, provision, lovdata = rows[0]["x"], rows[0]["provision"], rows[0]["lovdata"]
    html = page(client, "/id/" + str(source)[len(ID_BASE) :])
    assert str(lovdata) in html.links
    assert "/id/" + str(provision)[len(ID_BASE) :] in html.links
    # and a regulation by its Lovdata ELI IRI
    regulated = rows_of(
        store,
        "SELECT ?regulation WHERE { ?x hg:regulatedBy ?regulation }",
        x=HKR,
    )
    assert regulated
    hkr = page(client, "/id/dataset/hkr")
    for row in regulated:
        assert str(row["regulation"]).startswith("https://lovdata.no/")
        assert str(row["regulation"]) in hkr.links


def test_english_when_the_browser_prefers_it(client: TestClient, store: Store) -> None:
    titles = {
        row["title"].language: str(row["title"])  # type: ignore[attr-defined]
        for row in rows_of(store, "SELECT ?title WHERE { ?x dct:title ?title }", x=HKR)
    }
    assert {"nb", "en"} <= titles.keys()
    (consent,) = rows_of(
        store,
        "SELECT ?en WHERE { ?x hg:identifiability ?c . ?c rdfs:label ?en "
        'FILTER (lang(?en) = "en") }',
        x=HKR,
    )
    for html in (
        page(client, "/id/dataset/hkr", **{"Accept-Language": "en-GB,en;q=0.9,nb;q=0.5"}),
        page(client, "/id/dataset/hkr?lang=en"),
    ):
        assert html.text_of("resource").startswith(words("Data source " + titles["en"]))
        assert words(str(consent["en"])) in html.text_of("facts")
        assert "Facts" in html.text
    norwegian = page(client, "/id/dataset/hkr")
    assert norwegian.text_of("resource").startswith(words("Datakilde " + titles["nb"]))
    response = client.get("/id/dataset/hkr", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.headers["content-language"] == "en"


def test_parts_parents_and_related_sources_are_linked(client: TestClient, store: Store) -> None:
    parts = rows_of(store, "SELECT ?part WHERE { ?x dct:hasPart ?part }", x=HKR)
    assert len(parts) > 1
    hkr = page(client, "/id/dataset/hkr")
    for row in parts:
        assert "/id/" + str(row["part"])[len(ID_BASE) :] in hkr.links
    (parent,) = rows_of(store, "SELECT ?whole WHERE { ?x dct:isPartOf ?whole }", x=NIR)
    assert "/id/" + str(parent["whole"])[len(ID_BASE) :] in page(client, "/id/dataset/nir").links
    related = rows_of(
        store,
        "SELECT ?x ?other WHERE { ?x hg:receivesDataFrom|hg:followUpOf|dct:isReplacedBy ?other }"
        " LIMIT 3",
    )
    assert related
    for row in related:
        html = page(client, "/id/" + str(row["x"])[len(ID_BASE) :])
        assert "/id/" + str(row["other"])[len(ID_BASE) :] in html.links


def test_time_coverage_contacts_and_other_roles(client: TestClient, store: Store) -> None:
    (period,) = rows_of(
        store,
        """SELECT ?x ?start ?end WHERE {
             ?x hg:listingPosition ?n ; dct:temporal ?t . ?t dcat:startDate ?start ;
             dcat:endDate ?end } ORDER BY ?n LIMIT 1""",
    )
    html = page(client, "/id/" + str(period["x"])[len(ID_BASE) :])
    assert f"{period['start']}–{period['end']}" in html.text_of("facts")

    (contact,) = rows_of(
        store,
        "SELECT ?x ?email WHERE { ?x dcat:contactPoint/vcard:hasEmail ?email } ORDER BY ?x LIMIT 1",
    )
    html = page(client, "/id/" + str(contact["x"])[len(ID_BASE) :])
    assert str(contact["email"]) in html.links

    (role,) = rows_of(
        store,
        """SELECT ?x ?name ?role WHERE {
             ?x prov:qualifiedAttribution ?a . ?a prov:agent/foaf:name ?name ;
             dcat:hadRole/rdfs:label ?role . FILTER (lang(?role) = "nb")
           } ORDER BY ?x LIMIT 1""",
    )
    html = page(client, "/id/" + str(role["x"])[len(ID_BASE) :])
    facts = html.text_of("facts")
    assert words(str(role["role"])) in facts
    assert words(str(role["name"])) in facts


def test_the_curation_decisions_about_a_source_are_shown(client: TestClient, store: Store) -> None:
    decisions = rows_of(
        store,
        "SELECT ?decision ?note WHERE { ?decision hg:concerns ?x ; skos:editorialNote ?note }",
        x=HKR,
    )
    assert decisions
    html = page(client, "/id/dataset/hkr")
    shown = html.text_of("decisions")
    for row in decisions:
        assert "/id/" + str(row["decision"])[len(ID_BASE) :] in html.links
        assert words(str(row["note"])) in shown


# -- organisations and other resources -------------------------------------------------------


def test_the_page_of_an_organisation_lists_what_it_controls_and_processes(
    client: TestClient, store: Store
) -> None:
    (org,) = rows_of(
        store,
        "SELECT ?name ?number WHERE { ?x foaf:name ?name ; dct:identifier ?number }",
        x=HELSE_BERGEN,
    )
    html = page(client, "/id/organisation/helse-bergen-hf")
    assert html.text_of("resource").startswith(words("Virksomhet " + str(org["name"])))
    assert str(org["number"]) in html.text_of("facts")
    for predicate in (DPV.hasDataController, DPV.hasDataProcessor):
        sources = rows_of(store, "SELECT ?s WHERE { ?s ?p ?x }", x=HELSE_BERGEN, p=predicate)
        assert sources
        for row in sources:
            assert "/id/" + str(row["s"])[len(ID_BASE) :] in html.links
    assert "Behandlingsansvarlig for" in html.text
    assert "Databehandler for" in html.text


def test_other_resources_get_a_readable_generic_page(client: TestClient, store: Store) -> None:
    (provision,) = rows_of(
        store,
        """SELECT ?p ?label ?lovdata WHERE {
             ?p a eli:LegalResourceSubdivision ; rdfs:label ?label ; rdfs:seeAlso ?lovdata
           } ORDER BY ?p LIMIT 1""",
    )
    path = "/id/" + str(provision["p"])[len(ID_BASE) :]
    html = page(client, path)
    assert words(str(provision["label"])) in html.text_of("resource")
    assert str(provision["lovdata"]) in html.links
    statements = html.text_of("facts")
    # predicates in words (the ontology's labels), not as IRIs
    assert "paragrafnummer" in statements.lower()
    assert "sectionNumber" not in statements
    pointing = rows_of(store, "SELECT ?s WHERE { ?s dpv:hasLegalBasis ?x }", x=provision["p"])
    for row in pointing:
        assert "/id/" + str(row["s"])[len(ID_BASE) :] in html.links

    (decision,) = rows_of(store, "SELECT ?d WHERE { ?d a hg:CurationDecision } ORDER BY ?d LIMIT 1")
    html = page(client, "/id/" + str(decision["d"])[len(ID_BASE) :])
    concerned = rows_of(store, "SELECT ?s WHERE { ?x hg:concerns ?s }", x=decision["d"])
    assert concerned
    for row in concerned:
        assert "/id/" + str(row["s"])[len(ID_BASE) :] in html.links
    assert "/ontology#CurationDecision" in html.links


def test_ontology_links_on_pages_resolve_to_anchors(client: TestClient) -> None:
    anchors = set(Html(client.get("/ontology", headers={"Accept": BROWSER}).text).ids)
    for path in ("/id/dataset/nir", "/id/dataset/iplos", "/id/provision/helseregisterloven-11-c"):
        targets = [
            h.split("#", 1)[1] for h in page(client, path).links if h.startswith("/ontology#")
        ]
        assert targets
        assert set(targets) <= anchors


def test_pages_need_no_inline_style_or_script(client: TestClient) -> None:
    for path in (
        "/id/dataset/nir",
        "/id/dataset/hkr?lang=en",
        "/id/organisation/helse-bergen-hf",
        "/id/decision/hkr-controller",
    ):
        response = client.get(path, headers={"Accept": BROWSER})
        html = Html(response.text)
        assert html.inline_styles == 0
        assert "style" not in html.tags
        assert "script" not in html.tags
        assert not html.handlers
        assert "/static/resource.css" in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert client.get("/static/resource.css").status_code == 200


# -- a graph that tries to attack its readers, and one loaded from the snapshot --------------

EVIL = URIRef(ID_BASE + "dataset/evil")
EVIL_ORG = URIRef(ID_BASE + "organisation/evil")
EVIL_TITLE = '<script>alert("title")</script>'
EVIL_NAME = '"><img src=x onerror=alert(2)>'
EVIL_QUOTE = "</q><script>alert(3)</script>"
EVIL_LINK = URIRef("javascript:alert(4)")


def hostile_graph() -> Graph:
    graph = Graph()
    fact = URIRef(str(EVIL) + "#fact-0badc0de")
    deep = URIRef("https://example.org/deep")
    outer, inner = BNode(), BNode()
    for triple in [
        (EVIL, RDF.type, DCAT.Dataset),
        (EVIL, RDF.type, HG.MedicalQualityRegister),
        (EVIL, DCTERMS.title, Literal(EVIL_TITLE, lang="nb")),
        (EVIL, DCTERMS.description, Literal("<b>bold</b> & <i>co</i>", lang="nb")),
        (EVIL, DPV.hasDataController, EVIL_ORG),
        (EVIL, RDFS.seeAlso, EVIL_LINK),
        (EVIL, DCAT.contactPoint, URIRef(str(EVIL) + "#contact")),
        (URIRef(str(EVIL) + "#contact"), VCARD.hasEmail, URIRef("mailto:a@b.no")),
        (EVIL, deep, outer),
        (outer, deep, inner),
        (inner, SKOS.note, Literal("two blank nodes down")),
        (EVIL_ORG, RDF.type, FOAF.Organization),
        (EVIL_ORG, FOAF.name, Literal(EVIL_NAME, lang="nb")),
        (fact, RDF.type, RDF.Statement),
        (fact, RDF.subject, EVIL),
        (fact, RDF.predicate, DPV.hasDataController),
        (fact, RDF.object, EVIL_ORG),
        (fact, HG.sourceLine, Literal(7, datatype=XSD.integer)),
        (fact, HG.quote, Literal(EVIL_QUOTE, lang="nb")),
        (fact, PROV.wasDerivedFrom, URIRef("javascript:alert(5)")),
    ]:
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def hostile_client(store_backend: StoreBackend) -> Iterator[TestClient]:
    with store_backend.stores() as stores:
        store = stores.empty()
        store.replace_graphs({GRAPH.helsedata: hostile_graph()})
        with app_client(store, query_workers=1) as client:
            yield client


def test_text_from_the_graph_is_shown_as_text(hostile_client: TestClient) -> None:
    for path in ("/id/dataset/evil", "/id/organisation/evil"):
        response = hostile_client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 200
        html = Html(response.text)
        assert "script" not in html.tags
        assert "img" not in html.tags
        assert not html.handlers
        assert html.inline_styles == 0
        assert not any(link.lower().startswith("javascript:") for link in html.links)
    source = Html(hostile_client.get("/id/dataset/evil", headers={"Accept": BROWSER}).text)
    assert EVIL_TITLE in source.text_of("resource")
    assert EVIL_NAME in source.text_of("facts")
    assert EVIL_QUOTE in source.text_of("facts")
    assert "<b>bold</b> & <i>co</i>" in source.text_of("resource")
    assert "b" not in source.tags
    assert "mailto:a@b.no" in source.links


def test_blank_nodes_are_described_but_not_addressable(hostile_client: TestClient) -> None:
    response = hostile_client.get("/id/dataset/evil", headers={"Accept": "application/n-triples"})
    graph = Graph().parse(data=response.content, format="nt")
    deep = URIRef("https://example.org/deep")
    (outer,) = graph.objects(EVIL, deep)
    (inner,) = graph.objects(outer, deep)
    assert isinstance(outer, BNode)
    assert isinstance(inner, BNode)
    assert (inner, SKOS.note, Literal("two blank nodes down")) in graph
    expected = Graph()
    for triple in hostile_graph():
        if triple[0] != EVIL_ORG:
            expected.add(triple)
    assert isomorphic(graph, expected)
    for path in (f"/id/_:{outer}", f"/id/{outer}", "/id/dataset/evil/_:b0"):
        assert hostile_client.get(path).status_code in (400, 404)


@pytest.fixture(scope="module")
def snapshot_client(store_backend: StoreBackend) -> Iterator[tuple[TestClient, Store]]:
    """The app over a graph built from the committed snapshot: facts without sentences."""
    from helsegraf.build import build, publish

    with store_backend.stores() as stores:
        store = stores.empty()
        publish(store, build(None))
        with app_client(store, query_workers=1) as client:
            yield client, store


def test_without_the_listing_a_fact_shows_its_line_only(
    snapshot_client: tuple[TestClient, Store],
) -> None:
    client, store = snapshot_client
    assert not store.ask("ASK { ?fact hg:quote ?quote }")
    lines = rows_of(
        store,
        "SELECT ?line WHERE { ?fact rdf:subject ?x ; rdf:predicate hg:consentRegime ;"
        " hg:sourceLine ?line }",
        x=NIR,
    )
    assert lines
    html = page(client, "/id/dataset/nir")
    facts = html.text_of("facts")
    assert all(f"linje {row['line']}" in facts for row in lines)
    assert "q" not in html.tags


def test_the_api_description_lists_the_linked_data_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/id/{path}", "/ontology", "/shapes"):
        operation = spec["paths"][path]["get"]
        assert set(RDF_TYPES) | {"text/html"} <= set(operation["responses"]["200"]["content"])
        assert {"400", "406"} <= set(operation["responses"])
    assert "404" in spec["paths"]["/id/{path}"]["get"]["responses"]
