"""Loader for the helsedata.no listing of data sources ("Datakilder").

:func:`load_listing` is a pure function of the listing text and the curation graph: no
network, no store, no files besides the reference tables shipped in ``data/reference``.
It returns the listing's facts as RDF (``docs/data-model.md``), one provenance node per
extracted triple, the list of listed sources in page order, and a warning for everything
it could not read. It does not copy the curation graph into its output.

>>> from rdflib import Graph
>>> text = " • Alfaregisteret (ALFA)\\n\\n  Et nordisk medisinsk kvalitetsregister."
>>> result = load_listing(text, Graph())
>>> [str(iri) for iri in result.listed]
['https://w3id.org/helsegraf/id/dataset/alfa']
>>> result.warnings
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from helsegraf.loaders.context import Context, Scope
from helsegraf.loaders.curation import CurationIndex, default_curation_paths, parse_curation
from helsegraf.loaders.facts import LISTING, FactStore, Provenance
from helsegraf.loaders.listing_text import (
    Entry,
    ListingWarning,
    Sentence,
    parse_listing,
    repair_mojibake,
    split_sentences,
)
from helsegraf.loaders.names import DatasetRecord, DatasetRegistry, TitleParts, parse_title
from helsegraf.loaders.rules import RULES, extract_kind
from helsegraf.namespaces import DCAT, DCTERMS, HG, ID, PREFIXES, PROV, RDF, SKOS
from helsegraf.reference import Reference, load_reference, slugify


@dataclass(frozen=True)
class Duplicate:
    """An entry that names a source an earlier entry already names.

    The loader keeps the repeat as a source of its own (``copy``, the first IRI with ``-2``,
    ``-3``, ... appended) so that nothing it read is lost; whoever publishes decides what a
    repeat means (:func:`helsegraf.build.check` refuses it).
    """

    iri: URIRef
    first_line: int
    copy: URIRef
    line: int
    #: the two entries have the same title and the same text, word for word
    identical: bool


@dataclass
class ListingResult:
    """What :func:`load_listing` returns."""

    #: facts and prose (``dct:description``, ``hg:quote``); no blank nodes
    graph: Graph
    warnings: list[ListingWarning] = field(default_factory=list)
    #: the listed sources, in page order
    listed: list[URIRef] = field(default_factory=list)
    #: the first and last line of each listed source's entry
    lines: dict[URIRef, tuple[int, int]] = field(default_factory=dict)
    #: entries that repeat an earlier one
    duplicates: list[Duplicate] = field(default_factory=list)
    #: how many lines the listing has
    line_count: int = 0


@dataclass(frozen=True)
class _Listed:
    position: int
    entry: Entry
    iri: URIRef
    parts: TitleParts | None


def load_listing(text: str, curation: Graph, reference: Reference | None = None) -> ListingResult:
    """Read the text copy of the helsedata.no listing into RDF.

    ``curation`` is the parsed curation graph (``data/curation/*.ttl``; see
    :func:`helsegraf.loaders.curation.parse_curation`); ``reference`` defaults to the
    tables in ``data/reference``.
    """
    graph_out = _empty_graph()
    if not text.strip():
        return ListingResult(graph_out, [ListingWarning(1, "the listing is empty")], [])
    repaired = repair_mojibake(text)
    parsed = parse_listing(repaired if repaired is not None else text)
    line_count = parsed.line_count
    warnings = list(parsed.warnings)
    if repaired is not None:
        warnings.insert(
            0,
            ListingWarning(
                1,
                "the text was UTF-8 read with the wrong encoding; "
                "it was decoded again before reading",
            ),
        )
    if not parsed.entries:
        warnings.append(ListingWarning(1, "no data source entries were found in the listing"))
        return ListingResult(graph_out, warnings, [], line_count=line_count)
    index = CurationIndex.from_graph(curation)
    registry = DatasetRegistry(index)
    facts = FactStore()
    ctx = Context(reference or load_reference(), registry, facts, warnings)
    facts.add(LISTING, RDF.type, PROV.Entity, None)

    duplicates: list[Duplicate] = []
    listed = _identify(parsed.entries, index, registry, ctx, duplicates)
    registry.add_curated_aliases()
    for item in listed:
        _read_entry(item, ctx)
    _describe_mentioned(registry, index, facts)
    _check_order(listed, ctx)
    if parsed.claimed_count is not None:
        line, claimed = parsed.claimed_count
        if claimed != len(listed):
            ctx.warn(
                line,
                f"the page says it lists {claimed} data sources, "
                f"but {len(listed)} entries were found",
            )
    warnings.sort(key=lambda w: w.line)
    return ListingResult(
        facts.graph(),
        warnings,
        [item.iri for item in listed],
        {item.iri: (item.entry.line, item.entry.last_line) for item in listed},
        duplicates,
        line_count,
    )


# --------------------------------------------------------------------------------------
# identities


_SENTENCE_END = re.compile(r"[.!?]$|[.!?]\s+[A-ZÆØÅ]")


def looks_untitled(head: str) -> bool:
    """True when a bullet line is a sentence of prose rather than a title.

    >>> looks_untitled("Norsk pasientregister (NPR)"), looks_untitled("Data om noe. Mer.")
    (False, True)
    """
    return bool(_SENTENCE_END.search(head)) or len(head) > 160


def _identify(
    entries: list[Entry],
    index: CurationIndex,
    registry: DatasetRegistry,
    ctx: Context,
    duplicates: list[Duplicate],
) -> list[_Listed]:
    """Give every entry its IRI; a duplicate gets a distinct one, a warning and a record in
    ``duplicates``."""
    listed: list[_Listed] = []
    first_line: dict[URIRef, int] = {}
    first_entry: dict[URIRef, Entry] = {}
    for position, entry in enumerate(entries, start=1):
        parts: TitleParts | None = None
        if looks_untitled(entry.head):
            iri = _untitled_iri(entry, index, ctx)
        else:
            parts = parse_title(entry.head)
            if not parts.slug:
                parts = TitleParts(parts.title, parts.alt_labels, f"entry-{entry.line}")
                ctx.warn(entry.line, "the title has no letters or digits to name it by")
            iri = ID[f"dataset/{parts.slug}"]
        if iri in first_line:
            number = 2
            while URIRef(f"{iri}-{number}") in first_line:
                number += 1
            original = iri
            iri = URIRef(f"{iri}-{number}")
            identical = _text_of(entry) == _text_of(first_entry[original])
            ctx.warn(
                entry.line,
                f"this entry repeats the one on line {first_line[original]}"
                f"{' word for word' if identical else ', with other text'}; "
                f"it is kept as a separate source <{iri}>",
            )
            duplicates.append(Duplicate(original, first_line[original], iri, entry.line, identical))
        else:
            first_entry[iri] = entry
        first_line[iri] = entry.line
        slug = str(iri).rsplit("/", 1)[-1]
        registry.register_listed(iri, slug, parts, entry.line, entry.head)
        listed.append(_Listed(position, entry, iri, parts))
    return listed


def _text_of(entry: Entry) -> tuple[str, ...]:
    return (entry.head, *(f"{p.bullet}:{p.text}" for p in entry.paragraphs))


def _untitled_iri(entry: Entry, index: CurationIndex, ctx: Context) -> URIRef:
    head = entry.head.casefold()
    matches = sorted(
        (k for k in index.untitled_keys if re.search(rf"\b{re.escape(k)}", head)),
        key=len,
        reverse=True,
    )
    if len(matches) > 1:
        ctx.warn(
            entry.line,
            "the entry has lost its title and matches several curated "
            f"keys ({', '.join(matches)}); used {matches[0]!r}",
        )
    if matches:
        return index.untitled_keys[matches[0]]
    words = " ".join(entry.head.split()[:6])
    ctx.warn(
        entry.line,
        "the entry has lost its title and no curated key matches it; "
        "it is kept under a name made from its first words",
    )
    return ID[f"dataset/untitled-{slugify(words) or entry.line}"]


# --------------------------------------------------------------------------------------
# one entry


def _read_entry(item: _Listed, ctx: Context) -> None:
    entry, iri = item.entry, item.iri
    facts = ctx.facts
    head_prov = Provenance(entry.line, entry.head)
    untitled = item.parts is None
    facts.add(iri, RDF.type, DCAT.Dataset, head_prov)
    facts.add(iri, DCTERMS.source, LISTING, None)
    facts.add(iri, HG.listingPosition, Literal(item.position), head_prov)
    if item.parts is not None:
        facts.add(iri, DCTERMS.title, Literal(item.parts.title, lang="nb"), head_prov)
        for alt in item.parts.alt_labels:
            facts.add(iri, SKOS.altLabel, Literal(alt, lang="nb"), head_prov)
    if untitled:
        first_text = entry.head
        first = [Sentence(entry.line, s, 0, False) for s in split_sentences(entry.head)]
    elif entry.paragraphs:
        first_text = entry.paragraphs[0].text
        first = [s for s in entry.sentences() if s.paragraph == 0]
    else:
        first_text, first = "", []
        ctx.warn(entry.line, "the entry has no text under its title")
    if first_text:
        facts.add_prose(iri, DCTERMS.description, Literal(first_text, lang="nb"))
    scope = Scope(ctx, entry, iri, entry.sentences(include_head=untitled), first)
    extract_kind(scope, item.parts.title if item.parts else None)
    for rule in RULES:
        rule(scope)
    basics = {RDF.type, DCTERMS.source, HG.listingPosition, DCTERMS.title, SKOS.altLabel}
    kinds = set(ctx.facts.objects(iri, RDF.type)) - {DCAT.Dataset}
    if entry.paragraphs and not kinds and not ctx.facts.predicates(iri) - basics:
        ctx.warn(entry.line, "no facts were recognised in this entry")


# --------------------------------------------------------------------------------------
# sources only mentioned


def _describe_mentioned(registry: DatasetRegistry, index: CurationIndex, facts: FactStore) -> None:
    for record in registry.records.values():
        if record.listed:
            continue
        prov = Provenance(record.line, record.quote)
        facts.add(record.iri, RDF.type, DCAT.Dataset, prov)
        facts.add(record.iri, DCTERMS.source, LISTING, None)
        title = _mentioned_title(record)
        if title and record.iri not in index.titled:
            line, name, quote = title
            facts.add(record.iri, DCTERMS.title, Literal(name, lang="nb"), Provenance(line, quote))
        for alt in record.alt_labels:
            facts.add(record.iri, SKOS.altLabel, Literal(alt, lang="nb"), prov)


def _mentioned_title(record: DatasetRecord) -> tuple[int, str, str] | None:
    """The first mention that reads as a proper name (capitalised), else the first."""
    for candidate in record.title_candidates:
        if candidate[1][:1].isupper():
            return candidate
    return record.title_candidates[0] if record.title_candidates else None


# --------------------------------------------------------------------------------------
# page order


_COLLATE = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def _collation_key(title: str) -> str:
    return title.casefold().translate(_COLLATE)


def _check_order(listed: list[_Listed], ctx: Context) -> None:
    """Warn about entries filed under the wrong letter or out of alphabetical order (a
    sign of a reordered or damaged copy). Entries without a title are not checked."""
    previous: tuple[str, int] | None = None
    for item in listed:
        if item.parts is None:
            continue
        title, heading = item.parts.title, item.entry.heading
        if heading is not None and _collation_key(title[:1]) != _collation_key(heading):
            ctx.warn(item.entry.line, f"{title!r} is filed under the letter {heading!r}")
        if previous is not None and _collation_key(title) < _collation_key(previous[0]):
            ctx.warn(
                item.entry.line,
                f"{title!r} comes after {previous[0]!r} (line {previous[1]}), "
                "out of alphabetical order",
            )
        previous = (title, item.entry.line)


def _empty_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


__all__ = [
    "Duplicate",
    "ListingResult",
    "ListingWarning",
    "default_curation_paths",
    "load_listing",
    "looks_untitled",
    "parse_curation",
]
