"""Extraction rules: one small set of patterns per kind of fact, applied to sentences.

The rules key on short phrases of the listing's register prose (``uten krav om
samtykke``, ``er databehandler``, ``hjemlet i``, ``er en del av``, ...). They never name a
particular source: what a rule cannot decide is left out, and the curation file
(``data/curation/helsedata.ttl``) records the decision and why. Legal references are read
in :mod:`helsegraf.loaders.legal`, relations between sources in
:mod:`helsegraf.loaders.relations`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from helsegraf.loaders.context import Scope, attribute, organisation
from helsegraf.loaders.legal import extract_legal
from helsegraf.loaders.listing_text import Sentence
from helsegraf.loaders.relations import extract_relations, find_local_parts
from helsegraf.namespaces import DCAT, DCTERMS, DPV, HG, RDF, VCARD

# --------------------------------------------------------------------------------------
# kind

_KIND_PHRASES: list[tuple[re.Pattern[str], URIRef]] = [
    (
        re.compile(r"\b(?:nasjonalt|nordisk|et) medisinsk kvalitetsregister\b", re.I),
        HG.MedicalQualityRegister,
    ),
    (
        re.compile(r"\bnettverket av medisinske kvalitetsregistre\b", re.I),
        HG.MedicalQualityRegister,
    ),
    (re.compile(r"\badministrativt register\b", re.I), HG.AdministrativeRegister),
    (
        re.compile(
            r"\b(?:et sentralt|nasjonalt) helseregister\b|\bde sentrale helseregistrene\b", re.I
        ),
        HG.CentralHealthRegister,
    ),
    (re.compile(r"\bSSBs nettsted\b"), HG.StatisticalDataCollection),
    (re.compile(r"\bfra helseundersøkelsen\b|\bfødselskohort\b", re.I), HG.PopulationHealthSurvey),
]
_KIND_ORDER = [
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.AdministrativeRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
]
# A register founded on helseregisterloven § 9 or § 11 is one of the central health
# registers (the listing itself calls a § 9 b register "et sentralt helseregister").
_CENTRAL_SECTIONS = re.compile(r"\bhjemlet i helseregisterloven § (?:9|11)\b", re.I)


def extract_kind(scope: Scope, title: str | None) -> None:
    found: dict[URIRef, Sentence] = {}
    for sentence in scope.sentences:
        for pattern, kind in _KIND_PHRASES:
            if pattern.search(sentence.text) and kind not in found:
                found[kind] = sentence
    if not found:
        for sentence in scope.sentences:
            if _CENTRAL_SECTIONS.search(sentence.text):
                found[HG.CentralHealthRegister] = sentence
                break
    head = Sentence(scope.entry.line, scope.entry.head, -1, False)
    if not found and title and re.search(r"kvalitetsregister\b", title, re.I):
        found[HG.MedicalQualityRegister] = head
    if not found:
        scope.ctx.warn(scope.entry.line, "could not tell which kind of data source this is")
        return
    kinds = sorted(found, key=_KIND_ORDER.index)
    chosen = kinds[0]
    if len(kinds) > 1:
        others = ", ".join(k.rsplit("#", 1)[-1] for k in kinds[1:])
        scope.ctx.warn(
            found[kinds[1]].line,
            f"the text suggests more than one kind; kept {chosen.rsplit('#', 1)[-1]}, not {others}",
        )
    scope.add(RDF.type, chosen, found[chosen])


# --------------------------------------------------------------------------------------
# consent and identifiability

_CONSENT: list[tuple[re.Pattern[str], URIRef]] = [
    (re.compile(r"\buten krav om samtykke\b", re.I), HG.ConsentNotRequired),
    (re.compile(r"\bregistreres uten samtykke\b", re.I), HG.ConsentNotRequired),
    (re.compile(r"\buten samtykke fra den registrerte\b", re.I), HG.ConsentNotRequired),
    (re.compile(r"\bmed krav om samtykke\b", re.I), HG.ConsentRequired),
    (re.compile(r"\bkrever (?:skriftlig )?samtykke\b", re.I), HG.ConsentRequired),
    (re.compile(r"\bforutsetter at samtykke\b", re.I), HG.ConsentRequired),
    (re.compile(r"\breservasjonsrett\b", re.I), HG.OptOut),
    (
        re.compile(
            r"\bfrivillig å delta\b|\bsamtykkebaserte?\b|\bsamtykket til deltakelse\b"
            r"|\bdeltakernes avgitte samtykke\b",
            re.I,
        ),
        HG.VoluntaryParticipation,
    ),
]

_IDENTIFIABILITY: list[tuple[re.Pattern[str], URIRef]] = [
    (re.compile(r"\bdirekte personidentifiserbar", re.I), HG.DirectlyIdentifying),
    (
        re.compile(r"\bpersonidentifiserende opplysninger\b", re.I),
        HG.DirectlyIdentifying,
    ),
    (
        re.compile(r"\bpseudonymt (?:helse)?register\b|\blagres pseudonymisert\b", re.I),
        HG.Pseudonymous,
    ),
    (
        re.compile(
            r"\b(?:registeret|det) er avidentifisert\b|\binneholder avidentifiserte\b", re.I
        ),
        HG.DeIdentified,
    ),
    (re.compile(r"\bregistreres anonymt\b", re.I), HG.Anonymous),
]


def extract_consent(scope: Scope) -> None:
    found: dict[URIRef, Sentence] = {}
    for sentence in scope.sentences:
        for pattern, regime in _CONSENT:
            if pattern.search(sentence.text):
                found.setdefault(regime, sentence)
    if HG.ConsentRequired in found and HG.ConsentNotRequired in found:
        scope.ctx.warn(
            max(found[HG.ConsentRequired].line, found[HG.ConsentNotRequired].line),
            "the text says both that consent is required and that it is not",
        )
    for regime, sentence in found.items():
        scope.add(HG.consentRegime, regime, sentence)


def extract_identifiability(scope: Scope) -> None:
    for sentence in scope.sentences:
        for pattern, level in _IDENTIFIABILITY:
            if pattern.search(sentence.text):
                scope.add(HG.identifiability, level, sentence)


# --------------------------------------------------------------------------------------
# controllers, processors and other roles

_CONTROLLER = r"data(?:behandling)?s{0,2}ansvarl?ig"
_PROCESSOR = r"databehandler(?![\wæøå])"
_HANDLES = r"behandler søknaden"
_ROLE = rf"(?:{_CONTROLLER}|{_PROCESSOR}|{_HANDLES})"
_ROLE_CLAUSE = re.compile(
    rf"\ber\s+(?P<roles>{_ROLE}(?:\s+og\s+{_ROLE})*)"
    r"(?:\s+(?P<prep>for|etter)\s+(?P<target>[^,.;]+))?",
    re.IGNORECASE,
)
_CLAUSE_LEAD = re.compile(r"^(?:[\s,.;]*(?:mens|og|samt)\s+|[\s,.;]+)", re.IGNORECASE)

_OTHER_ROLES: list[tuple[re.Pattern[str], URIRef]] = [
    (re.compile(r"^(?P<org>[A-ZÆØÅ][^,]*?) vurderer søknaden"), HG.ApplicationHandler),
    (re.compile(r"\bDet er (?P<org>[A-ZÆØÅ][^,]*?) som utfører koblingen"), HG.DataLinker),
    (re.compile(r"\bDet er (?P<org>[A-ZÆØÅ][^,]*?) som utleverer data"), HG.DataDistributor),
    (re.compile(r"^(?P<org>[A-ZÆØÅ][^,]*?) kan (?:i tillegg )?utlevere\b"), HG.DataDistributor),
    (
        re.compile(r"^(?P<org>[A-ZÆØÅ][^,]*?) er ansvarlig for å holde [\wæøå-]+ oppdatert"),
        HG.RegisterMaintainer,
    ),
    (
        re.compile(
            r"\bpseudonymer utføres av (?:en tiltrodd tredjepart,\s*)?"
            r"(?P<org>[A-ZÆØÅ][^,.]*)"
        ),
        HG.Pseudonymiser,
    ),
    (
        re.compile(r"^(?P<org>[A-ZÆØÅ][^,]*?) bestemmer hva som skal overvåkes"),
        HG.SurveillanceScopeSetter,
    ),
]


def extract_roles(scope: Scope) -> None:
    ctx = scope.ctx
    for sentence in scope.sentences:
        text = sentence.text
        previous_end = 0
        for match in _ROLE_CLAUSE.finditer(text):
            segment = _CLAUSE_LEAD.sub("", text[previous_end : match.start()]).strip()
            previous_end = match.end()
            if ctx.ref.organisation(segment) is None:
                # "..., men X er ...": the organisation is the last clause's subject.
                segment = re.split(r"(?:,\s*)?\b(?:men|mens|samt)\s+|,\s*", segment)[-1]
            org = organisation(ctx, segment, sentence)
            if org is None:
                continue
            target = scope.iri
            if match.group("prep") and match.group("prep").lower() == "for":
                found = scope.dataset(match.group("target"), sentence)
                if found is None:
                    ctx.warn(
                        sentence.line,
                        f"could not tell which register {match.group('target').strip()!r} is",
                    )
                    continue
                target = found
            roles = match.group("roles")
            prov = scope.prov(sentence)
            if re.search(_CONTROLLER, roles, re.I):
                ctx.facts.add(target, DPV.hasDataController, org, prov)
            if re.search(_PROCESSOR, roles, re.I):
                ctx.facts.add(target, DPV.hasDataProcessor, org, prov)
            if re.search(_HANDLES, roles, re.I):
                attribute(scope, target, org, HG.ApplicationHandler, sentence)
        for pattern, role in _OTHER_ROLES:
            for other in pattern.finditer(text):
                org = organisation(ctx, other.group("org"), sentence)
                if org is not None:
                    attribute(scope, scope.iri, org, role, sentence)


_LICENCE = re.compile(r"\bkonsesjon fra (?P<org>.+?)(?=\s+og\s|[,.;]|$)", re.I)
_DISPENSATION = [
    re.compile(
        r"\bdispensasjon (?:for|fra) taushetsplikten fra (?P<org>.+?)(?=\s+og\s|[,.;]|$)", re.I
    ),
    re.compile(r"(?P<org>[A-ZÆØÅ][\wæøå]*?)s dispensasjon (?:for|fra) taushetsplikten"),
]


def extract_licences(scope: Scope) -> None:
    for sentence in scope.sentences:
        for match in _LICENCE.finditer(sentence.text):
            org = organisation(scope.ctx, match.group("org"), sentence)
            if org is not None:
                scope.add(HG.licensedBy, org, sentence)
        for pattern in _DISPENSATION:
            for match in pattern.finditer(sentence.text):
                org = organisation(scope.ctx, match.group("org"), sentence)
                if org is not None:
                    scope.add(HG.confidentialityDispensationBy, org, sentence)


# --------------------------------------------------------------------------------------
# time coverage

_Y = r"(1[89]\d\d|20\d\d)"
_PERIOD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:i|fra) perioden {_Y}\s*[-–]\s*{_Y}\b"), "period"),
    (re.compile(rf"\bfra {_Y}\s*[-–]\s*{_Y}\b"), "period"),
    (re.compile(rf"(?<!født )\bfra og med {_Y}\b"), "start"),
    (re.compile(rf"\bfra {_Y} til i dag\b"), "start"),
    (re.compile(rf"\bsiden {_Y}\b"), "start"),
    (re.compile(rf"\bsiden oppstart(?:en)?\b[^.]{{0,60}}?\bi {_Y}\b", re.I), "start"),
    (re.compile(rf"\bgjennomført i [A-ZÆØÅ][\wæøå]+ {_Y}\b(?!\s*[-–])"), "year"),
]
_ANYWHERE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bgår (?:helt )?tilbake til\s+{_Y}\b"), "start"),
    (re.compile(rf"\bData fra og med {_Y}\b"), "start"),
    (re.compile(rf"\bsamlet inn siden {_Y}\b"), "start"),
    (re.compile(rf"\bstartet opp i {_Y}\b"), "start"),
]


def extract_temporal(scope: Scope) -> None:
    """Years stated as the data's coverage: from the first paragraph, plus a few phrases
    that only ever speak of the data ("Dataene går tilbake til ...") anywhere."""
    found: list[tuple[int, int | None, Sentence]] = []

    def scan(sentences: list[Sentence], rules: list[tuple[re.Pattern[str], str]]) -> None:
        for sentence in sentences:
            for pattern, how in rules:
                for match in pattern.finditer(sentence.text):
                    start = int(match.group(1))
                    end: int | None
                    if how == "period":
                        end = int(match.group(2))
                        if "rekruttert" in sentence.text:
                            end = None  # recruitment ended; the data did not
                    elif how == "year":
                        end = start
                    else:
                        end = None
                    if end is not None and end < start:
                        continue
                    found.append((start, end, sentence))

    scan(scope.first, _PERIOD_RULES)
    scan(scope.sentences, _ANYWHERE_RULES)
    if not found:
        return
    start_year, _, start_sentence = min(found, key=lambda f: f[0])
    node = URIRef(f"{scope.iri}#temporal")
    facts = scope.ctx.facts
    prov = scope.prov(start_sentence)
    facts.add(scope.iri, DCTERMS.temporal, node, prov)
    facts.add(node, RDF.type, DCTERMS.PeriodOfTime, prov)
    facts.add(node, DCAT.startDate, Literal(str(start_year), datatype=XSD.gYear), prov)
    if all(end is not None for _, end, _ in found):
        end_year, end_sentence = max(
            ((e, s) for _, e, s in found if e is not None), key=lambda f: f[0]
        )
        facts.add(
            node, DCAT.endDate, Literal(str(end_year), datatype=XSD.gYear), scope.prov(end_sentence)
        )


# --------------------------------------------------------------------------------------
# access

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HELSEDATA_FORM = re.compile(r"\bsøknadsskjema(?:et)? på helsedata\.no", re.I)
_NEGATION = re.compile(r"\bikke\b", re.I)


def extract_access(scope: Scope) -> None:
    facts = scope.ctx.facts
    node = URIRef(f"{scope.iri}#contact")
    for sentence in scope.sentences:
        for match in _EMAIL.finditer(sentence.text):
            prov = scope.prov(sentence)
            facts.add(scope.iri, DCAT.contactPoint, node, prov)
            facts.add(node, RDF.type, VCARD.Kind, prov)
            facts.add(node, VCARD.hasEmail, URIRef(f"mailto:{match.group(0)}"), prov)
        if _HELSEDATA_FORM.search(sentence.text) and not _NEGATION.search(sentence.text):
            scope.add(HG.applicationViaHelsedata, Literal(True), sentence)


#: The rules, in the order they run for each entry.
RULES: tuple[Callable[[Scope], None], ...] = (
    find_local_parts,
    extract_consent,
    extract_identifiability,
    extract_roles,
    extract_licences,
    extract_legal,
    extract_relations,
    extract_temporal,
    extract_access,
)


__all__ = ["RULES", "extract_kind"]
