"""Relations between sources: part of, replaced by, merged from, follow-up,
continuation, and data flowing from one register to another."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import URIRef

from helsegraf.loaders.context import Scope, sentence_subjects
from helsegraf.loaders.facts import Provenance
from helsegraf.loaders.listing_text import Sentence
from helsegraf.namespaces import DCTERMS, HG
from helsegraf.reference import name_key

_NAME_END = r"(?=\s+som\s|[,.;:]|$)"
_PART_OF = re.compile(rf"\ber (?:en )?del av (?P<x>[^,.;:]+?){_NAME_END}")
_BECAME_PART = re.compile(r"\bble (?P<x>.+?) en del av registeret\b")
_DESIGNATION = re.compile(
    r"^(?P<part>.+?) brukes som betegnelse på den delen av "
    r"(?P<whole>.+?) som\b"
)
_ATTACHED_TO = re.compile(r"\btilknyttet (?P<x>[A-ZÆØÅ][^,.;:]+)")
_ATTACHED_PART = re.compile(r"\bdet tilknyttede (?P<x>[A-ZÆØÅ][^,.;:]+)")
_INCLUDED_IN = re.compile(rf"\bsom inngår i (?P<x>[^,.;:]+?){_NAME_END}")
_HAS_BASIS = re.compile(r"\bbestår av et basisregister\b", re.I)
_FOLLOW_UP = re.compile(r"\ber oppfølging av (?P<x>[^.;:]+)|\btidligere deltakere i (?P<y>[^.;:]+)")
_CONTINUATION = re.compile(r"\bvar en videreføring av (?P<x>.+?)(?=\s+og\s+ble\b|[,.;:]|$)")
_REPLACED_BY = re.compile(r"\binngår [\wæøåÆØÅ-]+opplysningene i (?P<x>[^.;:]+)")
_REPLACES = re.compile(r"\bfra det tidligere (?P<x>[A-ZÆØÅ][\wæøåÆØÅ-]*)")
_MERGED = re.compile(r"\bble (?P<list>.+?) slått sammen til (?P<z>[^.;:]+)")
_DELIVERS = re.compile(r"\blevere data til (?P<x>.+?)(?=\s+og\s+gi\b|[.;:]|$)")
_RECEIVES = re.compile(r"\bhentet fra:?\s*(?P<x>.*)$")
_LINKED = re.compile(r"\ber koblet opp mot (?P<x>.+?)(?=\s+for\s|[,.;:]|$)")
_REGISTER_NAME = re.compile(
    r"(?:(?:Norsk|Nasjonalt|Nordisk|Medisinsk)\s+(?:[\wæøå-]+\s+){0,4}?[\wæøå-]*register(?:et)?"
    r"|[A-ZÆØÅ][\wæøåÆØÅ-]*register(?:et)?)(?![\wæøå])"
)


def _relate(
    scope: Scope, a: URIRef | None, p: URIRef, b: URIRef | None, inverse: URIRef, sentence: Sentence
) -> None:
    if a is not None and b is not None:
        scope.ctx.facts.relate(a, p, b, inverse, scope.prov(sentence))


def find_local_parts(scope: Scope) -> None:
    """ "Registeret består av et basisregister ...": the entry has a base register that
    later sentences call just "basisregisteret"."""
    for sentence in scope.sentences:
        if _HAS_BASIS.search(sentence.text):
            part = scope.ctx.registry.basis_part(scope.iri, sentence.line, sentence.text)
            for name in ("basisregister", "basisregisteret"):
                scope.local[name_key(name)] = part
            return


def extract_relations(scope: Scope) -> None:
    ctx = scope.ctx
    part_of = (DCTERMS.isPartOf, DCTERMS.hasPart)
    sentences = scope.sentences
    for index, sentence in enumerate(sentences):
        text = sentence.text
        subjects = sentence_subjects(scope, text) or []
        for match in _PART_OF.finditer(text):
            whole = scope.dataset(match.group("x"), sentence)
            for subject in subjects:
                _relate(scope, subject, part_of[0], whole, part_of[1], sentence)
        for match in _BECAME_PART.finditer(text):
            part = scope.dataset(match.group("x"), sentence)
            _relate(scope, part, part_of[0], scope.iri, part_of[1], sentence)
        for match in _DESIGNATION.finditer(text):
            part = scope.dataset(match.group("part"), sentence)
            whole = scope.dataset(match.group("whole"), sentence)
            _relate(scope, part, part_of[0], whole, part_of[1], sentence)
        if scope.iri in subjects:
            for match in _ATTACHED_TO.finditer(text):
                whole = scope.dataset(match.group("x"), sentence)
                _relate(scope, scope.iri, part_of[0], whole, part_of[1], sentence)
        for match in _ATTACHED_PART.finditer(text):
            part = scope.dataset(match.group("x"), sentence)
            _relate(scope, part, part_of[0], scope.iri, part_of[1], sentence)
        for match in _INCLUDED_IN.finditer(text):
            whole = scope.dataset(match.group("x"), sentence, create=False)
            _relate(scope, scope.iri, part_of[0], whole, part_of[1], sentence)
        for match in _FOLLOW_UP.finditer(text):
            earlier = scope.dataset(match.group("x") or match.group("y"), sentence)
            _relate(scope, scope.iri, HG.followUpOf, earlier, HG.hasFollowUp, sentence)
        for match in _CONTINUATION.finditer(text):
            earlier = scope.dataset(match.group("x"), sentence)
            _relate(scope, scope.iri, HG.continuationOf, earlier, HG.continuedBy, sentence)
        for match in _REPLACED_BY.finditer(text):
            successor = scope.dataset(match.group("x"), sentence)
            _relate(scope, scope.iri, DCTERMS.isReplacedBy, successor, DCTERMS.replaces, sentence)
        for match in _REPLACES.finditer(text):
            predecessor = scope.dataset(match.group("x"), sentence)
            _relate(scope, scope.iri, DCTERMS.replaces, predecessor, DCTERMS.isReplacedBy, sentence)
        for match in _MERGED.finditer(text):
            names = re.split(r",\s*|\s+og\s+(?=[A-ZÆØÅ])", match.group("list"))
            if not names or not all(n.strip()[:1].isupper() for n in names):
                continue
            result = scope.dataset(match.group("z"), sentence)
            for name in names:
                predecessor = scope.dataset(name, sentence)
                _relate(scope, result, HG.mergedFrom, predecessor, HG.mergedInto, sentence)
        for match in _DELIVERS.finditer(text):
            receiver = scope.dataset(match.group("x"), sentence)
            _relate(scope, scope.iri, HG.deliversDataTo, receiver, HG.receivesDataFrom, sentence)
        for pattern in (_RECEIVES, _LINKED):
            for match in pattern.finditer(text):
                for subject in subjects:
                    for item, where in _listed_names(
                        match.group("x"), sentences[index + 1 :], sentence
                    ):
                        origin = scope.dataset(item, where)
                        _relate(
                            scope, subject, HG.receivesDataFrom, origin, HG.deliversDataTo, where
                        )
    for implied in ctx.registry.implied_parts:
        ctx.facts.relate(
            implied.part,
            part_of[0],
            implied.whole,
            part_of[1],
            Provenance(implied.line, implied.quote),
        )
    ctx.registry.implied_parts.clear()


def _listed_names(
    span: str, following: list[Sentence], sentence: Sentence
) -> Iterable[tuple[str, Sentence]]:
    """Register names in a span, or, when the sentence ends with ":", in the bullet list
    that follows it."""
    if span.strip():
        for match in _REGISTER_NAME.finditer(span):
            yield match.group(0), sentence
        return
    for item in following:
        if not item.bullet:
            break
        whole = _REGISTER_NAME.fullmatch(item.text.strip(" .;"))
        if whole:
            yield whole.group(0), item


__all__ = ["extract_relations", "find_local_parts"]
