"""Collecting extracted triples with where each came from, and writing them out as RDF.

Every triple about a data source (or one of its hash nodes) gets a provenance node
(``docs/data-model.md``, "Provenance of extracted facts")::

    <…/dataset/bdr#fact-1a2b3c4d> a rdf:Statement ;
        rdf:subject … ; rdf:predicate … ; rdf:object … ;
        prov:wasDerivedFrom <https://helsedata.no/no/datakilder/> ;
        hg:sourceLine 64 ; hg:quote "…"@nb .

The eight hex digits are the start of the SHA-256 of ``subject predicate object`` written
in N-Triples (terms separated by one space, no final dot), UTF-8 encoded.

>>> from rdflib import URIRef, Literal
>>> ds = URIRef("https://w3id.org/helsegraf/id/dataset/x")
>>> iri = fact_iri(ds, URIRef("http://p"), Literal("a"))
>>> iri.startswith("https://w3id.org/helsegraf/id/dataset/x#fact-"), len(iri.rsplit("-", 1)[1])
(True, 8)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from helsegraf.namespaces import HELSEDATA_LISTING, HG, ID_BASE, PREFIXES, PROV, RDF

Triple = tuple[URIRef, URIRef, URIRef | Literal]

LISTING = URIRef(HELSEDATA_LISTING)
_DATASET_PREFIX = ID_BASE + "dataset/"


@dataclass(frozen=True)
class Provenance:
    """The line of the listing a fact was read from, and the sentence (prose)."""

    line: int
    quote: str


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax.

    >>> from rdflib import Literal, URIRef
    >>> from rdflib.namespace import XSD
    >>> nt_term(Literal("1967", datatype=XSD.gYear))
    '"1967"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    >>> nt_term(Literal('a "b"', lang="nb"))
    '"a \\\\"b\\\\""@nb'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{lexical}"^^<{term.datatype}>'
        return f'"{lexical}"'
    raise TypeError(f"no blank nodes or variables in loader output: {term!r}")


def fact_digest(subject: URIRef, predicate: URIRef, obj: URIRef | Literal) -> str:
    """The full SHA-256 hex digest of ``subject predicate object`` in N-Triples."""
    line = f"{nt_term(subject)} {nt_term(predicate)} {nt_term(obj)}"
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def fact_iri(subject: URIRef, predicate: URIRef, obj: URIRef | Literal, length: int = 8) -> str:
    """The IRI of the provenance node of a triple: ``<document of subject>#fact-<hex>``."""
    base = str(subject).split("#", 1)[0]
    return f"{base}#fact-{fact_digest(subject, predicate, obj)[:length]}"


def is_dataset_node(term: Node) -> bool:
    """True for ``hgid:dataset/<slug>`` and its hash nodes."""
    return isinstance(term, URIRef) and str(term).startswith(_DATASET_PREFIX)


class FactStore:
    """Triples in the order found; the first provenance of each triple is kept."""

    def __init__(self) -> None:
        self._facts: dict[Triple, Provenance | None] = {}
        self._prose: dict[Triple, None] = {}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal, prov: Provenance | None) -> None:
        """Add a triple; ``prov`` None for structural triples that need no provenance."""
        key = (s, p, o)
        if key not in self._facts or (self._facts[key] is None and prov is not None):
            self._facts[key] = prov

    def add_prose(self, s: URIRef, p: URIRef, o: Literal) -> None:
        """Add a prose triple (``dct:description``): no provenance node."""
        self._prose[(s, p, o)] = None

    def relate(self, a: URIRef, p: URIRef, b: URIRef, inverse: URIRef, prov: Provenance) -> None:
        """``a p b`` and ``b inverse a``, both with the same provenance."""
        if a == b:
            return
        self.add(a, p, b, prov)
        self.add(b, inverse, a, prov)

    def __contains__(self, triple: Triple) -> bool:
        return triple in self._facts

    def objects(self, s: URIRef, p: URIRef) -> list[URIRef | Literal]:
        """Objects of ``s p ?o`` found so far."""
        return [o for (s2, p2, o) in self._facts if s2 == s and p2 == p]

    def predicates(self, s: URIRef) -> set[URIRef]:
        """Predicates of the triples about ``s`` found so far."""
        return {p for (s2, p, _o) in self._facts if s2 == s}

    def graph(self) -> Graph:
        """The RDF: the triples, the prose and the provenance nodes."""
        g = Graph()
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
        used: dict[str, Triple] = {}
        for triple, prov in self._facts.items():
            g.add(triple)
            s, p, o = triple
            if prov is None or not is_dataset_node(s):
                continue
            node_iri = fact_iri(s, p, o)
            length = 8
            while node_iri in used and used[node_iri] != triple:
                length += 4
                node_iri = fact_iri(s, p, o, length)
            used[node_iri] = triple
            node = URIRef(node_iri)
            g.add((node, RDF.type, RDF.Statement))
            g.add((node, RDF.subject, s))
            g.add((node, RDF.predicate, p))
            g.add((node, RDF.object, o))
            g.add((node, PROV.wasDerivedFrom, LISTING))
            g.add((node, HG.sourceLine, Literal(prov.line)))
            if prov.quote:
                g.add((node, HG.quote, Literal(prov.quote, lang="nb")))
        for triple in self._prose:
            g.add(triple)
        return g


__all__ = [
    "LISTING",
    "FactStore",
    "Provenance",
    "Triple",
    "fact_digest",
    "fact_iri",
    "is_dataset_node",
    "nt_term",
]
