"""The MQA-style metadata quality report (helsegraf.quality) on small hand-written graphs.

URL checks go to a real HTTP server on a free loopback port (``http.server`` in a thread).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from helsegraf import quality
from helsegraf.quality import INDICATORS, MAX_POINTS, QualityReport, assess, check_url, rating

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix ex: <https://example.org/> .
"""

DS = URIRef("https://example.org/ds")
DIST = URIRef("https://example.org/ds/csv")
FT = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"

#: A dataset with everything MQA looks at; {base} is the local server's URL.
FULL = (
    PREFIXES
    + """
ex:ds a dcat:Dataset ;
    dct:title "Full dataset"@en, "Fullt datasett"@nb ;
    dcat:keyword "helse"@nb ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/HEAL> ;
    dct:spatial <http://publications.europa.eu/resource/authority/country/NOR> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2001"^^xsd:gYear ] ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/RESTRICTED> ;
    dcat:contactPoint [ a vcard:Kind ; vcard:hasEmail <mailto:post@example.org> ] ;
    dct:publisher ex:fhi ;
    dct:issued "2020-01-01"^^xsd:date ;
    dct:modified "2024-06-01"^^xsd:date ;
    dcat:distribution ex:ds\\/csv .

ex:ds\\/csv a dcat:Distribution ;
    dcat:accessURL <{base}/ok> ;
    dcat:downloadURL <{base}/data.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
    dct:rights [ a dct:RightsStatement ] ;
    dcat:byteSize "1024"^^xsd:nonNegativeInteger .
"""
)


class _Handler(BaseHTTPRequestHandler):
    """/ok and /data.csv: 200; /missing: 404; /no-head: 405 on HEAD, 200 on GET;
    /moved: 302 to /ok; /to-ftp: 302 to an ftp URL; /slow: waits 2 s."""

    def _answer(self, with_body: bool) -> None:
        path = self.path
        if path == "/slow":
            time.sleep(2)
        if path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/ok")
        elif path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/file.csv")
        elif path == "/no-head" and not with_body:
            self.send_response(405)
        elif path in ("/ok", "/data.csv", "/no-head", "/slow"):
            self.send_response(200)
        else:
            self.send_response(404)
        body = b"a,b\n1,2\n"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """A real HTTP server on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _graph(turtle: str, base: str = "http://127.0.0.1:9") -> Graph:
    return Graph().parse(data=turtle.replace("{base}", base), format="turtle")


def _only(report: QualityReport) -> quality.DatasetScore:
    assert len(report.datasets) == 1
    return report.datasets[0]


def _lost(score: quality.DatasetScore) -> set[str]:
    return {result.indicator.key for result in score.shortfalls()}


def _always(_graph: Graph, _dataset: URIRef) -> bool:
    return True


# --- the indicator table ---------------------------------------------------------------


def test_indicators_add_up_to_the_mqa_dimensions() -> None:
    per_dimension: dict[str, int] = {}
    for item in INDICATORS:
        per_dimension[item.dimension] = per_dimension.get(item.dimension, 0) + item.max_points
    assert per_dimension == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }
    assert sum(per_dimension.values()) == MAX_POINTS == 405
    assert len({item.key for item in INDICATORS}) == len(INDICATORS) == 23


def test_format_lists_are_the_edp_lists() -> None:
    assert "HTML" in quality.NON_PROPRIETARY_FORMATS
    assert "HTML" not in quality.MACHINE_READABLE_FORMATS
    assert {"XLS", "XLSX"} <= quality.MACHINE_READABLE_FORMATS - quality.NON_PROPRIETARY_FORMATS
    assert "PDF" not in quality.NON_PROPRIETARY_FORMATS | quality.MACHINE_READABLE_FORMATS
    assert len(quality.NON_PROPRIETARY_FORMATS) == 29
    assert len(quality.MACHINE_READABLE_FORMATS) == 20
    mapped = set(quality.MEDIA_TYPE_FILE_TYPES.values())
    assert mapped <= quality.NON_PROPRIETARY_FORMATS | quality.MACHINE_READABLE_FORMATS


# --- the full and the bare dataset ------------------------------------------------------


def test_a_dataset_with_everything_gets_405(base: str) -> None:
    report = assess(_graph(FULL, base), compliant=_always, check_urls=True)
    score = _only(report)
    assert score.points == MAX_POINTS
    assert score.rating == "Excellent"
    assert all(result.status == "met" and result.reason is None for result in score.results)
    assert score.scored_distribution == DIST
    assert score.title == "Full dataset"
    assert report.average == 405
    assert report.gaps() == ()


def test_compliance_verdicts_may_be_a_mapping(base: str) -> None:
    report = assess(_graph(FULL, base), compliant={DS: True}, check_urls=True)
    assert _only(report).points == MAX_POINTS


def test_compliance_function_gets_the_graph_and_the_dataset(base: str) -> None:
    graph = _graph(FULL, base)
    seen: list[tuple[Graph, URIRef]] = []

    def verdict(g: Graph, dataset: URIRef) -> bool:
        seen.append((g, dataset))
        return False

    score = _only(assess(graph, compliant=verdict))
    assert seen == [(graph, DS)]
    assert score.result("dcatApCompliance").reason == "not DCAT-AP compliant (SHACL)"


def test_offline_the_url_indicators_are_not_assessed() -> None:
    score = _only(assess(_graph(FULL), compliant=_always))
    assert score.points == MAX_POINTS - 50 - 30
    access = score.result("accessUrlStatusCode")
    download = score.result("downloadUrlStatusCode")
    assert (access.points, access.status) == (0, "not assessed")
    assert access.reason == "accessURL not checked: URL checks are off (offline)"
    assert download.reason == "downloadURL not checked: URL checks are off (offline)"
    assert score.result("downloadUrlAvailability").points == 20


def test_without_a_verdict_compliance_is_not_assessed(base: str) -> None:
    report = assess(_graph(FULL, base), check_urls=True)
    result = _only(report).result("dcatApCompliance")
    assert (result.points, result.status) == (0, "not assessed")
    assert result.reason == "not assessed: no DCAT-AP compliance verdict (SHACL) was given"
    assert report.to_json()["options"] == {"url_checks": True, "compliance_assessed": False}
    missing = _only(assess(_graph(FULL), compliant={})).result("dcatApCompliance")
    assert missing.reason == "not assessed: no DCAT-AP compliance verdict for this dataset"


BARE_REASONS = {
    "keywordAvailability": "no dcat:keyword",
    "categoryAvailability": "no dcat:theme",
    "spatialAvailability": "no dct:spatial",
    "temporalAvailability": "no dct:temporal",
    "accessUrlStatusCode": "no distribution, so no access URL",
    "downloadUrlAvailability": "no distribution, so no download URL",
    "downloadUrlStatusCode": "no distribution, so no download URL to check",
    "formatAvailability": "no distribution, so no dct:format",
    "mediaTypeAvailability": "no distribution, so no dcat:mediaType",
    "formatMediaTypeVocabularyAlignment": "no distribution, so no dct:format or dcat:mediaType",
    "formatMediaTypeNonProprietary": "no distribution, so no format",
    "formatMediaTypeMachineInterpretable": "no distribution, so no format",
    "dcatApCompliance": "not assessed: no DCAT-AP compliance verdict (SHACL) was given",
    "licenceAvailability": "no distribution, so no dct:license",
    "knownLicence": "no distribution, so no dct:license",
    "accessRightsAvailability": "no dct:accessRights",
    "accessRightsVocabularyAlignment": "no dct:accessRights, so none from the access-right "
    "vocabulary",
    "contactPointAvailability": "no dcat:contactPoint",
    "publisherAvailability": "no dct:publisher",
    "rightsAvailability": "no distribution, so no dct:rights",
    "byteSizeAvailability": "no distribution, so no dcat:byteSize",
    "dateIssuedAvailability": "no dct:issued on the dataset",
    "dateModifiedAvailability": "no dct:modified on the dataset",
}


def test_a_bare_dataset_gets_nothing_and_every_reason() -> None:
    score = _only(assess(_graph(PREFIXES + "ex:ds a dcat:Dataset .")))
    assert score.points == 0
    assert score.rating == "Bad"
    assert score.distributions == 0
    assert score.scored_distribution is None
    assert {r.indicator.key: r.reason for r in score.results} == BARE_REASONS


def test_a_bare_dataset_gets_only_what_it_has() -> None:
    turtle = PREFIXES + 'ex:ds a dcat:Dataset ; dcat:keyword "x" ; dct:publisher ex:fhi .'
    score = _only(assess(_graph(turtle)))
    assert score.points == 30 + 10
    assert {r.indicator.key for r in score.results if r.points} == {
        "keywordAvailability",
        "publisherAvailability",
    }
    assert score.dimension_points() == {
        "findability": 30,
        "accessibility": 0,
        "interoperability": 0,
        "reusability": 10,
        "contextuality": 0,
    }


def test_a_licence_on_the_dataset_is_pointed_out() -> None:
    turtle = PREFIXES + (
        "ex:ds a dcat:Dataset ; dct:license "
        "<http://publications.europa.eu/resource/authority/licence/CC0> ."
    )
    score = _only(assess(_graph(turtle)))
    assert score.result("licenceAvailability").reason == (
        "no distribution, so no dct:license (it is on the dataset, where MQA does not look)"
    )


# --- each indicator flips ---------------------------------------------------------------

Change = Callable[[Graph], None]


def _remove(predicate: URIRef) -> Change:
    def change(graph: Graph) -> None:
        assert (None, predicate, None) in graph
        graph.remove((None, predicate, None))

    return change


def _set(subject: URIRef, predicate: URIRef, value: URIRef | Literal) -> Change:
    def change(graph: Graph) -> None:
        assert (subject, predicate, None) in graph
        graph.set((subject, predicate, value))

    return change


def _path(predicate: URIRef, path: str) -> Change:
    """Point a URL property of the distribution at another path of the same server."""

    def change(graph: Graph) -> None:
        url = str(graph.value(DIST, predicate))
        graph.set((DIST, predicate, URIRef(url.rsplit("/", 1)[0] + path)))

    return change


def _formats(code: str, media: str) -> Change:
    def change(graph: Graph) -> None:
        graph.set((DIST, DCTERMS.format, URIRef(FT + code)))
        graph.set((DIST, DCAT.mediaType, URIRef(IANA + media)))

    return change


FLIPS: list[tuple[str, Change, set[str]]] = [
    ("keyword", _remove(DCAT.keyword), {"keywordAvailability"}),
    ("theme", _remove(DCAT.theme), {"categoryAvailability"}),
    ("spatial", _remove(DCTERMS.spatial), {"spatialAvailability"}),
    ("temporal", _remove(DCTERMS.temporal), {"temporalAvailability"}),
    ("accessURL", _remove(DCAT.accessURL), {"accessUrlStatusCode"}),
    ("accessURL 404", _path(DCAT.accessURL, "/missing"), {"accessUrlStatusCode"}),
    # a download URL that is absent cannot be accessible either: two indicators
    ("downloadURL", _remove(DCAT.downloadURL), {"downloadUrlAvailability",
                                                "downloadUrlStatusCode"}),
    ("downloadURL 404", _path(DCAT.downloadURL, "/missing"), {"downloadUrlStatusCode"}),
    # MQA's vocabulary indicator wants both dct:format and dcat:mediaType from a vocabulary
    ("format", _remove(DCTERMS.format), {"formatAvailability",
                                         "formatMediaTypeVocabularyAlignment"}),
    ("mediaType", _remove(DCAT.mediaType), {"mediaTypeAvailability",
                                            "formatMediaTypeVocabularyAlignment"}),
    ("format as a literal", _set(DIST, DCTERMS.format, Literal("CSV")),
     {"formatMediaTypeVocabularyAlignment"}),
    ("PDF", _formats("PDF", "application/pdf"), {"formatMediaTypeNonProprietary",
                                                 "formatMediaTypeMachineInterpretable"}),
    ("HTML", _formats("HTML", "text/html"), {"formatMediaTypeMachineInterpretable"}),
    ("XLSX", _formats("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml"
                      ".sheet"), {"formatMediaTypeNonProprietary"}),
    ("license", _remove(DCTERMS.license), {"licenceAvailability", "knownLicence"}),
    ("license not from the vocabulary",
     _set(DIST, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
     {"knownLicence"}),
    ("accessRights", _remove(DCTERMS.accessRights), {"accessRightsAvailability",
                                                     "accessRightsVocabularyAlignment"}),
    ("accessRights not from the vocabulary",
     _set(DS, DCTERMS.accessRights, URIRef("https://example.org/rights/restricted")),
     {"accessRightsVocabularyAlignment"}),
    ("contactPoint", _remove(DCAT.contactPoint), {"contactPointAvailability"}),
    ("publisher", _remove(DCTERMS.publisher), {"publisherAvailability"}),
    ("rights", _remove(DCTERMS.rights), {"rightsAvailability"}),
    ("byteSize", _remove(DCAT.byteSize), {"byteSizeAvailability"}),
    ("issued", _remove(DCTERMS.issued), {"dateIssuedAvailability"}),
    ("modified", _remove(DCTERMS.modified), {"dateModifiedAvailability"}),
]  # fmt: skip


def test_every_indicator_can_flip() -> None:
    flipped = set().union(*(keys for _, _, keys in FLIPS)) | {"dcatApCompliance"}
    assert flipped == {item.key for item in INDICATORS}


@pytest.mark.parametrize(
    ("change", "lost"), [(c, k) for _, c, k in FLIPS], ids=[n for n, _, _ in FLIPS]
)
def test_changing_one_property_drops_exactly_its_indicators(
    base: str, change: Change, lost: set[str]
) -> None:
    graph = _graph(FULL, base)
    change(graph)
    score = _only(assess(graph, compliant=_always, check_urls=True))
    assert _lost(score) == lost
    assert score.points == MAX_POINTS - sum(quality.indicator(key).max_points for key in lost)
    for key in lost:
        result = score.result(key)
        assert result.points == 0
        assert result.status == "not met"
        assert result.reason


def test_a_negative_compliance_verdict_drops_30(base: str) -> None:
    score = _only(assess(_graph(FULL, base), compliant={DS: False}, check_urls=True))
    assert _lost(score) == {"dcatApCompliance"}
    assert score.points == MAX_POINTS - 30


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_remove(DCAT.keyword), "no dcat:keyword"),
        (_remove(DCAT.accessURL), "no dcat:accessURL"),
        (_path(DCAT.accessURL, "/missing"), "accessURL not accessible: {base}/missing HTTP 404"),
        (_remove(DCAT.downloadURL), "no dcat:downloadURL, so nothing to check"),
        (_set(DIST, DCTERMS.format, Literal("CSV")),
         "dct:format 'CSV' not from the EU file-type vocabulary (MQA wants both from a "
         "controlled vocabulary)"),
        (_remove(DCAT.mediaType),
         "no dcat:mediaType (MQA wants both from a controlled vocabulary)"),
        (_formats("PDF", "application/pdf"),
         f"<{FT}PDF>, <{IANA}application/pdf> not on MQA's list of machine-readable formats"),
        (_set(DIST, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
         "dct:license <https://creativecommons.org/licenses/by/4.0/> not from the EU licence "
         "vocabulary"),
        (_set(DS, DCTERMS.accessRights, Literal("restricted")),
         "dct:accessRights 'restricted' not from the EU access-right vocabulary"),
        (_remove(DCTERMS.issued), "no dct:issued on the dataset or its scored distribution"),
    ],
    ids=["keyword", "accessURL", "404", "downloadURL", "format", "mediaType", "PDF", "licence",
         "accessRights", "issued"],
)  # fmt: skip
def test_reasons(base: str, change: Change, reason: str) -> None:
    graph = _graph(FULL, base)
    change(graph)
    score = _only(assess(graph, compliant=_always, check_urls=True))
    reasons = {result.reason for result in score.shortfalls()}
    assert reason.replace("{base}", base) in reasons


# --- several distributions --------------------------------------------------------------

TWO = (
    PREFIXES
    + """
ex:ds a dcat:Dataset ; dcat:distribution ex:a, ex:b .
ex:a dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> .
ex:b dct:rights [ a dct:RightsStatement ] ; dcat:byteSize 10 ; dct:issued "2020"^^xsd:gYear .
"""
)


def test_only_the_best_distribution_is_scored() -> None:
    score = _only(assess(_graph(TWO)))
    assert score.distributions == 2
    assert score.scored_distribution == URIRef("https://example.org/a")
    # a: format 20 + media type 10 + vocabulary 10 + non-proprietary 20 + machine-readable 20
    # + licence 20 + licence vocabulary 10 = 110; b: rights 5 + size 5 + issued 5 = 15
    assert score.points == 110
    rights = score.result("rightsAvailability")
    assert rights.points == 0
    assert rights.distributions_met == 1
    assert rights.reason == (
        "no dct:rights on the scored distribution https://example.org/a; 1 of 2 distributions "
        "meet it, but MQA scores only the best-scoring distribution"
    )
    assert score.result("dateIssuedAvailability").points == 0
    assert score.result("formatAvailability").distributions_met == 1
    download = score.result("downloadUrlAvailability")
    assert download.reason == "no dcat:downloadURL (none of the 2 distributions meets it)"
    assert download.distributions_met == 0


def test_the_dates_count_on_the_scored_distribution() -> None:
    turtle = TWO.replace("ex:a dct:format", 'ex:a dct:modified "2021"^^xsd:gYear ; dct:format')
    score = _only(assess(_graph(turtle)))
    assert score.result("dateModifiedAvailability").points == 5
    assert score.points == 115


def test_ties_go_to_the_first_distribution_by_iri() -> None:
    turtle = PREFIXES + (
        "ex:ds a dcat:Dataset ; dcat:distribution ex:z, ex:m .\n"
        "ex:z dcat:byteSize 1 .\nex:m dct:rights [ a dct:RightsStatement ] ."
    )
    score = _only(assess(_graph(turtle)))
    assert score.scored_distribution == URIRef("https://example.org/m")
    assert score.points == 5


def test_catalogue_counts_distributions_for_the_dashboard() -> None:
    report = assess(_graph(TWO))
    assert report.distribution_total == 2
    summary = {row["key"]: row for row in report.indicator_summary()}
    assert summary["rightsAvailability"]["distributions_met"] == 1
    assert summary["rightsAvailability"]["datasets_met"] == 0
    assert summary["keywordAvailability"]["distributions_met"] is None


# --- URL checks -------------------------------------------------------------------------


def test_check_url_follows_http(base: str) -> None:
    assert check_url(f"{base}/ok") == quality.UrlCheck(f"{base}/ok", ok=True, status=200)
    assert check_url(f"{base}/no-head").status == 200  # HEAD 405, then GET
    assert check_url(f"{base}/moved") == quality.UrlCheck(f"{base}/moved", ok=True, status=200)
    missing = check_url(f"{base}/missing")
    assert (missing.ok, missing.status, missing.describe()) == (False, 404, "HTTP 404")
    to_ftp = check_url(f"{base}/to-ftp")
    assert (to_ftp.ok, to_ftp.status) == (False, 302)


def test_check_url_without_an_http_answer(base: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = check_url(f"http://127.0.0.1:{port}/x", timeout=2)
    assert not refused.ok
    assert refused.status is None
    assert refused.error
    slow = check_url(f"{base}/slow", timeout=0.3)
    assert (slow.ok, slow.status, slow.error) == (False, None, "timed out")
    for url in ("ftp://127.0.0.1/a.csv", "file:///etc/passwd", "mailto:x@example.org"):
        assert check_url(url) == quality.UrlCheck(url, ok=False, error="not an http(s) URL")


def test_any_accessible_access_url_of_the_distribution_counts(base: str) -> None:
    graph = _graph(FULL, base)
    graph.add((DIST, DCAT.accessURL, URIRef(f"{base}/missing")))
    score = _only(assess(graph, compliant=_always, check_urls=True))
    assert score.points == MAX_POINTS


# --- rating bands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (405, "Excellent"),
        (351, "Excellent"),
        (350, "Good"),
        (221, "Good"),
        (220, "Sufficient"),
        (121, "Sufficient"),
        (120, "Bad"),
        (0, "Bad"),
        (350.5, "Excellent"),
        (120.5, "Sufficient"),
    ],
)
def test_rating_bands(points: float, band: str) -> None:
    assert rating(points) == band


# --- the report -------------------------------------------------------------------------

CATALOGUE = (
    PREFIXES
    + """
ex:a a dcat:Dataset ; dct:title "A"@nb ; dcat:keyword "x" ; dcat:theme ex:t ; dct:publisher ex:p .
ex:b a dcat:Dataset ; dcat:keyword "y" .
ex:c a dcat:Distribution .
"""
)


def test_the_catalogue_report() -> None:
    report = assess(_graph(CATALOGUE))
    assert [str(score.dataset) for score in report.datasets] == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    assert [score.points for score in report.datasets] == [70, 30]
    assert report.average == 50
    assert report.rating == "Bad"
    assert report.dimension_averages()["findability"] == 45
    gaps = {gap.indicator.key: gap for gap in report.gaps()}
    assert "keywordAvailability" not in gaps
    assert gaps["categoryAvailability"].datasets_affected == 1
    assert gaps["categoryAvailability"].average_points_lost == 15
    assert gaps["accessUrlStatusCode"].datasets_affected == 2
    assert gaps["dcatApCompliance"].not_assessed == 2
    lost = [gap.average_points_lost for gap in report.gaps()]
    assert lost == sorted(lost, reverse=True)
    assert report.gaps()[0].indicator.key == "accessUrlStatusCode"
    assert sum(lost) == MAX_POINTS - report.average


def test_to_json_is_plain_and_stable() -> None:
    document = assess(_graph(CATALOGUE)).to_json()
    assert json.loads(json.dumps(document)) == document
    assert document["schema"] == "helsegraf-quality/1"
    assert document["max_points"] == 405
    catalogue = document["catalogue"]
    assert set(catalogue) == {
        "datasets", "distributions", "average_points", "rating", "dimensions", "gaps",
        "indicators",
    }  # fmt: skip
    assert catalogue["average_points"] == 50
    assert [d["dimension"] for d in catalogue["dimensions"]] == [
        "findability", "accessibility", "interoperability", "reusability", "contextuality",
    ]  # fmt: skip
    assert len(catalogue["indicators"]) == 23
    first = document["datasets"][0]
    assert set(first) == {
        "id", "title", "points", "max_points", "rating", "distributions",
        "scored_distribution", "dimensions", "indicators",
    }  # fmt: skip
    assert (first["id"], first["title"], first["points"]) == ("https://example.org/a", "A", 70)
    keyword = first["indicators"][0]
    assert keyword == {
        "key": "keywordAvailability",
        "dimension": "findability",
        "indicator": "Keyword usage",
        "property": "dcat:keyword",
        "level": "dataset",
        "points": 30,
        "max_points": 30,
        "status": "met",
        "reason": None,
        "distributions_met": None,
    }
    assert sum(d["points"] for d in first["dimensions"]) == first["points"]


def test_to_text() -> None:
    text = assess(_graph(CATALOGUE)).to_text(details=True)
    assert "Catalogue: 2 datasets, 0 distributions; average 50.0 of 405: Bad" in text
    assert "URL checks: off (offline; accessibility not assessed)" in text
    assert "AccessURL accessibility" in text
    assert "    70  Bad        https://example.org/a  A" in text
    assert "- Categories (0/30): no dcat:theme" in text
    assert "- Categories" not in assess(_graph(CATALOGUE)).to_text()


def test_an_empty_graph() -> None:
    report = assess(Graph())
    assert report.datasets == ()
    assert report.average is None
    assert report.rating is None
    assert report.gaps() == ()
    assert report.to_json()["catalogue"]["average_points"] is None
    assert "nothing to score" in report.to_text()
