"""Independent check of the facts the helsedata.no listing states, source by source.

Every expectation below comes from a reading of ``../shared/seeds/helsedata-datakilder.txt``
(the ``line`` of each record is the line of its bullet in that copy), never from the loader's
output. Each record pins one listed source; the parametrised test queries the published graph
(the ``store`` fixture: the union of the named graphs) and compares exact sets, field by field.

Conventions of the table
------------------------
* ``consent=None``, ``start=None``, ``via_helsedata=None`` and empty sets mean *the listing
  does not say it, so the graph must not state it either*.
* A field named in ``unpinned`` is left out on purpose: the listing is unclear there (see the
  list below). A field named in ``at_least`` is compared as a subset (expected <= found).
* Organisations are matched by their organisation number where the reference CSV has one
  (``dct:identifier``), else by ``foaf:name`` (``"name:..."``).
* Provisions are matched by ``rdfs:label`` (normalised: case, spacing, "bokstav") together
  with ``eli:is_part_of`` the act's ELI IRI; whole acts and regulations by their ELI IRI.
* Kinds: a register that the listing calls central, or whose basis is helseregisterloven § 11
  (the section on central health registers), is a CentralHealthRegister; the SSB variable lists
  are StatisticalDataCollections; the FHI surveys PopulationHealthSurveys.
* No source in the listing is pinned with end year "today": "til i dag" means no end date.

Left out on purpose (the listing is unclear or contradicts itself)
-------------------------------------------------------------------
1. 40-åringsundersøkelsene (l. 14): two start years are given (the Oslo part from 1981, the
   county surveys from 1985); only the end year 1999 is pinned.
2. The FHI survey entries repeat a paragraph naming the population-survey regulation as a
   condition for access. Whether that makes it the survey's regulation or legal basis is not
   said, so legal basis and regulation are unpinned for those surveys (MoBa's own basis,
   l. 480, is pinned). Consent is unpinned for surveys that only say people were invited or
   took part (40-års, both Fylkes surveys, Innvandrer-HUBRO, MoRo, Skjermbilde, Ungdom).
   FHI "handling the application" in that paragraph is an application-handler role, not a
   processor: processors are pinned empty there.
3. Nasjonalt tvillingregister (l. 1078): called a register but accessed as a health survey;
   kind unpinned. Birth cohorts 1915-1991 and the 2009 merger are not coverage years.
4. MSIS (l. 440): smittevernloven § 7-9 is cited for FHI's surveillance duties, not clearly
   as the register's basis; legal basis is pinned only as containing helseregisterloven
   § 11 d. msis.data@fhi.no (l. 430) is a statistics address, not an access contact.
5. Registers under helseregisterloven § 9 or § 12 (NOIS, NORM, Abortregisteret,
   Reseptregisteret, RAVN, Norsk helsearkiv) are given no kind in the listing: kind unpinned.
6. Norsk helsearkiv (l. 1242): the controller is "Riksarkivaren", an office without its own
   organisation number (it heads Arkivverket): controller and processor unpinned; the opening
   year 2019 is not a coverage year.
7. NIPaR / NIR (l. 1446, 1514): the consent, controller and regulation sentences sit in NIR's
   entry. NIR's own facts are pinned (opt-out, Helse Bergen); NIPaR's controller, processor,
   consent, legal basis and regulation are unpinned, and so are NIR's legal basis and
   regulation (Forskrift om medisinske kvalitetsregistre is cited for coverage and opt-out).
8. HKR membership: ABLA NOR's clause (l. 949) may qualify the treatments rather than the
   register; NORIC is only "tilknyttet" HKR (l. 2005); Norsk hjertestansregister (l. 1367)
   never says it is part of HKR. Their part-of is unpinned and tolerated in the HKR test.
9. Norsk hjertekirurgiregister (l. 1326): only "some data" go back to 1995, start unpinned;
   the entry also uses a short name, alt labels unpinned.
10. Gynekologisk kreft (l. 659/667): cervical cancer data from 2019 versus inclusion "during
    2018"; only the ovarian start year 2012 is pinned.
11. NNK (l. 1753): no consent only until the child is one year old, consent unpinned;
    identifiability unpinned.
12. IPLOS (l. 271-275): set up as pseudonymous yet released only in anonymous form:
    identifiability unpinned. "Inngår i KPR" could be part-of or replaced-by: part-of
    unpinned. The KPR regulation has no ELI and IPLOS-forskriften is historical: regulation
    unpinned.
13. CPRN (l. 107): 1996 is a birth cohort, not a coverage year; the content includes name and
    national ID number but no identifiability statement is made: both unpinned.
14. Years that are founding/opening/merger/recruitment years rather than coverage: SYSVAK
    1995, LKG 2011, NNR 2016, MoBa 1999-2008, MoRo 2000/2003, Ungdom 2000-2004 plus 2008/2009;
    Innvandrer-HUBRO ran in 2002 (start pinned, end unpinned).
15. Fastlegeregisteret (l. 127): no controller is named (Helsedirektoratet releases, HELFO
    maintains); personopplysningsloven is a release condition, not its basis: controller and
    legal basis unpinned.
16. SSB variable lists: no controller or processor named; their titles were lost (l. 70, 76,
    92, 323, 2343) and are curated: title, alt labels, controller and processor unpinned (a
    looser title check is below). Reseptregisteret's real name (l. 2149, 2198) could be
    "Reseptregisteret" or "Reseptbasert legemiddelregister": title/alt unpinned, checked loosely.
17. MoBa, MoRo and SYSVAK carry their short names without parentheses: the title is pinned
    as listed, alt labels unpinned. Fylkesundersøkelsene 1974-1988 has a nickname used in
    another entry (l. 207): alt labels unpinned.
18. NPR (l. 1911-1913): anonymous, de-identified and identifiable appear only as delivery
    categories: identifiability unpinned.
19. MoRo's whole (l. 498) is the MoRo project, named only in passing: checked by name in a
    separate test.
20. HKR (l. 1038): FHI is named controller and processor "for the base register" only, the
    attached registers' processors are unnamed health trusts: HKR's own controller and
    processor are unpinned; the base register's are pinned in the HKR parts test.
21. NNK (l. 381) is called "tilknyttet" (attached to) MFR, the same unclear wording as NORIC
    and HKR: NNK's part-of is unpinned.

The cancer quality registers say they are part of Kreftregisteret's *base register*
(l. 593 etc.): they are pinned as parts of that base register (slug by the mentioned-source
rule, ``basisregisteret-til-kreftregisteret``), which is itself part of Kreftregisteret.

Stated oddities that ARE pinned as written: BDR has no consent although its basis is § 7
(l. 64); Hjertekirurgi- and Hjertestansregisteret require consent although HKR-registers
(l. 1330, 1367); "regulert av helseregisterloven § 7" (hoftebrudd, NorArtritt, LKG, MS,
porfyri) is a legal basis, since a section of an act is not a regulation; "Nordlandsykehuset
HF" (l. 1618) is Nordlandssykehuset HF; "SiV" is Sykehuset i Vestfold HF.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from helsegraf import paths
from helsegraf.namespaces import HG, ID_BASE, sparql_prologue
from helsegraf.store import OxigraphStore

DATASET = ID_BASE + "dataset/"

# --- kinds, consent regimes, identifiability levels (local names in hg:) -------------------
MQR = "MedicalQualityRegister"
CHR = "CentralHealthRegister"
PHS = "PopulationHealthSurvey"
SDC = "StatisticalDataCollection"
ADM = "AdministrativeRegister"
KINDS = (MQR, CHR, PHS, SDC, ADM)

REQUIRED = "ConsentRequired"
NOT_REQUIRED = "ConsentNotRequired"
OPT_OUT = "OptOut"
VOLUNTARY = "VoluntaryParticipation"
REGIMES = (REQUIRED, NOT_REQUIRED, OPT_OUT, VOLUNTARY)

DIRECT = "DirectlyIdentifying"
PSEUDONYMOUS = "Pseudonymous"
DEIDENTIFIED = "DeIdentified"
ANONYMOUS = "Anonymous"
LEVELS = (DIRECT, PSEUDONYMOUS, DEIDENTIFIED, ANONYMOUS)

# --- organisations: orgnr from ../shared/reference/organisations.csv, else "name:..." -------
FHI = "983744516"
HELSE_BERGEN = "983974724"
OUS = "993467049"
UNN = "983974899"
ST_OLAV = "883974832"
SIV = "983975259"
TELEMARK = "983975267"
NORDLAND = "983974910"
HDIR = "983544622"
SSB = "971526920"
ARKIVVERKET = "961181399"
FD = "972417823"
FORSVARETS_SANITET = "name:Forsvarets sanitet"
DATATILSYNET = "name:Datatilsynet"

#: name_nb -> orgnr, as in the reference CSV (checked against the file below).
ORGNR: dict[str, str] = {
    "Folkehelseinstituttet": FHI,
    "Helse Bergen HF": HELSE_BERGEN,
    "Oslo universitetssykehus HF": OUS,
    "Universitetssykehuset Nord-Norge HF": UNN,
    "St. Olavs hospital HF": ST_OLAV,
    "Sykehuset i Vestfold HF": SIV,
    "Sykehuset Telemark HF": TELEMARK,
    "Nordlandssykehuset HF": NORDLAND,
    "Helsedirektoratet": HDIR,
    "Statistisk sentralbyrå": SSB,
    "Arkivverket": ARKIVVERKET,
    "Forsvarsdepartementet": FD,
}

# --- acts and regulations (ELI work IRIs from ../shared/reference/legal-sources.csv) --------
HRL = "https://lovdata.no/eli/lov/2014/06/20/43"
HPL = "https://lovdata.no/eli/lov/1999/07/02/64"
ARKIVLOVEN = "https://lovdata.no/eli/lov/1992/12/04/126"
HKR_FORSKRIFT = "https://lovdata.no/eli/forskrift/2011/12/16/1250"
KREFT_FORSKRIFT = "https://lovdata.no/eli/forskrift/2001/12/21/1477"
MFR_FORSKRIFT = "https://lovdata.no/eli/forskrift/2001/12/21/1483"
MSIS_FORSKRIFT = "https://lovdata.no/eli/forskrift/2003/06/20/740"
SYSVAK_FORSKRIFT = "https://lovdata.no/eli/forskrift/2003/06/20/739"
NPR_FORSKRIFT = "https://lovdata.no/eli/forskrift/2007/12/07/1389"
NOIS_FORSKRIFT = "https://lovdata.no/eli/forskrift/2005/06/17/611"
RESISTENS_FORSKRIFT = "https://lovdata.no/eli/forskrift/2003/11/14/1353"
ABORT_FORSKRIFT = "https://lovdata.no/eli/forskrift/2007/12/14/1418"
RESEPT_FORSKRIFT = "https://lovdata.no/eli/forskrift/2003/10/17/1246"
BEFOLKNING_FORSKRIFT = "https://lovdata.no/eli/forskrift/2018/04/27/645"
HELSEARKIV_FORSKRIFT = "https://lovdata.no/eli/forskrift/2016/03/18/268"
FORSVARET_FORSKRIFT = "https://lovdata.no/eli/forskrift/2005/09/02/1010"


def normalise_label(label: str) -> str:
    """A provision label in one spelling: lower case, one space, "§ 9 b" for "§ 9 bokstav b".

    >>> normalise_label("Helseregisterloven §9  bokstav b")
    'helseregisterloven § 9 b'
    """
    text = label.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    text = re.sub(r"§\s*", "§ ", text)
    text = re.sub(r"\bbokstav\s+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def provision(act: str, label: str) -> str:
    """The comparison key of a section: its normalised label and the act it belongs to."""
    return f"{normalise_label(label)} [{act}]"


def hrl(section: str) -> str:
    """A section of helseregisterloven, e.g. ``hrl("11 c")``."""
    return provision(HRL, f"helseregisterloven § {section}")


FIELDS = (
    "listing_position",
    "kind",
    "title",
    "alt_labels",
    "consent",
    "identifiability",
    "controllers",
    "processors",
    "legal_basis",
    "regulations",
    "part_of",
    "start_year",
    "end_year",
    "emails",
    "application_via_helsedata",
    "licensed_by",
    "dispensation_by",
)


@dataclass(frozen=True)
class Facts:
    """What the listing states about one listed source (see the module docstring)."""

    slug: str
    position: int
    line: int
    kind: str | None
    title: str | None
    alt: frozenset[str] = frozenset()
    consent: str | None = None
    identifiability: frozenset[str] = frozenset()
    controllers: frozenset[str] = frozenset()
    processors: frozenset[str] = frozenset()
    legal: frozenset[str] = frozenset()
    regulations: frozenset[str] = frozenset()
    part_of: frozenset[str] = frozenset()
    start: int | None = None
    end: int | None = None
    emails: frozenset[str] = frozenset()
    via_helsedata: bool | None = None
    licensed_by: frozenset[str] = frozenset()
    dispensation_by: frozenset[str] = frozenset()
    unpinned: frozenset[str] = field(default_factory=frozenset)
    at_least: frozenset[str] = field(default_factory=frozenset)

    def expected(self) -> dict[str, set[object]]:
        """The pinned fields as sets (a missing single value is the empty set)."""

        def one(value: object) -> set[object]:
            return set() if value is None else {value}

        values: dict[str, set[object]] = {
            "listing_position": {self.position},
            "kind": one(self.kind),
            "title": one(self.title),
            "alt_labels": set(self.alt),
            "consent": one(self.consent),
            "identifiability": set(self.identifiability),
            "controllers": set(self.controllers),
            "processors": set(self.processors),
            "legal_basis": set(self.legal),
            "regulations": set(self.regulations),
            "part_of": set(self.part_of),
            "start_year": one(self.start),
            "end_year": one(self.end),
            "emails": {e.lower() for e in self.emails},
            "application_via_helsedata": one(self.via_helsedata),
            "licensed_by": set(self.licensed_by),
            "dispensation_by": set(self.dispensation_by),
        }
        if self.kind is None:
            values.pop("kind")
        if self.title is None:
            values.pop("title")
        for name in self.unpinned:
            values.pop(name)
        return values


def src(
    slug: str,
    position: int,
    line: int,
    kind: str | None,
    title: str | None,
    *,
    alt: Iterable[str] = (),
    consent: str | None = None,
    identifiability: Iterable[str] = (),
    controllers: Iterable[str] = (),
    processors: Iterable[str] = (),
    legal: Iterable[str] = (),
    regulations: Iterable[str] = (),
    part_of: Iterable[str] = (),
    start: int | None = None,
    end: int | None = None,
    emails: Iterable[str] = (),
    via_helsedata: bool | None = None,
    licensed_by: Iterable[str] = (),
    dispensation_by: Iterable[str] = (),
    unpinned: Iterable[str] = (),
    at_least: Iterable[str] = (),
) -> Facts:
    """One record; iterables become frozensets, field names are checked."""
    for name in (*unpinned, *at_least):
        if name not in FIELDS:
            raise ValueError(f"{slug}: unknown field {name!r}")
    return Facts(
        slug=slug,
        position=position,
        line=line,
        kind=kind,
        title=title,
        alt=frozenset(alt),
        consent=consent,
        identifiability=frozenset(identifiability),
        controllers=frozenset(controllers),
        processors=frozenset(processors),
        legal=frozenset(legal),
        regulations=frozenset(regulations),
        part_of=frozenset(part_of),
        start=start,
        end=end,
        emails=frozenset(emails),
        via_helsedata=via_helsedata,
        licensed_by=frozenset(licensed_by),
        dispensation_by=frozenset(dispensation_by),
        unpinned=frozenset(unpinned),
        at_least=frozenset(at_least),
    )


#: Kreftregisteret's base register, which the cancer quality registers say they belong to.
KREFT_BASE = "basisregisteret-til-kreftregisteret"

#: FHI surveys: the shared access paragraph (FHI controller, apply on helsedata.no).
SURVEY_UNPINNED = ("consent", "legal_basis", "regulations")


def fhi_survey(
    slug: str,
    position: int,
    line: int,
    title: str,
    *,
    alt: Iterable[str] = (),
    start: int | None = None,
    end: int | None = None,
    unpinned: Iterable[str] = (),
) -> Facts:
    """A population survey whose entry ends with FHI's standard access paragraph."""
    return src(
        slug,
        position,
        line,
        PHS,
        title,
        alt=alt,
        controllers=[FHI],
        start=start,
        end=end,
        via_helsedata=True,
        unpinned=(*SURVEY_UNPINNED, *unpinned),
    )


def ssb(slug: str, position: int, line: int, start: int) -> Facts:
    """An SSB variable list whose title the copy lost ("data go back to <start>")."""
    return src(
        slug,
        position,
        line,
        SDC,
        None,
        start=start,
        unpinned=("alt_labels", "controllers", "processors"),
    )


def kreft(slug: str, position: int, line: int, title: str, start: int) -> Facts:
    """A quality register in Kreftregisteret's base register (no consent, § 8, regulation)."""
    return src(
        slug,
        position,
        line,
        MQR,
        title,
        consent=NOT_REQUIRED,
        legal=[hrl("8")],
        regulations=[KREFT_FORSKRIFT],
        part_of=[KREFT_BASE],
        start=start,
        via_helsedata=True,
    )


def hb_consent(
    slug: str,
    position: int,
    line: int,
    title: str,
    *,
    alt: Iterable[str] = (),
    licence_and_dispensation: bool = False,
    start: int | None = None,
    unpinned: Iterable[str] = (),
) -> Facts:
    """A consent-based § 7 quality register run by Helse Bergen HF (controller and processor)."""
    return src(
        slug,
        position,
        line,
        MQR,
        title,
        alt=alt,
        consent=REQUIRED,
        controllers=[HELSE_BERGEN],
        processors=[HELSE_BERGEN],
        legal=[hrl("7")],
        licensed_by=[DATATILSYNET] if licence_and_dispensation else [],
        dispensation_by=[HDIR] if licence_and_dispensation else [],
        start=start,
        unpinned=unpinned,
    )


def unn_consent(
    slug: str, position: int, line: int, title: str, *, alt: Iterable[str] = ()
) -> Facts:
    """A consent-based § 7 register with a Datatilsynet licence, UNN as controller only."""
    return src(
        slug,
        position,
        line,
        MQR,
        title,
        alt=alt,
        consent=REQUIRED,
        controllers=[UNN],
        legal=[hrl("7")],
        licensed_by=[DATATILSYNET],
    )


SOURCES: tuple[Facts, ...] = (
    fhi_survey(
        "40-aringsundersokelsene",
        1,
        14,
        "40-åringsundersøkelsene",
        end=1999,
        unpinned=["start_year"],
    ),
    src(
        "bdr",
        2,
        46,
        MQR,
        "Barnediabetesregisteret",
        alt=["BDR"],
        consent=NOT_REQUIRED,
        legal=[hrl("7")],
        controllers=[OUS],
        processors=[OUS],
        emails=["barnediabetes@ous-hf.no"],
    ),
    ssb("ssb-barnevern", 3, 70, 1993),
    ssb("ssb-befolkning", 4, 76, 1964),
    ssb("ssb-boforhold", 5, 92, 2015),
    src(
        "cprn",
        6,
        105,
        MQR,
        "Cerebral pareseregisteret i Norge",
        alt=["CPRN"],
        consent=REQUIRED,
        controllers=[SIV],
        processors=[SIV],
        emails=["cprnregister@siv.no"],
        unpinned=["start_year", "end_year", "identifiability"],
    ),
    src(
        "fastlegeregisteret",
        7,
        127,
        ADM,
        "Fastlegeregisteret",
        start=2001,
        via_helsedata=True,
        unpinned=["controllers", "legal_basis"],
    ),
    src(
        "folke-og-boligtellinger",
        8,
        165,
        SDC,
        "Folke- og boligtellinger",
        start=1960,
        unpinned=["controllers", "processors"],
    ),
    src(
        "forsvarets-helseregister",
        9,
        185,
        CHR,
        "Forsvarets helseregister",
        controllers=[FD],
        processors=[FORSVARETS_SANITET],
        legal=[hrl("11")],
        regulations=[FORSVARET_FORSKRIFT],
    ),
    fhi_survey(
        "fylkeshelseundersokelsene-oppfolgingsundersokelse-2006-2008",
        10,
        203,
        "Fylkeshelseundersøkelsene oppfølgingsundersøkelse 2006-2008",
        start=2006,
        end=2008,
    ),
    fhi_survey(
        "fylkesundersokelsene-i-finnmark-sogn-og-fjordane-og-oppland-1974-1988",
        11,
        231,
        "Fylkesundersøkelsene i Finnmark, Sogn og Fjordane og Oppland 1974-1988",
        start=1974,
        end=1988,
        unpinned=["alt_labels"],
    ),
    src(
        "iplos",
        12,
        269,
        CHR,
        "Individbasert pleie- og omsorgsstatistikk",
        alt=["IPLOS"],
        controllers=[HDIR],
        processors=[HDIR],
        legal=[hrl("9 b")],
        start=2007,
        end=2017,
        emails=["helseregistre@helsedir.no"],
        via_helsedata=True,
        unpinned=["identifiability", "part_of", "regulations"],
    ),
    ssb("ssb-inntekt", 13, 323, 1993),
    fhi_survey(
        "innvandrer-hubro",
        14,
        329,
        "Innvandrerundersøkelsen i Oslo",
        alt=["Innvandrer-HUBRO"],
        start=2002,
        unpinned=["end_year"],
    ),
    src(
        "introduksjonsordningen",
        15,
        366,
        SDC,
        "Introduksjonsordningen",
        start=2005,
        unpinned=["controllers", "processors"],
    ),
    src(
        "mfr",
        16,
        375,
        CHR,
        "Medisinsk fødselsregister",
        alt=["MFR"],
        identifiability=[DIRECT],
        legal=[hrl("11 c")],
        regulations=[MFR_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        start=1967,
        via_helsedata=True,
    ),
    src(
        "msis",
        17,
        418,
        CHR,
        "Meldingssystem for smittsomme sykdommer",
        alt=["MSIS"],
        identifiability=[DIRECT, ANONYMOUS],
        legal=[hrl("11 d")],
        regulations=[MSIS_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        start=1977,
        via_helsedata=True,
        unpinned=["emails"],
        at_least=["legal_basis"],
    ),
    src(
        "moba",
        18,
        464,
        PHS,
        "MoBa - Den norske mor, far og barn-undersøkelsen",
        consent=VOLUNTARY,
        legal=[BEFOLKNING_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        via_helsedata=True,
        unpinned=["alt_labels", "regulations", "start_year", "end_year"],
    ),
    fhi_survey(
        "moro",
        19,
        496,
        "MoRo I og II - Helseundersøkelsen på Romsås/Furuset",
        unpinned=["alt_labels", "start_year", "end_year", "part_of"],
    ),
    hb_consent("nasjonalt-barnehofteregister", 20, 525, "Nasjonalt barnehofteregister"),
    hb_consent(
        "nasjonalt-hoftebruddregister",
        21,
        544,
        "Nasjonalt hoftebruddregister",
        licence_and_dispensation=True,
    ),
    hb_consent("nasjonalt-korsbandregister", 22, 566, "Nasjonalt korsbåndregister"),
    kreft(
        "nasjonalt-kvalitetsregister-for-barnekreft",
        23,
        583,
        "Nasjonalt kvalitetsregister for barnekreft",
        1985,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-brystkreft",
        24,
        618,
        "Nasjonalt kvalitetsregister for brystkreft",
        2009,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-gynekologisk-kreft",
        25,
        657,
        "Nasjonalt kvalitetsregister for gynekologisk kreft",
        2012,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-kreft-i-spiseror-og-magesekk",
        26,
        694,
        "Nasjonalt kvalitetsregister for kreft i spiserør og magesekk",
        2015,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-lungekreft",
        27,
        725,
        "Nasjonalt kvalitetsregister for lungekreft",
        2013,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-lymfoide-maligniteter",
        28,
        760,
        "Nasjonalt kvalitetsregister for lymfoide maligniteter",
        2013,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-melanom",
        29,
        797,
        "Nasjonalt kvalitetsregister for melanom",
        2008,
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-prostatakreft",
        30,
        833,
        "Nasjonalt kvalitetsregister for prostatakreft",
        2004,
    ),
    unn_consent("nkr", 31, 870, "Nasjonalt kvalitetsregister for ryggkirurgi", alt=["NKR"]),
    hb_consent(
        "smertereg",
        32,
        890,
        "Nasjonalt kvalitetsregister for smertebehandling",
        alt=["SmerteReg"],
    ),
    kreft(
        "nasjonalt-kvalitetsregister-for-tykk-og-endetarmskreft",
        33,
        911,
        "Nasjonalt kvalitetsregister for tykk- og endetarmskreft",
        1993,
    ),
    src(
        "abla-nor",
        34,
        947,
        MQR,
        "Nasjonalt register for ablasjonsbehandling og elektrofysiologi i Norge",
        alt=["ABLA NOR"],
        consent=NOT_REQUIRED,
        regulations=[HKR_FORSKRIFT],
        controllers=[HELSE_BERGEN],
        processors=[HELSE_BERGEN],
        unpinned=["part_of"],
    ),
    hb_consent(
        "nasjonalt-register-for-kronisk-obstruktiv-lungesykdom",
        35,
        959,
        "Nasjonalt register for kronisk obstruktiv lungesykdom",
    ),
    hb_consent(
        "nasjonalt-register-for-langtids-mekanisk-ventilasjon",
        36,
        976,
        "Nasjonalt register for langtids mekanisk ventilasjon",
    ),
    hb_consent(
        "nasjonalt-register-for-leddproteser",
        37,
        996,
        "Nasjonalt register for leddproteser",
        start=1987,
    ),
    hb_consent(
        "roas",
        38,
        1015,
        "Nasjonalt register for organspesifikke autoimmune sykdommer",
        alt=["ROAS"],
    ),
    src(
        "hkr",
        39,
        1030,
        CHR,
        "Nasjonalt register over hjerte- og karlidelser",
        alt=["Hjerte- og karregisteret", "HKR"],
        identifiability=[DIRECT],
        legal=[hrl("11 h")],
        regulations=[HKR_FORSKRIFT],
        start=2012,
        via_helsedata=True,
        unpinned=["controllers", "processors"],
    ),
    src(
        "ntr",
        40,
        1064,
        MQR,
        "Nasjonalt traumeregister",
        alt=["NTR"],
        consent=NOT_REQUIRED,
        licensed_by=[DATATILSYNET],
        controllers=[OUS],
        processors=[OUS],
        emails=["olav.roise@medisin.uio.no"],
    ),
    src(
        "nasjonalt-tvillingregister",
        41,
        1078,
        None,
        "Nasjonalt tvillingregister",
        consent=VOLUNTARY,
        controllers=[FHI],
        emails=["tvilling@fhi.no"],
        via_helsedata=True,
        unpinned=["legal_basis", "regulations", "start_year", "end_year"],
    ),
    src(
        "sysvak",
        42,
        1112,
        CHR,
        "Nasjonalt vaksinasjonsregister SYSVAK",
        consent=NOT_REQUIRED,
        identifiability=[DIRECT],
        legal=[hrl("11 e")],
        regulations=[SYSVAK_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        via_helsedata=True,
        unpinned=["alt_labels", "start_year"],
    ),
    unn_consent(
        "hisreg", 43, 1162, "Nordisk register for hidradenitis suppurativa", alt=["HISREG"]
    ),
    hb_consent("norsk-diabetesregister-for-voksne", 44, 1182, "Norsk diabetesregister for voksne"),
    src(
        "gastronet",
        45,
        1199,
        MQR,
        "Norsk ERCP-register",
        alt=["Gastronet"],
        consent=REQUIRED,
        licensed_by=[DATATILSYNET],
        dispensation_by=[HDIR],
        controllers=[TELEMARK],
        processors=[TELEMARK],
        emails=["hhge@sthf.no"],
    ),
    src(
        "norsk-gynekologisk-endoskopiregister",
        46,
        1215,
        MQR,
        "Norsk gynekologisk endoskopiregister",
        consent=REQUIRED,
        legal=[hrl("7")],
        controllers=[SIV],
        processors=[SIV],
        emails=["NGER@siv.no"],
    ),
    src(
        "norsk-helsearkiv",
        47,
        1233,
        None,
        "Norsk helsearkiv",
        consent=NOT_REQUIRED,
        legal=[hrl("12"), ARKIVLOVEN],
        regulations=[HELSEARKIV_FORSKRIFT],
        unpinned=["controllers", "processors", "start_year", "end_year"],
    ),
    src(
        "norsk-hjerneslagregister",
        48,
        1244,
        MQR,
        "Norsk hjerneslagregister",
        consent=NOT_REQUIRED,
        legal=[hrl("21"), hrl("22")],
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[ST_OLAV],
        part_of=["hkr"],
        via_helsedata=True,
    ),
    src(
        "norsk-hjerteinfarktregister",
        49,
        1274,
        MQR,
        "Norsk hjerteinfarktregister",
        consent=NOT_REQUIRED,
        legal=[HRL],
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[ST_OLAV],
        part_of=["hkr"],
        start=2013,
        via_helsedata=True,
    ),
    src(
        "norsk-hjertekirurgiregister",
        50,
        1320,
        MQR,
        "Norsk hjertekirurgiregister",
        consent=REQUIRED,
        legal=[hrl("8")],
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[OUS],
        part_of=["hkr"],
        via_helsedata=True,
        unpinned=["alt_labels", "start_year"],
    ),
    src(
        "norsk-hjertestansregister",
        51,
        1359,
        MQR,
        "Norsk hjertestansregister",
        consent=REQUIRED,
        legal=[provision(HPL, "helsepersonelloven § 39")],
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[OUS],
        via_helsedata=True,
        unpinned=["part_of"],
    ),
    src(
        "nhsr",
        52,
        1406,
        MQR,
        "Norsk hjertesviktregister",
        alt=["NHSR"],
        consent=NOT_REQUIRED,
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[ST_OLAV],
        part_of=["hkr"],
        via_helsedata=True,
    ),
    src(
        "nipar",
        53,
        1446,
        MQR,
        "Norsk intensiv- og pandemiregister",
        alt=["NIPaR"],
        start=1998,
        unpinned=["consent", "controllers", "processors", "legal_basis", "regulations"],
    ),
    src(
        "nir",
        54,
        1514,
        MQR,
        "Norsk intensivregister",
        alt=["NIR"],
        consent=OPT_OUT,
        controllers=[HELSE_BERGEN],
        processors=[HELSE_BERGEN],
        part_of=["nipar"],
        start=1998,
        unpinned=["legal_basis", "regulations"],
    ),
    src(
        "norkar",
        55,
        1554,
        MQR,
        "Norsk karkirurgisk register",
        alt=["NORKAR"],
        consent=NOT_REQUIRED,
        legal=[HRL, HPL],
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[ST_OLAV],
        part_of=["hkr"],
        via_helsedata=True,
    ),
    hb_consent(
        "norartritt",
        56,
        1592,
        "Norsk kvalitetsregister for artrittsykdommer",
        alt=["NorArtritt"],
        licence_and_dispensation=True,
    ),
    src(
        "norspis",
        57,
        1603,
        MQR,
        "Norsk kvalitetsregister for behandling av spiseforstyrrelser",
        alt=["NorSpis"],
        consent=REQUIRED,
        licensed_by=[DATATILSYNET],
        legal=[hrl("7")],
        controllers=[NORDLAND],
        processors=[NORDLAND],
    ),
    hb_consent(
        "soreg-n",
        58,
        1624,
        "Norsk kvalitetsregister for fedmekirurgi",
        alt=["SOReg-N"],
    ),
    hb_consent(
        "lkg-registeret",
        59,
        1646,
        "Norsk kvalitetsregister for leppe- kjeve- ganespalte",
        alt=["LKG-registeret"],
        licence_and_dispensation=True,
        unpinned=["start_year"],
    ),
    src(
        "nkir",
        60,
        1669,
        MQR,
        "Norsk kvinnelig inkontinensregister",
        alt=["NKIR"],
        consent=NOT_REQUIRED,
        controllers=[OUS],
        processors=[OUS],
        emails=["runsve@ous.no"],
    ),
    hb_consent(
        "norsk-ms-register-og-biobank",
        61,
        1684,
        "Norsk MS-register og biobank",
        licence_and_dispensation=True,
    ),
    unn_consent("nnrr", 62, 1702, "Norsk nakke- og ryggregister", alt=["NNRR"]),
    src(
        "nnk",
        63,
        1721,
        MQR,
        "Norsk nyfødtmedisinsk kvalitetsregister",
        alt=["NNK"],
        legal=[MFR_FORSKRIFT],
        controllers=[FHI],
        processors=[OUS],
        via_helsedata=True,
        unpinned=["consent", "identifiability", "part_of"],
    ),
    src(
        "nnr",
        64,
        1761,
        MQR,
        "Norsk nyreregister",
        alt=["NNR"],
        consent=REQUIRED,
        licensed_by=[DATATILSYNET],
        controllers=[OUS],
        processors=[OUS],
        emails=["anders.asberg@ous-hf.no"],
        unpinned=["start_year"],
    ),
    src(
        "nois",
        65,
        1781,
        None,
        "Norsk overvåkingssystem for antibiotikabruk og helsetjenesteassosierte infeksjoner",
        alt=["NOIS"],
        identifiability=[DEIDENTIFIED],
        legal=[hrl("9 b")],
        regulations=[NOIS_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        start=2005,
        via_helsedata=True,
    ),
    src(
        "norm",
        66,
        1820,
        None,
        "Norsk overvåkingssystem for antibiotikaresistens mot mikrober",
        alt=["NORM"],
        identifiability=[DEIDENTIFIED],
        legal=[hrl("9 b")],
        regulations=[RESISTENS_FORSKRIFT],
        controllers=[FHI],
        processors=[UNN],
    ),
    src(
        "norsk-pacemaker-og-icd-register",
        67,
        1847,
        MQR,
        "Norsk Pacemaker og ICD-register",
        consent=NOT_REQUIRED,
        regulations=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[OUS],
        part_of=["hkr"],
    ),
    src(
        "npr",
        68,
        1867,
        CHR,
        "Norsk pasientregister",
        alt=["NPR"],
        legal=[hrl("11")],
        regulations=[NPR_FORSKRIFT],
        controllers=[HDIR],
        processors=[HDIR],
        emails=["helseregistre@helsedir.no"],
        via_helsedata=True,
        unpinned=["identifiability"],
    ),
    hb_consent(
        "norsk-porfyriregister",
        69,
        1917,
        "Norsk porfyriregister",
        licence_and_dispensation=True,
    ),
    unn_consent("nra", 70, 1932, "Norsk register for analinkontinens", alt=["NRA"]),
    unn_consent(
        "norsk-register-for-arvelige-og-medfodte-nevromuskulaere-sykdommer",
        71,
        1954,
        "Norsk register for arvelige og medfødte nevromuskulære sykdommer",
    ),
    unn_consent("norgast", 72, 1971, "Norsk register for gastrokirurgi", alt=["NoRGast"]),
    src(
        "noric",
        73,
        1992,
        MQR,
        "Norsk register for invasiv kardiologi",
        alt=["NORIC"],
        legal=[HKR_FORSKRIFT],
        controllers=[FHI],
        processors=[HELSE_BERGEN],
        via_helsedata=True,
        unpinned=["part_of"],
    ),
    src(
        "norkog",
        74,
        2023,
        MQR,
        "Norsk register for personer som utredes for kognitive symptomer i "
        "spesialisthelsetjenesten",
        alt=["NorKog"],
        consent=REQUIRED,
        licensed_by=[DATATILSYNET],
        controllers=[OUS],
        processors=[OUS],
        emails=["post@aldringoghelse.no"],
    ),
    src(
        "norsk-ryggmargsskaderegister",
        75,
        2052,
        MQR,
        "Norsk ryggmargsskaderegister",
        consent=REQUIRED,
        legal=[HRL],
        controllers=[ST_OLAV],
        processors=[ST_OLAV],
    ),
    src(
        "norsk-tonsilleregister",
        76,
        2070,
        MQR,
        "Norsk tonsilleregister",
        consent=REQUIRED,
        legal=[hrl("7")],
        controllers=[ST_OLAV],
        processors=[ST_OLAV],
    ),
    unn_consent("norvas", 77, 2089, "Norsk vaskulittregister & biobank", alt=["NorVas"]),
    src(
        "abortregisteret",
        78,
        2108,
        None,
        "Register over svangerskapsavbrudd",
        alt=["Abortregisteret"],
        identifiability=[DEIDENTIFIED],
        legal=[hrl("9 b")],
        regulations=[ABORT_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        start=1979,
        via_helsedata=True,
    ),
    src(
        "reseptregisteret",
        79,
        2149,
        None,
        None,
        identifiability=[PSEUDONYMOUS],
        legal=[hrl("9 b")],
        regulations=[RESEPT_FORSKRIFT],
        controllers=[FHI],
        start=2004,
        via_helsedata=True,
        unpinned=["alt_labels"],
    ),
    src(
        "ravn",
        80,
        2215,
        None,
        "Resistensovervåkning av virus i Norge",
        alt=["RAVN"],
        identifiability=[DEIDENTIFIED],
        legal=[hrl("9 b")],
        regulations=[RESISTENS_FORSKRIFT],
        controllers=[FHI],
        processors=[FHI],
        via_helsedata=True,
    ),
    fhi_survey(
        "skjermbildeundersokelsene",
        81,
        2259,
        "Skjermbildeundersøkelsene",
        start=1943,
        end=1999,
    ),
    fhi_survey(
        "ungdomsundersokelsene",
        82,
        2297,
        "Ungdomsundersøkelsene",
        unpinned=["start_year", "end_year"],
    ),
    ssb("ssb-utdanning", 83, 2343, 1970),
)

BY_SLUG: dict[str, Facts] = {facts.slug: facts for facts in SOURCES}

#: Kreftregisteret's quality registers, each "del av basisregisteret til Kreftregisteret".
KREFT_PARTS = frozenset(f.slug for f in SOURCES if KREFT_BASE in f.part_of)
#: Listed sources that say plainly that they are part of HKR.
HKR_PARTS = frozenset(
    {
        "norsk-hjerneslagregister",
        "norsk-hjerteinfarktregister",
        "norsk-hjertekirurgiregister",
        "nhsr",
        "norkar",
        "norsk-pacemaker-og-icd-register",
    }
)
#: Listed sources whose membership of HKR the listing leaves unclear (item 8 above).
HKR_MAYBE = frozenset({"abla-nor", "noric", "norsk-hjertestansregister"})
#: Helse Bergen HF as data controller (16 entries of the listing).
HELSE_BERGEN_CONTROLS = frozenset(f.slug for f in SOURCES if HELSE_BERGEN in f.controllers)
#: NIPaR's controller is stated only in NIR's entry (item 7 above).
HELSE_BERGEN_MAYBE = frozenset({"nipar"})
UNTITLED = ("ssb-barnevern", "ssb-befolkning", "ssb-boforhold", "ssb-inntekt", "ssb-utdanning")


# --- reading the graph ----------------------------------------------------------------------

Observed = dict[str, dict[str, set[object]]]


def _select(store: OxigraphStore, query: str) -> list[dict[str, Node]]:
    rows = store.select(sparql_prologue() + query).rows
    return [dict(row) for row in rows]


def _slug(term: Node) -> str:
    text = str(term)
    return text[len(DATASET) :] if text.startswith(DATASET) else text


def _local(term: Node) -> str:
    text = str(term)
    return text[len(str(HG)) :] if text.startswith(str(HG)) else text


def _year(term: Node) -> object:
    text = str(term)
    return int(text) if re.fullmatch(r"-?\d{4}", text) else text


def _email(term: Node) -> str:
    return str(term).removeprefix("mailto:").lower()


def organisation_keys(store: OxigraphStore) -> dict[str, str]:
    """Every organisation IRI -> its orgnr, or ``name:<foaf:name>`` when it has none."""
    rows = _select(
        store,
        """SELECT ?org ?id ?name WHERE {
          { ?org a foaf:Organization } UNION {
            VALUES ?p { dpv:hasDataController dpv:hasDataProcessor hg:licensedBy
                        hg:confidentialityDispensationBy }
            ?x ?p ?org }
          OPTIONAL { ?org dct:identifier ?id }
          OPTIONAL { ?org foaf:name ?name FILTER (lang(?name) = "nb" || lang(?name) = "") }
        }""",
    )
    ids: dict[str, set[str]] = {}
    names: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        org = str(row["org"])
        ids.setdefault(org, set())
        if "id" in row:
            ids[org].add(str(row["id"]))
        if "name" in row:
            names[org].add(str(row["name"]))
    keys: dict[str, str] = {}
    for org, found in ids.items():
        if found:
            keys[org] = "|".join(sorted(found))
        elif names[org]:
            keys[org] = "name:" + "|".join(sorted(names[org]))
        else:
            keys[org] = org
    return keys


#: field -> (graph pattern binding ?ds and ?v, how to read ?v)
SIMPLE_FIELDS: dict[str, tuple[str, Callable[[Node], object]]] = {
    "listing_position": ("?ds hg:listingPosition ?v", lambda t: int(str(t))),
    "kind": (
        "VALUES ?v { hg:MedicalQualityRegister hg:CentralHealthRegister "
        "hg:PopulationHealthSurvey hg:StatisticalDataCollection hg:AdministrativeRegister } "
        "?ds a ?v",
        _local,
    ),
    "title": ('?ds dct:title ?v FILTER (lang(?v) = "nb")', str),
    "alt_labels": ('?ds skos:altLabel ?v FILTER (lang(?v) = "nb")', str),
    "consent": ("?ds hg:consentRegime ?v", _local),
    "identifiability": ("?ds hg:identifiability ?v", _local),
    "regulations": ("?ds hg:regulatedBy ?v", str),
    "part_of": ("?ds dct:isPartOf ?v", _slug),
    "start_year": ("?ds dct:temporal/dcat:startDate ?v", _year),
    "end_year": ("?ds dct:temporal/dcat:endDate ?v", _year),
    "emails": ("?ds dcat:contactPoint/vcard:hasEmail ?v", _email),
    "application_via_helsedata": (
        "?ds hg:applicationViaHelsedata ?v",
        lambda t: t.toPython() if isinstance(t, Literal) else str(t),
    ),
}
ORG_FIELDS = {
    "controllers": "dpv:hasDataController",
    "processors": "dpv:hasDataProcessor",
    "licensed_by": "hg:licensedBy",
    "dispensation_by": "hg:confidentialityDispensationBy",
}


def observe(store: OxigraphStore) -> Observed:
    """slug -> field -> the set of values the graph states, for every dataset."""
    found: Observed = {}

    def slot(term: Node) -> dict[str, set[object]]:
        return found.setdefault(_slug(term), {name: set() for name in FIELDS})

    for row in _select(store, "SELECT ?ds WHERE { ?ds a dcat:Dataset }"):
        slot(row["ds"])
    for name, (pattern, read) in SIMPLE_FIELDS.items():
        for row in _select(store, f"SELECT ?ds ?v WHERE {{ {pattern} }}"):
            slot(row["ds"])[name].add(read(row["v"]))
    keys = organisation_keys(store)
    for name, predicate in ORG_FIELDS.items():
        for row in _select(store, f"SELECT ?ds ?v WHERE {{ ?ds {predicate} ?v }}"):
            slot(row["ds"])[name].add(keys.get(str(row["v"]), str(row["v"])))
    rows = _select(
        store,
        """SELECT ?ds ?v ?label ?act WHERE {
          ?ds dpv:hasLegalBasis ?v
          OPTIONAL { ?v rdfs:label ?label FILTER (lang(?label) = "nb" || lang(?label) = "") }
          OPTIONAL { ?v eli:is_part_of ?act }
        }""",
    )
    for row in rows:
        if "label" in row and "act" in row:
            key = provision(str(row["act"]), str(row["label"]))
        else:
            key = str(row["v"])
        slot(row["ds"])["legal_basis"].add(key)
    return found


@pytest.fixture(scope="module")
def observed(store: OxigraphStore) -> Observed:
    return observe(store)


def _datasets(store: OxigraphStore, query: str) -> set[str]:
    return {_slug(row["ds"]) for row in _select(store, query)}


# --- the table itself -----------------------------------------------------------------------


def test_table_covers_the_listing() -> None:
    """The table pins enough sources, and every kind, regime, level and family."""
    assert len(SOURCES) >= 45
    assert len(BY_SLUG) == len(SOURCES), "duplicate slugs in the table"
    assert sorted(f.position for f in SOURCES) == list(range(1, len(SOURCES) + 1))
    assert {f.kind for f in SOURCES} >= set(KINDS)
    assert {f.consent for f in SOURCES} >= set(REGIMES)
    assert set().union(*(f.identifiability for f in SOURCES)) >= set(LEVELS)
    families = set().union(*(f.part_of for f in SOURCES))
    assert {KREFT_BASE, "hkr", "nipar"} <= families
    for untitled in (*UNTITLED, "reseptregisteret"):
        assert untitled in BY_SLUG


def test_orgnr_constants_match_the_reference_csv(
    require_shared: Callable[[Path, str], Path],
) -> None:
    """The organisation numbers above are the reference file's, not typed from memory."""
    path = require_shared(
        paths.PROJECT_ROOT.parent / "shared" / "reference" / "organisations.csv",
        "the reference CSV",
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["name_nb"]: row["orgnr"] for row in csv.DictReader(handle)}
    assert rows == ORGNR


# --- one record per listed source -----------------------------------------------------------


@pytest.mark.parametrize("facts", SOURCES, ids=lambda f: f.slug)
def test_listed_source_facts(facts: Facts, observed: Observed) -> None:
    """Each pinned field of the source equals (or, for ``at_least``, contains) the listing's."""
    iri = DATASET + facts.slug
    assert facts.slug in observed, f"{iri} (listing line {facts.line}) is not in the graph"
    found = observed[facts.slug]
    problems: list[str] = []
    for name, expected in facts.expected().items():
        actual = found[name]
        ok = expected <= actual if name in facts.at_least else expected == actual
        if not ok:
            relation = "at least" if name in facts.at_least else "exactly"
            problems.append(
                f"  {name}: expected {relation} {sorted(map(str, expected))}, "
                f"found {sorted(map(str, actual))}"
            )
    assert not problems, f"{facts.slug} (listing line {facts.line}):\n" + "\n".join(problems)


# --- cross-cutting checks -------------------------------------------------------------------


def test_exactly_83_listed_sources(store: OxigraphStore) -> None:
    rows = _select(store, "SELECT ?ds ?p WHERE { ?ds hg:listingPosition ?p }")
    positions = sorted(int(str(row["p"])) for row in rows)
    assert positions == list(range(1, 84)), f"positions found: {positions}"
    assert {_slug(row["ds"]) for row in rows} == set(BY_SLUG)


def test_every_listed_source_has_exactly_one_kind(observed: Observed) -> None:
    listed = {slug: f for slug, f in observed.items() if f["listing_position"]}
    wrong = {slug: sorted(map(str, f["kind"])) for slug, f in listed.items() if len(f["kind"]) != 1}
    assert not wrong, f"listed sources without exactly one kind: {wrong}"


def test_every_listed_source_has_one_nb_title(observed: Observed) -> None:
    listed = {slug: f for slug, f in observed.items() if f["listing_position"]}
    wrong = {slug: f["title"] for slug, f in listed.items() if len(f["title"]) != 1}
    assert not wrong, f"listed sources without exactly one @nb title: {wrong}"


@pytest.mark.parametrize("slug", [*UNTITLED, "reseptregisteret"])
def test_untitled_entries_get_a_real_name(slug: str, observed: Observed) -> None:
    """The six entries whose title the copy lost are named, not called by their first line."""
    titles = {str(t) for t in observed.get(slug, {}).get("title", set())}
    assert len(titles) == 1, f"{slug}: titles {titles}"
    (title,) = titles
    first_words = ("data om", "omfattende", "registerbaserte", "reseptregisteret inneholder")
    assert not title.lower().startswith(first_words), f"{slug}: title is the first line: {title!r}"
    assert "dataene går tilbake" not in title.lower()
    stem = {
        "ssb-barnevern": "barnevern",
        "ssb-befolkning": "befolkning",
        "ssb-boforhold": "bo",
        "ssb-inntekt": "inntekt",
        "ssb-utdanning": "utdanning",
        "reseptregisteret": "resept",
    }[slug]
    assert stem in title.lower(), f"{slug}: title {title!r} does not name its subject"
    if slug == "reseptregisteret":
        names = titles | {str(a) for a in observed[slug]["alt_labels"]}
        assert "Reseptregisteret" in names, f"reseptregisteret: names {names}"


def test_helse_bergen_controls_exactly_the_sources_the_listing_gives_it(
    store: OxigraphStore,
) -> None:
    found = _datasets(
        store,
        f'SELECT ?ds WHERE {{ ?ds dpv:hasDataController ?o . ?o dct:identifier "{HELSE_BERGEN}" }}',
    )
    assert len(HELSE_BERGEN_CONTROLS) == 16
    missing = HELSE_BERGEN_CONTROLS - found
    extra = found - HELSE_BERGEN_CONTROLS - HELSE_BERGEN_MAYBE
    assert not missing, f"missing {sorted(missing)} (found {sorted(found)})"
    assert not extra, f"unexpected {sorted(extra)} (found {sorted(found)})"


def _parts(store: OxigraphStore, whole: str) -> tuple[set[str], set[str]]:
    """(parts by dct:isPartOf, parts by dct:hasPart) of ``whole``."""
    iri = DATASET + whole
    by_is_part_of = _datasets(store, f"SELECT ?ds WHERE {{ ?ds dct:isPartOf <{iri}> }}")
    by_has_part = _datasets(store, f"SELECT ?ds WHERE {{ <{iri}> dct:hasPart ?ds }}")
    return by_is_part_of, by_has_part


def _names(store: OxigraphStore, slug: str) -> set[str]:
    rows = _select(
        store,
        f"""SELECT ?n WHERE {{ {{ <{DATASET + slug}> dct:title ?n }}
                              UNION {{ <{DATASET + slug}> skos:altLabel ?n }} }}""",
    )
    return {str(row["n"]) for row in rows}


def test_kreftregisteret_parts(store: OxigraphStore, observed: Observed) -> None:
    """Kreftregisteret holds its base register, which holds exactly the nine cancer registers."""
    assert len(KREFT_PARTS) == 9
    is_part_of, has_part = _parts(store, KREFT_BASE)
    assert is_part_of == KREFT_PARTS, f"isPartOf {KREFT_BASE}: {sorted(is_part_of)}"
    assert has_part == KREFT_PARTS, f"{KREFT_BASE} hasPart: {sorted(has_part)}"
    assert not observed[KREFT_BASE]["listing_position"], "the base register is not listed"
    assert "basisregister" in " ".join(_names(store, KREFT_BASE)).lower()
    is_part_of, has_part = _parts(store, "kreftregisteret")
    assert is_part_of == has_part == {KREFT_BASE}, f"parts of kreftregisteret: {is_part_of}"
    everything = _datasets(
        store, f"SELECT ?ds WHERE {{ ?ds dct:isPartOf+ <{DATASET}kreftregisteret> }}"
    )
    assert everything == KREFT_PARTS | {KREFT_BASE}, f"all of Kreftregisteret: {everything}"


def test_hkr_parts(store: OxigraphStore, observed: Observed) -> None:
    """HKR's listed parts exactly (unclear ones tolerated); a mentioned part only its base."""
    is_part_of, has_part = _parts(store, "hkr")
    assert is_part_of == has_part, f"isPartOf {sorted(is_part_of)} != hasPart {sorted(has_part)}"
    listed = {slug for slug in is_part_of if observed.get(slug, {}).get("listing_position")}
    missing = HKR_PARTS - listed
    extra = listed - HKR_PARTS - HKR_MAYBE
    assert not missing, f"missing {sorted(missing)} (found {sorted(listed)})"
    assert not extra, f"unexpected {sorted(extra)} (found {sorted(listed)})"
    mentioned = is_part_of - listed
    assert len(mentioned) <= 1, f"mentioned parts of HKR: {sorted(mentioned)}"
    for slug in mentioned:
        names = " ".join(_names(store, slug)).lower()
        assert "basisregister" in names, f"unexpected mentioned part of HKR: {slug} {names!r}"
        # l. 1038: FHI is controller and processor of the base register.
        assert observed[slug]["controllers"] == {FHI}, observed[slug]["controllers"]
        assert observed[slug]["processors"] == {FHI}, observed[slug]["processors"]


def test_nipar_parts(store: OxigraphStore, observed: Observed) -> None:
    is_part_of, has_part = _parts(store, "nipar")
    assert is_part_of == has_part, f"isPartOf {sorted(is_part_of)} != hasPart {sorted(has_part)}"
    listed = {slug for slug in is_part_of if observed.get(slug, {}).get("listing_position")}
    assert listed == {"nir"}
    mentioned = is_part_of - listed
    assert len(mentioned) == 1, f"mentioned parts of NIPaR: {sorted(mentioned)}"
    (pandemi,) = mentioned
    assert "Norsk pandemiregister" in _names(store, pandemi)


def test_tuberculosis_register_is_part_of_msis(store: OxigraphStore, observed: Observed) -> None:
    is_part_of, has_part = _parts(store, "msis")
    assert is_part_of == has_part, f"isPartOf {sorted(is_part_of)} != hasPart {sorted(has_part)}"
    assert len(is_part_of) == 1, f"parts of MSIS: {sorted(is_part_of)}"
    (part,) = is_part_of
    assert not observed[part]["listing_position"], f"{part} is not listed on its own"
    names = " ".join(_names(store, part)).lower()
    assert "tuberkulose" in names, f"MSIS part {part} is named {names!r}"


def test_moro_is_part_of_the_moro_project(store: OxigraphStore) -> None:
    wholes = _datasets(
        store,
        f"SELECT ?ds WHERE {{ <{DATASET}moro> dct:isPartOf ?ds . "
        f"?ds dct:hasPart <{DATASET}moro> }}",
    )
    assert len(wholes) == 1, f"wholes of MoRo (stated both ways): {sorted(wholes)}"
    (whole,) = wholes
    names = " ".join(_names(store, whole)).lower()
    assert "mosjon på romsås" in names or "moro" in names, f"MoRo's whole is {whole} {names!r}"
    assert whole != "hubro", "HUBRO is what MoRo followed up, not what it is part of"


def test_part_of_is_stated_both_ways(store: OxigraphStore) -> None:
    one_way = _select(
        store,
        """SELECT ?part ?whole WHERE {
          { ?part dct:isPartOf ?whole FILTER NOT EXISTS { ?whole dct:hasPart ?part } }
          UNION
          { ?whole dct:hasPart ?part FILTER NOT EXISTS { ?part dct:isPartOf ?whole } }
        }""",
    )
    pairs = sorted((_slug(r["part"]), _slug(r["whole"])) for r in one_way)
    assert not pairs, f"part/whole pairs stated only one way: {pairs}"


@pytest.mark.parametrize(("name", "orgnr"), sorted(ORGNR.items()))
def test_organisations_with_a_reference_orgnr_carry_it(
    name: str, orgnr: str, store: OxigraphStore
) -> None:
    """One organisation carries each reference orgnr, with its name; no namesake lacks it."""
    carriers = _select(
        store,
        f'SELECT DISTINCT ?org WHERE {{ ?org a foaf:Organization ; dct:identifier "{orgnr}" }}',
    )
    assert len(carriers) == 1, f"{name}: organisations with orgnr {orgnr}: {carriers}"
    org = URIRef(str(carriers[0]["org"]))
    rows = _select(store, f'SELECT ?n WHERE {{ <{org}> foaf:name ?n FILTER (lang(?n) = "nb") }}')
    assert name in {str(row["n"]) for row in rows}, f"{org} is not named {name!r}@nb"
    namesakes = _select(
        store,
        f"""SELECT DISTINCT ?org WHERE {{
          ?org foaf:name ?n FILTER (str(?n) = "{name}")
          FILTER NOT EXISTS {{ ?org dct:identifier "{orgnr}" }}
        }}""",
    )
    assert not namesakes, f"organisations named {name!r} without orgnr {orgnr}: {namesakes}"
