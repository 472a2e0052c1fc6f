"""The structure of a text copy of the helsedata.no listing: entries, paragraphs, sentences.

The copy looks like this (invented example)::

    Datakilder
     • Velg type datakilde å filtrere på      <- filter menu, not a source
    12 datakilder                             <- the page's own count
    A
     • Apotekregisteret (APR)                 <- a source: " • " and its title
      First paragraph of the entry.           <- the body, indented two spaces
      • a bullet inside the body
    B

Single letters (or digits) on their own line are alphabet headings. Each paragraph of the
body is one line. This module knows nothing about what the entries say; see
:mod:`helsegraf.loaders.helsedata` for that.

>>> doc = parse_listing(" • Alfa (A)\\n\\n  Registeret er lite. Det er nytt.\\n")
>>> [(e.line, e.head) for e in doc.entries]
[(1, 'Alfa (A)')]
>>> [s.text for s in doc.entries[0].sentences()]
['Registeret er lite.', 'Det er nytt.']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListingWarning:
    """Something in the listing the loader could not read as expected."""

    line: int
    message: str


@dataclass(frozen=True)
class Sentence:
    """One sentence of an entry; ``line`` is the line of the paragraph it is in."""

    line: int
    text: str
    paragraph: int
    bullet: bool


@dataclass
class Paragraph:
    """One line of an entry's body (``bullet`` when it is an item of a list)."""

    line: int
    text: str
    bullet: bool = False


@dataclass
class Entry:
    """One source of the listing: its bullet line and its body."""

    line: int
    head: str
    heading: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def last_line(self) -> int:
        """The last line with text of the entry (its bullet line when it has no body)."""
        return self.paragraphs[-1].line if self.paragraphs else self.line

    def sentences(self, *, include_head: bool = False) -> list[Sentence]:
        """The sentences of the body (and of the bullet line when ``include_head``)."""
        out: list[Sentence] = []
        paragraphs = list(self.paragraphs)
        if include_head:
            paragraphs.insert(0, Paragraph(self.line, self.head))
        for index, para in enumerate(paragraphs):
            for text in split_sentences(para.text):
                out.append(Sentence(para.line, text, index, para.bullet))
        return out


@dataclass
class ParsedListing:
    """The entries of a listing and what was odd about it."""

    entries: list[Entry]
    warnings: list[ListingWarning]
    #: (line, number) of the page's own "N datakilder" line, when present.
    claimed_count: tuple[int, int] | None = None
    #: how many lines the text has
    line_count: int = 0


_HEADING_RE = re.compile(r"^ ?([A-ZÆØÅ0-9])\s*$")
_TOP_BULLET_RE = re.compile(r"^ ?[•·*] ?(?P<text>.*?)\s*$")
_BODY_BULLET_RE = re.compile(r"^[•·*]\s*")
_COUNT_RE = re.compile(r"^\s*(\d+)\s+datakilder\s*$", re.IGNORECASE)
_FILTER_RE = re.compile(r"^Velg\b.*\bfiltrere\b", re.IGNORECASE)
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
#: How a finished line of text ends: a full stop, a colon, a closing mark or the like.
_FINISHED_RE = re.compile(r"[.!?:;)\]»\"”']\s*$")
_GARBLED_RE = re.compile(r"\ufffd|Ã[\u0080-\u00bf]|Ã[¦¸¥†˜…]|â€|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = ("St.", "jf.", "jfr.", "ca.", "bl.a.", "f.eks.", "nr.", "mill.", "o.l.", "dvs.")


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, split at ``\\n``, ``\\r\\n`` or ``\\r`` only, so that line numbers
    are those an editor or ``grep -n`` shows (``str.splitlines`` also splits at form feeds
    and other separators).

    >>> split_lines("a\\r\\nb\\x0cc\\rd\\n")
    ['a', 'b\\x0cc', 'd']
    """
    lines = _LINE_BREAK_RE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def normalise_space(text: str) -> str:
    """NFC, no-break spaces as spaces, runs of white space collapsed.

    >>> normalise_space("a\\u00a0 b  c ")
    'a b c'
    """
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u2009", " ")
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences at ``.``, ``!`` or ``?`` followed by a capital,
    a digit or an opening mark, but not after common abbreviations such as ``St.``.

    >>> split_sentences("St. Olavs hospital HF er her. Det er 1. januar. Ja.")
    ['St. Olavs hospital HF er her.', 'Det er 1. januar.', 'Ja.']
    """
    text = normalise_space(_BODY_BULLET_RE.sub("", text.strip()))
    if not text:
        return []
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?](?=\s+[A-ZÆØÅ0-9«\"(])", text):
        candidate = text[start : match.end()]
        if candidate.endswith(_ABBREVIATIONS):
            continue
        out.append(candidate.strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def garbled(text: str) -> bool:
    """True when a line shows replacement characters, mojibake or control characters.

    >>> garbled("Helse Bergen HF"), garbled("Helse B\\ufffdrgen"), garbled("FÃ¸dsel")
    (False, True, True)
    """
    return bool(_GARBLED_RE.search(text))


def repair_mojibake(text: str) -> str | None:
    """The text decoded again when it is UTF-8 that was read as Latin-1 or Windows-1252
    (``Ã¸`` for ``ø``, ``â€¢`` for ``•``); None when it does not look like that or the
    repair does not give clean text.

    >>> repair_mojibake("Fødsel i Tromsø".encode("utf-8").decode("latin-1"))
    'Fødsel i Tromsø'
    >>> repair_mojibake("Fødsel i Tromsø") is None
    True
    """
    marks = len(re.findall(r"Ã[\u0080-\u00bf¦¸¥]|â€|â\x80", text))
    if marks < 2:
        return None
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(re.findall(r"Ã[\u0080-\u00bf¦¸¥]|â€", repaired)) < marks:
            return repaired
    return None


def parse_listing(text: str) -> ParsedListing:
    """Split the listing text into entries. Never raises; oddities become warnings."""
    warnings: list[ListingWarning] = []
    entries: list[Entry] = []
    claimed: tuple[int, int] | None = None
    heading: str | None = None
    current: Entry | None = None
    lines = split_lines(text)
    for number, raw in enumerate(lines, start=1):
        line = raw.replace("\u00a0", " ").replace("\t", "    ")
        if garbled(line):
            warnings.append(
                ListingWarning(number, "the line holds garbled characters (bad encoding?)")
            )
        if not line.strip():
            continue
        heading_match = _HEADING_RE.match(line)
        if heading_match:
            heading = heading_match.group(1)
            current = None
            continue
        count_match = _COUNT_RE.match(line)
        if count_match and current is None:
            claimed = (number, int(count_match.group(1)))
            continue
        top = _TOP_BULLET_RE.match(line)
        if top and not line.startswith("  "):
            head = normalise_space(top.group("text"))
            if _FILTER_RE.match(head):
                current = None
                continue
            if not head:
                warnings.append(ListingWarning(number, "a bullet with no text was ignored"))
                continue
            current = Entry(number, head, heading)
            entries.append(current)
            continue
        if current is None:
            # Page furniture before the first source (menu, search box, counts).
            continue
        stripped = line.strip()
        is_bullet = bool(_BODY_BULLET_RE.match(stripped))
        if not line.startswith("  "):
            warnings.append(
                ListingWarning(
                    number,
                    "an unindented line inside an entry was read as part of the entry "
                    f"that starts on line {current.line}",
                )
            )
        body = normalise_space(_BODY_BULLET_RE.sub("", stripped))
        if body:
            current.paragraphs.append(Paragraph(number, body, is_bullet))
    if current is not None and _cut_off(text, lines, current):
        warnings.append(
            ListingWarning(
                len(lines),
                "the listing ends in the middle of a line of the entry that starts on line "
                f"{current.line}: the copy may have been cut off here",
            )
        )
    return ParsedListing(entries, warnings, claimed, len(lines))


def _cut_off(text: str, lines: list[str], last: Entry) -> bool:
    """Does the text stop inside ``last``, on a line with no line break and unfinished text
    after it? (A copy cut at a byte count; a copy that ends on a heading, as the page does,
    or with a line break is not suspected.)"""
    if text.endswith(("\n", "\r")) or last.last_line != len(lines):
        return False
    return not _FINISHED_RE.search(lines[-1])


__all__ = [
    "Entry",
    "ListingWarning",
    "Paragraph",
    "ParsedListing",
    "Sentence",
    "garbled",
    "normalise_space",
    "parse_listing",
    "repair_mojibake",
    "split_lines",
    "split_sentences",
]
