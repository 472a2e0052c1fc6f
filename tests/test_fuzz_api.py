"""Fuzz the HTTP api: no request, however malformed, gets a 5xx (issue 6).

Against the real app over the real graph, through its ASGI interface (one app for the
module, started once: :func:`tests.api.conftest.app_client`):

* **from the OpenAPI description** (:func:`test_api_conforms_to_its_openapi`): schemathesis
  generates requests for every operation /openapi.json describes (its examples, coverage and
  fuzzing phases; positive and negative data) and checks each answer: no 5xx, a status and a
  media type the description documents, a body that fits its schema.
* **for what the description does not declare** (the ``test_*_parameters`` tests): most routes
  read query parameters from ``request.query_params`` that /openapi.json does not list, and the
  ``Accept`` header nowhere is, so schemathesis cannot fuzz them. Explicit Hypothesis tests send
  those parameters with hostile values — non-UTF-8 percent-escapes, control characters,
  Unicode digits, huge values, repeated and unknown names — and hostile ``Accept`` headers.

The description declares too little for these routes (``/sparql`` GET declares ``query``,
``default-graph-uri``, ``named-graph-uri`` and ``format``; every other operation declares at
most its path parameter), so schemathesis sends them only bare requests:

- ``GET /``: kind, consent, identifiability, controller, processor, legal-basis, family, q,
  page, lang, format
- ``GET /families``, ``/queries``, ``/id/{path}``, ``/ontology``, ``/shapes``: format, lang
- ``GET /catalog``: profile, page, page_size, format, lang; If-None-Match, If-Modified-Since
- ``GET /catalog/quality``: profile, page, page_size, format, lang
- ``GET /queries/{name}``: each query's own parameters, format, lang
- ``GET /sparql``: update (refused), example (the editor's)
- ``POST /sparql``: format, default-graph-uri, named-graph-uri in the URL
- every route: the Accept and Accept-Language headers

A third part, :func:`test_every_parameter_with_every_tricky_value`, sends each of those
parameters alone with each value of a fixed list (:data:`NEAR_VALID`) and each ``Accept`` of
:data:`ACCEPTS` to each route: deterministic, and it lists every 5xx it meets at once, with a
``curl`` command that reproduces it, where Hypothesis stops at the first failure of a test.

Bounded and reproducible: a fixed number of examples per operation, derandomized (the same
requests on every run), no example database, a per-example deadline. The query time limit is
set well above anything the real graph needs (:data:`QUERY_TIMEOUT`), so a 503 would mean a
query ran away, and fails the test like any 5xx.

Why not ``schemathesis.openapi.from_asgi`` with ``schemathesis.pytest.from_fixture``: the
lazy fixture loader fails on pytest 9.2 (``'Function' object has no attribute '_nodeid'``),
and a schema loaded with ``from_asgi`` lets schemathesis run the app's lifespan, which its
pytest plugin stops after every test item, restarting the query workers per operation. The
description is the same document: :func:`test_the_fuzzed_description_is_the_served_one`
checks that /openapi.json serves exactly what is fuzzed. Each generated case is serialized by
schemathesis (``Case.as_transport_kwargs``, prepared by ``requests`` as it would go on the
wire) and sent through the started app's test client.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from helsegraf.api.app import create_app
from helsegraf.queries import load_registry
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore
from tests.api.conftest import app_client

#: Seconds a query may run; the real graph answers every query in well under a second.
QUERY_TIMEOUT = 60.0
#: Examples per operation for schemathesis's fuzzing phase, and per route for the explicit tests.
SCHEMA_EXAMPLES = 40
PARAMETER_EXAMPLES = 100
#: No single request may take this long (Hypothesis's deadline, per example).
DEADLINE = timedelta(seconds=20)

BASE = "http://testserver"


def fuzz_settings(max_examples: int) -> settings:
    """Bounded and reproducible: ``max_examples``, derandomized, no database, a deadline."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=DEADLINE,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


#: The description the app serves at /openapi.json (built without a store or workers).
SPEC: dict[str, Any] = create_app(Settings(store="memory")).openapi()
schema = schemathesis.openapi.from_dict(SPEC)
# a direct POST carries the query as UTF-8 text, which schemathesis cannot serialize on its own
schemathesis.serializer.alias("application/sparql-query", "text/plain")


@pytest.fixture(scope="module")
def fuzz_client(store: OxigraphStore) -> Iterator[TestClient]:
    """The app over the real graph, started once for this module, with a generous time limit."""
    with app_client(store, query_timeout=QUERY_TIMEOUT) as client:
        yield client


def curl(method: str, url: str, headers: dict[str, str], body: bytes | None) -> str:
    """A shell command that sends the same request to a server on 127.0.0.1:8000.

    A body that is not printable text is piped in through ``printf`` byte for byte; one over
    2,000 bytes is written as a Python expression that makes it.
    """
    parts = ["curl", "-g", "--path-as-is", "-X", method]
    for key, value in headers.items():
        if key.lower() not in ("host", "user-agent", "accept-encoding", "connection"):
            parts += ["-H", f"{key}: {value[:2000]}"]
    prefix = ""
    if body:
        parts += ["--data-binary", "@-"]
        if len(body) > 2000 and len(set(body)) == 1:
            byte = f'b"\\x{body[0]:02x}"'
            prefix = f"python3 -c 'import sys; sys.stdout.buffer.write({byte} * {len(body)})' | "
        else:
            text = "".join(
                chr(b) if 0x20 <= b < 0x7F and chr(b) not in "%\\'" else f"\\x{b:02x}"
                for b in body[:2000]
            )
            prefix = f"printf '{text}' | "
    parts.append(url.replace(BASE, "http://127.0.0.1:8000", 1))
    return prefix + shlex.join(parts)


# -- from the OpenAPI description -----------------------------------------------------------------


def test_the_fuzzed_description_is_the_served_one(fuzz_client: TestClient) -> None:
    assert fuzz_client.get("/openapi.json").json() == SPEC


@schema.parametrize()
@fuzz_settings(SCHEMA_EXAMPLES)
def test_api_conforms_to_its_openapi(case: schemathesis.Case, fuzz_client: TestClient) -> None:
    kwargs = case.as_transport_kwargs(base_url=BASE)
    wire = {"method", "url", "headers", "params", "cookies", "data", "json", "files"}
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in wire}).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    headers = dict(prepared.headers)
    url = str(prepared.url)
    response = send(fuzz_client, str(prepared.method), url, headers, body)
    try:
        case.validate_response(
            response,
            checks=[
                checks.not_a_server_error,
                checks.status_code_conformance,
                checks.content_type_conformance,
                checks.response_schema_conformance,
            ],
        )
    except Exception as err:
        err.add_note(f"Reproduce on a running server:\n    {curl(case.method, url, headers, body)}")
        raise


# -- what the description does not declare -------------------------------------------------------

#: Values the routes' parameters take, near misses, and what breaks naive parsing (percent signs,
#: invalid UTF-8, control characters, digits that are not ASCII), so the fuzz reaches past
#: the first check of each route and mixes valid values with hostile ones.
NEAR_VALID = [
    "",
    " ",
    "html",
    "json",
    "JSON",
    "ttl",
    "nt",
    "jsonld",
    "rdf",
    "xml",
    "csv",
    "tsv",
    "nb",
    "en",
    "dcat-ap-no",
    "healthdcat-ap",
    "0",
    "1",
    "2",
    "-1",
    "+1",
    "01",
    " 1",
    "1.0",
    "1e3",
    "99",
    "100",
    "101",
    "5000",
    "5001",
    "999999999",
    "1000000000",
    "9" * 40,
    "true",
    "false",
    "2020",
    "-0001",
    "MedicalQualityRegister",
    "ConsentNotRequired",
    "helse-bergen-hf",
    "https%3A%2F%2Fw3id.org%2Fhelsegraf%2Fid%2Forganisation%2Fhelse-bergen-hf",
    "https%3A%2F%2Fw3id.org%2Fhelsegraf%2Fid%2Fdataset%2Fnorsk-pasientregister",
    "http%3A%2F%2Fx",
    "urn%3Ax",
    # Unicode digits: str.isdigit() says yes to all of them, int() not to the first two
    quote("²"),
    quote("⑨"),
    quote("١"),
    quote("１"),
    # what a percent sign, plus, ampersand or equals sign can do to a query string
    "%",
    "%%",
    "%2",
    "%zz",
    "%u0041",
    "+",
    "%2B",
    "%26",
    "%3D",
    "%00",
    "%0A%0D",
    "%C3%28",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%EF%BF%BF",
    "%FE%FF",
    "..%2F..%2F",
    "%3Cscript%3E",
]

#: Values far past any sensible length. A real server refuses request lines much over 16 KB
#: (h11's limit, in uvicorn) before the app sees them; through ASGI they reach the app, up to
#: the 64 KB httpx allows in a URL (:data:`MAX_QUERY_STRING`).
HUGE = ["a" * 20_000, "%FF" * 6_000, "%00" * 6_000, "1" * 15_000, quote("é") * 3_000]
MAX_QUERY_STRING = 50_000


def _percent(data: bytes) -> str:
    return "".join(f"%{b:02X}" for b in data)


#: One query-string component, already percent-encoded as it goes on the wire.
COMPONENT = st.one_of(
    st.sampled_from(NEAR_VALID),
    st.binary(max_size=24).map(_percent),  # any bytes: invalid UTF-8, control characters
    st.text(max_size=24).map(lambda s: quote(s, safe="")),  # any Unicode text, as UTF-8
    st.sampled_from(HUGE),
)
VALUE = st.lists(COMPONENT, min_size=1, max_size=3).map("".join)


def query_strings(names: Sequence[str]) -> st.SearchStrategy[str]:
    """Raw query strings over ``names`` (and unknown names), each name possibly repeated."""
    name = st.one_of(st.sampled_from(list(names)), COMPONENT) if names else COMPONENT
    pair = st.one_of(
        st.tuples(name, VALUE).map(lambda nv: f"{nv[0]}={nv[1]}"),
        name,  # a bare name, no '='
    )
    return st.lists(pair, max_size=6).map(lambda pairs: "&".join(pairs)[:MAX_QUERY_STRING])


ACCEPTS = [
    "*/*",
    "text/html",
    "application/json",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/sparql-results+json",
    "text/csv",
    "text/plain",
    "image/png",
    "text/*",
    "*/*;q=0",
    "text/html;q=0, */*;q=0",
    "text/turtle;q=0.5, text/html;q=0.4",
    "text/html;q=abc",
    "text/html;q=-1",
    "text/html;q=1.5",
    "text/html;q=NaN",
    "text/html;q=1e400",
    "text/html;level=1;q=0.9;charset=utf-8",
    ";;;",
    ",,,",
    "/",
    "a/b/c",
    "text/",
    "*/html",
    "text/html" + ", text/html" * 2000,
    "x" * 20_000,
]
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
ACCEPT = st.one_of(st.none(), st.sampled_from(ACCEPTS), HEADER_TEXT)
ACCEPT_LANGUAGE = st.one_of(
    st.none(),
    st.sampled_from(["nb", "en", "en;q=0.5, nb;q=0.9", "nn", "*", "en;q=x", "en;q=1e999", ""]),
    HEADER_TEXT,
)


def _headers(accept: str | None, language: str | None) -> dict[str, str]:
    headers = {}
    if accept is not None:
        headers["accept"] = accept
    if language is not None:
        headers["accept-language"] = language
    return headers


class FoundServerError(AssertionError):
    """A request answered with a 5xx (or an exception, which a server answers with 500)."""

    def __init__(self, request: str, answer: str, reproduce: str) -> None:
        super().__init__(f"{request}: {answer}\nreproduce: {reproduce}")
        self.request = request
        self.answer = answer
        self.reproduce = reproduce


def send(
    client: TestClient, method: str, url: str, headers: dict[str, str], body: bytes | None
) -> httpx.Response:
    """Send one request. An exception out of the app is what a real server answers with 500."""
    request = client.build_request(method, url, headers=headers, content=body)
    try:
        return client.send(request, follow_redirects=False)
    except Exception as err:
        raise FoundServerError(
            f"{method} {request.url.path}",
            f"500, the app raised {type(err).__name__}: {str(err)[:300]}",
            curl(method, url, headers, body),
        ) from err


def _check(
    client: TestClient,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    *,
    body: bytes | None = None,
    documented: Sequence[str] | None = None,
) -> None:
    """Send one request; fail with a reproducer on a 5xx or an undocumented media type."""
    url = f"{BASE}{path}" + (f"?{query}" if query else "")
    response = send(client, method, url, headers, body)
    reproduce = curl(method, url, headers, body)
    if response.status_code >= 500:
        raise FoundServerError(
            f"{method} {path}", f"{response.status_code} {response.text[:300]}", reproduce
        )
    if documented is not None and response.status_code == 200:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        assert media in documented, (
            f"{method} {path}: 200 as {media!r}, documented: {', '.join(documented)}\n"
            f"reproduce: {reproduce}"
        )


def _documented(path: str, method: str = "get") -> list[str]:
    return list(SPEC["paths"][path][method]["responses"]["200"].get("content", {}))


#: Route (as /openapi.json names it), a concrete path, and the parameters the route reads.
FORMAT_LANG = ("format", "lang")
FACETS = ("kind", "consent", "identifiability", "controller", "processor", "legal-basis", "family")
PAGING = ("profile", "page", "page_size", "format", "lang")
ROUTES: list[tuple[str, str, tuple[str, ...]]] = [
    ("/", "/", (*FACETS, "q", "page", "lang", "format")),
    ("/families", "/families", FORMAT_LANG),
    ("/catalog", "/catalog", PAGING),
    ("/catalog/quality", "/catalog/quality", PAGING),
    ("/queries", "/queries", FORMAT_LANG),
    ("/id/{path}", "/id/dataset/norsk-pasientregister", FORMAT_LANG),
    ("/id/{path}", "/id/organisation/helse-bergen-hf", FORMAT_LANG),
    ("/ontology", "/ontology", FORMAT_LANG),
    ("/shapes", "/shapes", FORMAT_LANG),
    ("/health", "/health", ()),
    ("/ready", "/ready", ()),
]


@pytest.mark.parametrize(("route", "path", "names"), ROUTES, ids=[r[1] for r in ROUTES])
@fuzz_settings(PARAMETER_EXAMPLES)
@given(query=st.data(), accept=ACCEPT, language=ACCEPT_LANGUAGE)
def test_undeclared_parameters(
    fuzz_client: TestClient,
    route: str,
    path: str,
    names: tuple[str, ...],
    query: st.DataObject,
    accept: str | None,
    language: str | None,
) -> None:
    raw = query.draw(query_strings(names), label="query string")
    _check(fuzz_client, "GET", path, raw, _headers(accept, language), documented=_documented(route))


@fuzz_settings(PARAMETER_EXAMPLES)
@given(
    condition=st.sampled_from(["if-none-match", "if-modified-since"]),
    value=st.one_of(
        st.sampled_from(
            [
                "*",
                '"x"',
                'W/"x"',
                ", , ,",
                "Sun, 06 Nov 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 08:49:37",
                "Sun, 06 Nov 9999 08:49:37 GMT",
                "Sun, 06 Nov 0000 08:49:37 GMT",
                "Sun, 32 Nov 1994 25:61:61 GMT",
                "-1",
                "0",
                "9" * 400,
            ]
        ),
        HEADER_TEXT,
    ),
    query=query_strings(PAGING),
)
def test_catalog_conditional_headers(
    fuzz_client: TestClient, condition: str, value: str, query: str
) -> None:
    _check(fuzz_client, "GET", "/catalog", query, {condition: value})


NAMED = {q.name: [p.name for p in q.parameters] for q in load_registry()}
#: For each type of parameter the named queries take: a query, the parameter, and the other
#: parameters that query requires (with their examples), so the value is what gets checked.
NAMED_BY_TYPE = {
    str(p.type): (
        q.name,
        p.name,
        "".join(f"&{o.name}={o.example}" for o in q.parameters if o.required and o is not p),
    )
    for q in reversed(list(load_registry()))
    for p in q.parameters
}


@fuzz_settings(PARAMETER_EXAMPLES * 3)
@given(
    name=st.one_of(st.sampled_from(sorted(NAMED)), COMPONENT),
    data=st.data(),
    accept=ACCEPT,
    language=ACCEPT_LANGUAGE,
)
def test_named_query_parameters(
    fuzz_client: TestClient,
    name: str,
    data: st.DataObject,
    accept: str | None,
    language: str | None,
) -> None:
    names = [*NAMED.get(name, []), *FORMAT_LANG]
    raw = data.draw(query_strings(names), label="query string")
    path = f"/queries/{name}" if name in NAMED else f"/queries/{name[:2000]}"
    _check(
        fuzz_client,
        "GET",
        path,
        raw,
        _headers(accept, language),
        documented=_documented("/queries/{name}"),
    )


@fuzz_settings(PARAMETER_EXAMPLES)
@given(
    path=st.one_of(
        st.lists(COMPONENT, min_size=1, max_size=4).map(lambda c: "/".join(c)[:8_000]),
        st.sampled_from(["dataset/", "dataset//x", "%2E%2E/%2E%2E/etc", "dataset%2Fx", "catalog"]),
    ),
    query=query_strings(FORMAT_LANG),
    accept=ACCEPT,
)
def test_resource_paths(fuzz_client: TestClient, path: str, query: str, accept: str | None) -> None:
    _check(
        fuzz_client,
        "GET",
        f"/id/{path}",
        query,
        _headers(accept, None),
        documented=_documented("/id/{path}"),
    )


#: SPARQL texts that parse, so the graph parameters and formats are reached.
QUERIES = [
    "ASK {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "CONSTRUCT WHERE { ?s a dcat:Dataset } LIMIT 3",
    "DESCRIBE <https://w3id.org/helsegraf/id/dataset/norsk-pasientregister>",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT DATA { <a:b> <a:b> <a:b> }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
]
SPARQL_NAMES = ("query", "default-graph-uri", "named-graph-uri", "format", "update", "example")
SPARQL_QUERY = st.one_of(st.sampled_from([quote(q, safe="") for q in QUERIES]), VALUE)


def sparql_query_strings() -> st.SearchStrategy[str]:
    """A parsable query (most of the time) with hostile other parameters."""
    return st.tuples(SPARQL_QUERY, query_strings(SPARQL_NAMES)).map(
        lambda qs: (f"query={qs[0]}&{qs[1]}" if qs[1] else f"query={qs[0]}")[:MAX_QUERY_STRING]
    )


@fuzz_settings(PARAMETER_EXAMPLES * 2)
@given(query=st.one_of(sparql_query_strings(), query_strings(SPARQL_NAMES)), accept=ACCEPT)
def test_sparql_get_parameters(fuzz_client: TestClient, query: str, accept: str | None) -> None:
    _check(
        fuzz_client,
        "GET",
        "/sparql",
        query,
        _headers(accept, None),
        documented=_documented("/sparql"),
    )


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1",
    'application/x-www-form-urlencoded; charset="UTF-8"',
    "application/x-www-form-urlencoded; charset=",
    "application/sparql-query",
    "application/sparql-query; charset=utf-8",
    "application/sparql-update",
    "multipart/form-data; boundary=x",
    "application/json",
    "text/plain",
    "",
    ";",
    "application/sparql-query;;;charset",
]


@fuzz_settings(PARAMETER_EXAMPLES * 3)
@given(
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), HEADER_TEXT),
    body=st.one_of(
        sparql_query_strings().map(str.encode),
        query_strings(SPARQL_NAMES).map(str.encode),
        st.sampled_from(QUERIES).map(str.encode),
        st.binary(max_size=200),
        st.sampled_from([b"\xff\xfe", b"query=\xff", b"query=%FF", b"\x00" * 100, b"a" * 900_000]),
    ),
    url_query=st.one_of(st.just(""), query_strings(SPARQL_NAMES)),
    accept=ACCEPT,
)
def test_sparql_post_bodies(
    fuzz_client: TestClient, content_type: str, body: bytes, url_query: str, accept: str | None
) -> None:
    headers = {**_headers(accept, None), "content-type": content_type}
    _check(
        fuzz_client,
        "POST",
        "/sparql",
        url_query,
        headers,
        body=body,
        documented=_documented("/sparql", "post"),
    )


# -- every parameter with every tricky value ------------------------------------------------------


def _sweep() -> Iterator[tuple[str, str, str, dict[str, str], bytes | None]]:
    """(method, path, query, headers, body): each parameter a route reads, alone, with each
    value of :data:`NEAR_VALID`; each ``Accept`` of :data:`ACCEPTS` on each route."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    ask = "query=" + quote("ASK {}", safe="")
    for value in NEAR_VALID:
        for _route, path, names in ROUTES:
            for name in names:
                yield "GET", path, f"{name}={value}", {}, None
        for query, name, required in NAMED_BY_TYPE.values():
            yield "GET", f"/queries/{query}", f"{name}={value}{required}", {}, None
        for name in SPARQL_NAMES[1:]:
            yield "GET", "/sparql", f"{ask}&{name}={value}", {}, None
            yield "POST", "/sparql", "", form, f"{ask}&{name}={value}".encode()
        yield "GET", "/sparql", f"query={value}", {}, None
        yield "GET", f"/queries/{value}", "", {}, None
        yield "GET", f"/id/{value}", "", {}, None
        yield "GET", f"/id/dataset/{value}", "", {}, None
    for accept in ACCEPTS:
        for _route, path, _names in ROUTES:
            yield "GET", path, "", {"accept": accept}, None
        yield "GET", "/sparql", "", {"accept": accept}, None
        yield "GET", "/sparql", ask, {"accept": accept}, None
        yield "GET", "/queries/count-by-kind", "", {"accept": accept}, None


def test_every_parameter_with_every_tricky_value(fuzz_client: TestClient) -> None:
    """Deterministic, and lists every 5xx at once (Hypothesis stops at the first per test)."""
    failures: dict[str, list[str]] = {}
    sent = 0
    for method, path, query, headers, body in _sweep():
        sent += 1
        try:
            _check(fuzz_client, method, path, query, headers, body=body)
        except FoundServerError as err:
            # one entry per route and kind of answer (quoted values left out), a few reproducers
            key = err.request + ": " + re.sub(r"'[^']*'", "'…'", err.answer)
            failures.setdefault(key, []).append(err.reproduce)
    report = "\n".join(
        f"{key} ({len(found)} requests), e.g.\n" + "\n".join(f"    {r}" for r in found[:3])
        for key, found in failures.items()
    )
    if failures:
        count = sum(map(len, failures.values()))
        pytest.fail(f"{count} of {sent} requests got a 5xx:\n{report}", pytrace=False)
