"""Names of data sources: titles, abbreviations, slugs, and finding a source by a name.

Slug rule (``docs/data-model.md``): a listed source's slug is its abbreviation when the
title ends in one in parentheses (the last one), otherwise the slugified title. Two title
shapes of the listing carry their short name elsewhere: ``"MoBa - Den norske ..."``
(short name first, before a dash) and ``"Nasjonalt vaksinasjonsregister SYSVAK"`` (an
all-capitals last word); their short name gives the slug too.

>>> parts = parse_title("Nasjonalt register over hjerte- og kar (Hjerte- og karregisteret, HKR)")
>>> parts.title, parts.alt_labels, parts.slug
('Nasjonalt register over hjerte- og kar', ('Hjerte- og karregisteret', 'HKR'), 'hkr')
>>> parse_title("MoRo I og II - Helseundersøkelsen på Romsås/Furuset").slug
'moro'
>>> parse_title("Nasjonalt vaksinasjonsregister SYSVAK").slug
'sysvak'
>>> parse_title("MoRo-prosjektet (Mosjon på Romsås)").slug
'moro-prosjektet'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from rdflib import URIRef

from helsegraf.loaders.curation import CurationIndex
from helsegraf.namespaces import ID
from helsegraf.reference import name_key, slugify


class TitleParts(NamedTuple):
    """A title split into the name, its other names and the slug they give."""

    title: str
    alt_labels: tuple[str, ...]
    slug: str


def is_abbreviation(text: str) -> bool:
    """A short name such as ``HKR``, ``ABLA NOR``, ``LKG-registeret`` or ``Gastronet``,
    as opposed to a spelled-out name such as ``Mosjon på Romsås``.

    >>> is_abbreviation("ABLA NOR"), is_abbreviation("Mosjon på Romsås")
    (True, False)
    """
    words = text.split()
    if not words or len(words) > 3 or len(text) > 30:
        return False
    return all(word[0].isupper() or word[0].isdigit() for word in words)


_WEBSITE_PAREN = re.compile(r"\s*\((?:[\w-]+\.)+(?:no|com|org)\)\s*$")
_TRAILING_PAREN = re.compile(r"^(?P<base>.+?)\s*\((?P<inner>[^()]+)\)$")
_DASH_SHORT = re.compile(r"^(?P<short>\S+(?: [IVX]+(?: og [IVX]+)?)?) - (?P<long>.+)$")
_CAMEL = re.compile(r"^[A-ZÆØÅ][a-zæøå]+[A-ZÆØÅ][\wæøå]*$")
_TRAILING_CAPS = re.compile(r"^(?P<base>.+\S) (?P<abbr>[A-ZÆØÅ]{3,})$")
_TRAILING_COMMA_ABBR = re.compile(r"^(?P<base>.+?),\s*(?P<abbr>[A-ZÆØÅ][A-ZÆØÅ0-9-]{1,})$")
_DETERMINER = re.compile(
    r"^(?:det|den|de)\s+(?:(?:nasjonale|sentrale|tidligere|tilknyttede|omfattende|norske)\s+)*",
    re.IGNORECASE,
)
_NATIONAL_PREFIX = re.compile(r"^(?:Norsk|Nasjonalt|Nordisk)\s+(?P<rest>\S+)$")
_BASIS = re.compile(r"^basisregisteret til (?P<whole>.+)$", re.IGNORECASE)


def parse_title(head: str) -> TitleParts:
    """Split a listed (or mentioned) title into its parts; see the module docstring."""
    head = _WEBSITE_PAREN.sub("", head.strip())
    paren = _TRAILING_PAREN.match(head)
    if paren:
        parts = tuple(p.strip() for p in paren.group("inner").split(",") if p.strip())
        title = paren.group("base").strip()
        if parts and is_abbreviation(parts[-1]):
            return TitleParts(title, parts, slugify(parts[-1]))
        return TitleParts(title, parts, slugify(title))
    comma = _TRAILING_COMMA_ABBR.match(head)
    if comma:
        return TitleParts(comma.group("base"), (comma.group("abbr"),), slugify(comma.group("abbr")))
    dash = _DASH_SHORT.match(head)
    if dash and _CAMEL.match(dash.group("short").split()[0]):
        short = dash.group("short")
        first = short.split()[0]
        alts = (short, dash.group("long")) + ((first,) if first != short else ())
        return TitleParts(head, alts, slugify(first))
    caps = _TRAILING_CAPS.match(head)
    if caps:
        return TitleParts(head, (caps.group("abbr"),), slugify(caps.group("abbr")))
    return TitleParts(head, (), slugify(head))


def derived_aliases(parts: TitleParts) -> list[str]:
    """Further names a text may use for a source: ``Hjertekirurgiregisteret`` for
    ``Norsk hjertekirurgiregister``, ``IPLOS-registeret`` for ``IPLOS``.

    >>> derived_aliases(parse_title("Norsk hjertekirurgiregister"))
    ['Hjertekirurgiregisteret']
    """
    out: list[str] = []
    national = _NATIONAL_PREFIX.match(parts.title)
    if national and national.group("rest").endswith("register"):
        rest = national.group("rest")
        out.append(rest[0].upper() + rest[1:] + "et")
    for alt in parts.alt_labels:
        if is_abbreviation(alt) and " " not in alt and not alt.endswith("registeret"):
            out.append(f"{alt}-registeret")
    return out


@dataclass
class DatasetRecord:
    """A data source the listing lists or mentions."""

    iri: URIRef
    slug: str
    listed: bool
    line: int
    quote: str
    title: str | None = None
    alt_labels: list[str] = field(default_factory=list)
    #: names proposed by mentions: (line, name, quote); the first capitalised one wins
    title_candidates: list[tuple[int, str, str]] = field(default_factory=list)

    def short_name(self) -> str:
        """A name for use inside another name ("Basisregisteret til <short name>")."""
        for alt in self.alt_labels:
            if not is_abbreviation(alt) or " og " in alt:
                return alt
        if self.title:
            return self.title
        for _, name, _ in self.title_candidates:
            return name
        return self.slug


@dataclass(frozen=True)
class ImpliedPart:
    """A part-of relation implied by a name such as "basisregisteret til Kreftregisteret"."""

    part: URIRef
    whole: URIRef
    line: int
    quote: str


class DatasetRegistry:
    """Every data source seen so far, with the index of the names that point to each."""

    def __init__(self, curation: CurationIndex) -> None:
        self.records: dict[URIRef, DatasetRecord] = {}
        self.implied_parts: list[ImpliedPart] = []
        self._index: dict[str, URIRef] = {}
        self._curation = curation
        self._curated_names: dict[URIRef, list[str]] = {}
        for iri, name in curation.names:
            self._curated_names.setdefault(iri, []).append(name)

    # -- registration ----------------------------------------------------------------

    def add_alias(self, name: str, iri: URIRef) -> None:
        """Let ``name`` find ``iri`` (the first dataset to claim a name keeps it)."""
        key = name_key(name)
        if key:
            self._index.setdefault(key, iri)

    def add_curated_aliases(self) -> None:
        """Index the names the curation graph gives to datasets (after the listed titles,
        so that a listed title always wins)."""
        for iri, names in self._curated_names.items():
            for name in names:
                self.add_alias(name, iri)

    def register_listed(
        self, iri: URIRef, slug: str, parts: TitleParts | None, line: int, quote: str
    ) -> DatasetRecord:
        """Record a listed source (``parts`` is None for an entry whose title was lost)."""
        record = DatasetRecord(iri, slug, True, line, quote)
        if parts is not None:
            record.title = parts.title
            record.alt_labels = list(parts.alt_labels)
            for name in (parts.title, *parts.alt_labels, *derived_aliases(parts)):
                self.add_alias(name, iri)
        for name in self._curated_names.get(iri, []):
            self.add_alias(name, iri)
        self.records[iri] = record
        return record

    # -- lookup --------------------------------------------------------------------------

    def lookup(self, name: str) -> URIRef | None:
        """The dataset this exact name (up to case, spacing and hyphens) stands for."""
        return self._index.get(name_key(name))

    def lookup_loose(self, name: str) -> URIRef | None:
        """Like :meth:`lookup`, also trying the name without a leading determiner
        ("det sentrale ..."), without a trailing "(ABBR)" or ", ABBR", and the
        abbreviation alone."""
        for candidate in _candidates(name):
            found = self.lookup(candidate)
            if found is not None:
                return found
        return None

    def resolve(self, name: str, line: int, quote: str, *, create: bool = True) -> URIRef | None:
        """The dataset a name in the text stands for; a new mentioned-only dataset when
        ``create`` and the name looks like a proper name; else None.

        "basisregisteret til X" gives the base register of X, and records that it is
        part of X (see :attr:`implied_parts`)."""
        cleaned = _clean(name)
        if not cleaned:
            return None
        stripped = _DETERMINER.sub("", cleaned)
        basis = _BASIS.match(stripped)
        if basis:
            whole = self.resolve(basis.group("whole"), line, quote, create=create)
            if whole is None:
                return None
            return self.basis_part(whole, line, quote)
        found = self.lookup_loose(cleaned)
        if found is not None:
            self._ensure_record(found, line, quote, cleaned)
            return found
        if not create or not _looks_like_name(stripped):
            return None
        return self._mint(stripped, line, quote)

    def basis_part(self, whole: URIRef, line: int, quote: str) -> URIRef:
        """The base register ("basisregister") of ``whole``, created on first use."""
        record = self.records[whole]
        short = self._curated_title(whole) or record.short_name()
        name = f"Basisregisteret til {short}"
        part = self.lookup(name)
        if part is None:
            part = self._mint(name, line, quote)
        else:
            self._ensure_record(part, line, quote, name)
        self.implied_parts.append(ImpliedPart(part, whole, line, quote))
        return part

    # -- internals -------------------------------------------------------------------

    def _curated_title(self, iri: URIRef) -> str | None:
        if iri in self._curation.titled:
            names = self._curated_names.get(iri, [])
            return names[0] if names else None
        return None

    def _ensure_record(self, iri: URIRef, line: int, quote: str, name: str) -> None:
        if iri in self.records:
            return
        # A dataset known only from the curation file, now mentioned in the text.
        parts = parse_title(name)
        record = DatasetRecord(iri, str(iri).rsplit("/", 1)[-1], False, line, quote)
        record.title_candidates.append((line, parts.title, quote))
        record.alt_labels = [a for a in parts.alt_labels if a != parts.title]
        self.records[iri] = record

    def _mint(self, name: str, line: int, quote: str) -> URIRef:
        parts = parse_title(name)
        iri = ID[f"dataset/{parts.slug}"]
        record = self.records.get(iri)
        if record is None:
            record = DatasetRecord(iri, parts.slug, False, line, quote)
            self.records[iri] = record
        if not record.listed:
            record.title_candidates.append((line, parts.title, quote))
            for alt in parts.alt_labels:
                if alt not in record.alt_labels:
                    record.alt_labels.append(alt)
        for alias in (parts.title, *parts.alt_labels, *derived_aliases(parts)):
            self.add_alias(alias, iri)
        return iri


#: Where a clause starts after a name ("X (ABBR) og fulgte ...", "X og ble ...").
_CLAUSE_TAIL = re.compile(r"\s+og\s+(?:ble|blir|er|var|har|fulgte|gi|skal|kan|som)\b.*$")


def _clean(name: str) -> str:
    text = " ".join(name.split()).strip(" ,.;:")
    text = _CLAUSE_TAIL.sub("", text)
    text = _WEBSITE_PAREN.sub("", text)
    return text.strip(" ,.;:")


def _candidates(name: str) -> list[str]:
    out: list[str] = []
    for base in (name, _DETERMINER.sub("", name)):
        out.append(base)
        paren = _TRAILING_PAREN.match(base)
        if paren:
            out.append(paren.group("base"))
            out.extend(p.strip() for p in paren.group("inner").split(","))
        comma = _TRAILING_COMMA_ABBR.match(base)
        if comma:
            out += [comma.group("base"), comma.group("abbr")]
    return [c for c in out if c]


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return bool(words) and text[0].isupper() and len(words) <= 12


__all__ = [
    "DatasetRecord",
    "DatasetRegistry",
    "ImpliedPart",
    "TitleParts",
    "derived_aliases",
    "is_abbreviation",
    "parse_title",
]
