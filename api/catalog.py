"""``GET /catalog``: the DCAT catalog harvesters read, and ``GET /catalog/quality``.

``/catalog`` serves DCAT-AP-NO by default and HealthDCAT-AP with ``?profile=healthdcat-ap``
(:mod:`helsegraf.catalog` says how the two differ), in Turtle, RDF/XML, JSON-LD or
N-Triples by ``Accept`` or ``format``, and as a page for people. A harvester that sends no
``Accept`` gets Turtle with its ``Content-Type``.

Every answer carries a strong ``ETag`` (a hash of the body) and, for a store on disk,
``Last-Modified`` (when the store last changed); ``If-None-Match`` and
``If-Modified-Since`` give ``304 Not Modified``. A catalog larger than one page
(``page_size``, default 1000 datasets) is split into pages linked with Hydra's
``hydra:next``/``hydra:previous``, so no request builds a catalog of 100,000 sources.

Built documents are kept per store generation, so a harvest of an unchanged catalog costs
no query at all; a publish changes the generation and the next request rebuilds. A remote
store has no generation to watch: what is built from it is kept for
:data:`REMOTE_INDEX_SECONDS`, so a publish there shows within that time, and a client asking
again and again for the quality report (seconds of SHACL) does not run it again each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from rdflib import Graph, URIRef

from helsegraf import catalog as dcat_catalog
from helsegraf import formats
from helsegraf.catalog import Page, Profile, Site
from helsegraf.engine import EngineError, QueryPool
from helsegraf.namespaces import DCAT, DCTERMS, FOAF, RDF

from . import web
from .resources import _RefusedError, negotiate

router = APIRouter(tags=["catalog"])

#: What the catalog can be sent as; Turtle first, for harvesters that send no Accept.
OFFERS: Final = (formats.TURTLE, formats.RDFXML, formats.JSONLD, formats.NTRIPLES, formats.HTML)

#: Built documents kept (per generation, profile, page, format and public URL).
CACHE_ENTRIES: Final = 64


@dataclass(frozen=True)
class _Built:
    body: bytes
    etag: str


class _Cache:
    """Catalog documents of the current store generation (or time slot, for a remote store),
    least recently used dropped."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[Any, ...], _Built] = OrderedDict()
        self.lock = asyncio.Lock()
        #: The catalog's datasets in IRI order, and the generation (or time slot) they are of.
        self.index: tuple[Any, list[URIRef]] | None = None

    def get(self, key: tuple[Any, ...]) -> _Built | None:
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
        return hit

    def put(self, key: tuple[Any, ...], built: _Built) -> None:
        self.entries[key] = built
        while len(self.entries) > CACHE_ENTRIES:
            self.entries.popitem(last=False)


def _cache(request: Request) -> _Cache:
    state = request.app.state
    if getattr(state, "catalog_cache", None) is None:
        state.catalog_cache = _Cache()
    cache: _Cache = state.catalog_cache
    return cache


class _BadRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _profile(request: Request) -> Profile:
    asked = request.query_params.get("profile", Profile.DCAT_AP_NO.value)
    try:
        return Profile(asked)
    except ValueError:
        names = ", ".join(p.value for p in Profile)
        raise _BadRequestError(
            400, f"unknown profile {asked[:80]!r}; use one of: {names}"
        ) from None


def _positive(request: Request, name: str, default: int, largest: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # isascii: str.isdigit() also accepts "²" and "⑨", which int() refuses
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= largest:
        raise _BadRequestError(400, f"{name} must be a whole number from 1 to {largest}")
    return int(raw)


def site_of(request: Request) -> Site:
    """The public URL the request reached, and the base of resource IRIs."""
    root = str(request.base_url)
    return Site(
        root=root if root.endswith("/") else root + "/",
        base_iri=request.app.state.settings.base_iri,
    )


def last_modified(pool: QueryPool) -> datetime | None:
    """When the published graph last changed, for a store on disk; else unknown."""
    stamp = pool.source.modified()
    if stamp is None:
        return None
    return datetime.fromtimestamp(int(stamp), tz=UTC)


async def catalog_graph(
    pool: QueryPool,
    cache: _Cache,
    profile: Profile,
    site: Site,
    number: int,
    size: int,
    modified: datetime | None,
) -> Graph | None:
    """One page of the catalog as a graph, or None when the page does not exist."""
    located = await _locate(pool, cache, number, size)
    if located is None:
        return None
    page, datasets = located
    graphs: list[Graph] = []
    if datasets:
        graphs = list(
            await asyncio.gather(
                pool.construct(dcat_catalog.facts_query(datasets)),
                pool.construct(dcat_catalog.organisations_query(datasets)),
            )
        )
    facts = dcat_catalog.merged(graphs)
    day = modified.date().isoformat() if modified is not None else None
    return await asyncio.to_thread(
        dcat_catalog.build, facts, datasets, profile, site, page, modified=day
    )


#: How long what is built from a remote store (its list of datasets, catalog documents and
#: quality reports) is reused: it has no generation to watch.
REMOTE_INDEX_SECONDS: Final = 60.0


def _version(pool: QueryPool) -> Any:
    """What built documents are kept under: the store's generation, or for a remote store
    the current slot of :data:`REMOTE_INDEX_SECONDS`."""
    if pool.source.remote is None:
        return pool.source.generation()
    return ("remote", int(time.monotonic() // REMOTE_INDEX_SECONDS))


async def _locate(
    pool: QueryPool, cache: _Cache, number: int, size: int
) -> tuple[Page, list[URIRef]] | None:
    """The page ``number`` of ``size`` datasets and its datasets, or None past the last page."""
    index = await _index(pool, cache)
    page = Page(number, size, len(index))
    if number > page.last:
        return None
    return page, dcat_catalog.page_of(index, number, size)


async def _index(pool: QueryPool, cache: _Cache) -> list[URIRef]:
    """Every catalogued dataset in IRI order: kept per store generation (a remote store's for
    :data:`REMOTE_INDEX_SECONDS`), since every page is cut from it."""
    key = _version(pool)
    if cache.index is not None and cache.index[0] == key:
        return cache.index[1]
    index = dcat_catalog.index_of((await pool.select(dcat_catalog.INDEX_QUERY)).rows)
    cache.index = (key, index)
    return index


async def keep_warm(app: Any, interval: float = 2.0) -> None:
    """Keep the catalog's index (its datasets in order) for the published
    generation, rebuilt as soon as a publish changes it, so no harvester pays for it. Runs
    until the pool closes."""
    pool: QueryPool = app.state.pool
    if pool.source.remote is not None:
        return  # no generation to watch; the index is rebuilt on demand
    state = app.state
    if getattr(state, "catalog_cache", None) is None:
        state.catalog_cache = _Cache()
    while not pool.closed:
        with contextlib.suppress(EngineError):  # busy or timed out: again at the next tick
            await _index(pool, state.catalog_cache)
        await asyncio.sleep(interval)


async def _document(
    pool: QueryPool,
    cache: _Cache,
    profile: Profile,
    site: Site,
    number: int,
    size: int,
    modified: datetime | None,
    media: str,
) -> bytes | None:
    """One page of the catalog serialised, built in a query worker; None for no such page."""
    located = await _locate(pool, cache, number, size)
    if located is None:
        return None
    page, datasets = located
    return await pool.catalog(
        dcat_catalog.PageRequest(
            profile,
            site,
            tuple(datasets),
            page,
            modified.date().isoformat() if modified is not None else None,
            media,
        )
    )


def _not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; If-Modified-Since only without it."""
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 asks
    if when.tzinfo is None:
        return False
    return modified <= when


@router.get(
    "/catalog",
    summary="The DCAT catalog of every source, for harvesters (DCAT-AP-NO or HealthDCAT-AP).",
    responses={
        200: {
            "description": "One page of the catalog (all of it up to page_size datasets).",
            "content": {m: {} for m in OFFERS},
        },
        304: {"description": "Not modified since the ETag or date the client holds."},
        400: {
            "description": "Unknown profile, bad page number, or an unreadable Accept or format."
        },
        404: {"description": "No such page."},
        406: {"description": "No acceptable media type."},
    },
)
async def catalog(request: Request) -> Response:
    """The catalog in the profile, page and format asked for."""
    try:
        profile = _profile(request)
        number = _positive(request, "page", 1, 10**9)
        size = _positive(
            request, "page_size", dcat_catalog.DEFAULT_PAGE_SIZE, dcat_catalog.MAX_PAGE_SIZE
        )
        media = negotiate(request, OFFERS)
    except (_BadRequestError, _RefusedError) as err:
        return PlainTextResponse(err.message, status_code=err.status, headers={"Vary": "Accept"})
    pool: QueryPool = request.app.state.pool
    site = site_of(request)
    modified = last_modified(pool)
    key = (_version(pool), profile, number, size, media, site.root, web.language(request))
    cache = _cache(request)
    built = cache.get(key)
    if built is None:
        if media == formats.HTML:
            graph = await catalog_graph(pool, cache, profile, site, number, size, modified)
            body = _page(request, graph, profile, site) if graph is not None else None
        else:
            body = await _document(pool, cache, profile, site, number, size, modified, media)
        if body is None:
            return PlainTextResponse(
                f"the catalog has no page {number} of {size} datasets", status_code=404
            )
        built = _Built(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        cache.put(key, built)
    headers = {"ETag": built.etag, "Vary": "Accept, Accept-Language", "Cache-Control": "no-cache"}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if _not_modified(request, built.etag, modified):
        return Response(status_code=304, headers=headers)
    headers["Link"] = ", ".join(
        f'<{site.document(profile)}&format={name}>; rel="alternate"; type="{m}"'
        for m, name in (
            (formats.TURTLE, "ttl"),
            (formats.JSONLD, "jsonld"),
            (formats.RDFXML, "rdf"),
            (formats.NTRIPLES, "nt"),
        )
        if m != media
    )
    return Response(built.body, media_type=formats.with_charset(media), headers=headers)


def _page(request: Request, graph: Graph, profile: Profile, site: Site) -> bytes:
    """The catalog for a person: its datasets with their publishers, and the formats."""
    lang = web.language(request)
    rows = []
    for dataset in sorted(graph.objects(site.catalog, DCAT.dataset), key=str):
        publisher = graph.value(dataset, DCTERMS.publisher)
        rows.append(
            {
                "iri": str(dataset),
                "href": web.href(str(dataset)),
                "title": web.text(graph.objects(dataset, DCTERMS.title), lang),
                "publisher": web.text(graph.objects(publisher, FOAF.name), lang)
                if publisher
                else "",
            }
        )
    response = web.render(
        request,
        "catalog.html",
        {
            "datasets": rows,
            "profile": profile.value,
            "profiles": [p.value for p in Profile],
            "count": len(rows),
            "triples": len(graph),
            "title": web.text(graph.objects(site.catalog, DCTERMS.title), lang),
            "services": sorted(str(s) for s in graph.subjects(RDF.type, DCAT.DataService)),
        },
    )
    return bytes(response.body)


# -- GET /catalog/quality -------------------------------------------------------------------------

QUALITY_OFFERS: Final = (formats.JSON, formats.HTML, "text/plain")
#: Datasets scored per request (and the most): the whole real catalog, a page of a large one.
QUALITY_PAGE_SIZE: Final = 100


async def _quality_report(
    request: Request, profile: Profile, number: int, size: int
) -> dict[str, Any]:
    """The MQA report of one page of the catalog in ``profile``, kept per store generation
    (a remote store's for :data:`REMOTE_INDEX_SECONDS`).

    A page at a time, like the catalog: the DCAT-AP compliance indicator runs pySHACL, which
    takes about a second per hundred datasets."""
    from helsegraf import quality, standards

    pool: QueryPool = request.app.state.pool
    settings = request.app.state.settings
    key = ("quality", _version(pool), profile, number, size)
    cache = _cache(request)
    async with cache.lock:  # one SHACL run at a time; the others wait for its answer
        hit = cache.get(key)
        if hit is not None:
            return dict(json.loads(hit.body))
        site = site_of(request)
        graph = await catalog_graph(pool, cache, profile, site, number, size, last_modified(pool))
        if graph is None:
            raise _BadRequestError(404, f"the catalog has no page {number} of {size} datasets")

        def assess() -> dict[str, Any]:
            verdicts = standards.compliance(
                graph, profile.value, settings.standards, dcat_catalog.vocabularies()
            )
            report: dict[str, Any] = quality.assess(graph, compliant=verdicts).to_json()
            report["profile"] = profile.value
            report["page"] = {"number": number, "size": size}
            return report

        report = await asyncio.to_thread(assess)
        cache.put(key, _Built(json.dumps(report).encode(), ""))
        return report


@router.get(
    "/catalog/quality",
    summary="Metadata quality of the catalog by data.europa.eu's MQA indicators (405 points).",
    responses={
        200: {
            "description": "Per-dataset scores, what is missing and why.",
            "content": {m: {} for m in QUALITY_OFFERS},
        },
        400: {"description": "Unknown profile."},
    },
)
async def catalog_quality(request: Request) -> Response:
    """Each dataset scored by the MQA indicators, as JSON or a page."""
    try:
        profile = _profile(request)
        number = _positive(request, "page", 1, 10**9)
        size = _positive(request, "page_size", QUALITY_PAGE_SIZE, QUALITY_PAGE_SIZE)
        media = negotiate(request, QUALITY_OFFERS)
        report = await _quality_report(request, profile, number, size)
    except (_BadRequestError, _RefusedError) as err:
        return PlainTextResponse(err.message, status_code=err.status, headers={"Vary": "Accept"})
    if media == formats.HTML:
        return web.render(request, "quality.html", {"report": report, "profile": profile.value})
    if media == "text/plain":
        lines = [f"{d['points']:>5}  {d['rating']:<10} {d['id']}" for d in report["datasets"]]
        summary = report["catalogue"]
        head = (
            f"{profile.value}: average {summary['average_points']} of {report['max_points']} "
            f"({summary['rating']}) over {summary['datasets']} datasets"
        )
        return PlainTextResponse("\n".join([head, *lines]) + "\n", headers={"Vary": "Accept"})
    return Response(
        json.dumps(report, ensure_ascii=False, indent=1).encode(),
        media_type=formats.with_charset(formats.JSON),
        headers={"Vary": "Accept"},
    )
