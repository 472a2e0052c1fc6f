"""What the extraction rules share: the listing-wide context, the entry being read,
and finding organisations and the subject of a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from helsegraf.loaders.facts import FactStore, Provenance
from helsegraf.loaders.listing_text import Entry, ListingWarning, Sentence
from helsegraf.loaders.names import DatasetRegistry
from helsegraf.namespaces import DCAT, FOAF, ID, PROV, RDF
from helsegraf.reference import Reference, name_key, slugify

# --------------------------------------------------------------------------------------
# context


@dataclass
class Context:
    """What the rules share across the whole listing."""

    ref: Reference
    registry: DatasetRegistry
    facts: FactStore
    warnings: list[ListingWarning]
    minted_orgs: dict[str, URIRef] = field(default_factory=dict)
    minted_legal: dict[str, URIRef] = field(default_factory=dict)
    #: the compiled scanner for act and regulation names (built on first use)
    legal_scanner: re.Pattern[str] | None = None

    def warn(self, line: int, message: str) -> None:
        """Record a warning (once per line and message)."""
        warning = ListingWarning(line, message)
        if warning not in self.warnings:
            self.warnings.append(warning)


@dataclass
class Scope:
    """One listed entry while its facts are extracted."""

    ctx: Context
    entry: Entry
    iri: URIRef
    sentences: list[Sentence]
    first: list[Sentence]
    local: dict[str, URIRef] = field(default_factory=dict)

    def prov(self, sentence: Sentence) -> Provenance:
        return Provenance(sentence.line, sentence.text)

    def add(self, p: URIRef, o: URIRef | Literal, sentence: Sentence) -> None:
        self.ctx.facts.add(self.iri, p, o, self.prov(sentence))

    def is_self(self, name: str) -> bool:
        """Does ``name`` name the entry being read?"""
        return self.ctx.registry.lookup_loose(name) == self.iri

    def dataset(self, name: str, sentence: Sentence, *, create: bool = True) -> URIRef | None:
        """The dataset a name in this entry stands for ("basisregisteret" may be local)."""
        local = self.local.get(name_key(_DETERMINER_ONLY.sub("", name.strip(" ,.;:"))))
        if local is not None:
            return local
        return self.ctx.registry.resolve(name, sentence.line, sentence.text, create=create)


_DETERMINER_ONLY = re.compile(r"^(?:det|den|de)\s+", re.IGNORECASE)

# --------------------------------------------------------------------------------------
# organisations

_PRONOUNS = {"det", "den", "dette", "denne", "registeret", "registret", "som", "hvem", "man", "du"}


def organisation(ctx: Context, name: str, sentence: Sentence) -> URIRef | None:
    """The organisation a name stands for. A name the reference does not know becomes an
    organisation of its own, with a warning; a misspelling close to a known name is read
    as that name, with a warning. Generic phrases ("ulike helseforetak") give None."""
    cleaned = " ".join(name.split()).strip(" ,.;:")
    if not cleaned or len(cleaned.split()) > 8:
        return None
    if cleaned.casefold() in _PRONOUNS or not (cleaned[0].isupper() or cleaned[0].isdigit()):
        # Lower-case phrases are descriptions, not names; but "datatilsynet" is a name.
        found = ctx.ref.organisation(cleaned)
        return found.iri if found else None
    found = ctx.ref.organisation(cleaned)
    if found is not None:
        return found.iri
    similar = ctx.ref.similar_organisation(cleaned)
    if similar is not None:
        ctx.warn(sentence.line, f"organisation name {cleaned!r} read as {similar.name!r}")
        return similar.iri
    key = name_key(cleaned)
    iri = ctx.minted_orgs.get(key)
    if iri is None:
        iri = ID[f"organisation/{slugify(cleaned) or 'unnamed'}"]
        ctx.minted_orgs[key] = iri
        ctx.facts.add(iri, RDF.type, FOAF.Organization, None)
        ctx.facts.add(iri, FOAF.name, Literal(cleaned, lang="nb"), None)
    ctx.warn(sentence.line, f"unknown organisation {cleaned!r}: added without an identifier")
    return iri


def attribute(scope: Scope, target: URIRef, org: URIRef, role: URIRef, sentence: Sentence) -> None:
    """``target prov:qualifiedAttribution [prov:agent org; dcat:hadRole role]`` (hash IRI)."""
    role_slug = re.sub(r"(?<!^)(?=[A-Z])", "-", str(role).rsplit("#", 1)[-1]).lower()
    org_slug = str(org).rstrip("/").rsplit("/", 1)[-1]
    node = URIRef(f"{target}#attribution-{role_slug}-{org_slug}")
    prov = scope.prov(sentence)
    facts = scope.ctx.facts
    facts.add(target, PROV.qualifiedAttribution, node, prov)
    facts.add(node, RDF.type, PROV.Attribution, prov)
    facts.add(node, PROV.agent, org, prov)
    facts.add(node, DCAT.hadRole, role, prov)


_VERB = re.compile(
    r"\b(?:er|var|drives|har|ble|omfattes|regulert|hjemlet|inngår|brukes|inneholder)\b", re.I
)
_SELF_WORDS = {"registeret", "registret", "det", "den", "registerdata", "undersøkelsen"}


def sentence_subjects(scope: Scope, text: str) -> list[URIRef] | None:
    """Which dataset a sentence is about: the entry itself ("Registeret er ...",
    "Det er ...", its own name), another dataset named as the subject, or None when
    the subject is something else ("FHI sine oppgaver ...")."""
    verb = _VERB.search(text)
    prefix = (text[: verb.start()] if verb else "").strip(" ,")
    if not prefix:
        return [scope.iri]
    local = scope.local.get(name_key(prefix))
    if local is not None:
        return [local]
    first = prefix.split()[0].casefold()
    if first in _SELF_WORDS or prefix.casefold().endswith("i registeret"):
        return [scope.iri]
    if scope.is_self(prefix):
        return [scope.iri]
    parts = [p for p in re.split(r",\s*(?:og\s+)?(?:dermed\s+)?", prefix) if p.strip()]
    if any(scope.is_self(part) for part in parts):
        return [scope.iri]
    other = scope.ctx.registry.lookup_loose(prefix)
    return [other] if other is not None else None


__all__ = ["Context", "Scope", "attribute", "organisation", "sentence_subjects"]
