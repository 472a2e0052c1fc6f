"""Legal basis and regulations: "hjemlet i ...", "regulert av ...", and the sections cited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef

from helsegraf.loaders.context import Context, Scope, sentence_subjects
from helsegraf.loaders.listing_text import Sentence, garbled
from helsegraf.namespaces import DPV, ELI, HG, ID, RDF, RDFS
from helsegraf.reference import LegalSource, name_key, slugify

_SECTION = (
    r"(?:\s*§\s*(?P<num>\d+(?:-\d+)?)"
    r"(?:\s*(?:bokstav\s+)?(?P<let>[a-h])(?![\wæøå]))?"
    r"(?:\s+første\s+ledd\s+punkt\s+(?P<let2>[a-h])\)?)?"
    r"(?P<more>(?:\s*og\s*\d+(?![\wæøå\d]))*))?"
)
_UNKNOWN_LEGAL = re.compile(
    r"\b[Ff]orskrift om [^,.()]+|\b[\wæøåÆØÅ-]+(?:loven|lova)\b|\b[\wæøåÆØÅ-]+forskrift(?:en)?\b"
)
_BASIS = re.compile(r"\bhjemlet i (?P<span>.+?)(?=,? og (?:regulert|har)\b|, og\b|$)", re.I)
_REGULATED = [
    re.compile(r"\bregulert av (?P<span>.+?)(?=,? og har\b|, og\b|$)", re.I),
    re.compile(r"\bomfattes av (?P<span>.+?)(?=,|$)", re.I),
    re.compile(r"\bmed basis i egen forskrift:\s*(?P<span>.+?)$", re.I),
]
_PROCESSING_CONDITIONS = re.compile(
    r"\bvilkårene\b.{0,30}?\bpersonopplysninger i (?P<span>.+?) være oppfylt", re.I
)


@dataclass(frozen=True)
class LegalRef:
    """An act or regulation cited in a text, with the sections cited (if any)."""

    source: URIRef
    kind: str
    sections: tuple[tuple[str, str | None], ...]
    legal: LegalSource | None


def legal_references(ctx: Context, span: str, sentence: Sentence) -> list[LegalRef]:
    """The acts/regulations (and their sections) named in a span of text."""
    refs: list[LegalRef] = []
    consumed: list[tuple[int, int]] = []
    for match in legal_scanner(ctx).finditer(span):
        source = ctx.ref.legal_source(match.group("name"))
        if source is None:
            continue
        consumed.append(match.span())
        sections: list[tuple[str, str | None]] = []
        if match.group("num"):
            letter = match.group("let") or match.group("let2")
            sections.append((match.group("num"), letter))
            sections += [(n, None) for n in re.findall(r"\d+", match.group("more") or "")]
        refs.append(LegalRef(source.iri, source.kind, tuple(sections), source))
    if garbled(span):
        if not refs:
            ctx.warn(sentence.line, "a legal reference here is garbled and was not read")
        return refs
    for match in _UNKNOWN_LEGAL.finditer(span):
        if any(start <= match.start() < end for start, end in consumed):
            continue
        name = match.group(0).strip()
        key = name_key(name)
        iri = ctx.minted_legal.get(key)
        kind = "regulation" if "forskrift" in name.casefold() else "act"
        if iri is None:
            iri = ID[f"legal/{slugify(name)}"]
            ctx.minted_legal[key] = iri
            ctx.facts.add(iri, RDF.type, ELI.LegalResource, None)
            ctx.facts.add(iri, RDF.type, HG.Regulation if kind == "regulation" else HG.Act, None)
            ctx.facts.add(iri, RDFS.label, Literal(name, lang="nb"), None)
        ctx.warn(sentence.line, f"unknown act or regulation {name!r}: added without an ELI")
        refs.append(LegalRef(iri, kind, (), None))
    return refs


def provision(ctx: Context, ref: LegalRef, number: str, letter: str | None) -> URIRef:
    """The IRI (and description) of one section of an act or regulation."""
    base = ref.legal.slug if ref.legal else str(ref.source).rsplit("/", 1)[-1]
    slug = f"{base}-{number}" + (f"-{letter}" if letter else "")
    iri = ID[f"provision/{slugify(slug)}"]
    name = ref.legal.name if ref.legal else base
    label = f"{name} § {number}" + (f" {letter}" if letter else "")
    facts = ctx.facts
    facts.add(iri, RDF.type, ELI.LegalResourceSubdivision, None)
    facts.add(iri, RDFS.label, Literal(label, lang="nb"), None)
    facts.add(iri, ELI.is_part_of, ref.source, None)
    facts.add(iri, HG.sectionNumber, Literal(number), None)
    if letter:
        facts.add(iri, HG.sectionLetter, Literal(letter), None)
    if ref.legal is not None:
        url = ref.legal.section_url(number)
        if url is not None:
            facts.add(iri, RDFS.seeAlso, url, None)
    return iri


def _basis_targets(ctx: Context, ref: LegalRef) -> list[URIRef]:
    if not ref.sections:
        return [ref.source]
    return [provision(ctx, ref, number, letter) for number, letter in ref.sections]


def extract_legal(scope: Scope) -> None:
    ctx = scope.ctx
    for sentence in scope.sentences:
        text = sentence.text
        spans: list[tuple[str, str]] = [("basis", m.group("span")) for m in _BASIS.finditer(text)]
        for pattern in _REGULATED:
            spans += [("regulated", m.group("span")) for m in pattern.finditer(text)]
        conditions = [("regulated", m.group("span")) for m in _PROCESSING_CONDITIONS.finditer(text)]
        if spans:
            subjects = sentence_subjects(scope, text)
            if subjects is None:
                spans = []
        else:
            subjects = [scope.iri]
        if conditions:
            spans += conditions
            subjects = subjects or [scope.iri]
        for how, span in spans:
            for ref in legal_references(ctx, span, sentence):
                for subject in subjects or []:
                    prov = scope.prov(sentence)
                    if how == "regulated" and ref.kind == "regulation" and not ref.sections:
                        ctx.facts.add(subject, HG.regulatedBy, ref.source, prov)
                    else:
                        # "hjemlet i X", and "regulert av <act> § n" (an act is a basis,
                        # not a regulation; see the curation decisions).
                        for target in _basis_targets(ctx, ref):
                            ctx.facts.add(subject, DPV.hasLegalBasis, target, prov)


def legal_scanner(ctx: Context) -> re.Pattern[str]:
    """A scanner for every known act/regulation name, followed by an optional "§ ..."."""
    if ctx.legal_scanner is None:
        names = "|".join(_flexible(name) for name in ctx.ref.legal_names())
        ctx.legal_scanner = re.compile(
            rf"(?<![\wæøåÆØÅ])(?P<name>{names})(?![\wæøåÆØÅ]){_SECTION}", re.IGNORECASE
        )
    return ctx.legal_scanner


def _flexible(name: str) -> str:
    """A regex for a name that tolerates other spacing and hyphenation."""
    tokens = [t for t in re.split(r"[\s-]+", name) if t]
    return r"[\s-]*".join(re.escape(token) for token in tokens)


__all__ = ["LegalRef", "extract_legal", "legal_references", "legal_scanner", "provision"]
