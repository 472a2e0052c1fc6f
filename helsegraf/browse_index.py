"""The browse page's facets, and their index: what any view of ``/`` counts and lists, in
milliseconds, at any size of catalog.

:data:`FACETS` defines the facets (how a source has a value, what a value must be to be
chosen, how a value is labelled). :func:`build` reads, once per store generation, every
source's facet values, search text, place in the title order of each page language and what
the list shows of it (title, listing position, kind), and the part-of links ``/families``
draws, into a :class:`FacetIndex`. From it :meth:`FacetIndex.view` computes a view's total,
every facet's counts and the sources of one page for any filter combination and search text,
without asking the store anything.

The semantics are those of the SPARQL the page sends a store it cannot index (a remote
server; :mod:`helsegraf.api.browse`): a source is a ``dcat:Dataset``; a facet's counts are
taken over the sources matching the search text and every *other* facet's choice; values of
one facet are alternatives, facets combine; every word of the search text must occur, case
ignored, in one of a source's titles, other names or descriptions; sources are ordered by
their lower-cased title in the page language, else in nb, else by IRI. The tests compare the
two ways of computing a view on the real graph and on a graph made of edge cases.

Why it is shaped as it is:

* At 100 000 sources the store needs seconds for any query that touches the whole catalog
  (about 5 µs a solution on the 2-core machine of the benchmarks), and a facet count, a
  search or an order by title is such a query. The index holds, per facet, the sources of
  each value as one array of source numbers (4 bytes per source and value), and per source
  its search text, lower-cased, and what the list shows: about 85 MB in memory at 100 000
  sources.
* A view is computed with loops that run in C: a choice or a search word becomes a mask of
  one byte per source (``bytes``), masks are combined as integers, a facet's counts are one
  ``bytes.count`` per value over the mask looked up at its sources, and a page is cut from
  the precomputed order with ``itertools.compress``: tens of milliseconds at 100 000 sources.
* Building it reads about 1.2 million rows at 100 000 sources (seconds). A publish can
  therefore keep it beside the generation it writes (:func:`keep_index`), as JSON with the
  arrays base64-encoded: read back in a fraction of a second, with nothing executable in it;
  a file of other facet definitions or layout is ignored and the index built instead.
* The builder asks the store for SPARQL TSV answers (serialised by the store outside the
  GIL, two queries at a time, split and parsed here), never for solution objects one by one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import threading
from array import array
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress, islice, pairwise, repeat
from pathlib import Path
from string import Template
from typing import Any, Final

import pyoxigraph as ox
from rdflib import URIRef

from helsegraf.namespaces import HG, ID_BASE, PREFIXES
from helsegraf.store import data_directory
from helsegraf.terms import to_oxigraph

#: Most values one facet may select, and the longest value accepted.
MAX_VALUES = 20
MAX_VALUE_LENGTH = 500

_HG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


class BrowseError(ValueError):
    """A request the page cannot answer; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Facet:
    """One facet: how a source relates to its values, and how a value is written in a URL.

    ``link`` and ``known`` are SPARQL patterns with ``$d`` (the source), ``$v`` (the value)
    and ``$x`` (a prefix for helper variables) to fill in.
    """

    name: str
    heading: Mapping[str, str]
    #: How the source ``$d`` has the value ``$v``.
    link: str
    #: What a value must be to be selected (its class or concept scheme).
    known: str
    #: The property whose literals label a value.
    label: str
    #: The namespace a short value is expanded into, and what a short value looks like.
    base: str
    short: re.Pattern[str]
    #: What a value is, for messages, with an example of its short form.
    noun: str
    example: str
    #: For a facet whose ``link`` is ``$v <part>* $d`` with ``$v`` having a ``<part>``: that
    #: property, so the index follows it in Python rather than asking the store for the path.
    closure: str | None = None

    @property
    def var(self) -> str:
        """The facet's name as a SPARQL variable name."""
        return self.name.replace("-", "_")

    def pattern(self, which: str, d: str, v: str) -> str:
        """The ``link`` or ``known`` pattern with its variables filled in."""
        text = self.link if which == "link" else self.known
        return Template(text).substitute(d=d, v=v, x=f"?{self.var}_{which}")

    def parse(self, raw: str) -> URIRef:
        """A value from the URL as an IRI: a full IRI, or a short name in :attr:`base`."""
        value = raw.strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise BrowseError(f"{self.name}: a value longer than {MAX_VALUE_LENGTH} characters")
        if self.short.match(value):
            value = self.base + value
        elif not _ABSOLUTE_IRI.match(value):
            raise BrowseError(
                f"{self.name}: {raw!r} is neither an IRI nor a short name such as {self.example}"
            )
        iri = URIRef(value)
        try:
            to_oxigraph(iri)
        except (ValueError, TypeError) as err:
            raise BrowseError(f"{self.name}: {raw!r} is not a valid IRI") from err
        return iri

    def compact(self, iri: URIRef) -> str:
        """How the URL writes ``iri``: its short name when it has one, else the IRI."""
        value = str(iri)
        if value.startswith(self.base) and self.short.match(value[len(self.base) :]):
            return value[len(self.base) :]
        return value


_ORGANISATIONS = ID_BASE + "organisation/"
FACETS: tuple[Facet, ...] = (
    Facet(
        name="kind",
        heading={"nb": "Type kilde", "en": "Kind of source"},
        link="$d a $v . $v rdfs:subClassOf hg:HealthDataSource .",
        known="$v rdfs:subClassOf hg:HealthDataSource .",
        label="rdfs:label",
        base=str(HG),
        short=_HG_NAME,
        noun="kind of source",
        example="MedicalQualityRegister",
    ),
    Facet(
        name="consent",
        heading={"nb": "Samtykke", "en": "Consent"},
        link="$d hg:consentRegime $v .",
        known="$v skos:inScheme hg:ConsentRegimes .",
        label="skos:prefLabel",
        base=str(HG),
        short=_HG_NAME,
        noun="consent regime",
        example="ConsentNotRequired",
    ),
    Facet(
        name="identifiability",
        heading={"nb": "Identifiserbarhet", "en": "Identifiability"},
        link="$d hg:identifiability $v .",
        known="$v skos:inScheme hg:IdentifiabilityLevels .",
        label="skos:prefLabel",
        base=str(HG),
        short=_HG_NAME,
        noun="level of identifiability",
        example="Pseudonymous",
    ),
    Facet(
        name="controller",
        heading={"nb": "Databehandlingsansvarlig", "en": "Data controller"},
        link="$d dpv:hasDataController $v .",
        known="$v a foaf:Organization .",
        label="foaf:name",
        base=_ORGANISATIONS,
        short=_SLUG,
        noun="organisation",
        example="helse-bergen-hf",
    ),
    Facet(
        name="processor",
        heading={"nb": "Databehandler", "en": "Data processor"},
        link="$d dpv:hasDataProcessor $v .",
        known="$v a foaf:Organization .",
        label="foaf:name",
        base=_ORGANISATIONS,
        short=_SLUG,
        noun="organisation",
        example="helse-bergen-hf",
    ),
    Facet(
        name="legal-basis",
        heading={"nb": "Rettslig grunnlag", "en": "Legal basis"},
        link="$d dpv:hasLegalBasis $v .",
        known=(
            "VALUES ${x}_type { eli:LegalResource eli:LegalResourceSubdivision } $v a ${x}_type ."
        ),
        label="rdfs:label",
        base=ID_BASE + "provision/",
        short=_SLUG,
        noun="provision",
        example="helseregisterloven-7",
    ),
    Facet(
        name="family",
        heading={"nb": "Del av", "en": "Part of"},
        # a family is a whole with everything that is part of it, at any depth, and itself
        link="$v dct:hasPart* $d . FILTER EXISTS { $v dct:hasPart ${x}_part }",
        known="$v dct:hasPart ${x}_part .",
        label="dct:title",
        base=ID_BASE + "dataset/",
        short=_SLUG,
        noun="source with parts",
        example="kreftregisteret",
        closure="dct:hasPart",
    ),
)
FACETS_BY_NAME: Mapping[str, Facet] = {f.name: f for f in FACETS}

#: The languages pages are ordered in (``helsegraf.api.web.LANGUAGES``).
LANGUAGES: Final = ("nb", "en")
#: The properties whose values the search text is looked for in.
TEXT_PROPERTIES: Final = ("dct:title", "skos:altLabel", "dct:description")
#: The label languages a facet value is shown in (untagged: "").
LABEL_LANGUAGES: Final = ("nb", "en", "")

#: The facet whose value is a source's kind, shown beside it in the list.
KIND_FACET: Final = "kind"
#: A source without a listing position.
NO_POSITION: Final = -(2**63)
#: The property that makes a source part of another (``/families`` draws it).
PART: Final = "dct:hasPart"

#: The index's file in a store generation's directory (written by :func:`write_index`).
INDEX_FILE: Final = "helsegraf-browse-index.json"
#: The version of the file's layout; a file of another version is not read.
FORMAT: Final = 1


def signature(facets: Sequence[Facet] = FACETS, languages: Sequence[str] = LANGUAGES) -> str:
    """What an index depends on besides the data: a file with another signature is stale."""
    spec = [
        FORMAT,
        [(f.name, f.link, f.known, f.label, f.closure) for f in facets],
        list(languages),
        list(TEXT_PROPERTIES),
        list(LABEL_LANGUAGES),
    ]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()


# -- the index ------------------------------------------------------------------------------


@dataclass
class Column:
    """One facet in the index: its values and, per value, the sources that have it.

    ``members[offsets[i]:offsets[i + 1]]`` are the source numbers of ``values[i]``, ascending.
    """

    values: list[str]
    offsets: array[int]
    members: array[int]
    #: The values that may be chosen (they are what the facet's ``known`` pattern asks).
    known: frozenset[str]
    #: Labels per value (chosen or used), as (text, language tag or "") pairs.
    labels: Mapping[str, Sequence[tuple[str, str]]]
    position: dict[str, int] = field(init=False, repr=False)
    sizes: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.position = {value: i for i, value in enumerate(self.values)}
        offsets = self.offsets
        self.sizes = [offsets[i + 1] - offsets[i] for i in range(len(self.values))]

    def sources_of(self, value: str) -> array[int]:
        """The source numbers that have ``value`` (none for a value nothing has)."""
        i = self.position.get(value)
        if i is None:
            return array("i")
        return self.members[self.offsets[i] : self.offsets[i + 1]]


@dataclass
class Shown:
    """What the list shows of each source, by source number."""

    #: Per page language, the title shown ("" for none: the IRI is shown).
    titles: Mapping[str, list[str]]
    #: ``hg:listingPosition`` (:data:`NO_POSITION` for a source only mentioned).
    positions: array[int]
    #: The kind shown, as its number among the kind facet's values (-1 for none).
    kinds: array[int]


@dataclass
class Families:
    """The part-of graph ``/families`` draws: every IRI that has a part or is a part."""

    nodes: list[str]
    #: Per page language, the title shown ("" for none).
    titles: Mapping[str, list[str]]
    #: Whether a node has a listing position.
    listed: list[bool]
    #: The kind shown (the first by IRI), or None.
    kinds: list[str | None]
    #: (whole, part) pairs of node numbers, flat: whole, part, whole, part, ...
    edges: array[int]


def best(labels: Sequence[tuple[str, str]], lang: str) -> str:
    """The label shown in ``lang`` from (text, language tag or "") pairs, in the order
    :func:`helsegraf.api.web.text` prefers: ``lang``, nb, en, untagged, any."""
    for wanted in (lang, "nb", "en", ""):
        for text, tag in labels:
            if tag == wanted:
                return text
    return labels[0][0] if labels else ""


@dataclass(frozen=True)
class View:
    """What a view of the browse page shows, computed from the index."""

    total: int
    #: Per facet, (value, count) pairs: the most frequent values, then chosen ones not among
    #: them (whose count may be 0).
    counts: Mapping[str, list[tuple[str, int]]]
    #: The sources of the page, in order (source numbers).
    page: list[int]


#: Masks and views kept per index (each mask is one byte per source).
_CACHED_WORDS: Final = 64
_CACHED_VIEWS: Final = 128
#: A view's total, counts and mask (None: every source).
_Counted = tuple[int, dict[str, list[tuple[str, int]]], int | None]


class FacetIndex:
    """Every source's facet values, search text and order: see the module's description.

    Sources are numbered from 0; a *mask* is an ``int`` whose little-endian bytes are 1 for
    the sources it keeps and 0 for the others, so masks combine with ``&`` and their sources
    are counted with ``int.bit_count``.
    """

    def __init__(
        self,
        sources: list[str],
        texts: list[str],
        orders: Mapping[str, array[int]],
        columns: Mapping[str, Column],
        shown: Shown,
        families: Families,
    ) -> None:
        self.sources = sources
        self.texts = texts
        self.orders = dict(orders)
        self.columns = dict(columns)
        self.shown = shown
        self.families = families
        self.size = len(sources)
        #: Where the index came from: "built" from the store, or "file" (a persisted index).
        self.origin = "built"
        self._lock = threading.Lock()
        self._words: OrderedDict[str, int] = OrderedDict()
        self._views: OrderedDict[tuple[Any, ...], _Counted] = OrderedDict()

    def known(self, facet: str, value: str) -> bool:
        """True when ``value`` may be chosen for ``facet``."""
        return value in self.columns[facet].known

    def labels(self, facet: str, value: str) -> Sequence[tuple[str, str]]:
        """The labels of a value of ``facet``, as (text, language tag or "") pairs."""
        return self.columns[facet].labels.get(value, ())

    def kind(self, number: int) -> str | None:
        """The kind shown beside source ``number`` (an IRI), if it has one."""
        kind = self.shown.kinds[number]
        return self.columns[KIND_FACET].values[kind] if kind >= 0 else None

    def position(self, number: int) -> int | None:
        """The listing position of source ``number``; None for a source only mentioned."""
        position = self.shown.positions[number]
        return None if position == NO_POSITION else position

    # -- masks

    def _word_mask(self, word: str) -> int:
        with self._lock:
            kept = self._words.get(word)
            if kept is not None:
                self._words.move_to_end(word)
                return kept
        # LCASE of the word, as the store's search would apply to it
        flags = bytes(map(str.__contains__, self.texts, repeat(word.lower())))
        mask = int.from_bytes(flags, "little")
        with self._lock:
            self._words[word] = mask
            while len(self._words) > _CACHED_WORDS:
                self._words.popitem(last=False)
        return mask

    def _values_mask(self, facet: str, values: Iterable[str]) -> int:
        column = self.columns[facet]
        flags = bytearray(self.size)
        for value in values:
            deque(map(flags.__setitem__, column.sources_of(value), repeat(1)), maxlen=0)
        return int.from_bytes(flags, "little")

    def _masks(self, chosen: Mapping[str, Sequence[str]], words: Sequence[str]) -> dict[str, int]:
        """One mask per restriction: per facet with chosen values, and ``""`` for the text."""
        masks = {name: self._values_mask(name, values) for name, values in chosen.items() if values}
        if words:
            text = self._word_mask(words[0])
            for word in words[1:]:
                text &= self._word_mask(word)
            masks[""] = text
        return masks

    @staticmethod
    def _combined(masks: Mapping[str, int], skip: str | None = None) -> int | None:
        """The sources every mask but ``skip``'s keeps; None when no mask applies."""
        result: int | None = None
        for name, mask in masks.items():
            if name != skip:
                result = mask if result is None else result & mask
        return result

    # -- views

    def _counts(self, facet: str, others: int | None) -> list[int]:
        """Per value of ``facet``, how many of the sources ``others`` keeps have it."""
        column = self.columns[facet]
        if others is None:
            return column.sizes
        kept = others.to_bytes(self.size, "little")
        flags = bytes(map(kept.__getitem__, column.members))
        offsets = column.offsets
        return [flags.count(1, offsets[i], offsets[i + 1]) for i in range(len(column.values))]

    def view(
        self,
        chosen: Mapping[str, Sequence[str]],
        words: Sequence[str],
        *,
        lang: str,
        offset: int,
        size: int,
        limit: int,
    ) -> View:
        """The total, every facet's ``limit`` most frequent values (ties by value) with the
        chosen ones, and the ``size`` sources from ``offset`` in ``lang``'s title order."""
        chosen = {name: list(dict.fromkeys(values)) for name, values in chosen.items() if values}
        words = list(dict.fromkeys(words))
        key = self._key(chosen, words, limit)
        with self._lock:
            kept = self._views.get(key)
            if kept is not None:
                self._views.move_to_end(key)
        if kept is None:
            masks = self._masks(chosen, words)
            everything = self._combined(masks)
            total = self.size if everything is None else everything.bit_count()
            counts: dict[str, list[tuple[str, int]]] = {}
            for name, column in self.columns.items():
                per_value = self._counts(name, self._combined(masks, skip=name))
                ranked = sorted(
                    (-n, value) for value, n in zip(column.values, per_value, strict=True) if n
                )[:limit]
                top = [(value, -n) for n, value in ranked]
                listed = {value for value, _ in top}
                for value in chosen.get(name, ()):
                    if value not in listed:
                        i = column.position.get(value)
                        top.append((value, 0 if i is None else per_value[i]))
                counts[name] = top
            kept = (total, counts, everything)
            with self._lock:
                self._views[key] = kept
                while len(self._views) > _CACHED_VIEWS:
                    self._views.popitem(last=False)
        total, counts, everything = kept
        return View(total, counts, self._page(everything, lang, offset, size))

    def counted(
        self, chosen: Mapping[str, Sequence[str]], words: Sequence[str], limit: int
    ) -> bool:
        """True when :meth:`view` has the counts of this choice at hand (then it is quick)."""
        chosen = {name: list(dict.fromkeys(values)) for name, values in chosen.items() if values}
        with self._lock:
            return self._key(chosen, list(dict.fromkeys(words)), limit) in self._views

    @staticmethod
    def _key(chosen: Mapping[str, Sequence[str]], words: Sequence[str], limit: int) -> Any:
        return (
            limit,
            tuple(sorted((name, tuple(values)) for name, values in chosen.items())),
            *words,
        )

    def _page(self, everything: int | None, lang: str, offset: int, size: int) -> list[int]:
        """The ``size`` sources from ``offset`` in ``lang``'s order that the mask keeps."""
        order = self.orders[lang]
        if everything is None:
            return list(order[offset : offset + size])
        kept = everything.to_bytes(self.size, "little")
        return list(islice(compress(order, map(kept.__getitem__, order)), offset, offset + size))


# -- building it from a store ---------------------------------------------------------------


#: How the builder's queries name their results, and how many run at once (the store works
#: outside the GIL, so two queries use two cores while Python reads the answers).
_READERS: Final = 2


def _lines(store: ox.Store, query: str) -> list[str]:
    """The rows of a SELECT in SPARQL TSV, one string each, without the header: fields split
    by tabs, IRIs written ``<...>``, blank nodes ``_:name``, literals as in Turtle (see
    :func:`_literal`), unbound as ""."""
    solutions = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    data = solutions.serialize(format=ox.QueryResultsFormat.TSV) or b""
    lines = data.decode("utf-8").split("\n")
    return [line for line in lines[1:] if line]


_ESCAPE: Final = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ESCAPED: Final = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match[1] or match[2]
    return chr(int(code, 16)) if code else _ESCAPED.get(match[3], match[3])


def _literal(field: str) -> tuple[str, str] | None:
    r"""A literal of a TSV answer as (lexical form, language tag or ""); None for anything else.

    >>> _literal('"Kreft\\tregister"@nb'), _literal('"x"^^<http://e.org/t>'), _literal("42")
    (('Kreft\tregister', 'nb'), ('x', ''), ('42', ''))
    >>> _literal("<https://e.org/a>") is None
    True
    """
    if field.startswith('"'):
        end = field.rindex('"')
        text = field[1:end]
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        rest = field[end + 1 :]
        return text, rest[1:] if rest.startswith("@") else ""
    if not field or field.startswith(("<", "_:")):
        return None
    return field, ""  # a number or a boolean, written bare


def _iri(field: str) -> str:
    return field[1:-1]


def _array(values: Iterable[int]) -> array[int]:
    return array("i", values)


def _queries(facets: Sequence[Facet]) -> dict[str, str]:
    """Every query the builder sends, by the name its answer is read under."""
    queries = {
        "sources": "SELECT ?d WHERE { ?d a dcat:Dataset }",
        # every title: the search text, the order, and the label of a family (source or not)
        "titles": "SELECT ?d ?t WHERE { ?d dct:title ?t }",
        "positions": "SELECT ?d ?p WHERE { ?d hg:listingPosition ?p }",
        "parts": f"SELECT ?w ?p WHERE {{ ?w {PART} ?p }}",
    }
    for prop in TEXT_PROPERTIES:
        if prop != "dct:title":
            queries[f"text {prop}"] = f"SELECT ?d ?t WHERE {{ ?d {prop} ?t }}"
    for facet in facets:
        if facet.closure is None:
            link = facet.pattern("link", "?d", "?v")
            queries[f"link {facet.name}"] = f"SELECT ?d ?v WHERE {{ {link} }}"
        elif facet.closure != PART:  # (the part-of links are read once, as "parts")
            queries[f"link {facet.name}"] = f"SELECT ?w ?p WHERE {{ ?w {facet.closure} ?p }}"
        known = facet.pattern("known", "", "?v")
        queries[f"known {facet.name}"] = f"SELECT DISTINCT ?v WHERE {{ {known} }}"
        if facet.label != "dct:title":
            queries[f"label {facet.label}"] = (
                f"SELECT ?v ?l WHERE {{ ?v {facet.label} ?l "
                f"FILTER(isIRI(?v) && lang(?l) IN {_in(LABEL_LANGUAGES)}) }}"
            )
    return queries


def _in(tags: Iterable[str]) -> str:
    return "(" + ", ".join(json.dumps(tag) for tag in tags) + ")"


def _members(pairs: Iterable[tuple[str, str]], numbers: Mapping[str, int]) -> dict[str, set[int]]:
    """Per value (an IRI, as TSV writes it) the sources that have it, from (source, value)."""
    members: dict[str, set[int]] = {}
    for d, v in pairs:
        number = numbers.get(d)
        if number is not None and v.startswith("<"):
            members.setdefault(v, set()).add(number)
    return members


def _pairs(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``?a ?b`` rows as pairs of terms as TSV writes them."""
    pairs = []
    for line in lines:
        a, _, b = line.partition("\t")
        pairs.append((a, b))
    return pairs


def _closure(links: Iterable[tuple[str, str]], numbers: Mapping[str, int]) -> dict[str, set[int]]:
    """Per whole (an IRI with a part, of any kind) itself and everything below it that is a
    source, from (whole, part) pairs: ``?v <part>* ?d`` with ``?v`` having a part; cycles end
    where they close."""
    parts: dict[str, list[str]] = {}
    for whole, part in links:
        below = parts.setdefault(whole, [])
        if not part.startswith('"'):  # a literal has no parts and is no source
            below.append(part)
    members: dict[str, set[int]] = {}
    for whole in parts:
        if not whole.startswith("<"):
            continue
        seen = {whole}
        todo = [whole]
        while todo:
            for part in parts.get(todo.pop(), ()):
                if part not in seen:
                    seen.add(part)
                    todo.append(part)
        found = {numbers[node] for node in seen if node in numbers}
        if found:
            members[whole] = found
    return members


def _column(
    members: Mapping[str, set[int]],
    known: Iterable[str],
    labels: Mapping[str, Sequence[tuple[str, str]]],
) -> Column:
    """A facet's column from its values' sources (values as TSV writes them)."""
    values = sorted(members, key=_iri)
    offsets = _array([0])
    flat = _array(())
    for value in values:
        flat.extend(sorted(members[value]))
        offsets.append(len(flat))
    known_iris = frozenset(_iri(v) for v in known if v.startswith("<"))
    wanted = known_iris | {_iri(v) for v in values}
    kept = {value: sorted(set(pairs)) for value, pairs in labels.items() if value in wanted}
    return Column([_iri(v) for v in values], offsets, flat, known_iris, kept)


def _sort_key(source: str, titles: Sequence[tuple[str, str]], lang: str) -> tuple[Any, ...]:
    """The store's order of a source for ``lang``: MIN(LCASE(COALESCE(title in lang, title in
    nb, STR(?d)))), then the source (blank nodes before IRIs, IRIs by their text). Keys of
    different languages compare by text, then datatype (rdf:langString before xsd:string),
    then language; a blank node without a title has no key and comes first."""
    node = (0, "") if source.startswith("_:") else (1, source)
    for wanted in (lang, "nb"):
        keys = [text.lower() for text, tag in titles if tag == wanted]
        if keys:
            return (1, min(keys), 0, wanted, node)
    if source.startswith("_:"):
        return (0, "", 0, "", node)
    return (1, source.lower(), 1, "", node)


def _order(
    sources: Sequence[str], titles: Sequence[Sequence[tuple[str, str]]], lang: str
) -> array[int]:
    keys = [_sort_key(source, titles[i], lang) for i, source in enumerate(sources)]
    return _array(sorted(range(len(sources)), key=keys.__getitem__))


def build(
    store: ox.Store, *, facets: Sequence[Facet] = FACETS, languages: Sequence[str] = LANGUAGES
) -> FacetIndex:
    """Read the index of ``store``'s published graph (the union of its graphs)."""
    queries = _queries(facets)
    with ThreadPoolExecutor(_READERS, thread_name_prefix="browse-index") as readers:
        pending = {name: readers.submit(_lines, store, query) for name, query in queries.items()}

        def answer(name: str) -> list[str]:
            return pending.pop(name).result()  # let go of each answer once it is read

        numbers: dict[str, int] = {}
        for d in answer("sources"):
            numbers.setdefault(d, len(numbers))
        sources = [_iri(d) if d.startswith("<") else d for d in numbers]
        links = _pairs(answer("parts"))
        # the families' nodes: every IRI that has a part or is a part
        drawn = sorted(
            {w for w, _ in links if w.startswith("<")} | {p for _, p in links if p.startswith("<")}
        )
        nodes = {node: i for i, node in enumerate(drawn)}
        texts: list[list[str]] = [[] for _ in sources]
        tagged: list[list[tuple[str, str]]] = [[] for _ in sources]
        # titles in the label languages, of sources and of anything else (a family's whole)
        labelled: dict[str, list[tuple[str, str]]] = {}
        for line in answer("titles"):
            d, _, t = line.partition("\t")
            literal = _literal(t)
            number = numbers.get(d)
            if literal is None:
                if number is not None and t.startswith("<"):
                    texts[number].append(_iri(t))  # STR() of an IRI is searched too
                continue
            if number is not None:
                texts[number].append(literal[0])
                tagged[number].append(literal)
            if literal[1] in LABEL_LANGUAGES and d.startswith("<"):
                labelled.setdefault(_iri(d), []).append(literal)
        for prop in TEXT_PROPERTIES:
            if prop == "dct:title":
                continue
            for line in answer(f"text {prop}"):
                d, _, t = line.partition("\t")
                number = numbers.get(d)
                if number is None:
                    continue
                literal = _literal(t)
                if literal is not None:
                    texts[number].append(literal[0])
                elif t.startswith("<"):
                    texts[number].append(_iri(t))
        # one line per text, lower-cased: a search word has no white space, so it never
        # matches across two texts
        searchable = ["\n".join(parts).lower() for parts in texts]
        del texts
        orders = {lang: _order(sources, tagged, lang) for lang in languages}
        titles = _titles(
            (sorted(p for p in pairs if p[1] in LABEL_LANGUAGES) for pairs in tagged), languages
        )
        del tagged
        positions = array("q", repeat(NO_POSITION, len(sources)))
        listed = [False] * len(drawn)
        for line in answer("positions"):
            d, _, p = line.partition("\t")
            literal = _literal(p)
            if literal is None:
                continue
            node = nodes.get(d)
            if node is not None:
                listed[node] = True
            number = numbers.get(d)
            if number is None:
                continue
            try:
                position = int(literal[0])
            except ValueError:
                continue
            if positions[number] == NO_POSITION or position < positions[number]:
                positions[number] = position
        label_sets: dict[str, dict[str, list[tuple[str, str]]]] = {"dct:title": labelled}
        columns: dict[str, Column] = {}
        node_kinds: list[str | None] = [None] * len(drawn)
        for facet in facets:
            if facet.closure == PART:
                members = _closure(links, numbers)
            else:
                pairs = _pairs(answer(f"link {facet.name}"))
                if facet.closure is None:
                    members = _members(pairs, numbers)
                else:
                    members = _closure(pairs, numbers)
                if facet.name == KIND_FACET:  # the kind each family node is drawn with
                    for subject, kind in pairs:
                        i = nodes.get(subject)
                        if i is not None and kind.startswith("<"):
                            current = node_kinds[i]
                            if current is None or _iri(kind) < current:
                                node_kinds[i] = _iri(kind)
                del pairs
            known = [line.split("\t", 1)[0] for line in answer(f"known {facet.name}")]
            if facet.label not in label_sets:
                found: dict[str, list[tuple[str, str]]] = {}
                for line in answer(f"label {facet.label}"):
                    v, _, text = line.partition("\t")
                    literal = _literal(text)
                    if literal is not None:
                        found.setdefault(_iri(v), []).append(literal)
                label_sets[facet.label] = found
            columns[facet.name] = _column(members, known, label_sets[facet.label])
    kinds = _array(repeat(-1, len(sources)))
    if KIND_FACET in columns:
        column = columns[KIND_FACET]
        for value in reversed(range(len(column.values))):  # the first kind by IRI is shown
            for number in column.sources_of(column.values[value]):
                kinds[number] = value
    edges = _array(())
    for whole, part in sorted(
        {(nodes[w], nodes[p]) for w, p in links if w in nodes and p in nodes}
    ):
        edges.extend((whole, part))
    node_iris = [_iri(node) for node in drawn]
    families = Families(
        node_iris,
        _titles((sorted(set(labelled.get(node, ()))) for node in node_iris), languages),
        listed,
        node_kinds,
        edges,
    )
    return FacetIndex(
        sources, searchable, orders, columns, Shown(titles, positions, kinds), families
    )


def _titles(
    candidates: Iterable[Sequence[tuple[str, str]]], languages: Sequence[str]
) -> dict[str, list[str]]:
    """Per language, the title shown of each of a sequence of nodes (from their titles in
    the label languages, sorted)."""
    titles: dict[str, list[str]] = {lang: [] for lang in languages}
    for pairs in candidates:
        for lang in languages:
            titles[lang].append(best(pairs, lang))
    return titles


def build_for_directory(root: Path) -> FacetIndex:
    """The index of the generation published in the store directory ``root``: the one kept
    beside it (:func:`write_index`) when there is one for these facets, else built."""
    directory = data_directory(root)
    kept = read_index(directory)
    if kept is not None:
        return kept
    if not (directory / "CURRENT").is_file():
        return build(ox.Store())  # nothing published yet
    return build(ox.Store.read_only(str(directory)))


def build_for_nquads(data: bytes) -> FacetIndex:
    """The index of a store given as N-Quads (a copy of an in-memory store)."""
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_QUADS)
    return build(store)


# -- keeping it beside a store generation ---------------------------------------------------


def _encode(numbers: array[int]) -> str:
    data = array(numbers.typecode, numbers)
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian everywhere
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def _decode(text: str, typecode: str = "i") -> array[int]:
    data = array(typecode)
    data.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":  # pragma: no cover
        data.byteswap()
    return data


def dumps(index: FacetIndex) -> bytes:
    """The index as the JSON document :func:`loads` reads."""
    document = {
        "format": FORMAT,
        "signature": signature(),
        "sources": index.sources,
        "texts": index.texts,
        "orders": {lang: _encode(order) for lang, order in index.orders.items()},
        "titles": index.shown.titles,
        "positions": _encode(index.shown.positions),
        "kinds": _encode(index.shown.kinds),
        "families": {
            "nodes": index.families.nodes,
            "titles": index.families.titles,
            "listed": index.families.listed,
            "kinds": index.families.kinds,
            "edges": _encode(index.families.edges),
        },
        "facets": {
            name: {
                "values": column.values,
                "offsets": _encode(column.offsets),
                "members": _encode(column.members),
                "known": sorted(column.known),
                "labels": {
                    value: [list(p) for p in pairs] for value, pairs in column.labels.items()
                },
            }
            for name, column in index.columns.items()
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> FacetIndex:
    """An index from :func:`dumps`; ValueError when the document is not one of these facets
    (another format or signature) or does not hold together."""
    try:
        document = json.loads(data)
        if document.get("format") != FORMAT or document.get("signature") != signature():
            raise ValueError("an index of other facets, or another format")
        sources: list[str] = document["sources"]
        texts: list[str] = document["texts"]
        size = len(sources)
        orders = {lang: _decode(document["orders"][lang]) for lang in LANGUAGES}
        columns: dict[str, Column] = {}
        for facet in FACETS:
            entry = document["facets"][facet.name]
            values: list[str] = entry["values"]
            offsets, members = _decode(entry["offsets"]), _decode(entry["members"])
            if (
                len(offsets) != len(values) + 1
                or offsets[0] != 0
                or offsets[-1] != len(members)
                or any(a > b for a, b in pairwise(offsets))
                or (members and not 0 <= min(members) <= max(members) < size)
            ):
                raise ValueError(f"the values of {facet.name} do not hold together")
            labels = {
                str(value): [(str(text), str(tag)) for text, tag in pairs]
                for value, pairs in entry["labels"].items()
            }
            columns[facet.name] = Column(
                [str(v) for v in values], offsets, members, frozenset(entry["known"]), labels
            )
        titles = {lang: [str(t) for t in document["titles"][lang]] for lang in LANGUAGES}
        positions = _decode(document["positions"], "q")
        kinds = _decode(document["kinds"])
        if (
            len(texts) != size
            or any(len(set(order)) != size for order in orders.values())
            or any(order and not 0 <= min(order) <= max(order) < size for order in orders.values())
        ):
            raise ValueError("the orders do not hold together")
        kind_values = len(columns[KIND_FACET].values) if KIND_FACET in columns else 0
        if (
            any(len(shown) != size for shown in titles.values())
            or len(positions) != size
            or len(kinds) != size
            or (kinds and not -1 <= min(kinds) <= max(kinds) < kind_values)
        ):
            raise ValueError("what the list shows does not hold together")
        drawn = document["families"]
        families = Families(
            [str(node) for node in drawn["nodes"]],
            {lang: [str(t) for t in drawn["titles"][lang]] for lang in LANGUAGES},
            [bool(flag) for flag in drawn["listed"]],
            [None if kind is None else str(kind) for kind in drawn["kinds"]],
            _decode(drawn["edges"]),
        )
        count = len(families.nodes)
        if (
            any(len(shown) != count for shown in families.titles.values())
            or len(families.listed) != count
            or len(families.kinds) != count
            or len(families.edges) % 2
            or (families.edges and not 0 <= min(families.edges) <= max(families.edges) < count)
        ):
            raise ValueError("the families do not hold together")
    except (KeyError, TypeError, AttributeError, ValueError) as err:  # JSON, base64 too
        raise ValueError(f"not a browse index: {err}") from err
    index = FacetIndex(
        [str(s) for s in sources],
        [str(t) for t in texts],
        orders,
        columns,
        Shown(titles, positions, kinds),
        families,
    )
    index.origin = "file"
    return index


def write_index(store: ox.Store, directory: Path) -> Path:
    """Build the index of ``store`` and keep it in ``directory`` (a store generation being
    published, before the switch to it), so that a server starting on it reads the index
    instead of building it. Written whole or not at all (a temporary file, then a rename)."""
    target = directory / INDEX_FILE
    temporary = directory / f".{INDEX_FILE}-{os.getpid()}"
    temporary.write_bytes(dumps(build(store)))
    temporary.replace(target)
    return target


def keep_index(store: ox.Store, directory: Path) -> Path | None:
    """:func:`write_index` for a publish: the index is an aid, so a failure to write it only
    means a server builds it itself (None), never a failed publish."""
    try:
        return write_index(store, directory)
    except (OSError, RuntimeError, ValueError, SyntaxError):
        for leftover in directory.glob(f".{INDEX_FILE}-*"):
            leftover.unlink(missing_ok=True)
        return None


def read_index(directory: Path) -> FacetIndex | None:
    """The index kept in a generation's ``directory``, or None: there is none, or it is of
    other facets (then the server builds its own)."""
    try:
        data = (directory / INDEX_FILE).read_bytes()
    except OSError:
        return None
    try:
        return loads(data)
    except ValueError:
        return None
