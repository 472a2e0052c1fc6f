"""The media types helsegraf serves, and the short names a ``format`` parameter may use.

SPARQL results (SELECT, ASK) and RDF graphs (CONSTRUCT, DESCRIBE, resource pages, the
ontology) each have their own list; the first entry of a list is what a client that accepts
anything gets.
"""

from __future__ import annotations

from typing import Final

import pyoxigraph as ox

SPARQL_JSON: Final = "application/sparql-results+json"
SPARQL_XML: Final = "application/sparql-results+xml"
CSV: Final = "text/csv"
TSV: Final = "text/tab-separated-values"
TURTLE: Final = "text/turtle"
NTRIPLES: Final = "application/n-triples"
JSONLD: Final = "application/ld+json"
RDFXML: Final = "application/rdf+xml"
NQUADS: Final = "application/n-quads"
TRIG: Final = "application/trig"
HTML: Final = "text/html"
JSON: Final = "application/json"
XML: Final = "application/xml"

#: What a SELECT or ASK answer can be written as, in the server's order of preference.
RESULT_TYPES: Final = (SPARQL_JSON, SPARQL_XML, CSV, TSV, JSON, XML, "text/xml")
#: What a graph (CONSTRUCT, DESCRIBE, a resource) can be written as.
GRAPH_TYPES: Final = (TURTLE, NTRIPLES, JSONLD, RDFXML, "text/plain")

#: ``format=`` short names, as used by Fuseki, Virtuoso and most SPARQL servers.
ALIASES: Final = {
    "json": SPARQL_JSON,
    "srj": SPARQL_JSON,
    "xml": SPARQL_XML,
    "srx": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "n3": TURTLE,  # Turtle is a subset of N3, so an N3 reader reads it
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "n-triples": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "rdf": RDFXML,
    "rdfxml": RDFXML,
    "rdf-xml": RDFXML,
    "html": HTML,
}

#: Graph aliases where a name means something else for graphs than for results.
GRAPH_ALIASES: Final = {**ALIASES, "xml": RDFXML, "json": JSONLD}

_RESULTS: Final = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    XML: ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
_GRAPHS: Final = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
    NQUADS: ox.RdfFormat.N_QUADS,
    TRIG: ox.RdfFormat.TRIG,
}


def results_format(media_type: str) -> ox.QueryResultsFormat:
    """The pyoxigraph results format for a media type from :data:`RESULT_TYPES`."""
    return _RESULTS[media_type]


def graph_format(media_type: str) -> ox.RdfFormat:
    """The pyoxigraph RDF format for a media type from :data:`GRAPH_TYPES`."""
    return _GRAPHS[media_type]


def with_charset(media_type: str) -> str:
    """The ``Content-Type`` value: text formats and JSON say they are UTF-8."""
    if media_type.startswith("text/") or media_type.endswith(("json", "+xml", "/xml")):
        return f"{media_type}; charset=utf-8"
    return media_type
