"""Parse RDF that comes from outside the repository: bounded, offline, no DTDs.

Everything helsegraf reads from elsewhere (the official shape files in ``../shared``,
harvested DCAT catalogs, anything uploaded) goes through :func:`parse` (an rdflib
:class:`~rdflib.Graph`) or :func:`parse_quads` (pyoxigraph quads, for the store). Both parse
with pyoxigraph's streaming parsers and refuse, with :class:`UnsafeRdfError`:

* **input over** ``max_bytes``: a regular file's size is checked before anything is read,
  and every input is read through a counter that stops one byte past the limit, so an
  endless stream is cut there;
* **more than** ``max_triples`` triples (quads): counted while parsing, before they pile up;
* **RDF/XML with a DTD**: any ``<!DOCTYPE`` or ``<!ENTITY`` (in any letter case, even in a
  comment) refuses the document before the chunk holding it reaches the RDF/XML parser. So
  there are no entities to expand (billion laughs), no external entities (XXE) and no external
  DTD or parameter entity to fetch. Each chunk is also run through expat first, which refuses
  elements nested deeper than ``max_depth`` (pyoxigraph's RDF/XML parser slows down
  quadratically with depth) and reports malformed XML with its line and column;
* **JSON-LD contexts that are not inline**: a string in any ``@context`` (alone or in an array,
  at the top, in a node or as a scoped context in a term definition) and any ``@import`` are
  refused unless the string is a key of ``contexts``, a local map from context IRIs to context
  documents (``{"@context": ...}``) that the caller bundles; a context from that map is copied
  in place of its IRI. Nothing is ever fetched (pyoxigraph 0.5 also has no document loader,
  so it would refuse on its own). JSON nested deeper than ``max_depth`` is refused, and so is
  an object with a repeated key (parsers disagree on which one wins).

Turtle, TriG, N-Triples and N-Quads have no way to pull in anything else; they get the size
and triple limits. N3 is not accepted. No base IRI is assumed (a file's path never becomes
one): relative IRIs need ``base_iri``. Blank nodes get fresh random labels on every parse, so
graphs parsed apart never share one by accident.

Syntax errors raise :class:`RdfSyntaxError` with the parser's line and column where it gives
one (pyoxigraph's RDF/XML parser gives none; expat does for XML that is not well-formed).
Both are :class:`RdfInputError`, a :class:`ValueError`. A caller that also needs a time bound
runs the parse in a worker it can stop.

>>> graph = parse(b'<https://example.org/a> <https://example.org/p> "x" .', "nt")
>>> len(graph)
1
>>> parse(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r/>', "xml")
Traceback (most recent call last):
...
helsegraf.rdfsafe.UnsafeRdfError: RDF/XML: a <!DOCTYPE declaration is refused (no DTDs, no entities)
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Final, Protocol, TypeAlias, cast
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import Graph, URIRef

from helsegraf.terms import to_rdflib

#: Default input size limit: well above any catalog helsegraf harvests.
DEFAULT_MAX_BYTES: Final = 32 * 1024 * 1024
#: Default limit on the triples (quads) of one input.
DEFAULT_MAX_TRIPLES: Final = 500_000
#: Default limit on XML element nesting and JSON nesting.
DEFAULT_MAX_DEPTH: Final = 100


class RdfInputError(ValueError):
    """RDF from outside could not be used."""


class UnsafeRdfError(RdfInputError):
    """The input was refused: too large, too many triples, a DTD, a remote context, too deep."""


class RdfSyntaxError(RdfInputError):
    """The input is not valid in its format; ``line`` and ``column`` (1-based) when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)
        self.line = line
        self.column = column


class Readable(Protocol):
    """A binary stream: an open file, an HTTP response."""

    def read(self, size: int = -1, /) -> bytes: ...


Source: TypeAlias = bytes | Path | Readable

#: The formats accepted, by rdflib name, short name or file extension.
_FORMATS: Final = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nt11": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_ACCEPTED: Final = frozenset(_FORMATS.values())
#: The position pyoxigraph puts in front of its messages (RdfSyntaxError puts it after).
_POSITION: Final = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): "
)


def rdf_format(name: str | ox.RdfFormat) -> ox.RdfFormat:
    """The format ``name`` means: an rdflib name (``turtle``, ``xml``, ``json-ld``, ``nt``,
    ``nquads``, ``trig``), a file extension or a media type.

    >>> rdf_format("application/rdf+xml; charset=utf-8").name
    'RDF/XML'
    """
    if isinstance(name, ox.RdfFormat):
        found: ox.RdfFormat | None = name
    else:
        key = name.strip().lower()
        found = (
            _FORMATS.get(key)
            or ox.RdfFormat.from_media_type(key)
            or ox.RdfFormat.from_extension(key)
        )
    if found not in _ACCEPTED:
        raise ValueError(
            f"unsupported RDF format {name!r}: Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD"
        )
    assert found is not None
    return found


def parse_quads(
    source: Source,
    format: str | ox.RdfFormat,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    base_iri: str | None = None,
    contexts: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ox.Quad]:
    """The quads of ``source`` (bytes, a file or a binary stream), parsed within the limits.

    All or nothing: a refusal or syntax error anywhere means no quads. ``contexts`` maps
    JSON-LD context IRIs to bundled context documents; see the module documentation.
    """
    quads, _prefixes = _parse(
        source, rdf_format(format), max_bytes, max_triples, max_depth, base_iri, contexts
    )
    return quads


def parse(
    source: Source,
    format: str | ox.RdfFormat,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    base_iri: str | None = None,
    contexts: Mapping[str, Mapping[str, Any]] | None = None,
) -> Graph:
    """``source`` as an rdflib graph (with the prefixes it declares), parsed within the limits.

    Like :func:`parse_quads`, but the input must hold one graph: a named graph in TriG,
    N-Quads or JSON-LD raises :class:`RdfInputError` (use :func:`parse_quads`), and so does
    an RDF 1.2 triple term, which rdflib cannot hold.
    """
    quads, prefixes = _parse(
        source, rdf_format(format), max_bytes, max_triples, max_depth, base_iri, contexts
    )
    graph = Graph()
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, URIRef(namespace))
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise RdfInputError(
                f"the input has a named graph ({quad.graph_name}); parse_quads() keeps them"
            )
        try:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        except TypeError:
            raise RdfInputError(
                f"RDF 1.2 triple terms are not supported here: {quad.triple}"
            ) from None
    return graph


# --------------------------------------------------------------------------------------------
# Reading with a cap.
# --------------------------------------------------------------------------------------------


def _too_large(what: str, max_bytes: int) -> UnsafeRdfError:
    return UnsafeRdfError(f"{what}: the input is larger than the limit of {max_bytes} bytes")


class _Capped:
    """Reads ``stream`` for a parser, never more than ``limit + 1`` bytes, and refuses the
    input once it is over ``limit``. Each chunk passes through ``guard`` (if any) before the
    parser gets it."""

    def __init__(
        self, stream: Readable, limit: int, what: str, guard: _XmlGuard | None = None
    ) -> None:
        self.stream = stream
        self.limit = limit
        self.what = what
        self.guard = guard
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        if size == 0:
            return b""
        room = self.limit + 1 - self.count
        data = self.stream.read(room if size < 0 or size > room else size)
        self.count += len(data)
        if self.count > self.limit:
            raise _too_large(self.what, self.limit)
        if self.guard is not None:
            self.guard.feed(data)
        return data

    def read_all(self) -> bytes:
        """Everything left, within the limit."""
        chunks = []
        while data := self.read(1 << 16):
            chunks.append(data)
        return b"".join(chunks)


class _XmlGuard:
    """Looks at RDF/XML before pyoxigraph does: refuses DTDs, deep nesting, malformed XML."""

    _DTD: Final = re.compile(rb"<!(?i:DOCTYPE|ENTITY)")
    _TAIL: Final = len(b"<!DOCTYPE") - 1

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.depth = 0
        self.tail = b""
        self.done = False
        self.expat = expat.ParserCreate()
        self.expat.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.expat.StartDoctypeDeclHandler = self._doctype
        self.expat.EntityDeclHandler = self._doctype
        self.expat.StartElementHandler = self._start
        self.expat.EndElementHandler = self._end

    def feed(self, data: bytes) -> None:
        """Check the next chunk (``b""`` at the end of the input)."""
        window = self.tail + data
        if match := self._DTD.search(window):
            declaration = match.group().decode("ascii")
            raise UnsafeRdfError(
                f"RDF/XML: a {declaration} declaration is refused (no DTDs, no entities)"
            )
        self.tail = window[-self._TAIL :]
        if self.done:
            return
        self.done = not data
        try:
            self.expat.Parse(data, self.done)
        except expat.ExpatError as error:
            raise RdfSyntaxError(
                f"RDF/XML: {expat.ErrorString(error.code)}", error.lineno, error.offset + 1
            ) from None

    def _doctype(self, *_args: object) -> None:
        raise UnsafeRdfError("RDF/XML: a DTD declaration is refused (no DTDs, no entities)")

    def _start(self, *_args: object) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise UnsafeRdfError(
                f"RDF/XML: elements nested deeper than {self.max_depth} levels are refused"
            )

    def _end(self, *_args: object) -> None:
        self.depth -= 1


# --------------------------------------------------------------------------------------------
# JSON-LD contexts.
# --------------------------------------------------------------------------------------------


def _local_jsonld(data: bytes, max_depth: int, contexts: Mapping[str, Mapping[str, Any]]) -> bytes:
    """``data`` with every context IRI replaced from ``contexts``; refuses any other."""
    for iri, context_document in contexts.items():
        if not isinstance(context_document, Mapping) or "@context" not in context_document:
            raise ValueError(f"the bundled context {iri!r} is not a {{'@context': ...}} document")
    try:
        document = json.loads(data, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise RdfSyntaxError(f"JSON-LD: {error.msg}", error.lineno, error.colno) from None
    except RdfInputError:
        raise
    except RecursionError:
        raise UnsafeRdfError(
            f"JSON-LD: JSON nested deeper than {max_depth} levels is refused"
        ) from None
    except ValueError as error:  # not UTF-8/16/32, a number of over 4300 digits
        raise RdfSyntaxError(f"JSON-LD: {error}") from None
    changed = False
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise UnsafeRdfError(f"JSON-LD: JSON nested deeper than {max_depth} levels is refused")
        if isinstance(value, dict):
            if isinstance(value.get("@import"), str):
                raise UnsafeRdfError(f"JSON-LD: @import of {value['@import']!r} is refused")
            if "@context" in value:
                local = _local_context(value["@context"], contexts)
                changed = changed or local is not value["@context"]
                value["@context"] = local
            stack.extend((member, depth + 1) for member in value.values())
        elif isinstance(value, list):
            stack.extend((member, depth + 1) for member in value)
    return json.dumps(document).encode() if changed else data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key repeats: JSON parsers differ on which one wins, so
    ``{"@context": "https://…", "@context": {}}`` would pass a check that saw only the last."""
    members = dict(pairs)
    if len(members) < len(pairs):
        keys = [key for key, _value in pairs]
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise UnsafeRdfError(f"JSON-LD: the key {duplicate!r} repeats in an object")
    return members


def _local_context(context: Any, contexts: Mapping[str, Mapping[str, Any]]) -> Any:
    """``context`` (a ``@context`` value) with each IRI in it replaced from ``contexts``."""
    if isinstance(context, list):
        local = [_local_context(member, contexts) for member in context]
        return context if all(a is b for a, b in zip(local, context, strict=True)) else local
    if not isinstance(context, str):
        return context
    if context in contexts:
        return copy.deepcopy(contexts[context]["@context"])
    known = f" (bundled: {', '.join(sorted(contexts))})" if contexts else ""
    raise UnsafeRdfError(
        f"JSON-LD: the remote context {context!r} is refused: contexts must be inline{known}"
    )


# --------------------------------------------------------------------------------------------
# Parsing.
# --------------------------------------------------------------------------------------------


def _parse(
    source: Source,
    rdf: ox.RdfFormat,
    max_bytes: int,
    max_triples: int,
    max_depth: int,
    base_iri: str | None,
    contexts: Mapping[str, Mapping[str, Any]] | None,
) -> tuple[list[ox.Quad], dict[str, str]]:
    """Open ``source`` (a file is closed again), then :func:`_read`."""
    if not isinstance(source, Path):
        return _read(source, rdf, max_bytes, max_triples, max_depth, base_iri, contexts)
    with source.open("rb") as file:
        info = os.fstat(file.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise _too_large(f"{rdf.name} in {source}", max_bytes)
        return _read(file, rdf, max_bytes, max_triples, max_depth, base_iri, contexts)


def _read(
    source: bytes | Readable,
    rdf: ox.RdfFormat,
    max_bytes: int,
    max_triples: int,
    max_depth: int,
    base_iri: str | None,
    contexts: Mapping[str, Mapping[str, Any]] | None,
) -> tuple[list[ox.Quad], dict[str, str]]:
    """Guard and parse the bytes or stream ``source``."""
    if isinstance(source, bytes) and len(source) > max_bytes:
        raise _too_large(rdf.name, max_bytes)
    guard = _XmlGuard(max_depth) if rdf == ox.RdfFormat.RDF_XML else None
    if isinstance(source, bytes) and guard is None:
        data: bytes | _Capped = source
    else:
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        data = _Capped(stream, max_bytes, rdf.name, guard)
    if rdf == ox.RdfFormat.JSON_LD:
        raw = data.read_all() if isinstance(data, _Capped) else data
        data = _local_jsonld(raw, max_depth, contexts or {})
    quads: list[ox.Quad] = []
    try:
        given = data if isinstance(data, bytes) else cast("IO[bytes]", data)  # only read() is used
        parser = ox.parse(given, rdf, base_iri=base_iri, rename_blank_nodes=True)
        for quad in parser:
            quads.append(quad)
            if len(quads) > max_triples:
                raise UnsafeRdfError(f"{rdf.name}: more than {max_triples} triples")
        prefixes = dict(parser.prefixes)
    except SyntaxError as error:
        message = _POSITION.sub("", str(error.msg))
        if "LoadDocumentCallback" in message:  # pyoxigraph's own refusal, should ours miss one
            raise UnsafeRdfError(f"JSON-LD: a remote context is refused ({message})") from None
        raise RdfSyntaxError(f"{rdf.name}: {message}", error.lineno, error.offset) from None
    return quads, prefixes
