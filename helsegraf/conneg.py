"""Content negotiation: the ``Accept`` header (RFC 9110 section 12.5.1) and ``format`` overrides.

A client lists media ranges with optional weights; the server offers media types in order of
preference. The winner is the offer with the highest weight given by its most specific
matching range; ties go to the server's order. A range with ``q=0`` excludes what it names.

>>> negotiate("text/html;q=0.9, application/json", ["text/html", "application/json"])
'application/json'
>>> negotiate("*/*", ["text/turtle", "application/ld+json"])
'text/turtle'
>>> negotiate("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Longest ``Accept`` header read; a longer one is a client error, not work for the server.
MAX_ACCEPT_LENGTH = 4096
#: Most media ranges read from one ``Accept`` header.
MAX_RANGES = 64

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # noqa: S105 - an RFC 9110 token, not a secret
_RANGE = re.compile(
    rf"^\s*({_TOKEN})/({_TOKEN})\s*((?:;\s*{_TOKEN}\s*=\s*(?:{_TOKEN}|\"[^\"]*\")\s*)*)$"
)
_PARAM = re.compile(rf";\s*({_TOKEN})\s*=\s*({_TOKEN}|\"[^\"]*\")")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


class NegotiationError(ValueError):
    """The ``Accept`` header or ``format`` value cannot be understood (a 400, not a 406)."""


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    @property
    def specificity(self) -> int:
        """How specific the range is: ``*/*`` 0, ``type/*`` 1, ``type/sub`` 2, with params 3."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        """True when ``media_type`` (``type/sub;param=value``) falls in this range."""
        base, _, rest = media_type.partition(";")
        kind, _, sub = base.strip().lower().partition("/")
        if self.type != "*" and self.type != kind:
            return False
        if self.subtype != "*" and self.subtype != sub:
            return False
        if self.params:
            offered = dict(_params(";" + rest) if rest else ())
            return all(offered.get(k) == v for k, v in self.params)
        return True


def _params(text: str) -> list[tuple[str, str]]:
    return [(k.lower(), v.strip('"')) for k, v in _PARAM.findall(text)]


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; an absent or empty header is ``*/*``.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.5 , */*; q=0.1")]
    [('text', '*', 0.5), ('*', '*', 0.1)]
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", (), 1.0)]
    if len(header) > MAX_ACCEPT_LENGTH:
        raise NegotiationError(f"the Accept header is longer than {MAX_ACCEPT_LENGTH} characters")
    parts = [p for p in header.split(",") if p.strip()]
    if len(parts) > MAX_RANGES:
        raise NegotiationError(f"the Accept header lists more than {MAX_RANGES} media ranges")
    ranges: list[MediaRange] = []
    for part in parts:
        match = _RANGE.match(part)
        if not match:
            raise NegotiationError(f"not a media range in the Accept header: {part.strip()[:80]!r}")
        kind, sub, rest = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if kind == "*" and sub != "*":
            raise NegotiationError(f"not a media range in the Accept header: {part.strip()[:80]!r}")
        q = 1.0
        params: list[tuple[str, str]] = []
        for key, value in _params(rest):
            if key == "q":
                if not _QVALUE.match(value):
                    raise NegotiationError(f"not a weight in the Accept header: q={value[:20]}")
                q = float(value)
                break  # parameters after q are accept-extensions; they do not narrow the range
            params.append((key, value))
        ranges.append(MediaRange(kind, sub, tuple(params), q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The weight the client gives ``media_type``: that of its most specific matching range."""
    best: MediaRange | None = None
    for media_range in ranges:
        if media_range.matches(media_type) and (
            best is None or media_range.specificity > best.specificity
        ):
            best = media_range
    return best.q if best is not None else 0.0


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most (server order breaks ties); None if none is acceptable."""
    ranges = parse_accept(header)
    best: str | None = None
    best_q = 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def choose(
    header: str | None,
    offers: Sequence[str],
    *,
    format_name: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """Like :func:`negotiate`, with a ``format`` override: a short name, or media types.

    A media-type override is negotiated like an ``Accept`` header that replaces the real one.
    A short name that names nothing offered raises :class:`NegotiationError` (a 400), because
    the client asked for something precise; an ``Accept`` that matches nothing gives None (406).

    >>> choose("text/html", ["text/turtle", "application/n-triples"], format_name="nt",
    ...        aliases={"nt": "application/n-triples"})
    'application/n-triples'
    """
    if format_name and "/" in format_name:
        # a media type or a list of them (SPARQLWrapper sends "text/turtle,application/x-turtle")
        return negotiate(format_name, offers)
    if format_name:
        wanted = (aliases or {}).get(format_name.lower(), format_name.lower())
        wanted = wanted.split(";")[0].strip()
        for offer in offers:
            if offer.split(";")[0].strip() == wanted:
                return offer
        names = sorted({*(aliases or {}), *offers})
        raise NegotiationError(
            f"format {format_name[:80]!r} is not offered here; use one of: {', '.join(names)}"
        )
    return negotiate(header, offers)
