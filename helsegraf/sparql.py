"""Binding values into SPARQL queries as RDF terms, never as pasted text.

A binding becomes a one-row ``VALUES`` block placed first in the query's outermost ``WHERE``
group, so it joins with the whole pattern (SPARQL 1.1 Query section 10.2.1). Each value is
first turned into a pyoxigraph term, which validates it (an IRI with ``>`` or a space in it is
refused) and writes it in N-Triples syntax with every character escaped that needs it. The
same text works on every SPARQL 1.1 server, so both store backends use this one mechanism.

>>> from rdflib import Literal, URIRef
>>> print(bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal("a \\"b\\"", lang="nb")}))
SELECT ?s WHERE { VALUES (?o) { ("a \\"b\\""@nb) }
 ?s ?p ?o }
>>> try:
...     bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": URIRef("http://x/> } ; DROP ALL #")})
... except BindingError as err:
...     print(err)
not a valid IRI for ?o: 'http://x/> } ; DROP ALL #'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Literal, URIRef

from helsegraf.terms import Term, to_oxigraph

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class BindingError(ValueError):
    """A value cannot be bound into a query (bad variable name, invalid IRI, no WHERE)."""


def _term_text(name: str, value: Term) -> str:
    try:
        return str(to_oxigraph(value))
    except (ValueError, TypeError) as err:
        kind = (
            "IRI"
            if isinstance(value, URIRef)
            else "literal"
            if isinstance(value, Literal)
            else "term"
        )
        raise BindingError(f"not a valid {kind} for ?{name}: {str(value)!r}") from err


def _where_brace(query: str) -> int:
    """Index just after the ``{`` that opens the outermost WHERE group, skipping comments."""
    masked = "".join(
        " " * len(line) if line.lstrip().startswith("#") else line
        for line in query.splitlines(keepends=True)
    )
    match = _WHERE.search(masked)
    if match is None:
        raise BindingError("the query needs an explicit 'WHERE {' to take parameters")
    return match.end()


def bind(query: str, bindings: Mapping[str, Term] | None) -> str:
    """``query`` with ``bindings`` joined in as a ``VALUES`` block."""
    if not bindings:
        return query
    names = list(bindings)
    for name in names:
        if not _VARIABLE.match(name):
            raise BindingError(f"not a SPARQL variable name: {name!r}")
    values = " ".join(_term_text(name, bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}\n"
    at = _where_brace(query)
    return query[:at] + block + query[at:]
