"""The browse page (``/``) and the families diagram (``/families``) over the real graph.

Expected values come from the ``store`` fixture with SPARQL written here, independently of
the queries the page builds, so a mistake in either shows up as a difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from helsegraf.api.browse import MAX_FACET_VALUES, PAGE_SIZE, kept_index
from helsegraf.namespaces import DPV, GRAPH, HG, ID_BASE
from helsegraf.store import Store
from tests.api.conftest import app_client
from tests.conftest import Stores
from tests.live import serve

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
DATASET = ID_BASE + "dataset/"
ORGANISATION = ID_BASE + "organisation/"
CANCER_REGISTRY = URIRef(DATASET + "kreftregisteret")
CANCER_BASE_REGISTER = URIRef(DATASET + "basisregisteret-til-kreftregisteret")

#: How a source has a value of each facet, written for the tests. The family of a whole is
#: the whole and everything below it, stated here as a UNION rather than a ``*`` path.
FACET_PATTERNS = {
    "kind": "?d a ?v . ?v rdfs:subClassOf hg:HealthDataSource .",
    "consent": "?d hg:consentRegime ?v .",
    "identifiability": "?d hg:identifiability ?v .",
    "controller": "?d dpv:hasDataController ?v .",
    "processor": "?d dpv:hasDataProcessor ?v .",
    "legal-basis": "?d dpv:hasLegalBasis ?v .",
    "family": "{ ?v dct:hasPart ?somePart . BIND(?v AS ?d) } UNION { ?v dct:hasPart+ ?d }",
}


# -- a small DOM, enough to look inside the pages ---------------------------------------------


class Element:
    """An HTML element with its attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return " ".join(
            "".join(c if isinstance(c, str) else c.text() for c in self.children).split()
        )

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        return [
            e
            for e in self.iter()
            if e is not self
            and (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def children_elements(self, tag: str | None = None) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element) and tag in (None, c.tag)]


class _Builder(HTMLParser):
    VOID = frozenset(
        ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source")
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- helpers ---------------------------------------------------------------------------------


def page(client: TestClient, url: str, **headers: str) -> Element:
    response = client.get(url, headers={**HTML, **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def listing(client: TestClient, params: Any = None) -> dict[str, Any]:
    response = client.get("/", params=params, headers=JSON)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def all_sources(client: TestClient, params: list[tuple[str, str]]) -> list[str]:
    """Every source of a view, page after page, in order."""
    found: list[str] = []
    data = listing(client, params)
    found += [s["iri"] for s in data["sources"]]
    for number in range(2, data["pages"] + 1):
        found += [s["iri"] for s in listing(client, [*params, ("page", str(number))])["sources"]]
    return found


def iris(store: Store, where: str) -> set[str]:
    """The sources ``?d`` (every dcat:Dataset) that also match ``where``."""
    result = store.select(f"SELECT DISTINCT ?d WHERE {{ ?d a dcat:Dataset . {where} }}")
    return {str(term) for term in result.column("d")}


def counts(store: Store, facet: str, where: str = "") -> dict[str, int]:
    """Sources per value of ``facet`` among those matching ``where``."""
    result = store.select(
        f"SELECT ?v (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a dcat:Dataset . {where} "
        f"{FACET_PATTERNS[facet]} }} GROUP BY ?v"
    )
    return {str(row["v"]): int(row["n"].toPython()) for row in result.rows}


def shown_counts(data: dict[str, Any], facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in data["facets"][facet] if v["count"]}


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def labels(store: Store, iri: str, prop: str) -> dict[str, str]:
    result = store.select(f"SELECT ?l WHERE {{ <{iri}> {prop} ?l }}")
    return {
        term.language or "": str(term) for term in result.column("l") if isinstance(term, Literal)
    }


# -- the listing ------------------------------------------------------------------------------


def test_the_unfiltered_view_lists_every_source_once_across_its_pages(
    client: TestClient, store: Store
) -> None:
    expected = iris(store, "")
    listed = iris(store, "?d hg:listingPosition ?position")
    assert len(listed) == 83
    assert listed < expected  # the sources only mentioned are data sources too
    data = listing(client)
    assert data["total"] == len(expected)
    assert data["pages"] == -(-len(expected) // PAGE_SIZE)
    assert len(data["sources"]) == PAGE_SIZE
    found = all_sources(client, [])
    assert len(found) == len(set(found)) == len(expected)
    assert set(found) == expected
    mentioned = {
        s["iri"]: s["listed"] for s in listing(client, {"q": "kreftregisteret"})["sources"]
    }
    assert mentioned[str(CANCER_REGISTRY)] is False


def test_the_page_shows_the_count_and_links_each_source_to_its_page(
    client: TestClient, store: Store
) -> None:
    total = len(iris(store, ""))
    doc = page(client, "/")
    count = doc.find("p", id="result-count")
    assert re.findall(r"\d+", count.text()) == [str(total)]
    items = doc.find("ul", id="sources").children_elements("li")
    assert len(items) == PAGE_SIZE
    titles = {str(t) for t in store.select("SELECT ?t WHERE { ?d dct:title ?t }").column("t")}
    for item in items:
        link = item.find("a", cls="source")
        assert re.fullmatch(r"/id/dataset/[a-z0-9-]+", link.attrs["href"])
        assert link.text() in titles


def test_consent_free_sources_controlled_by_helse_bergen_are_exactly_those_of_the_graph(
    client: TestClient, store: Store
) -> None:
    expected = iris(
        store,
        f"?d hg:consentRegime hg:ConsentNotRequired ; "
        f"dpv:hasDataController <{ORGANISATION}helse-bergen-hf> .",
    )
    assert expected  # the listing has at least one, or this test would prove nothing
    short = listing(client, [("consent", "ConsentNotRequired"), ("controller", "helse-bergen-hf")])
    assert {s["iri"] for s in short["sources"]} == expected
    assert short["total"] == len(expected)
    full = listing(
        client,
        [("consent", str(HG.ConsentNotRequired)), ("controller", ORGANISATION + "helse-bergen-hf")],
    )
    assert full["sources"] == short["sources"]
    doc = page(client, "/?consent=ConsentNotRequired&controller=helse-bergen-hf")
    shown = {a.attrs["href"] for a in doc.find("ul", id="sources").find_all("a", cls="source")}
    assert shown == {"/id/dataset/" + iri.rsplit("/", 1)[1] for iri in expected}


def test_values_of_one_facet_are_alternatives_and_facets_combine(
    client: TestClient, store: Store
) -> None:
    regimes = "VALUES ?r { hg:ConsentRequired hg:ConsentNotRequired } ?d hg:consentRegime ?r ."
    either = iris(store, regimes)
    chosen = [("consent", "ConsentRequired"), ("consent", "ConsentNotRequired")]
    assert set(all_sources(client, chosen)) == either
    assert listing(client, chosen)["total"] == len(either)
    assert len(either) > len(iris(store, "?d hg:consentRegime hg:ConsentRequired"))
    both = iris(store, f"{regimes} ?d a hg:MedicalQualityRegister .")
    narrowed = listing(client, [*chosen, ("kind", "MedicalQualityRegister")])
    assert narrowed["total"] == len(both)
    assert 0 < len(both) < len(either)


def test_unfiltered_facet_counts_equal_sparql_counts(client: TestClient, store: Store) -> None:
    data = listing(client)
    for facet in FACET_PATTERNS:
        expected = counts(store, facet)
        assert expected, facet
        assert shown_counts(data, facet) == expected, facet


def test_a_facets_counts_ignore_its_own_choice_and_apply_the_others(
    client: TestClient, store: Store
) -> None:
    chosen = [("consent", "ConsentNotRequired"), ("kind", "MedicalQualityRegister")]
    data = listing(client, chosen)
    # consent's counts: every kind filter applies, its own choice does not
    assert shown_counts(data, "consent") == counts(
        store, "consent", "?d a hg:MedicalQualityRegister ."
    )
    assert shown_counts(data, "kind") == counts(
        store, "kind", "?d hg:consentRegime hg:ConsentNotRequired ."
    )
    both = "?d a hg:MedicalQualityRegister ; hg:consentRegime hg:ConsentNotRequired ."
    for facet in ("controller", "processor", "legal-basis", "family", "identifiability"):
        assert shown_counts(data, facet) == counts(store, facet, both), facet
    assert data["total"] == len(iris(store, both))
    selected = [
        (f, v["value"]) for f, values in data["facets"].items() for v in values if v["selected"]
    ]
    assert sorted(selected) == sorted(
        [("consent", str(HG.ConsentNotRequired)), ("kind", str(HG.MedicalQualityRegister))]
    )


def test_facet_values_show_labels_from_the_graph_in_the_page_language(
    client: TestClient, store: Store
) -> None:
    kind_labels = labels(store, str(HG.MedicalQualityRegister), "rdfs:label")
    consent_labels = labels(store, str(HG.ConsentNotRequired), "skos:prefLabel")
    org = ORGANISATION + "helse-bergen-hf"
    org_name = labels(store, org, "foaf:name")["nb"]
    provision = ID_BASE + "provision/helseregisterloven-7"
    provision_label = labels(store, provision, "rdfs:label")["nb"]
    assert kind_labels["nb"] != kind_labels["en"]

    def value_label(doc: Element, facet: str, value: str) -> str:
        link = doc.find("a", cls="facet-value", data_facet=facet, data_value=value)
        count = link.find("span", cls="count").text()
        return link.text().removesuffix(count).strip()

    for lang, doc in (
        ("nb", page(client, "/")),
        ("en", page(client, "/", **{"Accept-Language": "en-GB,en;q=0.8"})),
        ("en", page(client, "/?lang=en")),
    ):
        assert value_label(doc, "kind", str(HG.MedicalQualityRegister)) == kind_labels[lang]
        assert value_label(doc, "consent", str(HG.ConsentNotRequired)) == consent_labels[lang]
        assert value_label(doc, "controller", org) == org_name
        assert value_label(doc, "legal-basis", provision) == provision_label
        assert doc.find("html").attrs["lang"] == lang
        family = doc.find(
            "a", cls="facet-value", data_facet="family", data_value=str(CANCER_REGISTRY)
        )
        assert labels(store, str(CANCER_REGISTRY), "dct:title")[lang] in family.text()
    english = page(client, "/?lang=en&consent=OptOut")
    for link in english.find_all("a", cls="facet-value"):
        assert ("lang", "en") in query_of(link.attrs["href"])


def test_every_facet_has_its_section_and_values_link_to_the_narrowed_view(
    client: TestClient, store: Store
) -> None:
    doc = page(client, "/?controller=folkehelseinstituttet")
    facets = doc.find(id="facets")
    names = [s.attrs["data-facet"] for s in facets.find_all("section", cls="facet")]
    assert names == list(FACET_PATTERNS)
    link = facets.find(
        "a", cls="facet-value", data_facet="consent", data_value=str(HG.ConsentRequired)
    )
    params = query_of(link.attrs["href"])
    assert sorted(params) == [
        ("consent", "ConsentRequired"),
        ("controller", "folkehelseinstituttet"),
    ]
    count = int(link.find("span", cls="count").text())
    followed = listing(client, params)
    expected = iris(
        store,
        f"?d hg:consentRegime hg:ConsentRequired ; "
        f"dpv:hasDataController <{ORGANISATION}folkehelseinstituttet> .",
    )
    assert followed["total"] == count == len(expected) > 0


def test_the_search_form_and_the_remove_links_keep_the_other_filters(
    client: TestClient, store: Store
) -> None:
    doc = page(client, "/?q=register&consent=ConsentNotRequired&controller=folkehelseinstituttet")
    form = doc.find("form", id="search")
    assert form.attrs["method"] == "get"
    assert form.find("input", id="q").attrs == {
        "id": "q",
        "name": "q",
        "type": "search",
        "value": "register",
        "maxlength": "200",
    }
    hidden = sorted(
        (i.attrs["name"], i.attrs["value"]) for i in form.find_all("input", type="hidden")
    )
    assert hidden == [("consent", "ConsentNotRequired"), ("controller", "folkehelseinstituttet")]
    removers = {
        (a.attrs["data-facet"], a.attrs["data-value"]): a.attrs["href"]
        for a in doc.find_all("a", cls="remove-filter")
    }
    assert set(removers) == {
        ("q", "register"),
        ("consent", str(HG.ConsentNotRequired)),
        ("controller", ORGANISATION + "folkehelseinstituttet"),
    }
    without_consent = query_of(removers[("consent", str(HG.ConsentNotRequired))])
    assert sorted(without_consent) == [("controller", "folkehelseinstituttet"), ("q", "register")]
    assert listing(client, without_consent)["total"] == len(
        iris(
            store,
            f"?d dpv:hasDataController <{ORGANISATION}folkehelseinstituttet> . "
            "FILTER EXISTS { ?d dct:title|skos:altLabel|dct:description ?t . "
            'FILTER(CONTAINS(LCASE(STR(?t)), "register")) }',
        )
    )
    assert query_of(removers[("q", "register")]) == [
        ("consent", "ConsentNotRequired"),
        ("controller", "folkehelseinstituttet"),
    ]
    assert doc.find("a", id="clear-filters").attrs["href"] == "/"


def test_search_finds_the_cancer_registries_ignoring_case_in_nb_and_en(
    client: TestClient, store: Store
) -> None:
    def containing(word: str) -> set[str]:
        return iris(
            store,
            "FILTER EXISTS { ?d dct:title|skos:altLabel|dct:description ?t . "
            f'FILTER(CONTAINS(LCASE(STR(?t)), "{word}")) }}',
        )

    quality_registers = {
        str(t)
        for t in store.select(
            "SELECT ?p WHERE { ?b dct:hasPart ?p }", {"b": CANCER_BASE_REGISTER}
        ).column("p")
    }
    assert len(quality_registers) >= 5
    found = set(all_sources(client, [("q", "kreft")]))
    assert found == containing("kreft")
    named = {
        str(row["p"])
        for row in store.select(
            "SELECT ?p ?t WHERE { ?b dct:hasPart ?p . ?p dct:title ?t }",
            {"b": CANCER_BASE_REGISTER},
        ).rows
        if "kreft" in str(row["t"]).lower()
    }
    assert named <= quality_registers
    assert len(named) >= 5
    assert named | {str(CANCER_REGISTRY), str(CANCER_BASE_REGISTER)} <= found
    assert set(all_sources(client, [("q", "  KREFT ")])) == found
    english = set(all_sources(client, [("q", "Cancer Registry")]))
    assert english == containing("cancer") & containing("registry")
    assert str(CANCER_REGISTRY) in english
    both = set(all_sources(client, [("q", "kreft lunge")]))
    assert both == containing("kreft") & containing("lunge")
    assert 0 < len(both) < len(found)
    titles = [
        a.text()
        for a in page(client, "/?q=kreft").find("ul", id="sources").find_all("a", cls="source")
    ]
    assert len(titles) == len(found)


def test_the_search_text_is_bound_as_a_literal(client: TestClient) -> None:
    for attack in ('") } UNION { ?d ?p ?o } #', 'kreft" ) || true || ("', "\\u0022 }"):
        data = listing(client, {"q": attack})
        assert data["total"] == 0, attack
        assert data["q"] == " ".join(attack.split())
    doc = client.get("/", params={"q": "<script>alert(1)</script>"}, headers=HTML)
    assert doc.status_code == 200
    assert "<script>alert(1)" not in doc.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc.text


def test_paging_with_previous_and_next_links(client: TestClient, store: Store) -> None:
    total = len(iris(store, ""))
    assert total > PAGE_SIZE
    first = page(client, "/")
    next_href = first.find("a", id="next-page").attrs["href"]
    assert query_of(next_href) == [("page", "2")]
    assert not first.find_all("a", id="prev-page")
    second = page(client, next_href)
    items = second.find("ul", id="sources").find_all("a", cls="source")
    assert len(items) == min(PAGE_SIZE, total - PAGE_SIZE)
    assert query_of(second.find("a", id="prev-page").attrs["href"]) == []
    on_first = {a.attrs["href"] for a in first.find_all("a", cls="source")}
    assert on_first.isdisjoint(a.attrs["href"] for a in items)
    data = listing(client, {"page": "2"})
    assert data["prev"] == "/"
    assert data["page"] == 2
    past = client.get("/", params={"page": str(data["pages"] + 1)}, headers=JSON)
    assert past.status_code == 404
    assert "last page" in past.json()["detail"]
    narrowed = listing(client, {"consent": "OptOut"})
    assert narrowed["pages"] == 1
    assert narrowed["next"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"controller": "not a slug"}, "controller: 'not a slug' is neither an IRI nor"),
        ({"consent": "<http://x> } ; DROP ALL #"}, "consent:"),
        ({"legal-basis": "https://example.org/a b"}, "legal-basis:"),
        ({"kind": "NoSuchKind"}, "kind: the graph has no kind of source 'NoSuchKind'"),
        ({"controller": "helse-bergn-hf"}, "the graph has no organisation 'helse-bergn-hf'"),
        ({"family": "nir"}, "family: the graph has no source with parts 'nir'"),
        ({"consent": "helse-bergen-hf"}, "consent:"),
        ({"page": "0"}, "page: expected a page number"),
        ({"page": "two"}, "page: expected a page number"),
        ({"q": "x" * 201}, "q: the search text is longer than 200 characters"),
        ({"q": "a b c d e f g h i"}, "more than 8 words"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"format": "xml"}, "format: expected html or json"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/", params=params, headers=JSON)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    html = client.get("/", params=params, headers=HTML)
    assert html.status_code == 400
    alert = parse(html.text).find("p", id="browse-error")
    assert alert.attrs["role"] == "alert"
    assert message.split("'")[0] in alert.text()


def test_too_many_values_for_one_facet(client: TestClient) -> None:
    params = [("controller", f"org-{i}") for i in range(21)]
    response = client.get("/", params=params, headers=JSON)
    assert response.status_code == 400
    assert "more than 20 values" in response.json()["detail"]


def test_an_organisation_without_sources_is_a_valid_empty_view(
    client: TestClient, store: Store
) -> None:
    idle = store.select(
        "SELECT ?o WHERE { ?o a foaf:Organization . "
        "FILTER NOT EXISTS { ?d dpv:hasDataController ?o } } ORDER BY ?o LIMIT 1"
    ).column("o")
    assert idle
    data = listing(client, {"controller": str(idle[0])})
    assert data["total"] == 0
    assert data["sources"] == []
    assert data["pages"] == 1
    doc = page(client, f"/?controller={str(idle[0]).rsplit('/', 1)[1]}")
    chip = doc.find("a", cls="remove-filter", data_facet="controller")
    assert chip.attrs["data-value"] == str(idle[0])
    selected = doc.find("a", cls="facet-value", data_facet="controller", data_value=str(idle[0]))
    assert selected.find("span", cls="count").text() == "0"


def test_html_or_json_by_accept_and_format(client: TestClient) -> None:
    assert client.get("/", headers=HTML).headers["content-type"].startswith("text/html")
    response = client.get("/", headers=JSON)
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"]
    assert client.get("/?format=json", headers=HTML).headers["content-type"] == "application/json"
    doc = page(client, "/?consent=OptOut")
    json_link = doc.find("p", cls="formats").find("a")
    assert sorted(query_of(json_link.attrs["href"])) == [("consent", "OptOut"), ("format", "json")]


def test_pages_carry_no_inline_script_or_style(client: TestClient) -> None:
    for url in ("/?consent=OptOut", "/families", "/?kind=Nope"):
        response = client.get(url, headers=HTML)
        doc = parse(response.text)
        assert not doc.find_all("script")
        assert not doc.find_all("style")
        assert not [e for e in doc.iter() if "style" in e.attrs]
        assert "/static/browse.css" in [link.attrs.get("href") for link in doc.find_all("link")]
    assert client.get("/static/browse.css").status_code == 200


def test_a_view_asks_an_indexed_store_nothing_and_a_remote_one_two_queries(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a store the api indexes (embedded) a view is computed from the facet index, without
    a query; a remote store is asked two, the list paged in the store."""
    pool = client.app.state.pool  # type: ignore[attr-defined]
    seen: list[str] = []
    original = pool.select

    async def counting(query: str, bindings: Any = None, **options: Any) -> Any:
        seen.append(query)
        return await original(query, bindings, **options)

    monkeypatch.setattr(pool, "select", counting)
    listing(
        client,
        [("q", "register"), ("consent", "ConsentRequired"), ("kind", "MedicalQualityRegister")],
    )
    if pool.source.remote is None:
        assert seen == []
        return
    assert len(seen) == 2
    assert any(f"LIMIT {PAGE_SIZE}" in q for q in seen)
    assert any("GROUP BY" in q and "COUNT(DISTINCT ?d)" in q for q in seen)


def test_titles_and_labels_from_the_graph_are_escaped(new_store: Stores) -> None:
    data = Graph()
    source = URIRef(DATASET + "evil")
    org = URIRef(ORGANISATION + "evil-org")
    data.add((source, RDF.type, DCAT.Dataset))
    data.add((source, DCTERMS.title, Literal("<script>alert('t')</script>", lang="nb")))
    data.add((source, DPV.hasDataController, org))
    data.add((org, RDF.type, FOAF.Organization))
    data.add((org, FOAF.name, Literal('<img src=x onerror="alert(1)">', lang="nb")))
    store = new_store.empty()
    store.replace_graphs({URIRef(str(GRAPH) + "helsedata"): data})
    with app_client(store) as client:
        response = client.get("/", headers=HTML)
        assert response.status_code == 200
        assert "<script>" not in response.text
        assert "<img" not in response.text
        doc = parse(response.text)
        assert doc.find("a", cls="source").text() == "<script>alert('t')</script>"
        value = doc.find("a", cls="facet-value", data_facet="controller")
        assert value.text().startswith('<img src=x onerror="alert(1)">')
        assert value.attrs["data-value"] == str(org)
        assert listing(client)["sources"][0]["title"] == "<script>alert('t')</script>"
        chosen = page(client, "/?controller=evil-org")
        assert chosen.find("a", cls="remove-filter").text().count("<img") == 1


def test_a_facet_lists_its_most_frequent_values_and_always_the_chosen_ones(
    new_store: Stores,
) -> None:
    data = Graph()
    organisations = [URIRef(f"{ORGANISATION}org-{i:03d}") for i in range(MAX_FACET_VALUES + 5)]
    for i, org in enumerate(organisations):
        data.add((org, RDF.type, FOAF.Organization))
        data.add((org, FOAF.name, Literal(f"Organisation {i:03d}", lang="nb")))
        for j in range(1 if i else 2):  # org-000 controls two sources, the others one each
            source = URIRef(f"{DATASET}source-{i:03d}-{j}")
            data.add((source, RDF.type, DCAT.Dataset))
            data.add((source, DCTERMS.title, Literal(f"Source {i:03d} {j}", lang="nb")))
            data.add((source, DPV.hasDataController, org))
    store = new_store.empty()
    store.replace_graphs({URIRef(str(GRAPH) + "helsedata"): data})
    with app_client(store) as client:
        shown = listing(client)["facets"]["controller"]
        assert len(shown) == MAX_FACET_VALUES
        assert shown[0] == {
            "value": str(organisations[0]),
            "label": "Organisation 000",
            "count": 2,
            "selected": False,
            "url": "/?controller=org-000",
        }
        last = organisations[-1]
        assert str(last) not in [v["value"] for v in shown]
        chosen = listing(client, {"controller": str(last).rsplit("/", 1)[1]})
        assert chosen["total"] == 1
        values = {v["value"]: v for v in chosen["facets"]["controller"]}
        assert values[str(last)]["count"] == 1
        assert values[str(last)]["selected"] is True


# -- the families ---------------------------------------------------------------------------


def test_the_cancer_registrys_quality_registers_are_nested_under_its_base_register(
    client: TestClient, store: Store
) -> None:
    quality_registers = {
        str(t)
        for t in store.select(
            "SELECT ?p WHERE { ?b dct:hasPart ?p . ?p a hg:MedicalQualityRegister }",
            {"b": CANCER_BASE_REGISTER},
        ).column("p")
    }
    assert len(quality_registers) >= 5
    assert store.ask(
        "ASK WHERE { ?r dct:hasPart ?b }", {"r": CANCER_REGISTRY, "b": CANCER_BASE_REGISTER}
    )
    doc = page(client, "/families")
    diagram = doc.find("ul", id="families")
    whole = diagram.find("li", cls="node", data_iri=str(CANCER_REGISTRY))
    assert whole.parent is diagram
    assert "family" in whole.classes
    assert (
        whole.find("a", cls="source", href="/id/dataset/kreftregisteret").text()
        == labels(store, str(CANCER_REGISTRY), "dct:title")["nb"]
    )
    direct = {
        str(t)
        for t in store.select(
            "SELECT ?p WHERE { ?r dct:hasPart ?p }", {"r": CANCER_REGISTRY}
        ).column("p")
    }
    parts = whole.children_elements("ul")[0].children_elements("li")
    assert {p.attrs["data-iri"] for p in parts} == direct
    base = next(p for p in parts if p.attrs["data-iri"] == str(CANCER_BASE_REGISTER))
    members = base.children_elements("ul")[0].children_elements("li")
    assert {m.attrs["data-iri"] for m in members} == quality_registers
    for member in members:
        assert "kind-MedicalQualityRegister" in member.classes
        assert member.find("a", cls="source").attrs["href"].startswith("/id/dataset/")
    shown_list = whole.children_elements("div")[0].find("a", cls="browse-family").attrs["href"]
    assert query_of(shown_list) == [("family", "kreftregisteret")]
    family = iris(
        store,
        f"FILTER(?d = <{CANCER_REGISTRY}> || EXISTS {{ <{CANCER_REGISTRY}> dct:hasPart+ ?d }})",
    )
    assert quality_registers < family
    assert set(all_sources(client, query_of(shown_list))) == family


def test_every_whole_is_drawn_and_every_part_sits_inside_it(
    client: TestClient, store: Store
) -> None:
    edges = {
        (str(r["w"]), str(r["p"]))
        for r in store.select("SELECT DISTINCT ?w ?p WHERE { ?w dct:hasPart ?p }").rows
    }
    roots = {w for w, _ in edges} - {p for _, p in edges}
    data = client.get("/families", headers=JSON).json()
    assert {f["iri"] for f in data["families"]} == roots
    drawn: set[tuple[str, str]] = set()

    def walk(node: dict[str, Any]) -> None:
        for part in node["parts"]:
            drawn.add((node["iri"], part["iri"]))
            walk(part)

    for family in data["families"]:
        walk(family)
    assert drawn == edges
    english = page(client, "/families?lang=en")
    assert (
        english.find("li", cls="node", data_iri=str(CANCER_REGISTRY))
        .find("a", cls="source", href="/id/dataset/kreftregisteret")
        .text()
        == labels(store, str(CANCER_REGISTRY), "dct:title")["en"]
    )


def test_the_home_page_links_to_the_families(client: TestClient) -> None:
    doc = page(client, "/?lang=en")
    link = doc.find("a", id="families-link")
    assert link.attrs["href"] == "/families?lang=en"
    assert page(client, link.attrs["href"]).find("ul", id="families")


def test_facet_counts_are_cached_until_the_next_publish(new_store: Stores) -> None:
    """The whole-catalog aggregates are computed once per store generation (a remote store,
    which has none, is asked each time), and a publish while the server runs is seen by the
    next view (the cache does not serve stale counts)."""

    def catalog(count: int) -> Graph:
        graph = Graph()
        for i in range(count):
            source = URIRef(f"{ID_BASE}dataset/cache-{i}")
            graph.add((source, RDF.type, DCAT.Dataset))
            graph.add((source, DCTERMS.title, Literal(f"Kilde {i}", lang="nb")))
        return graph

    name = URIRef(str(GRAPH.helsedata))
    target = new_store.new()
    writer = target.open()
    writer.replace_graphs({name: catalog(3)})
    writer.close()
    with serve(target.location, **target.environment()) as url:

        def total() -> int:
            answer = httpx.get(url + "/", headers={"Accept": "application/json"})
            return int(answer.json()["total"])

        assert [total() for _ in range(3)] == [3, 3, 3]
        writer = target.open()
        writer.replace_graphs({name: catalog(8)})
        writer.close()
        assert [total() for _ in range(3)] == [8, 8, 8]


@pytest.mark.embedded_only(
    "the facet index is kept per store generation; a remote store has none, so the api "
    "indexes nothing for it"
)
def test_views_are_computed_from_one_index_per_generation(store: Store) -> None:
    with app_client(store) as fresh:
        pool = fresh.app.state.pool  # type: ignore[attr-defined]
        first = fresh.get("/", headers={"Accept": "application/json"}).json()
        index = kept_index(pool)
        assert index is not None
        assert fresh.get("/", headers={"Accept": "application/json"}).json() == first
        assert kept_index(pool) is index  # nothing was computed again
