"""RDF documents written the one way every route writes them: by pyoxigraph, sorted.

The resource pages, the catalog (in the api or in a query worker) and the ontology all go
through :func:`serialize`, so the same graph always gives the same bytes (and so the same
``ETag``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from helsegraf import formats
from helsegraf.terms import to_oxigraph


def _ox_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """An rdflib triple as pyoxigraph's, so every RDF answer is written by one serialiser."""
    subject, predicate, value = to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
    return ox.Triple(subject, predicate, value)


def serialize(
    graph: Graph,
    media: str,
    first: Node | None = None,
    namespaces: Mapping[str, str] | None = None,
) -> bytes:
    """``graph`` in the RDF format ``media``, written by pyoxigraph as ``/sparql`` does.

    Triples are sorted, ``first`` (the resource) before its hash nodes and those before the
    provenance nodes, so a document reads top-down and is always written the same way.
    Turtle declares only the prefixes it uses, and not ``hgid:``, whose local names would
    need escapes (``hgid:dataset\\/nir``); resource IRIs are written in full instead.
    """
    lead = str(first) if first is not None else None

    def order(t: ox.Triple) -> tuple[bool, bool, str, str, str]:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
        return (subject != lead, "#fact-" in subject, subject, str(t.predicate), str(t.object))

    triples = sorted((_ox_triple(s, p, o) for s, p, o in graph), key=order)
    prefixes = (
        _used_prefixes(triples, namespaces or {})
        if media == formats.TURTLE and namespaces
        else None
    )
    return ox.serialize(triples, format=formats.graph_format(media), prefixes=prefixes) or b""


def _used_prefixes(triples: Iterable[ox.Triple], namespaces: Mapping[str, str]) -> dict[str, str]:
    """The prefixes a Turtle document needs; pyoxigraph would declare every one it is given."""
    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in sorted(namespaces.items())
        if prefix != "hgid" and any(iri.startswith(namespace) for iri in iris)
    }
