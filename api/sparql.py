"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint (W3C Recommendation, 2013).

* query by GET, by form POST (``application/x-www-form-urlencoded``) and by direct POST
  (``application/sparql-query``), with ``default-graph-uri`` and ``named-graph-uri``;
* results in every format of :mod:`helsegraf.formats`, chosen by ``Accept`` or ``format``;
* a bare GET: the service description (SPARQL 1.1 Service Description, with VoID) for RDF
  clients, the query editor for browsers;
* refused before anything runs: updates (403), ``SERVICE`` to an endpoint not on the
  allow-list (403), a query longer than the limit (413), an unknown content type (415).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from helsegraf import conneg, formats, guard
from helsegraf.engine import Answer, ProtocolQuery, QueryPool
from helsegraf.namespaces import PREFIXES
from helsegraf.settings import Settings

from . import web

router = APIRouter(tags=["sparql"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_RESULT_DOCS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer: SPARQL results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.",
        "content": {media: {} for media in (*formats.RESULT_TYPES, *formats.GRAPH_TYPES)},
    },
    400: {"description": "Malformed query, or an unreadable Accept header or format."},
    403: {"description": "An update, or SERVICE to an endpoint not on the allow-list."},
    406: {"description": "No acceptable media type for this query form."},
    413: {"description": "The query or request body is over the size limit."},
    415: {"description": "POST with a content type other than a form or a SPARQL query."},
    422: {"description": "The answer is over the result-size limit."},
    503: {"description": "The query ran past the time limit, or every worker is busy."},
}


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)


def _respond(answer: Answer) -> Response:
    return Response(
        content=answer.body,
        media_type=formats.with_charset(answer.media_type),
        headers={"Vary": "Accept", "Cache-Control": "no-store"},
    )


async def _execute(
    request: Request,
    query: str,
    *,
    default_graphs: list[str],
    named_graphs: list[str],
    format_name: str | None,
) -> Response:
    settings: Settings = request.app.state.settings
    if len(query) > settings.max_query_length:
        return _error(413, f"the query is longer than {settings.max_query_length} characters")
    try:
        guard.check(query, settings.service_allow)
    except guard.RefusedError as err:
        return _error(403, str(err))
    except guard.TooDeepError as err:
        return _error(400, str(err))
    pool: QueryPool = request.app.state.pool
    answer = await pool.answer(
        ProtocolQuery(
            query=query,
            accept=request.headers.get("accept"),
            format=format_name,
            default_graphs=tuple(default_graphs),
            named_graphs=tuple(named_graphs),
            base_iri=str(request.url_for("sparql_get")),
        )
    )
    return _respond(answer)


@router.get(
    "/sparql",
    summary="Run a SPARQL query (GET), or describe the service when no query is given.",
    responses={
        **_RESULT_DOCS,
        200: {
            "description": (
                "The answer; without a query: the service description (RDF) or the query "
                "editor (HTML)."
            ),
            "content": {
                media: {} for media in (*formats.RESULT_TYPES, *formats.GRAPH_TYPES, formats.HTML)
            },
        },
    },
)
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="The SPARQL 1.1 query.")] = None,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description="Default graph IRIs.")
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description="Named graph IRIs.")
    ] = None,
    format: Annotated[
        str | None,
        Query(description="Override Accept: json, xml, csv, tsv, ttl, nt, jsonld, rdf."),
    ] = None,
) -> Response:
    params = request.query_params
    if "update" in params:
        return _error(403, "SPARQL Update is not accepted: this endpoint is read-only")
    if len(params.getlist("query")) > 1:
        return _error(400, "give exactly one 'query' parameter")
    if query is None:
        return await _describe_service(request, format)
    return await _execute(
        request,
        query,
        default_graphs=default_graph_uri or [],
        named_graphs=named_graph_uri or [],
        format_name=format,
    )


@router.post(
    "/sparql",
    summary="Run a SPARQL query sent as a form or as application/sparql-query.",
    responses=_RESULT_DOCS,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "format": {"type": "string"},
                        },
                        "required": ["query"],
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
            },
            "required": True,
        }
    },
)
async def sparql_post(request: Request) -> Response:
    header = request.headers.get("content-type", "")
    content_type = header.split(";")[0].strip().lower()
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in header.split(";")[1:]
            if p.strip().lower().startswith("charset=")
        ),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8", "us-ascii"):
        return _error(400, f"the request body must be UTF-8, not {charset[:40]}")
    url_params = request.query_params
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "the request body is not UTF-8")
    if content_type == "application/sparql-update":
        return _error(403, "SPARQL Update is not accepted: this endpoint is read-only")
    if content_type == "application/sparql-query":
        if "query" in url_params:
            return _error(400, "a direct POST carries the query in its body, not in the URL")
        return await _execute(
            request,
            text,
            default_graphs=url_params.getlist("default-graph-uri"),
            named_graphs=url_params.getlist("named-graph-uri"),
            format_name=url_params.get("format"),
        )
    if content_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qsl(
                text,
                keep_blank_values=True,
                strict_parsing=False,
                max_num_fields=1000,
            )
        except ValueError as err:
            return _error(400, f"the form cannot be read: {err}")
        form: dict[str, list[str]] = {}
        for key, value in fields:
            form.setdefault(key, []).append(value)
        if "update" in form:
            return _error(403, "SPARQL Update is not accepted: this endpoint is read-only")
        queries = form.get("query", [])
        if len(queries) != 1:
            return _error(400, "give exactly one 'query' field")
        return await _execute(
            request,
            queries[0],
            default_graphs=form.get("default-graph-uri", [])
            + url_params.getlist("default-graph-uri"),
            named_graphs=form.get("named-graph-uri", []) + url_params.getlist("named-graph-uri"),
            format_name=(form.get("format") or [url_params.get("format") or ""])[0] or None,
        )
    return _error(
        415,
        "send the query as application/x-www-form-urlencoded (field 'query') or as "
        f"application/sparql-query, not {content_type or 'no content type'}",
    )


# -- service description ----------------------------------------------------------------------

_RESULT_FORMAT_IRIS = {
    formats.SPARQL_JSON: FORMATS.SPARQL_Results_JSON,
    formats.SPARQL_XML: FORMATS.SPARQL_Results_XML,
    formats.CSV: FORMATS.SPARQL_Results_CSV,
    formats.TSV: FORMATS.SPARQL_Results_TSV,
    formats.TURTLE: FORMATS.Turtle,
    formats.NTRIPLES: FORMATS["N-Triples"],
    formats.JSONLD: FORMATS["JSON-LD"],
    formats.RDFXML: FORMATS.RDF_XML,
}

_GRAPH_SIZES = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""


async def service_description(request: Request) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint, its dataset described with VoID."""
    pool: QueryPool = request.app.state.pool
    settings: Settings = request.app.state.settings
    endpoint = URIRef(str(request.url_for("sparql_get")))
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    graph.bind("dcterms", DCTERMS)
    service = endpoint
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for media in _RESULT_FORMAT_IRIS.values():
        graph.add((service, SD.resultFormat, media))
    graph.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Read-only. Queries run over the union of the named graphs unless a dataset "
                f"is given; each is stopped after {settings.query_timeout:g} s and may return "
                f"at most {settings.max_results} rows. SERVICE may call only: "
                + (", ".join(settings.service_allow) or "no endpoint")
                + ".",
                lang="en",
            ),
        )
    )
    dataset = BNode("dataset")
    default = BNode("default")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDF.type, VOID.Dataset))
    graph.add((default, VOID.sparqlEndpoint, endpoint))
    sizes = await pool.select(_GRAPH_SIZES)
    total = 0
    for row in sizes.rows:
        name, count = row.get("g"), row.get("n")
        if not isinstance(name, URIRef) or not isinstance(count, Literal):
            continue
        total += int(count)
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(int(count), datatype=XSD.integer)))
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    return graph


async def _describe_service(request: Request, format_name: str | None) -> Response:
    offers = (*formats.GRAPH_TYPES, formats.HTML)
    try:
        media = conneg.choose(
            request.headers.get("accept"),
            offers,
            format_name=format_name,
            aliases=formats.GRAPH_ALIASES,
        )
    except conneg.NegotiationError as err:
        return _error(400, str(err))
    if media is None:
        return _error(406, f"the service description is available as {', '.join(offers)}")
    if media == formats.HTML:
        return await editor(request)
    graph = await service_description(request)
    rdflib_format = {
        formats.TURTLE: "turtle",
        formats.NTRIPLES: "nt",
        "text/plain": "nt",
        formats.JSONLD: "json-ld",
        formats.RDFXML: "xml",
    }[media]
    body = graph.serialize(format=rdflib_format, encoding="utf-8")
    return Response(body, media_type=formats.with_charset(media), headers={"Vary": "Accept"})


async def editor(request: Request) -> Response:
    """The query editor: example queries from ``queries/``, results as a table."""
    registry = request.app.state.registry
    examples = [
        {"name": q.name, "title": q.title, "text": q.text}
        for q in registry
        if not any(p.required for p in q.parameters)
    ]
    return web.render(
        request,
        "editor.html",
        {
            "examples": examples,
            "prefixes": PREFIXES,
            "initial": request.query_params.get("example", ""),
            "settings": request.app.state.settings,
            "vendored": (web.STATIC_DIR / "vendor/codemirror/lib/codemirror.js").is_file(),
        },
        headers={"Vary": "Accept"},
    )
