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

* The graph is to grow to 100 000 sources, where any query over the whole catalog (a facet
  count, a search, an ``ORDER BY`` title) takes the store seconds. Views are therefore computed
  from a facet index (:mod:`helsegraf.browse_index`): every source's facet values, search
  text and place in the title order, read once per store generation, from which any filter
  combination's counts and page take milliseconds. The index also holds what the list shows
  of each source (title, listing position, kind) and the part-of links ``/families`` draws,
  so a view asks the store nothing: no view waits behind other queries for a worker.
* The index of a store directory is read from the file a publish may keep beside the
  generation (:func:`helsegraf.browse_index.write_index`), else built from the store in
  a thread as soon as the generation is published (:func:`keep_warm`); a request that comes
  before it is ready waits for it. A remote SPARQL server has no generation the api can see,
  so nothing computed from it could be kept: there each view is counted and paged by the
  server, with :func:`facet_query` (every facet's counts, the total and the labels at once, a
  ``UNION`` of aggregates) and :func:`page_query`, sent together, and the families are read
  with :data:`FAMILY_QUERY`. Both ways give the same views; the tests compare them.
* Values from the URL are validated as IRIs (by pyoxigraph) or as the facet's short names, and
  reach a query only as RDF terms written by pyoxigraph (``VALUES`` blocks, the mechanism of
  :func:`helsegraf.sparql.bind`): the filters live inside sub-queries, where the one-row
  ``VALUES`` block ``bind`` places at the top would not be seen. The search text becomes a
  literal the same way, and is bounded in length and number of words.
* A value that is well formed but names nothing of its kind in the graph (a mistyped
  organisation slug) is refused with 400 (the index keeps what each facet may select; the
  counting query checks it too).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Literal, URIRef
from rdflib.term import Node
from starlette.datastructures import QueryParams

from helsegraf.browse_index import (
    FACETS,
    FACETS_BY_NAME,
    KIND_FACET,
    MAX_VALUES,
    BrowseError,
    Facet,
    FacetIndex,
    View,
    best,
    build_for_directory,
    build_for_nquads,
)
from helsegraf.engine import EngineError, QueryPool, QueryTimeoutError
from helsegraf.namespaces import HG
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

_HG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_PAGE = re.compile(r"^[0-9]{1,6}$")

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
    return total, _views(table, selection, lang)


def index_views(index: FacetIndex, view: View, selection: Selection, lang: str) -> list[FacetView]:
    """The facets of a view computed with the index; 400 for an unknown value."""
    table: dict[str, dict[URIRef, FacetValue]] = {f.name: {} for f in FACETS}
    for facet in FACETS:
        entries = table[facet.name]
        for value, count in view.counts[facet.name]:
            iri = URIRef(value)
            entries[iri] = FacetValue(
                iri,
                count,
                known=index.known(facet.name, value),
                label=best(index.labels(facet.name, value), lang),
            )
    return _views(table, selection, lang)


def _views(
    table: Mapping[str, Mapping[URIRef, FacetValue]], selection: Selection, lang: str
) -> list[FacetView]:
    views: list[FacetView] = []
    for facet in FACETS:
        entries = table[facet.name]
        for value in selection.values(facet.name):
            if value not in entries or not entries[value].known:
                raise BrowseError(
                    f"{facet.name}: the graph has no {facet.noun} {facet.compact(value)!r}"
                )
        for entry in entries.values():
            labels = sorted(entry.labels, key=_literal_order)  # the first in text order
            entry.label = entry.label or web.text(labels, lang) or facet.compact(entry.value)
            entry.selected = entry.value in selection.values(facet.name)
            entry.url = selection.toggled(facet.name, entry.value).url()
        ordered = sorted(entries.values(), key=lambda e: (-e.count, e.label.casefold()))
        views.append(FacetView(facet, facet.heading[lang], ordered))
    return views


def _kind_class(kind: object) -> str:
    """A CSS class for a kind of source (``kind-MedicalQualityRegister``), or ``kind-none``."""
    name = str(kind)[len(str(HG)) :] if str(kind).startswith(str(HG)) else ""
    return f"kind-{name}" if _HG_NAME.match(name) else "kind-none"


def source_items(result: SelectResult, lang: str) -> list[dict[str, Any]]:
    """The sources of a page from :func:`page_query`'s rows, in title order.

    A source with several titles in a language shows the first of them in text order, with
    several kinds the first kind by IRI (with that kind's label), with several listing
    positions the lowest: as the facet index does.
    """
    sources: dict[URIRef, dict[str, Any]] = {}
    for row in result.rows:
        iri = row.get("d")
        if not isinstance(iri, URIRef):
            continue
        item = sources.setdefault(
            iri, {"iri": iri, "key": str(row.get("sortKey", "")), "titles": set(), "kinds": {}}
        )
        if "title" in row:
            item["titles"].add(row["title"])
        if "position" in row:
            position = _int(row["position"])
            item["position"] = min(item.get("position", position), position)
        if "kind" in row:
            labels = item["kinds"].setdefault(str(row["kind"]), set())
            if "kindLabel" in row:
                labels.add(row["kindLabel"])
    items = []
    for item in sorted(sources.values(), key=lambda i: (i["key"], str(i["iri"]))):
        kind = min(item["kinds"], default=None)
        items.append(
            _item(
                str(item["iri"]),
                web.text(sorted(item["titles"], key=_literal_order), lang),
                item.get("position"),
                kind,
                web.text(sorted(item["kinds"][kind], key=_literal_order), lang) if kind else "",
            )
        )
    return items


def _literal_order(label: Node) -> tuple[str, str]:
    return (str(label), label.language or "") if isinstance(label, Literal) else (str(label), "")


def index_items(index: FacetIndex, numbers: Sequence[int], lang: str) -> list[dict[str, Any]]:
    """The sources of a page from the index (source numbers, in order)."""
    items = []
    for number in numbers:
        iri = index.sources[number]
        if iri.startswith("_:"):
            continue  # a blank node is counted, never listed (it has no page)
        kind = index.kind(number)
        kind_label = best(index.labels(KIND_FACET, kind), lang) if kind else ""
        title = index.shown.titles[lang][number]
        items.append(_item(iri, title, index.position(number), kind, kind_label))
    return items


def _item(
    iri: str, title: str, position: int | None, kind: str | None, kind_label: str
) -> dict[str, Any]:
    return {
        "iri": iri,
        "href": web.href(iri),
        "title": title or iri,
        "listed": position is not None,
        "listingPosition": position,
        "kind": kind,
        "kindLabel": kind_label or None,
        "kindClass": _kind_class(kind),
    }


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


def _pages(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def _check_page(selection: Selection, total: int) -> None:
    pages = _pages(total)
    if selection.page > pages:
        raise BrowseError(
            f"page {selection.page} is past the last page ({pages}) of this view", 404
        )


async def _view(
    pool: QueryPool, selection: Selection, lang: str
) -> tuple[int, list[FacetView], list[dict[str, Any]]]:
    """The total, the facets and the page's sources of a view: from the facet index, else
    (a remote store, or no index within the query time limit) from the store."""
    index = await facet_index(pool, wait=pool.limits.timeout)
    if index is None:
        counted, listed = await asyncio.gather(
            pool.select(facet_query(selection), cached=True),
            pool.select(page_query(selection, lang), cached=True),
        )
        total, facets = facet_views(counted, selection, lang)
        _check_page(selection, total)
        return total, facets, source_items(listed, lang)
    chosen = {name: [str(v) for v in values] for name, values in selection.filters.items()}
    options: dict[str, Any] = {
        "lang": lang,
        "offset": (selection.page - 1) * PAGE_SIZE,
        "size": PAGE_SIZE,
        "limit": MAX_FACET_VALUES,
    }
    if index.counted(chosen, selection.words, MAX_FACET_VALUES):
        view = index.view(chosen, selection.words, **options)
    else:  # tens of milliseconds at 100 000 sources: away from the event loop
        view = await asyncio.to_thread(index.view, chosen, selection.words, **options)
    facets = index_views(index, view, selection, lang)
    _check_page(selection, view.total)
    return view.total, facets, index_items(index, view.page, lang)


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
        total, facets, sources = await _view(request.app.state.pool, selection, lang)
    except BrowseError as err:
        return _error(request, err, html, lang)
    pages = _pages(total)
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
    title: str = ""
    kind: str | None = None
    kind_label: str = ""
    listed: bool = False
    parents: set[URIRef] = field(default_factory=set)
    parts: set[URIRef] = field(default_factory=set)


def family_nodes(result: SelectResult, lang: str) -> dict[URIRef, FamilyNode]:
    """The diagram's nodes from :data:`FAMILY_QUERY`'s rows. A node with several titles in a
    language shows the first in text order, with several kinds the first by IRI: as the
    index does."""
    nodes: dict[URIRef, FamilyNode] = {}
    titles: dict[URIRef, set[Node]] = {}
    kinds: dict[URIRef, dict[str, set[Node]]] = {}
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
            titles.setdefault(iri, set()).add(row["title"])
        if "kind" in row:
            labels = kinds.setdefault(iri, {}).setdefault(str(row["kind"]), set())
            if "kindLabel" in row:
                labels.add(row["kindLabel"])
        node.listed = node.listed or "position" in row
    for iri, node in nodes.items():
        node.title = web.text(sorted(titles.get(iri, ()), key=_literal_order), lang)
        kind_labels = kinds.get(iri, {})
        node.kind = min(kind_labels, default=None)
        if node.kind is not None:
            node.kind_label = web.text(sorted(kind_labels[node.kind], key=_literal_order), lang)
    return nodes


def index_family_nodes(index: FacetIndex, lang: str) -> dict[URIRef, FamilyNode]:
    """The diagram's nodes from the index."""
    drawn = index.families
    iris = [URIRef(node) for node in drawn.nodes]
    nodes: dict[URIRef, FamilyNode] = {}
    for i, iri in enumerate(iris):
        kind = drawn.kinds[i]
        nodes[iri] = FamilyNode(
            iri,
            title=drawn.titles[lang][i],
            kind=kind,
            kind_label=best(index.labels(KIND_FACET, kind), lang) if kind else "",
            listed=drawn.listed[i],
        )
    edges = drawn.edges
    for i in range(0, len(edges), 2):
        whole, part = iris[edges[i]], iris[edges[i + 1]]
        nodes[part].parents.add(whole)
        nodes[whole].parts.add(part)
    return nodes


def family_trees(nodes: Mapping[URIRef, FamilyNode], keep_lang: str | None) -> list[dict[str, Any]]:
    """The families as trees: each whole that is part of nothing, its parts nested inside,
    in title order (then IRI).

    A part with several wholes appears under each; a cycle in the data is cut where it
    closes, so a broken graph still draws.
    """

    def title(iri: URIRef) -> str:
        return nodes[iri].title or str(iri)

    def order(iri: URIRef) -> tuple[str, str]:
        return title(iri), str(iri)

    def tree(iri: URIRef, path: frozenset[URIRef]) -> dict[str, Any]:
        node = nodes[iri]
        parts = [tree(p, path | {p}) for p in sorted(node.parts, key=order) if p not in path]
        size = 1 + sum(p["size"] for p in parts)
        return {
            "iri": str(iri),
            "href": web.href(iri),
            "title": title(iri),
            "listed": node.listed,
            "kind": node.kind,
            "kindLabel": node.kind_label or None,
            "kindClass": _kind_class(node.kind),
            "size": size,
            "browse": Selection(filters={"family": (iri,)}, lang=keep_lang).url()
            if node.parts
            else None,
            "parts": parts,
        }

    roots = [iri for iri, node in nodes.items() if not node.parents]
    return [tree(r, frozenset({r})) for r in sorted(roots, key=order)]


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
    index = await facet_index(pool, wait=pool.limits.timeout)
    if index is None:
        nodes = family_nodes(await pool.select(FAMILY_QUERY, cached=True), lang)
    else:
        nodes = index_family_nodes(index, lang)
    trees = family_trees(nodes, _lang_param(request))
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


# -- the facet index of the published generation --------------------------------------------


@dataclass
class _Indexes:
    """A pool's facet index: of which generation, and the task making one."""

    generation: object = None
    index: FacetIndex | None = None
    making: asyncio.Task[FacetIndex | None] | None = None
    making_for: object = None
    #: A generation whose index could not be made, and when (it is tried again later).
    failed_for: object = None
    failed_at: float = 0.0


_INDEXES: WeakKeyDictionary[QueryPool, _Indexes] = WeakKeyDictionary()
#: How long after a failure to make the index views are asked of the store before it is
#: tried again.
RETRY_SECONDS = 60.0
_log = logging.getLogger(__name__)


async def facet_index(pool: QueryPool, *, wait: float | None = None) -> FacetIndex | None:
    """The facet index of the generation the pool's store publishes now, read or built once
    per generation (every request that needs it meanwhile waits for the same work).

    None sends the view to the store instead: for a remote SPARQL server (no generation says
    when its graph has changed, so nothing computed from it can be kept), when making the
    index failed for this generation, or when it is not ready within ``wait`` seconds.
    """
    source = pool.source
    if source.remote is not None:
        return None
    kept = _INDEXES.setdefault(pool, _Indexes())
    generation = source.generation()
    if kept.index is not None and kept.generation == generation:
        return kept.index
    if kept.failed_for == generation and time.monotonic() - kept.failed_at < RETRY_SECONDS:
        return None
    if kept.making is None or kept.making_for != generation:
        kept.index = None  # the old generation's index is not shown again: let it go
        kept.making_for = generation
        kept.making = asyncio.get_running_loop().create_task(_make(pool, kept, generation))
    try:
        return await asyncio.wait_for(asyncio.shield(kept.making), wait)
    except TimeoutError:
        return None


def kept_index(pool: QueryPool) -> FacetIndex | None:
    """The facet index the pool's views are computed with now, if one is ready."""
    kept = _INDEXES.get(pool)
    if kept is None or kept.generation != pool.source.generation():
        return None
    return kept.index


async def _make(pool: QueryPool, kept: _Indexes, generation: object) -> FacetIndex | None:
    source = pool.source
    try:
        if source.path is not None:
            index = await asyncio.to_thread(build_for_directory, source.path)
        else:
            index = await asyncio.to_thread(build_for_nquads, source.nquads)
    except Exception:  # the store cannot be read now (switched away, removed): ask it instead
        _log.warning("no browse index for this generation: views ask the store", exc_info=True)
        if kept.making_for == generation:
            kept.failed_for, kept.failed_at = generation, time.monotonic()
            kept.making = None
        return None
    if kept.making_for == generation:
        kept.index, kept.generation = index, generation
    return index


async def keep_warm(pool: QueryPool, interval: float = 2.0) -> None:
    """Have the facet index of the published generation ready, read or built as soon as a
    publish changes the generation, so that no view waits for it. Runs until the pool
    closes; a remote store has nothing that can be kept.

    Without an index (it could not be made), the unfiltered views and the families are asked
    of the store instead, once per generation. The families' query reads every part-of link
    with titles and kinds (tens of seconds at 100 000 sources): when it runs out of time, the
    first visitor of ``/families`` asks again, rather than a worker being kept busy with it.
    """
    if pool.source.remote is not None:
        return
    seen: object = None
    while not pool.closed:
        generation = pool.source.generation()
        if generation != seen:
            try:
                if await facet_index(pool) is None:
                    everything = Selection()
                    await pool.select(facet_query(everything), cached=True)
                    for lang in web.LANGUAGES:
                        await pool.select(page_query(everything, lang), cached=True)
                    await pool.select(FAMILY_QUERY, cached=True)
                seen = generation
            except QueryTimeoutError:
                seen = generation
            except EngineError:
                pass  # busy: try again at the next tick
        await asyncio.sleep(interval)
