"""``helsegraf.rdfsafe``: hostile RDF is refused, benign RDF parses, and nothing is fetched.

Every network test points the remote reference at a listener on a free loopback port and
asserts the listener got no connection. The ``test_baseline_*`` tests show what rdflib and
pyoxigraph do on their own with the same payloads, so it is clear which protection matters;
where a library is already safe, the docstring says so.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from helsegraf import rdfsafe
from helsegraf.rdfsafe import RdfInputError, RdfSyntaxError, UnsafeRdfError, parse, parse_quads
from tests.listener import Listener

EX = "https://example.org/"
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_OPEN = f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">'
XML_CLOSE = "</rdf:RDF>"


# --------------------------------------------------------------------------------------------
# A loopback listener that records every connection.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Benign documents: the same graph in every format.
# --------------------------------------------------------------------------------------------

TTL_PREFIX = f"@prefix ex: <{EX}> .\n"
TTL_BODY = """
ex:catalog ex:title "Katalog"@nb, "Catalog"@en ;
    ex:count 3 ;
    ex:dataset ex:ds1 .
ex:ds1 ex:contact [ ex:email "post@example.org" ] .
"""
EXPECTED_TTL = TTL_PREFIX + TTL_BODY

BENIGN: dict[str, str] = {
    "turtle": EXPECTED_TTL,
    "nt": f"""
<{EX}catalog> <{EX}title> "Katalog"@nb .
<{EX}catalog> <{EX}title> "Catalog"@en .
<{EX}catalog> <{EX}count> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .
<{EX}catalog> <{EX}dataset> <{EX}ds1> .
<{EX}ds1> <{EX}contact> _:c .
_:c <{EX}email> "post@example.org" .
""",
    "nquads": f"""
<{EX}catalog> <{EX}title> "Katalog"@nb .
<{EX}catalog> <{EX}title> "Catalog"@en .
<{EX}catalog> <{EX}count> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .
<{EX}catalog> <{EX}dataset> <{EX}ds1> .
<{EX}ds1> <{EX}contact> _:c .
_:c <{EX}email> "post@example.org" .
""",
    "trig": TTL_PREFIX + "{" + TTL_BODY + "}",
    "xml": f"""<?xml version="1.0" encoding="UTF-8"?>
{XML_OPEN}
  <rdf:Description rdf:about="{EX}catalog">
    <ex:title xml:lang="nb">Katalog</ex:title>
    <ex:title xml:lang="en">Catalog</ex:title>
    <ex:count rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">3</ex:count>
    <ex:dataset>
      <rdf:Description rdf:about="{EX}ds1">
        <ex:contact rdf:parseType="Resource"><ex:email>post@example.org</ex:email></ex:contact>
      </rdf:Description>
    </ex:dataset>
  </rdf:Description>
{XML_CLOSE}""",
    "json-ld": json.dumps(
        {
            "@context": {"ex": EX, "ex:dataset": {"@type": "@id"}},
            "@id": "ex:catalog",
            "ex:title": [
                {"@value": "Katalog", "@language": "nb"},
                {"@value": "Catalog", "@language": "en"},
            ],
            "ex:count": 3,
            "ex:dataset": {"@id": "ex:ds1", "ex:contact": {"ex:email": "post@example.org"}},
        }
    ),
}


def expected() -> Graph:
    return Graph().parse(data=EXPECTED_TTL, format="turtle")


@pytest.mark.parametrize("fmt", sorted(BENIGN))
def test_benign_document_parses_to_the_expected_triples(fmt: str) -> None:
    graph = parse(BENIGN[fmt].encode(), fmt)
    assert isomorphic(graph, expected()), graph.serialize(format="nt")


@pytest.mark.parametrize("fmt", sorted(BENIGN))
def test_bytes_file_and_stream_give_the_same_graph(fmt: str, tmp_path: Path) -> None:
    data = BENIGN[fmt].encode()
    path = tmp_path / "doc"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        assert isomorphic(parse(source, fmt), expected())


def test_turtle_prefixes_are_bound_and_relative_iris_need_a_base() -> None:
    graph = parse(b"@prefix hx: <https://example.org/hx#> . hx:a hx:b hx:c .", "turtle")
    assert ("hx", URIRef("https://example.org/hx#")) in set(graph.namespaces())
    with pytest.raises(RdfSyntaxError, match="absolute IRI"):
        parse(b"<a> <b> <c> .", "turtle")
    graph = parse(b"<a> <b> <c> .", "turtle", base_iri="https://example.org/doc/")
    assert (URIRef(EX + "doc/a"), URIRef(EX + "doc/b"), URIRef(EX + "doc/c")) in graph


def test_blank_nodes_are_fresh_on_every_parse() -> None:
    """Two documents that both say ``_:b0`` describe two different nodes once merged."""
    doc = b'_:b0 <https://example.org/p> "x" .'
    merged = parse(doc, "nt") + parse(doc, "nt")
    assert len(set(merged.subjects())) == 2
    assert all(isinstance(s, BNode) and str(s) != "b0" for s in merged.subjects())


def test_named_graphs_are_kept_by_parse_quads_and_refused_by_parse() -> None:
    doc = f"<{EX}a> <{EX}p> <{EX}o> <{EX}g> .\n<{EX}a> <{EX}p> <{EX}o2> .".encode()
    quads = parse_quads(doc, "nquads")
    assert {str(q.graph_name) for q in quads} == {f"<{EX}g>", "DEFAULT"}
    with pytest.raises(RdfInputError, match="named graph"):
        parse(doc, "nquads")


def test_triple_terms_are_refused_by_parse_with_a_clear_error() -> None:
    doc = f"<{EX}a> <{EX}p> <<( <{EX}a> <{EX}b> <{EX}c> )>> .".encode()
    assert len(parse_quads(doc, "turtle")) == 1
    with pytest.raises(RdfInputError, match="triple terms"):
        parse(doc, "turtle")


@pytest.mark.parametrize(
    ("name", "expected_name"),
    [
        ("turtle", "Turtle"),
        ("text/turtle; charset=utf-8", "Turtle"),
        ("application/rdf+xml", "RDF/XML"),
        ("xml", "RDF/XML"),
        ("json-ld", "JSON-LD"),
        ("application/ld+json", "JSON-LD"),
        ("nt", "N-Triples"),
        ("nquads", "N-Quads"),
        ("trig", "TriG"),
        (ox.RdfFormat.TURTLE, "Turtle"),
    ],
)
def test_format_names(name: str | ox.RdfFormat, expected_name: str) -> None:
    assert rdfsafe.rdf_format(name).name == expected_name


@pytest.mark.parametrize("name", ["n3", "text/n3", "hext", "text/html"])
def test_other_formats_are_not_accepted(name: str) -> None:
    with pytest.raises(ValueError, match="unsupported RDF format"):
        parse(b"", name)


# --------------------------------------------------------------------------------------------
# RDF/XML: no DTD of any kind.
# --------------------------------------------------------------------------------------------


def rdfxml(doctype: str, value: str = "&x;") -> bytes:
    """An RDF/XML document with ``doctype`` and ``value`` as the object of one triple."""
    return (
        f'<?xml version="1.0"?>{doctype}{XML_OPEN}'
        f'<rdf:Description rdf:about="{EX}a"><ex:p>{value}</ex:p></rdf:Description>{XML_CLOSE}'
    ).encode()


XXE_FILE = rdfxml('<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>')


def laughs(levels: int) -> bytes:
    """The billion laughs: ``levels`` nested entities, each ten of the one before."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for i in range(1, levels + 1):
        ten = f"&lol{i - 1};" * 10
        entities.append(f'<!ENTITY lol{i} "{ten}">')
    return rdfxml(f"<!DOCTYPE rdf:RDF [{''.join(entities)}]>", f"&lol{levels};")


def test_xxe_is_refused() -> None:
    with pytest.raises(UnsafeRdfError, match="DOCTYPE declaration is refused"):
        parse(XXE_FILE, "xml")


def test_baseline_xxe() -> None:
    """Baseline already safe from disclosure: Python's SAX (3.7.1+) does not load external
    general entities, so rdflib silently *drops* ``&x;`` (an empty literal, no error), and
    pyoxigraph's RDF/XML parser rejects ``SYSTEM`` entities as a syntax error. Neither reads
    the file; rdflib's silent loss of data is one more reason to refuse the DTD outright."""
    graph = Graph().parse(data=XXE_FILE.decode(), format="xml")
    assert list(graph.objects()) == [Literal("")]
    with pytest.raises(SyntaxError):
        list(ox.parse(XXE_FILE, format=ox.RdfFormat.RDF_XML))


def remote_dtds(listener: Listener) -> dict[str, bytes]:
    """Three ways a DTD can make the parser fetch something from the listener."""
    return {
        "external parameter entity": rdfxml(
            f'<!DOCTYPE rdf:RDF [<!ENTITY % e SYSTEM "{listener.url("e.dtd")}"> %e;]>'
        ),
        "external general entity": rdfxml(
            f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{listener.url("x.txt")}">]>'
        ),
        "external DTD": rdfxml(f'<!DOCTYPE rdf:RDF SYSTEM "{listener.url("rdf.dtd")}">', "plain"),
    }


def test_remote_dtds_are_refused_without_a_connection(listener: Listener) -> None:
    for name, doc in remote_dtds(listener).items():
        with pytest.raises(UnsafeRdfError, match="DOCTYPE"):
            parse(doc, "xml")
        with pytest.raises(UnsafeRdfError, match="DOCTYPE"):
            parse(io.BytesIO(doc), "xml")
        assert not listener.requests, name
    listener.assert_untouched()


def test_baseline_remote_dtds(listener: Listener) -> None:
    """Baseline already safe from fetching: neither rdflib (SAX with external entities and
    external DTDs off by default) nor pyoxigraph (no external entity support) connects."""
    for doc in remote_dtds(listener).values():
        with contextlib.suppress(Exception):  # only the connection matters here
            Graph().parse(data=doc.decode(), format="xml")
        with contextlib.suppress(SyntaxError):
            list(ox.parse(doc, format=ox.RdfFormat.RDF_XML))
    listener.assert_untouched()


def test_billion_laughs_is_refused_at_once() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(UnsafeRdfError, match="DOCTYPE"):
        parse(laughs(9), "xml")
    assert time.monotonic() - start < 1
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024


def test_baseline_internal_entities_are_expanded() -> None:
    """Baseline unsafe. pyoxigraph 0.5's RDF/XML parser expands internal entities with no
    amplification limit: 5 levels make a 3 MB literal out of < 1 KB (and the 9 levels of the
    billion laughs ask for 2.4 GB at once and abort the process when that fails, so they are
    not run here). rdflib expands them too; expat (2.4+) stops the amplification at about
    8 MB, but rdflib builds literals by repeated string concatenation, so 5 levels already
    cost over a minute of CPU (only 3 run here)."""
    bomb = laughs(5)
    assert len(bomb) < 1024
    (quad,) = ox.parse(bomb, format=ox.RdfFormat.RDF_XML)
    assert len(quad.object.value) == 3_000_000
    graph = Graph().parse(data=laughs(3).decode(), format="xml")
    assert [len(str(o)) for o in graph.objects()] == [30_000]
    internal = rdfxml('<!DOCTYPE rdf:RDF [<!ENTITY x "expanded">]>')
    assert list(Graph().parse(data=internal.decode(), format="xml").objects()) == [
        Literal("expanded")
    ]
    with pytest.raises(UnsafeRdfError):
        parse(internal, "xml")


class Trickle:
    """A stream that hands out one byte per read and remembers how many it handed out."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.given = 0

    def read(self, size: int = -1, /) -> bytes:
        chunk = self.data[self.given : self.given + 1]
        self.given += len(chunk)
        return chunk


def test_a_doctype_split_across_reads_is_refused_before_the_parser_sees_it() -> None:
    stream = Trickle(laughs(9))
    with pytest.raises(UnsafeRdfError, match="DOCTYPE"):
        parse(stream, "xml")
    assert stream.given == stream.data.index(b"<!DOCTYPE") + len(b"<!DOCTYPE")


@pytest.mark.parametrize(
    "doc",
    [
        rdfxml("<!doctype rdf:RDF>", "plain"),
        rdfxml("", '<!-- <!ENTITY x "in a comment"> --> plain'),
        rdfxml("", "<![CDATA[ <!DOCTYPE in a CDATA section> ]]>"),
    ],
    ids=["lower case", "in a comment", "in CDATA"],
)
def test_dtd_markup_is_refused_anywhere(doc: bytes) -> None:
    """Strict on purpose: the byte scan does not parse XML, so DTD markup in a comment or
    CDATA section refuses the document too (harmless there, and never seen in RDF/XML)."""
    with pytest.raises(UnsafeRdfError, match="declaration is refused"):
        parse(doc, "xml")


def test_expat_refuses_a_doctype_that_the_byte_scan_missed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second layer on its own: expat's DOCTYPE handler refuses as well."""
    monkeypatch.setattr(rdfsafe._XmlGuard, "_DTD", re.compile(rb"(?!)"))
    with pytest.raises(UnsafeRdfError, match="DTD declaration is refused"):
        parse(laughs(9), "xml")


def nested_xml(depth: int) -> bytes:
    """RDF/XML with ``depth`` elements nested (rdf:RDF included)."""
    pairs = (depth - 1) // 2
    inner = "<rdf:Description><ex:p>" * pairs + "x" + "</ex:p></rdf:Description>" * pairs
    if depth % 2 == 0:
        inner = f'<rdf:Description rdf:about="{EX}a"><ex:p>{inner}</ex:p></rdf:Description>'
    return (XML_OPEN + inner + XML_CLOSE).encode()


def test_deep_xml_is_refused() -> None:
    """pyoxigraph's RDF/XML parser takes quadratic time in the nesting depth (40,000 levels,
    under 2 MB, take over 15 s), so depth is limited."""
    assert len(parse(nested_xml(11), "xml", max_depth=11)) == 5
    with pytest.raises(UnsafeRdfError, match="deeper than 10 levels"):
        parse(nested_xml(11), "xml", max_depth=10)
    start = time.monotonic()
    with pytest.raises(UnsafeRdfError, match="deeper than 100 levels"):
        parse(nested_xml(100_000), "xml")
    assert time.monotonic() - start < 1


# --------------------------------------------------------------------------------------------
# JSON-LD: no remote contexts.
# --------------------------------------------------------------------------------------------


def remote_contexts(listener: Listener) -> dict[str, object]:
    """JSON-LD documents whose context would have to be fetched from the listener."""
    url = listener.url("ctx.jsonld")
    node = {"@id": EX + "a", "name": "A"}
    return {
        "top-level IRI": {"@context": url, **node},
        "array mixing inline and remote": {"@context": [{"ex": EX}, url], **node},
        "nested node": {
            "@context": {"ex": EX},
            "@id": "ex:b",
            "ex:p": {"@context": [None, url], **node},
        },
        "in a @graph member": {"@graph": [{"@context": url, **node}]},
        "scoped context of a term": {
            "@context": {"@version": 1.1, "p": {"@id": EX + "p", "@context": url}},
            "@id": EX + "a",
            "p": {"name": "B"},
        },
        "@import": {"@context": {"@version": 1.1, "@import": url}, **node},
        "relative IRI": {"@context": "ctx.jsonld", **node},
        "file IRI": {"@context": "file:///etc/passwd", **node},
    }


def test_remote_contexts_are_refused_without_a_connection(listener: Listener) -> None:
    for name, doc in remote_contexts(listener).items():
        data = json.dumps(doc).encode()
        with pytest.raises(UnsafeRdfError, match="refused") as refused:
            parse(data, "json-ld", base_iri=listener.url("doc.jsonld"))
        assert "JSON-LD" in str(refused.value), name
    listener.assert_untouched()


def test_baseline_rdflib_fetches_remote_contexts(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Baseline unsafe: rdflib's JSON-LD parser fetches a remote ``@context`` and uses it."""
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    doc = remote_contexts(listener)["top-level IRI"]
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert listener.connected.wait(5)
    assert listener.requests[0].startswith(b"GET /ctx.jsonld ")
    assert (URIRef(EX + "a"), FOAF_NAME, Literal("A")) in graph


def test_baseline_pyoxigraph_never_fetches_contexts(listener: Listener) -> None:
    """Baseline already safe: pyoxigraph 0.5 has no document loader in Python and refuses
    every remote context (``No LoadDocumentCallback``) without connecting. rdfsafe refuses
    them itself first, with a clearer message, and does not rely on this."""
    for doc in remote_contexts(listener).values():
        with pytest.raises(SyntaxError):
            list(ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD))
    listener.assert_untouched()


def test_pyoxigraph_refusal_is_reported_as_unsafe(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should rdfsafe's own check miss a remote context, pyoxigraph's refusal still comes out
    as UnsafeRdfError."""
    monkeypatch.setattr(rdfsafe, "_local_context", lambda context, contexts: context)
    doc = json.dumps(remote_contexts(listener)["top-level IRI"]).encode()
    with pytest.raises(UnsafeRdfError, match="LoadDocumentCallback"):
        parse(doc, "json-ld")
    listener.assert_untouched()


def test_bundled_contexts_are_used_instead_of_fetching(listener: Listener) -> None:
    url = listener.url("ctx.jsonld")
    bundled = {url: json.loads(Listener.CONTEXT)}
    for name in ("top-level IRI", "array mixing inline and remote", "in a @graph member"):
        doc = json.dumps(remote_contexts(listener)[name]).encode()
        graph = parse(doc, "json-ld", contexts=bundled)
        assert (URIRef(EX + "a"), FOAF_NAME, Literal("A")) in graph, name
    doc = json.dumps(remote_contexts(listener)["scoped context of a term"]).encode()
    assert (None, FOAF_NAME, Literal("B")) in parse(doc, "json-ld", contexts=bundled)
    other = json.dumps({"@context": listener.url("other.jsonld"), "@id": EX + "a"}).encode()
    with pytest.raises(UnsafeRdfError, match=r"other\.jsonld.*bundled: http://127"):
        parse(other, "json-ld", contexts=bundled)
    listener.assert_untouched()


def test_a_repeated_key_is_refused(listener: Listener) -> None:
    """Python's json keeps the last of two ``@context`` keys, pyoxigraph's parser reads both:
    a check that saw only ``{}`` would let the remote one through to the parser."""
    url = listener.url("ctx.jsonld")
    doc = f'{{"@context": "{url}", "@context": {{}}, "@id": "{EX}a", "{EX}p": "x"}}'
    with pytest.raises(UnsafeRdfError, match="'@context' repeats"):
        parse(doc.encode(), "json-ld")
    listener.assert_untouched()


def test_bundled_contexts_must_be_context_documents() -> None:
    with pytest.raises(ValueError, match="not a"):
        parse(BENIGN["json-ld"].encode(), "json-ld", contexts={"https://x/": {"ex": EX}})


def test_deep_json_is_refused() -> None:
    doc = b'{"@id": "https://example.org/a", "https://example.org/p": ' + b"[" * 200
    doc += b"1" + b"]" * 200 + b"}"
    with pytest.raises(UnsafeRdfError, match="deeper than 100 levels"):
        parse(doc, "json-ld")
    very_deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(UnsafeRdfError, match="nested deeper"):
        parse(very_deep, "json-ld")


# --------------------------------------------------------------------------------------------
# Size and triple limits.
# --------------------------------------------------------------------------------------------


class Endless:
    """A stream that never ends: whitespace forever, or the same triple forever."""

    def __init__(self, chunk: bytes = b" ") -> None:
        self.chunk = chunk
        self.given = 0

    def read(self, size: int = -1, /) -> bytes:
        size = 1 << 16 if size < 0 else size
        start = self.given % len(self.chunk)
        data = (self.chunk * (size // len(self.chunk) + 2))[start : start + size]
        self.given += len(data)
        return data


@pytest.mark.parametrize("fmt", sorted(BENIGN))
def test_input_over_max_bytes_is_refused(fmt: str, tmp_path: Path) -> None:
    data = BENIGN[fmt].encode()
    assert len(parse(data, fmt, max_bytes=len(data))) == 6
    path = tmp_path / "doc"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with pytest.raises(UnsafeRdfError, match=f"larger than the limit of {len(data) - 1}"):
            parse(source, fmt, max_bytes=len(data) - 1)


@pytest.mark.parametrize("fmt", sorted(BENIGN))
def test_an_endless_stream_is_cut_at_the_cap(fmt: str) -> None:
    stream = Endless()
    with pytest.raises(UnsafeRdfError, match="larger than the limit"):
        parse(stream, fmt, max_bytes=100_000)
    assert stream.given == 100_001


def test_an_endless_file_is_cut_at_the_cap(tmp_path: Path) -> None:
    """A path that is not a regular file (here a FIFO fed whitespace forever) has no size to
    check first; reading stops at the cap."""
    fifo = tmp_path / "endless.ttl"
    os.mkfifo(fifo)
    written = [0]

    def feed() -> None:
        try:
            with fifo.open("wb") as sink:
                while True:
                    written[0] += sink.write(b" " * 4096)
        except OSError:  # the reader closed the FIFO
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(UnsafeRdfError, match="larger than the limit of 100000 bytes"):
        parse(fifo, "turtle", max_bytes=100_000)
    writer.join(5)
    assert not writer.is_alive()
    assert written[0] < 1_000_000


def test_too_many_triples_are_refused_while_parsing() -> None:
    triple = f"<{EX}a> <{EX}p> <{EX}o> .\n".encode()
    assert len(parse_quads(triple * 10, "nt", max_triples=10)) == 10
    with pytest.raises(UnsafeRdfError, match="more than 10 triples"):
        parse(triple * 11, "nt", max_triples=10)
    stream = Endless(triple)
    with pytest.raises(UnsafeRdfError, match="more than 1000 triples"):
        parse(stream, "nt", max_triples=1000, max_bytes=10**9)
    assert stream.given < 200_000


@pytest.mark.parametrize("fmt", ["xml", "json-ld"])
def test_too_many_triples_in_xml_and_json_ld(fmt: str) -> None:
    assert len(parse(BENIGN[fmt].encode(), fmt, max_triples=6)) == 6
    with pytest.raises(UnsafeRdfError, match="more than 5 triples"):
        parse(BENIGN[fmt].encode(), fmt, max_triples=5)


# --------------------------------------------------------------------------------------------
# Syntax errors.
# --------------------------------------------------------------------------------------------


TRIPLE = f"<{EX}a> <{EX}p> <{EX}o>"
BAD_XML = f'{XML_OPEN}\n<rdf:Description rdf:about="{EX}a">\n<ex:p>x</ex:q>'
BAD_JSON = '{"@id": "https://example.org/a",\n "https://example.org/p": [1,}'


@pytest.mark.parametrize(
    ("fmt", "doc", "message", "line", "column"),
    [
        ("turtle", f"{TRIPLE} .\n<{EX}a> <{EX}p> .", "not a valid RDF object", 2, 49),
        ("nt", TRIPLE, "followed by a dot", 1, 72),
        ("xml", BAD_XML, "mismatched tag", 3, 10),
        ("json-ld", BAD_JSON, "Expecting value", 2, 30),
    ],
)
def test_syntax_errors_say_where(fmt: str, doc: str, message: str, line: int, column: int) -> None:
    with pytest.raises(RdfSyntaxError, match=message) as error:
        parse(doc.encode(), fmt)
    assert (error.value.line, error.value.column) == (line, column)
    assert str(error.value).endswith(f"(line {line}, column {column})")
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("fmt", "doc", "message"),
    [
        (
            "xml",
            f'<rdf:RDF xmlns:rdf="{RDF_NS}"><rdf:Description><p/>'
            "</rdf:Description></rdf:RDF>".encode(),
            "namespaces",
        ),
        ("xml", '<?xml version="1.0" encoding="UTF-16"?><r/>'.encode("utf-16"), "UTF-8"),
        ("json-ld", b'{"@id": "https://example.org/a", "@type": 5}', "@type"),
    ],
    ids=["RDF/XML without a namespace", "RDF/XML in UTF-16", "JSON-LD with a numeric @type"],
)
def test_errors_past_the_xml_or_json_level_are_syntax_errors(
    fmt: str, doc: bytes, message: str
) -> None:
    """Errors that only pyoxigraph finds come from it, without a position where it has none."""
    with pytest.raises(RdfSyntaxError, match=message) as error:
        parse(doc, fmt)
    assert (error.value.line, error.value.column) == (None, None)
