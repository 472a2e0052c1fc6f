"""Shared pieces of the HTML side: templates, language choice, and labels from the graph.

Templates live in ``api/templates`` and are rendered with autoescaping on, so anything taken
from the graph or the request is shown as text. Pages are Norwegian (nb) by default and
English when ``Accept-Language`` prefers it or ``?lang=en`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from rdflib import Literal
from rdflib.term import Node

from helsegraf.conneg import NegotiationError, parse_accept, quality
from helsegraf.namespaces import HG, ID_BASE

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

#: The languages pages are written in; the first is the default.
LANGUAGES = ("nb", "en")

#: Autoescaping is on for every template, whatever its file name.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, auto_reload=False
    )
)


def language(request: Request) -> str:
    """``nb`` or ``en``: the ``lang`` parameter, else the client's ``Accept-Language``."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    best, best_q = LANGUAGES[0], 0.0
    for part in header.split(",")[:32]:
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.split("-")[0]
        code = "nb" if primary in ("nb", "no", "nn") else primary
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def text(labels: Iterable[Node], lang: str) -> str:
    """The best of several literals for ``lang``: exact tag, then nb, en, untagged, any."""
    literals = [label for label in labels if isinstance(label, Literal)]
    for wanted in (lang, "nb", "en", None):
        for label in literals:
            if (label.language or None) == wanted:
                return str(label)
    return str(literals[0]) if literals else ""


#: Words of the page furniture, by language (content comes from the graph's labels).
UI: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "sources": "Datakilder",
        "families": "Familier",
        "queries": "Spørringer",
        "sparql": "SPARQL",
        "ontology": "Ontologi",
        "catalog": "Katalog",
        "language": "English",
        "tagline": "Kunnskapsgraf over norske helsedatakilder",
    },
    "en": {
        "sources": "Data sources",
        "families": "Families",
        "queries": "Queries",
        "sparql": "SPARQL",
        "ontology": "Ontology",
        "catalog": "Catalog",
        "language": "Norsk",
        "tagline": "Knowledge graph of Norway's health data sources",
    },
}


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page from ``template``, with the language, UI words and request in its context."""
    lang = language(request)
    other = "en" if lang == "nb" else "nb"
    full = {
        "request": request,
        "lang": lang,
        "ui": UI[lang],
        "other_lang": other,
        "other_lang_url": str(request.url.include_query_params(lang=other)),
        **context,
    }
    response = templates.TemplateResponse(
        request, template, full, status_code=status_code, headers=dict(headers or {})
    )
    response.headers["Content-Language"] = lang
    vary = response.headers.get("Vary")
    response.headers["Vary"] = ", ".join(v for v in (vary, "Accept", "Accept-Language") if v)
    return response


#: Schemes a page links as they are; any other IRI from the graph is not a link.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def href(iri: object) -> str:
    """Where a page links an IRI: helsegraf's own resources to their local pages.

    Resource IRIs (``https://w3id.org/helsegraf/id/...``) are served at ``/id/...`` and
    ontology terms at ``/ontology#Term``, so browsing stays on this server; every other IRI
    (Lovdata, a portal) is linked as it is.

    >>> href("https://w3id.org/helsegraf/id/dataset/nir")
    '/id/dataset/nir'
    >>> href("https://w3id.org/helsegraf/ontology#ConsentRegime")
    '/ontology#ConsentRegime'
    >>> href("javascript:alert(1)")
    ''
    """
    value = str(iri)
    if value.startswith(ID_BASE):
        return "/id/" + value[len(ID_BASE) :]
    if value.startswith(str(HG)):
        return "/ontology#" + value[len(str(HG)) :]
    if value.split(":", 1)[0].lower() in SAFE_SCHEMES and ":" in value:
        return value
    return ""  # javascript:, data: and the like are shown as text, never linked


def wants_html(request: Request, others: Iterable[str]) -> bool:
    """True when the client prefers HTML to every media type in ``others``."""
    try:
        ranges = parse_accept(request.headers.get("accept"))
    except NegotiationError:
        return False
    html = quality(ranges, "text/html")
    return html > 0 and all(html > quality(ranges, other) for other in others)


templates.env.filters["href"] = href
templates.env.globals["text"] = text
