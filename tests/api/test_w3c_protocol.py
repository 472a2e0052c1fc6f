"""The W3C SPARQL 1.1 Protocol test manifest, replayed against /sparql through the ASGI app.

The manifest (``../shared/standards/sparql-protocol-tests/protocol/manifest.ttl``) is read at
run time; each ``ht:Request`` is sent as written — method, path, headers and body bytes in
their declared encoding, with no Content-Type added by the client — and the response is
checked for its status class, its format and, for ASK, its boolean.

helsegraf is a read-only endpoint, so the positive *update* tests are expected to be refused
with 403 (the documented policy), and the ASK that follows each of them is not run: it checks
the update's effect, which a read-only endpoint must not have. Every other test must pass as
the W3C wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from tests.api.conftest import app_client
from tests.conftest import StoreBackend

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

SUITE = Path("../shared/standards/sparql-protocol-tests")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: tuple[Request, ...]

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")


def _manifest(require_shared: Callable[[Path, str], Path]) -> Graph:
    path = require_shared(SUITE / "protocol" / "manifest.ttl", "the W3C protocol manifest")
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def _requests(graph: Graph, test: URIRef) -> tuple[Request, ...]:
    action = graph.value(test, MF.action)
    out: list[Request] = []
    for node in Collection(graph, graph.value(action, HT.requests)):
        headers: dict[str, str] = {}
        header_list = graph.value(node, HT.headers)
        if header_list is not None:
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(
                    graph.value(header, HT.fieldValue)
                )
        body_node = graph.value(node, HT.body)
        body = None
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(body_node, CNT.chars)).encode(encoding)
        response = graph.value(node, HT.resp)
        expected_format = graph.value(response, MF.expectedFormat)
        expected_boolean = graph.value(response, MF.expectedBoolean)
        out.append(
            Request(
                method=str(graph.value(node, HT.methodName)),
                path=str(graph.value(node, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                headers=headers,
                body=body,
                statuses=frozenset(
                    str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus)
                ),
                format=None if expected_format is None else str(expected_format),
                boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
            )
        )
    return tuple(out)


def _tests(graph: Graph) -> list[ProtocolTest]:
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return [
        ProtocolTest(
            name=str(test).rsplit("#", 1)[-1],
            title=str(graph.value(test, MF.name)),
            requests=_requests(graph, URIRef(str(test))),
        )
        for test in entries
    ]


@pytest.fixture(scope="module")
def manifest(require_shared: Callable[[Path, str], Path]) -> list[ProtocolTest]:
    return _tests(_manifest(require_shared))


@pytest.fixture(scope="module")
def protocol_client(
    require_shared: Callable[[Path, str], Path], store_backend: StoreBackend
) -> Iterator[TestClient]:
    """An app over the manifest's three data graphs, each in the named graph it names."""
    graph = _manifest(require_shared)
    data: dict[URIRef, Graph] = {}
    for spec in graph.objects(None, UT.graphData):
        name = URIRef(str(graph.value(spec, RDFS.label)))
        source = graph.value(spec, UT.graph)
        if name not in data:
            triples = Graph()
            triples.parse(SUITE / "protocol" / Path(str(source)).name, format="nt")
            data[name] = triples
    with store_backend.stores() as stores:
        store = stores.empty()
        store.replace_graphs(data)
        with app_client(store) as client:
            yield client


def _status_class(code: int) -> str:
    return f"StatusCode{code // 100}xx"


def _boolean(content_type: str, body: bytes) -> bool:
    if "json" in content_type:
        return bool(json.loads(body)["boolean"])
    root = ElementTree.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    assert element.text is not None
    return element.text.strip() == "true"


_FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"),
}


def test_the_manifest_is_complete(manifest: list[ProtocolTest]) -> None:
    assert len(manifest) == 34
    assert sum(t.is_update for t in manifest) == 7


def test_w3c_protocol_suite(manifest: list[ProtocolTest], protocol_client: TestClient) -> None:
    failures: list[str] = []
    for test in manifest:
        for index, request in enumerate(test.requests):
            if test.is_update and index > 0:
                break  # the follow-up ASK checks an update's effect; we refuse updates
            response = protocol_client.request(
                request.method, request.path, headers=request.headers, content=request.body
            )
            got = _status_class(response.status_code)
            if test.is_update:
                if response.status_code != 403:
                    failures.append(f"{test.name}: update answered {response.status_code}")
                continue
            if got not in request.statuses:
                failures.append(
                    f"{test.name} ({test.title}): status {response.status_code}, expected "
                    f"{sorted(request.statuses)}: {response.text[:200]}"
                )
                continue
            content_type = response.headers.get("content-type", "").split(";")[0]
            if request.format is not None and content_type not in _FORMATS[request.format]:
                failures.append(f"{test.name}: {content_type} is not {request.format}")
            if request.boolean is not None:
                value = _boolean(content_type, response.content)
                if value is not request.boolean:
                    failures.append(f"{test.name}: ASK gave {value}, expected {request.boolean}")
    assert not failures, "\n".join(failures)


def test_service_description_suite(protocol_client: TestClient) -> None:
    """The three service-description tests: RDF on GET, a matching sd:endpoint, the schema."""
    response = protocol_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef("http://testserver/sparql")
    assert (None, sd.endpoint, endpoint) in graph
    service = next(graph.subjects(sd.endpoint, endpoint))
    assert (service, RDF.type, sd.Service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    for dataset in graph.objects(service, sd.defaultDataset):
        assert (dataset, RDF.type, sd.Dataset) in graph
        assert graph.value(dataset, sd.defaultGraph) is not None
