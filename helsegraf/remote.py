"""The remote store: a SPARQL 1.1 server behind the :class:`~helsegraf.store.Store` protocol.

``HELSEGRAF_STORE=http://host:7878/query`` makes helsegraf read and publish through a SPARQL
1.1 server instead of its embedded store (DESIGN.md section 2). What the other modules see is
exactly :class:`~helsegraf.store.Store`: the same return types and the same errors
(:class:`~helsegraf.store.QuerySyntaxError` when the server says 400, and
:class:`~helsegraf.store.StoreError` with a message safe to show for everything else).

The choices, and why:

**Union of the named graphs.** The embedded store answers over the union of its named
graphs. Here nothing in a query is rewritten: the server's default graph must *be* that union,
which every common server can be set to do (Oxigraph ``serve --union-default-graph``, Fuseki
``tdb2:unionDefaultGraph true``; Virtuoso and GraphDB do it unless told otherwise).
Wrapping patterns in ``GRAPH ?g`` would change what a query means (a join across a source's
facts and its curation spans two graphs), and listing every graph as a ``default-graph-uri``
needs the current list of graphs before every query. A server set up otherwise would quietly
answer nothing, so every publish ends by checking that a published triple is visible outside
``GRAPH``, and fails loudly with the setting to change when it is not.

**Prefixes.** The embedded store lets a query use helsegraf's prefixes (``hg:``, ``dct:`` ...)
without declaring them; here the ones a query uses and does not declare are declared on one
line in front of it, and line numbers in the server's syntax errors are moved back by that
line.

**Publishing** (:meth:`RemoteStore.replace_graphs`) checks every term of every graph (as a
pyoxigraph term) before anything is sent, so an invalid IRI refuses the whole publish and the
server keeps what it had. Then either one SPARQL Update request replaces every graph (the
default), or, with a Graph Store Protocol endpoint, one PUT per graph; see the method for the
atomicity each gives.

**Transport.** SPARQLWrapper builds every query and update request (protocol parameters,
content negotiation, HTTP basic credentials). The requests go out through an opener of ours
that bounds every network step by ``remote_timeout`` (connecting, and each wait for more of
the answer), follows no redirect (a redirected POST loses its body, and the redirect would
carry the credentials to another host), and keeps the HTTP status so that it can be mapped to
the right error. Credentials never appear in a message.

**No state.** Every call opens its own connection, so after the server was down or slow the
next call simply works again; there is nothing to reset.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Final, TypeAlias, cast
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from SPARQLWrapper import INSERT, POST, POSTDIRECTLY, SELECT, URLENCODED, SPARQLWrapper

from helsegraf import rdfsafe
from helsegraf.namespaces import PREFIXES
from helsegraf.settings import Settings
from helsegraf.sparql import bind
from helsegraf.store import (
    DESCRIBE,
    ExportFormat,
    OxigraphStore,
    QueryFormError,
    QuerySyntaxError,
    SelectResult,
    StoreError,
    graph_of,
    query_form,
    select_result,
)
from helsegraf.terms import Term, to_oxigraph

#: What a query returns from the server, parsed: solutions, a boolean, or triples.
RemoteAnswer: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]

#: The media types helsegraf reads, by the parser that reads them.
_RESULT_TYPES: Final = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES: Final = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' media type before RDF 1.1
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}

#: ``Accept`` by query form. Each offers only what that form can be: a server that reads
#: ``Accept`` loosely (Virtuoso answers a CONSTRUCT in SPARQL JSON when that comes first) then
#: still answers in a form helsegraf reads. JSON results and N-Triples come first because
#: every SPARQL 1.1 server writes them and both parse exactly.
RESULTS_ACCEPT: Final = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.8"
)
GRAPH_ACCEPT: Final = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: For answers counted while they arrive (``max_rows``): XML has one ``<result>`` element a
#: solution (and every server writes it, unlike TSV, which Virtuoso writes its own way).
COUNTED_RESULTS_ACCEPT: Final = (
    "application/sparql-results+xml, application/sparql-results+json;q=0.9"
)
#: When the form cannot be told from the text (the server's parser will say why).
ANY_ACCEPT: Final = f"{RESULTS_ACCEPT}, {GRAPH_ACCEPT}"

#: What marks one solution or triple in an answer, by media type.
_ROW_MARKERS: Final = {
    "application/n-triples": b"\n",
    "text/plain": b"\n",
    "text/ntriples": b"\n",
    "text/tab-separated-values": b"\n",
    "application/sparql-results+xml": b"<result>",
}
#: A blank node label N-Triples and SPARQL results accept (ASCII subset of the grammar).
_BNODE_LABEL: Final = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_XML_BNODE: Final = re.compile(rb"<bnode>([^<]*)</bnode>")

_UPDATE_FORMS: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_CHUNK: Final = 1 << 16
#: Triples in one insert operation (Virtuoso 7.2 refuses operations of ~3000 and more).
_BATCH: Final = 1000
_MAX_MESSAGE: Final = 2000
#: Line numbers in parser messages: Oxigraph ``at 3:14``, Jena and Virtuoso ``line 3``.
_LINE_NUMBERS: Final = (
    re.compile(r"(?<=\bat )(\d+)(?=:\d)"),
    re.compile(r"(?<=\bline )(\d+)", re.IGNORECASE),
)


class AnswerTooLargeError(StoreError):
    """The answer has more rows than the caller allowed (raised while it arrives)."""


class RemoteUnreachableError(StoreError):
    """The request could not be sent (refused, unreachable, no connection in time).

    urllib raises :class:`urllib.error.URLError` only while connecting and sending; the
    server cannot have acted on a request it did not receive.
    """


class RemoteStatusError(StoreError):
    """The server answered with an HTTP error status (``status``): it did not do the work.

    Apart from a gateway's 502 and 504, which may stand for a server still at work, such an
    answer means the request was refused or rolled back; a network failure (no answer at
    all) leaves it unknown whether an update was applied.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    @property
    def changed_nothing(self) -> bool:
        """True when the status says the request had no effect."""
        return self.status not in (502, 504)


# -- transport -----------------------------------------------------------------------------


class _RowCounter:
    """Counts a marker in a stream of chunks, also where a chunk boundary splits it.

    The markers used (``b"\\n"``, ``b"<result>"``) cannot overlap themselves, so keeping the
    last ``len(marker) - 1`` bytes of what was seen is enough.

    >>> counter = _RowCounter(b"<result>")
    >>> [counter.feed(chunk) for chunk in (b"<head/><res", b"ult>a</result><result", b">")]
    [0, 1, 2]
    """

    def __init__(self, marker: bytes) -> None:
        self.marker = marker
        self.count = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> int:
        """Count the markers that ``chunk`` completes; the total so far."""
        window = self._tail + chunk
        self.count += window.count(self.marker)
        keep = len(self.marker) - 1
        self._tail = window[-keep:] if keep else b""
        return self.count


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib then raises the 3xx as an HTTPError, which we report."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


@dataclass(frozen=True)
class _Transport:
    """Opens requests with a timeout on every network step and maps failures to StoreError."""

    timeout: float
    authorization: str | None = field(default=None, repr=False)
    opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(_NoRedirect()), repr=False
    )

    def open(self, request: urllib.request.Request, where: str) -> http.client.HTTPResponse:
        """Send ``request``; the response, or the error that says what went wrong."""
        if self.authorization is not None:
            request.add_unredirected_header("Authorization", self.authorization)
        try:
            response: http.client.HTTPResponse = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            raise _http_error(err, where) from None
        except urllib.error.URLError as err:  # while connecting or sending
            raise RemoteUnreachableError(str(self.network_error(err, where))) from err
        except (OSError, http.client.HTTPException) as err:  # sent; waiting for the answer
            raise self.network_error(err, where) from err
        return response

    def read(
        self, response: http.client.HTTPResponse, where: str, max_rows: int | None = None
    ) -> bytes:
        """The whole body; :class:`AnswerTooLargeError` as soon as it has too many rows.

        Rows are counted while they arrive in the formats that mark each one (a line of
        N-Triples or TSV, a ``<result>`` element of SPARQL XML); other answers are read whole.
        """
        marker = _ROW_MARKERS.get(_media_type(response)) if max_rows is not None else None
        counter = _RowCounter(marker) if marker is not None else None
        chunks: list[bytes] = []
        try:
            with response:
                while chunk := response.read(_CHUNK):
                    if counter and max_rows is not None and counter.feed(chunk) > max_rows:
                        raise AnswerTooLargeError(
                            f"the answer has more than {max_rows} rows; add a LIMIT"
                        )
                    chunks.append(chunk)
        except (OSError, http.client.HTTPException) as err:
            raise self.network_error(err, where) from err
        return b"".join(chunks)

    def network_error(self, err: BaseException, where: str) -> StoreError:
        """A StoreError for a failure below HTTP: refused, timed out, reset, unresolvable."""
        reason = err.reason if isinstance(err, urllib.error.URLError) else err
        if isinstance(reason, TimeoutError):
            return StoreError(
                f"the SPARQL server at {where} did not answer within {self.timeout:g} s"
            )
        if isinstance(reason, ConnectionRefusedError):
            return StoreError(f"cannot reach the SPARQL server at {where}: connection refused")
        detail = str(reason) or type(reason).__name__
        return StoreError(f"cannot talk to the SPARQL server at {where}: {detail}")


def _http_error(err: urllib.error.HTTPError, where: str) -> StoreError:
    """The error for an HTTP status other than 2xx, with the server's own words when useful."""
    try:
        text = err.read(_MAX_MESSAGE * 2).decode("utf-8", errors="replace").strip()
    except (OSError, http.client.HTTPException):
        text = ""
    finally:
        err.close()
    text = text[:_MAX_MESSAGE]
    code = err.code
    if code == 400:
        return QuerySyntaxError(text or f"the SPARQL server at {where} refused the request (400)")
    if code in (401, 403):
        message = (
            f"the SPARQL server at {where} refused access (HTTP {code}): check "
            "HELSEGRAF_REMOTE_USER and HELSEGRAF_REMOTE_PASSWORD"
        )
    elif code == 404:
        message = f"no SPARQL endpoint at {where} (HTTP 404)"
    elif 300 <= code < 400:
        target = err.headers.get("Location", "another URL") if err.headers else "another URL"
        message = (
            f"the SPARQL server at {where} redirects to {target} (HTTP {code}); "
            "configure that URL instead"
        )
    else:
        detail = f": {text}" if text else ""
        message = f"the SPARQL server at {where} failed (HTTP {code}){detail}"
    return RemoteStatusError(message, code)


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper, sending through :class:`_Transport` instead of ``urllib.urlopen``.

    SPARQLWrapper's own ``_query`` (the hook its tests override too) turns some statuses into
    exceptions that keep only a formatted message, follows redirects and takes whole seconds
    as its timeout; everything else about the request is SPARQLWrapper's.
    """

    def __init__(self, endpoint: str, update_endpoint: str, transport: _Transport) -> None:
        super().__init__(endpoint, updateEndpoint=update_endpoint)
        self.transport = transport
        self.setMethod(POST)
        self.setOnlyConneg(True)  # no format=/output= parameters: the Accept header says it

    def _query(self) -> tuple[http.client.HTTPResponse, str]:
        where = self.updateEndpoint if self.isSparqlUpdateRequest() else self.endpoint
        return self.transport.open(self._createRequest(), where), self.returnFormat


# -- the store -----------------------------------------------------------------------------


class RemoteStore:
    """A SPARQL 1.1 server (query, update and optionally Graph Store Protocol endpoints)."""

    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        if not settings.store_is_remote:
            raise StoreError(f"not a SPARQL endpoint URL: {settings.store}")
        self.settings = settings
        self.endpoint = settings.store
        self.update_endpoint = settings.update_endpoint or settings.store
        self.gsp_endpoint = settings.gsp_endpoint
        self.read_only = read_only
        authorization = None
        if settings.remote_user is not None or settings.remote_password is not None:
            secret = settings.remote_password.get_secret_value() if settings.remote_password else ""
            pair = f"{settings.remote_user or ''}:{secret}".encode()
            authorization = "Basic " + base64.b64encode(pair).decode("ascii")
        self._transport = _Transport(settings.remote_timeout, authorization)
        self._closed = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, read_only={self.read_only})"

    # -- queries -----------------------------------------------------------------------------

    def run(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
        max_rows: int | None = None,
    ) -> RemoteAnswer:
        """Send a query as it is (after its missing prefixes); the server's answer, parsed.

        The text always goes to the query endpoint as a query, never as an update, whatever
        it looks like: helsegraf reads through here, and the api forwards users' text.
        ``max_rows`` stops reading an answer with more solutions or triples than that, and asks
        for formats in which each can be counted as it arrives (SPARQL XML, N-Triples).

        Whether a SELECT, ASK or CONSTRUCT was asked for is checked on the answer, as the
        embedded store does: the form read from the text only chooses the ``Accept`` header.
        """
        self._live()
        form = query_form(query)
        if form in _UPDATE_FORMS:
            raise QuerySyntaxError("this is a SPARQL Update; only queries are accepted here")
        if form in ("SELECT", "ASK"):
            accept = COUNTED_RESULTS_ACCEPT if max_rows and form == "SELECT" else RESULTS_ACCEPT
        elif form in ("CONSTRUCT", "DESCRIBE"):
            accept = GRAPH_ACCEPT
        else:
            accept = ANY_ACCEPT
        prologue = _prologue(query, base_iri)
        wrapper = self._wrapper()
        wrapper.queryString = prologue + query
        wrapper.queryType = SELECT  # any query form; only an update type would change routing
        wrapper.setRequestMethod(URLENCODED)
        for graph in default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs:
            wrapper.addNamedGraph(graph)
        wrapper.addCustomHttpHeader("Accept", accept)
        try:
            response = wrapper.query().response
        except QuerySyntaxError as err:
            raise QuerySyntaxError(_shift_lines(str(err), prologue.count("\n"))) from None
        cut = response.headers.get("X-SPARQL-MaxRows")
        if cut is not None:
            # Virtuoso answers 200 with at most ResultSetMaxRows rows, and this header when
            # an answer reaches that limit; a partial answer must never pass for the whole.
            response.close()
            raise StoreError(
                f"the SPARQL server at {self.endpoint} stopped the answer at its limit of {cut} "
                "rows (Virtuoso's ResultSetMaxRows), so it may be incomplete: raise that limit "
                "above the largest answer"
            )
        body = self._transport.read(response, self.endpoint, max_rows)
        return _parse(body, _media_type(response), self.endpoint)

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> SelectResult:
        result = self.run(bind(query, bindings))
        if not isinstance(result, ox.QuerySolutions):
            raise QueryFormError("expected a SELECT query")
        try:
            return select_result(result)
        except SyntaxError as err:
            raise StoreError(f"the answer of {self.endpoint} cannot be read: {err}") from err

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self.run(bind(query, bindings))
        if not isinstance(result, ox.QueryBoolean):
            raise QueryFormError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> Graph:
        result = self.run(bind(query, bindings))
        if not isinstance(result, list):
            raise QueryFormError("expected a CONSTRUCT or DESCRIBE query")
        return graph_of(result)

    def describe(self, iri: URIRef) -> Graph:
        return self.construct(DESCRIBE, {"x": iri})

    # -- writes ------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each named graph by the given triples.

        Every term is checked before anything is sent, so data the server would refuse part of
        way through never leaves helsegraf: the whole publish is refused and the server keeps
        what it had. Then:

        - **SPARQL Update** (default): one request, ``DROP SILENT GRAPH`` and an insert per
          graph. Oxigraph, Fuseki (TDB2), GraphDB and Virtuoso run one request as one
          transaction, so a reader sees all the old graphs or all the new ones (the contract
          tests check this on Oxigraph, the Virtuoso test on Virtuoso). A request the server
          refuses (HTTP 4xx, 500) changed nothing.
        - **Graph Store Protocol** (``gsp_endpoint`` set): one ``PUT`` per graph (``DELETE``
          for an empty one). On Oxigraph and Fuseki each PUT replaces its graph in one
          transaction, so no reader sees a half-written graph, but between two PUTs a reader
          can see the new version of one graph beside the old version of another. Virtuoso's
          PUT is not even atomic per graph (readers see it empty for a moment). Use it when
          a server limits the size of an update request.

        The inserts of one request are batched and split by blank nodes for Virtuoso's sake
        (see ``_Payload.inserts``); other servers take them as they would one operation.

        A publish that runs past ``remote_timeout`` may still be applied by the server after
        helsegraf has stopped waiting; the error says so.
        """
        self._live()
        if self.read_only:
            raise StoreError("the store was opened read-only")
        try:
            bodies = {name: _Payload.of(name, graph) for name, graph in graphs.items()}
        except (ValueError, TypeError) as err:
            raise StoreError(f"publishing failed, the store is unchanged: {err}") from err
        if not bodies:
            return
        if self.gsp_endpoint is not None:
            self._put_graphs(self.gsp_endpoint, bodies)
        else:
            self._update(bodies)
        self._check_union(graphs)

    def _update(self, bodies: Mapping[URIRef, _Payload]) -> None:
        operations: list[str] = []
        for payload in bodies.values():
            operations.append(f"DROP SILENT GRAPH {payload.target}")
            operations.extend(payload.inserts(_BATCH))
        wrapper = self._wrapper()
        wrapper.queryString = " ;\n".join(operations)
        # an update: to the update endpoint, as application/sparql-update
        wrapper.queryType = INSERT
        wrapper.setRequestMethod(POSTDIRECTLY)
        wrapper.addCustomHttpHeader("Accept", "*/*")
        try:
            self._transport.read(wrapper.query().response, self.update_endpoint)
        except StoreError as err:
            if _changed_nothing(err):
                why = (
                    "the update did not reach the server"
                    if isinstance(err, RemoteUnreachableError)
                    else "the server refused the update"
                )
                raise StoreError(
                    f"publishing failed, the store is unchanged: {why}: {err}"
                ) from err
            raise StoreError(
                f"publishing did not finish ({err}); the server may still apply it: "
                "check it and load again"
            ) from err

    def _put_graphs(self, endpoint: str, bodies: Mapping[URIRef, _Payload]) -> None:
        done: list[str] = []
        for name, payload in bodies.items():
            body = payload.triples
            separator = "&" if "?" in endpoint else "?"
            url = f"{endpoint}{separator}graph={quote(str(name), safe='')}"
            # N-Triples is Turtle, which every Graph Store Protocol server reads. The endpoint
            # is an http(s) URL (Settings checks it).
            request = urllib.request.Request(  # noqa: S310
                url,
                data=body.encode("utf-8") if body else None,
                method="PUT" if body else "DELETE",
                headers={"Content-Type": "text/turtle; charset=utf-8"} if body else {},
            )
            try:
                self._transport.read(self._transport.open(request, endpoint), endpoint)
            except RemoteStatusError as err:
                if body or err.status != 404:  # deleting a graph that is not there is fine
                    raise self._partial(name, done, err) from err
            except StoreError as err:
                raise self._partial(name, done, err) from err
            done.append(str(name))

    @staticmethod
    def _partial(name: URIRef, done: Sequence[str], err: StoreError) -> StoreError:
        # A request that was sent and not answered may have been applied (or may still be).
        this = "the others not" if _changed_nothing(err) else "the server may still apply it"
        if done:
            state = f"{', '.join(done)} already replaced; {this}"
        elif _changed_nothing(err):
            state = "the store is unchanged"
        else:
            state = this
        return StoreError(f"publishing failed at graph {name} ({state}): {err}")

    def _check_union(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Fail loudly when the published data is invisible to queries (no union default graph)."""
        sample = _sample(graph for graph in graphs.values())
        if sample is None:
            return
        subject, predicate, obj = sample
        try:
            visible = self.ask("ASK WHERE { ?s ?p ?o }", {"s": subject, "p": predicate, "o": obj})
        except StoreError as err:  # the publish went through; only the check could not run
            raise StoreError(
                f"published, but could not check that queries see the data: {err}"
            ) from err
        if not visible:
            raise StoreError(
                "published, but queries do not see the data: the server's default graph is not "
                "the union of its named graphs (Oxigraph: serve --union-default-graph; Fuseki: "
                "tdb2:unionDefaultGraph true; see the README)"
            )

    # -- export ------------------------------------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        names = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g")
        return sorted(name for name in names if isinstance(name, URIRef))

    def export(self, fmt: ExportFormat, *, union: bool = False) -> bytes:
        """Every quad, read with one query, serialised exactly as the embedded store does."""
        result = self.run("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(f"the SPARQL server at {self.endpoint} did not answer with solutions")
        copy = OxigraphStore(None)
        try:
            copy._live().extend(
                ox.Quad(
                    cast(ox.NamedNode | ox.BlankNode, solution["s"]),
                    cast(ox.NamedNode, solution["p"]),
                    cast(ox.NamedNode | ox.BlankNode | ox.Literal, solution["o"]),
                    cast(ox.NamedNode, solution["g"]),
                )
                for solution in result
            )
            return copy.export(fmt, union=union)
        except (SyntaxError, TypeError, ValueError) as err:
            raise StoreError(f"the answer of {self.endpoint} cannot be read: {err}") from err
        finally:
            copy.close()

    def close(self) -> None:
        """Nothing is held open between calls; afterwards every call is refused, as embedded."""
        self._closed = True

    # -- helpers -----------------------------------------------------------------------------

    def _live(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    def _wrapper(self) -> _Wrapper:
        return _Wrapper(self.endpoint, self.update_endpoint, self._transport)


def _prologue(query: str, base_iri: str | None) -> str:
    """One line declaring the helsegraf prefixes ``query`` uses without declaring them."""
    declarations = [f"BASE {to_oxigraph(URIRef(base_iri))}"] if base_iri else []
    for name, iri in PREFIXES.items():
        used = re.search(rf"(?<![\w\-.:]){re.escape(name)}:", query)
        declared = re.search(rf"\bPREFIX\s+{re.escape(name)}\s*:", query, re.IGNORECASE)
        if used and not declared:
            declarations.append(f"PREFIX {name}: <{iri}>")
    return " ".join(declarations) + "\n" if declarations else ""


def _shift_lines(message: str, lines: int) -> str:
    """The server's syntax error with its line numbers counted from the caller's text."""
    if not lines:
        return message
    for pattern in _LINE_NUMBERS:
        message = pattern.sub(lambda m: str(max(1, int(m.group(1)) - lines)), message)
    return message


def _changed_nothing(err: StoreError) -> bool:
    """True when the request never arrived, or the server answered that it refused it."""
    return isinstance(err, (QuerySyntaxError, RemoteUnreachableError)) or (
        isinstance(err, RemoteStatusError) and err.changed_nothing
    )


def _media_type(response: http.client.HTTPResponse) -> str:
    return (response.headers.get_content_type() or "").lower()


def _parse(body: bytes, media: str, where: str) -> RemoteAnswer:
    """The server's answer, parsed; its blank node labels are kept.

    A blank node keeps its label from one answer to the next, as in the embedded store, so
    triples about one blank node asked for in two queries (a resource's page follows blank
    nodes a level at a time) join up again:

    >>> first = _parse(b"<https://e/a> <https://e/p> _:b1 .", "application/n-triples", "here")
    >>> then = _parse(b'_:b1 <https://e/q> "x" .', "application/n-triples", "here")
    >>> first[0].object == then[0].subject
    True

    A graph from another server is outside input: RDF/XML and JSON-LD, which can declare
    entities or name remote contexts, must first pass :func:`helsegraf.rdfsafe.parse_quads`.
    Its result is not used, because it relabels every blank node (right for documents parsed
    apart, wrong for answers about one store). N-Triples, Turtle and N-Quads can pull in
    nothing; every format gets the same limit on triples.
    """
    try:
        if media in _RESULT_TYPES:
            kind = _RESULT_TYPES[media]
            return ox.parse_query_results(_valid_bnodes(body, kind), format=kind)
        if media in _GRAPH_TYPES:
            rdf = _GRAPH_TYPES[media]
            if rdf in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
                rdfsafe.parse_quads(body, rdf, max_bytes=len(body) + 1)
            triples: list[ox.Triple] = []
            for quad in ox.parse(body, format=rdf, rename_blank_nodes=False):
                triples.append(quad.triple)
                if len(triples) > rdfsafe.DEFAULT_MAX_TRIPLES:
                    raise StoreError(
                        f"the answer of {where} is refused: more than "
                        f"{rdfsafe.DEFAULT_MAX_TRIPLES} triples"
                    )
            return triples
    except rdfsafe.RdfInputError as err:
        raise StoreError(f"the answer of {where} is refused: {err}") from err
    except SyntaxError as err:
        raise StoreError(f"the answer of {where} is not valid {media}: {err}") from err
    raise StoreError(f"the SPARQL server at {where} answered as {media or 'unknown'}, unreadable")


def _valid_bnodes(body: bytes, results_format: ox.QueryResultsFormat) -> bytes:
    """The answer with blank node labels that SPARQL results allow.

    Virtuoso labels blank nodes ``nodeID://b10004`` in its JSON and XML results, which
    strict parsers refuse. Such a label is replaced by one derived from it (the same label
    always gives the same replacement, so a blank node keeps its identity across answers).
    Answers without blank nodes, or with valid labels, are returned as they are.
    """
    if results_format == ox.QueryResultsFormat.XML and b"<bnode>" in body:

        def fixed(match: re.Match[bytes]) -> bytes:
            label = match.group(1).decode("utf-8")
            return b"<bnode>" + _bnode_label(label).encode("ascii") + b"</bnode>"

        return _XML_BNODE.sub(fixed, body)
    if results_format == ox.QueryResultsFormat.JSON and b'"bnode"' in body:
        try:
            data = json.loads(body)
        except ValueError:
            return body  # the parser will say what is wrong with it
        changed = False
        bindings = data.get("results", {}).get("bindings", []) if isinstance(data, dict) else []
        for row in bindings:
            for term in row.values() if isinstance(row, dict) else ():
                if isinstance(term, dict) and term.get("type") == "bnode":
                    label = str(term.get("value", ""))
                    if not _BNODE_LABEL.match(label):
                        term["value"] = _bnode_label(label)
                        changed = True
        return json.dumps(data).encode("utf-8") if changed else body
    return body


def _bnode_label(label: str) -> str:
    if _BNODE_LABEL.match(label):
        return label
    return "r" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class _Payload:
    """One graph, ready to send: its name and its triples as N-Triples lines, every term checked.

    The triples without blank nodes are kept apart from those with, which are grouped so that
    all the triples of one blank node (and of the blank nodes linked to it) stay together:
    a blank node label means one node only within one update operation.
    """

    target: str
    plain: list[str]
    linked: list[list[str]]

    @classmethod
    def of(cls, name: URIRef, graph: Graph) -> _Payload:
        """Raises ValueError or TypeError for a term pyoxigraph refuses (an invalid IRI)."""
        plain: list[str] = []
        groups: dict[BNode, list[str]] = {}
        parent: dict[BNode, BNode] = {}

        def root(node: BNode) -> BNode:
            while parent.setdefault(node, node) != node:
                node = parent[node]
            return node

        triples = []
        for s, p, o in graph:
            line = f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} .\n"
            blanks = [term for term in (s, o) if isinstance(term, BNode)]
            if not blanks:
                plain.append(line)
                continue
            if len(blanks) == 2:
                parent[root(blanks[0])] = root(blanks[1])
            triples.append((blanks[0], line))
        for node, line in triples:
            groups.setdefault(root(node), []).append(line)
        return cls(str(to_oxigraph(name)), plain, list(groups.values()))

    @property
    def triples(self) -> str:
        """Every triple, as one N-Triples (and Turtle) document."""
        return "".join(self.plain) + "".join(line for group in self.linked for line in group)

    def inserts(self, batch: int) -> list[str]:
        """The update operations that insert the graph, each of about ``batch`` triples.

        ``INSERT DATA`` for the triples without blank nodes (servers stream it, which matters
        for large graphs); ``INSERT { ... } WHERE {}`` for the groups with blank nodes, which
        SPARQL 1.1 allows in both forms but Virtuoso only in this one (error SP031). Virtuoso's
        compiler also refuses operations of a few thousand triples, hence the batches; all of
        them go in the one request, so they are still one transaction.
        """
        operations = [
            f"INSERT DATA {{ GRAPH {self.target} {{\n{''.join(self.plain[at : at + batch])}}} }}"
            for at in range(0, len(self.plain), batch)
        ]
        chunk: list[str] = []
        for group in [*self.linked, []]:
            if chunk and (not group or len(chunk) + len(group) > batch):
                body = "".join(chunk)
                operations.append(f"INSERT {{ GRAPH {self.target} {{\n{body}}} }} WHERE {{}}")
                chunk = []
            chunk.extend(group)
        return operations


def _sample(graphs: Iterable[Graph]) -> tuple[Term, Term, Term] | None:
    """A published triple without blank nodes to look for, with an IRI object if any."""
    fallback: tuple[Term, Term, Term] | None = None
    for graph in graphs:
        for s, p, o in graph:
            if isinstance(s, BNode) or isinstance(o, BNode):
                continue
            triple = cast(tuple[Term, Term, Term], (s, p, o))
            if isinstance(o, URIRef):
                return triple
            fallback = fallback or triple
    return fallback


__all__: Sequence[str] = [
    "AnswerTooLargeError",
    "RemoteAnswer",
    "RemoteStatusError",
    "RemoteStore",
    "RemoteUnreachableError",
]
