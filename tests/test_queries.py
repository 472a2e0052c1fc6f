"""The named-query library: the registry, parameter typing, and each query's answer.

Three parts:

1. the registry and its ``.rq`` files (no store): every query parses, every header is complete,
   names and parameters are checked, values are typed and never pasted into the query text;
2. the queries' logic on a small hand-made graph, where every case is visible in the test;
3. each query's expected answer on the real graph (fixture ``store``). The expected answers
   come from reading the helsedata.no listing (``../shared/seeds/helsedata-datakilder.txt``),
   not from the loader's output; the numbers in comments are the listing's line numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from helsegraf import namespaces as ns
from helsegraf import paths
from helsegraf.namespaces import DPV, HG, ID, ID_BASE, RDF
from helsegraf.queries import (
    NamedQuery,
    ParameterError,
    QueryFileError,
    QueryForm,
    QueryRegistry,
    UnknownQueryError,
    load_registry,
    parse_query,
    run,
)
from helsegraf.sparql import bind
from helsegraf.store import OxigraphStore, SelectResult, Store

REGISTRY = load_registry()
TRUE, FALSE = Literal(True), Literal(False)
QUERY_FILES = sorted(paths.QUERIES_DIR.glob("*.rq"))
NAMES = [path.stem for path in QUERY_FILES]

HELSEREGISTERLOVEN = "https://lovdata.no/eli/lov/2014/06/20/43"
HELSEPERSONELLOVEN = "https://lovdata.no/eli/lov/1999/07/02/64"
HKR_FORSKRIFTEN = "https://lovdata.no/eli/forskrift/2011/12/16/1250"
KREFTREGISTERFORSKRIFTEN = "https://lovdata.no/eli/forskrift/2001/12/21/1477"
MFR_FORSKRIFTEN = "https://lovdata.no/eli/forskrift/2001/12/21/1483"


def _dataset(slug: str) -> URIRef:
    return URIRef(f"{ID_BASE}dataset/{slug}")


def _slugs(terms: Iterable[object]) -> set[str]:
    prefix = f"{ID_BASE}dataset/"
    found = set()
    for term in terms:
        assert isinstance(term, URIRef), term
        assert str(term).startswith(prefix), term
        found.add(str(term).removeprefix(prefix))
    return found


def _select(store: Store, name: str, **params: str) -> SelectResult:
    answer = REGISTRY.run(store, name, params)
    assert isinstance(answer, SelectResult)
    return answer


def _column_slugs(store: Store, name: str, column: str = "dataset", **params: str) -> set[str]:
    return _slugs(_select(store, name, **params).column(column))


# == 1. the registry and its files ============================================================


def test_the_library_has_the_queries_the_brief_asks_for() -> None:
    assert REGISTRY.names() == NAMES
    assert len(NAMES) >= 10
    for required in (
        "consent-free-by-organisation",
        "parts-of-source",
        "sources-by-legal-basis",
        "sources-by-controller",
        "sources-by-processor",
        "processor-differs-from-controller",
        "sources-by-identifiability",
        "sources-by-time-coverage",
    ):
        assert required in REGISTRY


@pytest.mark.parametrize("path", QUERY_FILES, ids=NAMES)
def test_every_query_parses(path: Path) -> None:
    query = REGISTRY.get(path.stem)
    # Parsed with no pre-declared prefixes: a malformed query, or one that relies on the
    # store's prefixes instead of its own PREFIX lines, raises SyntaxError.
    ox.Store().query(query.text)
    # ... and still parses with every parameter bound to its example value.
    examples = {p.name: p.coerce(p.example or "") for p in query.parameters}
    ox.Store().query(bind(query.text, examples))


@pytest.mark.parametrize("path", QUERY_FILES, ids=NAMES)
def test_every_header_is_complete(path: Path) -> None:
    query = REGISTRY.get(path.stem)
    assert query.title
    assert query.title[0].isupper()
    assert len(query.description) > 40
    assert query.form in (QueryForm.SELECT, QueryForm.ASK, QueryForm.CONSTRUCT)
    text = path.read_text(encoding="utf-8")
    for parameter in query.parameters:
        assert parameter.description, parameter.name
        assert parameter.example, parameter.name
        assert not (parameter.required and parameter.default is not None)
    if query.form is QueryForm.SELECT:
        assert "ORDER BY" in text, f"{path.name} has no deterministic order"


@pytest.mark.parametrize(
    "name", ["nope", "../etc/passwd", "..", "queries/x", "Consent-Free", "", "a b", "x.rq"]
)
def test_unknown_or_malformed_names_are_refused(name: str) -> None:
    with pytest.raises(UnknownQueryError):
        REGISTRY.get(name)
    with pytest.raises(UnknownQueryError):
        REGISTRY.bind(name, {})


def test_unknown_parameters_are_refused() -> None:
    with pytest.raises(ParameterError, match="no parameter 'organization'"):
        REGISTRY.bind("sources-by-controller", {"organization": "helse-bergen"})


def test_missing_required_parameters_are_refused() -> None:
    with pytest.raises(ParameterError, match="needs organisation"):
        REGISTRY.bind("consent-free-by-organisation", {"role": "controller"})
    with pytest.raises(ParameterError, match="needs organisation"):
        REGISTRY.bind("consent-free-by-organisation", {"organisation": "  "})


@pytest.mark.parametrize(
    "value",
    ["http://x> }", "http://x/ y", 'http://x/"', "not an iri", "Helse Bergen", "<http://x>>"],
)
def test_bad_iris_are_refused(value: str) -> None:
    with pytest.raises(ParameterError, match="organisation: expected an absolute IRI"):
        REGISTRY.bind("sources-by-controller", {"organisation": value})
    with pytest.raises(ParameterError, match="act: expected an absolute IRI"):
        REGISTRY.bind("sources-by-legal-basis", {"act": value})


def test_iris_slugs_and_prefixed_names_become_iris() -> None:
    expected = URIRef(f"{ID_BASE}organisation/helse-bergen")
    for value in ("helse-bergen", str(expected), f"<{expected}>", " helse-bergen "):
        bound = REGISTRY.bind("sources-by-controller", {"organisation": value})
        assert bound == {"organisation": expected}
    assert REGISTRY.bind("parts-of-source", {"whole": "hkr"})["whole"] == _dataset("hkr")
    assert REGISTRY.bind("is-listed", {"source": "hgid:dataset/msis"}) == {
        "source": _dataset("msis")
    }
    # a plain iri parameter takes no slug: there is no namespace to put it in
    with pytest.raises(ParameterError):
        REGISTRY.bind("sources-by-legal-basis", {"act": "helseregisterloven"})


def test_enums_map_choices_to_terms_and_refuse_others() -> None:
    bound = REGISTRY.bind(
        "consent-free-by-organisation", {"organisation": "fhi", "role": "Processor"}
    )
    assert bound["role"] == DPV.hasDataProcessor
    defaults = REGISTRY.bind("consent-free-by-organisation", {"organisation": "fhi"})
    assert defaults["role"] == HG.anyRole
    assert defaults["opt_out"] == Literal(True)
    with pytest.raises(ParameterError, match="expected one of controller, processor, either"):
        REGISTRY.bind("consent-free-by-organisation", {"organisation": "fhi", "role": "owner"})
    level = REGISTRY.bind("sources-by-identifiability", {"level": "de-identified"})
    assert level == {"level": HG.DeIdentified}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("FALSE", False), ("yes", True), ("0", False), (" 1 ", True)],
)
def test_booleans(raw: str, expected: bool) -> None:
    bound = REGISTRY.bind("parts-of-source", {"whole": "hkr", "transitive": raw})
    assert bound["transitive"] == Literal(expected)
    assert bound["transitive"].datatype == ns.XSD.boolean


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_bad_booleans_are_refused(raw: str) -> None:
    with pytest.raises(ParameterError, match="transitive: expected true or false"):
        REGISTRY.bind("parts-of-source", {"whole": "hkr", "transitive": raw})


def test_years_are_gyears() -> None:
    bound = REGISTRY.bind("sources-by-time-coverage", {"year": "1967", "ends_after": "2010"})
    assert bound == {
        "year": Literal("1967", datatype=ns.XSD.gYear),
        "ends_after": Literal("2010", datatype=ns.XSD.gYear),
    }
    for bad in ("67", "1967-01-01", "nineteen", "1967; DROP"):
        with pytest.raises(ParameterError, match="year: expected a year"):
            REGISTRY.bind("sources-by-time-coverage", {"year": bad})


def test_empty_optional_parameters_stay_unbound() -> None:
    assert REGISTRY.bind("sources-by-time-coverage", {"year": "", "starts_before": " "}) == {}
    assert REGISTRY.bind("sources-by-identifiability", {}) == {}


def test_strings_are_literals_whatever_they_contain() -> None:
    hostile = '" } ; DROP ALL #'
    bound = REGISTRY.bind("search-by-title", {"text": hostile})
    assert bound == {"text": Literal(hostile)}
    with pytest.raises(ParameterError, match="longer than"):
        REGISTRY.bind("search-by-title", {"text": "x" * 1001})


# -- every type, on queries written for the test -------------------------------------------------

TYPED = """# title: Every type
# description: A query written for the test, with a parameter of each type.
# param: n integer default=3
#   A number.
#   example: -12
# param: label string@nb optional
#   A Norwegian label.
#   example: Helse Bergen HF
# param: org iri(organisation) optional
#   An organisation.
#   example: fhi
# param: kind enum(register=hg:MedicalQualityRegister|survey=<https://example.org/survey>) optional
#   A kind.
#   example: survey
PREFIX hg: <https://w3id.org/helsegraf/ontology#>
SELECT ?n ?label ?org ?kind WHERE { }
ORDER BY ?n
"""


def test_integers_and_language_strings() -> None:
    query = parse_query("every-type", TYPED)
    assert query.bind({}) == {"n": Literal(3, datatype=ns.XSD.integer)}
    bound = query.bind({"n": "-12", "label": "Helse Bergen HF", "kind": "survey"})
    assert bound["n"] == Literal(-12, datatype=ns.XSD.integer)
    assert bound["label"] == Literal("Helse Bergen HF", lang="nb")
    assert bound["kind"] == URIRef("https://example.org/survey")
    for bad in ("1.5", "12abc", "", "1e3", "9" * 40):
        if bad == "":
            assert query.bind({"n": bad})["n"] == Literal(3, datatype=ns.XSD.integer)
            continue
        with pytest.raises(ParameterError, match="n: expected an integer"):
            query.bind({"n": bad})


def test_a_typed_query_runs_with_its_values_as_terms() -> None:
    query = parse_query("every-type", TYPED)
    registry = QueryRegistry([query])
    answer = registry.run(OxigraphStore(None), "every-type", {"org": "fhi", "label": "Å"})
    assert isinstance(answer, SelectResult)
    assert answer.rows == [
        {
            "n": Literal(3, datatype=ns.XSD.integer),
            "label": Literal("Å", lang="nb"),
            "org": URIRef(f"{ID_BASE}organisation/fhi"),
        }
    ]
    assert query.text == TYPED  # binding never rewrites the stored text


def _header_with(param: str, body: str = "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x") -> str:
    return (
        "# title: Broken\n# description: A query whose header is wrong on purpose.\n"
        f"{param}PREFIX hg: <https://w3id.org/helsegraf/ontology#>\n{body}\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "needs a title and a description"),
        ("# title: T\nSELECT ?x WHERE { ?x ?p ?o }", "needs a title and a description"),
        (_header_with("# author: me\n"), "unknown header field"),
        (_header_with("# param: x float optional\n#   X.\n#   example: 1\n"), "unknown parameter"),
        (_header_with("# param: y iri optional\n#   Y.\n#   example: http://a/\n"), "not used"),
        (_header_with("# param: x iri optional\n#   X.\n"), "has no example"),
        (_header_with("# param: x iri optional\n#   example: http://a/\n"), "no description"),
        (_header_with("# param: x integer optional\n#   X.\n#   example: ten\n"), "integer"),
        (_header_with("# param: x integer default=ten\n#   X.\n#   example: 1\n"), "integer"),
        (_header_with("# param: x enum(a=zz:b) optional\n#   X.\n#   example: a\n"), "enum"),
        (_header_with("# param: x iri\n#   X.\n#   example: http://a/\n"), "parameter line"),
        (_header_with("# param: X iri optional\n#   X.\n#   example: http://a/\n"), "name"),
        (
            _header_with(
                "# param: x iri optional\n#   X.\n#   example: http://a/\n", "ASK {?x ?p ?o}"
            ),
            "explicit 'WHERE",
        ),
        (_header_with("", "DESCRIBE <http://a/>"), "SELECT, ASK or CONSTRUCT"),
    ],
)
def test_broken_headers_are_refused_when_loading(text: str, message: str) -> None:
    with pytest.raises(QueryFileError, match=message):
        parse_query("broken", text)


def test_load_registry_reads_a_directory_and_refuses_bad_file_names(tmp_path: Path) -> None:
    (tmp_path / "fine-query.rq").write_text(_header_with(""), encoding="utf-8")
    registry = load_registry(tmp_path)
    assert registry.names() == ["fine-query"]
    assert isinstance(registry.get("fine-query"), NamedQuery)
    (tmp_path / "Bad_Name.rq").write_text(_header_with(""), encoding="utf-8")
    with pytest.raises(QueryFileError, match="query names"):
        load_registry(tmp_path)


# == 2. the queries' logic on a small hand-made graph ==========================================

TINY = """
@prefix hg: <https://w3id.org/helsegraf/ontology#> .
@prefix ds: <https://w3id.org/helsegraf/id/dataset/> .
@prefix org: <https://w3id.org/helsegraf/id/organisation/> .
@prefix law: <https://w3id.org/helsegraf/id/provision/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ds:a a dcat:Dataset ; dct:title "A"@nb ; hg:listingPosition 1 ;
    hg:consentRegime hg:ConsentNotRequired ;
    dpv:hasDataController org:o ; dpv:hasDataProcessor org:o ;
    dpv:hasLegalBasis law:lov-11-c ;
    dct:temporal <https://w3id.org/helsegraf/id/dataset/a#temporal> .
<https://w3id.org/helsegraf/id/dataset/a#temporal> dcat:startDate "1967"^^xsd:gYear .
ds:b a dcat:Dataset ; dct:title "B"@nb ; hg:listingPosition 2 ;
    hg:consentRegime hg:OptOut ;
    dpv:hasDataController org:o ; dpv:hasDataProcessor org:p ;
    dpv:hasLegalBasis <https://example.org/lov> ;
    dct:temporal <https://w3id.org/helsegraf/id/dataset/b#temporal> .
<https://w3id.org/helsegraf/id/dataset/b#temporal>
    dcat:startDate "1990"^^xsd:gYear ; dcat:endDate "1999"^^xsd:gYear .
ds:c a dcat:Dataset ; dct:title "C"@nb ; hg:listingPosition 3 ;
    hg:consentRegime hg:ConsentNotRequired ;
    dpv:hasDataController org:p ; dpv:hasDataProcessor org:o ;
    dpv:hasLegalBasis law:lov-7 .
ds:d a dcat:Dataset ; dct:title "D"@nb ; hg:listingPosition 4 ;
    hg:consentRegime hg:ConsentRequired ;
    dpv:hasDataController org:o .
ds:w a dcat:Dataset ; dct:title "W"@nb ;
    dct:hasPart ds:b , ds:c .
ds:c dct:hasPart ds:d .
law:lov-11-c eli:is_part_of <https://example.org/lov> ;
    hg:sectionNumber "11" ; hg:sectionLetter "c" .
law:lov-7 eli:is_part_of <https://example.org/lov> ; hg:sectionNumber "7" .
"""


@pytest.fixture(scope="module")
def tiny() -> OxigraphStore:
    store = OxigraphStore(None)
    store.replace_graphs({URIRef("https://example.org/g"): Graph().parse(data=TINY, format="ttl")})
    return store


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "o"}, {"a", "b", "c"}),
        ({"organisation": "o", "role": "either"}, {"a", "b", "c"}),
        ({"organisation": "o", "role": "controller"}, {"a", "b"}),
        ({"organisation": "o", "role": "processor"}, {"a", "c"}),
        ({"organisation": "o", "opt_out": "false"}, {"a", "c"}),
        ({"organisation": "p", "role": "controller"}, {"c"}),
        ({"organisation": "nobody"}, set()),
    ],
)
def test_consent_free_roles_and_opt_out(
    tiny: OxigraphStore, params: dict[str, str], expected: set[str]
) -> None:
    result = _select(tiny, "consent-free-by-organisation", **params)
    assert _slugs(result.column("dataset")) == expected
    assert len(result.rows) == len(expected)  # one row per source and organisation


def test_consent_free_reports_the_regime_and_roles(tiny: OxigraphStore) -> None:
    rows = _select(tiny, "consent-free-by-organisation", organisation="o").rows
    by_slug = {str(row["dataset"]).rsplit("/", 1)[1]: row for row in rows}
    assert (by_slug["a"]["isController"], by_slug["a"]["isProcessor"]) == (TRUE, TRUE)
    assert by_slug["b"]["regime"] == HG.OptOut
    assert (by_slug["c"]["isController"], by_slug["c"]["isProcessor"]) == (FALSE, TRUE)


def test_legal_basis_with_and_without_section(tiny: OxigraphStore) -> None:
    def slugs(**params: str) -> set[str]:
        return _column_slugs(
            tiny, "sources-by-legal-basis", act="https://example.org/lov", **params
        )

    assert slugs() == {"a", "b", "c"}  # whole act and sections alike
    assert slugs(section="11") == {"a"}
    assert slugs(section="11", letter="C") == {"a"}
    assert slugs(section="11", letter="d") == set()
    assert slugs(section="7") == {"c"}


def test_parts_direct_and_transitive(tiny: OxigraphStore) -> None:
    result = _select(tiny, "parts-of-source", whole="w")
    depth = {str(r["part"]).rsplit("/", 1)[1]: int(r["depth"]) for r in result.rows}
    assert depth == {"b": 1, "c": 1, "d": 2}
    assert _column_slugs(tiny, "parts-of-source", "part", whole="w", transitive="false") == {
        "b",
        "c",
    }


def test_time_coverage_logic(tiny: OxigraphStore) -> None:
    def slugs(**params: str) -> set[str]:
        return _column_slugs(tiny, "sources-by-time-coverage", **params)

    assert slugs() == {"a", "b"}
    assert slugs(year="1967") == {"a"}
    assert slugs(year="1995") == {"a", "b"}
    assert slugs(year="2005") == {"a"}  # b ended in 1999; a is ongoing
    assert slugs(year="1950") == set()
    assert slugs(starts_before="1990") == {"a"}
    assert slugs(ends_after="1999") == {"a"}
    assert slugs(ends_after="1998", starts_before="1991") == {"a", "b"}


def test_processor_differs_on_the_tiny_graph(tiny: OxigraphStore) -> None:
    assert _column_slugs(tiny, "processor-differs-from-controller") == {"b", "c"}


@pytest.mark.parametrize("hostile", ['" } ; DROP ALL #', 'A" ) } } DELETE WHERE { ?s ?p ?o } #'])
def test_a_hostile_string_is_matched_literally(tiny: OxigraphStore, hostile: str) -> None:
    before = len(list(tiny.quads()))
    result = _select(tiny, "search-by-title", text=hostile)
    assert result.rows == []
    assert len(list(tiny.quads())) == before
    assert _column_slugs(tiny, "search-by-title", text="a") == {"a"}


# == 3. expected answers on the real graph ====================================================
#
# Read from the listing. Helse Bergen HF is named data controller (databehandlingsansvarlig)
# and processor of 16 sources and processor only of NORIC (line 2005). Of those, only ABLA NOR
# says its register needs no consent (line 957); Norsk intensivregister is run on a right to
# opt out (reservasjonsrett, line 1544); every other one requires consent; NORIC does not say.

HB = "helse-bergen-hf"
KREFTREGISTERET_PARTS = {
    "nasjonalt-kvalitetsregister-for-barnekreft",
    "nasjonalt-kvalitetsregister-for-brystkreft",
    "nasjonalt-kvalitetsregister-for-gynekologisk-kreft",
    "nasjonalt-kvalitetsregister-for-kreft-i-spiseror-og-magesekk",
    "nasjonalt-kvalitetsregister-for-lungekreft",
    "nasjonalt-kvalitetsregister-for-lymfoide-maligniteter",
    "nasjonalt-kvalitetsregister-for-melanom",
    "nasjonalt-kvalitetsregister-for-prostatakreft",
    "nasjonalt-kvalitetsregister-for-tykk-og-endetarmskreft",
}
# "en del av" HKR: lines 1254, 1276, 1330, 1414, 1560, 1859; "tilknyttet" 2005; ABLA NOR
# "inngår i" the central cardiovascular register, 949. The cardiac arrest register (1359) is
# regulated by the HKR regulation but the listing does not call it a part.
HKR_PARTS = {
    "norsk-hjerneslagregister",
    "norsk-hjerteinfarktregister",
    "norsk-hjertekirurgiregister",
    "nhsr",
    "norkar",
    "norsk-pacemaker-og-icd-register",
    "noric",
    "abla-nor",
}
HB_CONTROLS = {
    "nasjonalt-barnehofteregister",
    "nasjonalt-hoftebruddregister",
    "nasjonalt-korsbandregister",
    "smertereg",
    "abla-nor",
    "nasjonalt-register-for-kronisk-obstruktiv-lungesykdom",
    "nasjonalt-register-for-langtids-mekanisk-ventilasjon",
    "nasjonalt-register-for-leddproteser",
    "roas",
    "norsk-diabetesregister-for-voksne",
    "nir",
    "norartritt",
    "soreg-n",
    "lkg-registeret",
    "norsk-ms-register-og-biobank",
    "norsk-porfyriregister",
}
# helseregisterloven § 7 as legal basis ("hjemlet i" or "regulert av"), 25 sources.
SECTION_7 = {
    "bdr",
    "nasjonalt-barnehofteregister",
    "nasjonalt-hoftebruddregister",
    "nasjonalt-korsbandregister",
    "nkr",
    "smertereg",
    "nasjonalt-register-for-kronisk-obstruktiv-lungesykdom",
    "nasjonalt-register-for-langtids-mekanisk-ventilasjon",
    "nasjonalt-register-for-leddproteser",
    "roas",
    "hisreg",
    "norsk-diabetesregister-for-voksne",
    "norsk-gynekologisk-endoskopiregister",
    "norartritt",
    "norspis",
    "soreg-n",
    "lkg-registeret",
    "norsk-ms-register-og-biobank",
    "nnrr",
    "norsk-porfyriregister",
    "nra",
    "norsk-register-for-arvelige-og-medfodte-nevromuskulaere-sykdommer",
    "norgast",
    "norsk-tonsilleregister",
    "norvas",
}
SECTION_8 = KREFTREGISTERET_PARTS | {"norsk-hjertekirurgiregister"}
# § 11 with or without a letter. Reseptregisteret's text names § 11 (line 2209) only for the
# registers it can be linked with: not its own basis (§ 9 b, line 2165).
SECTION_11 = {"forsvarets-helseregister", "mfr", "msis", "sysvak", "hkr", "npr"}
SECTION_9 = {"iplos", "nois", "norm", "abortregisteret", "ravn", "reseptregisteret"}
# the whole act, no section: lines 1278 (hjerteinfarkt), 1560 (NORKAR), 2064 (ryggmargsskade)
WHOLE_HELSEREGISTERLOVEN = {
    "norsk-hjerteinfarktregister",
    "norkar",
    "norsk-ryggmargsskaderegister",
}
PROCESSOR_NOT_CONTROLLER = {
    "forsvarets-helseregister",  # Forsvarsdepartementet / Forsvarets sanitet
    "norsk-hjerneslagregister",  # FHI / St. Olavs hospital
    "norsk-hjerteinfarktregister",  # FHI / St. Olavs hospital
    "norsk-hjertekirurgiregister",  # FHI / OUS
    "norsk-hjertestansregister",  # FHI / OUS
    "nhsr",  # FHI / St. Olavs hospital
    "norkar",  # FHI / St. Olavs hospital
    "nnk",  # FHI / OUS
    "norm",  # FHI / UNN
    "norsk-pacemaker-og-icd-register",  # FHI / OUS
    "noric",  # FHI / Helse Bergen
}
LICENSED = {
    "nasjonalt-hoftebruddregister",
    "nkr",
    "ntr",
    "hisreg",
    "gastronet",
    "norartritt",
    "norspis",
    "lkg-registeret",
    "norsk-ms-register-og-biobank",
    "nnrr",
    "nnr",
    "norsk-porfyriregister",
    "nra",
    "norsk-register-for-arvelige-og-medfodte-nevromuskulaere-sykdommer",
    "norgast",
    "norkog",
    "norvas",
}
DISPENSED = {
    "nasjonalt-hoftebruddregister",
    "gastronet",
    "norartritt",
    "lkg-registeret",
    "norsk-ms-register-og-biobank",
    "norsk-porfyriregister",
}
VIA_HELSEDATA = KREFTREGISTERET_PARTS | {
    "40-aringsundersokelsene",
    "fastlegeregisteret",
    "fylkeshelseundersokelsene-oppfolgingsundersokelse-2006-2008",
    "fylkesundersokelsene-i-finnmark-sogn-og-fjordane-og-oppland-1974-1988",
    "iplos",
    "innvandrer-hubro",
    "mfr",
    "msis",
    "moba",
    "moro",
    "hkr",
    "nasjonalt-tvillingregister",
    "sysvak",
    "norsk-hjerneslagregister",
    "norsk-hjerteinfarktregister",
    "norsk-hjertekirurgiregister",
    "norsk-hjertestansregister",
    "nhsr",
    "norkar",
    "nnk",
    "nois",
    "npr",
    "noric",
    "abortregisteret",
    "reseptregisteret",
    "ravn",
    "skjermbildeundersokelsene",
    "ungdomsundersokelsene",
}
EMAILS = {
    "bdr": {"barnediabetes@ous-hf.no"},
    "cprn": {"cprnregister@siv.no"},
    "iplos": {"helseregistre@helsedir.no"},
    "msis": {"msis.data@fhi.no"},
    "ntr": {"olav.roise@medisin.uio.no"},
    "nasjonalt-tvillingregister": {"tvilling@fhi.no"},
    "gastronet": {"hhge@sthf.no"},
    "norsk-gynekologisk-endoskopiregister": {"nger@siv.no"},
    "nkir": {"runsve@ous.no"},
    "nnr": {"anders.asberg@ous-hf.no"},
    "npr": {"helseregistre@helsedir.no"},
    "norkog": {"post@aldringoghelse.no"},
}


@pytest.mark.parametrize(
    ("role", "opt_out", "expected"),
    [
        ("controller", "true", {"abla-nor", "nir"}),
        ("controller", "false", {"abla-nor"}),
        ("processor", "true", {"abla-nor", "nir"}),
        ("either", "true", {"abla-nor", "nir"}),
    ],
)
def test_consent_free_sources_run_by_helse_bergen(
    store: Store, role: str, opt_out: str, expected: set[str]
) -> None:
    result = _select(
        store, "consent-free-by-organisation", organisation=HB, role=role, opt_out=opt_out
    )
    assert _slugs(result.column("dataset")) == expected
    regimes = {_slugs([r["dataset"]]).pop(): r["regime"] for r in result.rows}
    assert regimes.get("abla-nor") == HG.ConsentNotRequired
    if "nir" in expected:
        assert regimes["nir"] == HG.OptOut
    assert all(isinstance(r.get("title"), Literal) for r in result.rows)


def test_consent_free_sources_controlled_by_ous(store: Store) -> None:
    # BDR (line 64), NTR (1072), NKIR (1678): no consent, OUS controller.
    slugs = _column_slugs(
        store,
        "consent-free-by-organisation",
        organisation="oslo-universitetssykehus-hf",
        role="controller",
    )
    assert slugs == {"bdr", "ntr", "nkir"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # FHI controls every consent-free HKR part it is named for and NNK, and also
        # processes SYSVAK (lines 1130, 1250-1280, 1416, 1562, 1753, 1861)
        (
            "controller",
            {
                "sysvak",
                "norsk-hjerneslagregister",
                "norsk-hjerteinfarktregister",
                "nhsr",
                "norkar",
                "norsk-pacemaker-og-icd-register",
                "nnk",
            },
        ),
        ("processor", {"sysvak"}),
    ],
)
def test_consent_free_sources_of_fhi_by_role(store: Store, role: str, expected: set[str]) -> None:
    slugs = _column_slugs(
        store, "consent-free-by-organisation", organisation="folkehelseinstituttet", role=role
    )
    assert slugs == expected


def test_sources_controlled_by_helse_bergen(store: Store) -> None:
    assert _column_slugs(store, "sources-by-controller", organisation=HB) == HB_CONTROLS


def test_sources_processed_by_helse_bergen(store: Store) -> None:
    assert _column_slugs(store, "sources-by-processor", organisation=HB) == HB_CONTROLS | {"noric"}


def test_sources_processed_by_st_olavs_hospital(store: Store) -> None:
    assert _column_slugs(store, "sources-by-processor", organisation="st-olavs-hospital-hf") == {
        "norsk-hjerneslagregister",
        "norsk-hjerteinfarktregister",
        "nhsr",
        "norkar",
        "norsk-ryggmargsskaderegister",
        "norsk-tonsilleregister",
    }


def test_the_quality_registers_of_the_cancer_registry(store: Store) -> None:
    # Each cancer quality register "er del av basisregisteret til Kreftregisteret" (e.g. line
    # 593): curation (decision cancer-quality-registers) keeps that base register as the one
    # direct part of Kreftregisteret, so the quality registers are parts two steps down.
    direct = _select(store, "parts-of-source", whole="kreftregisteret", transitive="false")
    assert _slugs(direct.column("part")) == {"basisregisteret-til-kreftregisteret"}
    every = _select(store, "parts-of-source", whole="kreftregisteret").rows
    quality = {
        _slugs([r["part"]]).pop(): int(r["depth"])
        for r in every
        if r.get("kind") == HG.MedicalQualityRegister
    }
    assert quality == dict.fromkeys(KREFTREGISTERET_PARTS, 2)
    assert _slugs(r["part"] for r in every) == KREFTREGISTERET_PARTS | {
        "basisregisteret-til-kreftregisteret"
    }


def test_the_parts_of_the_cardiovascular_register(store: Store) -> None:
    # HKR_PARTS, plus its base register (line 1034) and the cardiac arrest register, which
    # curation adds (decision hkr-parts).
    result = _select(store, "parts-of-source", whole="hkr")
    assert _slugs(result.column("part")) == HKR_PARTS | {
        "basisregisteret-til-hjerte-og-karregisteret",
        "norsk-hjertestansregister",
    }
    assert {int(d) for d in result.column("depth")} == {1}


def test_the_parts_of_nipar_and_mfr(store: Store) -> None:
    # NIPaR has an intensive care part and a pandemic part (lines 1458, 1478); MFR's attached
    # neonatal register (381, curation decision nnk).
    assert _column_slugs(store, "parts-of-source", "part", whole="nipar") == {
        "nir",
        "norsk-pandemiregister",
    }
    assert _column_slugs(store, "parts-of-source", "part", whole="mfr") == {"nnk"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"section": "7"}, SECTION_7),
        ({"section": "8"}, SECTION_8),
        ({"section": "9"}, SECTION_9),
        ({"section": "11"}, SECTION_11),
        ({"section": "11", "letter": "c"}, {"mfr"}),
        ({"section": "11", "letter": "d"}, {"msis"}),
        ({"section": "11", "letter": "e"}, {"sysvak"}),
        ({"section": "11", "letter": "h"}, {"hkr"}),
        ({"section": "12"}, {"norsk-helsearkiv"}),
        ({"section": "21"}, {"norsk-hjerneslagregister"}),
    ],
)
def test_sources_by_section_of_helseregisterloven(
    store: Store, params: dict[str, str], expected: set[str]
) -> None:
    slugs = _column_slugs(store, "sources-by-legal-basis", act=HELSEREGISTERLOVEN, **params)
    assert slugs == expected


def test_sources_founded_on_helseregisterloven(store: Store) -> None:
    slugs = _column_slugs(store, "sources-by-legal-basis", act=HELSEREGISTERLOVEN)
    assert slugs == (
        SECTION_7
        | SECTION_8
        | SECTION_9
        | SECTION_11
        | WHOLE_HELSEREGISTERLOVEN
        | {"norsk-helsearkiv", "norsk-hjerneslagregister"}
    )


def test_sources_founded_on_helsepersonelloven(store: Store) -> None:
    # § 39 for the cardiac arrest register (line 1367); the whole act for NORKAR (1560)
    slugs = _column_slugs(store, "sources-by-legal-basis", act=HELSEPERSONELLOVEN)
    assert slugs == {"norsk-hjertestansregister", "norkar"}
    assert _column_slugs(store, "sources-by-legal-basis", act=HELSEPERSONELLOVEN, section="39") == {
        "norsk-hjertestansregister"
    }


def test_sources_whose_processor_is_not_their_controller(store: Store) -> None:
    assert _column_slugs(store, "processor-differs-from-controller") == PROCESSOR_NOT_CONTROLLER


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        # NNK collects person-identifying data (line 1753; curation decision nnk)
        ("directly-identifying", {"mfr", "msis", "sysvak", "hkr", "nnk"}),
        ("anonymous", {"msis"}),
        ("de-identified", {"nois", "norm", "abortregisteret", "ravn"}),
        ("pseudonymous", {"reseptregisteret", "iplos"}),
    ],
)
def test_sources_by_identifiability(store: Store, level: str, expected: set[str]) -> None:
    assert _column_slugs(store, "sources-by-identifiability", level=level) == expected


def test_identifiability_without_a_level_lists_every_stated_level(store: Store) -> None:
    rows = _select(store, "sources-by-identifiability").rows
    pairs = {(_slugs([r["dataset"]]).pop(), r["level"]) for r in rows}
    assert len(rows) == len(pairs) == 12  # 5 + 1 + 4 + 2, MSIS twice
    assert ("msis", HG.Anonymous) in pairs
    assert ("msis", HG.DirectlyIdentifying) in pairs


# Coverage read from the listing: SSB population data from 1964 (76), censuses from 1960 (167),
# education from 1970 (2343), MFR from 1967 (377), MSIS from 1977 (420), the county surveys
# 1974-1988 (231), abortions from 1979 (2110), mass radiography 1943-1999 (2261).
COVERS_1980 = {
    "ssb-befolkning",
    "folke-og-boligtellinger",
    "ssb-utdanning",
    "mfr",
    "msis",
    "fylkesundersokelsene-i-finnmark-sogn-og-fjordane-og-oppland-1974-1988",
    "abortregisteret",
    "skjermbildeundersokelsene",
}


def test_sources_covering_1980(store: Store) -> None:
    assert _column_slugs(store, "sources-by-time-coverage", year="1980") == COVERS_1980


def test_sources_starting_before_1970(store: Store) -> None:
    assert _column_slugs(store, "sources-by-time-coverage", starts_before="1970") == {
        "ssb-befolkning",
        "folke-og-boligtellinger",
        "mfr",
        "skjermbildeundersokelsene",
    }


def test_sources_still_covering_years_after_2000(store: Store) -> None:
    # ends_after 2000 keeps the open-ended; the ended ones must have ended after 2000
    ended = {
        str(r["dataset"]).rsplit("/", 1)[1]
        for r in _select(store, "sources-by-time-coverage", ends_after="2000").rows
        if "end" in r
    }
    # MoBa's 1999-2008 is its recruitment period; only its start is recorded (moba-temporal)
    assert ended >= {
        "iplos",
        "fylkeshelseundersokelsene-oppfolgingsundersokelse-2006-2008",
        "innvandrer-hubro",
    }
    assert "skjermbildeundersokelsene" not in ended


def test_the_legal_profile_of_msis(store: Store) -> None:
    rows = _select(store, "source-legal-profile", source="msis").rows
    facts = {(str(r["property"]), r["value"]) for r in rows}
    assert (
        str(DPV.hasDataController),
        URIRef(f"{ID_BASE}organisation/folkehelseinstituttet"),
    ) in facts
    assert (
        str(DPV.hasDataProcessor),
        URIRef(f"{ID_BASE}organisation/folkehelseinstituttet"),
    ) in facts
    assert (str(DPV.hasLegalBasis), URIRef(f"{ID_BASE}provision/helseregisterloven-11-d")) in facts
    assert (str(HG.regulatedBy), URIRef("https://lovdata.no/eli/forskrift/2003/06/20/740")) in facts
    assert (str(HG.identifiability), HG.DirectlyIdentifying) in facts
    assert (str(HG.identifiability), HG.Anonymous) in facts
    labels = {str(r["valueLabel"]) for r in rows}
    assert "helseregisterloven § 11 d" in labels
    assert all(isinstance(r["aspect"], Literal) for r in rows)


def test_the_legal_profile_of_forsvarets_helseregister(store: Store) -> None:
    rows = _select(store, "source-legal-profile", source="forsvarets-helseregister").rows
    by_property: dict[str, set[str]] = {}
    for r in rows:
        by_property.setdefault(str(r["property"]), set()).add(str(r["valueLabel"]))
    assert by_property[str(DPV.hasLegalBasis)] == {"helseregisterloven § 11"}
    assert len(by_property[str(DPV.hasDataController)]) == 1
    assert len(by_property[str(DPV.hasDataProcessor)]) == 1
    assert by_property[str(DPV.hasDataController)] != by_property[str(DPV.hasDataProcessor)]
    assert set(
        _select(store, "source-legal-profile", source="forsvarets-helseregister").column("value")
    ) >= {URIRef("https://lovdata.no/eli/forskrift/2005/09/02/1010")}


def test_sources_with_a_licence_or_dispensation(store: Store) -> None:
    result = _select(store, "sources-with-licence")
    licensed = _slugs(r["dataset"] for r in result.rows if "licensedBy" in r)
    dispensed = _slugs(r["dataset"] for r in result.rows if "dispensationBy" in r)
    assert licensed == LICENSED
    assert dispensed == DISPENSED
    assert set(result.column("licensedBy")) == {URIRef(f"{ID_BASE}organisation/datatilsynet")}
    assert set(result.column("dispensationBy")) == {
        URIRef(f"{ID_BASE}organisation/helsedirektoratet")
    }


def test_counts_by_kind(store: Store) -> None:
    rows = _select(store, "count-by-kind").rows
    counts = {r["kind"]: int(r["sources"]) for r in rows}
    assert sum(counts.values()) == 83
    # SSB's seven collections (70, 76, 92, 165, 323, 366, 2343) and the nine surveys FHI runs
    # 13 central registers: the six founded on section 11 or its letters, the six on section 9,
    # and the health archive (section 12); Fastlegeregisteret is the administrative one
    assert counts == {
        HG.MedicalQualityRegister: 53,
        HG.CentralHealthRegister: 13,
        HG.PopulationHealthSurvey: 9,
        HG.StatisticalDataCollection: 7,
        HG.AdministrativeRegister: 1,
    }


def test_counts_by_consent_regime(store: Store) -> None:
    rows = _select(store, "count-by-consent-regime").rows
    counts = {str(r["regimeLabel"]): int(r["sources"]) for r in rows}
    # 31 entries say consent is required; 19 say it is not, plus SYSVAK (line 1118) and NNK
    # (1753, until the child is one year old); NIR alone has a right to opt out; MoBa (468) and
    # the twin register (1090) enrol volunteers; the other 28 do not say.
    assert counts == {
        "Consent required": 31,
        "Consent not required": 21,
        "Opt-out": 1,
        "Voluntary participation": 2,
        "not stated": 28,
    }
    # among quality registers: the "no consent" ones less SYSVAK and the health archive; NIPaR
    # and NORIC do not say
    quality = _select(store, "count-by-consent-regime", kind="quality-register").rows
    assert {str(r["regimeLabel"]): int(r["sources"]) for r in quality} == {
        "Consent required": 31,
        "Consent not required": 19,
        "Opt-out": 1,
        "not stated": 2,
    }


# "uten krav om samtykke" (lines 64, 616-945 for the nine cancer registers, 957, 1072, 1242,
# 1250, 1278, 1414, 1560, 1678, 1859), SYSVAK "uten samtykke" (1118), NNK (1753).
CONSENT_NOT_REQUIRED = KREFTREGISTERET_PARTS | {
    "bdr",
    "abla-nor",
    "ntr",
    "norsk-helsearkiv",
    "norsk-hjerneslagregister",
    "norsk-hjerteinfarktregister",
    "nhsr",
    "norkar",
    "nkir",
    "norsk-pacemaker-og-icd-register",
    "sysvak",
    "nnk",
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"regime": "not-required"}, CONSENT_NOT_REQUIRED),
        ({"regime": "not-required", "kind": "central-register"}, {"sysvak", "norsk-helsearkiv"}),
        ({"regime": "opt-out"}, {"nir"}),
        ({"regime": "voluntary"}, {"moba", "nasjonalt-tvillingregister"}),
        ({"regime": "required", "kind": "survey"}, set()),
    ],
)
def test_sources_by_consent_regime(
    store: Store, params: dict[str, str], expected: set[str]
) -> None:
    assert _column_slugs(store, "sources-by-consent-regime", **params) == expected


def test_consent_required_sources(store: Store) -> None:
    # 31 entries say "med krav om samtykke"; all are quality registers, Helse Bergen HF's
    # consent-requiring ones among them.
    required = _column_slugs(store, "sources-by-consent-regime", regime="required")
    assert len(required) == 31
    assert required >= HB_CONTROLS - {"abla-nor", "nir"}
    assert required >= {"norsk-hjertekirurgiregister", "norsk-hjertestansregister", "cprn"}
    assert not required & CONSENT_NOT_REQUIRED


def test_sources_taking_applications_through_helsedata(store: Store) -> None:
    slugs = _column_slugs(store, "access-routes", "source", via_helsedata="true")
    assert slugs == VIA_HELSEDATA
    others = _column_slugs(store, "access-routes", "source", via_helsedata="false")
    assert not slugs & others
    assert len(slugs | others) == 83


def test_access_emails(store: Store) -> None:
    rows = _select(store, "access-routes").rows
    emails = {
        _slugs([r["source"]]).pop(): {e.lower() for e in str(r["emails"]).split()}
        for r in rows
        if str(r.get("emails", ""))
    }
    assert emails == EMAILS
    assert _select(store, "access-routes", source="bdr").rows[0]["emails"] == Literal(
        "barnediabetes@ous-hf.no"
    )


def test_relations_of_iplos_and_nnr(store: Store) -> None:
    rows = _select(store, "source-relations", source="iplos").rows
    assert {
        (_slugs([r["subject"]]).pop(), str(r["relation"]), _slugs([r["object"]]).pop())
        for r in rows
    } >= {("iplos", "http://purl.org/dc/terms/isReplacedBy", "kpr")}
    nnr = _select(store, "source-relations", source="nnr").rows
    merged = [r for r in nnr if r["relation"] == HG.mergedFrom]
    assert len(merged) == 2  # Norsk nefrologiregister and Norsk nyrebiopsiregister (line 1775)


def test_follow_ups_and_continuations(store: Store) -> None:
    rows = _select(store, "source-relations").rows
    pairs = {
        (_slugs([r["subject"]]).pop(), r["relation"], _slugs([r["object"]]).pop())
        for r in rows
        if str(r["subject"]).startswith(str(ID))
    }
    assert ("moro", HG.followUpOf, "hubro") in pairs
    assert ("innvandrer-hubro", HG.continuationOf, "hubro") in pairs
    assert (
        "fylkeshelseundersokelsene-oppfolgingsundersokelse-2006-2008",
        HG.followUpOf,
        "fylkesundersokelsene-i-finnmark-sogn-og-fjordane-og-oppland-1974-1988",
    ) in pairs


def test_search_by_title(store: Store) -> None:
    assert _column_slugs(store, "search-by-title", text="HKR") >= {"hkr"}
    found = _column_slugs(store, "search-by-title", text="KREFT")
    assert found >= KREFTREGISTERET_PARTS - {
        "nasjonalt-kvalitetsregister-for-melanom",
        "nasjonalt-kvalitetsregister-for-lymfoide-maligniteter",
    }
    assert found >= {"kreftregisteret", "basisregisteret-til-kreftregisteret"}


def test_a_hostile_string_changes_nothing_on_the_real_graph(store: Store) -> None:
    assert isinstance(store, OxigraphStore)
    before = len(list(store.quads()))
    assert _select(store, "search-by-title", text='" } ; DROP ALL #').rows == []
    assert len(list(store.quads())) == before


def test_is_listed(store: Store) -> None:
    assert REGISTRY.run(store, "is-listed", {"source": "msis"}) is True
    assert REGISTRY.run(store, "is-listed", {"source": "kreftregisteret"}) is False
    assert REGISTRY.run(store, "is-listed", {"source": "no-such-source"}) is False


def test_the_card_of_a_source(store: Store) -> None:
    graph = run(store, "source-card", {"source": "nir"}, registry=REGISTRY)
    assert isinstance(graph, Graph)
    nir = _dataset("nir")
    assert (nir, HG.consentRegime, HG.OptOut) in graph
    assert (nir, DPV.hasDataController, URIRef(f"{ID_BASE}organisation/{HB}")) in graph
    assert (URIRef(f"{ID_BASE}organisation/{HB}"), None, None) in graph  # its name comes along


def test_organisations_overview(store: Store) -> None:
    rows = _select(store, "organisations-overview").rows
    by_iri = {r["organisation"]: r for r in rows}
    hb = by_iri[URIRef(f"{ID_BASE}organisation/{HB}")]
    assert int(hb["controls"]) == len(HB_CONTROLS)
    assert int(hb["processes"]) == len(HB_CONTROLS) + 1
    assert str(hb["orgnr"]) == "983974724"


def test_sources_governed_by_the_cardiovascular_regulation(store: Store) -> None:
    slugs = _column_slugs(store, "sources-by-regulation", regulation=HKR_FORSKRIFTEN)
    assert slugs == HKR_PARTS | {"hkr", "norsk-hjertestansregister"}


def test_sources_governed_by_the_cancer_and_birth_regulations(store: Store) -> None:
    assert (
        _column_slugs(store, "sources-by-regulation", regulation=KREFTREGISTERFORSKRIFTEN)
        >= KREFTREGISTERET_PARTS
    )
    # MFR is regulated by it (381); NNK is founded on it (1753)
    assert _column_slugs(store, "sources-by-regulation", regulation=MFR_FORSKRIFTEN) == {
        "mfr",
        "nnk",
    }


def test_curation_decisions_come_from_the_curation_files(store: Store) -> None:
    """Every decision in data/curation/ is listed, and a source filter keeps only its own."""
    curation = Graph()
    for file in sorted((paths.DATA_DIR / "curation").glob("*.ttl")):
        curation.parse(file, format="turtle")
    expected = {
        (d, s)
        for d in curation.subjects(RDF.type, HG.CurationDecision)
        for s in curation.objects(d, HG.concerns)
    }
    rows = _select(store, "curation-decisions").rows
    assert {(r["decision"], r["source"]) for r in rows} == expected
    assert all(str(r["note"]) for r in rows)
    hkr = URIRef(f"{ID_BASE}dataset/hkr")
    only_hkr = _select(store, "curation-decisions", source="hkr").rows
    assert {r["source"] for r in only_hkr} == {hkr}
    assert {r["decision"] for r in only_hkr} == {d for d, s in expected if s == hkr}
    assert URIRef(f"{ID_BASE}decision/hkr-controller") in {r["decision"] for r in only_hkr}
