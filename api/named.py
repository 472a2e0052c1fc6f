"""``/queries``: the named-query library over HTTP.

``GET /queries`` lists the queries (JSON, or HTML for a browser) with their text and typed
parameters. ``GET /queries/{name}?param=value`` runs one: the parameters are checked against
their types and bound as RDF terms (never pasted into the text), and the answer comes in the
same formats as ``/sparql``. A browser gets a page with the query, a form for its parameters
and the results as a table.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from rdflib import Literal, URIRef

from helsegraf import formats
from helsegraf.engine import EngineError, ProtocolQuery, QueryPool
from helsegraf.queries import (
    NamedQuery,
    QueryError,
    QueryForm,
    QueryRegistry,
    UnknownQueryError,
)
from helsegraf.sparql import BindingError, bind

from . import web

router = APIRouter(tags=["queries"])

#: Parameters of the request that steer the response, not the query.
CONTROL_PARAMS = frozenset({"format", "lang"})


def describe(query: NamedQuery, request: Request) -> dict[str, Any]:
    """A named query as JSON: what it answers, its parameters and its SPARQL text."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "form": str(query.form),
        "url": str(request.url_for("run_query", name=query.name)),
        "parameters": [
            {
                "name": p.name,
                "type": str(p.type),
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "description": p.description,
                "choices": p.type.choice_names or None,
            }
            for p in query.parameters
        ],
        "text": query.text,
    }


@router.get(
    "/queries",
    summary="The named queries, with their parameters and text.",
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
async def list_queries(request: Request) -> Response:
    registry: QueryRegistry = request.app.state.registry
    format_name = request.query_params.get("format")
    if format_name is not None and format_name.lower() not in ("json", "html"):
        return PlainTextResponse(
            f"format {format_name[:80]!r} is not offered here; use json or html",
            status_code=400,
        )
    if format_name is not None:
        html = format_name.lower() == "html"
    else:
        html = web.wants_html(request, ["application/json"])
    if html:
        return web.render(request, "queries.html", {"queries": list(registry)})
    return JSONResponse([describe(q, request) for q in registry], headers={"Vary": "Accept"})


@router.get(
    "/queries/{name}",
    name="run_query",
    summary="Run a named query with typed parameters (?param=value).",
    responses={
        200: {
            "description": "The answer, in the formats of /sparql; a page for browsers.",
            "content": {m: {} for m in (*formats.RESULT_TYPES, *formats.GRAPH_TYPES, formats.HTML)},
        },
        400: {"description": "A parameter is unknown, missing or of the wrong type."},
        404: {"description": "No named query by that name."},
        406: {"description": "No acceptable media type."},
        503: {"description": "The query ran past the time limit."},
    },
)
async def run_query(request: Request, name: str) -> Response:
    registry: QueryRegistry = request.app.state.registry
    try:
        query = registry.get(name)
    except UnknownQueryError as err:
        return PlainTextResponse(f"{err}; GET /queries lists them", status_code=404)
    raw: dict[str, str] = {}
    for key in request.query_params:
        if key in CONTROL_PARAMS:
            continue
        values = request.query_params.getlist(key)
        if len(values) > 1:
            return PlainTextResponse(f"give {key} once, not {len(values)} times", 400)
        raw[key] = values[0]
    html = "format" not in request.query_params and web.wants_html(
        request, [*formats.RESULT_TYPES, *formats.GRAPH_TYPES]
    )
    try:
        bindings = query.bind(raw)
        text = bind(query.text, bindings)
    except (QueryError, BindingError) as err:
        if html:
            return _page(request, query, raw, error=str(err), status=400)
        return PlainTextResponse(str(err), status_code=400)
    if html:
        return await _page_with_results(request, query, raw, text)
    pool: QueryPool = request.app.state.pool
    answer = await pool.answer(
        ProtocolQuery(
            query=text,
            accept=request.headers.get("accept"),
            format=request.query_params.get("format"),
        )
    )
    return Response(
        answer.body,
        media_type=formats.with_charset(answer.media_type),
        headers={"Vary": "Accept"},
    )


def _cell(term: object) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"kind": "iri", "value": str(term)}
    if isinstance(term, Literal):
        return {"kind": "literal", "value": str(term), "lang": term.language or ""}
    return {"kind": "other", "value": "" if term is None else str(term)}


async def _page_with_results(
    request: Request, query: NamedQuery, raw: dict[str, str], text: str
) -> Response:
    pool: QueryPool = request.app.state.pool
    try:
        if query.form is QueryForm.SELECT:
            result = await pool.select(text)
            table = {
                "variables": result.variables,
                "rows": [[_cell(row.get(v)) for v in result.variables] for row in result.rows],
            }
            return _page(request, query, raw, table=table)
        if query.form is QueryForm.ASK:
            return _page(request, query, raw, boolean=await pool.ask(text))
        graph = await pool.construct(text)
        rows = [[_cell(s), _cell(p), _cell(o)] for s, p, o in sorted(graph)]
        return _page(request, query, raw, table={"variables": ["s", "p", "o"], "rows": rows})
    except EngineError as err:
        return _page(request, query, raw, error=err.message, status=err.status)


def _page(
    request: Request,
    query: NamedQuery,
    raw: dict[str, str],
    *,
    table: dict[str, Any] | None = None,
    boolean: bool | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return web.render(
        request,
        "query.html",
        {"query": query, "values": raw, "table": table, "boolean": boolean, "error": error},
        status_code=status,
    )
