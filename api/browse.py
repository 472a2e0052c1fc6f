"""``/``: browse the data sources with facets; ``/families``: the part-of families at a glance.

The home page lists every ``dcat:Dataset`` in the graph (the sources listed on helsedata.no
and those it only mentions, such as the Cancer Registry), filtered by the facets of
:data:`FACETS` and by free text, a page at a time. Everything the page shows is in its URL
(``/?consent=ConsentNotRequired&controller=helse-bergen-hf&q=kreft&page=2``), so a view can be
bookmarked and works without JavaScript: facet values and "remove filter" are plain links, the
search box is a GET form that carries the active filters along as hidden fields.

Facet counts follow the usual faceted-search convention: the counts of a facet are taken over
the sources that match the text search and every *other* facet's selection, ignoring the
facet's own selection. A count therefore says how many sources the page would list if that
value were chosen instead of (or, for a source with several values, as well as) the current
ones. Values of one facet are alternatives (OR); facets combine with AND; the words of the
search text must all occur (each in a title, other name or description; case is ignored).

Why the work is shaped as it is:

* The graph is to grow to 100 000 sources, so counting and paging happen in the store
  (``GROUP BY`` and ``LIMIT``/``OFFSET``), never by pulling every source into Python. A request
  costs two queries, sent to the worker pool together: one answers every facet's counts, the
  total and the labels at once (a ``UNION`` of aggregates), the other the page of sources.
* Values from the URL are validated as IRIs (by pyoxigraph) or as the facet's short names, and
  reach the query only as RDF terms written by pyoxigraph (``VALUES`` blocks, the mechanism of
  :func:`helsegraf.sparql.bind`): the filters live inside sub-queries, where the one-row
  ``VALUES`` block ``bind`` places at the top would not be seen. The search text becomes a
  literal the same way, and is bounded in length and number of words.
* A value that is well formed but names nothing of its kind in the graph (a mistyped
  organisation slug) is refused with 400, checked by the same counting query.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Literal, URIRef
from rdflib.term import Node
from starlette.datastructures import QueryParams

from helsegraf.engine import EngineError, QueryPool
from helsegraf.namespaces import HG, ID_BASE
from helsegraf.store import SelectResult
from helsegraf.terms import Term, to_oxigraph

from . import web

router = APIRouter(tags=["browse"])

#: Sources per page.
PAGE_SIZE = 50
#: Highest page number accepted (an OFFSET beyond the largest graph planned for).
MAX_PAGE = 10_000
#: Longest search text, in characters, and most words in it.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
#: Most values listed per facet (the most frequent; chosen values are always listed).
MAX_FACET_VALUES = 100
#: Most values one facet may select, and the longest value accepted.
MAX_VALUES = 20
MAX_VALUE_LENGTH = 500

_HG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_PAGE = re.compile(r"^[0-9]{1,6}$")


class BrowseError(ValueError):
    """A request the page cannot answer; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Facet:
    """One facet: how a source relates to its values, and how a value is written in a URL.

    ``link`` and ``known`` are SPARQL patterns with ``$d`` (the source), ``$v`` (the value)
    and ``$x`` (a prefix for helper variables) to fill in.
    """

    name: str
    heading: Mapping[str, str]
    #: How the source ``$d`` has the value ``$v``.
    link: str
    #: What a value must be to be selected (its class or concept scheme).
    known: str
    #: The property whose literals label a value.
    label: str
    #: The namespace a short value is expanded into, and what a short value looks like.
    base: str
    short: re.Pattern[str]
    #: What a value is, for messages, with an example of its short form.
    noun: str
    example: str

    @property
    def var(self) -> str:
        """The facet's name as a SPARQL variable name."""
        return self.name.replace("-", "_")

    def pattern(self, which: str, d: str, v: str) -> str:
        """The ``link`` or ``known`` pattern with its variables filled in."""
        text = self.link if which == "link" else self.known
        return Template(text).substitute(d=d, v=v, x=f"?{self.var}_{which}")

    def parse(self, raw: str) -> URIRef:
        """A value from the URL as an IRI: a full IRI, or a short name in :attr:`base`."""
        value = raw.strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise BrowseError(f"{self.name}: a value longer than {MAX_VALUE_LENGTH} characters")
        if self.short.match(value):
            value = self.base + value
        elif not _ABSOLUTE_IRI.match(value):
            raise BrowseError(
                f"{self.name}: {raw!r} is neither an IRI nor a short name such as {self.example}"
            )
        iri = URIRef(value)
        try:
            to_oxigraph(iri)
        except (ValueError, TypeError) as err:
            raise BrowseError(f"{self.name}: {raw!r} is not a valid IRI") from err
        return iri

    def compact(self, iri: URIRef) -> str:
        """How the URL writes ``iri``: its short name when it has one, else the IRI."""
        value = str(iri)
        if value.startswith(self.base) and self.short.match(value[len(self.base) :]):
            return value[len(self.base) :]
        return value


_ORGANISATIONS = ID_BASE + "organisation/"
FACETS: tuple[Facet, ...] = (
    Facet(
        name="kind",
        heading={"nb": "Type kilde", "en": "Kind of source"},
        link="$d a $v . $v rdfs:subClassOf hg:HealthDataSource .",
        known="$v rdfs:subClassOf hg:HealthDataSource .",
        label="rdfs:label",
        base=str(HG),
        short=_HG_NAME,
        noun="kind of source",
        example="MedicalQualityRegister",
    ),
    Facet(
        name="consent",
        heading={"nb": "Samtykke", "en": "Consent"},
        link="$d hg:consentRegime $v .",
        known="$v skos:inScheme hg:ConsentRegimes .",
        label="skos:prefLabel",
        base=str(HG),
        short=_HG_NAME,
        noun="consent regime",
        example="ConsentNotRequired",
    ),
    Facet(
        name="identifiability",
        heading={"nb": "Identifiserbarhet", "en": "Identifiability"},
        link="$d hg:identifiability $v .",
        known="$v skos:inScheme hg:IdentifiabilityLevels .",
        label="skos:prefLabel",
        base=str(HG),
        short=_HG_NAME,
        noun="level of identifiability",
        example="Pseudonymous",
    ),
    Facet(
        name="controller",
        heading={"nb": "Databehandlingsansvarlig", "en": "Data controller"},
        link="$d dpv:hasDataController $v .",
        known="$v a foaf:Organization .",
        label="foaf:name",
        base=_ORGANISATIONS,
        short=_SLUG,
        noun="organisation",
        example="helse-bergen-hf",
    ),
    Facet(
        name="processor",
        heading={"nb": "Databehandler", "en": "Data processor"},
        link="$d dpv:hasDataProcessor $v .",
        known="$v a foaf:Organization .",
        label="foaf:name",
        base=_ORGANISATIONS,
        short=_SLUG,
        noun="organisation",
        example="helse-bergen-hf",
    ),
    Facet(
        name="legal-basis",
        heading={"nb": "Rettslig grunnlag", "en": "Legal basis"},
        link="$d dpv:hasLegalBasis $v .",
        known=(
            "VALUES ${x}_type { eli:LegalResource eli:LegalResourceSubdivision } $v a ${x}_type ."
        ),
        label="rdfs:label",
        base=ID_BASE + "provision/",
        short=_SLUG,
        noun="provision",
        example="helseregisterloven-7",
    ),
    Facet(
        name="family",
        heading={"nb": "Del av", "en": "Part of"},
        # a family is a whole with everything that is part of it, at any depth, and itself
        link="$v dct:hasPart* $d . FILTER EXISTS { $v dct:hasPart ${x}_part }",
        known="$v dct:hasPart ${x}_part .",
        label="dct:title",
        base=ID_BASE + "dataset/",
        short=_SLUG,
        noun="source with parts",
        example="kreftregisteret",
    ),
)
FACETS_BY_NAME: Mapping[str, Facet] = {f.name: f for f in FACETS}

#: Parameters that are not facets.
CONTROL_PARAMS = ("q", "page", "lang", "format")

#: Words of the browse pages, by language.
WORDS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "title": "Datakilder",
        "intro": (
            "Registre, helseundersøkelser og statistikk fra oversikten på helsedata.no, "
            "og kildene den nevner. Velg verdier for å avgrense listen."
        ),
        "search": "Søk i titler og beskrivelser",
        "search_button": "Søk",
        "filters": "Filtre",
        "active": "Aktive filtre",
        "remove": "Fjern filteret",
        "clear_all": "Fjern alle filtre",
        "text": "Tekst",
        "one_source": "datakilde",
        "sources": "datakilder",
        "none": "Ingen datakilder passer til filtrene.",
        "no_values": "Ingen verdier her.",
        "previous": "Forrige side",
        "next": "Neste side",
        "page": "Side",
        "of": "av",
        "mentioned": "nevnt, ikke oppført",
        "mentioned_help": "Nevnt på helsedata.no, men ikke oppført som egen datakilde",
        "families": "Familier av datakilder",
        "families_link": "Se hvilke kilder som er del av hvilke",
        "families_intro": (
            "Hver boks holder kildene som er del av den; boksene inni kan selv ha deler. "
            "Fargen viser typen kilde, stiplet kant en kilde som bare er nevnt."
        ),
        "in_family": "i familien",
        "show_in_list": "vis i listen",
        "legend": "Forklaring",
        "no_kind": "type ikke oppgitt",
        "json": "Denne visningen som JSON",
        "start_over": "Start på nytt",
    },
    "en": {
        "title": "Data sources",
        "intro": (
            "Registers, health surveys and statistics from the helsedata.no listing, and the "
            "sources it mentions. Choose values to narrow the list."
        ),
        "search": "Search titles and descriptions",
        "search_button": "Search",
        "filters": "Filters",
        "active": "Active filters",
        "remove": "Remove the filter",
        "clear_all": "Remove all filters",
        "text": "Text",
        "one_source": "data source",
        "sources": "data sources",
        "none": "No data source matches the filters.",
        "no_values": "No values here.",
        "previous": "Previous page",
        "next": "Next page",
        "page": "Page",
        "of": "of",
        "mentioned": "mentioned, not listed",
        "mentioned_help": "Mentioned on helsedata.no but not listed as a data source of its own",
        "families": "Families of data sources",
        "families_link": "See which sources are part of which",
        "families_intro": (
            "Each box holds the sources that are part of it; the boxes inside may have parts "
            "of their own. The colour shows the kind of source, a dashed border a source that "
            "is only mentioned."
        ),
        "in_family": "in the family",
        "show_in_list": "show in the list",
        "legend": "Legend",
        "no_kind": "kind not stated",
        "json": "This view as JSON",
        "start_over": "Start over",
    },
}


# -- what the URL asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The state of the browse page: search text, chosen facet values, page and language."""

    q: str = ""
    filters: Mapping[str, tuple[URIRef, ...]] = field(default_factory=dict)
    page: int = 1
    #: The language asked for with ``?lang=`` (kept in links), not one from the headers.
    lang: str | None = None

    @property
    def words(self) -> list[str]:
        """The words of the search text, lower-cased, each once."""
        return list(dict.fromkeys(self.q.lower().split()))

    def values(self, facet: str) -> tuple[URIRef, ...]:
        """The values chosen for ``facet``."""
        return self.filters.get(facet, ())

    @property
    def active(self) -> bool:
        """True when anything narrows the list."""
        return bool(self.q) or any(self.filters.values())

    def toggled(self, facet: str, value: URIRef) -> Selection:
        """This selection with ``value`` added to or removed from ``facet`` (back to page 1)."""
        chosen = self.values(facet)
        changed = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
        return dataclasses.replace(self, filters={**self.filters, facet: changed}, page=1)

    def without_text(self) -> Selection:
        """This selection without the search text."""
        return dataclasses.replace(self, q="", page=1)

    def cleared(self) -> Selection:
        """No filters, no text; the language stays."""
        return Selection(lang=self.lang)

    def at_page(self, page: int) -> Selection:
        """This selection on another page."""
        return dataclasses.replace(self, page=page)

    def params(self, *, with_page: bool = True) -> list[tuple[str, str]]:
        """The URL parameters, in a fixed order so that equal views have equal URLs."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for facet in FACETS:
            pairs.extend((facet.name, facet.compact(v)) for v in self.values(facet.name))
        if with_page and self.page > 1:
            pairs.append(("page", str(self.page)))
        if self.lang:
            pairs.append(("lang", self.lang))
        return pairs

    def url(self, path: str = "/", *, extra: Sequence[tuple[str, str]] = ()) -> str:
        """The relative URL of this view, with short names where a value has one.

        >>> kind = FACETS_BY_NAME["kind"].parse("MedicalQualityRegister")
        >>> act = FACETS_BY_NAME["legal-basis"].parse("https://lovdata.no/eli/lov/2014/06/20/43")
        >>> Selection(q="kreft", filters={"kind": (kind,), "legal-basis": (act,)}, page=2).url()
        '/?q=kreft&kind=MedicalQualityRegister&legal-basis=https%3A%2F%2Flovdata.no%2Feli%2Flov%2F2014%2F06%2F20%2F43&page=2'
        """
        query = urlencode([*self.params(), *extra])
        return f"{path}?{query}" if query else path


def parse_selection(params: QueryParams) -> Selection:
    """The selection a request's query parameters ask for; :class:`BrowseError` if invalid."""
    known = set(FACETS_BY_NAME) | set(CONTROL_PARAMS)
    for key in params:
        if key not in known:
            raise BrowseError(
                f"unknown parameter {key[:50]!r}; the filters are "
                f"{', '.join(FACETS_BY_NAME)}, with q (text), page, lang and format"
            )
    for key in CONTROL_PARAMS:
        if len(params.getlist(key)) > 1:
            raise BrowseError(f"give {key} once, not {len(params.getlist(key))} times")
    q = " ".join(params.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise BrowseError(f"q: the search text is longer than {MAX_QUERY_LENGTH} characters")
    if len(set(q.lower().split())) > MAX_WORDS:
        raise BrowseError(f"q: the search text has more than {MAX_WORDS} words")
    raw_page = params.get("page", "1").strip() or "1"
    if not _PAGE.match(raw_page) or not 1 <= int(raw_page) <= MAX_PAGE:
        raise BrowseError(
            f"page: expected a page number from 1 to {MAX_PAGE}, not {raw_page[:50]!r}"
        )
    filters: dict[str, tuple[URIRef, ...]] = {}
    for facet in FACETS:
        raw_values = [v for v in params.getlist(facet.name) if v.strip()]
        if len(raw_values) > MAX_VALUES:
            raise BrowseError(f"{facet.name}: more than {MAX_VALUES} values")
        chosen = tuple(dict.fromkeys(facet.parse(v) for v in raw_values))
        if chosen:
            filters[facet.name] = chosen
    lang = params.get("lang")
    return Selection(
        q=q,
        filters=filters,
        page=int(raw_page),
        lang=lang if lang in web.LANGUAGES else None,
    )


# -- the queries ----------------------------------------------------------------------------


def _term(term: Term) -> str:
    """``term`` written by pyoxigraph, which validates it and escapes what needs escaping."""
    return str(to_oxigraph(term))


def _values(var: str, terms: Iterable[Term]) -> str:
    """A ``VALUES`` block binding ``?var`` to each of ``terms``."""
    return f"VALUES ?{var} {{ {' '.join(_term(t) for t in terms)} }}"


def _label_filter(var: str) -> str:
    return f'FILTER(lang(?{var}) IN ("nb", "en", ""))'


def restriction(selection: Selection, *, skip: str | None = None) -> str:
    """Patterns keeping the sources ``?d`` that match ``selection``, ignoring facet ``skip``.

    Each facet's choice is a sub-query, so a source matching several chosen values is one
    row, not several; each search word is a ``FILTER EXISTS`` over the texts of the source.
    """
    parts = ["?d a dcat:Dataset ."]
    for facet in FACETS:
        chosen = selection.values(facet.name)
        if facet.name == skip or not chosen:
            continue
        v = f"?chosen_{facet.var}"
        parts.append(
            f"{{ SELECT DISTINCT ?d WHERE {{ {_values(v[1:], chosen)} "
            f"{facet.pattern('link', '?d', v)} }} }}"
        )
    for i, word in enumerate(selection.words):
        parts.append(
            f"FILTER EXISTS {{ {_values(f'word{i}', [Literal(word)])} "
            f"?d dct:title|skos:altLabel|dct:description ?text{i} . "
            f"FILTER(CONTAINS(LCASE(STR(?text{i})), LCASE(?word{i}))) }}"
        )
    return "\n    ".join(parts)


def facet_query(selection: Selection) -> str:
    """One query for the total, every facet's counts and labels, and the chosen values.

    Rows: ``?facet "total"`` with ``?count``; per facet value ``?facet ?value ?count`` with
    one row per label, for the :data:`MAX_FACET_VALUES` most frequent values of each facet;
    per chosen value that is what its facet expects, ``?selected true`` with its count (a
    chosen value may lie beyond the most frequent ones, or match nothing: no count then).
    """
    branches = [
        f"{{ {{ SELECT (COUNT(DISTINCT ?d) AS ?count) WHERE {{\n    {restriction(selection)}\n"
        f'  }} }} BIND("total" AS ?facet) }}'
    ]
    for facet in FACETS:
        label = f"OPTIONAL {{ ?value {facet.label} ?label . {_label_filter('label')} }}"
        others = restriction(selection, skip=facet.name)
        link = facet.pattern("link", "?d", "?value")
        branches.append(
            f"{{ {{ SELECT ?value (COUNT(DISTINCT ?d) AS ?count) WHERE {{\n"
            f"    {others}\n    {link}\n"
            f"  }} GROUP BY ?value ORDER BY DESC(?count) ?value LIMIT {MAX_FACET_VALUES} }}\n"
            f'  BIND("{facet.name}" AS ?facet) {label} }}'
        )
        chosen = selection.values(facet.name)
        if chosen:
            values = _values("value", chosen)
            branches.append(
                f"{{ {values}\n"
                f"  FILTER EXISTS {{ {facet.pattern('known', '', '?value')} }}\n"
                f"  OPTIONAL {{ {{ SELECT ?value (COUNT(DISTINCT ?d) AS ?count) WHERE {{\n"
                f"    {values}\n    {others}\n    {link}\n  }} GROUP BY ?value }} }}\n"
                f'  BIND("{facet.name}" AS ?facet) BIND(true AS ?selected) {label} }}'
            )
    body = "\nUNION\n".join(branches)
    return f"SELECT DISTINCT ?facet ?value ?count ?selected ?label WHERE {{\n{body}\n}}"


def page_query(selection: Selection, lang: str) -> str:
    """The sources of one page, ordered by title in ``lang`` (else nb), with titles and kind."""
    offset = (selection.page - 1) * PAGE_SIZE
    own = _term(Literal(lang))
    return f"""SELECT ?d ?sortKey ?title ?position ?kind ?kindLabel WHERE {{
  {{ SELECT ?d (MIN(?key) AS ?sortKey) WHERE {{
    {restriction(selection)}
    OPTIONAL {{ ?d dct:title ?ownTitle . FILTER(lang(?ownTitle) = {own}) }}
    OPTIONAL {{ ?d dct:title ?nbTitle . FILTER(lang(?nbTitle) = "nb") }}
    BIND(LCASE(COALESCE(?ownTitle, ?nbTitle, STR(?d))) AS ?key)
  }} GROUP BY ?d ORDER BY ?sortKey ?d LIMIT {PAGE_SIZE} OFFSET {offset} }}
  OPTIONAL {{ ?d dct:title ?title . {_label_filter("title")} }}
  OPTIONAL {{ ?d hg:listingPosition ?position }}
  OPTIONAL {{
    ?d a ?kind . ?kind rdfs:subClassOf hg:HealthDataSource .
    OPTIONAL {{ ?kind rdfs:label ?kindLabel . {_label_filter("kindLabel")} }}
  }}
}}"""


FAMILY_QUERY = f"""SELECT DISTINCT ?node ?parent ?title ?position ?kind ?kindLabel WHERE {{
  {{ ?node dct:hasPart ?anyPart }} UNION {{ ?parent dct:hasPart ?node }}
  OPTIONAL {{ ?node dct:title ?title . {_label_filter("title")} }}
  OPTIONAL {{ ?node hg:listingPosition ?position }}
  OPTIONAL {{
    ?node a ?kind . ?kind rdfs:subClassOf hg:HealthDataSource .
    OPTIONAL {{ ?kind rdfs:label ?kindLabel . {_label_filter("kindLabel")} }}
  }}
}}"""
"""Every source that has parts or is part of one, with its wholes, titles and kind."""


# -- from rows to what the pages show -------------------------------------------------------


@dataclass
class FacetValue:
    """One value of a facet, as the page shows it."""

    value: URIRef
    count: int = 0
    labels: set[Node] = field(default_factory=set)
    known: bool = False
    label: str = ""
    selected: bool = False
    url: str = ""


@dataclass
class FacetView:
    """A facet with its values, most frequent first."""

    facet: Facet
    heading: str
    values: list[FacetValue]


def _int(term: Node | None) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


def facet_views(
    result: SelectResult, selection: Selection, lang: str
) -> tuple[int, list[FacetView]]:
    """The total and the facets, from :func:`facet_query`'s rows; 400 for an unknown value."""
    total = 0
    table: dict[str, dict[URIRef, FacetValue]] = {f.name: {} for f in FACETS}
    for row in result.rows:
        name = str(row.get("facet", ""))
        if name == "total":
            total = _int(row.get("count"))
            continue
        value = row.get("value")
        if name not in table or not isinstance(value, URIRef):
            continue
        entry = table[name].setdefault(value, FacetValue(value))
        entry.count = max(entry.count, _int(row.get("count")))
        entry.known = entry.known or "selected" in row
        if "label" in row:
            entry.labels.add(row["label"])
    views: list[FacetView] = []
    for facet in FACETS:
        entries = table[facet.name]
        for value in selection.values(facet.name):
            if value not in entries or not entries[value].known:
                raise BrowseError(
                    f"{facet.name}: the graph has no {facet.noun} {facet.compact(value)!r}"
                )
        for entry in entries.values():
            entry.label = web.text(entry.labels, lang) or facet.compact(entry.value)
            entry.selected = entry.value in selection.values(facet.name)
            entry.url = selection.toggled(facet.name, entry.value).url()
        ordered = sorted(entries.values(), key=lambda e: (-e.count, e.label.casefold()))
        views.append(FacetView(facet, facet.heading[lang], ordered))
    return total, views


def _kind_class(kind: Node | None) -> str:
    """A CSS class for a kind of source (``kind-MedicalQualityRegister``), or ``kind-none``."""
    name = str(kind)[len(str(HG)) :] if str(kind).startswith(str(HG)) else ""
    return f"kind-{name}" if _HG_NAME.match(name) else "kind-none"


def source_items(result: SelectResult, lang: str) -> list[dict[str, Any]]:
    """The sources of a page from :func:`page_query`'s rows, in title order."""
    sources: dict[URIRef, dict[str, Any]] = {}
    for row in result.rows:
        iri = row.get("d")
        if not isinstance(iri, URIRef):
            continue
        item = sources.setdefault(
            iri,
            {"iri": iri, "key": str(row.get("sortKey", "")), "titles": set(), "kindLabels": set()},
        )
        if "title" in row:
            item["titles"].add(row["title"])
        if "position" in row:
            item["position"] = _int(row["position"])
        if "kind" in row:
            item["kind"] = row["kind"]
        if "kindLabel" in row:
            item["kindLabels"].add(row["kindLabel"])
    items = []
    for item in sorted(sources.values(), key=lambda i: (i["key"], str(i["iri"]))):
        kind = item.get("kind")
        items.append(
            {
                "iri": str(item["iri"]),
                "href": web.href(item["iri"]),
                "title": web.text(item["titles"], lang) or str(item["iri"]),
                "listed": "position" in item,
                "listingPosition": item.get("position"),
                "kind": str(kind) if kind is not None else None,
                "kindLabel": web.text(item["kindLabels"], lang) or None,
                "kindClass": _kind_class(kind),
            }
        )
    return items


# -- the routes -----------------------------------------------------------------------------


def _negotiate(request: Request) -> tuple[bool, BrowseError | None]:
    """True for HTML: ``?format=html|json`` decides, else the ``Accept`` header.

    A bad ``format`` is an error, reported in the form the ``Accept`` header prefers.
    """
    html = web.wants_html(request, ["application/json"])
    fmt = request.query_params.get("format")
    if fmt is None:
        return html, None
    if fmt not in ("html", "json"):
        return html, BrowseError(f"format: expected html or json, not {fmt[:50]!r}")
    return fmt == "html", None


_VARY = {"Vary": "Accept, Accept-Language"}


def _error(request: Request, err: BrowseError, html: bool, lang: str) -> Response:
    if html:
        return web.render(
            request,
            "browse.html",
            {
                "t": WORDS[lang],
                "error": err.message,
                "start_over": Selection(lang=_lang_param(request)).url(),
            },
            status_code=err.status,
        )
    return JSONResponse({"detail": err.message}, status_code=err.status, headers=_VARY)


def _lang_param(request: Request) -> str | None:
    lang = request.query_params.get("lang")
    return lang if lang in web.LANGUAGES else None


@router.get(
    "/",
    summary="Browse the data sources with facets (HTML, or JSON with the facet counts).",
    responses={
        200: {"content": {"text/html": {}, "application/json": {}}},
        400: {"description": "A filter value, the search text or the page is not valid."},
        404: {"description": "The page is past the last page of results."},
    },
)
async def browse(request: Request) -> Response:
    lang = web.language(request)
    html, bad_format = _negotiate(request)
    try:
        if bad_format:
            raise bad_format
        selection = parse_selection(request.query_params)
        pool: QueryPool = request.app.state.pool
        counted, listed = await asyncio.gather(
            pool.select(facet_query(selection), cached=True),
            pool.select(page_query(selection, lang), cached=True),
        )
        total, facets = facet_views(counted, selection, lang)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if selection.page > pages:
            raise BrowseError(
                f"page {selection.page} is past the last page ({pages}) of this view", 404
            )
    except BrowseError as err:
        return _error(request, err, html, lang)
    sources = source_items(listed, lang)
    prev_url = selection.at_page(selection.page - 1).url() if selection.page > 1 else None
    next_url = selection.at_page(selection.page + 1).url() if selection.page < pages else None
    if not html:
        return JSONResponse(
            {
                "lang": lang,
                "q": selection.q,
                "filters": {f: [str(v) for v in vs] for f, vs in selection.filters.items() if vs},
                "total": total,
                "page": selection.page,
                "pages": pages,
                "pageSize": PAGE_SIZE,
                "prev": prev_url,
                "next": next_url,
                "sources": [{k: v for k, v in s.items() if k != "kindClass"} for s in sources],
                "facets": {
                    view.facet.name: [
                        {
                            "value": str(e.value),
                            "label": e.label,
                            "count": e.count,
                            "selected": e.selected,
                            "url": e.url,
                        }
                        for e in view.values
                    ]
                    for view in facets
                },
            },
            headers=_VARY,
        )
    active = [
        {"facet": view.facet, "value": e, "url": e.url}
        for view in facets
        for e in view.values
        if e.selected
    ]
    first = (selection.page - 1) * PAGE_SIZE + 1
    return web.render(
        request,
        "browse.html",
        {
            "t": WORDS[lang],
            "selection": selection,
            "hidden": selection.params(with_page=False),
            "facets": facets,
            "active": active,
            "text_removed": selection.without_text().url(),
            "cleared": selection.cleared().url(),
            "sources": sources,
            "total": total,
            "page": selection.page,
            "pages": pages,
            "first": first,
            "last": first + len(sources) - 1,
            "prev_url": prev_url,
            "next_url": next_url,
            "json_url": selection.url(extra=[("format", "json")]),
            "families_url": Selection(lang=selection.lang).url("/families"),
        },
    )


@dataclass
class FamilyNode:
    """A source in the part-of diagram, with its parts."""

    iri: URIRef
    titles: set[Node] = field(default_factory=set)
    kind: Node | None = None
    kind_labels: set[Node] = field(default_factory=set)
    listed: bool = False
    parents: set[URIRef] = field(default_factory=set)
    parts: set[URIRef] = field(default_factory=set)


def family_trees(result: SelectResult, lang: str, keep_lang: str | None) -> list[dict[str, Any]]:
    """The families as trees: each whole that is part of nothing, its parts nested inside.

    A part with several wholes appears under each; a cycle in the data is cut where it
    closes, so a broken graph still draws.
    """
    nodes: dict[URIRef, FamilyNode] = {}
    for row in result.rows:
        iri = row.get("node")
        if not isinstance(iri, URIRef):
            continue
        node = nodes.setdefault(iri, FamilyNode(iri))
        parent = row.get("parent")
        if isinstance(parent, URIRef):
            node.parents.add(parent)
            nodes.setdefault(parent, FamilyNode(parent)).parts.add(iri)
        if "title" in row:
            node.titles.add(row["title"])
        if "kind" in row:
            node.kind = row["kind"]
        if "kindLabel" in row:
            node.kind_labels.add(row["kindLabel"])
        node.listed = node.listed or "position" in row

    def title(iri: URIRef) -> str:
        return web.text(nodes[iri].titles, lang) or str(iri)

    def tree(iri: URIRef, path: frozenset[URIRef]) -> dict[str, Any]:
        node = nodes[iri]
        parts = [tree(p, path | {p}) for p in sorted(node.parts, key=title) if p not in path]
        size = 1 + sum(p["size"] for p in parts)
        return {
            "iri": str(iri),
            "href": web.href(iri),
            "title": title(iri),
            "listed": node.listed,
            "kind": str(node.kind) if node.kind is not None else None,
            "kindLabel": web.text(node.kind_labels, lang) or None,
            "kindClass": _kind_class(node.kind),
            "size": size,
            "browse": Selection(filters={"family": (iri,)}, lang=keep_lang).url()
            if node.parts
            else None,
            "parts": parts,
        }

    roots = [iri for iri, node in nodes.items() if not node.parents]
    return [tree(r, frozenset({r})) for r in sorted(roots, key=title)]


@router.get(
    "/families",
    summary="The part-of families of data sources, as nested boxes (HTML) or trees (JSON).",
    responses={200: {"content": {"text/html": {}, "application/json": {}}}},
)
async def families(request: Request) -> Response:
    lang = web.language(request)
    html, bad_format = _negotiate(request)
    try:
        if bad_format:
            raise bad_format
        unknown = [k for k in request.query_params if k not in ("lang", "format")]
        if unknown:
            raise BrowseError(f"unknown parameter {unknown[0][:50]!r}; use lang or format")
    except BrowseError as err:
        return _error(request, err, html, lang)
    pool: QueryPool = request.app.state.pool
    trees = family_trees(await pool.select(FAMILY_QUERY, cached=True), lang, _lang_param(request))
    if not html:
        return JSONResponse({"lang": lang, "families": trees}, headers=_VARY)
    kinds: dict[str, str] = {}

    def collect(node: Mapping[str, Any]) -> None:
        kinds.setdefault(node["kindClass"], node["kindLabel"] or WORDS[lang]["no_kind"])
        for part in node["parts"]:
            collect(part)

    for root in trees:
        collect(root)
    return web.render(
        request,
        "families.html",
        {
            "t": WORDS[lang],
            "families": trees,
            "legend": sorted(kinds.items(), key=lambda kv: (kv[0] == "kind-none", kv[1])),
            "browse_url": Selection(lang=_lang_param(request)).url(),
        },
    )


async def keep_warm(pool: QueryPool, interval: float = 2.0) -> None:
    """Keep the unfiltered views' answers computed for the published generation.

    Their facet counts aggregate the whole catalog (seconds at 100k sources). The pool
    caches them per store generation; this task recomputes them as soon as a publish changes
    the generation, so people opening the catalog do not pay for it. Runs until the pool closes.
    """
    everything = parse_selection(QueryParams(""))
    queries = [facet_query(everything), FAMILY_QUERY]
    queries += [page_query(everything, lang) for lang in web.LANGUAGES]
    seen: object = None
    while not pool.closed:
        generation = pool.source.generation()
        if generation != seen:
            try:
                for query in queries:
                    await pool.select(query, cached=True)
                seen = generation
            except EngineError:
                pass  # busy or timed out: try again at the next tick
        await asyncio.sleep(interval)
