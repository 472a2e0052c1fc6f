"""Conversion between rdflib terms (the public API) and pyoxigraph terms (the store).

>>> from rdflib import Literal, URIRef
>>> to_rdflib(to_oxigraph(Literal("Helse Bergen HF", lang="nb")))
rdflib.term.Literal('Helse Bergen HF', lang='nb')
>>> to_rdflib(to_oxigraph(URIRef("https://example.org/a")))
rdflib.term.URIRef('https://example.org/a')
"""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

#: The RDF terms helsegraf hands out: IRIs, blank nodes and literals.
Term: TypeAlias = URIRef | BNode | Literal
OxTerm: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_oxigraph(term: Node) -> OxTerm:
    """An rdflib IRI, blank node or literal as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term helsegraf stores: {term!r}")


def to_rdflib(term: object) -> Term:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term helsegraf reads: {term!r}")
