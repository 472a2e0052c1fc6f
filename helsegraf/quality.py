"""Metadata quality of a DCAT catalogue, scored by data.europa.eu's MQA indicators.

The Metadata Quality Assessment (MQA, https://data.europa.eu/mqa/methodology) gives each
dataset up to 405 points in five dimensions: findability 100, accessibility 100,
interoperability 110, reusability 75, contextuality 20. :func:`assess` scores every
``dcat:Dataset`` of a graph by the 23 indicators of :data:`INDICATORS` and says, for every
indicator short of its maximum, why.

How a dataset's score is made (the MQA rules as the reference implementation applies them):

* Dataset-level indicators look at the dataset itself (keywords, themes, spatial, temporal,
  DCAT-AP compliance, access rights, contact point, publisher, dates).
* Distribution-level indicators (access and download URL, format, media type, licence,
  rights, file size) are scored on **one** distribution: the one with the most
  distribution-level points ("identical content with several distributions": only the
  distribution with the highest number of points counts). Ties go to the first distribution
  in IRI order. So a property found on a *different* distribution earns nothing; the reason
  says so. piveau's ``scoreMetrics`` (``io.piveau.metrics``) and Norway's
  ``fdk-mqa-scoring-service`` (``best_score``) both do this.
* Date of issue and modification date count when the dataset **or** the scored distribution
  has them (piveau measures them on both and counts them once).
* The MQA dashboard's catalogue view gives percentages per indicator ("yes" shares over
  datasets or distributions); :meth:`QualityReport.indicator_summary` gives the same counts.
  The catalogue's points are the average of its datasets' points.

Rating bands (methodology table): Excellent 351–405, Good 221–350, Sufficient 121–220,
Bad 0–120. A non-integer average is banded by the upper bound of the band below
(350.4 is Excellent, 350 is Good).

Choices where the methodology leaves room, so the numbers can be read right:

* Format / media type from vocabulary follows piveau's metric definition: *both* a
  ``dct:format`` and a ``dcat:mediaType`` are given and every value is an IRI of the
  vocabulary (EU file-type or IANA for the format, IANA for the media type). Only the
  namespace is checked, not that the code exists in the table.
* Non-proprietary and machine-readable use data.europa.eu's own lists
  (:data:`NON_PROPRIETARY_FORMATS`, :data:`MACHINE_READABLE_FORMATS`); a format or media type
  counts when *one* of them is on the list (media types through
  :data:`MEDIA_TYPE_FILE_TYPES`). Literal formats ("CSV") never count.
* Licence vocabulary: an IRI of the EU licence table. MQA's own list of known licences is
  wider (it also knows some national and Creative Commons IRIs); we do not carry it.
* Access restrictions vocabulary: one ``dct:accessRights`` IRI of the EU access-right table.
* DCAT-AP compliance is the caller's verdict (SHACL); without one it is "not assessed".
* URL checks are off unless asked for (no network at harvest time is assumed); off, the
  two URL indicators are "not assessed" and earn nothing. On, a URL is accessible when it
  answers 2xx (after redirects, http(s) only); any accessible URL of the distribution counts.
* Only resources typed ``dcat:Dataset`` are scored; subclasses without that type are not.

>>> [rating(p) for p in (405, 351, 350.4, 350, 221, 220, 120.5, 120, 0)]
['Excellent', 'Excellent', 'Excellent', 'Good', 'Good', 'Sufficient', 'Sufficient', 'Bad', 'Bad']
>>> sum(indicator.max_points for indicator in INDICATORS)
405
>>> from rdflib import Graph
>>> graph = Graph().parse(format="turtle", data='''
...     @prefix dcat: <http://www.w3.org/ns/dcat#> .
...     <https://example.org/ds> a dcat:Dataset ; dcat:keyword "helse"@nb .''')
>>> report = assess(graph)
>>> report.datasets[0].points, report.rating
(30, 'Bad')
>>> report.datasets[0].result("categoryAvailability").reason
'no dcat:theme'
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any, Final, Literal, TypeAlias
from urllib.parse import urlsplit

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import IdentifiedNode, Node

#: The methodology the scores follow.
METHODOLOGY = "https://data.europa.eu/mqa/methodology"
#: The version of the :meth:`QualityReport.to_json` document.
SCHEMA = "helsegraf-quality/1"
#: Most points a dataset can have.
MAX_POINTS: Final = 405

Dimension: TypeAlias = Literal[
    "findability", "accessibility", "interoperability", "reusability", "contextuality"
]
Level: TypeAlias = Literal["dataset", "distribution"]
Status: TypeAlias = Literal["met", "not met", "not assessed"]

#: The five dimensions in MQA order, with their labels.
DIMENSIONS: Final[tuple[tuple[Dimension, str], ...]] = (
    ("findability", "Findability"),
    ("accessibility", "Accessibility"),
    ("interoperability", "Interoperability"),
    ("reusability", "Reusability"),
    ("contextuality", "Contextuality"),
)

# --- Vocabularies -------------------------------------------------------------------------

#: The EU file-type authority table (DCAT-AP's vocabulary for ``dct:format``).
FILE_TYPE: Final = "http://publications.europa.eu/resource/authority/file-type/"
#: IANA media types (DCAT-AP's vocabulary for ``dcat:mediaType``); both schemes are in use.
IANA_MEDIA_TYPES: Final = (
    "https://www.iana.org/assignments/media-types/",
    "http://www.iana.org/assignments/media-types/",
)
#: The EU licence authority table ("licence vocabulary").
LICENCE_VOCABULARY: Final = "http://publications.europa.eu/resource/authority/licence/"
#: The EU access-right authority table ("access restrictions vocabulary").
ACCESS_RIGHT_VOCABULARY: Final = "http://publications.europa.eu/resource/authority/access-right/"

#: File-type codes MQA counts as non-proprietary: data.europa.eu's
#: ``edp-vocabularies/edp-non-proprietary-format.rdf`` (``edp:isNonProprietary true``).
NON_PROPRIETARY_FORMATS: Final = frozenset(
    {
        "BMP", "CSV", "DBF", "GEOJSON", "GZIP", "HTML", "ICS", "JPEG2000", "JSON", "JSON_LD",
        "KML", "KMZ", "NETCDF", "ODS", "PNG", "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG",
        "RDF_TURTLE", "RDF_XML", "RSS", "RTF", "TAR", "TIFF", "TSV", "TXT", "WMS_SRVC", "XML",
        "ZIP",
    }
)  # fmt: skip
#: File-type codes MQA counts as machine-readable: data.europa.eu's
#: ``edp-vocabularies/edp-machine-readable-format.rdf`` (``edp:isMachineReadable true``).
#: HTML is non-proprietary but not machine-readable; XLS and XLSX the other way round.
MACHINE_READABLE_FORMATS: Final = frozenset(
    {
        "CSV", "GEOJSON", "ICS", "JSON", "JSON_LD", "KML", "KMZ", "NETCDF", "ODS", "RDFA",
        "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG", "RDF_TURTLE", "RDF_XML", "RSS", "SHP",
        "XLS", "XLSX", "XML",
    }
)  # fmt: skip
#: IANA media types of the formats in the two lists, so that a ``dcat:mediaType`` (or an IANA
#: ``dct:format``) counts too: MQA checks "at least one of dct:format and dcat:mediaType".
MEDIA_TYPE_FILE_TYPES: Final[Mapping[str, str]] = {
    "application/geo+json": "GEOJSON",
    "application/gzip": "GZIP",
    "application/json": "JSON",
    "application/ld+json": "JSON_LD",
    "application/n-quads": "RDF_N_QUADS",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "application/rss+xml": "RSS",
    "application/rtf": "RTF",
    "application/trig": "RDF_TRIG",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/x-netcdf": "NETCDF",
    "application/x-tar": "TAR",
    "application/xml": "XML",
    "application/zip": "ZIP",
    "image/bmp": "BMP",
    "image/jp2": "JPEG2000",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "text/calendar": "ICS",
    "text/csv": "CSV",
    "text/html": "HTML",
    "text/plain": "TXT",
    "text/tab-separated-values": "TSV",
    "text/turtle": "RDF_TURTLE",
    "text/xml": "XML",
}

_MEDIA_TYPE_SHAPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$", re.I)

# --- Indicators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: what it checks, where, and how many points it is worth."""

    key: str  #: the MQA metric name (piveau DQV ``pv:<key>``), stable in the JSON
    dimension: Dimension
    name: str  #: the name the methodology gives it
    property: str  #: the property it looks at, as a CURIE
    max_points: int
    level: Level  #: where MQA looks: the dataset or (the best of) its distributions
    missing: str  #: what a dataset without distributions lacks ("no distribution, so no …")


#: The 23 indicators in methodology order; points sum to :data:`MAX_POINTS`.
INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator("keywordAvailability", "findability", "Keyword usage", "dcat:keyword", 30,
              "dataset", ""),
    Indicator("categoryAvailability", "findability", "Categories", "dcat:theme", 30,
              "dataset", ""),
    Indicator("spatialAvailability", "findability", "Geo search", "dct:spatial", 20,
              "dataset", ""),
    Indicator("temporalAvailability", "findability", "Time-based search", "dct:temporal", 20,
              "dataset", ""),
    Indicator("accessUrlStatusCode", "accessibility", "AccessURL accessibility",
              "dcat:accessURL", 50, "distribution", "access URL"),
    Indicator("downloadUrlAvailability", "accessibility", "DownloadURL", "dcat:downloadURL",
              20, "distribution", "download URL"),
    Indicator("downloadUrlStatusCode", "accessibility", "DownloadURL accessibility",
              "dcat:downloadURL", 30, "distribution", "download URL to check"),
    Indicator("formatAvailability", "interoperability", "Format", "dct:format", 20,
              "distribution", "dct:format"),
    Indicator("mediaTypeAvailability", "interoperability", "Media type", "dcat:mediaType", 10,
              "distribution", "dcat:mediaType"),
    Indicator("formatMediaTypeVocabularyAlignment", "interoperability",
              "Format / Media type from vocabulary", "dct:format, dcat:mediaType", 10,
              "distribution", "dct:format or dcat:mediaType"),
    Indicator("formatMediaTypeNonProprietary", "interoperability", "Non-proprietary",
              "dct:format, dcat:mediaType", 20, "distribution", "format"),
    Indicator("formatMediaTypeMachineInterpretable", "interoperability", "Machine readable",
              "dct:format, dcat:mediaType", 20, "distribution", "format"),
    Indicator("dcatApCompliance", "interoperability", "DCAT-AP compliance", "(SHACL)", 30,
              "dataset", ""),
    Indicator("licenceAvailability", "reusability", "Licence information", "dct:license", 20,
              "distribution", "dct:license"),
    Indicator("knownLicence", "reusability", "Licence vocabulary", "dct:license", 10,
              "distribution", "dct:license"),
    Indicator("accessRightsAvailability", "reusability", "Access restrictions",
              "dct:accessRights", 10, "dataset", ""),
    Indicator("accessRightsVocabularyAlignment", "reusability",
              "Access restrictions vocabulary", "dct:accessRights", 5, "dataset", ""),
    Indicator("contactPointAvailability", "reusability", "Contact point", "dcat:contactPoint",
              20, "dataset", ""),
    Indicator("publisherAvailability", "reusability", "Publisher", "dct:publisher", 10,
              "dataset", ""),
    Indicator("rightsAvailability", "contextuality", "Rights", "dct:rights", 5,
              "distribution", "dct:rights"),
    Indicator("byteSizeAvailability", "contextuality", "File size", "dcat:byteSize", 5,
              "distribution", "dcat:byteSize"),
    Indicator("dateIssuedAvailability", "contextuality", "Date of issue", "dct:issued", 5,
              "dataset", ""),
    Indicator("dateModifiedAvailability", "contextuality", "Modification date",
              "dct:modified", 5, "dataset", ""),
)  # fmt: skip

_BY_KEY: Final = {indicator.key: indicator for indicator in INDICATORS}
#: Indicators scored on a distribution; the two dates are also measured there (see above).
_DISTRIBUTION_KEYS: Final = tuple(i.key for i in INDICATORS if i.level == "distribution")
_DATES: Final = {"dateIssuedAvailability": DCTERMS.issued,
                 "dateModifiedAvailability": DCTERMS.modified}  # fmt: skip


def indicator(key: str) -> Indicator:
    """The indicator with this MQA metric name.

    >>> indicator("knownLicence").name
    'Licence vocabulary'
    """
    return _BY_KEY[key]


def rating(points: float) -> str:
    """The MQA rating band of a dataset's (or a catalogue's average) points."""
    if points > 350:
        return "Excellent"
    if points > 220:
        return "Good"
    if points > 120:
        return "Sufficient"
    return "Bad"


# --- URL checks ---------------------------------------------------------------------------

#: Seconds to wait for one HTTP request of a URL check.
DEFAULT_TIMEOUT: Final = 5.0
_USER_AGENT: Final = "helsegraf-quality/1 (metadata quality check)"


@dataclass(frozen=True)
class UrlCheck:
    """The outcome of checking one URL: ``ok`` when the final answer was 2xx."""

    url: str
    ok: bool
    status: int | None = None  #: the final HTTP status, when there was one
    error: str | None = None  #: why there was no HTTP status (timeout, refused, scheme …)

    def describe(self) -> str:
        """The outcome in a few words, for a reason text."""
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error or "no answer"


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to http(s) URLs (urllib would also follow ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            return None  # the 3xx then stands as the answer: not accessible
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER: Final = urllib.request.build_opener(_HttpOnlyRedirects())


def _request(url: str, method: str, timeout: float) -> UrlCheck:
    # check_url lets only http(s) URLs through, and _HttpOnlyRedirects keeps redirects there
    request = urllib.request.Request(  # noqa: S310
        url, method=method, headers={"User-Agent": _USER_AGENT}
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return UrlCheck(url, ok=200 <= error.code < 300, status=error.code)
    except urllib.error.URLError as error:
        reason = error.reason
        text = "timed out" if isinstance(reason, TimeoutError) else str(reason)
        return UrlCheck(url, ok=False, error=text)
    except TimeoutError:
        return UrlCheck(url, ok=False, error="timed out")
    except (OSError, HTTPException, ValueError) as error:
        return UrlCheck(url, ok=False, error=str(error) or type(error).__name__)
    return UrlCheck(url, ok=200 <= status < 300, status=status)


def check_url(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> UrlCheck:
    """Whether ``url`` answers 2xx: HEAD first, then GET when HEAD got a non-2xx status.

    Only http and https URLs are requested; redirects are followed (to http(s) only) and the
    final status counts, as in MQA (``accessUrlStatusCode`` scores 200–299). The body of a
    GET is never read.

    >>> check_url("ftp://example.org/file.csv")
    UrlCheck(url='ftp://example.org/file.csv', ok=False, status=None, error='not an http(s) URL')
    """
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return UrlCheck(url, ok=False, error="not an http(s) URL")
    head = _request(url, "HEAD", timeout)
    if head.ok or head.status is None:  # no HTTP answer at all: GET would fare no better
        return head
    return _request(url, "GET", timeout)


def _check_all(urls: Iterable[str], timeout: float) -> dict[str, UrlCheck]:
    unique = sorted(set(urls))
    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(unique))) as pool:
        checks = pool.map(lambda url: check_url(url, timeout=timeout), unique)
        return dict(zip(unique, checks, strict=True))


# --- Results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorResult:
    """How one dataset fares on one indicator."""

    indicator: Indicator
    points: int
    status: Status
    reason: str | None = None  #: why the points are not full; None when they are
    #: for distribution-level indicators: how many of the dataset's distributions meet it
    distributions_met: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The result as plain data (see :meth:`QualityReport.to_json`)."""
        return {
            "key": self.indicator.key,
            "dimension": self.indicator.dimension,
            "indicator": self.indicator.name,
            "property": self.indicator.property,
            "level": self.indicator.level,
            "points": self.points,
            "max_points": self.indicator.max_points,
            "status": self.status,
            "reason": self.reason,
            "distributions_met": self.distributions_met,
        }


@dataclass(frozen=True)
class DatasetScore:
    """One dataset's score: every indicator's result, in :data:`INDICATORS` order."""

    dataset: IdentifiedNode
    title: str | None
    results: tuple[IndicatorResult, ...]
    distributions: int  #: how many distributions the dataset has
    scored_distribution: IdentifiedNode | None  #: the one the distribution indicators used

    @property
    def points(self) -> int:
        """Points earned, 0 to 405."""
        return sum(result.points for result in self.results)

    @property
    def rating(self) -> str:
        """The MQA rating band of :attr:`points`."""
        return rating(self.points)

    def result(self, key: str) -> IndicatorResult:
        """The result of the indicator with this MQA metric name."""
        for result in self.results:
            if result.indicator.key == key:
                return result
        raise KeyError(key)

    def dimension_points(self) -> dict[Dimension, int]:
        """Points per dimension."""
        totals: dict[Dimension, int] = {name: 0 for name, _ in DIMENSIONS}
        for result in self.results:
            totals[result.indicator.dimension] += result.points
        return totals

    def shortfalls(self) -> tuple[IndicatorResult, ...]:
        """The results short of their maximum."""
        return tuple(r for r in self.results if r.points < r.indicator.max_points)

    def to_json(self) -> dict[str, Any]:
        """The score as plain data (see :meth:`QualityReport.to_json`)."""
        dimensions = self.dimension_points()
        return {
            "id": _node_id(self.dataset),
            "title": self.title,
            "points": self.points,
            "max_points": MAX_POINTS,
            "rating": self.rating,
            "distributions": self.distributions,
            "scored_distribution": (
                None if self.scored_distribution is None else _node_id(self.scored_distribution)
            ),
            "dimensions": [
                {
                    "dimension": name,
                    "label": label,
                    "points": dimensions[name],
                    "max_points": _DIMENSION_MAX[name],
                }
                for name, label in DIMENSIONS
            ],
            "indicators": [result.to_json() for result in self.results],
        }


_DIMENSION_MAX: Final[dict[Dimension, int]] = {
    name: sum(i.max_points for i in INDICATORS if i.dimension == name) for name, _ in DIMENSIONS
}


@dataclass(frozen=True)
class Gap:
    """An indicator that keeps the catalogue from the maximum."""

    indicator: Indicator
    datasets_affected: int  #: datasets short of this indicator's maximum
    not_assessed: int  #: of those, how many were not assessed (URL checks off, no verdict)
    average_points_lost: float  #: points this indicator takes off the catalogue average

    def to_json(self) -> dict[str, Any]:
        """The gap as plain data (see :meth:`QualityReport.to_json`)."""
        return {
            "key": self.indicator.key,
            "dimension": self.indicator.dimension,
            "indicator": self.indicator.name,
            "property": self.indicator.property,
            "max_points": self.indicator.max_points,
            "datasets_affected": self.datasets_affected,
            "not_assessed": self.not_assessed,
            "average_points_lost": round(self.average_points_lost, 2),
        }


@dataclass(frozen=True)
class QualityReport:
    """The scores of every dataset of a catalogue and what they add up to."""

    datasets: tuple[DatasetScore, ...]  #: sorted by dataset IRI
    url_checks: bool  #: whether access and download URLs were requested
    compliance_assessed: bool  #: whether DCAT-AP compliance verdicts were given
    distribution_total: int = 0  #: distributions over all datasets
    #: per distribution-level indicator, how many distributions (of all) meet it
    distributions_met: Mapping[str, int] = field(default_factory=dict)

    @property
    def average(self) -> float | None:
        """The catalogue's points: the average of its datasets' points (None when empty)."""
        if not self.datasets:
            return None
        return sum(score.points for score in self.datasets) / len(self.datasets)

    @property
    def rating(self) -> str | None:
        """The MQA rating band of :attr:`average` (None when there is no dataset)."""
        average = self.average
        return None if average is None else rating(average)

    def dimension_averages(self) -> dict[Dimension, float | None]:
        """Average points per dimension over the datasets."""
        count = len(self.datasets)
        averages: dict[Dimension, float | None] = {}
        for name, _ in DIMENSIONS:
            total = sum(score.dimension_points()[name] for score in self.datasets)
            averages[name] = total / count if count else None
        return averages

    def gaps(self) -> tuple[Gap, ...]:
        """Indicators short of the maximum on some dataset, most points lost first."""
        count = len(self.datasets)
        gaps: list[Gap] = []
        for position, item in enumerate(INDICATORS):
            short = [s.results[position] for s in self.datasets]
            short = [r for r in short if r.points < item.max_points]
            if not short:
                continue
            lost = sum(item.max_points - r.points for r in short) / count
            not_assessed = sum(1 for r in short if r.status == "not assessed")
            gaps.append(Gap(item, len(short), not_assessed, lost))
        order = {item.key: position for position, item in enumerate(INDICATORS)}
        gaps.sort(key=lambda gap: (-gap.average_points_lost, order[gap.indicator.key]))
        return tuple(gaps)

    def indicator_summary(self) -> list[dict[str, Any]]:
        """Per indicator: average points and how many datasets (and distributions) meet it."""
        count = len(self.datasets)
        summary: list[dict[str, Any]] = []
        for position, item in enumerate(INDICATORS):
            results = [score.results[position] for score in self.datasets]
            met = sum(1 for r in results if r.status == "met")
            summary.append(
                {
                    "key": item.key,
                    "dimension": item.dimension,
                    "indicator": item.name,
                    "property": item.property,
                    "level": item.level,
                    "max_points": item.max_points,
                    "average_points": (
                        round(sum(r.points for r in results) / count, 2) if count else None
                    ),
                    "datasets_met": met,
                    "datasets_not_assessed": sum(1 for r in results if r.status == "not assessed"),
                    "distributions_met": self.distributions_met.get(item.key),
                }
            )
        return summary

    def to_json(self) -> dict[str, Any]:
        """The report as plain, JSON-serialisable data (also what an HTML template needs).

        Schema ``helsegraf-quality/1``::

            schema, methodology, max_points (405)
            options: {url_checks: bool, compliance_assessed: bool}
            catalogue:
              datasets, distributions: int
              average_points: float|null (2 decimals), rating: str|null
              dimensions: [{dimension, label, average_points, max_points}]   # MQA order
              gaps: [{key, dimension, indicator, property, max_points,
                      datasets_affected, not_assessed, average_points_lost}] # most lost first
              indicators: [{key, dimension, indicator, property, level, max_points,
                            average_points, datasets_met, datasets_not_assessed,
                            distributions_met: int|null}]                    # INDICATORS order
            datasets: [                                                      # by IRI
              {id, title: str|null, points, max_points, rating, distributions,
               scored_distribution: str|null,
               dimensions: [{dimension, label, points, max_points}],
               indicators: [{key, dimension, indicator, property, level, points, max_points,
                             status: "met"|"not met"|"not assessed", reason: str|null,
                             distributions_met: int|null}]}]

        ``key`` is the MQA metric name (piveau DQV ``pv:<key>``); ids are IRIs, or ``_:x`` for
        a blank node.
        """
        average = self.average
        dimension_averages = self.dimension_averages()
        return {
            "schema": SCHEMA,
            "methodology": METHODOLOGY,
            "max_points": MAX_POINTS,
            "options": {
                "url_checks": self.url_checks,
                "compliance_assessed": self.compliance_assessed,
            },
            "catalogue": {
                "datasets": len(self.datasets),
                "distributions": self.distribution_total,
                "average_points": None if average is None else round(average, 2),
                "rating": self.rating,
                "dimensions": [
                    {
                        "dimension": name,
                        "label": label,
                        "average_points": _round(dimension_averages[name]),
                        "max_points": _DIMENSION_MAX[name],
                    }
                    for name, label in DIMENSIONS
                ],
                "gaps": [gap.to_json() for gap in self.gaps()],
                "indicators": self.indicator_summary(),
            },
            "datasets": [score.to_json() for score in self.datasets],
        }

    def to_text(self, *, details: bool = False) -> str:
        """A readable report for a terminal; ``details`` adds every dataset's shortfalls."""
        lines = [f"Metadata quality by the data.europa.eu MQA methodology ({MAX_POINTS} points)"]
        average = self.average
        if average is None:
            lines.append("No dcat:Dataset in the graph: nothing to score.")
            return "\n".join(lines) + "\n"
        lines.append(
            f"Catalogue: {len(self.datasets)} datasets, {self.distribution_total} "
            f"distributions; average {average:.1f} of {MAX_POINTS}: {self.rating}"
        )
        lines.append(
            "URL checks: "
            + ("on" if self.url_checks else "off (offline; accessibility not assessed)")
            + "; DCAT-AP compliance: "
            + ("assessed" if self.compliance_assessed else "not assessed")
        )
        lines += ["", f"{'dimension':<18}{'average':>8}{'max':>6}"]
        averages = self.dimension_averages()
        for name, label in DIMENSIONS:
            lines.append(f"{label:<18}{averages[name] or 0:>8.1f}{_DIMENSION_MAX[name]:>6}")
        gaps = self.gaps()
        if gaps:
            lines += ["", f"What keeps the catalogue from {MAX_POINTS} (points off the average):"]
            lines.append(f"{'indicator':<37}{'dimension':<18}{'datasets':>9}{'lost':>8}")
            for gap in gaps:
                affected = f"{gap.datasets_affected}/{len(self.datasets)}"
                lines.append(
                    f"{gap.indicator.name:<37}{gap.indicator.dimension:<18}"
                    f"{affected:>9}{gap.average_points_lost:>8.1f}"
                )
        lines += ["", f"{'points':>6}  {'rating':<11}dataset"]
        for score in self.datasets:
            shown = _node_id(score.dataset) + (f"  {score.title}" if score.title else "")
            lines.append(f"{score.points:>6}  {score.rating:<11}{shown}")
            if details:
                for result in score.shortfalls():
                    lines.append(
                        f"{'':>8}- {result.indicator.name} "
                        f"({result.points}/{result.indicator.max_points}): {result.reason}"
                    )
        return "\n".join(lines) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _node_id(node: Node) -> str:
    return node.n3() if isinstance(node, BNode) else str(node)


# --- Scoring ------------------------------------------------------------------------------

Verdicts: TypeAlias = Callable[[Graph, URIRef], bool] | Mapping[URIRef, bool] | None


@dataclass(frozen=True)
class _Check:
    """One indicator on one resource, before it is turned into points."""

    met: bool
    reason: str | None = None
    assessed: bool = True


_MET: Final = _Check(True)


def _values(graph: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    return sorted(graph.objects(subject, predicate), key=_node_id)


def _presence(graph: Graph, subject: Node, predicate: URIRef, curie: str) -> _Check:
    return _MET if (subject, predicate, None) in graph else _Check(False, f"no {curie}")


def _iri(node: Node) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _in_file_types(node: Node) -> bool:
    iri = _iri(node)
    return iri is not None and iri.startswith(FILE_TYPE) and len(iri) > len(FILE_TYPE)


def _media_type(node: Node) -> str | None:
    """The ``type/subtype`` of an IANA media-type IRI, else None."""
    iri = _iri(node)
    for prefix in IANA_MEDIA_TYPES:
        if iri is not None and iri.startswith(prefix):
            name = iri[len(prefix) :]
            return name.lower() if _MEDIA_TYPE_SHAPE.match(name) else None
    return None


def _file_type_code(node: Node) -> str | None:
    """The EU file-type code a format or media type stands for, if we know it."""
    if _in_file_types(node):
        return str(node)[len(FILE_TYPE) :]
    media = _media_type(node)
    return None if media is None else MEDIA_TYPE_FILE_TYPES.get(media)


def _show(nodes: Iterable[Node]) -> str:
    return ", ".join(node.n3() if isinstance(node, URIRef) else repr(str(node)) for node in nodes)


def _vocabulary_alignment(graph: Graph, dist: Node) -> _Check:
    """MQA: both dct:format and dcat:mediaType given, and from DCAT-AP's vocabularies."""
    formats = _values(graph, dist, DCTERMS.format)
    media = _values(graph, dist, DCAT.mediaType)
    if not formats and not media:
        return _Check(False, "no dct:format or dcat:mediaType")
    problems: list[str] = []
    if not formats:
        problems.append("no dct:format")
    if not media:
        problems.append("no dcat:mediaType")
    off_formats = [f for f in formats if not (_in_file_types(f) or _media_type(f))]
    off_media = [m for m in media if not _media_type(m)]
    if off_formats:
        problems.append(f"dct:format {_show(off_formats)} not from the EU file-type vocabulary")
    if off_media:
        problems.append(f"dcat:mediaType {_show(off_media)} not an IANA media type IRI")
    if not problems:
        return _MET
    return _Check(False, "; ".join(problems) + " (MQA wants both from a controlled vocabulary)")


def _format_in(graph: Graph, dist: Node, codes: frozenset[str], what: str) -> _Check:
    values = _values(graph, dist, DCTERMS.format) + _values(graph, dist, DCAT.mediaType)
    if not values:
        return _Check(False, "no dct:format or dcat:mediaType")
    if any(_file_type_code(value) in codes for value in values):
        return _MET
    return _Check(False, f"{_show(values)} not on MQA's list of {what} formats")


def _url_check(
    urls: list[Node], checks: Mapping[str, UrlCheck] | None, missing: str, name: str
) -> _Check:
    if not urls:
        return _Check(False, missing)
    if checks is None:
        return _Check(False, f"{name} not checked: URL checks are off (offline)", assessed=False)
    outcomes = [checks[str(url)] for url in urls]
    if any(outcome.ok for outcome in outcomes):
        return _MET
    shown = "; ".join(f"{o.url} {o.describe()}" for o in outcomes)
    return _Check(False, f"{name} not accessible: {shown}")


def _known_licence(graph: Graph, dist: Node) -> _Check:
    licences = _values(graph, dist, DCTERMS.license)
    if not licences:
        return _Check(False, "no dct:license")
    if any((_iri(x) or "").startswith(LICENCE_VOCABULARY) for x in licences):
        return _MET
    return _Check(False, f"dct:license {_show(licences)} not from the EU licence vocabulary")


def _distribution_checks(
    graph: Graph, dist: Node, checks: Mapping[str, UrlCheck] | None
) -> dict[str, _Check]:
    """Every distribution-level indicator (and the two dates) on one distribution."""
    return {
        "accessUrlStatusCode": _url_check(
            _values(graph, dist, DCAT.accessURL), checks, "no dcat:accessURL", "accessURL"
        ),
        "downloadUrlAvailability": _presence(graph, dist, DCAT.downloadURL, "dcat:downloadURL"),
        "downloadUrlStatusCode": _url_check(
            _values(graph, dist, DCAT.downloadURL),
            checks,
            "no dcat:downloadURL, so nothing to check",
            "downloadURL",
        ),
        "formatAvailability": _presence(graph, dist, DCTERMS.format, "dct:format"),
        "mediaTypeAvailability": _presence(graph, dist, DCAT.mediaType, "dcat:mediaType"),
        "formatMediaTypeVocabularyAlignment": _vocabulary_alignment(graph, dist),
        "formatMediaTypeNonProprietary": _format_in(
            graph, dist, NON_PROPRIETARY_FORMATS, "non-proprietary"
        ),
        "formatMediaTypeMachineInterpretable": _format_in(
            graph, dist, MACHINE_READABLE_FORMATS, "machine-readable"
        ),
        "licenceAvailability": _presence(graph, dist, DCTERMS.license, "dct:license"),
        "knownLicence": _known_licence(graph, dist),
        "rightsAvailability": _presence(graph, dist, DCTERMS.rights, "dct:rights"),
        "byteSizeAvailability": _presence(graph, dist, DCAT.byteSize, "dcat:byteSize"),
        "dateIssuedAvailability": _presence(graph, dist, DCTERMS.issued, "dct:issued"),
        "dateModifiedAvailability": _presence(graph, dist, DCTERMS.modified, "dct:modified"),
    }


def _distribution_points(checks: Mapping[str, _Check]) -> int:
    return sum(_BY_KEY[key].max_points for key, check in checks.items() if check.met)


def _compliance(graph: Graph, dataset: IdentifiedNode, verdicts: Verdicts) -> _Check:
    if verdicts is None:
        return _Check(False, "not assessed: no DCAT-AP compliance verdict (SHACL) was given",
                      assessed=False)  # fmt: skip
    if not isinstance(dataset, URIRef):
        return _Check(False, "not assessed: a blank-node dataset has no compliance verdict",
                      assessed=False)  # fmt: skip
    if isinstance(verdicts, Mapping):
        if dataset not in verdicts:
            return _Check(False, "not assessed: no DCAT-AP compliance verdict for this dataset",
                          assessed=False)  # fmt: skip
        verdict = verdicts[dataset]
    else:
        verdict = verdicts(graph, dataset)
    return _MET if verdict else _Check(False, "not DCAT-AP compliant (SHACL)")


def _elsewhere(graph: Graph, nodes: Iterable[Node], predicate: URIRef, where: str) -> str:
    """A hint when a property MQA misses is on the other level (dataset vs distribution)."""
    if any((node, predicate, None) in graph for node in nodes):
        return f" (it is on the {where}, where MQA does not look)"
    return ""


def _dataset_checks(
    graph: Graph,
    dataset: IdentifiedNode,
    distributions: list[IdentifiedNode],
    verdicts: Verdicts,
) -> dict[str, _Check]:
    """Every dataset-level indicator except the two dates."""
    checks = {
        "keywordAvailability": _presence(graph, dataset, DCAT.keyword, "dcat:keyword"),
        "categoryAvailability": _presence(graph, dataset, DCAT.theme, "dcat:theme"),
        "spatialAvailability": _presence(graph, dataset, DCTERMS.spatial, "dct:spatial"),
        "temporalAvailability": _presence(graph, dataset, DCTERMS.temporal, "dct:temporal"),
        "dcatApCompliance": _compliance(graph, dataset, verdicts),
        "contactPointAvailability": _presence(
            graph, dataset, DCAT.contactPoint, "dcat:contactPoint"
        ),
        "publisherAvailability": _presence(graph, dataset, DCTERMS.publisher, "dct:publisher"),
    }
    rights = _values(graph, dataset, DCTERMS.accessRights)
    if not rights:
        hint = _elsewhere(graph, distributions, DCTERMS.accessRights, "distribution")
        checks["accessRightsAvailability"] = _Check(False, "no dct:accessRights" + hint)
        checks["accessRightsVocabularyAlignment"] = _Check(
            False, "no dct:accessRights, so none from the access-right vocabulary"
        )
    else:
        checks["accessRightsAvailability"] = _MET
        aligned = any((_iri(x) or "").startswith(ACCESS_RIGHT_VOCABULARY) for x in rights)
        checks["accessRightsVocabularyAlignment"] = _MET if aligned else _Check(
            False, f"dct:accessRights {_show(rights)} not from the EU access-right vocabulary"
        )  # fmt: skip
    return checks


def _title(graph: Graph, dataset: Node) -> str | None:
    titles = [t for t in graph.objects(dataset, DCTERMS.title) if isinstance(t, RdfLiteral)]
    for language in ("en", "nb", "no", "nn", None):
        for title in sorted(titles, key=str):
            if title.language == language:
                return str(title)
    return str(min(titles, key=str)) if titles else None


def _points(item: Indicator, check: _Check) -> IndicatorResult:
    if check.met:
        return IndicatorResult(item, item.max_points, "met")
    return IndicatorResult(item, 0, "not met" if check.assessed else "not assessed", check.reason)


#: Distribution-level properties that catalogues often put on the dataset instead.
_ALSO_ON_DATASET: Final = {
    "licenceAvailability": DCTERMS.license,
    "knownLicence": DCTERMS.license,
    "rightsAvailability": DCTERMS.rights,
}


def _distribution_result(
    graph: Graph,
    dataset: IdentifiedNode,
    item: Indicator,
    per_distribution: list[tuple[IdentifiedNode, dict[str, _Check]]],
    best: int | None,
) -> IndicatorResult:
    predicate = _ALSO_ON_DATASET.get(item.key)
    hint = "" if predicate is None else _elsewhere(graph, [dataset], predicate, "dataset")
    if best is None:
        reason = f"no distribution, so no {item.missing}{hint}"
        return IndicatorResult(item, 0, "not met", reason, 0)
    met = sum(1 for _, checks in per_distribution if checks[item.key].met)
    node, checks = per_distribution[best]
    check = checks[item.key]
    result = _points(item, check)
    count = len(per_distribution)
    if check.met:
        return IndicatorResult(item, result.points, result.status, None, met)
    if count == 1:
        reason = f"{check.reason}{hint}"
    elif met:
        reason = (
            f"{check.reason} on the scored distribution {_node_id(node)}; {met} of {count} "
            "distributions meet it, but MQA scores only the best-scoring distribution"
        )
    else:
        reason = f"{check.reason} (none of the {count} distributions meets it){hint}"
    return IndicatorResult(item, 0, result.status, reason, met)


def _score(
    graph: Graph,
    dataset: IdentifiedNode,
    verdicts: Verdicts,
    url_checks: Mapping[str, UrlCheck] | None,
) -> tuple[DatasetScore, list[dict[str, _Check]]]:
    distributions = [
        d for d in _values(graph, dataset, DCAT.distribution) if isinstance(d, IdentifiedNode)
    ]
    per_distribution = [(d, _distribution_checks(graph, d, url_checks)) for d in distributions]
    best: int | None = None
    for position, (_, checks) in enumerate(per_distribution):  # first of the best wins ties
        if best is None or _distribution_points(checks) > _distribution_points(
            per_distribution[best][1]
        ):
            best = position
    dataset_checks = _dataset_checks(graph, dataset, distributions, verdicts)
    results: list[IndicatorResult] = []
    for item in INDICATORS:
        if item.level == "distribution":
            results.append(_distribution_result(graph, dataset, item, per_distribution, best))
        elif item.key in _DATES:
            results.append(_date_result(graph, dataset, item, per_distribution, best))
        else:
            results.append(_points(item, dataset_checks[item.key]))
    scored = None if best is None else per_distribution[best][0]
    score = DatasetScore(
        dataset=dataset,
        title=_title(graph, dataset),
        results=tuple(results),
        distributions=len(distributions),
        scored_distribution=scored,
    )
    return score, [checks for _, checks in per_distribution]


def _date_result(
    graph: Graph,
    dataset: IdentifiedNode,
    item: Indicator,
    per_distribution: list[tuple[IdentifiedNode, dict[str, _Check]]],
    best: int | None,
) -> IndicatorResult:
    predicate = _DATES[item.key]
    if (dataset, predicate, None) in graph:
        return IndicatorResult(item, item.max_points, "met")
    if best is not None and per_distribution[best][1][item.key].met:
        return IndicatorResult(item, item.max_points, "met")
    reason = f"no {item.property} on the dataset"
    if best is not None:
        reason += " or its scored distribution"
    return IndicatorResult(item, 0, "not met", reason)


def datasets(graph: Graph) -> list[IdentifiedNode]:
    """The graph's ``dcat:Dataset``s (explicitly typed), sorted by IRI."""
    found = {s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, IdentifiedNode)}
    return sorted(found, key=_node_id)


def assess(
    graph: Graph,
    *,
    compliant: Verdicts = None,
    check_urls: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> QualityReport:
    """Score every ``dcat:Dataset`` in ``graph`` by the MQA indicators.

    ``compliant`` gives the DCAT-AP compliance verdict per dataset (a function of the graph
    and the dataset IRI, or a mapping); without it that indicator is "not assessed" and earns
    nothing. ``check_urls`` requests every access and download URL (HEAD, then GET; http(s)
    only; ``timeout`` seconds each, four at a time); off, the two URL indicators are "not
    assessed" and earn nothing.
    """
    found = datasets(graph)
    url_results: dict[str, UrlCheck] | None = None
    if check_urls:
        urls: list[str] = []
        for dataset in found:
            for dist in graph.objects(dataset, DCAT.distribution):
                for predicate in (DCAT.accessURL, DCAT.downloadURL):
                    urls += [str(url) for url in graph.objects(dist, predicate)]
        url_results = _check_all(urls, timeout)
    scores: list[DatasetScore] = []
    met: dict[str, int] = dict.fromkeys(_DISTRIBUTION_KEYS, 0)
    distribution_total = 0
    for dataset in found:
        score, per_distribution = _score(graph, dataset, compliant, url_results)
        scores.append(score)
        distribution_total += len(per_distribution)
        for checks in per_distribution:
            for key in _DISTRIBUTION_KEYS:
                met[key] += checks[key].met
    return QualityReport(
        datasets=tuple(scores),
        url_checks=check_urls,
        compliance_assessed=compliant is not None,
        distribution_total=distribution_total,
        distributions_met=met,
    )


__all__ = [
    "ACCESS_RIGHT_VOCABULARY",
    "DEFAULT_TIMEOUT",
    "DIMENSIONS",
    "FILE_TYPE",
    "IANA_MEDIA_TYPES",
    "INDICATORS",
    "LICENCE_VOCABULARY",
    "MACHINE_READABLE_FORMATS",
    "MAX_POINTS",
    "MEDIA_TYPE_FILE_TYPES",
    "METHODOLOGY",
    "NON_PROPRIETARY_FORMATS",
    "SCHEMA",
    "DatasetScore",
    "Gap",
    "Indicator",
    "IndicatorResult",
    "QualityReport",
    "UrlCheck",
    "assess",
    "check_url",
    "datasets",
    "indicator",
    "rating",
]
