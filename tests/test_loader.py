"""The helsedata.no listing loader: behaviour on the real listing and on damaged input.

The real listing is read from ``../shared/seeds/helsedata-datakilder.txt``; tests that need
it are skipped only when that file is absent. The small listings under
``tests/data/listing/`` are invented for these tests.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from helsegraf.loaders.curation import CURATION_DIR, parse_curation
from helsegraf.loaders.helsedata import ListingResult, ListingWarning, load_listing
from helsegraf.loaders.listing_text import normalise_space, split_sentences
from helsegraf.namespaces import (
    DCAT,
    DCTERMS,
    DPV,
    FOAF,
    HELSEDATA_LISTING,
    HG,
    ID,
    ID_BASE,
    PREFIXES,
    RDF,
    SKOS,
)
from helsegraf.reference import load_reference, reference_graph

REPO = Path(__file__).resolve().parents[1]
LISTING_PATH = Path(__file__).resolve().parents[2] / "shared/seeds/helsedata-datakilder.txt"
FIXTURES = Path(__file__).resolve().parent / "data" / "listing"
LISTING = URIRef(HELSEDATA_LISTING)

KINDS = {
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
    HG.AdministrativeRegister,
}
INVERSES = [
    (DCTERMS.isPartOf, DCTERMS.hasPart),
    (DCTERMS.isReplacedBy, DCTERMS.replaces),
    (HG.mergedFrom, HG.mergedInto),
    (HG.followUpOf, HG.hasFollowUp),
    (HG.continuationOf, HG.continuedBy),
    (HG.deliversDataTo, HG.receivesDataFrom),
]

#: Every listed source's slug, in page order.
LISTED_SLUGS = [
    "40-aringsundersokelsene",
    "bdr",
    "ssb-barnevern",
    "ssb-befolkning",
    "ssb-boforhold",
    "cprn",
    "fastlegeregisteret",
    "folke-og-boligtellinger",
    "forsvarets-helseregister",
    "fylkeshelseundersokelsene-oppfolgingsundersokelse-2006-2008",
    "fylkesundersokelsene-i-finnmark-sogn-og-fjordane-og-oppland-1974-1988",
    "iplos",
    "ssb-inntekt",
    "innvandrer-hubro",
    "introduksjonsordningen",
    "mfr",
    "msis",
    "moba",
    "moro",
    "nasjonalt-barnehofteregister",
    "nasjonalt-hoftebruddregister",
    "nasjonalt-korsbandregister",
    "nasjonalt-kvalitetsregister-for-barnekreft",
    "nasjonalt-kvalitetsregister-for-brystkreft",
    "nasjonalt-kvalitetsregister-for-gynekologisk-kreft",
    "nasjonalt-kvalitetsregister-for-kreft-i-spiseror-og-magesekk",
    "nasjonalt-kvalitetsregister-for-lungekreft",
    "nasjonalt-kvalitetsregister-for-lymfoide-maligniteter",
    "nasjonalt-kvalitetsregister-for-melanom",
    "nasjonalt-kvalitetsregister-for-prostatakreft",
    "nkr",
    "smertereg",
    "nasjonalt-kvalitetsregister-for-tykk-og-endetarmskreft",
    "abla-nor",
    "nasjonalt-register-for-kronisk-obstruktiv-lungesykdom",
    "nasjonalt-register-for-langtids-mekanisk-ventilasjon",
    "nasjonalt-register-for-leddproteser",
    "roas",
    "hkr",
    "ntr",
    "nasjonalt-tvillingregister",
    "sysvak",
    "hisreg",
    "norsk-diabetesregister-for-voksne",
    "gastronet",
    "norsk-gynekologisk-endoskopiregister",
    "norsk-helsearkiv",
    "norsk-hjerneslagregister",
    "norsk-hjerteinfarktregister",
    "norsk-hjertekirurgiregister",
    "norsk-hjertestansregister",
    "nhsr",
    "nipar",
    "nir",
    "norkar",
    "norartritt",
    "norspis",
    "soreg-n",
    "lkg-registeret",
    "nkir",
    "norsk-ms-register-og-biobank",
    "nnrr",
    "nnk",
    "nnr",
    "nois",
    "norm",
    "norsk-pacemaker-og-icd-register",
    "npr",
    "norsk-porfyriregister",
    "nra",
    "norsk-register-for-arvelige-og-medfodte-nevromuskulaere-sykdommer",
    "norgast",
    "noric",
    "norkog",
    "norsk-ryggmargsskaderegister",
    "norsk-tonsilleregister",
    "norvas",
    "abortregisteret",
    "reseptregisteret",
    "ravn",
    "skjermbildeundersokelsene",
    "ungdomsundersokelsene",
    "ssb-utdanning",
]

#: Sources the listing only mentions (parents, parts, predecessors, data origins).
MENTIONED_SLUGS = {
    "basisregisteret-til-hjerte-og-karregisteret",
    "basisregisteret-til-kreftregisteret",
    "dodsarsaksregisteret",
    "folkeregisteret",
    "hubro",
    "kpr",
    "kreftregisteret",
    "laparoskopiregisteret",
    "moro-prosjektet",
    "norbio",
    "norsk-nefrologiregister",
    "norsk-nyrebiopsiregister",
    "norsk-pandemiregister",
    "tuberkuloseregisteret",
}

UNTITLED = {
    "ssb-barnevern": "Barnevern",
    "ssb-befolkning": "Befolkning",
    "ssb-boforhold": "Boforhold",
    "ssb-inntekt": "Inntekt",
    "ssb-utdanning": "Utdanning",
    "reseptregisteret": "Reseptregisteret",
}

# --------------------------------------------------------------------------------------
# helpers


def ds(slug: str) -> URIRef:
    return ID[f"dataset/{slug}"]


def nt(triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())


def assert_same_triples(actual: Iterable[tuple[Node, Node, Node]], expected: Graph) -> None:
    """Compare two sets of triples; on failure show a readable diff in N-Triples."""
    got, want = set(nt(actual)), set(nt(expected))
    if got != want:
        missing = "\n".join(f"  - {line}" for line in sorted(want - got))
        extra = "\n".join(f"  + {line}" for line in sorted(got - want))
        pytest.fail(
            f"graphs differ\nmissing (expected, not produced):\n{missing}\n"
            f"unexpected (produced, not expected):\n{extra}"
        )


def describe(graph: Graph, subject: URIRef) -> list[tuple[Node, Node, Node]]:
    """The facts about a dataset and its hash nodes, without provenance nodes and prose."""
    out: list[tuple[Node, Node, Node]] = []
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            continue
        if s != subject and not str(s).startswith(f"{subject}#"):
            continue
        if "#fact-" in str(s) or p in (DCTERMS.description, HG.quote):
            continue
        out.append((s, p, o))
    return out


def expected(turtle: str) -> Graph:
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    prefixes += f"@prefix ds: <{ID_BASE}dataset/> .\n@prefix org: <{ID_BASE}organisation/> .\n"
    prefixes += f"@prefix prov: <{ID_BASE}provision/> .\n@prefix listing: <{HELSEDATA_LISTING}> .\n"
    for slug in ("iplos", "reseptregisteret", "moba"):
        prefixes += f"@prefix {slug.replace('-', '')}: <{ID_BASE}dataset/{slug}#> .\n"
    graph = Graph()
    graph.parse(data=prefixes + turtle, format="turtle")
    return graph


def _lang(term: Node) -> str | None:
    return term.language if isinstance(term, Literal) else None


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first line that contains ``marker``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in text")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def listing_text(require_shared: Callable[[Path, str], Path]) -> str:
    return require_shared(LISTING_PATH, "the helsedata.no listing").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def curation() -> Graph:
    return parse_curation()


@pytest.fixture(scope="module")
def result(listing_text: str, curation: Graph) -> ListingResult:
    return load_listing(listing_text, curation)


@pytest.fixture(scope="module")
def union(result: ListingResult, curation: Graph) -> Graph:
    graph = Graph()
    for triple in result.graph:
        graph.add(triple)
    for triple in curation:
        graph.add(triple)
    for triple in reference_graph():
        graph.add(triple)
    return graph


# --------------------------------------------------------------------------------------
# the real listing: structure


def test_real_listing_has_83_sources_in_page_order(result: ListingResult) -> None:
    assert [str(iri).rsplit("/", 1)[-1] for iri in result.listed] == LISTED_SLUGS
    assert len(result.listed) == 83 == len(set(result.listed))
    positions = [result.graph.value(iri, HG.listingPosition) for iri in result.listed]
    assert [int(p) for p in positions if isinstance(p, Literal)] == list(range(1, 84))


def test_filter_menu_lines_are_not_sources(result: ListingResult) -> None:
    titles = [str(t) for t in result.graph.objects(None, DCTERMS.title)]
    assert not [t for t in titles if "filtrere" in t or t.startswith("Velg")]
    assert not [iri for iri in result.listed if "velg" in str(iri)]


def test_real_listing_warns_only_about_the_page_count(result: ListingResult) -> None:
    # The page heading claims 98 sources; the text copy holds 83 (several alphabet
    # headings in the copy are empty). That is the one thing worth a warning.
    assert [w.line for w in result.warnings] == [11]
    assert "98" in result.warnings[0].message
    assert "83" in result.warnings[0].message


def test_untitled_entries_get_their_curated_names(result: ListingResult, union: Graph) -> None:
    for slug, title in UNTITLED.items():
        assert ds(slug) in result.listed
        assert Literal(title, lang="nb") in set(union.objects(ds(slug), DCTERMS.title))
        # the loader itself adds no title for them: the title comes from the curation
        assert result.graph.value(ds(slug), DCTERMS.title) is None
    assert result.listed.index(ds("ssb-inntekt")) == 12
    assert result.listed.index(ds("reseptregisteret")) == 78


def test_every_listed_source_has_one_kind_and_one_nb_title(
    result: ListingResult, union: Graph
) -> None:
    for iri in result.listed:
        kinds = set(union.objects(iri, RDF.type)) & KINDS
        assert len(kinds) == 1, (iri, kinds)
        assert (iri, RDF.type, DCAT.Dataset) in result.graph
        nb_titles = [t for t in union.objects(iri, DCTERMS.title) if _lang(t) == "nb"]
        assert len(nb_titles) == 1, (iri, nb_titles)
        assert (iri, DCTERMS.source, LISTING) in result.graph


def test_mentioned_only_sources(result: ListingResult, union: Graph) -> None:
    datasets = set(result.graph.subjects(RDF.type, DCAT.Dataset))
    mentioned = datasets - set(result.listed)
    assert {str(iri).rsplit("/", 1)[-1] for iri in mentioned} == MENTIONED_SLUGS
    for iri in mentioned:
        assert result.graph.value(iri, HG.listingPosition) is None
        assert (iri, DCTERMS.source, LISTING) in result.graph
        assert [t for t in union.objects(iri, DCTERMS.title) if _lang(t) == "nb"], iri
        assert not set(result.graph.objects(iri, RDF.type)) & KINDS, "kinds come from curation"
        linked = set(union.predicates(iri, None)) | set(union.predicates(None, iri))
        assert linked & {p for pair in INVERSES for p in pair} | {DPV.hasDataController}, iri


def test_no_blank_nodes(result: ListingResult, curation: Graph) -> None:
    for graph in (result.graph, curation, reference_graph()):
        assert not [t for t in graph if any(isinstance(term, BNode) for term in t)]


def test_relations_are_stated_in_both_directions(result: ListingResult) -> None:
    graph = result.graph
    for forward, backward in INVERSES:
        for a, b in graph.subject_objects(forward):
            assert (b, backward, a) in graph, (a, forward, b)
        for b, a in graph.subject_objects(backward):
            assert (a, forward, b) in graph, (b, backward, a)
    assert len(list(graph.subject_objects(DCTERMS.isPartOf))) == 24


def test_loading_is_deterministic(
    listing_text: str, curation: Graph, result: ListingResult
) -> None:
    again = load_listing(listing_text, curation)
    assert nt(again.graph) == nt(result.graph)
    assert again.listed == result.listed


# --------------------------------------------------------------------------------------
# the real listing: provenance


def test_provenance_nodes_point_at_real_lines(result: ListingResult, listing_text: str) -> None:
    lines = listing_text.splitlines()
    graph = result.graph
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) > 900
    for node in statements:
        s, p, o = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
        assert s is not None
        assert p is not None
        assert o is not None
        assert (s, p, o) in graph, node
        line = graph.value(node, HG.sourceLine)
        quote = graph.value(node, HG.quote)
        assert isinstance(line, Literal)
        assert isinstance(quote, Literal)
        assert 1 <= int(line) <= len(lines)
        assert quote.language == "nb"
        assert str(quote) in normalise_space(lines[int(line) - 1]), (node, int(line))
        assert (node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), LISTING) in graph


def test_fact_iris_hash_the_triple(result: ListingResult) -> None:
    graph = result.graph
    for node in graph.subjects(RDF.type, RDF.Statement):
        triple = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
        line = nt([triple])[0]  # type: ignore[list-item]
        digest = hashlib.sha256(line.removesuffix(" .").encode()).hexdigest()[:8]
        base = str(triple[0]).split("#", 1)[0]
        assert str(node) == f"{base}#fact-{digest}"


def test_every_dataset_fact_has_provenance(result: ListingResult) -> None:
    graph = result.graph
    backed = {
        (graph.value(n, RDF.subject), graph.value(n, RDF.predicate), graph.value(n, RDF.object))
        for n in graph.subjects(RDF.type, RDF.Statement)
    }
    for s, p, o in graph:
        if not str(s).startswith(ID_BASE + "dataset/") or "#fact-" in str(s):
            continue
        if p in (DCTERMS.source, DCTERMS.description):
            continue
        assert (s, p, o) in backed, (s, p, o)


# --------------------------------------------------------------------------------------
# the real listing: organisations and law


def test_organisations_all_come_from_the_reference(result: ListingResult) -> None:
    known = {org.iri for org in load_reference().organisations}
    agents = set(result.graph.objects(None, DPV.hasDataController))
    agents |= set(result.graph.objects(None, DPV.hasDataProcessor))
    agents |= set(result.graph.objects(None, URIRef("http://www.w3.org/ns/prov#agent")))
    agents |= set(result.graph.objects(None, HG.licensedBy))
    assert agents <= known
    assert not set(result.graph.subjects(RDF.type, FOAF.Organization))
    assert ID["organisation/arkivverket"] in agents  # the listing says Riksarkivaren
    assert ID["organisation/nordlandssykehuset-hf"] in agents  # misspelt in the listing


def test_legal_bases_are_provisions_acts_or_regulations(result: ListingResult) -> None:
    legal = {src.iri for src in load_reference().legal_sources}
    for basis in result.graph.objects(None, DPV.hasLegalBasis):
        if str(basis).startswith(ID_BASE + "provision/"):
            part_of = result.graph.value(
                basis, URIRef("http://data.europa.eu/eli/ontology#is_part_of")
            )
            assert part_of in legal
        else:
            assert basis in legal
    assert set(result.graph.objects(None, HG.regulatedBy)) <= legal


def test_reference_graph() -> None:
    graph = reference_graph()
    fhi = ID["organisation/folkehelseinstituttet"]
    assert graph.value(fhi, DCTERMS.identifier) == Literal("983744516")
    assert Literal("FHI", lang="nb") in set(graph.objects(fhi, SKOS.altLabel))
    assert graph.value(ID["organisation/datatilsynet"], DCTERMS.identifier) is None
    assert (ID["organisation/datatilsynet"], RDF.type, FOAF.Organization) in graph
    kpr_regulation = ID["legal/forskrift-om-kommunalt-pasient-og-brukerregister"]
    assert (kpr_regulation, RDF.type, HG.Regulation) in graph
    assert (
        graph.value(kpr_regulation, URIRef("http://data.europa.eu/eli/ontology#id_local")) is None
    )
    assert graph.value(kpr_regulation, SKOS.editorialNote) is not None
    reseptforskrift = URIRef("https://lovdata.no/eli/forskrift/2003/10/17/1246")
    assert graph.value(reseptforskrift, SKOS.editorialNote) is not None  # secondary sources
    helseregisterloven = URIRef("https://lovdata.no/eli/lov/2014/06/20/43")
    assert (helseregisterloven, RDF.type, HG.Act) in graph
    assert graph.value(helseregisterloven, SKOS.editorialNote) is None  # verified


# --------------------------------------------------------------------------------------
# the real listing: a handful of tricky sources, pinned


PINNED = {
    "hkr": """
ds:hkr a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ; hg:listingPosition 39 ;
  dct:title "Nasjonalt register over hjerte- og karlidelser"@nb ;
  skos:altLabel "Hjerte- og karregisteret"@nb, "HKR"@nb ;
  hg:identifiability hg:DirectlyIdentifying ;
  dpv:hasLegalBasis prov:helseregisterloven-11-h ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2011/12/16/1250> ;
  hg:applicationViaHelsedata true ;
  dct:temporal <https://w3id.org/helsegraf/id/dataset/hkr#temporal> ;
  dct:hasPart ds:abla-nor, ds:basisregisteret-til-hjerte-og-karregisteret, ds:nhsr, ds:noric,
    ds:norkar, ds:norsk-hjerneslagregister, ds:norsk-hjerteinfarktregister,
    ds:norsk-hjertekirurgiregister, ds:norsk-pacemaker-og-icd-register ;
  hg:receivesDataFrom ds:norsk-pacemaker-og-icd-register .
<https://w3id.org/helsegraf/id/dataset/hkr#temporal> a dct:PeriodOfTime ;
  dcat:startDate "2012"^^xsd:gYear .
""",
    "basisregisteret-til-hjerte-og-karregisteret": """
ds:basisregisteret-til-hjerte-og-karregisteret a dcat:Dataset ; dct:source listing: ;
  dct:isPartOf ds:hkr ;
  dpv:hasDataController org:folkehelseinstituttet ; dpv:hasDataProcessor org:folkehelseinstituttet ;
  hg:receivesDataFrom ds:npr, ds:dodsarsaksregisteret .
""",
    "msis": """
ds:msis a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ; hg:listingPosition 17 ;
  dct:title "Meldingssystem for smittsomme sykdommer"@nb ; skos:altLabel "MSIS"@nb ;
  hg:identifiability hg:DirectlyIdentifying, hg:Anonymous ;
  dpv:hasLegalBasis prov:helseregisterloven-11-d ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2003/06/20/740> ;
  dpv:hasDataController org:folkehelseinstituttet ; dpv:hasDataProcessor org:folkehelseinstituttet ;
  dct:hasPart ds:tuberkuloseregisteret ;
  hg:applicationViaHelsedata true ;
  dct:temporal <https://w3id.org/helsegraf/id/dataset/msis#temporal> ;
  dcat:contactPoint <https://w3id.org/helsegraf/id/dataset/msis#contact> .
<https://w3id.org/helsegraf/id/dataset/msis#temporal> a dct:PeriodOfTime ;
  dcat:startDate "1977"^^xsd:gYear .
<https://w3id.org/helsegraf/id/dataset/msis#contact> a vcard:Kind ;
  vcard:hasEmail <mailto:msis.data@fhi.no> .
""",
    "iplos": """
ds:iplos a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ; hg:listingPosition 12 ;
  dct:title "Individbasert pleie- og omsorgsstatistikk"@nb ; skos:altLabel "IPLOS"@nb ;
  hg:identifiability hg:Pseudonymous ;
  dpv:hasLegalBasis prov:helseregisterloven-9-b ;
  hg:regulatedBy <https://w3id.org/helsegraf/id/legal/forskrift-om-kommunalt-pasient-og-brukerregister>,
    <https://lovdata.no/eli/forskrift/2006/02/17/204> ;
  dpv:hasDataController org:helsedirektoratet ; dpv:hasDataProcessor org:helsedirektoratet ;
  dct:isReplacedBy ds:kpr ;
  hg:applicationViaHelsedata true ;
  prov:qualifiedAttribution
    iplos:attribution-application-handler-helsedirektoratet,
    iplos:attribution-data-linker-statistisk-sentralbyra,
    iplos:attribution-data-distributor-statistisk-sentralbyra ;
  dct:temporal iplos:temporal ;
  dcat:contactPoint iplos:contact .
iplos:attribution-application-handler-helsedirektoratet
  a prov:Attribution ; prov:agent org:helsedirektoratet ; dcat:hadRole hg:ApplicationHandler .
iplos:attribution-data-linker-statistisk-sentralbyra
  a prov:Attribution ; prov:agent org:statistisk-sentralbyra ; dcat:hadRole hg:DataLinker .
iplos:attribution-data-distributor-statistisk-sentralbyra
  a prov:Attribution ; prov:agent org:statistisk-sentralbyra ; dcat:hadRole hg:DataDistributor .
iplos:temporal a dct:PeriodOfTime ;
  dcat:startDate "2007"^^xsd:gYear ; dcat:endDate "2017"^^xsd:gYear .
iplos:contact a vcard:Kind ;
  vcard:hasEmail <mailto:helseregistre@helsedir.no> .
""",
    "nasjonalt-hoftebruddregister": """
ds:nasjonalt-hoftebruddregister a dcat:Dataset, hg:MedicalQualityRegister ; dct:source listing: ;
  hg:listingPosition 21 ; dct:title "Nasjonalt hoftebruddregister"@nb ;
  hg:consentRegime hg:ConsentRequired ;
  dpv:hasLegalBasis prov:helseregisterloven-7 ;
  hg:licensedBy org:datatilsynet ; hg:confidentialityDispensationBy org:helsedirektoratet ;
  dpv:hasDataController org:helse-bergen-hf ; dpv:hasDataProcessor org:helse-bergen-hf .
""",
    "nnk": """
ds:nnk a dcat:Dataset, hg:MedicalQualityRegister ; dct:source listing: ; hg:listingPosition 63 ;
  dct:title "Norsk nyfødtmedisinsk kvalitetsregister"@nb ; skos:altLabel "NNK"@nb ;
  hg:consentRegime hg:ConsentNotRequired ; hg:identifiability hg:DirectlyIdentifying ;
  dpv:hasLegalBasis <https://lovdata.no/eli/forskrift/2001/12/21/1483> ;
  dpv:hasDataController org:folkehelseinstituttet ;
  dpv:hasDataProcessor org:oslo-universitetssykehus-hf ;
  dct:isPartOf ds:mfr ; hg:applicationViaHelsedata true .
""",
    "reseptregisteret": """
ds:reseptregisteret a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ;
  hg:listingPosition 79 ;
  hg:identifiability hg:Pseudonymous ;
  dpv:hasLegalBasis prov:helseregisterloven-9-b ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2003/10/17/1246> ;
  dpv:hasDataController org:folkehelseinstituttet ;
  prov:qualifiedAttribution
    reseptregisteret:attribution-pseudonymiser-statistisk-sentralbyra ;
  hg:applicationViaHelsedata true ;
  dct:temporal reseptregisteret:temporal .
reseptregisteret:attribution-pseudonymiser-statistisk-sentralbyra
  a prov:Attribution ; prov:agent org:statistisk-sentralbyra ; dcat:hadRole hg:Pseudonymiser .
reseptregisteret:temporal a dct:PeriodOfTime ;
  dcat:startDate "2004"^^xsd:gYear .
""",
    "norsk-hjerteinfarktregister": """
ds:norsk-hjerteinfarktregister a dcat:Dataset, hg:MedicalQualityRegister ; dct:source listing: ;
  hg:listingPosition 49 ; dct:title "Norsk hjerteinfarktregister"@nb ;
  hg:consentRegime hg:ConsentNotRequired ;
  dpv:hasLegalBasis <https://lovdata.no/eli/lov/2014/06/20/43> ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2011/12/16/1250> ;
  dpv:hasDataController org:folkehelseinstituttet ;
  dpv:hasDataProcessor org:st-olavs-hospital-hf ;
  dct:isPartOf ds:hkr ; hg:receivesDataFrom ds:folkeregisteret ;
  hg:applicationViaHelsedata true ;
  dct:temporal <https://w3id.org/helsegraf/id/dataset/norsk-hjerteinfarktregister#temporal> .
<https://w3id.org/helsegraf/id/dataset/norsk-hjerteinfarktregister#temporal> a dct:PeriodOfTime ;
  dcat:startDate "2013"^^xsd:gYear .
""",
    "nnr": """
ds:nnr a dcat:Dataset, hg:MedicalQualityRegister ; dct:source listing: ; hg:listingPosition 64 ;
  dct:title "Norsk nyreregister"@nb ; skos:altLabel "NNR"@nb ;
  hg:consentRegime hg:ConsentRequired ; hg:licensedBy org:datatilsynet ;
  dpv:hasDataController org:oslo-universitetssykehus-hf ;
  dpv:hasDataProcessor org:oslo-universitetssykehus-hf ;
  hg:mergedFrom ds:norsk-nefrologiregister, ds:norsk-nyrebiopsiregister ;
  dcat:contactPoint <https://w3id.org/helsegraf/id/dataset/nnr#contact> .
<https://w3id.org/helsegraf/id/dataset/nnr#contact> a vcard:Kind ;
  vcard:hasEmail <mailto:anders.asberg@ous-hf.no> .
""",
    "forsvarets-helseregister": """
ds:forsvarets-helseregister a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ;
  hg:listingPosition 9 ; dct:title "Forsvarets helseregister"@nb ;
  dpv:hasLegalBasis prov:helseregisterloven-11 ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2005/09/02/1010> ;
  dpv:hasDataController org:forsvarsdepartementet ;
  dpv:hasDataProcessor org:forsvarets-sanitet ;
  hg:receivesDataFrom ds:folkeregisteret, ds:dodsarsaksregisteret .
""",
    "nir": """
ds:nir a dcat:Dataset, hg:MedicalQualityRegister ; dct:source listing: ; hg:listingPosition 54 ;
  dct:title "Norsk intensivregister"@nb ; skos:altLabel "NIR"@nb ;
  hg:consentRegime hg:OptOut ;
  dpv:hasDataController org:helse-bergen-hf ; dpv:hasDataProcessor org:helse-bergen-hf ;
  dct:isPartOf ds:nipar ;
  dct:temporal <https://w3id.org/helsegraf/id/dataset/nir#temporal> .
<https://w3id.org/helsegraf/id/dataset/nir#temporal> a dct:PeriodOfTime ;
  dcat:startDate "1998"^^xsd:gYear .
""",
    "moba": """
ds:moba a dcat:Dataset, hg:PopulationHealthSurvey ; dct:source listing: ; hg:listingPosition 18 ;
  dct:title "MoBa - Den norske mor, far og barn-undersøkelsen"@nb ;
  skos:altLabel "MoBa"@nb, "Den norske mor, far og barn-undersøkelsen"@nb ;
  hg:consentRegime hg:VoluntaryParticipation ;
  dpv:hasLegalBasis <https://lovdata.no/eli/forskrift/2018/04/27/645> ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2018/04/27/645> ;
  dpv:hasDataController org:folkehelseinstituttet ; dpv:hasDataProcessor org:folkehelseinstituttet ;
  prov:qualifiedAttribution
    moba:attribution-application-handler-folkehelseinstituttet ;
  hg:applicationViaHelsedata true ;
  dct:temporal moba:temporal .
moba:attribution-application-handler-folkehelseinstituttet
  a prov:Attribution ; prov:agent org:folkehelseinstituttet ; dcat:hadRole hg:ApplicationHandler .
moba:temporal a dct:PeriodOfTime ;
  dcat:startDate "1999"^^xsd:gYear .
""",
}


@pytest.mark.parametrize("slug", sorted(PINNED))
def test_pinned_source(result: ListingResult, slug: str) -> None:
    turtle = PINNED[slug].replace("prov:qualifiedAttribution", "provo:qualifiedAttribution")
    turtle = turtle.replace("a prov:Attribution ; prov:agent", "a provo:Attribution ; provo:agent")
    graph = expected("@prefix provo: <http://www.w3.org/ns/prov#> .\n" + turtle)
    assert_same_triples(describe(result.graph, ds(slug)), graph)


def test_provisions_are_described(result: ListingResult) -> None:
    provision = ID["provision/helseregisterloven-9-b"]
    graph = expected("""
prov:helseregisterloven-9-b a eli:LegalResourceSubdivision ;
  rdfs:label "helseregisterloven § 9 b"@nb ;
  eli:is_part_of <https://lovdata.no/eli/lov/2014/06/20/43> ;
  hg:sectionNumber "9" ; hg:sectionLetter "b" ;
  rdfs:seeAlso <https://lovdata.no/lov/2014-06-20-43/§9> .
""")
    assert_same_triples(result.graph.triples((provision, None, None)), graph)


def test_prose_is_only_in_prose_predicates(result: ListingResult) -> None:
    descriptions = list(result.graph.subject_objects(DCTERMS.description))
    assert len(descriptions) == 83
    assert all(isinstance(o, Literal) and o.language == "nb" for _, o in descriptions)


# --------------------------------------------------------------------------------------
# the curation file


def test_curation_decisions_are_explained_and_point_at_real_sources(
    result: ListingResult, curation: Graph
) -> None:
    datasets = set(result.graph.subjects(RDF.type, DCAT.Dataset))
    decisions = set(curation.subjects(RDF.type, HG.CurationDecision))
    assert len(decisions) >= 25
    for decision in decisions:
        notes = [n for n in curation.objects(decision, SKOS.editorialNote) if _lang(n) == "en"]
        assert notes, decision
        concerns = set(curation.objects(decision, HG.concerns))
        assert concerns, decision
        assert concerns <= datasets, (decision, concerns - datasets)
    for subject in set(curation.subjects()):
        text = str(subject)
        if text.startswith(ID_BASE + "dataset/") and "#" not in text:
            assert subject in datasets, f"curation names {subject}, which the loader never makes"
        if text.startswith(ID_BASE) and "#" not in text:
            assert curation.value(subject, SKOS.editorialNote) is not None, subject


def test_no_listing_sentences_in_project_files(listing_text: str) -> None:
    sentences = {
        s for line in listing_text.splitlines() for s in split_sentences(line) if len(s) >= 70
    }
    files = [
        CURATION_DIR / "helsedata.ttl",
        Path(__file__),
        REPO / "helsegraf" / "reference.py",
        *sorted((REPO / "loaders").glob("*.py")),
        *sorted(FIXTURES.glob("*.txt")),
    ]
    for path in files:
        text = normalise_space(path.read_text(encoding="utf-8"))
        copied = [s for s in sentences if s in text]
        assert not copied, (path, copied)


# --------------------------------------------------------------------------------------
# hand-made edge cases


def _slugs(result: ListingResult) -> list[str]:
    return [str(iri).rsplit("/", 1)[-1] for iri in result.listed]


def test_minimal_listing(curation: Graph) -> None:
    text = fixture_text("minimal.txt")
    result = load_listing(text, curation)
    assert result.warnings == []
    assert _slugs(result) == ["alfa", "betaundersokelsen", "delta"]
    graph = expected("""
ds:delta a dcat:Dataset, hg:CentralHealthRegister ; dct:source listing: ; hg:listingPosition 3 ;
  dct:title "Deltaregisteret"@nb ; skos:altLabel "DELTA"@nb ;
  dct:isPartOf ds:alfa ; dpv:hasLegalBasis prov:helseregisterloven-11-c ;
  hg:regulatedBy <https://lovdata.no/eli/forskrift/2003/06/20/740> ;
  dpv:hasDataController org:folkehelseinstituttet ;
  dpv:hasDataProcessor org:oslo-universitetssykehus-hf ;
  dct:temporal <https://w3id.org/helsegraf/id/dataset/delta#temporal> .
<https://w3id.org/helsegraf/id/dataset/delta#temporal> a dct:PeriodOfTime ;
  dcat:startDate "1980"^^xsd:gYear .
""")
    assert_same_triples(describe(result.graph, ds("delta")), graph)
    assert (ds("betaundersokelsen"), HG.continuationOf, ds("gamma")) in result.graph
    assert (ds("gamma"), HG.continuedBy, ds("betaundersokelsen")) in result.graph
    assert result.graph.value(ds("gamma"), DCTERMS.title) == Literal(
        "Gammaundersøkelsen", lang="nb"
    )
    assert (ds("alfa"), HG.consentRegime, HG.ConsentNotRequired) in result.graph
    assert (ds("alfa"), DCTERMS.hasPart, ds("delta")) in result.graph
    line = result.graph.value(
        next(result.graph.subjects(RDF.object, HG.ConsentNotRequired)), HG.sourceLine
    )
    assert line == Literal(line_of(text, "føres Alfaregisteret uten krav om samtykke"))


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
def test_empty_input(text: str, curation: Graph) -> None:
    result = load_listing(text, curation)
    assert result.listed == []
    assert result.warnings == [ListingWarning(1, "the listing is empty")]
    assert not set(result.graph.subjects(RDF.type, DCAT.Dataset))


def test_text_without_entries(curation: Graph) -> None:
    result = load_listing("Datakilder\n\nNullstill søk\n", curation)
    assert result.listed == []
    assert [w.line for w in result.warnings] == [1]


def test_truncated_entry_is_kept_with_a_warning(curation: Graph) -> None:
    text = fixture_text("truncated.txt")
    result = load_listing(text, curation)
    assert _slugs(result) == ["alfa", "betaundersokelsen", "delta"]
    bullet = line_of(text, "• Deltaregisteret")
    assert result.warnings
    assert {w.line for w in result.warnings} == {bullet}
    assert result.graph.value(ds("delta"), DCTERMS.title) == Literal("Deltaregisteret", lang="nb")


def test_entry_with_title_only(curation: Graph) -> None:
    text = fixture_text("title_only.txt")
    result = load_listing(text, curation)
    assert _slugs(result) == ["alfa", "betaundersokelsen", "delta"]
    bullet = line_of(text, "• Deltaregisteret")
    assert {w.line for w in result.warnings} == {bullet}
    assert any("no text" in w.message for w in result.warnings)


def test_duplicated_entry_is_kept_apart(curation: Graph) -> None:
    text = fixture_text("duplicated.txt")
    result = load_listing(text, curation)
    assert _slugs(result) == ["alfa", "betaundersokelsen", "delta", "delta-2"]
    second = [n for n, line in enumerate(text.splitlines(), 1) if "• Deltaregisteret" in line][1]
    duplicate = [w for w in result.warnings if "repeats" in w.message]
    assert [w.line for w in duplicate] == [second]
    count = [w for w in result.warnings if "says it lists" in w.message]
    assert [w.line for w in count] == [line_of(text, "datakilder")]
    assert (ds("delta-2"), DCTERMS.isPartOf, ds("alfa")) in result.graph
    assert result.graph.value(ds("delta-2"), HG.listingPosition) == Literal(4)


def test_garbled_bytes_and_unknown_organisation(curation: Graph) -> None:
    text = fixture_text("garbled.txt")
    result = load_listing(text, curation)
    assert _slugs(result) == ["eps", "zetaregisteret"]
    by_line: dict[int, list[str]] = {}
    for warning in result.warnings:
        by_line.setdefault(warning.line, []).append(warning.message)
    roles = line_of(text, "Helse Nordkapp HF")
    assert any("unknown organisation 'Helse Nordkapp HF'" in m for m in by_line[roles])
    assert any("read as 'Helse Bergen HF'" in m for m in by_line[roles])
    legal = line_of(text, "konsesjon fra Datatilsynet")
    assert any("garbled" in m for m in by_line[legal])
    assert any("garbled" in m for m in by_line[line_of(text, "• Zeta")])
    unknown = ID["organisation/helse-nordkapp-hf"]
    assert (ds("eps"), DPV.hasDataController, unknown) in result.graph
    assert (unknown, RDF.type, FOAF.Organization) in result.graph
    assert result.graph.value(unknown, FOAF.name) == Literal("Helse Nordkapp HF", lang="nb")
    assert result.graph.value(unknown, DCTERMS.identifier) is None
    assert (ds("eps"), DPV.hasDataProcessor, ID["organisation/helse-bergen-hf"]) in result.graph
    assert (ds("eps"), HG.licensedBy, ID["organisation/datatilsynet"]) in result.graph
    assert result.graph.value(ds("eps"), DPV.hasLegalBasis) is None


def test_reordered_entries_give_the_same_facts(curation: Graph) -> None:
    ordered = load_listing(fixture_text("minimal.txt"), curation)
    text = fixture_text("reordered.txt")
    shuffled = load_listing(text, curation)
    assert set(shuffled.listed) == set(ordered.listed)
    assert _slugs(shuffled) == ["betaundersokelsen", "alfa", "delta"]
    assert [w.line for w in shuffled.warnings] == [line_of(text, "• Alfaregisteret")]

    def facts(result: ListingResult) -> list[str]:
        keep = [
            t
            for t in result.graph
            if "#fact-" not in str(t[0]) and t[1] not in (HG.listingPosition, HG.sourceLine)
        ]
        return nt(keep)

    assert facts(shuffled) == facts(ordered)


def test_stray_unindented_line(curation: Graph) -> None:
    text = fixture_text("stray.txt")
    result = load_listing(text, curation)
    assert _slugs(result) == ["alfa"]
    stray = line_of(text, "mangler innrykk")
    assert [w.line for w in result.warnings] == [stray]
    assert (ds("alfa"), DPV.hasDataController, ID["organisation/helse-bergen-hf"]) in result.graph


def test_untitled_entries_with_and_without_a_curated_key() -> None:
    text = fixture_text("untitled.txt")
    curation = Graph()
    curation.add((ds("test-omega"), HG.untitledEntryKey, Literal("omegadata")))
    result = load_listing(text, curation)
    assert len(result.listed) == 2
    assert result.listed[0] == ds("test-omega")
    assert (ds("test-omega"), RDF.type, HG.StatisticalDataCollection) in result.graph
    assert [w.line for w in result.warnings] == [line_of(text, "ingen kuratert")]
    assert str(result.listed[1]).startswith(ID_BASE + "dataset/untitled-")


def test_double_encoded_text_is_repaired(curation: Graph) -> None:
    text = fixture_text("minimal.txt").encode("utf-8").decode("cp1252")
    result = load_listing(text, curation)
    assert _slugs(result) == ["alfa", "betaundersokelsen", "delta"]
    assert [w.line for w in result.warnings] == [1]


def test_garbage_never_raises(curation: Graph) -> None:
    rng = random.Random(20240601)
    alphabet = string.printable + "•·§–æøåÆØÅ\u00a0\ufffd()"
    minimal = fixture_text("minimal.txt").splitlines()
    for _ in range(200):
        garbage = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        result = load_listing(garbage, curation)
        assert all(isinstance(w, ListingWarning) and w.line >= 1 for w in result.warnings)
        lines = minimal[:]
        rng.shuffle(lines)
        cut = lines[: rng.randint(0, len(lines))]
        load_listing("\n".join(cut), curation)
    load_listing(bytes(range(256)).decode("latin-1") * 10, curation)


def test_every_bullet_becomes_a_source() -> None:
    """No entry is dropped: each top-level bullet that is not a filter line is listed."""
    text = fixture_text("duplicated.txt") + "\n • \ufffd\ufffd\n\n  ???\n • Ω\n"
    result = load_listing(text, Graph())
    bullets = [
        line for line in text.splitlines() if re.match(r"^ ?• \S", line) and "filtrere" not in line
    ]
    assert len(result.listed) == len(bullets) == len(set(result.listed))
