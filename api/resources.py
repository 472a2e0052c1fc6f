"""Linked-data pages: every resource at ``/id/...``, the ontology at ``/ontology`` and the
SHACL shapes at ``/shapes``.

``GET /id/{path}`` serves the resource ``settings.base_iri + path`` (the IRIs minted under
``https://w3id.org/helsegraf/id/`` resolve here): a page for people, Turtle, JSON-LD,
RDF/XML or N-Triples for programs, chosen by ``Accept`` or a ``format`` override. The RDF is
the resource's *document*: its own triples, those of its hash nodes (``#temporal``,
``#contact``, ``#attribution-...``), the provenance nodes of its facts (``#fact-...``) and any
blank nodes under them. Fragment IRIs are never requested (a client strips the fragment), so
they are served inside the document of the IRI before the ``#``.

A page takes three queries whatever the size of the graph, each anchored on the resource:
the document, the labels of what it points to, and what points to it (with a limit). The
vocabulary (labels of classes, properties and concepts) comes from the ontology file, read
once, so pages do not ask the store for it again and again.

``GET /ontology`` and ``GET /shapes`` serve the ontology and the shapes files, read with
rdflib once at first use, as RDF or as generated HTML documentation.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from helsegraf import conneg, formats, paths, rdfout
from helsegraf.engine import QueryPool
from helsegraf.namespaces import (
    DCAT,
    DCTERMS,
    DPV,
    ELI,
    FOAF,
    HG,
    HGSH,
    ID_BASE,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VANN,
    VCARD,
    XSD,
)
from helsegraf.settings import Settings

from . import web

router = APIRouter(tags=["linked data"])

# -- requests: paths, negotiation, serialisation ---------------------------------------------

#: A resource path: lower-case slugs separated by single slashes (docs/data-model.md, "Slugs").
_RESOURCE_PATH: Final = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)*")
#: Longest resource path served; the longest minted today is under 100 characters.
MAX_PATH_LENGTH: Final = 256
#: Resources under the base IRI that another route serves (``helsegraf.catalog.Site``).
SERVED_ELSEWHERE: Final = {"catalog": "/catalog", "service/sparql": "/sparql"}
#: Most segments in a resource path (``kind/slug`` today).
MAX_SEGMENTS: Final = 8

#: What ``/id/...``, ``/ontology`` and ``/shapes`` can be sent as. RDF comes first, so a
#: client that accepts anything (``*/*``, no header) gets Turtle; browsers ask for HTML.
OFFERS: Final = (*formats.GRAPH_TYPES, formats.HTML)

#: The representations named in ``Link`` headers and on pages, with their ``format`` names.
REPRESENTATIONS: Final = (
    (formats.TURTLE, "ttl"),
    (formats.JSONLD, "jsonld"),
    (formats.RDFXML, "rdf"),
    (formats.NTRIPLES, "nt"),
    (formats.HTML, "html"),
)

#: Schemes a page may turn into a link; anything else from the graph is shown as text only.
_LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})
_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)")


class ResourcePathError(ValueError):
    """A path under ``/id/`` that cannot name a resource; ``status`` is 400 or 404."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def resource_iri(base: str, path: str, raw_path: bytes | None = None) -> URIRef:
    """The IRI that the local path ``/id/{path}`` serves, or :class:`ResourcePathError`.

    Only what helsegraf mints is accepted: lower-case slugs separated by single slashes. So
    ``..``, encoded characters (``%2F``, ``%2e``), upper case, spaces and absurd lengths are
    refused before any query runs. ``raw_path`` is the path as sent, before decoding, because
    the decoded path no longer tells ``%2F`` from ``/``.

    >>> resource_iri("https://w3id.org/helsegraf/id/", "dataset/nir")
    rdflib.term.URIRef('https://w3id.org/helsegraf/id/dataset/nir')
    >>> for bad in ("dataset/../nir", "dataset/NIR", "dataset//nir", "x" * 300):
    ...     try:
    ...         resource_iri("https://w3id.org/helsegraf/id/", bad)
    ...     except ResourcePathError as err:
    ...         print(err.status)
    400
    400
    400
    400
    """
    if raw_path is not None and b"%" in raw_path:
        raise ResourcePathError(400, "helsegraf resource paths have no percent-encoded characters")
    if not path:
        raise ResourcePathError(404, "no resource path given; see /catalog or / for the sources")
    if len(path) > MAX_PATH_LENGTH:
        raise ResourcePathError(400, f"a resource path has at most {MAX_PATH_LENGTH} characters")
    if not _RESOURCE_PATH.fullmatch(path) or path.count("/") >= MAX_SEGMENTS:
        raise ResourcePathError(
            400,
            "a resource path is made of lower-case slugs (a-z, 0-9 and -) separated by single "
            "slashes, e.g. /id/dataset/nir",
        )
    return URIRef(base + path)


class _RefusedError(Exception):
    """The request cannot be answered as asked (400 or 406); the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def negotiate(request: Request, offers: Sequence[str] = OFFERS) -> str:
    """The media type to answer with: ``format`` when given, else the best for ``Accept``."""
    try:
        media = conneg.choose(
            request.headers.get("accept"),
            offers,
            format_name=request.query_params.get("format"),
            aliases=formats.GRAPH_ALIASES,
        )
    except conneg.NegotiationError as err:
        raise _RefusedError(400, str(err)) from err
    if media is None:
        raise _RefusedError(
            406,
            f"this resource can be sent as {', '.join(offers)}; the Accept header "
            f"({(request.headers.get('accept') or '')[:200]}) allows none of them",
        )
    return media


@dataclass(frozen=True)
class Alternate:
    """Another representation of the same resource: its media type and where to get it."""

    media: str
    name: str
    href: str


def alternates(path: str, chosen: str | None = None) -> list[Alternate]:
    """Every representation of the resource at ``path`` except ``chosen``."""
    return [
        Alternate(media, name, f"{path}?format={name}")
        for media, name in REPRESENTATIONS
        if media != chosen
    ]


def link_header(links: Iterable[Alternate]) -> str:
    """A ``Link`` header value naming each alternate (RFC 8288)."""
    return ", ".join(f'<{a.href}>; rel="alternate"; type="{a.media}"' for a in links)


def serialize(
    graph: Graph,
    media: str,
    first: Node | None = None,
    namespaces: Mapping[str, str] | None = None,
) -> bytes:
    """``graph`` in the RDF format ``media`` (:func:`helsegraf.rdfout.serialize`), with the
    project's prefixes unless ``namespaces`` names others."""
    return rdfout.serialize(graph, media, first, namespaces or {**PREFIXES, **_EXTRA_PREFIXES})


def _text(status: int, message: str) -> Response:
    """An error for a program: one line of text, varying on Accept like the resource would."""
    return PlainTextResponse(message, status_code=status, headers={"Vary": "Accept"})


def _with_etag(request: Request, response: Response) -> Response:
    """An ``ETag`` from the body, and 304 when the client already holds that body."""
    tag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    response.headers["ETag"] = tag
    # If-None-Match compares weakly (RFC 9110 section 13.1.2): W/"x" matches "x"
    wanted = [
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    ]
    if tag in wanted or "*" in wanted:
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
        return Response(status_code=304, headers=kept)
    return response


# -- names of things -------------------------------------------------------------------------

#: Prefixes beyond :data:`PREFIXES` that pages and the shapes use.
_EXTRA_PREFIXES: Final = {"org": str(ORG), "sh": str(SH), "hgsh": str(HGSH)}
_ALL_PREFIXES: Final = sorted(
    {**PREFIXES, **_EXTRA_PREFIXES}.items(), key=lambda item: len(item[1]), reverse=True
)


def curie(iri: object) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI itself.

    >>> curie(HG.consentRegime)
    'hg:consentRegime'
    >>> curie("https://example.org/x")
    'https://example.org/x'
    """
    value = str(iri)
    for prefix, namespace in _ALL_PREFIXES:
        if value.startswith(namespace) and len(value) > len(namespace):
            return f"{prefix}:{value[len(namespace) :]}"
    return value


def safe_href(iri: object, base: str = ID_BASE) -> str:
    """Where a page may link an IRI, or ``""`` when it must be shown as text only.

    helsegraf's own resources go to their local pages (``/id/...``), ontology terms to
    ``/ontology#Term``; other IRIs are linked only with a harmless scheme, so an IRI such as
    ``javascript:...`` in the graph never becomes a link.

    >>> safe_href("https://w3id.org/helsegraf/id/dataset/nir")
    '/id/dataset/nir'
    >>> safe_href("javascript:alert(1)")
    ''
    """
    value = str(iri)
    if base != ID_BASE and value.startswith(base):
        return "/id/" + value[len(base) :]
    local = web.href(value)
    if local != value:
        return local
    scheme = _SCHEME.match(value)
    return value if scheme and scheme.group(1).lower() in _LINK_SCHEMES else ""


def host(iri: object) -> str:
    """The host of an http(s) IRI, as a short name for a link; else the IRI itself.

    >>> host("https://lovdata.no/lov/2014-06-20-43/§11")
    'lovdata.no'
    """
    match = _HOST.match(str(iri))
    return match.group(1) if match else str(iri)


def _local_name(iri: str) -> str:
    """The last segment of an IRI: the name a page falls back on when nothing labels it."""
    for separator in ("#", "/"):
        if separator in iri:
            iri = iri.rsplit(separator, 1)[1] or iri
    return iri


#: Words for predicates, where the page needs a better name than the ontology's label (most
#: reused terms carry an English label only). (nb, en)
PREDICATE_WORDS: Final[Mapping[URIRef, tuple[str, str]]] = {
    RDF.type: ("Type", "Type"),
    DCTERMS.title: ("Tittel", "Title"),
    SKOS.altLabel: ("Andre navn", "Other names"),
    SKOS.hiddenLabel: ("Skrivemåter", "Other spellings"),
    DCTERMS.description: ("Beskrivelse", "Description"),
    HG.consentRegime: ("Samtykke", "Consent"),
    HG.identifiability: ("Identifiserbarhet", "Identifiability"),
    DPV.hasDataController: ("Behandlingsansvarlig", "Data controller"),
    DPV.hasDataProcessor: ("Databehandler", "Data processor"),
    DPV.hasLegalBasis: ("Rettsgrunnlag", "Legal basis"),
    HG.regulatedBy: ("Forskrift", "Regulation"),
    PROV.qualifiedAttribution: ("Andre roller", "Other roles"),
    DCTERMS.isPartOf: ("Del av", "Part of"),
    DCTERMS.hasPart: ("Består av", "Parts"),
    DCTERMS.replaces: ("Erstatter", "Replaces"),
    DCTERMS.isReplacedBy: ("Erstattet av", "Replaced by"),
    DCTERMS.relation: ("Beslektet med", "Related to"),
    DCTERMS.temporal: ("Tidsrom", "Time covered"),
    DCAT.contactPoint: ("Kontakt for tilgang", "Access contact"),
    DCTERMS.source: ("Kilde", "Source"),
    SKOS.editorialNote: ("Kurateringsnotat", "Curation note"),
    SKOS.definition: ("Definisjon", "Definition"),
    SKOS.prefLabel: ("Navn", "Name"),
    FOAF.name: ("Navn", "Name"),
    DCTERMS.identifier: ("Identifikator", "Identifier"),
    ORG.subOrganizationOf: ("Del av virksomheten", "Unit of"),
    RDFS.label: ("Navn", "Label"),
    RDFS.seeAlso: ("Se også", "See also"),
    ELI.is_part_of: ("Del av", "Part of"),
    ELI.id_local: ("Lovdata-ID", "Lovdata id"),
    VCARD.hasEmail: ("E-post", "E-mail"),
    DCAT.startDate: ("Fra", "From"),
    DCAT.endDate: ("Til", "Until"),
    PROV.agent: ("Virksomhet", "Organisation"),
    DCAT.hadRole: ("Rolle", "Role"),
    PROV.wasDerivedFrom: ("Hentet fra", "Derived from"),
    SKOS.inScheme: ("I begrepssystem", "In scheme"),
}

#: Norwegian (and plain English) names of reused classes, which the ontology labels in
#: English only; used when the graph has no label in the page's language. (nb, en)
CLASS_WORDS: Final[Mapping[URIRef, tuple[str, str]]] = {
    DCAT.Dataset: ("Datakilde", "Data source"),
    FOAF.Organization: ("Virksomhet", "Organisation"),
    ELI.LegalResource: ("Lov eller forskrift", "Act or regulation"),
    ELI.LegalResourceSubdivision: ("Paragraf", "Section"),
    DCTERMS.PeriodOfTime: ("Tidsrom", "Period of time"),
    PROV.Attribution: ("Rolle", "Role"),
    PROV.Entity: ("Kilde", "Source document"),
    VCARD.Kind: ("Kontakt", "Contact"),
    SKOS.Concept: ("Begrep", "Concept"),
    SKOS.ConceptScheme: ("Begrepssystem", "Concept scheme"),
    RDF.Statement: ("Utsagn", "Statement"),
}

#: Headings for what points at a resource, by the predicate that points. (nb, en)
INVERSE_WORDS: Final[Mapping[URIRef, tuple[str, str]]] = {
    DPV.hasDataController: ("Behandlingsansvarlig for", "Data controller of"),
    DPV.hasDataProcessor: ("Databehandler for", "Data processor of"),
    PROV.agent: ("Andre roller", "Other roles"),
    HG.licensedBy: ("Har gitt konsesjon til", "Granted a licence to"),
    HG.confidentialityDispensationBy: (
        "Har gitt dispensasjon fra taushetsplikt til",
        "Granted a confidentiality dispensation to",
    ),
    DPV.hasLegalBasis: ("Rettsgrunnlag for", "Legal basis of"),
    HG.regulatedBy: ("Forskrift for", "Regulation of"),
    ELI.is_part_of: ("Bestemmelser", "Provisions"),
    ORG.subOrganizationOf: ("Underenheter", "Units"),
    DCTERMS.isPartOf: ("Består av", "Parts"),
    DCTERMS.hasPart: ("Del av", "Part of"),
}

#: Words of the linked-data pages (the site's own words are in :data:`web.UI`).
WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "nb": {
        "facts": "Fakta",
        "belongs": "Hører sammen med",
        "related": "Beslektede kilder",
        "decisions": "Kurateringsbeslutninger",
        "decisions_intro": "Beslutninger prosjektet har tatt der oversikten er taus eller "
        "tvetydig om denne ressursen.",
        "other": "Andre opplysninger",
        "properties": "Opplysninger",
        "inbound": "Lenker hit",
        "inbound_organisation": "Roller for datakilder",
        "referenced_as": "Pekes på som",
        "truncated": "Listen er avkortet; bruk SPARQL-endepunktet for å se alt.",
        "kind": "Type kilde",
        "names": "Navn",
        "listing": "Plass i oversikten",
        "orgnr": "Organisasjonsnummer",
        "line": "linje",
        "lines": "linjer",
        "in_listing": "i oversikten på",
        "quote_missing": "setningen er ikke lastet",
        "evidence": "Grunnlag i kilden",
        "yes": "ja",
        "no": "nei",
        "from": "fra",
        "until": "til",
        "download": "Last ned som",
        "iri": "IRI",
        "not_found": "Fant ikke ressursen",
        "not_found_text": "Grafen har ingen ressurs med denne IRI-en:",
        "browse": "Se oversikten over datakilder",
        "search_hint": "Lenker til ressurser i helsegraf har formen /id/dataset/<kortnavn>.",
        "source_kind": "Datakilde",
        "organisation": "Virksomhet",
        "resource": "Ressurs",
        "no_kind": "kildetype ikke oppgitt",
        "ontology_title": "helsegraf-ontologien",
        "contents": "Innhold",
        "own_terms": "helsegrafs egne begreper",
        "reused_terms": "Gjenbrukte begreper",
        "classes": "Klasser",
        "object_properties": "Objektegenskaper",
        "datatype_properties": "Dataegenskaper",
        "annotation_properties": "Annotasjonsegenskaper",
        "schemes": "Begrepssystemer",
        "individuals": "Individer",
        "concepts": "Begreper",
        "labels": "Navn",
        "definition": "Definisjon",
        "notes": "Merknader",
        "subclass_of": "Underklasse av",
        "subclasses": "Underklasser",
        "disjoint_with": "Disjunkt med",
        "equivalent_to": "Ekvivalent med",
        "domain": "Domene",
        "range": "Verdiområde",
        "subproperty_of": "Underegenskap av",
        "subproperties": "Underegenskaper",
        "inverse_of": "Omvendt av",
        "characteristics": "Kjennetegn",
        "in_scheme": "I begrepssystem",
        "types": "Typer",
        "defined_by": "Definert av",
        "see_also": "Se også",
        "version": "Versjon",
        "version_iri": "Versjons-IRI",
        "license": "Lisens",
        "creator": "Laget av",
        "created": "Opprettet",
        "modified": "Endret",
        "prefix": "Foretrukket prefiks",
        "namespace": "Navnerom",
        "shapes_title": "SHACL-former",
        "shapes_intro": "Formene er porten hver graf må gjennom før den publiseres.",
        "node_shapes": "Nodeformer",
        "standalone_shapes": "Frittstående egenskapsformer",
        "targets": "Gjelder",
        "path": "Sti",
        "name": "Navn",
        "constraints": "Krav",
        "message": "Melding",
        "severity": "Alvorlighet",
        "property_shapes": "Egenskapsformer",
        "sparql": "SPARQL-krav",
        "target_class": "alle av klassen",
        "target_subjects": "subjekter for",
        "target_objects": "objekter for",
        "target_node": "noden",
    },
    "en": {
        "facts": "Facts",
        "belongs": "Belongs with",
        "related": "Related sources",
        "decisions": "Curation decisions",
        "decisions_intro": "Decisions the project made where the listing is silent or "
        "ambiguous about this resource.",
        "other": "Other statements",
        "properties": "Statements",
        "inbound": "Links here",
        "inbound_organisation": "Roles for data sources",
        "referenced_as": "Referenced as",
        "truncated": "The list is cut short; use the SPARQL endpoint to see it all.",
        "kind": "Kind of source",
        "names": "Names",
        "listing": "Position in the listing",
        "orgnr": "Organisation number",
        "line": "line",
        "lines": "lines",
        "in_listing": "in the listing on",
        "quote_missing": "the sentence was not loaded",
        "evidence": "Where the listing says so",
        "yes": "yes",
        "no": "no",
        "from": "from",
        "until": "until",
        "download": "Download as",
        "iri": "IRI",
        "not_found": "Resource not found",
        "not_found_text": "The graph has no resource with this IRI:",
        "browse": "Browse the data sources",
        "search_hint": "Links to helsegraf resources look like /id/dataset/<short-name>.",
        "source_kind": "Data source",
        "organisation": "Organisation",
        "resource": "Resource",
        "no_kind": "kind of source not stated",
        "ontology_title": "The helsegraf ontology",
        "contents": "Contents",
        "own_terms": "helsegraf's own terms",
        "reused_terms": "Reused terms",
        "classes": "Classes",
        "object_properties": "Object properties",
        "datatype_properties": "Datatype properties",
        "annotation_properties": "Annotation properties",
        "schemes": "Concept schemes",
        "individuals": "Individuals",
        "concepts": "Concepts",
        "labels": "Labels",
        "definition": "Definition",
        "notes": "Notes",
        "subclass_of": "Subclass of",
        "subclasses": "Subclasses",
        "disjoint_with": "Disjoint with",
        "equivalent_to": "Equivalent to",
        "domain": "Domain",
        "range": "Range",
        "subproperty_of": "Subproperty of",
        "subproperties": "Subproperties",
        "inverse_of": "Inverse of",
        "characteristics": "Characteristics",
        "in_scheme": "In scheme",
        "types": "Types",
        "defined_by": "Defined by",
        "see_also": "See also",
        "version": "Version",
        "version_iri": "Version IRI",
        "license": "Licence",
        "creator": "Creator",
        "created": "Created",
        "modified": "Modified",
        "prefix": "Preferred prefix",
        "namespace": "Namespace",
        "shapes_title": "SHACL shapes",
        "shapes_intro": "The shapes are the gate every graph passes before it is published.",
        "node_shapes": "Node shapes",
        "standalone_shapes": "Stand-alone property shapes",
        "targets": "Targets",
        "path": "Path",
        "name": "Name",
        "constraints": "Constraints",
        "message": "Message",
        "severity": "Severity",
        "property_shapes": "Property shapes",
        "sparql": "SPARQL constraints",
        "target_class": "every instance of",
        "target_subjects": "subjects of",
        "target_objects": "objects of",
        "target_node": "the node",
    },
}


def _pick(words: tuple[str, str], lang: str) -> str:
    """The nb or en entry of a (nb, en) pair."""
    return words[0] if lang == "nb" else words[1]


# -- the vocabulary (ontology file, read once) -----------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The ontology, parsed once, with the lookups pages need for every term."""

    graph: Graph
    labels: Mapping[URIRef, tuple[Literal, ...]]
    definitions: Mapping[URIRef, tuple[Literal, ...]]
    dataset_classes: frozenset[URIRef]


@cache
def vocabulary() -> Vocabulary:
    """The ontology (``ontology/helsegraf.ttl``), parsed with rdflib at first use."""
    graph = Graph()
    graph.parse(paths.ONTOLOGY_FILE, format="turtle")
    labels: dict[URIRef, list[Literal]] = defaultdict(list)
    definitions: dict[URIRef, list[Literal]] = defaultdict(list)
    for predicate, target in ((SKOS.prefLabel, labels), (RDFS.label, labels)):
        for s, o in graph.subject_objects(predicate):
            if isinstance(s, URIRef) and isinstance(o, Literal) and o not in target[s]:
                target[s].append(o)
    for s, o in graph.subject_objects(SKOS.definition):
        if isinstance(s, URIRef) and isinstance(o, Literal):
            definitions[s].append(o)
    # every class below dcat:Dataset, so a page knows a data source by any of its kinds
    dataset_classes = {URIRef(DCAT.Dataset)}
    changed = True
    while changed:
        changed = False
        for s, o in graph.subject_objects(RDFS.subClassOf):
            if o in dataset_classes and isinstance(s, URIRef) and s not in dataset_classes:
                dataset_classes.add(s)
                changed = True
    return Vocabulary(
        graph=graph,
        labels={k: tuple(v) for k, v in labels.items()},
        definitions={k: tuple(v) for k, v in definitions.items()},
        dataset_classes=frozenset(dataset_classes),
    )


@cache
def shapes_graph() -> Graph:
    """Every shapes file (``shapes/*.ttl``), parsed with rdflib at first use."""
    graph = Graph()
    for path in sorted(paths.SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@cache
def ontology_bytes(media: str) -> bytes:
    """The ontology as ``media``: Turtle is the file itself (with its comments)."""
    if media == formats.TURTLE:
        return paths.ONTOLOGY_FILE.read_bytes()
    return serialize(vocabulary().graph, media)


@cache
def shapes_bytes(media: str) -> bytes:
    """The shapes as ``media``: Turtle is the file itself when there is one file."""
    files = sorted(paths.SHAPES_DIR.glob("*.ttl"))
    if media == formats.TURTLE and len(files) == 1:
        return files[0].read_bytes()
    return serialize(shapes_graph(), media)


# -- the queries -----------------------------------------------------------------------------
#
# Every query takes the resource as ?x, bound by the pool (a VALUES block joined to the
# query's outer group). pyoxigraph plans a query before it sees that binding, and evaluates a
# UNION joined to it without it, scanning the whole store; so each query here is one group
# of patterns that starts at ?x, with no UNION. "?x (!rdf:nil)? ?n" is the resource and
# everything it points to in one step (no statement uses rdf:nil as a predicate), and
# "?n (^rdf:subject)? ?s" a node and the provenance nodes of its facts. On a store of a
# million triples each query takes a few milliseconds.

#: The resource's document: its triples, those of its hash nodes (``#temporal``,
#: ``#contact``, ``#attribution-...``) and of the blank nodes it points to, and the provenance
#: nodes (``#fact-...``) of all their facts.
DOCUMENT_QUERY: Final = """
CONSTRUCT { ?s ?p ?o } WHERE {
  ?x (!rdf:nil)? ?n .
  FILTER (?n = ?x || isBlank(?n) || STRSTARTS(STR(?n), CONCAT(STR(?x), "#")))
  ?n (^rdf:subject)? ?s .
  FILTER (?s = ?n || (isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?x), "#"))))
  ?s ?p ?o .
}
"""

#: Deepest chain of blank nodes followed below the resource and its hash nodes.
MAX_BLANK_DEPTH: Final = 6


def blank_query(depth: int) -> str:
    """The triples of blank nodes ``depth`` steps below the resource or a hash node.

    Only asked when a document holds a blank node that it does not describe yet (the
    loader writes none; a curated file might), so a page normally never runs it.

    >>> print(blank_query(1).splitlines()[-3])
      ?n0 ?l1 ?b1 . FILTER (isBlank(?b1))
    """
    steps = "".join(
        f"  ?{'n0' if i == 1 else f'b{i - 1}'} ?l{i} ?b{i} . FILTER (isBlank(?b{i}))\n"
        for i in range(1, depth + 1)
    )
    return (
        f"CONSTRUCT {{ ?b{depth} ?p ?o }} WHERE {{\n"
        "  ?x (!rdf:nil)? ?n0 .\n"
        '  FILTER (?n0 = ?x || STRSTARTS(STR(?n0), CONCAT(STR(?x), "#")))\n'
        f"{steps}"
        f"  ?b{depth} ?p ?o .\n"
        "}\n"
    )


#: Labels (and Lovdata links) of everything the resource and its hash nodes point to.
LABELS_QUERY: Final = """
SELECT DISTINCT ?t ?lp ?l WHERE {
  ?x (!rdf:nil)? ?n .
  FILTER (?n = ?x || STRSTARTS(STR(?n), CONCAT(STR(?x), "#")))
  ?n ?any ?t .
  FILTER (isIRI(?t))
  OPTIONAL {
    ?t ?lp ?l .
    FILTER (?lp IN (rdfs:label, skos:prefLabel, foaf:name, dct:title, rdfs:seeAlso))
  }
}
"""

#: Most rows of :data:`INBOUND_QUERY` read for one page (a few rows per link).
INBOUND_LIMIT: Final = 3000

#: What points at the resource, with the labels of the pointing resources (for a qualified
#: attribution, of the data source it belongs to) and the notes of curation decisions.
INBOUND_QUERY: Final = f"""
SELECT ?s ?p ?owner ?role ?lp ?l WHERE {{
  ?s ?p ?x .
  FILTER (?p != rdf:subject && ?p != rdf:object && !isBlank(?s))
  OPTIONAL {{
    ?owner prov:qualifiedAttribution ?s .
    OPTIONAL {{ ?s dcat:hadRole ?role }}
  }}
  BIND (COALESCE(?owner, ?s) AS ?shown)
  OPTIONAL {{
    ?shown ?lp ?l .
    FILTER (?lp IN (rdfs:label, skos:prefLabel, foaf:name, dct:title, skos:editorialNote))
  }}
}}
LIMIT {INBOUND_LIMIT}
"""

_LABEL_PREDICATES: Final = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)

# -- what a page shows -----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quote:
    """A sentence of the listing, with its language tag."""

    text: str
    lang: str


@dataclass(frozen=True)
class Evidence:
    """Where the listing states a fact: its line(s) and, when it was loaded, its sentence(s)."""

    lines: tuple[int, ...]
    quotes: tuple[Quote, ...]
    sources: tuple[tuple[str, str], ...]  # (shown text, href)


@dataclass(frozen=True)
class Link:
    """A plain link: words and a safe target."""

    text: str
    href: str


@dataclass
class Value:
    """One value of a statement as a page shows it."""

    text: str
    lang: str = ""
    href: str = ""
    iri: str = ""
    note: str = ""
    note_lang: str = ""
    code: bool = False
    external: list[Link] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Row:
    """A heading (a predicate in words) and its values."""

    key: str
    heading: str
    values: list[Value]
    predicate: str = ""
    predicate_href: str = ""


@dataclass
class Decision:
    """A curation decision that concerns the resource."""

    href: str
    name: str
    notes: list[Quote]


@dataclass
class ResourcePage:
    """Everything ``resource.html`` shows about one resource."""

    iri: str
    title: str
    title_lang: str
    kind: str  # "dataset", "organisation" or "resource"
    kind_words: str
    description: list[Quote] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)
    belongs: list[Row] = field(default_factory=list)
    related: list[Row] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    other: list[Row] = field(default_factory=list)
    inbound: list[Row] = field(default_factory=list)
    truncated: bool = False


@dataclass
class _Inbound:
    """One resource pointing at the page's resource, as the inbound query reports it."""

    owner: Node | None
    role: Node | None
    labels: list[Literal] = field(default_factory=list)
    notes: list[Literal] = field(default_factory=list)


def _key(predicate: Node) -> str:
    """A predicate as an HTML ``id``/class fragment: ``hg-consentRegime``."""
    return curie(predicate).replace(":", "-")


class _Page:
    """Builds a :class:`ResourcePage` from the document, labels and inbound links."""

    def __init__(
        self,
        iri: URIRef,
        doc: Graph,
        labels: Sequence[Mapping[str, Node]],
        inbound: Sequence[Mapping[str, Node]],
        lang: str,
        base: str,
    ) -> None:
        self.iri = iri
        self.doc = doc
        self.lang = lang
        self.base = base
        self.words = WORDS[lang]
        self.vocab = vocabulary()
        self.labels: dict[Node, list[Literal]] = defaultdict(list)
        self.see_also: dict[Node, list[Node]] = defaultdict(list)
        for row in labels:
            term, kind, value = row.get("t"), row.get("lp"), row.get("l")
            if term is None or value is None:
                continue
            if kind == RDFS.seeAlso:
                self.see_also[term].append(value)
            elif isinstance(value, Literal) and value not in self.labels[term]:
                self.labels[term].append(value)
        self.inbound_rows = inbound
        self.evidence = self._index_evidence()
        self.used: set[Node] = set()

    # names

    def label(self, term: Node) -> str:
        """The best label of ``term`` for the page's language, or ``""``.

        A label in the page's language wins; then the page's own word for a reused class
        (the ontology names those in English only); then a label in another language.
        """
        literals = list(self.labels.get(term, ()))
        if isinstance(term, URIRef):
            literals += self.vocab.labels.get(term, ())
        if not any(lit.language == self.lang for lit in literals) and term in CLASS_WORDS:
            return _pick(CLASS_WORDS[URIRef(str(term))], self.lang)
        return web.text(literals, self.lang) if literals else ""

    def predicate_words(self, predicate: Node) -> str:
        """A predicate in words: the page's own, else the ontology's label, else a CURIE."""
        if isinstance(predicate, URIRef) and predicate in PREDICATE_WORDS:
            return _pick(PREDICATE_WORDS[predicate], self.lang)
        label = self.label(predicate)
        return label[:1].upper() + label[1:] if label else curie(predicate)

    # provenance

    def _index_evidence(self) -> dict[tuple[Node, Node, Node], list[Evidence]]:
        index: dict[tuple[Node, Node, Node], list[Evidence]] = defaultdict(list)
        for node in set(self.doc.subjects(RDF.subject, None)):
            s = self.doc.value(node, RDF.subject)
            p = self.doc.value(node, RDF.predicate)
            o = self.doc.value(node, RDF.object)
            if s is None or p is None or o is None:
                continue
            lines = sorted(
                int(line)
                for line in self.doc.objects(node, HG.sourceLine)
                if isinstance(line, Literal) and str(line).isdigit()
            )
            quotes = sorted(
                Quote(str(q), q.language or "")
                for q in self.doc.objects(node, HG.quote)
                if isinstance(q, Literal)
            )
            sources = sorted(
                (host(src), safe_href(src, self.base))
                for src in self.doc.objects(node, PROV.wasDerivedFrom)
            )
            if lines or quotes:
                index[(s, p, o)].append(Evidence(tuple(lines), tuple(quotes), tuple(sources)))
        return index

    def evidence_for(self, *statements: tuple[Node, Node, Node]) -> list[Evidence]:
        """The evidence of several statements, each piece once, in a stable order."""
        found: dict[Evidence, None] = {}
        for statement in statements:
            for item in self.evidence.get(statement, ()):
                found[item] = None
        return sorted(found, key=lambda e: (e.lines, e.quotes))

    # values

    def value(self, term: Node, statement: tuple[Node, Node, Node] | None = None) -> Value:
        """``term`` as a page shows it, with the evidence of ``statement``."""
        evidence = self.evidence_for(statement) if statement else []
        if isinstance(term, Literal):
            return self._literal(term, evidence)
        if isinstance(term, BNode):
            return Value(text=_node_text(self.doc, term), code=True, evidence=evidence)
        iri = str(term)
        href = safe_href(iri, self.base)
        label = self.label(term)
        if not label and iri.startswith("mailto:"):
            label = iri[len("mailto:") :]
        external = [
            Link(host(target), link)
            for target in sorted(self.see_also.get(term, ()), key=str)
            if (link := safe_href(target, self.base))
        ]
        return Value(
            text=label or curie(iri),
            href=href,
            iri=iri,
            code=not label,
            external=external,
            evidence=evidence,
        )

    def _literal(self, literal: Literal, evidence: list[Evidence]) -> Value:
        if literal.datatype == XSD.boolean:
            truth = str(literal).strip().lower() in ("true", "1")
            return Value(text=self.words["yes" if truth else "no"], evidence=evidence)
        return Value(text=str(literal), lang=literal.language or "", evidence=evidence)

    def values(self, subject: Node, predicate: URIRef) -> list[Value]:
        """Every value of ``subject predicate``, sorted by what is shown."""
        objects = list(self.doc.objects(subject, predicate))
        if subject == self.iri:
            self.used.add(predicate)
        shown = [self.value(o, (subject, predicate, o)) for o in objects]
        return sorted(shown, key=lambda v: (v.text.casefold(), v.lang))

    def row(self, predicate: URIRef, heading: str | None = None) -> Row | None:
        """The row of one of the resource's predicates, or None when it has no value."""
        values = self.values(self.iri, predicate)
        if not values:
            return None
        return Row(
            key=_key(predicate),
            heading=heading or self.predicate_words(predicate),
            values=values,
            predicate=str(predicate),
            predicate_href=safe_href(predicate, self.base),
        )

    def remaining_rows(self) -> list[Row]:
        """Rows for every predicate of the resource not shown elsewhere on the page."""
        predicates = {p for p in self.doc.predicates(self.iri, None) if isinstance(p, URIRef)}
        rows = [self.row(p) for p in predicates - self.used]
        return sorted((r for r in rows if r), key=lambda r: r.heading.casefold())

    # the parts of a data source's description

    def kinds(self) -> list[Value]:
        """The source's kind (``hg:MedicalQualityRegister``, ...) rather than plain
        ``dcat:Dataset``, which every source is; a source without a kind shows the latter."""
        types = list(self.doc.objects(self.iri, RDF.type))
        specific = [t for t in types if t != DCAT.Dataset and t in self.vocab.dataset_classes]
        self.used.add(RDF.type)
        shown = specific or types
        return sorted((self.value(t, (self.iri, RDF.type, t)) for t in shown), key=lambda v: v.text)

    def temporal(self) -> Row | None:
        """The time covered as one value ("1967–2017", "fra 1998") with the evidence of the
        period and each of its dates, since the listing states them in one sentence."""
        values: list[Value] = []
        for period in self.doc.objects(self.iri, DCTERMS.temporal):
            start = self.doc.value(period, DCAT.startDate)
            end = self.doc.value(period, DCAT.endDate)
            if start is not None and end is not None:
                text = f"{start}–{end}"
            elif start is not None:
                text = f"{self.words['from']} {start}"
            elif end is not None:
                text = f"{self.words['until']} {end}"
            else:
                continue
            statements = [(self.iri, DCTERMS.temporal, period)] + [
                (period, p, o) for p, o in self.doc.predicate_objects(period)
            ]
            values.append(Value(text=text, evidence=self.evidence_for(*statements)))
        self.used.add(DCTERMS.temporal)
        if not values:
            return None
        return Row("dct-temporal", self.predicate_words(DCTERMS.temporal), values)

    def contacts(self) -> Row | None:
        """The e-mail addresses of the access contact, each a mailto: link with its evidence."""
        values: list[Value] = []
        for contact in self.doc.objects(self.iri, DCAT.contactPoint):
            for email in sorted(self.doc.objects(contact, VCARD.hasEmail), key=str):
                value = self.value(email, (contact, VCARD.hasEmail, email))
                value.evidence = self.evidence_for(
                    (self.iri, DCAT.contactPoint, contact), (contact, VCARD.hasEmail, email)
                )
                values.append(value)
        self.used.add(DCAT.contactPoint)
        if not values:
            return None
        return Row("dcat-contactPoint", self.predicate_words(DCAT.contactPoint), values)

    def attributions(self) -> list[Row]:
        """One row per role an organisation plays (other than controller and processor)."""
        by_role: dict[str, list[Value]] = defaultdict(list)
        for node in self.doc.objects(self.iri, PROV.qualifiedAttribution):
            agent = self.doc.value(node, PROV.agent)
            role = self.doc.value(node, DCAT.hadRole)
            if agent is None:
                continue
            value = self.value(agent)
            statements = [(self.iri, PROV.qualifiedAttribution, node), (node, PROV.agent, agent)]
            if role is not None:
                statements.append((node, DCAT.hadRole, role))
            value.evidence = self.evidence_for(*statements)
            heading = self.label(role) if role is not None else ""
            by_role[heading or self.predicate_words(PROV.qualifiedAttribution)].append(value)
        self.used.add(PROV.qualifiedAttribution)
        return [
            Row("role", heading, sorted(values, key=lambda v: v.text.casefold()))
            for heading, values in sorted(by_role.items())
        ]

    # what points here

    def inbound(self) -> tuple[list[Row], list[Decision], bool]:
        """Rows of what points at the resource, the curation decisions, and a cut-off flag.

        Links the page already shows from this side (``dct:hasPart`` from a whole the
        resource says it is part of) are left out, so nothing is listed twice.
        """
        links: dict[tuple[Node, Node], _Inbound] = {}
        for row in self.inbound_rows:
            s, p = row.get("s"), row.get("p")
            if s is None or p is None:
                continue
            link = links.setdefault((s, p), _Inbound(row.get("owner"), row.get("role")))
            kind, literal = row.get("lp"), row.get("l")
            if isinstance(literal, Literal):
                found = link.notes if kind == SKOS.editorialNote else link.labels
                if literal not in found:
                    found.append(literal)
        shown_here = set(self.doc.objects(self.iri, None))
        decisions: list[Decision] = []
        grouped: dict[Node, list[Value]] = defaultdict(list)
        for (s, p), link in links.items():
            if p == HG.concerns:
                decisions.append(
                    Decision(
                        href=safe_href(s, self.base),
                        name=web.text(link.labels, self.lang) or _local_name(str(s)),
                        notes=[Quote(str(n), n.language or "") for n in link.notes],
                    )
                )
                continue
            # a qualified attribution is shown as the data source it belongs to
            shown = link.owner if isinstance(link.owner, URIRef) else s
            if shown in shown_here:
                continue
            label = web.text(link.labels, self.lang)
            value = Value(
                text=label or curie(shown),
                href=safe_href(shown, self.base),
                iri=str(shown),
                code=not label,
            )
            if link.role is not None:
                value.note = self.label(link.role) or curie(link.role)
            grouped[p].append(value)
        rows = []
        for p, values in grouped.items():
            words = INVERSE_WORDS.get(p) if isinstance(p, URIRef) else None
            heading = (
                _pick(words, self.lang)
                if words
                else f"{self.words['referenced_as']} «{self.predicate_words(p)}»"
            )
            rows.append(
                Row(
                    key=_key(p),
                    heading=heading,
                    values=sorted(values, key=lambda v: (v.note, v.text.casefold())),
                    predicate=str(p),
                    predicate_href=safe_href(p, self.base),
                )
            )
        decisions.sort(key=lambda d: d.name)
        rows.sort(key=lambda r: r.heading.casefold())
        return rows, decisions, len(self.inbound_rows) >= INBOUND_LIMIT

    # the pages

    def build(self) -> ResourcePage:
        """The page for the resource's kind: a data source, an organisation, or any other."""
        types = set(self.doc.objects(self.iri, RDF.type))
        if types & self.vocab.dataset_classes:
            return self.dataset()
        if FOAF.Organization in types:
            return self.organisation()
        return self.generic()

    def _title(self, predicates: Sequence[URIRef]) -> tuple[str, str]:
        """The heading in the page's language where the graph has it, and its language tag."""
        literals = [
            o for p in predicates for o in self.doc.objects(self.iri, p) if isinstance(o, Literal)
        ]
        chosen = web.text(literals, self.lang)
        for literal in literals:
            if str(literal) == chosen:
                return chosen, literal.language or ""
        return _local_name(str(self.iri)), ""

    def _description(self) -> list[Quote]:
        """The listing's description (prose, present only when the listing was loaded)."""
        self.used.add(DCTERMS.description)
        literals = [
            o for o in self.doc.objects(self.iri, DCTERMS.description) if isinstance(o, Literal)
        ]
        best = web.text(literals, self.lang)
        return [Quote(str(d), d.language or "") for d in literals if str(d) == best][:1]

    def _with_definitions(self, row: Row | None) -> Row | None:
        """Add each concept's definition, so "Opt-out" comes with what it means."""
        for value in row.values if row else ():
            definitions = self.vocab.definitions.get(URIRef(value.iri), ()) if value.iri else ()
            value.note = web.text(definitions, self.lang)
            value.note_lang = _lang_of(definitions, value.note)
        return row

    def dataset(self) -> ResourcePage:
        """A data source: its facts in words, each with the sentence it was read from."""
        title, title_lang = self._title([DCTERMS.title])
        facts = [
            Row("kind", self.words["kind"], self.kinds(), str(RDF.type)),
            self._with_definitions(self.row(HG.consentRegime)),
            self._with_definitions(self.row(HG.identifiability)),
            self.row(DPV.hasLegalBasis),
            self.row(HG.regulatedBy),
            self.row(DPV.hasDataController),
            self.row(DPV.hasDataProcessor),
            *self.attributions(),
            self.row(HG.licensedBy),
            self.row(HG.confidentialityDispensationBy),
            self.temporal(),
            self.contacts(),
            self.row(HG.applicationViaHelsedata),
            self.row(DCTERMS.title),
            self.row(SKOS.altLabel),
            self.row(HG.listingPosition, self.words["listing"]),
            self.row(DCTERMS.source),
        ]
        belongs = [self.row(DCTERMS.isPartOf), self.row(DCTERMS.hasPart)]
        related = [self.row(p) for p in _RELATED]
        description = self._description()
        curation = self.row(SKOS.editorialNote)
        inbound, decisions, truncated = self.inbound()
        return ResourcePage(
            iri=str(self.iri),
            title=title,
            title_lang=title_lang,
            kind="dataset",
            kind_words=self.words["source_kind"],
            description=description,
            facts=[r for r in facts if r is not None and r.values],
            belongs=[r for r in belongs if r],
            related=[r for r in related if r],
            decisions=decisions,
            other=[r for r in [curation, *self.remaining_rows()] if r],
            inbound=inbound,
            truncated=truncated,
        )

    def organisation(self) -> ResourcePage:
        """An organisation: its name and number, and the sources it controls or processes."""
        title, title_lang = self._title([FOAF.name, SKOS.prefLabel, RDFS.label])
        self.used.add(RDF.type)
        facts = [
            self.row(FOAF.name),
            self.row(SKOS.altLabel),
            self.row(DCTERMS.identifier, self.words["orgnr"]),
            self.row(ORG.subOrganizationOf),
        ]
        inbound, decisions, truncated = self.inbound()
        first = [str(DPV.hasDataController), str(DPV.hasDataProcessor), str(PROV.agent)]
        inbound.sort(key=lambda r: first.index(r.predicate) if r.predicate in first else 3)
        return ResourcePage(
            iri=str(self.iri),
            title=title,
            title_lang=title_lang,
            kind="organisation",
            kind_words=self.words["organisation"],
            facts=[r for r in facts if r],
            decisions=decisions,
            other=self.remaining_rows(),
            inbound=inbound,
            truncated=truncated,
        )

    def generic(self) -> ResourcePage:
        """Any other resource: every statement with readable names, and what points here."""
        title, title_lang = self._title(list(_LABEL_PREDICATES))
        types = [v.text for v in self.values(self.iri, RDF.type)]
        self.used.discard(RDF.type)  # listed among the statements too
        inbound, decisions, truncated = self.inbound()
        return ResourcePage(
            iri=str(self.iri),
            title=title,
            title_lang=title_lang,
            kind="resource",
            kind_words=", ".join(types) or self.words["resource"],
            facts=self.remaining_rows(),
            decisions=decisions,
            inbound=inbound,
            truncated=truncated,
        )


#: Links between data sources shown as "related sources", in this order.
_RELATED: Final = (
    DCTERMS.replaces,
    DCTERMS.isReplacedBy,
    HG.mergedFrom,
    HG.mergedInto,
    HG.followUpOf,
    HG.hasFollowUp,
    HG.continuationOf,
    HG.continuedBy,
    HG.deliversDataTo,
    HG.receivesDataFrom,
    DCTERMS.relation,
)


def _lang_of(literals: Iterable[Literal], text: str) -> str:
    """The language tag of the literal :func:`web.text` chose, for the ``lang`` attribute."""
    for literal in literals:
        if str(literal) == text:
            return literal.language or ""
    return ""


def _node_text(graph: Graph, node: Node, depth: int = 0) -> str:
    """A term in Turtle-like words: CURIEs, quoted literals, lists and ``[ ... ]`` nodes."""
    if isinstance(node, URIRef):
        return "()" if node == RDF.nil else curie(node)
    if isinstance(node, Literal):
        if node.language:
            return f'"{node}"@{node.language}'
        if node.datatype in (None, XSD.string):
            return f'"{node}"'
        return str(node)
    if depth > 4:
        return "[…]"
    if (node, RDF.first, None) in graph:
        items = [_node_text(graph, item, depth + 1) for item in Collection(graph, node)]
        return "( " + " ".join(items) + " )"
    pairs = sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1])))
    inner = " ; ".join(f"{curie(p)} {_node_text(graph, o, depth + 1)}" for p, o in pairs)
    return f"[ {inner} ]"


# -- GET /id/{path} --------------------------------------------------------------------------


@router.get(
    "/id/{path:path}",
    summary="A resource of the graph: a page for people, RDF for programs.",
    responses={
        200: {
            "description": "The resource's document (its triples, hash nodes and provenance).",
            "content": {m: {} for m in OFFERS},
        },
        400: {"description": "Not a resource path, or an unreadable Accept or format."},
        404: {"description": "No such resource in the graph."},
        406: {"description": "No acceptable media type."},
    },
)
async def resource(request: Request, path: str) -> Response:
    """Serve ``settings.base_iri + path`` by content negotiation."""
    settings: Settings = request.app.state.settings
    if path in SERVED_ELSEWHERE:
        # the catalog and its SPARQL service have IRIs under the base, served by their routes
        target = SERVED_ELSEWHERE[path]
        query = request.url.query
        return RedirectResponse(target + ("?" + query if query else ""), status_code=303)
    try:
        iri = resource_iri(settings.base_iri, path, request.scope.get("raw_path"))
        media = negotiate(request)
    except ResourcePathError as err:
        return _text(err.status, str(err))
    except _RefusedError as err:
        return _text(err.status, err.message)
    pool: QueryPool = request.app.state.pool
    doc = await document(pool, iri)
    if not len(doc):
        return _not_found(request, iri, media)
    links = alternates(request.url.path, media)
    headers = {"Link": link_header(links)}
    if media != formats.HTML:
        return Response(
            serialize(doc, media, first=iri),
            media_type=formats.with_charset(media),
            headers={**headers, "Vary": "Accept"},
        )
    # independent queries: two workers answer them side by side
    labels, inbound = await asyncio.gather(
        pool.select(LABELS_QUERY, {"x": iri}), pool.select(INBOUND_QUERY, {"x": iri})
    )
    lang = web.language(request)
    page = _Page(iri, doc, labels.rows, inbound.rows, lang, settings.base_iri).build()
    return web.render(
        request,
        "resource.html",
        {"page": page, "words": WORDS[lang], "alternates": links},
        headers=headers,
    )


async def document(pool: QueryPool, iri: URIRef) -> Graph:
    """The RDF of ``iri``: :data:`DOCUMENT_QUERY`, then deeper blank nodes if there are any."""
    doc: Graph = await pool.construct(DOCUMENT_QUERY, {"x": iri})
    depth = 1
    while depth <= MAX_BLANK_DEPTH and _undescribed_blank_nodes(doc):
        more: Graph = await pool.construct(blank_query(depth), {"x": iri})
        for triple in more:
            doc.add(triple)
        depth += 1
    return doc


def _undescribed_blank_nodes(doc: Graph) -> bool:
    described = {s for s in doc.subjects() if isinstance(s, BNode)}
    return any(isinstance(o, BNode) and o not in described for o in doc.objects())


def _not_found(request: Request, iri: URIRef, media: str) -> Response:
    """404: a page for a browser, a line of text for a program."""
    if media == formats.HTML:
        lang = web.language(request)
        return web.render(
            request,
            "not_found.html",
            {"iri": str(iri), "words": WORDS[lang]},
            status_code=404,
        )
    return _text(404, f"no resource {iri} in the graph")


# -- GET /ontology ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A term named on a documentation page: its CURIE and where it is documented."""

    text: str
    href: str
    iri: str


@dataclass(frozen=True)
class Fact:
    """One kind of link of a term (its superclasses, its domain, ...)."""

    key: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class TermDoc:
    """The documentation of one ontology term."""

    anchor: str
    iri: str
    curie: str
    label: str
    label_lang: str
    labels: tuple[Quote, ...]
    definitions: tuple[Quote, ...]
    notes: tuple[Quote, ...]
    facts: tuple[Fact, ...]
    members: tuple[TermDoc, ...] = ()


@dataclass(frozen=True)
class Section:
    """A group of terms: its key in :data:`WORDS`, its own terms and the reused ones."""

    key: str
    own: tuple[TermDoc, ...]
    reused: tuple[TermDoc, ...]


@dataclass(frozen=True)
class OntologyDoc:
    """What ``ontology.html`` shows."""

    iri: str
    title: str
    title_lang: str
    descriptions: tuple[Quote, ...]
    header: tuple[tuple[str, tuple[Ref, ...]], ...]
    sections: tuple[Section, ...]


def _anchor(iri: URIRef) -> str:
    """The ``id`` of a term on a documentation page: the local name for helsegraf's own
    terms (``/ontology#ConsentRegime``), the CURIE for reused ones (``dcat:Dataset``)."""
    value = str(iri)
    if value.startswith(str(HG)):
        return value[len(str(HG)) :]
    if value.startswith(str(HGSH)):
        return value[len(str(HGSH)) :]
    return curie(value)


def _texts(graph: Graph, subject: Node, predicate: URIRef, lang: str) -> tuple[Quote, ...]:
    """Literals of ``subject predicate``, the page's language first, then nb, en, others."""
    order = {"nb": 1, "en": 2, lang: 0}  # the page's language first, whichever it is
    literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    literals.sort(key=lambda lit: (order.get(lit.language or "", 3), str(lit)))
    return tuple(Quote(str(lit), lit.language or "") for lit in literals)


def _refs(graph: Graph, nodes: Iterable[Node], documented: Mapping[URIRef, str]) -> tuple[Ref, ...]:
    """Terms named on a documentation page, linked to their anchor when the page has one."""
    refs = []
    for node in nodes:
        if isinstance(node, URIRef):
            if node in documented:
                href = "#" + documented[node]
            else:
                href = safe_href(node)
                href = "" if href.startswith("/ontology#") else href
            refs.append(Ref(curie(node), href, str(node)))
        else:
            refs.append(Ref(_node_text(graph, node), "", ""))
    return tuple(sorted(set(refs), key=lambda r: r.text))


_PROPERTY_CHARACTERISTICS: Final = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)


def _term_doc(
    graph: Graph,
    term: URIRef,
    lang: str,
    documented: Mapping[URIRef, str],
    disjoint: Mapping[URIRef, set[URIRef]],
    members: tuple[TermDoc, ...] = (),
) -> TermDoc:
    """One term's entry: labels and definitions in both languages, and its axioms as links.

    Inverse and sub-class links are read in both directions, so a term's entry says what
    points at it too (the ontology states each only once).
    """
    labels = _texts(graph, term, RDFS.label, lang) or _texts(graph, term, SKOS.prefLabel, lang)
    label = labels[0] if labels else Quote(curie(term), "")
    notes = _texts(graph, term, SKOS.scopeNote, lang) + _texts(graph, term, RDFS.comment, lang)
    types = set(graph.objects(term, RDF.type))
    inverse = set(graph.objects(term, OWL.inverseOf)) | set(graph.subjects(OWL.inverseOf, term))
    facts = [
        ("subclass_of", graph.objects(term, RDFS.subClassOf)),
        ("subclasses", graph.subjects(RDFS.subClassOf, term)),
        ("equivalent_to", graph.objects(term, OWL.equivalentClass)),
        ("disjoint_with", disjoint.get(term, set())),
        ("domain", graph.objects(term, RDFS.domain)),
        ("range", graph.objects(term, RDFS.range)),
        ("subproperty_of", graph.objects(term, RDFS.subPropertyOf)),
        ("subproperties", graph.subjects(RDFS.subPropertyOf, term)),
        ("inverse_of", inverse),
        ("characteristics", [t for t in types if t in _PROPERTY_CHARACTERISTICS]),
        ("in_scheme", graph.objects(term, SKOS.inScheme)),
        ("defined_by", graph.objects(term, RDFS.isDefinedBy)),
        ("see_also", graph.objects(term, RDFS.seeAlso)),
    ]
    return TermDoc(
        anchor=documented.get(term, _anchor(term)),
        iri=str(term),
        curie=curie(term),
        label=label.text,
        label_lang=label.lang,
        labels=labels,
        definitions=_texts(graph, term, SKOS.definition, lang),
        notes=notes,
        facts=tuple(
            Fact(key, refs) for key, nodes in facts if (refs := _refs(graph, nodes, documented))
        ),
        members=members,
    )


@cache
def ontology_doc(lang: str) -> OntologyDoc:
    """The HTML documentation of the ontology in ``lang``, built once per language."""
    graph = vocabulary().graph
    header = next((s for s in graph.subjects(RDF.type, OWL.Ontology)), URIRef(str(HG)))
    kinds = (
        ("classes", OWL.Class),
        ("object_properties", OWL.ObjectProperty),
        ("datatype_properties", OWL.DatatypeProperty),
        ("annotation_properties", OWL.AnnotationProperty),
    )
    declared: dict[str, list[URIRef]] = {
        key: sorted({s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}, key=curie)
        for key, kind in kinds
    }
    individuals = sorted(
        {s for s in graph.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)},
        key=curie,
    )
    documented = {
        term: _anchor(term) for terms in [*declared.values(), individuals] for term in terms
    }
    disjoint: dict[URIRef, set[URIRef]] = defaultdict(set)
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            disjoint[a].add(b)
            disjoint[b].add(a)
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(axiom, OWL.members)
        group = [m for m in Collection(graph, head) if isinstance(m, URIRef)] if head else []
        for member in group:
            disjoint[member].update(m for m in group if m != member)

    def section(key: str, terms: Sequence[URIRef]) -> Section:
        docs = [_term_doc(graph, t, lang, documented, disjoint) for t in terms]
        own = tuple(d for d in docs if d.iri.startswith(str(HG)))
        return Section(key, own, tuple(d for d in docs if not d.iri.startswith(str(HG))))

    schemes = [i for i in individuals if (i, RDF.type, SKOS.ConceptScheme) in graph]
    in_schemes: set[URIRef] = set()
    scheme_docs = []
    for scheme in schemes:
        concepts = sorted(
            {c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}, key=curie
        )
        in_schemes.update(concepts)
        members = tuple(_term_doc(graph, c, lang, documented, disjoint) for c in concepts)
        scheme_docs.append(_term_doc(graph, scheme, lang, documented, disjoint, members))
    others = [i for i in individuals if i not in in_schemes and i not in schemes]
    sections = [section(key, declared[key]) for key, _ in kinds]
    sections.append(Section("schemes", tuple(scheme_docs), ()))
    if others:
        sections.append(section("individuals", others))
    titles = [o for o in graph.objects(header, DCTERMS.title) if isinstance(o, Literal)]
    title = web.text(titles, lang) or WORDS[lang]["ontology_title"]
    meta = (
        ("version", graph.objects(header, OWL.versionInfo)),
        ("version_iri", graph.objects(header, OWL.versionIRI)),
        ("license", graph.objects(header, DCTERMS.license)),
        ("creator", graph.objects(header, DCTERMS.creator)),
        ("created", graph.objects(header, DCTERMS.created)),
        ("modified", graph.objects(header, DCTERMS.modified)),
        ("prefix", graph.objects(header, VANN.preferredNamespacePrefix)),
        ("namespace", graph.objects(header, VANN.preferredNamespaceUri)),
        ("see_also", graph.objects(header, RDFS.seeAlso)),
    )
    return OntologyDoc(
        iri=str(header),
        title=title,
        title_lang=_lang_of(titles, title),
        descriptions=_texts(graph, header, DCTERMS.description, lang),
        header=tuple((key, tuple(_meta_ref(n) for n in nodes)) for key, nodes in meta),
        sections=tuple(s for s in sections if s.own or s.reused),
    )


def _meta_ref(node: Node) -> Ref:
    """A value of the ontology header (a version, a licence IRI) as shown text or a link."""
    if isinstance(node, URIRef):
        return Ref(str(node), safe_href(node), str(node))
    return Ref(str(node), "", "")


async def _document(
    request: Request,
    rdf: Callable[[str], bytes],
    template: str,
    doc: Callable[[str], object],
) -> Response:
    """An RDF file or its HTML documentation, by negotiation, with an ETag."""
    try:
        media = negotiate(request)
    except _RefusedError as err:
        return _text(err.status, err.message)
    links = alternates(request.url.path, media)
    headers = {"Link": link_header(links)}
    if media == formats.HTML:
        lang = web.language(request)
        response: Response = web.render(
            request,
            template,
            {"doc": doc(lang), "words": WORDS[lang], "alternates": links},
            headers=headers,
        )
    else:
        response = Response(
            rdf(media),
            media_type=formats.with_charset(media),
            headers={**headers, "Vary": "Accept"},
        )
    return _with_etag(request, response)


@router.get(
    "/ontology",
    summary="The helsegraf ontology (OWL 2): RDF, or HTML documentation.",
    responses={
        200: {"content": {m: {} for m in OFFERS}},
        400: {"description": "An unreadable Accept header or an unknown format."},
        406: {"description": "No acceptable media type."},
    },
)
async def ontology(request: Request) -> Response:
    """The ontology file as RDF by ``Accept``, or its documentation for a browser."""
    return await _document(request, ontology_bytes, "ontology.html", ontology_doc)


# -- GET /shapes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeDoc:
    """The documentation of one SHACL shape."""

    anchor: str
    iri: str
    curie: str
    label: str
    label_lang: str
    comments: tuple[Quote, ...]
    targets: tuple[tuple[str, tuple[Ref, ...]], ...]
    path: str
    name: str
    severity: str
    constraints: tuple[tuple[str, str], ...]
    messages: tuple[Quote, ...]
    sparql: tuple[str, ...]
    properties: tuple[ShapeDoc, ...] = ()


@dataclass(frozen=True)
class ShapesDoc:
    """What ``shapes.html`` shows."""

    title: str
    title_lang: str
    comments: tuple[Quote, ...]
    version: str
    node_shapes: tuple[ShapeDoc, ...]
    standalone: tuple[ShapeDoc, ...]


_TARGETS: Final = (
    ("target_class", SH.targetClass),
    ("target_subjects", SH.targetSubjectsOf),
    ("target_objects", SH.targetObjectsOf),
    ("target_node", SH.targetNode),
)

#: Predicates a shape page shows in their own place rather than among the constraints.
_SHAPE_STRUCTURE: Final = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.path,
        SH.property,
        SH.message,
        SH.name,
        SH.sparql,
        SH.severity,
        *(p for _, p in _TARGETS),
    }
)


def path_text(graph: Graph, node: Node | None) -> str:
    """A SHACL property path in SPARQL property-path syntax, e.g. ``^dct:isPartOf``."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return curie(node)
    if (node, RDF.first, None) in graph:
        return "/".join(path_text(graph, step) for step in Collection(graph, node))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(node, predicate)
        if inner is not None:
            return template.format(path_text(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, a) for a in Collection(graph, alternatives)) + ")"
    return _node_text(graph, node)


def _shape_doc(
    graph: Graph, shape: URIRef, lang: str, documented: Mapping[URIRef, str]
) -> ShapeDoc:
    """One shape's entry. Messages of SHACL-SPARQL constraints sit on the sh:sparql node,
    not on the shape, so they are gathered from there; the rest of its constraints are
    written in Turtle-like words, since they are what a curator must satisfy."""
    labels = _texts(graph, shape, RDFS.label, lang)
    label = labels[0] if labels else Quote(curie(shape), "")
    messages = list(_texts(graph, shape, SH.message, lang))
    sparql = []
    for constraint in graph.objects(shape, SH.sparql):
        messages.extend(_texts(graph, constraint, SH.message, lang))
        for select in graph.objects(constraint, SH.select):
            sparql.append(textwrap.dedent(str(select)).strip())
    constraints = sorted(
        (curie(p), _node_text(graph, o))
        for p, o in graph.predicate_objects(shape)
        if p not in _SHAPE_STRUCTURE
    )
    properties = sorted(
        (
            _shape_doc(graph, p, lang, documented)
            for p in graph.objects(shape, SH.property)
            if isinstance(p, URIRef)
        ),
        key=lambda d: d.anchor,
    )
    severity = graph.value(shape, SH.severity)
    return ShapeDoc(
        anchor=_anchor(shape),
        iri=str(shape),
        curie=curie(shape),
        label=label.text,
        label_lang=label.lang,
        comments=_texts(graph, shape, RDFS.comment, lang),
        targets=tuple(
            (key, refs)
            for key, predicate in _TARGETS
            if (refs := _refs(graph, graph.objects(shape, predicate), documented))
        ),
        path=path_text(graph, graph.value(shape, SH.path)),
        name=" / ".join(str(n) for n in graph.objects(shape, SH.name)),
        severity=curie(severity) if severity is not None else "",
        constraints=tuple(constraints),
        messages=tuple(messages),
        sparql=tuple(sorted(sparql)),
        properties=tuple(properties),
    )


@cache
def shapes_doc(lang: str) -> ShapesDoc:
    """The HTML listing of the shapes in ``lang``, built once per language."""
    graph = shapes_graph()
    node_shapes = sorted(
        {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}, key=str
    )
    property_shapes = {
        s for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)
    }
    nested = {o for s in node_shapes for o in graph.objects(s, SH.property)}
    standalone = sorted((s for s in property_shapes if s not in nested), key=str)
    # links from targets: hg terms to the ontology page, shapes to their anchors here
    documented = {s: _anchor(s) for s in [*node_shapes, *property_shapes]}
    header = next((s for s in graph.subjects(RDF.type, OWL.Ontology)), None)
    titles = _texts(graph, header, RDFS.label, lang) if header is not None else ()
    version = graph.value(header, OWL.versionInfo) if header is not None else None

    def doc(shape: URIRef) -> ShapeDoc:
        return _shape_doc(graph, shape, lang, documented)

    return ShapesDoc(
        title=titles[0].text if titles else WORDS[lang]["shapes_title"],
        title_lang=titles[0].lang if titles else lang,
        comments=_texts(graph, header, RDFS.comment, lang) if header is not None else (),
        version=str(version) if version is not None else "",
        node_shapes=tuple(doc(s) for s in node_shapes),
        standalone=tuple(doc(s) for s in standalone),
    )


@router.get(
    "/shapes",
    summary="The SHACL shapes every published graph passes: RDF, or an HTML listing.",
    responses={
        200: {"content": {m: {} for m in OFFERS}},
        400: {"description": "An unreadable Accept header or an unknown format."},
        406: {"description": "No acceptable media type."},
    },
)
async def shapes(request: Request) -> Response:
    """The shapes as RDF by ``Accept``, or a listing of them for a browser."""
    return await _document(request, shapes_bytes, "shapes.html", shapes_doc)
