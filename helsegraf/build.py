"""Assemble the graph that a load publishes: one named graph per source, plus curation,
reference identifiers and the ontology (DESIGN.md section 1 and docs/data-model.md).

:func:`build` is pure apart from reading the project's own files and the listing path it is
given; :func:`publish` is the only function here that writes to a store, and only after the
SHACL gate has passed.

What stands between a broken listing and the published graph (``docs/broken-input.md``):

- :func:`read_listing` refuses a file that is not UTF-8 text, or holds NUL characters or a
  line longer than :data:`MAX_LINE` (:class:`UnreadableListingError`, naming the lines);
- :func:`check`, the gate: at least one source, no entry repeated, and the SHACL shapes;
- :func:`removals`, the guard: the sources of the published graph (:func:`published_sources`)
  that the build lacks, each with where the listing was expected to hold it; and
  :func:`changes`, the sources whose facts differ from the published ones (reported only).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from helsegraf import gate, paths, snapshot
from helsegraf.loaders.helsedata import Duplicate, ListingWarning, load_listing, parse_curation
from helsegraf.loaders.listing_text import split_lines
from helsegraf.namespaces import DCAT, DCTERMS, GRAPH, HG, PREFIXES, RDF
from helsegraf.reference import reference_graph
from helsegraf.store import Store

ONTOLOGY_GRAPH = GRAPH.ontology
HELSEDATA_GRAPH = GRAPH.helsedata
CURATION_GRAPH = GRAPH.curation
REFERENCE_GRAPH = GRAPH.reference

Progress = Callable[[str], None]

#: The longest line read as part of the listing, in characters. Its paragraphs are a few
#: hundred characters long; a longer line is a copy whose line breaks were lost, or not the
#: listing at all.
MAX_LINE = 10_000
#: How many lines with bytes that are not UTF-8 are named before the rest are counted.
MAX_NAMED = 20


def _quiet(_message: str) -> None:
    return None


class UnreadableListingError(Exception):
    """The listing file is not text that can be read; nothing was loaded from it."""

    def __init__(self, path: Path, summary: str, findings: list[ListingWarning]) -> None:
        super().__init__(f"{path}: {summary}")
        self.path = path
        self.summary = summary
        #: one per line concerned
        self.findings = findings


@dataclass
class Build:
    """The named graphs of one load, and what the loader had to say."""

    graphs: dict[URIRef, Graph]
    origin: str
    warnings: list[ListingWarning] = field(default_factory=list)
    listed: int = 0
    #: the listed sources, in page order
    sources: list[URIRef] = field(default_factory=list)
    #: the first and last line of each listed source's entry (none for the snapshot)
    lines: dict[URIRef, tuple[int, int]] = field(default_factory=dict)
    #: entries that repeat an earlier one (the gate refuses them)
    duplicates: list[Duplicate] = field(default_factory=list)
    #: how many lines the listing has (0 for the snapshot, whose lines are not a file's)
    line_count: int = 0

    def data(self) -> Graph:
        """Everything but the ontology: what the shapes check."""
        data = Graph()
        for name, graph in self.graphs.items():
            if name != ONTOLOGY_GRAPH:
                data += graph
        return data

    @cached_property
    def datasets(self) -> dict[URIRef, int | None]:
        """Every source of the listing's graph, listed or only mentioned, with the line it
        was read from (its entry, or where it is mentioned)."""
        return dataset_lines(self.graphs.get(HELSEDATA_GRAPH, Graph()))

    def line_of(self, node: str) -> int | None:
        """The line of the listing a node of this build is about: the entry of the source it
        belongs to (``<source>#...`` belongs to ``<source>``); None when not known."""
        if not self.line_count:
            return None
        source = URIRef(node.split("#", 1)[0])
        if source in self.lines:
            return self.lines[source][0]
        return self.datasets.get(source)


def dataset_lines(graph: Graph) -> dict[URIRef, int | None]:
    """The data sources of a facts graph, each with the smallest ``hg:sourceLine`` of its
    ``a dcat:Dataset`` statement (None when it has none)."""
    out: dict[URIRef, int | None] = {}
    for subject in graph.subjects(RDF.type, DCAT.Dataset):
        if isinstance(subject, URIRef):
            out[subject] = None
    for statement in graph.subjects(RDF.object, DCAT.Dataset):
        about = graph.value(statement, RDF.subject)
        line = graph.value(statement, HG.sourceLine)
        if (
            isinstance(about, URIRef)
            and about in out
            and graph.value(statement, RDF.predicate) == RDF.type
            and isinstance(line, Literal)
        ):
            number, known = int(str(line)), out[about]
            out[about] = number if known is None else min(known, number)
    return out


def _in_page_order(graph: Graph) -> list[URIRef]:
    positions: dict[URIRef, int] = {}
    for subject, position in graph.subject_objects(HG.listingPosition):
        if isinstance(subject, URIRef):
            positions[subject] = int(str(position))
    return sorted(positions, key=lambda s: (positions[s], str(s)))


def load_curation(directory: Path = paths.CURATION_DIR) -> Graph:
    """The project-authored curation (``data/curation/*.ttl``)."""
    return parse_curation(sorted(directory.glob("*.ttl")))


def build(
    listing: Path | None,
    *,
    curation_dir: Path = paths.CURATION_DIR,
    progress: Progress = _quiet,
) -> Build:
    """Build the graphs from the listing at ``listing``, or from the committed snapshot.

    With ``listing=None`` the committed facts snapshot is used (no prose: a fresh machine
    without the listing still gets every fact).
    """
    curation = load_curation(curation_dir)
    progress(f"curation: {len(curation)} triples from {curation_dir}")
    graphs: dict[URIRef, Graph] = {
        ONTOLOGY_GRAPH: gate.load_ontology(),
        CURATION_GRAPH: curation,
        REFERENCE_GRAPH: reference_graph(),
    }
    if listing is None:
        graphs[HELSEDATA_GRAPH] = snapshot.read()
        listed = snapshot.listed_count(graphs[HELSEDATA_GRAPH])
        progress(f"helsedata.no facts: {len(graphs[HELSEDATA_GRAPH])} triples from the snapshot")
        return Build(
            graphs,
            origin=str(paths.SNAPSHOT_FILE),
            listed=listed,
            sources=_in_page_order(graphs[HELSEDATA_GRAPH]),
        )
    text = read_listing(listing)
    result = load_listing(text, curation)
    graphs[HELSEDATA_GRAPH] = result.graph
    progress(
        f"helsedata.no listing: {len(result.listed)} sources, {len(result.graph)} triples "
        f"from {listing}"
    )
    return Build(
        graphs,
        origin=str(listing),
        warnings=result.warnings,
        listed=len(result.listed),
        sources=list(result.listed),
        lines=dict(result.lines),
        duplicates=list(result.duplicates),
        line_count=max(result.line_count, 1),
    )


# --------------------------------------------------------------------------------------
# reading the file

_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_listing(path: Path) -> str:
    """The listing's text, read as UTF-8 (a UTF-8 byte-order mark is skipped).

    Raises :class:`UnreadableListingError`, naming each line concerned, when the file holds bytes
    that are not UTF-8 (it is another encoding, or binary data), NUL characters, or a line
    longer than :data:`MAX_LINE` characters. Nothing is guessed: a replaced character in a
    name would make another source, or another organisation, out of it.
    """
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found = [ListingWarning(1, "the file starts with a UTF-16 byte-order mark")]
        raise UnreadableListingError(path, "the file is UTF-16, not UTF-8", found)
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    offsets, more = _not_utf8(data, start)
    if offsets:
        findings = [ListingWarning(*_byte_finding(data, offset, start)) for offset in offsets]
        count = f"{len(offsets)} or more lines hold" if more else _lines(len(offsets), "hold")
        raise UnreadableListingError(
            path,
            f"the file is not UTF-8 text: {count} bytes that are not UTF-8{_encoding_hint(data)}",
            findings,
        )
    lines = split_lines(data[start:].decode("utf-8"))
    findings = []
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            findings.append(
                ListingWarning(number, "the line holds NUL characters: binary data, not text")
            )
        if len(line) > MAX_LINE:
            findings.append(
                ListingWarning(
                    number,
                    f"the line is {len(line)} characters long, more than the {MAX_LINE} a "
                    "paragraph of the listing may have (line breaks lost, or not the listing?)",
                )
            )
    if findings:
        lines_concerned = _lines(len({f.line for f in findings}), "are")
        raise UnreadableListingError(
            path,
            f"the file is not the text of a listing ({lines_concerned} unreadable)",
            findings[:MAX_NAMED],
        )
    return data[start:].decode("utf-8")


def _not_utf8(data: bytes, start: int) -> tuple[list[int], bool]:
    """The offset of the first byte that is not UTF-8 on each line that has one (at most
    :data:`MAX_NAMED`), and whether there are more."""
    found: list[int] = []
    position = start
    while position < len(data):
        try:
            data[position:].decode("utf-8")
        except UnicodeDecodeError as err:
            if len(found) == MAX_NAMED:
                return found, True
            offset = position + err.start
            found.append(offset)
            after = _BREAK_BYTES.search(data, offset)
            position = after.end() if after else len(data)
        else:
            break
    return found, False


def _byte_finding(data: bytes, offset: int, start: int) -> tuple[int, str]:
    line = len(_BREAK_BYTES.findall(data, 0, offset)) + 1
    line_start = max(data.rfind(b"\n", 0, offset) + 1, data.rfind(b"\r", 0, offset) + 1, start)
    return (
        line,
        f"byte 0x{data[offset]:02x} (byte {offset - line_start + 1} of the line, "
        f"offset {offset} in the file) is not UTF-8",
    )


def _lines(count: int, verb: str) -> str:
    """``1 line holds``, ``2 lines hold``: the verb is given in the plural."""
    singular = {"hold": "holds", "are": "is"}.get(verb, verb)
    return f"1 line {singular}" if count == 1 else f"{count} lines {verb}"


#: A character of two to four bytes, written correctly in UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _encoding_hint(data: bytes) -> str:
    """What the bytes probably are: damaged UTF-8 when nearly all the file's bytes beyond
    ASCII form correct UTF-8, Windows-1252 when they read cleanly as that; else nothing."""
    correct = sum(len(match) for match in _UTF8_MULTIBYTE.findall(data))
    stray = sum(1 for byte in data if byte >= 0x80) - correct
    if correct > 4 * stray:
        return " (the rest of the file is UTF-8: these bytes are damaged)"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    if _CONTROL.search(text):
        return ""
    return " (it reads as Windows-1252: convert it first, e.g. iconv -f cp1252 -t utf-8)"


def check(built: Build, *, engine: str = "sparql") -> gate.GateReport:
    """Run the gate over a build: a build with no data source fails before SHACL runs.

    An empty graph conforms to every shape, so without this rule a load of the wrong file
    (or of an empty one) would replace the published graph with nothing.

    ``engine`` is ``sparql`` (the shapes compiled to SPARQL, :mod:`helsegraf.fastgate`; it
    scales) or ``pyshacl`` (the reference implementation, which the tests compare it with).
    """
    if built.listed == 0:
        empty = gate.Violation(
            focus=built.origin,
            path="",
            constraint="no data sources",
            message="no data source was found here; a load must publish at least one",
        )
        return gate.GateReport(conforms=False, violations=[empty])
    repeats = [_repeat(duplicate) for duplicate in built.duplicates]
    if engine == "pyshacl":
        report = gate.validate(built.data(), ontology=built.graphs[ONTOLOGY_GRAPH])
    else:
        from helsegraf import fastgate

        report = fastgate.validate(built.data(), ontology=built.graphs[ONTOLOGY_GRAPH])
    if repeats:
        return gate.GateReport(conforms=False, violations=repeats + report.violations)
    return report


def _repeat(duplicate: Duplicate) -> gate.Violation:
    """A repeated entry refuses the build: publishing it would invent a source (the loader's
    ``-2`` IRI), and keeping only one of two entries would choose between texts unseen."""
    how = "word for word" if duplicate.identical else "with other text"
    return gate.Violation(
        focus=str(duplicate.copy),
        path="",
        constraint="one entry per source",
        message=(
            f"the entry on line {duplicate.line} repeats the entry on line "
            f"{duplicate.first_line} (<{duplicate.iri}>) {how}; a source is listed once: "
            "remove one of them"
        ),
    )


def publish(store: Store, built: Build) -> None:
    """Replace the store's graphs by the build's, in one transaction."""
    store.replace_graphs(built.graphs)


# --------------------------------------------------------------------------------------
# the removal guard


@dataclass(frozen=True)
class PublishedSource:
    """A source of the published graph."""

    iri: URIRef
    title: str
    #: its place in the listing; None for a source the listing only mentions
    position: int | None
    #: the line of the listing it was loaded from (its entry, or where it is mentioned)
    line: int | None


@dataclass(frozen=True)
class Finding:
    """What the comparison with the published graph says about one source."""

    iri: URIRef
    #: the line of the new listing concerned (None when not known)
    line: int | None
    message: str


def published_graph(store: Store) -> Graph:
    """The listing's graph as ``store`` publishes it (empty when nothing is published)."""
    return store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{HELSEDATA_GRAPH}> {{ ?s ?p ?o }} }}"
    )


def published_sources(graph: Graph, names: Graph | None = None) -> list[PublishedSource]:
    """The sources of a published listing's graph, listed ones in page order first; each
    named by its ``nb`` title in ``graph``, else in ``names`` (the curation names the
    entries that lost their title), else by the end of its IRI."""
    positions: dict[URIRef, int] = {}
    for subject, position in graph.subject_objects(HG.listingPosition):
        if isinstance(subject, URIRef):
            positions[subject] = int(str(position))
    out = [
        PublishedSource(iri, _title(iri, graph, names), positions.get(iri), line)
        for iri, line in dataset_lines(graph).items()
    ]
    return sorted(out, key=lambda p: (p.position is None, p.position or 0, str(p.iri)))


def _title(iri: URIRef, *graphs: Graph | None) -> str:
    for graph in graphs:
        for title in graph.objects(iri, DCTERMS.title) if graph is not None else ():
            if isinstance(title, Literal) and title.language == "nb":
                return str(title)
    return str(iri).rsplit("/", 1)[-1]


def removals(built: Build, published: list[PublishedSource]) -> list[Finding]:
    """The sources of ``published`` that ``built`` would remove: a listed source that is no
    longer listed, and a source only mentioned that is no longer there at all.

    Each says where its entry was expected in the new listing: between the nearest sources
    around it in the published order that the new listing still has.
    """
    order = [p for p in published if p.position is not None]
    listed_now = set(built.sources)
    out: list[Finding] = []
    for index, old in enumerate(order):
        if old.iri in listed_now:
            continue
        line, where = _expected(built, order, index)
        if old.iri in built.datasets:
            mention = built.datasets[old.iri] if built.line_count else None
            at = f" (line {mention})" if mention is not None else ""
            where += f"; here it is only mentioned{at}, with no entry of its own"
        out.append(
            Finding(
                old.iri,
                line,
                f"{_name(old)} is missing: the published graph lists it{_was(old)}; {where}",
            )
        )
    entries = sorted((p for p in order if p.line is not None), key=lambda p: p.line or 0)
    for old in published:
        if old.position is not None or old.iri in built.datasets:
            continue
        line, where = None, "where it was mentioned is not recorded"
        container = None
        if old.line is not None:
            container = next((p for p in reversed(entries) if (p.line or 0) <= old.line), None)
        if container is not None and container.iri in listed_now:
            first, last = built.lines.get(container.iri, (0, 0))
            line = first or None
            here = f" (lines {first}-{last})" if first else ""
            where = f"the entry for {container.title!r} mentioned it; here{here} it does not"
        elif container is not None:
            line, _where = _expected(built, order, order.index(container))
            where = f"it was mentioned in the entry for {container.title!r}, which is missing too"
        at = f" on line {old.line} of the listing it was loaded from" if old.line else ""
        out.append(
            Finding(
                old.iri,
                line,
                f"{_name(old)} is missing: the published graph has it as a source "
                f"mentioned{at}; {where}",
            )
        )
    return sorted(out, key=lambda r: (r.line is None, r.line or 0))


def additions(built: Build, published: list[PublishedSource]) -> list[URIRef]:
    """The sources ``built`` lists that the published graph does not list."""
    before = {p.iri for p in published if p.position is not None}
    return [iri for iri in built.sources if iri not in before]


#: What the comparison of facts leaves out: where a fact was read (the lines move whenever
#: the listing changes above it), the place on the page (the order warnings cover it) and
#: the prose (the snapshot has none).
_UNCOMPARED = frozenset({HG.sourceLine, HG.listingPosition, *snapshot.PROSE_PREDICATES})


def changes(built: Build, graph: Graph) -> list[Finding]:
    """The sources of both ``graph`` (the published listing's graph) and ``built`` whose
    facts differ, with how many were added and removed and under which predicates.

    Not a refusal: a new copy of the listing may well say something new. But text that moved
    from one entry to another (lines swapped) shows here, on the lines of both entries.
    """
    before = _facts_by_source(graph)
    after = _facts_by_source(built.graphs.get(HELSEDATA_GRAPH, Graph()))
    names = (built.graphs.get(HELSEDATA_GRAPH), built.graphs.get(CURATION_GRAPH))
    out: list[Finding] = []
    for iri in [*built.sources, *sorted(set(after) - set(built.sources))]:
        old, new = before.get(iri), after.get(iri)
        if old is None or new is None or old == new:
            continue
        added, removed = new - old, old - new
        predicates = sorted({_short(p) for _s, p, _o in added | removed})
        out.append(
            Finding(
                iri,
                built.line_of(str(iri)),
                f"<{iri}> {_title(iri, *names, graph)!r} differs "
                f"from the published graph: {len(added)} fact(s) added, {len(removed)} "
                f"removed ({', '.join(predicates)})",
            )
        )
    return sorted(out, key=lambda f: (f.line is None, f.line or 0))


_Triple = tuple[Node, Node, Node]


def _facts_by_source(graph: Graph) -> dict[URIRef, frozenset[_Triple]]:
    """The triples about each source: its own and its ``#`` nodes' (temporal coverage,
    contact, attributions), without the provenance nodes (``#fact-...``)."""
    sources = set(dataset_lines(graph))
    facts: dict[URIRef, set[_Triple]] = {iri: set() for iri in sources}
    for subject, predicate, obj in graph:
        if predicate in _UNCOMPARED or not isinstance(subject, URIRef):
            continue
        base, _hash, fragment = str(subject).partition("#")
        source = URIRef(base)
        if source in facts and not fragment.startswith("fact-"):
            facts[source].add((subject, predicate, obj))
    return {iri: frozenset(triples) for iri, triples in facts.items()}


def _short(iri: Node) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return f"<{text}>"


def _name(source: PublishedSource) -> str:
    return f"<{source.iri}> {source.title!r}"


def _was(source: PublishedSource) -> str:
    line = f", line {source.line} of the listing it was loaded from" if source.line else ""
    return f" (position {source.position}{line})"


def _expected(built: Build, order: list[PublishedSource], index: int) -> tuple[int | None, str]:
    """Where the entry of ``order[index]`` was expected in the build's listing: between the
    nearest sources around it in the published order that the listing still has. A line to
    name, and the words that say so."""
    if not built.line_count:
        return None, "the snapshot has no lines to place it by"
    before = next((p for p in reversed(order[:index]) if p.iri in built.lines), None)
    after = next((p for p in order[index + 1 :] if p.iri in built.lines), None)
    if before is None and after is None:
        return None, "none of the sources around it in the published graph is here either"
    if after is None:
        assert before is not None
        ends = built.lines[before.iri][1]
        return built.line_count, (
            f"its entry was expected after {before.title!r}, whose entry ends on line {ends} "
            f"here; no published source follows, and the listing ends on line "
            f"{built.line_count} (cut off?)"
        )
    first = built.lines[after.iri][0]
    if before is None:
        return first, f"its entry was expected before {after.title!r} (line {first} here)"
    ends = built.lines[before.iri][1]
    around = f"after {before.title!r} and before {after.title!r}"
    if ends < first - 1:
        return ends + 1, f"its entry was expected in lines {ends + 1}-{first - 1} here, {around}"
    if ends == first - 1:
        return first, f"its entry was expected between lines {ends} and {first} here, {around}"
    return first, (
        f"its entry was expected {around}, which come in another order here "
        f"(lines {built.lines[before.iri][0]} and {first})"
    )
