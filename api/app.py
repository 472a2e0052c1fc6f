"""The FastAPI application: ``create_app`` wires settings, the query pool and the routers.

Every route reads the graph through ``app.state.pool`` (:class:`helsegraf.engine.QueryPool`),
so every query, the api's own included, runs under the same time and size limits in a worker
process that can be stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helsegraf import __version__
from helsegraf.engine import EngineError, QueryPool, StoreSource
from helsegraf.queries import load_registry
from helsegraf.settings import Settings
from helsegraf.store import Store, StoreError, open_store

from . import web

#: Headers every response carries (a page shows only what it serves itself).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class RequestLimits:
    """ASGI middleware: refuse request bodies over a size, and add the security headers."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _plain(send, 413, f"the request body is larger than {self.max_body} bytes")
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLargeError
            return message

        async def secure_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key.lower().encode() not in present:
                        headers.append((key.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, secure_send)
        except _BodyTooLargeError:
            await _plain(send, 413, f"the request body is larger than {self.max_body} bytes")


class HeadAsGet:
    """ASGI middleware: answer HEAD like GET, without the body (RFC 9110 section 9.3.2).

    FastAPI routes declare GET only, so HEAD, which link checkers and linked-data clients
    use to test a resource, would otherwise be 405.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _BodyTooLargeError(Exception):
    pass


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The application over the store ``settings`` name, or over ``store`` when given.

    A given in-memory store is copied into each query worker at start-up (tests do this);
    a store directory is opened read-only by each worker.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        source = _source(settings, store)
        pool = QueryPool(
            source,
            workers=settings.query_workers,
            timeout=settings.query_timeout,
            max_results=settings.max_results,
            answer_cache_mb=settings.answer_cache_mb,
        )
        await pool.start()
        app.state.pool = pool
        from . import browse, catalog

        warming = {
            asyncio.create_task(browse.keep_warm(pool)),
            asyncio.create_task(catalog.keep_warm(app)),
        }
        try:
            yield
        finally:
            # Closing the pool first ends keep_warm's loop by itself; the cancel is a backstop
            # (asyncio.wait_for in Python 3.11 can swallow a cancellation that races with a
            # result), and the bounded wait keeps a shutdown from hanging on it either way.
            await pool.close()
            for task in warming:
                task.cancel()
            await asyncio.wait(warming, timeout=5)

    app = FastAPI(
        title="helsegraf",
        version=__version__,
        summary="A linked-data knowledge graph of Norway's health data sources.",
        description=(
            "SPARQL 1.1 endpoint, named queries, linked-data pages and a browsable catalog "
            "of the registers, health surveys and statistics listed on helsedata.no."
        ),
        lifespan=lifespan,
        # the stock pages load Swagger UI and ReDoc from a CDN; ours serve vendored files
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.registry = load_registry()

    from . import browse, catalog, named, resources, sparql

    app.include_router(sparql.router)
    app.include_router(catalog.router)
    app.include_router(named.router)
    app.include_router(resources.router)
    app.include_router(browse.router)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        swagger = (web.STATIC_DIR / "vendor" / "swagger-ui" / "swagger-ui-bundle.js").exists()
        return web.render(request, "docs.html", {"swagger": swagger})

    @app.get("/health", tags=["operations"], summary="Liveness: the process answers.")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        tags=["operations"],
        summary="Readiness: the query workers answer and the graph holds data.",
        responses={503: {"description": "Not ready; the body says why."}},
    )
    async def ready(request: Request) -> Response:
        pool: QueryPool | None = getattr(request.app.state, "pool", None)
        if pool is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            has_data = await pool.ask("ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }")
        except EngineError as err:
            return JSONResponse({"status": "unavailable", "reason": err.message}, 503)
        if not has_data:
            return JSONResponse({"status": "empty", "reason": "no data source is loaded"}, 503)
        return JSONResponse({"status": "ready"})

    @app.exception_handler(EngineError)
    async def engine_error(_request: Request, err: EngineError) -> Response:
        return PlainTextResponse(err.message, status_code=err.status)

    app.mount("/static", StaticFiles(directory=str(web.STATIC_DIR)), name="static")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Accept-Language"],
        allow_credentials=False,
        max_age=3600,
    )
    app.add_middleware(RequestLimits, max_body=settings.max_request_bytes)
    app.add_middleware(HeadAsGet)
    return app


def _source(settings: Settings, store: Store | None) -> StoreSource:
    if store is not None:
        path = getattr(store, "path", None)
        return StoreSource.from_store(store, path if isinstance(path, Path) else None)
    if settings.store_is_memory:
        raise StoreError("an in-memory store must be handed to create_app(store=...)")
    if settings.store_is_remote:
        return StoreSource(remote=settings)
    path = Path(settings.store)
    if not path.exists():
        # a first start before any load: create an empty store the workers can open
        empty = open_store(settings)
        empty.close()
    return StoreSource(path=path)


def app_factory() -> Any:
    """``uvicorn --factory helsegraf.api.app:app_factory`` (settings from the environment)."""
    return create_app()
