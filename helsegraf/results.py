"""Writing query results: SPARQL 1.1 JSON and CSV result formats, and a terminal table.

JSON follows *SPARQL 1.1 Query Results JSON Format* (W3C Recommendation, 2013) section 3;
CSV follows *SPARQL 1.1 Query Results CSV and TSV Formats* section 2 (IRIs and literals as
their plain text, blank nodes as ``_:label``, CRLF line ends).

>>> from rdflib import Literal, URIRef
>>> row = {"s": URIRef("https://example.org/a"), "n": Literal("Å", lang="nb")}
>>> result = SelectResult(["s", "n"], [row])
>>> json.loads(to_json(result))["results"]["bindings"][0]["n"]
{'type': 'literal', 'value': 'Å', 'xml:lang': 'nb'}
>>> to_csv(result)
's,n\\r\\nhttps://example.org/a,Å\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef

from helsegraf.namespaces import PREFIXES
from helsegraf.store import SelectResult
from helsegraf.terms import Term


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def to_json(result: SelectResult) -> str:
    """SPARQL 1.1 JSON results."""
    document = {
        "head": {"vars": result.variables},
        "results": {
            "bindings": [
                {name: _json_term(value) for name, value in row.items()} for row in result.rows
            ]
        },
    }
    return json.dumps(document, ensure_ascii=False)


def boolean_json(value: bool) -> str:
    """SPARQL 1.1 JSON result of an ASK query."""
    return json.dumps({"head": {}, "boolean": value})


def _plain(term: Term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def to_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV results."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(row[v]) if v in row else "" for v in result.variables])
    return buffer.getvalue()


def compact(term: Term) -> str:
    """A term as a person reads it: prefixed names for known namespaces, text for literals.

    >>> compact(URIRef("https://w3id.org/helsegraf/id/dataset/bdr"))
    'hgid:dataset/bdr'
    """
    if isinstance(term, URIRef):
        iri = str(term)
        best = max(
            ((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)),
            key=lambda pair: len(pair[1]),
            default=None,
        )
        return f"{best[0]}:{iri[len(best[1]) :]}" if best else f"<{iri}>"
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return _plain(term)


def to_table(result: SelectResult) -> str:
    """An aligned text table for a terminal."""
    header = list(result.variables)
    cells = [[compact(row[v]) if v in row else "" for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)
