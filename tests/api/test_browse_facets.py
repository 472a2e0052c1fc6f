"""The browse page's facet index (``helsegraf/browse_index.py``) against the store itself.

Every view the index computes must be the view the store computes: the same total, the same
counts in the same order with the same labels and links, the same sources on each page in the
same order. The expected values come from SPARQL written here, and from the queries the page
sends a store it cannot index (a remote server), run on the same data. A crafted graph holds
what the real one does not: sources of two kinds, without titles or with titles in one
language only, a family with a cycle and a blank node inside, a blank-node source, a literal
where an IRI belongs, text with tabs, quotes and backslashes, more organisations than a facet
lists, ties in every order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from starlette.datastructures import QueryParams

from helsegraf import browse_index
from helsegraf.api import browse
from helsegraf.api.app import create_app
from helsegraf.api.browse import MAX_FACET_VALUES, PAGE_SIZE
from helsegraf.browse_index import FacetIndex
from helsegraf.namespaces import DPV, ELI, GRAPH, HG, ID_BASE
from helsegraf.settings import Settings
from helsegraf.store import ExportFormat, OxigraphStore, Store, data_directory
from tests.api.conftest import app_client
from tests.api.test_browse import FACET_PATTERNS
from tests.conftest import Stores
from tests.live import serve

JSON = {"Accept": "application/json"}
DATASET = ID_BASE + "dataset/"
ORGANISATION = ID_BASE + "organisation/"
HELSEDATA = URIRef(str(GRAPH.helsedata))


# -- what the store itself says -------------------------------------------------------------


def where(params: list[tuple[str, str]], skip: str | None = None) -> str:
    """Patterns on ``?d`` for the filters and words of ``params`` (facet ``skip`` left out)."""
    parts = ["?d a dcat:Dataset ."]
    chosen: dict[str, list[str]] = {}
    for name, value in params:
        if name in FACET_PATTERNS:
            chosen.setdefault(name, []).append(value)
    for i, (name, values) in enumerate(chosen.items()):
        if name == skip:
            continue
        pattern = FACET_PATTERNS[name].replace("?v", f"?chosen{i}").replace("?somePart", f"?p{i}")
        listed = " ".join(f"<{v}>" for v in values)
        parts.append(f"FILTER EXISTS {{ VALUES ?chosen{i} {{ {listed} }} {pattern} }}")
    words = " ".join(v for k, v in params if k == "q").lower().split()
    for i, word in enumerate(dict.fromkeys(words)):
        parts.append(
            f"FILTER EXISTS {{ ?d dct:title|skos:altLabel|dct:description ?t{i} . "
            f"FILTER(CONTAINS(LCASE(STR(?t{i})), {json.dumps(word)})) }}"
        )
    return "\n".join(parts)


def store_total(store: Store, params: list[tuple[str, str]]) -> int:
    result = store.select(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where(params)} }}")
    return int(result.rows[0]["n"].toPython())


def store_counts(store: Store, params: list[tuple[str, str]], facet: str) -> dict[str, int]:
    """Sources per value of ``facet`` among those matching every other filter and the words."""
    result = store.select(
        f"SELECT ?v (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where(params, skip=facet)} "
        f"{FACET_PATTERNS[facet]} FILTER(isIRI(?v)) }} GROUP BY ?v"
    )
    return {str(row["v"]): int(row["n"].toPython()) for row in result.rows}


def store_order(store: Store, params: list[tuple[str, str]], lang: str) -> list[str]:
    """Every matching source in page order: lower-cased title in ``lang``, else nb, else the
    IRI; then the IRI."""
    result = store.select(
        f"""SELECT ?d WHERE {{ {{ SELECT ?d (MIN(?key) AS ?k) WHERE {{ {where(params)}
          OPTIONAL {{ ?d dct:title ?own FILTER(lang(?own) = "{lang}") }}
          OPTIONAL {{ ?d dct:title ?nb FILTER(lang(?nb) = "nb") }}
          BIND(LCASE(COALESCE(?own, ?nb, STR(?d))) AS ?key) }} GROUP BY ?d }} }}
        ORDER BY ?k ?d"""
    )
    return [str(d) for d in result.column("d")]


def listing(client: TestClient, params: list[tuple[str, str]]) -> dict[str, Any]:
    response = client.get("/", params=params, headers=JSON)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


# -- both ways of computing a view ----------------------------------------------------------


def index_of(store: Store) -> FacetIndex:
    """The index of any store (of either backend), built from a copy of its quads."""
    return browse_index.build_for_nquads(store.export(ExportFormat.NQUADS))


def from_index(
    index: FacetIndex, params: list[tuple[str, str]]
) -> tuple[int, list[Any], list[dict[str, Any]]] | str:
    """A view as the page computes it with the index, or the message of the error it
    answers."""
    selection = browse.parse_selection(QueryParams(urlencode(params)))
    lang = selection.lang or "nb"
    view = index.view(
        {name: [str(v) for v in values] for name, values in selection.filters.items()},
        selection.words,
        lang=lang,
        offset=(selection.page - 1) * PAGE_SIZE,
        size=PAGE_SIZE,
        limit=MAX_FACET_VALUES,
    )
    try:
        facets = browse.index_views(index, view, selection, lang)
    except browse.BrowseError as err:
        return err.message
    return view.total, shown(facets), browse.index_items(index, view.page, lang)


def from_store(
    store: Store, params: list[tuple[str, str]]
) -> tuple[int, list[Any], list[dict[str, Any]]] | str:
    """The same view as the store computes it (the queries sent to a remote store)."""
    selection = browse.parse_selection(QueryParams(urlencode(params)))
    lang = selection.lang or "nb"
    try:
        total, facets = browse.facet_views(
            store.select(browse.facet_query(selection)), selection, lang
        )
    except browse.BrowseError as err:
        return err.message
    items = browse.source_items(store.select(browse.page_query(selection, lang)), lang)
    return total, shown(facets), items


def shown(facets: list[browse.FacetView]) -> list[Any]:
    return [
        (
            view.facet.name,
            [(str(e.value), e.count, e.label, e.selected, e.url) for e in view.values],
        )
        for view in facets
    ]


# -- the real graph -------------------------------------------------------------------------

ORGS = ORGANISATION
REAL_VIEWS: list[list[tuple[str, str]]] = [
    [],
    [("lang", "en")],
    [("page", "2")],
    [("consent", "ConsentNotRequired")],
    [("consent", "ConsentNotRequired"), ("consent", "OptOut"), ("lang", "en")],
    [("kind", "MedicalQualityRegister"), ("controller", "helse-bergen-hf")],
    [("controller", "folkehelseinstituttet"), ("processor", "folkehelseinstituttet")],
    [("identifiability", "Pseudonymous"), ("legal-basis", "helseregisterloven-7")],
    [("family", "kreftregisteret")],
    [("family", "kreftregisteret"), ("kind", "MedicalQualityRegister"), ("q", "kreft")],
    [("q", "kreft")],
    [("q", "  Cancer REGISTRY "), ("lang", "en")],
    [("q", "register"), ("consent", "ConsentRequired"), ("kind", "MedicalQualityRegister")],
    [("q", "register"), ("page", "2")],
    [("q", "ingen-slik-tekst-finnes")],
]


@pytest.mark.parametrize("params", REAL_VIEWS, ids=lambda p: urlencode(p) or "everything")
def test_counts_and_pages_equal_the_stores_own_answers(
    client: TestClient, store: Store, params: list[tuple[str, str]]
) -> None:
    """Through the page, over the real graph: each facet's counts, the total and the page's
    sources in order are what SPARQL written here asks of the store."""
    expanded = [
        (name, browse.FACETS_BY_NAME[name].parse(value) if name in FACET_PATTERNS else value)
        for name, value in params
    ]
    data = listing(client, params)
    assert data["total"] == store_total(store, expanded)
    for facet in FACET_PATTERNS:
        expected = store_counts(store, expanded, facet)
        assert len(expected) <= MAX_FACET_VALUES  # the real graph's facets are listed whole
        shown_counts = {v["value"]: v["count"] for v in data["facets"][facet] if v["count"]}
        assert shown_counts == expected, facet
    lang = dict(params).get("lang", "nb")
    page = int(dict(params).get("page", "1"))
    order = store_order(store, expanded, lang)
    assert len(order) == data["total"]
    start = (page - 1) * PAGE_SIZE
    assert [s["iri"] for s in data["sources"]] == order[start : start + PAGE_SIZE]


@pytest.mark.parametrize("params", REAL_VIEWS, ids=lambda p: urlencode(p) or "everything")
def test_the_index_computes_the_views_the_store_computes(
    store: Store, real_index: FacetIndex, params: list[tuple[str, str]]
) -> None:
    assert from_index(real_index, params) == from_store(store, params)


@pytest.fixture(scope="module")
def real_index(store: Store) -> FacetIndex:
    return index_of(store)


def families_both_ways(store: Store, index: FacetIndex, lang: str) -> tuple[Any, Any]:
    """The trees of ``/families`` from the index, and from the store's answer."""
    keep = lang if lang != "nb" else None
    rows = store.select(browse.FAMILY_QUERY)
    return (
        browse.family_trees(browse.index_family_nodes(index, lang), keep),
        browse.family_trees(browse.family_nodes(rows, lang), keep),
    )


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_index_draws_the_families_the_store_gives(
    store: Store, real_index: FacetIndex, lang: str
) -> None:
    from_index_trees, from_store_trees = families_both_ways(store, real_index, lang)
    assert from_index_trees == from_store_trees
    assert any(tree["iri"] == DATASET + "kreftregisteret" for tree in from_index_trees)


# -- a crafted graph ------------------------------------------------------------------------

MQR, CHR = HG.MedicalQualityRegister, HG.CentralHealthRegister
ACT = URIRef("https://lovdata.no/eli/lov/2014/06/20/43")


def d(name: str) -> URIRef:
    return URIRef(DATASET + name)


def org(name: str) -> URIRef:
    return URIRef(ORGANISATION + name)


def crafted() -> Graph:
    g = Graph()
    for kind, nb, en in ((MQR, "Kvalitetsregister", "Quality register"), (CHR, "Sentralt", "")):
        g.add((kind, RDFS.subClassOf, HG.HealthDataSource))
        g.add((kind, RDFS.label, Literal(nb, lang="nb")))
        if en:
            g.add((kind, RDFS.label, Literal(en, lang="en")))
    for regime, nb in ((HG.ConsentRequired, "Samtykke"), (HG.ConsentNotRequired, "Uten")):
        g.add((regime, SKOS.inScheme, HG.ConsentRegimes))
        g.add((regime, SKOS.prefLabel, Literal(nb, lang="nb")))
    g.add((HG.Pseudonymous, SKOS.inScheme, HG.IdentifiabilityLevels))
    g.add((ACT, RDF.type, ELI.LegalResource))
    g.add((ACT, RDFS.label, Literal("Helseregisterloven", lang="nb")))
    g.add((ACT, RDFS.label, Literal("Health Registries Act", lang="en")))
    for slug, name in (("alfa", "Alfa HF"), ("beta", "Beta HF"), ("ledig", "Ledig HF")):
        g.add((org(slug), RDF.type, FOAF.Organization))
        g.add((org(slug), FOAF.name, Literal(name, lang="nb")))
    # a controller that is no organisation: counted and shown, never selectable
    g.add((org("gjest"), FOAF.name, Literal("Gjest", lang="nb")))

    def source(name: str, *titles: Literal, kinds: tuple[URIRef, ...] = (MQR,)) -> URIRef:
        s = d(name)
        g.add((s, RDF.type, DCAT.Dataset))
        for kind in kinds:
            g.add((s, RDF.type, kind))
        for title in titles:
            g.add((s, DCTERMS.title, title))
        return s

    a = source(
        "a", Literal("Åpen kilde", lang="nb"), Literal("Open source", lang="en"), kinds=(MQR, CHR)
    )
    g.add((a, HG.consentRegime, HG.ConsentRequired))
    g.add((a, DPV.hasDataController, org("alfa")))
    g.add((a, DPV.hasDataProcessor, org("beta")))
    g.add((a, DCTERMS.description, Literal("Kvalitet og data", lang="nb")))
    b = source("b", Literal("Beta register", lang="en"))  # no nb title: by IRI in nb
    g.add((b, HG.consentRegime, HG.ConsentNotRequired))
    g.add((b, DPV.hasDataController, org("alfa")))
    c = source("c", kinds=())  # no title, no kind
    g.add((c, SKOS.altLabel, Literal("CEE", lang="nb")))
    g.add((c, DPV.hasDataController, org("gjest")))
    source("dd", Literal("delta"))  # an untagged title: not a title in nb or en
    e = source("e", Literal("Zulu", lang="nb"), Literal("alfa", lang="nb"))  # the least counts
    g.add((e, HG.consentRegime, Literal("ConsentRequired")))  # a literal: no value
    g.add((e, DPV.hasLegalBasis, ACT))
    g.add((e, HG.identifiability, HG.Pseudonymous))
    # a family with a cycle (f > g > h > f) and a blank node inside (g > _:x > i)
    f = source("f", Literal("Familie F", lang="nb"))
    fg = source("g", Literal("Familie G", lang="nb"))
    h = source("h", Literal("Del H", lang="nb"))
    i = source("i", Literal("Del I", lang="nb"))
    inside = BNode()
    for whole, part in ((f, fg), (fg, h), (h, f), (fg, inside), (inside, i)):
        g.add((whole, DCTERMS.hasPart, part))
    g.add((f, DCTERMS.hasPart, Literal("not a part")))
    k = source("k", Literal("abc", lang="nb"))
    g.add((k, DCTERMS.description, Literal("def", lang="nb")))
    odd = source("odd", Literal('Tab\there "sitert" back\\slash\nlinje', lang="nb"))
    g.add((odd, SKOS.altLabel, Literal("ÆØÅ-registeret", lang="nb")))
    g.add((odd, DCTERMS.description, URIRef("https://example.org/Beskrivelse")))
    # the same text in two languages: in en, the en key comes first
    source("tie-en", Literal("Tie", lang="en"), Literal("Zzz", lang="nb"))
    source("tie-nb", Literal("tie", lang="nb"))
    blank = BNode()  # a blank-node source: counted, never listed
    g.add((blank, RDF.type, DCAT.Dataset))
    g.add((blank, DCTERMS.title, Literal("Blank kilde", lang="nb")))
    g.add((blank, DPV.hasDataController, org("alfa")))
    # more organisations than a facet lists, ties broken by IRI; sources enough for pages
    for n in range(MAX_FACET_VALUES + 10):
        owner = org(f"org-{n:03d}")
        g.add((owner, RDF.type, FOAF.Organization))
        g.add((owner, FOAF.name, Literal(f"Organisasjon {n % 7}", lang="nb")))
        for j in range(2 if n % 9 == 0 else 1):
            s = source(
                f"s-{n:03d}-{j}",
                Literal(f"Kilde {(n * 37) % 100:02d}", lang="nb"),
                *([Literal(f"Source {n:03d}", lang="en")] if n % 3 else []),
                kinds=(MQR,) if n % 2 else (CHR,),
            )
            g.add((s, DPV.hasDataController, owner))
            g.add((s, HG.consentRegime, HG.ConsentRequired if n % 4 else HG.ConsentNotRequired))
            if n % 5 == 0:
                g.add((s, DCTERMS.isPartOf, f))
                g.add((f, DCTERMS.hasPart, s))
    return g


CRAFTED_VIEWS: list[list[tuple[str, str]]] = [
    [],
    [("lang", "en")],
    [("page", "2")],
    [("page", "3"), ("lang", "en")],
    [("kind", "MedicalQualityRegister")],
    [("kind", "MedicalQualityRegister"), ("kind", "CentralHealthRegister")],
    [("consent", "ConsentRequired"), ("controller", "alfa")],
    [("controller", "ledig")],  # an organisation without sources: a valid empty view
    [("controller", "gjest")],  # no organisation: 400
    [("controller", "org-000"), ("controller", "org-109"), ("kind", "CentralHealthRegister")],
    [("family", "f")],
    [("family", "g"), ("lang", "en")],
    [("family", "i")],  # a source without parts: 400
    [("legal-basis", str(ACT)), ("identifiability", "Pseudonymous")],
    [("q", "kvalitet")],
    [("q", "cd")],  # across a title and a description: no match
    [("q", "ÆØÅ")],
    [("q", 'back\\slash "sitert"')],
    [("q", "beskrivelse")],  # an IRI is searched by its text
    [("q", "kilde 4"), ("consent", "ConsentNotRequired"), ("page", "1")],
    [("q", "tie"), ("lang", "en")],
    [("q", "source"), ("kind", "CentralHealthRegister"), ("lang", "en")],
]


#: The crafted views that are not refused.
VALID_CRAFTED = [
    params
    for params in CRAFTED_VIEWS
    if ("controller", "gjest") not in params and ("family", "i") not in params
]


@pytest.fixture(scope="module")
def crafted_store(store_backend: Any) -> Iterator[Store]:
    """The crafted graph, published in a store of the backend under test."""
    with store_backend.stores() as factory:
        target = factory.new()
        writer = target.open()
        writer.replace_graphs({HELSEDATA: crafted()})
        writer.close()
        reader = target.open(read_only=True)
        yield reader
        reader.close()


@pytest.fixture(scope="module")
def crafted_index(crafted_store: Store) -> FacetIndex:
    return index_of(crafted_store)


@pytest.mark.parametrize("params", CRAFTED_VIEWS, ids=lambda p: urlencode(p) or "everything")
def test_the_index_computes_the_crafted_views_the_store_computes(
    crafted_store: Store, crafted_index: FacetIndex, params: list[tuple[str, str]]
) -> None:
    assert from_index(crafted_index, params) == from_store(crafted_store, params)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_index_draws_the_crafted_families_the_store_gives(
    crafted_store: Store, crafted_index: FacetIndex, lang: str
) -> None:
    from_index_trees, from_store_trees = families_both_ways(crafted_store, crafted_index, lang)
    assert from_index_trees == from_store_trees
    drawn = {tree["iri"] for tree in from_index_trees}
    assert str(d("i")) in drawn  # its whole is a blank node, not drawn: it is a root


def test_the_crafted_views_say_what_they_are_meant_to(
    crafted_store: Store, crafted_index: FacetIndex
) -> None:
    """The crafted graph exercises what it should, so the comparisons above are not vacuous;
    the figures are the store's own."""

    def view(params: list[tuple[str, str]]) -> tuple[int, list[Any], list[dict[str, Any]]]:
        answer = from_index(crafted_index, params)
        assert not isinstance(answer, str), answer
        return answer

    total, facets, _ = view([])
    assert total == store_total(crafted_store, []) == len(crafted_index.sources) > 2 * PAGE_SIZE
    listed = [item["iri"] for number in (1, 2, 3) for item in view([("page", str(number))])[2]]
    assert len(listed) == total - 1  # the blank-node source is counted, never listed
    controllers = dict(facets)["controller"]
    assert len(controllers) == MAX_FACET_VALUES
    counts = {value: count for value, count, *_ in controllers}
    assert counts[str(org("alfa"))] == 3  # a, b and the blank-node source
    doubles = {str(org(f"org-{n:03d}")) for n in range(0, MAX_FACET_VALUES + 10, 9)}
    assert {value for value, count in counts.items() if count == 2} == doubles
    # the 100 most frequent, ties by IRI: the last organisations with one source are left out
    assert str(org("gjest")) in counts
    assert str(org(f"org-{MAX_FACET_VALUES + 9}")) not in counts
    family = store_total(crafted_store, [("family", str(d("f")))])
    assert view([("family", "f")])[0] == family > 4
    assert view([("q", "cd")])[0] == 0
    assert view([("q", "ÆØÅ")])[0] == view([("q", "beskrivelse")])[0] == 1
    assert view([("q", 'back\\slash "sitert"')])[0] == 1
    assert "the graph has no organisation" in str(
        from_index(crafted_index, [("controller", "gjest")])
    )
    in_english = view([("q", "tie"), ("lang", "en")])[2]
    assert [item["iri"] for item in in_english] == [str(d("tie-en")), str(d("tie-nb"))]


def test_a_persisted_index_reads_back_the_same_and_a_stale_one_is_ignored(
    tmp_path: Path,
) -> None:
    store = ox.Store()
    store.load(
        crafted().serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode(str(HELSEDATA)),
    )
    path = browse_index.write_index(store, tmp_path)
    assert path == tmp_path / browse_index.INDEX_FILE
    assert not [p for p in tmp_path.iterdir() if p != path]  # no temporary file left
    built = browse_index.build(store)
    kept = browse_index.read_index(tmp_path)
    assert kept is not None
    assert (built.origin, kept.origin) == ("built", "file")
    assert kept.sources == built.sources
    for params in VALID_CRAFTED:
        selection = browse.parse_selection(QueryParams(urlencode(params)))
        chosen = {name: [str(v) for v in values] for name, values in selection.filters.items()}
        for lang, offset in (("nb", 0), ("en", PAGE_SIZE)):
            options: dict[str, Any] = {"lang": lang, "offset": offset, "size": PAGE_SIZE}
            assert kept.view(chosen, selection.words, limit=9, **options) == built.view(
                chosen, selection.words, limit=9, **options
            )
    document = json.loads(path.read_bytes())
    for broken in (
        {**document, "signature": "other facets"},
        {**document, "format": 0},
        {**document, "texts": document["texts"][1:]},
        {**document, "orders": {**document["orders"], "nb": document["orders"]["en"][:-8]}},
        {**document, "facets": {**document["facets"], "kind": {}}},
    ):
        path.write_text(json.dumps(broken))
        assert browse_index.read_index(tmp_path) is None
    path.write_bytes(b"\x00not json")
    assert browse_index.read_index(tmp_path) is None
    path.unlink()
    assert browse_index.read_index(tmp_path) is None


# -- the index in the server ----------------------------------------------------------------


def publish(root: Path, graph: Graph) -> None:
    writer = OxigraphStore(root)
    writer.replace_graphs({HELSEDATA: graph})
    writer.close()


def sources(count: int, prefix: str = "kilde") -> Graph:
    graph = Graph()
    for regime in (HG.OptOut, HG.ConsentRequired):
        graph.add((regime, SKOS.inScheme, HG.ConsentRegimes))
    for i in range(count):
        source = d(f"{prefix}-{i}")
        graph.add((source, RDF.type, DCAT.Dataset))
        graph.add((source, DCTERMS.title, Literal(f"Kilde {i}", lang="nb")))
        graph.add((source, HG.consentRegime, HG.OptOut if i % 2 else HG.ConsentRequired))
    return graph


def wait_for_index(client: TestClient) -> FacetIndex:
    pool = client.app.state.pool  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while (index := browse.kept_index(pool)) is None:
        assert time.monotonic() < deadline, "the index was never made"
        time.sleep(0.05)
    return index


@pytest.mark.embedded_only("the facet index is kept per generation of an embedded store")
def test_the_index_is_made_at_start_without_a_view(store: Store) -> None:
    with app_client(store) as client:
        index = wait_for_index(client)  # made in the background, before any view
        assert index.size == store_total(store, [])


@pytest.mark.embedded_only("the facet index is kept per generation of an embedded store")
def test_views_ask_the_store_nothing_once_the_index_is_made(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def idle(_pool: Any) -> None:
        return None

    monkeypatch.setattr(browse, "keep_warm", idle)  # only the views below may ask the store
    with app_client(store) as client:
        pool = client.app.state.pool  # type: ignore[attr-defined]
        asked: list[str] = []
        original = pool._run

        async def counting(op: str, payload: Any, *args: Any) -> Any:
            asked.append(op)
            return await original(op, payload, *args)

        monkeypatch.setattr(pool, "_run", counting)
        views = [
            [("q", "register"), ("consent", "ConsentRequired"), ("kind", "MedicalQualityRegister")],
            [("page", "2"), ("lang", "en")],
            [("family", "kreftregisteret"), ("q", "kreft")],
        ]
        first = [listing(client, params) for params in views]  # the first makes the index
        assert browse.kept_index(pool) is not None
        assert all(view["total"] > 0 for view in first)
        assert [listing(client, params) for params in views] == first
        families = client.get("/families", headers=JSON)
        assert families.status_code == 200
        assert families.json()["families"]
        assert asked == []  # no query: counts, order, what the list shows, the families


@pytest.mark.embedded_only("the facet index is kept per generation of an embedded store")
def test_a_publish_replaces_the_index_with_the_new_generations(tmp_path: Path) -> None:
    publish(tmp_path, sources(3))
    with TestClient(create_app(Settings(store=str(tmp_path)))) as client:
        assert listing(client, [])["total"] == 3
        old = wait_for_index(client)
        assert old.size == 3
        assert listing(client, [("consent", "OptOut")])["total"] == 1
        publish(tmp_path, sources(8, prefix="ny"))
        assert listing(client, [])["total"] == 8  # the next view is of the new generation
        assert listing(client, [("consent", "OptOut")])["total"] == 4
        new = wait_for_index(client)
        assert new is not old
        assert new.size == 8
        assert all(s.startswith(DATASET + "ny-") for s in new.sources)
        assert [s["iri"] for s in listing(client, [("page", "1")])["sources"]][:2] == [
            DATASET + "ny-0",
            DATASET + "ny-1",
        ]


@pytest.mark.embedded_only("an index kept beside a generation is a file in the store directory")
def test_a_server_reads_the_index_kept_beside_the_generation(tmp_path: Path) -> None:
    """What a publish that keeps the index beside its generation gives a server starting on
    it: the index read, not built, and the same views."""
    publish(tmp_path, crafted())
    directory = data_directory(tmp_path)
    (directory / browse_index.INDEX_FILE).unlink(missing_ok=True)  # as if published without
    with TestClient(create_app(Settings(store=str(tmp_path)))) as client:
        built = wait_for_index(client)
        views = [listing(client, params) for params in VALID_CRAFTED]
    assert built.origin == "built"
    browse_index.write_index(ox.Store.read_only(str(directory)), directory)
    with TestClient(create_app(Settings(store=str(tmp_path)))) as client:
        kept = wait_for_index(client)
        assert kept.origin == "file"
        again = [listing(client, params) for params in VALID_CRAFTED]
    assert again == views


@pytest.mark.embedded_only("an index kept beside a generation is a file in the store directory")
def test_both_ways_of_publishing_keep_the_index_beside_the_generation(tmp_path: Path) -> None:
    from bench.generate import graph_files
    from helsegraf.bulk import publish_generation

    publish(tmp_path / "small", crafted())  # OxigraphStore.replace_graphs (helsegraf load)
    published = publish_generation(tmp_path / "bulk", graph_files(40, tmp_path / "files"))
    assert published.generation is not None, published.report.text()[:2000]
    for root in (tmp_path / "small", tmp_path / "bulk"):
        directory = data_directory(root)
        kept = browse_index.read_index(directory)
        assert kept is not None, f"no index kept in {directory}"
        assert kept.sources == browse_index.build(ox.Store.read_only(str(directory))).sources
    assert len(browse_index.read_index(data_directory(tmp_path / "bulk")).sources) == 40  # type: ignore[union-attr]


@pytest.mark.embedded_only("the facet index is kept per generation of an embedded store")
def test_without_an_index_the_views_are_asked_of_the_store(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_data: bytes) -> FacetIndex:
        raise RuntimeError("the store cannot be read now")

    monkeypatch.setattr(browse, "build_for_nquads", broken)
    params = [("consent", "ConsentNotRequired"), ("q", "register")]
    expanded = [("consent", str(HG.ConsentNotRequired)), ("q", "register")]
    with app_client(store) as client:
        data = listing(client, params)
        assert data["total"] == store_total(store, expanded)
        assert browse.kept_index(client.app.state.pool) is None  # type: ignore[attr-defined]


def test_over_http_the_first_view_after_start_waits_for_the_index(
    tmp_path: Path, new_store: Stores
) -> None:
    """A real server over a real socket: the first view after start, with a filter nobody
    asked for, is right (a remote store answers it itself)."""
    target = new_store.new()
    writer = target.open()
    writer.replace_graphs({HELSEDATA: sources(120)})
    writer.close()
    with serve(target.location, **target.environment()) as url:
        answer = httpx.get(url + "/?consent=OptOut&page=2", headers=JSON, timeout=60)
        assert answer.status_code == 200
        data = answer.json()
        assert data["total"] == 60
        assert len(data["sources"]) == 10
