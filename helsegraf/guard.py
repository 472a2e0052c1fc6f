"""What a public SPARQL endpoint must refuse before a query runs: updates, federation and
queries nested deeper than the engine's parser can take.

pyoxigraph evaluates ``SERVICE <iri> { ... }`` by sending an HTTP request to the IRI, so a
query could make the server connect to any host its caller names (server-side request
forgery). :func:`inspect` reads the query the way a SPARQL lexer does and finds every
``SERVICE`` clause and its endpoint before the engine sees the text:

* escapes ``\\uXXXX`` and ``\\UXXXXXXXX`` are decoded first, as SPARQL 1.1 Query section
  19.2 says every processor must, so ``\\u0053ERVICE`` is caught;
* strings, IRIs and comments are skipped as tokens, so the word in a string is not a clause;
* the endpoint is resolved like the engine resolves it: prefixed names through the query's
  ``PREFIX`` declarations and helsegraf's default prefixes, relative IRIs against ``BASE``;
* an endpoint held in a variable cannot be checked before run time and is refused.

Only endpoints on the allow-list, compared as exact IRIs, may be called; the list is empty by
default. A text the lexer cannot read at all is refused when it mentions ``service``.

pyoxigraph's parser recurses once per nesting level and overflows its stack (the process
dies with SIGSEGV) a few thousand levels down, so brackets nested deeper than
:data:`MAX_NESTING` are refused before the engine sees them; no real query comes close.

>>> inspect("SELECT * WHERE { ?s ?p 'SERVICE <http://x/>' }").services
()
>>> inspect("PREFIX e: <http://127.0.0.1:9/> SELECT * { SERVICE SILENT e:q {} }").services
('http://127.0.0.1:9/q',)
>>> check("select * { \\\\u0053ERVICE <http://10.0.0.1/> { ?s ?p ?o } }", allow=())
Traceback (most recent call last):
...
helsegraf.guard.RefusedError: SERVICE <http://10.0.0.1/> is not allowed: ...
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from helsegraf.namespaces import PREFIXES

#: The first keyword of every SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NAME = r"[\w\-.\u00B7\u00C0-\uFFFF]"
_LOCAL = rf"(?:(?:{_NAME}|[:%\\])*(?:[\w\-:%\u00B7\u00C0-\uFFFF]))?"
_TOKEN = re.compile(
    rf"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF]{_NAME}*?)?:{_LOCAL})
    | (?P<bnode>_:{_NAME}+)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class RefusedError(ValueError):
    """The query asks for something this endpoint does not do (an update, a foreign SERVICE)."""


class UpdateRefusedError(RefusedError):
    """The text is a SPARQL Update; the endpoint is read-only."""


class TooDeepError(ValueError):
    """Brackets nested deeper than :data:`MAX_NESTING`: a malformed or hostile query."""


#: Deepest nesting of ``(``, ``{`` and ``[`` a query may have.
MAX_NESTING = 128


@dataclass(frozen=True)
class Inspection:
    """What :func:`inspect` found: the SERVICE endpoints, and whether the text is an update."""

    services: tuple[str, ...]
    variable_services: tuple[str, ...]
    update: bool
    depth: int = 0


def unescape(text: str) -> str:
    """Decode ``\\u`` and ``\\U`` escapes, as SPARQL does before parsing (section 19.2)."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(one, text)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, match.group()))
    return out


def inspect(query: str, prefixes: Mapping[str, str] = PREFIXES) -> Inspection:
    """The SERVICE endpoints a query would call, resolved to absolute IRIs where possible."""
    tokens = _tokens(unescape(query))
    known = dict(prefixes)
    base: str | None = None
    services: list[str] = []
    variables: list[str] = []
    first_word = ""
    depth = deepest = 0
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "other":
            if value in "({[":
                depth += 1
                deepest = max(deepest, depth)
            elif value in ")}]":
                depth -= 1
        upper = value.upper() if kind in ("word", "pname") else ""
        if kind == "word" and not first_word and upper not in ("PREFIX", "BASE"):
            first_word = upper
        if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = _resolve(tokens[i + 1][1][1:-1], base)
        elif upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            name = tokens[i + 1][1]
            if name.endswith(":"):
                known[name[:-1]] = _resolve(tokens[i + 2][1][1:-1], base)
        elif kind == "word" and upper == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                j += 1
            target_kind, target = tokens[j] if j < len(tokens) else ("other", "")
            if target_kind == "iri":
                services.append(_resolve(target[1:-1], base))
            elif target_kind == "pname":
                prefix, _, local = target.partition(":")
                if prefix in known:
                    services.append(known[prefix] + local.replace("\\", ""))
                else:
                    services.append(target)
            else:
                variables.append(target or "(nothing)")
        i += 1
    return Inspection(tuple(services), tuple(variables), first_word in UPDATE_KEYWORDS, deepest)


def _resolve(iri: str, base: str | None) -> str:
    if base is None or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        return iri
    return urljoin(base, iri)


#: Queries up to this many characters have their inspection remembered (:func:`check`).
CACHED_LENGTH = 8192


@lru_cache(maxsize=1024)
def _inspect_cached(query: str) -> Inspection:
    """:func:`inspect` with helsegraf's prefixes, remembered: the same text always reads the
    same, and clients send the same queries again and again (a page's named queries, a
    dashboard's counts). At most 1024 texts, each of at most :data:`CACHED_LENGTH`
    characters."""
    return inspect(query)


def check(query: str, allow: Collection[str] = ()) -> None:
    """Raise :class:`RefusedError` unless the query is a read that calls only allowed services,
    and :class:`TooDeepError` when it is nested deeper than :data:`MAX_NESTING`."""
    found = _inspect_cached(query) if len(query) <= CACHED_LENGTH else inspect(query)
    if found.depth > MAX_NESTING:
        raise TooDeepError(
            f"the query nests brackets {found.depth} levels deep; at most {MAX_NESTING} are "
            "accepted"
        )
    if found.update:
        raise UpdateRefusedError(
            "SPARQL Update is not accepted: this endpoint is read-only (send queries only)"
        )
    for variable in found.variable_services:
        raise RefusedError(
            f"SERVICE {variable} is not allowed: a SERVICE endpoint must be a constant IRI "
            "on the configured allow-list"
        )
    for endpoint in found.services:
        if endpoint not in allow:
            raise RefusedError(
                f"SERVICE <{endpoint}> is not allowed: this endpoint calls no other SPARQL "
                "service unless it is on the configured allow-list"
            )
