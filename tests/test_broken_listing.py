"""Broken copies of the listing, through the real command line and loader, each loaded over a
store that publishes the real listing (``docs/broken-input.md``).

Every broken input is made here at run time from the real listing: cut, repeated, reordered,
re-encoded or garbled. None of its text is written in this file.

For each: the exit status, the report names the lines concerned (``path:line: message``), and
a refused load leaves the store serving the graph it had, whole (its export is unchanged).
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic

from helsegraf.build import HELSEDATA_GRAPH, MAX_LINE, Build
from helsegraf.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from helsegraf.loaders.listing_text import Entry, parse_listing, split_lines
from helsegraf.namespaces import HG, RDF
from helsegraf.settings import Settings
from helsegraf.store import ExportFormat, open_store

_HEADING = re.compile(r"^ ?[A-ZÆØÅ0-9]\s*$")


@dataclass(frozen=True)
class Listing:
    """The real listing, split the way the loader splits it."""

    text: str
    lines: list[str]
    entries: list[Entry]
    #: the listed sources, in page order (entry i is source i)
    sources: list[URIRef]

    def block(self, index: int) -> list[str]:
        """The lines of entry ``index``: its bullet line to its last paragraph."""
        entry = self.entries[index]
        return self.lines[entry.line - 1 : entry.last_line]


@dataclass(frozen=True)
class Published:
    """A store on disk loaded from the real listing, and its N-Quads export."""

    store: Path
    export: bytes


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str

    def lines_starting(self, prefix: str) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith(prefix)]


def _settings(tmp: Path, store: Path) -> Settings:
    return Settings(store=str(store), listing=tmp / "no-listing.txt")


def _dump(settings: Settings) -> bytes:
    store = open_store(settings, read_only=True)
    try:
        return store.export(ExportFormat.NQUADS)
    finally:
        store.close()


@pytest.fixture(scope="module")
def listing(listing_path: Path, built: Build) -> Listing:
    text = listing_path.read_text(encoding="utf-8")
    entries = parse_listing(text).entries
    assert len(entries) == len(built.sources) == 83
    return Listing(text, split_lines(text), entries, list(built.sources))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, listing_path: Path) -> Published:
    root = tmp_path_factory.mktemp("published")
    settings = _settings(root, root / "store")
    assert main(["load", str(listing_path)], settings) == EXIT_OK
    return Published(root / "store", _dump(settings))


@pytest.fixture
def settings(published: Published, tmp_path: Path) -> Settings:
    """A copy of the published store, for one test to load into."""
    shutil.copytree(published.store, tmp_path / "store", symlinks=True)
    return _settings(tmp_path, tmp_path / "store")


Runner = Callable[..., Run]


@pytest.fixture
def run(settings: Settings, capsys: pytest.CaptureFixture[str]) -> Runner:
    """``run("load", path, "--flag")``: the command's status, stdout and stderr."""

    def go(*args: object) -> Run:
        capsys.readouterr()
        status = main([str(arg) for arg in args], settings)
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return go


def _write(tmp_path: Path, content: str | bytes, name: str = "listing.txt") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _assert_unchanged(settings: Settings, published: Published) -> None:
    assert _dump(settings) == published.export, "the store no longer serves its last good graph"


def _listing_graph(settings: Settings) -> Graph:
    dataset = Dataset()
    dataset.parse(data=_dump(settings), format="nquads")
    return dataset.graph(HELSEDATA_GRAPH)


def _facts(graph: Graph) -> set[tuple[object, ...]]:
    """The triples of a listing's graph without where each was read (line, quoted sentence)
    and the place on the page: what must not change when only the layout of the listing
    changes. (A fact two entries state is quoted from the entry read first.)"""
    position_facts = set(graph.subjects(RDF.predicate, HG.listingPosition))
    return {
        triple
        for triple in graph
        if triple[1] not in (HG.sourceLine, HG.listingPosition, HG.quote)
        and triple[0] not in position_facts
    }


def _listed(settings: Settings) -> list[URIRef]:
    graph = _listing_graph(settings)
    positions = {s: int(str(o)) for s, o in graph.subject_objects(HG.listingPosition)}
    return [URIRef(str(s)) for s in sorted(positions, key=positions.__getitem__)]


# --------------------------------------------------------------------------------------
# files that hold no listing at all


@pytest.mark.parametrize("content", ["", "\n", " \t\n\n   \n", "\u00a0\n\n"])
def test_an_empty_or_blank_file_publishes_nothing(
    run: Runner, settings: Settings, published: Published, tmp_path: Path, content: str
) -> None:
    path = _write(tmp_path, content)
    done = run("load", path)
    assert done.status == EXIT_INVALID
    assert f"warning: {path}:1: the listing is empty" in done.err
    assert "no data source" in done.out
    assert "nothing published" in done.err
    _assert_unchanged(settings, published)


def test_a_file_of_other_rdf_publishes_nothing(
    run: Runner, settings: Settings, published: Published, tmp_path: Path
) -> None:
    """The committed snapshot (N-Triples) given in place of the listing."""
    from helsegraf import paths

    path = _write(tmp_path, paths.SNAPSHOT_FILE.read_text(encoding="utf-8"), "facts.nt")
    done = run("load", path)
    assert done.status == EXIT_INVALID
    assert f"{path}:1: no data source entries were found" in done.err
    _assert_unchanged(settings, published)


def test_a_bulleted_document_that_is_not_the_listing_fails_the_gate_at_its_lines(
    run: Runner, settings: Settings, published: Published, tmp_path: Path
) -> None:
    text = "Release notes\n\n* Faster export\n\n  The export streams.\n* Smaller pages\n"
    path = _write(tmp_path, text)
    done = run("load", path)
    assert done.status == EXIT_INVALID
    assert "does not conform" in done.out
    errors = done.lines_starting("error: ")
    assert any(line.startswith(f"error: {path}:3: ") for line in errors), errors
    assert any(line.startswith(f"error: {path}:6: ") for line in errors), errors
    _assert_unchanged(settings, published)


# --------------------------------------------------------------------------------------
# bytes that are not UTF-8 text: refused before anything is read (exit 2)


def test_a_damaged_byte_is_refused_naming_line_and_offset(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
) -> None:
    line = listing.entries[10].paragraphs[0].line
    data = bytearray(listing.text.encode("utf-8"))
    offset = len("".join(f"{text}\n" for text in listing.lines[: line - 1]).encode("utf-8")) + 2
    data[offset] = 0xFF
    path = _write(tmp_path, bytes(data))
    for command in ("load", "validate"):
        done = run(command, path)
        assert done.status == EXIT_USAGE
        assert (
            f"error: {path}:{line}: byte 0xff (byte 3 of the line, offset {offset} in the file) "
            "is not UTF-8"
        ) in done.err
        assert "1 line holds bytes that are not UTF-8" in done.err
        assert "damaged" in done.err
    _assert_unchanged(settings, published)


def test_a_windows_1252_copy_is_refused_with_a_hint(
    run: Runner, settings: Settings, published: Published, tmp_path: Path, listing: Listing
) -> None:
    data = listing.text.encode("cp1252", errors="replace")
    first = next(n for n, line in enumerate(data.split(b"\n"), 1) if max(line, default=0) >= 0x80)
    path = _write(tmp_path, data)
    done = run("load", path)
    assert done.status == EXIT_USAGE
    assert done.lines_starting("error: ")[0].startswith(f"error: {path}:{first}: byte 0x")
    assert "Windows-1252" in done.err
    _assert_unchanged(settings, published)


@pytest.mark.parametrize("kind", ["random-bytes", "utf-16", "nul"])
def test_binary_data_is_refused(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
    kind: str,
) -> None:
    if kind == "random-bytes":
        data, expected = random.Random(6).randbytes(4096), "is not UTF-8"
    elif kind == "utf-16":
        data, expected = listing.text.encode("utf-16"), f"{tmp_path}/listing.txt:1: "
    else:
        lines = list(listing.lines)
        lines[19] = lines[19][:5] + "\x00\x00" + lines[19][5:]
        data, expected = "\n".join(lines).encode("utf-8"), "listing.txt:20: the line holds NUL"
    path = _write(tmp_path, data)
    done = run("load", path)
    assert done.status == EXIT_USAGE
    assert expected in done.err
    assert re.search(rf"^error: {re.escape(str(path))}:\d+: ", done.err, re.MULTILINE)
    assert "cannot read the listing" in done.err
    _assert_unchanged(settings, published)


def test_a_huge_line_is_refused(
    run: Runner, settings: Settings, published: Published, tmp_path: Path, listing: Listing
) -> None:
    paragraph = listing.entries[3].paragraphs[0].text
    huge = "  " + " ".join([paragraph] * (MAX_LINE // len(paragraph) + 2))
    lines = list(listing.lines)
    lines.insert(100, huge)
    path = _write(tmp_path, "\n".join(lines))
    done = run("load", path)
    assert done.status == EXIT_USAGE
    assert f"error: {path}:101: the line is {len(huge)} characters long" in done.err
    # the whole listing on one line: its line breaks lost
    path = _write(tmp_path, " ".join(listing.lines), "one-line.txt")
    done = run("load", path)
    assert done.status == EXIT_USAGE
    assert f"error: {path}:1: the line is " in done.err
    _assert_unchanged(settings, published)


# --------------------------------------------------------------------------------------
# truncated copies


def _cut_inside(listing: Listing, index: int, where: str) -> tuple[str, int]:
    """The listing cut in the middle of a line of entry ``index`` (its middle or its last
    paragraph); the text and that line."""
    entry = listing.entries[index]
    paragraph = len(entry.paragraphs) // 2 if where == "middle" else -1
    line = entry.paragraphs[paragraph].line
    half = listing.lines[line - 1][: len(listing.lines[line - 1]) // 2].rstrip()
    half = half.rstrip(".!?:;)]»\"”' ")
    return "\n".join([*listing.lines[: line - 1], half]), line


@pytest.mark.parametrize(
    ("index", "where"),
    [(0, "middle"), (10, "middle"), (40, "middle"), (82, "middle"), (10, "last"), (60, "last")],
)
def test_a_copy_cut_inside_an_entry_is_refused(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
    index: int,
    where: str,
) -> None:
    text, line = _cut_inside(listing, index, where)
    path = _write(tmp_path, text)
    done = run("load", path)
    assert done.status == EXIT_INVALID, done.err
    assert f"warning: {path}:{line}: the listing ends in the middle of a line" in done.err
    assert "nothing published" in done.err
    # refused by the gate (the entry lost its kind) or by the guard (the later sources are
    # missing); either way the report names lines of the listing as errors
    errors = done.lines_starting(f"error: {path}:")
    assert errors
    if "does not conform" not in done.out:
        assert all(f"<{iri}>" in done.err for iri in listing.sources[index + 1 :])
    _assert_unchanged(settings, published)


def test_a_cut_in_the_last_paragraph_of_the_listing_is_reported(
    run: Runner, settings: Settings, published: Published, tmp_path: Path, listing: Listing
) -> None:
    """The one cut that neither the gate nor the guard may refuse: inside the last entry,
    after what gives its kind. The warning names the line; a fact the cut lost would be
    noted on the entry's line; with none lost the graph is the one published before."""
    before = _listing_graph(settings)
    last = listing.entries[-1]
    text, line = _cut_inside(listing, len(listing.entries) - 1, "last")
    path = _write(tmp_path, text)
    done = run("load", path)
    assert f"warning: {path}:{line}: the listing ends in the middle of a line" in done.err
    if done.status != EXIT_OK:
        assert done.status == EXIT_INVALID
        assert done.lines_starting(f"error: {path}:")
        _assert_unchanged(settings, published)
    elif done.lines_starting("note: "):
        assert done.lines_starting(f"note: {path}:{last.line}: <{listing.sources[-1]}>")
    else:
        assert _facts(_listing_graph(settings)) == _facts(before)


@pytest.mark.parametrize("index", [60, 82])
def test_a_copy_cut_between_entries_is_refused_naming_the_missing_sources(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
    index: int,
) -> None:
    text = "\n".join(listing.lines[: listing.entries[index].line - 1]) + "\n"
    end = len(split_lines(text))
    path = _write(tmp_path, text)
    done = run("load", path)
    assert done.status == EXIT_INVALID
    assert "does not conform" not in done.out  # the shapes pass: only the guard refuses
    errors = done.lines_starting("error: ")
    for iri in listing.sources[index:]:
        (line,) = [e for e in errors if f"<{iri}>" in e and "is missing" in e]
        assert line.startswith(f"error: {path}:{end}: "), line
        assert "the published graph lists it" in line
    assert "--allow-removals" in done.err
    # the page's own count is a warning, as for the real listing
    assert f"but {index} entries were found" in done.err
    _assert_unchanged(settings, published)


def test_allow_removals_publishes_without_them_and_says_so(
    run: Runner, settings: Settings, tmp_path: Path, listing: Listing, listing_path: Path
) -> None:
    last = listing.entries[-1]
    path = _write(tmp_path, "\n".join(listing.lines[: last.line - 1]) + "\n")
    done = run("load", path, "--allow-removals")
    assert done.status == EXIT_OK
    (warning,) = [w for w in done.lines_starting("warning: ") if "is missing" in w]
    assert f"<{listing.sources[-1]}>" in warning
    assert "removed 1 source(s) (--allow-removals)" in done.err
    assert _listed(settings) == listing.sources[:-1]
    # the whole listing again: the source comes back, and is noted as new
    done = run("load", listing_path)
    assert done.status == EXIT_OK
    assert f"note: {listing_path}:{last.line}: <{listing.sources[-1]}> is new" in done.err
    assert _listed(settings) == listing.sources


def test_validate_compares_with_the_published_graph(
    run: Runner, tmp_path: Path, listing: Listing
) -> None:
    path = _write(tmp_path, "\n".join(listing.lines[: listing.entries[-1].line - 1]) + "\n")
    done = run("validate", path)
    assert done.status == EXIT_INVALID
    assert f"<{listing.sources[-1]}>" in done.err
    assert run("validate", path, "--allow-removals").status == EXIT_OK
    nothing_published = _settings(tmp_path, tmp_path / "no-store")
    assert main(["validate", str(path)], nothing_published) == EXIT_OK


# --------------------------------------------------------------------------------------
# repeated entries: refused, never a second source


@pytest.mark.parametrize("where", ["next", "end", "other-text"])
def test_a_repeated_entry_is_refused_naming_both_lines(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
    where: str,
) -> None:
    entry, iri = listing.entries[20], listing.sources[20]
    block = listing.block(20)
    if where == "other-text":
        block = block[:-1]
    lines = list(listing.lines)
    at = entry.last_line if where != "end" else len(lines)
    lines[at:at] = ["", *block]
    second = at + 2
    path = _write(tmp_path, "\n".join(lines))
    done = run("load", path)
    assert done.status == EXIT_INVALID
    (error,) = [e for e in done.lines_starting("error: ") if "repeats" in e]
    assert error.startswith(f"error: {path}:{second}: ")
    assert f"repeats the entry on line {entry.line} (<{iri}>)" in error
    assert ("with other text" if where == "other-text" else "word for word") in error
    _assert_unchanged(settings, published)


# --------------------------------------------------------------------------------------
# reordered and garbled copies


def _reorder(listing: Listing, seed: int) -> list[str]:
    """The entries shuffled into one another's places; headings and blank lines stay."""
    spans = [(entry.line - 1, entry.last_line) for entry in listing.entries]
    order = list(range(len(spans)))
    random.Random(seed).shuffle(order)
    out: list[str] = []
    position = 0
    for (start, end), index in zip(spans, order, strict=True):
        out += listing.lines[position:start] + listing.block(index)
        position = end
    return out + listing.lines[position:]


def test_reordered_entries_publish_the_same_sources_and_facts(
    run: Runner,
    settings: Settings,
    tmp_path: Path,
    listing: Listing,
) -> None:
    before = _listing_graph(settings)
    path = _write(tmp_path, "\n".join(_reorder(listing, 83)))
    done = run("load", path)
    assert done.status == EXIT_OK, done.err
    order = [w for w in done.lines_starting("warning: ") if "alphabetical order" in w]
    assert order
    assert all(re.match(rf"warning: {re.escape(str(path))}:\d+: ", w) for w in order)
    assert "differs from the published graph" not in done.err
    assert "is missing" not in done.err
    after = _listing_graph(settings)
    assert set(_listed(settings)) == set(listing.sources)
    assert _listed(settings) != listing.sources
    assert _facts(after) == _facts(before)


def _heading_line(listing: Listing, index: int) -> int:
    """The line of the letter heading entry ``index`` is filed under."""
    entry = listing.entries[index]
    return next(n for n in range(entry.line - 1, 0, -1) if _HEADING.match(listing.lines[n - 1]))


def test_a_deleted_heading_is_reported_and_changes_no_fact(
    run: Runner, settings: Settings, tmp_path: Path, listing: Listing
) -> None:
    before = _listing_graph(settings)
    index = next(i for i, e in enumerate(listing.entries) if e.heading == "N")
    heading = _heading_line(listing, index)
    lines = list(listing.lines)
    del lines[heading - 1]
    path = _write(tmp_path, "\n".join(lines))
    done = run("load", path)
    assert done.status == EXIT_OK, done.err
    moved = listing.entries[index].line - 1
    assert f"warning: {path}:{moved}: " in done.err
    assert "is filed under the letter" in done.err
    assert "differs from the published graph" not in done.err
    assert _listed(settings) == listing.sources
    assert _facts(_listing_graph(settings)) == _facts(before)


def test_a_lost_title_line_is_refused_naming_where_the_entry_was(
    run: Runner,
    settings: Settings,
    published: Published,
    tmp_path: Path,
    listing: Listing,
) -> None:
    """Without its bullet line, an entry's text runs on into the one before it."""
    lost, before, after = listing.entries[20], listing.entries[19], listing.entries[21]
    lines = list(listing.lines)
    del lines[lost.line - 1]
    path = _write(tmp_path, "\n".join(lines))
    done = run("load", path)
    assert done.status == EXIT_INVALID, done.err
    (error,) = [e for e in done.lines_starting("error: ") if f"<{listing.sources[20]}>" in e]
    line = int(error.split(":")[2])
    assert before.line <= line <= after.line - 1, error
    assert "is missing" in error
    # the entry before it now holds its text: noted on that entry's line
    assert f"note: {path}:{before.line}: <{listing.sources[19]}>" in done.err
    _assert_unchanged(settings, published)


def test_paragraphs_swapped_between_entries_are_noted_on_both(
    run: Runner, settings: Settings, tmp_path: Path, listing: Listing
) -> None:
    """Text that moves between entries keeps every source, and moves facts with it: nothing
    in the text says which copy is right, so the load goes ahead, and the report names both
    entries' lines as differing from the published graph."""
    first, second = listing.entries[10].paragraphs[0], listing.entries[50].paragraphs[0]
    lines = list(listing.lines)
    lines[first.line - 1], lines[second.line - 1] = lines[second.line - 1], lines[first.line - 1]
    path = _write(tmp_path, "\n".join(lines))
    done = run("load", path)
    notes = [n for n in done.lines_starting("note: ") if "differs from the published" in n]
    if done.status == EXIT_OK:
        assert any(n.startswith(f"note: {path}:{listing.entries[10].line}: ") for n in notes)
        assert any(n.startswith(f"note: {path}:{listing.entries[50].line}: ") for n in notes)
        assert set(_listed(settings)) == set(listing.sources)
    else:
        assert done.status == EXIT_INVALID
        assert done.lines_starting(f"error: {path}:")


def test_the_real_listing_over_itself_is_quiet(
    run: Runner, settings: Settings, published: Published, listing_path: Path
) -> None:
    done = run("load", listing_path)
    assert done.status == EXIT_OK
    assert not done.lines_starting("error: ")
    assert not done.lines_starting("note: ")
    assert [w for w in done.lines_starting("warning: ") if "says it lists" not in w] == []
    # the same graphs (the ontology's blank nodes are renamed by each publish)
    now, then = Dataset(), Dataset()
    now.parse(data=_dump(settings), format="nquads")
    then.parse(data=published.export, format="nquads")
    names = {g.identifier for g in then.graphs() if len(g)}
    assert {g.identifier for g in now.graphs() if len(g)} == names
    for name in names:
        assert to_isomorphic(now.graph(name)) == to_isomorphic(then.graph(name)), name
