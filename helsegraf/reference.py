"""Reference tables: organisations, acts and regulations, and the names that point to them.

The tables live in ``data/reference/*.csv`` (copies of the verified identifiers kept in
``../shared/reference/``) and are read at run time. This module turns them into

* :func:`reference_graph`, the RDF of the ``reference`` named graph: organisations
  (``foaf:Organization``) and acts and regulations (``eli:LegalResource``);
* :class:`Reference`, the lookups a loader needs to turn a name found in a text
  ("FHI", "Nordlandsykehuset HF", "Hjerte og- karregisterforskriften") into an IRI.

Organisations that the helsedata.no listing names but the CSV does not hold (Datatilsynet,
HELFO, Forsvarets sanitet, ...) are organisations all the same, only without an
organisation number: an identifier is never invented.

>>> ref = load_reference()
>>> ref.organisation("FHI").name
'Folkehelseinstituttet'
>>> str(ref.organisation("Riksarkivaren").iri)
'https://w3id.org/helsegraf/id/organisation/arkivverket'
>>> ref.legal_source("Hjerte og- karregisterforskriften").lovdata_id
'FOR-2011-12-16-1250'
>>> slugify("40-åringsundersøkelsene")
'40-aringsundersokelsene'
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal, URIRef

from helsegraf import paths
from helsegraf.namespaces import (
    DCTERMS,
    ELI,
    FOAF,
    HG,
    ID,
    ORG,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
)

#: Where the reference CSVs live in a source checkout.
REFERENCE_DIR = paths.REFERENCE_DIR

LegalKind = TypingLiteral["act", "regulation"]

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def slugify(text: str) -> str:
    """The slug rule of ``docs/data-model.md``: lower-case ASCII, ``æ→ae ø→o å→a``, other
    letters stripped of accents, runs of anything else become ``-``.

    >>> slugify("Nasjonalt kvalitetsregister for ryggkirurgi")
    'nasjonalt-kvalitetsregister-for-ryggkirurgi'
    >>> slugify("ABLA NOR")
    'abla-nor'
    >>> slugify("Dødsårsaksregisteret")
    'dodsarsaksregisteret'
    """
    folded = text.translate(_FOLD)
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_key(name: str) -> str:
    """A matching key for a name: case, spacing, hyphens and punctuation ignored.

    >>> name_key("Hjerte og- karregisterforskriften")
    'hjerteogkarregisterforskriften'
    >>> name_key("Hjerte- og karregisterforskriften")
    'hjerteogkarregisterforskriften'
    """
    text = unicodedata.normalize("NFC", name).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class Organisation:
    """An organisation of the reference graph."""

    iri: URIRef
    name: str
    short_names: tuple[str, ...] = ()
    orgnr: str | None = None
    notes: tuple[str, ...] = ()
    parent: URIRef | None = None
    hidden_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalSource:
    """An act or regulation. ``iri`` is its ELI work IRI, or ``hgid:legal/<slug>``."""

    iri: URIRef
    name: str
    kind: LegalKind
    lovdata_id: str | None
    eli: str | None
    notes: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        """The slug used in provision IRIs (``hgid:provision/<slug>-<section>``)."""
        return slugify(self.name)

    def section_url(self, section: str) -> URIRef | None:
        """Lovdata's page for one section, per ``../shared/reference/README.md``.

        >>> load_reference().legal_source("helseregisterloven").section_url("7")
        rdflib.term.URIRef('https://lovdata.no/lov/2014-06-20-43/§7')
        """
        if not self.lovdata_id:
            return None
        match = re.fullmatch(r"(LOV|FOR)-(\d{4}-\d{2}-\d{2}-\d+)", self.lovdata_id)
        if not match:
            return None
        prefix = "lov" if match.group(1) == "LOV" else "forskrift"
        return URIRef(f"https://lovdata.no/{prefix}/{match.group(2)}/§{section}")


# Organisations the listing names that organisations.csv does not hold. No organisation
# number is given for them: none is in the verified table, and none is invented.
_EXTRA_ORGANISATIONS: tuple[tuple[str, tuple[str, ...], str | None, str], ...] = (
    ("Datatilsynet", (), None, "Named in the listing as the authority granting licences."),
    (
        "HELFO",
        (),
        "Helsedirektoratet",
        "Named in the listing as an outer agency of Helsedirektoratet.",
    ),
    ("Forsvaret", (), None, "Parent of Forsvarets sanitet."),
    ("Forsvarets sanitet", (), "Forsvaret", "The medical service of the Norwegian armed forces."),
)

# Name variants and misspellings seen in the listing, mapped to the canonical name.
_ORGANISATION_ALIASES: dict[str, str] = {
    "Folkehelseinstituttet (FHI)": "Folkehelseinstituttet",
    "Nasjonalt folkehelseinstitutt": "Folkehelseinstituttet",
    "FHIs": "Folkehelseinstituttet",
    "Nordlandsykehuset HF": "Nordlandssykehuset HF",
    "Nordlandssykehuset": "Nordlandssykehuset HF",
    "Helse Bergen": "Helse Bergen HF",
    "Oslo universitetssykehus": "Oslo universitetssykehus HF",
    "St. Olavs hospital": "St. Olavs hospital HF",
    "St. Olavs Hospital HF": "St. Olavs hospital HF",
    "Sykehuset i Vestfold": "Sykehuset i Vestfold HF",
    "Sykehuset Telemark": "Sykehuset Telemark HF",
    "Universitetssykehuset Nord-Norge": "Universitetssykehuset Nord-Norge HF",
    "Helsedirektoratets ytre etat HELFO": "HELFO",
    "Riksarkivaren": "Arkivverket",
    "Statistisk sentralbyrå (SSB)": "Statistisk sentralbyrå",
}

# Names under which the listing cites acts and regulations, beyond the CSV's own names.
_LEGAL_ALIASES: dict[str, str] = {
    "arkivloven": "arkivloven",
    "MSIS-forskriften": "MSIS-registerforskriften",
    "SYSVAK-forskriften": "SYSVAK-registerforskriften",
    "Norsk pasientregisterforskrift": "Norsk pasientregisterforskriften",
    "NPR-forskriften": "Norsk pasientregisterforskriften",
    "forskrift om Reseptregisteret": "Reseptregisterforskriften",
    "Forskrift om innsamling og behandling av helseopplysninger i Reseptbasert "
    "legemiddelregister (Reseptregisteret)": "Reseptregisterforskriften",
    "Forskrift om innsamling og behandling av helseopplysninger i Reseptbasert "
    "legemiddelregister": "Reseptregisterforskriften",
    "Forskrift om pseudonymt register for individbasert pleie- og omsorgsstatistikk": (
        "IPLOS-forskriften"
    ),
    "KPR-forskriften": "Forskrift om kommunalt pasient- og brukerregister",
    "Hjerte- og karregisterforskrift": "Hjerte- og karregisterforskriften",
}

_SECONDARY_ORG_NOTE = (
    "The organisation number comes from secondary sources and passes the mod-11 check; "
    "it was not checked against the live Enhetsregisteret."
)
_SECONDARY_LEGAL_NOTE = (
    "The Lovdata identifier comes from secondary sources and was not confirmed on Lovdata; "
    "do not present it as authoritative."
)
_NO_ELI_NOTE = (
    "No Lovdata identifier or ELI is known for this regulation, so none is given; "
    "the IRI is a helsegraf identifier."
)


@dataclass
class Reference:
    """The reference tables with their name lookups."""

    organisations: list[Organisation]
    legal_sources: list[LegalSource]
    _org_index: dict[str, Organisation] = field(default_factory=dict, repr=False)
    _legal_index: dict[str, LegalSource] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_name = {org.name: org for org in self.organisations}
        for org in self.organisations:
            for label in (org.name, *org.short_names, *org.hidden_labels):
                self._org_index.setdefault(name_key(label), org)
        for alias, canonical in _ORGANISATION_ALIASES.items():
            if canonical in by_name:
                self._org_index.setdefault(name_key(alias), by_name[canonical])
        legal_by_name = {src.name: src for src in self.legal_sources}
        for src in self.legal_sources:
            self._legal_index.setdefault(_legal_key(src.name), src)
        for alias, canonical in _LEGAL_ALIASES.items():
            if canonical in legal_by_name:
                self._legal_index.setdefault(_legal_key(alias), legal_by_name[canonical])

    # -- organisations -------------------------------------------------------------------

    def organisation(self, name: str) -> Organisation | None:
        """The organisation a name stands for, or None. Tolerates case, spacing, a trailing
        abbreviation in parentheses and a genitive ``-s``.

        >>> load_reference().organisation("Helsedirektoratets").name
        'Helsedirektoratet'
        >>> load_reference().organisation("Nordlandsykehuset HF").name
        'Nordlandssykehuset HF'
        >>> load_reference().organisation("Helse Nordkapp HF") is None
        True
        """
        cleaned = " ".join(name.split()).strip(" ,.;:")
        candidates = [cleaned]
        paren = re.fullmatch(r"(?P<base>.+?)\s*\((?P<inner>[^()]+)\)", cleaned)
        if paren:
            candidates += [paren.group("base"), paren.group("inner")]
        for candidate in candidates:
            found = self._org_index.get(name_key(candidate))
            if found is not None:
                return found
        for candidate in candidates:
            if candidate.endswith("s") and len(candidate) > 4:
                found = self._org_index.get(name_key(candidate[:-1]))
                if found is not None:
                    return found
        return None

    def similar_organisation(self, name: str, cutoff: float = 0.92) -> Organisation | None:
        """An organisation whose name is nearly the same as ``name`` (a misspelling), or None."""
        key = name_key(name)
        match = difflib.get_close_matches(key, list(self._org_index), n=1, cutoff=cutoff)
        return self._org_index[match[0]] if match else None

    # -- acts and regulations ------------------------------------------------------------

    def legal_source(self, name: str) -> LegalSource | None:
        """The act or regulation a name stands for, or None.

        >>> load_reference().legal_source("forskrift om Reseptregisteret").name
        'Reseptregisterforskriften'
        >>> load_reference().legal_source("Norsk pasientregisterforskrift").lovdata_id
        'FOR-2007-12-07-1389'
        """
        cleaned = re.sub(r"\s*\((?:lovdata\.no|[a-z-]+\.no)\)\s*$", "", name.strip())
        return self._legal_index.get(_legal_key(cleaned))

    def legal_names(self) -> list[str]:
        """Every name (canonical or alias) under which an act or regulation is known,
        longest first, for building a text scanner."""
        names = {src.name for src in self.legal_sources}
        names.update(alias for alias, canonical in _LEGAL_ALIASES.items())
        return sorted(names, key=lambda n: (-len(n), n))

    # -- RDF -----------------------------------------------------------------------------

    def graph(self) -> Graph:
        """The reference named graph: organisations, acts and regulations."""
        g = Graph()
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
        g.bind("org", str(ORG))
        for org in self.organisations:
            g.add((org.iri, RDF.type, FOAF.Organization))
            g.add((org.iri, FOAF.name, Literal(org.name, lang="nb")))
            if org.orgnr:
                g.add((org.iri, DCTERMS.identifier, Literal(org.orgnr)))
            for short in org.short_names:
                g.add((org.iri, SKOS.altLabel, Literal(short, lang="nb")))
            for hidden in org.hidden_labels:
                g.add((org.iri, SKOS.hiddenLabel, Literal(hidden, lang="nb")))
            for note in org.notes:
                g.add((org.iri, SKOS.editorialNote, Literal(note, lang="en")))
            if org.parent is not None:
                g.add((org.iri, ORG.subOrganizationOf, org.parent))
        for src in self.legal_sources:
            g.add((src.iri, RDF.type, ELI.LegalResource))
            g.add((src.iri, RDF.type, HG.Act if src.kind == "act" else HG.Regulation))
            g.add((src.iri, RDFS.label, Literal(src.name, lang="nb")))
            if src.lovdata_id:
                g.add((src.iri, ELI.id_local, Literal(src.lovdata_id)))
            for note in src.notes:
                g.add((src.iri, SKOS.editorialNote, Literal(note, lang="en")))
        return g


def _legal_key(name: str) -> str:
    """Matching key for act/regulation names; the definite ``-en`` of ``-forskriften``
    is ignored, so "Norsk pasientregisterforskrift" and "...forskriften" meet."""
    key = name_key(name)
    if key.endswith("forskriften"):
        key = key[: -len("en")]
    return key


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(handle)
        ]


def _organisations(rows: Iterable[dict[str, str]]) -> list[Organisation]:
    orgs: list[Organisation] = []
    by_name: dict[str, URIRef] = {}
    for row in rows:
        name = row.get("name_nb", "")
        if not name:
            continue
        iri = ID[f"organisation/{slugify(name)}"]
        notes: list[str] = []
        status = row.get("status", "")
        if "secondary sources" in status:
            notes.append(_SECONDARY_ORG_NOTE)
        if row.get("note"):
            notes.append(row["note"])
        orgnr = row.get("orgnr") or None
        short = tuple(s for s in (row.get("short", ""),) if s)
        hidden = ("Riksarkivaren",) if name == "Arkivverket" else ()
        if hidden:
            notes.append(
                "The listing names Riksarkivaren, the head of Arkivverket, where Arkivverket "
                "is meant; Riksarkivaren has no organisation number of its own."
            )
        orgs.append(
            Organisation(
                iri=iri,
                name=name,
                short_names=short,
                orgnr=orgnr,
                notes=tuple(notes),
                hidden_labels=hidden,
            )
        )
        by_name[name] = iri
    for name, short, parent, note in _EXTRA_ORGANISATIONS:
        if name in by_name:
            continue
        iri = ID[f"organisation/{slugify(name)}"]
        by_name[name] = iri
        orgs.append(
            Organisation(
                iri=iri,
                name=name,
                short_names=short,
                notes=(note, "No organisation number is recorded in the reference table."),
                parent=by_name.get(parent) if parent else None,
            )
        )
    return orgs


def _legal_sources(rows: Iterable[dict[str, str]]) -> list[LegalSource]:
    sources: list[LegalSource] = []
    for row in rows:
        raw_name = row.get("name_nb", "")
        if not raw_name:
            continue
        notes: list[str] = []
        # "arkivloven (1992; replaced by ...)": the name is the part before the remark.
        remark = re.fullmatch(r"(?P<name>[^()]+?)\s*\((?P<remark>.+)\)", raw_name)
        name = remark.group("name") if remark else raw_name
        if remark:
            notes.append(f"Reference table remark: {remark.group('remark')}.")
        lovdata_id = row.get("lovdata_id") or None
        eli = row.get("eli_work_iri") or None
        status = row.get("status", "")
        if "secondary sources" in status:
            notes.append(_SECONDARY_LEGAL_NOTE)
        kind: LegalKind
        if lovdata_id:
            kind = "act" if lovdata_id.startswith("LOV-") else "regulation"
        else:
            kind = "regulation" if "forskrift" in name.casefold() else "act"
        if eli:
            iri = URIRef(eli)
        else:
            iri = ID[f"legal/{slugify(name)}"]
            notes.append(_NO_ELI_NOTE)
        sources.append(
            LegalSource(
                iri=iri, name=name, kind=kind, lovdata_id=lovdata_id, eli=eli, notes=tuple(notes)
            )
        )
    return sources


def load_reference(directory: Path | None = None) -> Reference:
    """Read the reference tables (``data/reference`` by default). Cached per directory."""
    return _load_reference(str((directory or REFERENCE_DIR).resolve()))


@lru_cache(maxsize=4)
def _load_reference(directory: str) -> Reference:
    base = Path(directory)
    return Reference(
        organisations=_organisations(_read_csv(base / "organisations.csv")),
        legal_sources=_legal_sources(_read_csv(base / "legal-sources.csv")),
    )


def reference_graph(directory: Path | None = None) -> Graph:
    """The RDF of the ``reference`` named graph (a fresh graph on each call).

    >>> g = reference_graph()
    >>> from rdflib import URIRef
    >>> (URIRef("https://lovdata.no/eli/lov/2014/06/20/43"), RDF.type, HG.Act) in g
    True
    """
    return load_reference(directory).graph()


__all__ = [
    "REFERENCE_DIR",
    "LegalSource",
    "Organisation",
    "Reference",
    "load_reference",
    "name_key",
    "reference_graph",
    "slugify",
]
