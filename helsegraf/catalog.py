"""The DCAT catalog that national and European portals harvest (``/catalog``).

The published graph states facts in helsegraf's own data model (docs/data-model.md); this
module turns them into a DCAT catalog in one of two application profiles:

``dcat-ap-no``
    DCAT-AP-NO 3, read by Norway's national data catalogue (data.norge.no). The default.
``healthdcat-ap``
    HealthDCAT-AP (Release 8, access level NON_PUBLIC), read by EHDS health-data
    catalogues; it extends DCAT-AP 3, which data.europa.eu reads.

The two differ where the standards do: the publisher-type vocabulary (ADMS for
DCAT-AP-NO, the HealthDCAT-AP publisher-type list for HealthDCAT-AP), agent contact
points (HealthDCAT-AP asks for ``cv:contactPoint`` on publishers and access bodies) and the
health-specific properties. Each profile gets its own view rather than one graph that fails
both.

Nothing here invents a fact a source does not state. Where a profile makes a property
mandatory and the listing has no fact behind it, the view uses the honest value the
standard allows and says so (README, "Catalog"): for example a contact point that points
to the listing page when the listing gives no address.

Building a catalog is three steps, so that the api can run the queries in its worker pool
and the CLI against a store directly:

1. :data:`INDEX_QUERY`: which datasets (pages are cut from them in IRI order);
2. :func:`facts_query` and :func:`organisations_query`: the facts the mapping reads;
3. :func:`build`: a pure function from those facts to the catalog graph.

A catalog of 100,000 sources is served in pages (``page`` and ``page_size``), with Hydra
paging links, so no request builds the whole catalog in memory.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from helsegraf import paths
from helsegraf.namespaces import (
    ACCESS_RIGHT,
    ADMS_PUBLISHER_TYPE,
    COUNTRY,
    CV,
    DATA_THEME,
    DATASET_TYPE,
    DCAT,
    DCATAP,
    DCTERMS,
    DPV,
    ELI,
    EU_AUTHORITY,
    FILE_TYPE,
    FOAF,
    GEODCATAP,
    HDEU_PUBLISHER_TYPE,
    HEALTH_CATEGORY,
    HEALTHDCATAP,
    HELSEDATA_LISTING,
    HG,
    HYDRA,
    LANGUAGE,
    ODRS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    VCARD,
    XSD,
    sparql_prologue,
)
from helsegraf.store import Store

#: Where a publisher IRI points when the organisation number is known: the pattern
#: DCAT-AP-NO's examples and data.norge.no use for publishers.
PUBLISHER_PATTERN: Final = (
    "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/{}"
)

#: Prefixes of the serialised catalog.
CATALOG_PREFIXES: Final = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "dcatap": str(DCATAP),
    "healthdcatap": str(HEALTHDCATAP),
    "cv": str(CV),
    "geodcatap": str(GEODCATAP),
    "dpv": str(DPV),
    "eli": str(ELI),
    "foaf": str(FOAF),
    "hydra": str(HYDRA),
    "time": str(TIME),
    "odrs": str(ODRS),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


class Profile(StrEnum):
    """The application profiles the catalog is served in."""

    DCAT_AP_NO = "dcat-ap-no"
    HEALTHDCAT_AP = "healthdcat-ap"

    @property
    def conforms_to(self) -> URIRef:
        """The specification a catalog in this profile claims to follow (``dct:conformsTo``)."""
        return _SPECIFICATIONS[self]


_SPECIFICATIONS: Final = {
    Profile.DCAT_AP_NO: URIRef("https://data.norge.no/specification/dcat-ap-no"),
    Profile.HEALTHDCAT_AP: URIRef("https://healthdcat-ap.github.io/"),
}

#: Default and largest page sizes. A page of 100 datasets (about 4,500 triples) is built in
#: well under a second even in a catalog of 100,000 (bench/README.md); the real catalog fits
#: one page.
DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 5000


# -- the queries ---------------------------------------------------------------------------------

_PROLOGUE: Final = sparql_prologue()

#: The datasets a catalog lists: the sources the listing describes. Sources the listing only
#: mentions (a parent such as Kreftregisteret) are linked by IRI but not catalogued: nothing
#: states their publisher or contact.
_CATALOGUED: Final = "?dataset a dcat:Dataset ; hg:listingPosition ?position ."


#: Every catalogued dataset, unordered. Pages are cut from this list sorted by IRI, in Python:
#: oxigraph's ORDER BY over 100,000 IRIs takes seconds, the list and the sort a second.
INDEX_QUERY: Final = _PROLOGUE + f"SELECT ?dataset WHERE {{ {_CATALOGUED} }}"


def index_of(result_rows: Iterable[Mapping[str, object]]) -> list[URIRef]:
    """The catalog's datasets in IRI order (so pages are stable), from :data:`INDEX_QUERY`."""
    return sorted(set(datasets_of(result_rows)))


def page_of(index: Sequence[URIRef], page: int, page_size: int) -> list[URIRef]:
    """The datasets on one page (pages count from 1)."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"no such page: {page} of size {page_size}")
    start = (page - 1) * page_size
    return list(index[start : start + page_size])


def facts_query(datasets: Sequence[URIRef]) -> str:
    """The facts of some datasets: their own triples and those of the nodes they own.

    A dataset owns its hash nodes (``#temporal``, ``#contact``, ``#attribution-...``) and
    blank nodes; the legal provisions it cites are followed one step for their label and act.
    """
    values = " ".join(f"<{iri}>" for iri in datasets)
    return _PROLOGUE + (
        "CONSTRUCT { ?dataset ?p ?o . ?o ?q ?v . } WHERE { "
        f"VALUES ?dataset {{ {values} }} "
        "?dataset ?p ?o . "
        "OPTIONAL { ?o ?q ?v . "
        "FILTER (isBlank(?o) || ?p = dpv:hasLegalBasis "
        "|| STRSTARTS(STR(?o), CONCAT(STR(?dataset), '#'))) } }"
    )


def organisations_query(datasets: Sequence[URIRef]) -> str:
    """The name, number and short names of every organisation some datasets name: as
    controller, processor or publisher, or as the agent of an attribution."""
    values = " ".join(f"<{iri}>" for iri in datasets)
    return _PROLOGUE + (
        "CONSTRUCT { ?org a foaf:Organization ; ?p ?v . } WHERE { "
        f"VALUES ?dataset {{ {values} }} "
        "{ ?dataset dpv:hasDataController|dpv:hasDataProcessor|dct:publisher ?org } "
        "UNION { ?dataset prov:qualifiedAttribution/prov:agent ?org } "
        "?org a foaf:Organization ; ?p ?v . "
        "FILTER (?p IN (foaf:name, dct:identifier, skos:altLabel)) }"
    )


# -- the vocabularies ----------------------------------------------------------------------------


class UnknownConceptError(LookupError):
    """The mapping used a concept that ``data/vocabularies`` does not hold: a code nobody
    checked against its vocabulary, which a harvester would reject."""


@functools.cache
def vocabularies() -> Graph:
    """The concepts of the controlled vocabularies the catalog may use (read once)."""
    graph = Graph()
    for path in sorted(paths.VOCABULARY_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


# -- the mapping ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where the catalog is served: what the catalog says about itself depends on it.

    ``root`` is the public URL of the server (``https://helsegraf.example/``), from which the
    SPARQL endpoint, the catalog document and the home page are named; ``base_iri`` is the
    base of resource IRIs (a setting), under which the catalog and its service get IRIs
    (``<base>catalog``, ``<base>service/sparql``) that dereference to the same documents.
    """

    root: str
    base_iri: str

    @property
    def catalog(self) -> URIRef:
        return URIRef(self.base_iri + "catalog")

    @property
    def service(self) -> URIRef:
        return URIRef(self.base_iri + "service/sparql")

    @property
    def endpoint(self) -> URIRef:
        return URIRef(self.root + "sparql")

    def document(
        self, profile: Profile, page: int | None = None, page_size: int | None = None
    ) -> URIRef:
        """The URL of a catalog document (one page of it)."""
        query = f"?profile={profile.value}"
        if page is not None:
            query += f"&page={page}"
        if page_size is not None:
            query += f"&page_size={page_size}"
        return URIRef(self.root + "catalog" + query)


@dataclass(frozen=True)
class Page:
    """Which part of the catalog a document holds."""

    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.size))


#: The kinds of source and the EU data theme and HealthDCAT-AP terms they imply.
_KINDS: Final = (
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
    HG.AdministrativeRegister,
)

_KIND_LABELS: Final = {
    HG.MedicalQualityRegister: ("medisinsk kvalitetsregister", "medical quality register"),
    HG.CentralHealthRegister: ("sentralt helseregister", "central health register"),
    HG.PopulationHealthSurvey: ("befolkningsbasert helseundersøkelse", "population health survey"),
    HG.StatisticalDataCollection: ("statistisk datasamling", "statistical data collection"),
    HG.AdministrativeRegister: ("administrativt register", "administrative register"),
}

#: Kinds whose Norwegian name takes "en", not "et".
_FEMININE_OR_MASCULINE: Final = frozenset({HG.PopulationHealthSurvey, HG.StatisticalDataCollection})

_CONSENT_LABELS: Final = {
    HG.ConsentRequired: ("krever samtykke", "requires consent"),
    HG.ConsentNotRequired: ("krever ikke samtykke", "does not require consent"),
    HG.OptOut: ("har reservasjonsrett", "has a right to opt out"),
    HG.VoluntaryParticipation: (
        "bygger på frivillig deltakelse",
        "is based on voluntary participation",
    ),
}

#: Publisher types, by organisation number: ADMS for DCAT-AP-NO, the HealthDCAT-AP list
#: for HealthDCAT-AP. A classification made here (the listing does not type organisations);
#: an organisation left out gets no type rather than a guess. Neither vocabulary has a
#: term for a Norwegian health trust (HF) that both would accept, so ADMS gets none for them.
PUBLISHER_TYPES: Final[dict[str, tuple[URIRef | None, URIRef | None]]] = {
    # Folkehelseinstituttet: a national public health institute
    "983744516": (
        ADMS_PUBLISHER_TYPE.NationalAuthority,
        HDEU_PUBLISHER_TYPE["public-health-institute"],
    ),
    # Helsedirektoratet
    "983544622": (
        ADMS_PUBLISHER_TYPE.NationalAuthority,
        HDEU_PUBLISHER_TYPE["national-authority"],
    ),
    # Statistisk sentralbyrå
    "971526920": (
        ADMS_PUBLISHER_TYPE.NationalAuthority,
        HDEU_PUBLISHER_TYPE["stat-agency"],
    ),
    # Arkivverket
    "961181399": (
        ADMS_PUBLISHER_TYPE.NationalAuthority,
        HDEU_PUBLISHER_TYPE["national-authority"],
    ),
    # Forsvarsdepartementet
    "972417823": (
        ADMS_PUBLISHER_TYPE.NationalAuthority,
        HDEU_PUBLISHER_TYPE["national-authority"],
    ),
    # the health trusts
    "983974724": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "993467049": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "983974899": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "883974832": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "983975259": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "983975267": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
    "983974910": (None, HDEU_PUBLISHER_TYPE["healthcare-providers"]),
}


@dataclass
class _Dataset:
    """What the mapping reads about one dataset, gathered from the facts graph."""

    iri: URIRef
    facts: Graph

    def objects(self, predicate: URIRef) -> list[Node]:
        return sorted(self.facts.objects(self.iri, predicate), key=str)

    def one(self, predicate: URIRef) -> Node | None:
        values = self.objects(predicate)
        return values[0] if values else None

    @property
    def kind(self) -> URIRef | None:
        kinds = [k for k in _KINDS if (self.iri, RDF.type, k) in self.facts]
        return kinds[0] if kinds else None

    def title(self, lang: str) -> str | None:
        for title in self.objects(DCTERMS.title):
            if isinstance(title, Literal) and title.language == lang:
                return str(title)
        return None


def build(
    facts: Graph,
    datasets: Sequence[URIRef],
    profile: Profile,
    site: Site,
    page: Page,
    *,
    modified: str | None = None,
) -> Graph:
    """The catalog document for one page of datasets, in one profile.

    ``facts`` holds the answers of :func:`facts_query` for ``datasets`` and of
    :func:`organisations_query`; ``modified`` is the date (``YYYY-MM-DD``) the published
    graph last changed, if known.
    """
    mapper = _Mapper(facts, profile, site)
    out = mapper.out
    catalog = site.catalog
    mapper.catalog(modified)
    for iri in datasets:
        out.add((catalog, DCAT.dataset, iri))
        mapper.dataset(_Dataset(iri, facts))
        out.add((site.service, DCAT.servesDataset, iri))
    mapper.paging(page)
    return out


class _Mapper:
    """Writes the catalog graph; one instance per document."""

    def __init__(self, facts: Graph, profile: Profile, site: Site) -> None:
        self.facts = facts
        self.profile = profile
        self.site = site
        self.out = Graph()
        for prefix, iri in CATALOG_PREFIXES.items():
            self.out.bind(prefix, iri, override=True)
        self._agents: dict[URIRef, URIRef] = {}

    @property
    def health(self) -> bool:
        return self.profile is Profile.HEALTHDCAT_AP

    def add(self, s: Node, p: URIRef, o: Node) -> None:
        self.out.add((s, p, o))

    def texts(self, s: Node, p: URIRef, nb: str, en: str) -> None:
        self.add(s, p, Literal(nb, lang="nb"))
        self.add(s, p, Literal(en, lang="en"))

    def concept(self, iri: URIRef, *types: URIRef) -> URIRef:
        """A concept from a controlled vocabulary, with its labels and scheme, so that a
        harvester can show it and check it without fetching the vocabulary."""
        vocab = vocabularies()
        scheme = vocab.value(iri, SKOS.inScheme)
        if scheme is None:
            raise UnknownConceptError(f"{iri} is not in data/vocabularies")
        for kind in (SKOS.Concept, *types):
            self.add(iri, RDF.type, kind)
        self.add(iri, SKOS.inScheme, scheme)
        for label in vocab.objects(iri, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language in ("nb", "en"):
                self.add(iri, SKOS.prefLabel, label)
        if (scheme, RDF.type, SKOS.ConceptScheme) not in self.out:
            self.add(scheme, RDF.type, SKOS.ConceptScheme)
            for title in vocab.objects(scheme, DCTERMS.title):
                self.add(scheme, DCTERMS.title, title)
            if vocab.value(scheme, DCTERMS.title) is None:
                for label in vocab.objects(scheme, SKOS.prefLabel):
                    self.add(scheme, DCTERMS.title, label)
        return iri

    def concept_scheme(self, scheme: URIRef) -> URIRef:
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        for title in vocabularies().objects(scheme, DCTERMS.title):
            self.add(scheme, DCTERMS.title, title)
        return scheme

    def standard(self, iri: URIRef) -> URIRef:
        self.add(iri, RDF.type, DCTERMS.Standard)
        return iri

    def document(self, iri: URIRef) -> URIRef:
        self.add(iri, RDF.type, FOAF.Document)
        return iri

    # -- the catalog and its service ------------------------------------------------------------

    def catalog(self, modified: str | None) -> None:
        site, c = self.site, self.site.catalog
        self.add(c, RDF.type, DCAT.Catalog)
        self.texts(
            c,
            DCTERMS.title,
            "helsegraf: helsedatakilder i Norge",
            "helsegraf: Norwegian health data sources",
        )
        self.texts(
            c,
            DCTERMS.description,
            "Registre, helseundersøkelser og statistikk som helsedata.no viser, beskrevet med "
            "fakta om samtykke, hjemmel, dataansvar og sammenhenger mellom kildene.",
            "The registers, health surveys and statistics helsedata.no lists, described with "
            "facts on consent, legal basis, data controllers and how the sources relate.",
        )
        self.add(c, DCTERMS.identifier, Literal(str(c)))
        self.add(c, DCTERMS.publisher, self.catalog_publisher())
        self.add(c, DCAT.contactPoint, self.site_contact())
        self.add(c, FOAF.homepage, self.document(URIRef(site.root)))
        for language in (LANGUAGE.NOB, LANGUAGE.ENG):
            self.add(c, DCTERMS.language, self.concept(language, DCTERMS.LinguisticSystem))
        self.add(c, DCTERMS.spatial, self.concept(COUNTRY.NOR, DCTERMS.Location))
        self.add(c, DCAT.themeTaxonomy, self.concept_scheme(URIRef(EU_AUTHORITY + "data-theme")))
        self.add(c, DCTERMS.conformsTo, self.standard(self.profile.conforms_to))
        self.add(c, DCAT.service, site.service)
        if modified is not None:
            self.add(c, DCTERMS.modified, Literal(modified, datatype=XSD.date))
        if self.health:
            self.add(c, DCATAP.applicableLegislation, self.legislation(EHDS))
        self.service()

    def catalog_publisher(self) -> URIRef:
        """The agent publishing this catalog: the helsegraf service itself."""
        agent = URIRef(self.site.base_iri + "organisation/helsegraf")
        if agent not in self._agents:
            self._agents[agent] = agent
            self.add(agent, RDF.type, FOAF.Agent)
            self.texts(agent, FOAF.name, "helsegraf", "helsegraf")
            if self.health:
                self.add(agent, CV.contactPoint, self.cv_contact(agent, URIRef(self.site.root)))
        return agent

    def site_contact(self) -> URIRef:
        contact = URIRef(self.site.catalog + "#contact")
        self.add(contact, RDF.type, VCARD.Kind)
        self.add(contact, RDF.type, VCARD.Organization)
        self.texts(contact, VCARD.fn, "helsegraf", "helsegraf")
        self.add(contact, VCARD.hasURL, URIRef(self.site.root))
        return contact

    def service(self) -> None:
        s = self.site.service
        self.add(s, RDF.type, DCAT.DataService)
        self.texts(s, DCTERMS.title, "SPARQL-endepunkt for helsegraf", "helsegraf SPARQL endpoint")
        self.texts(
            s,
            DCTERMS.description,
            "SPARQL 1.1-endepunkt over hele grafen: kildene, organisasjonene, hjemlene og "
            "hvor hvert faktum er lest fra.",
            "A SPARQL 1.1 endpoint over the whole graph: the sources, the organisations, the "
            "legal bases and where each fact was read from.",
        )
        self.add(s, DCAT.endpointURL, self.site.endpoint)
        self.add(s, DCAT.endpointDescription, self.site.endpoint)
        self.add(
            s, DCTERMS.conformsTo, self.standard(URIRef("https://www.w3.org/TR/sparql11-protocol/"))
        )
        self.add(s, DCTERMS.publisher, self.catalog_publisher())
        self.add(s, DCAT.contactPoint, self.site_contact())
        self.add(
            s, DCTERMS.accessRights, self.concept(ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement)
        )
        self.add(s, DCAT.theme, self.concept(DATA_THEME.HEAL))
        self.add(s, DCAT.keyword, Literal("SPARQL", lang="en"))
        self.add(s, DCAT.keyword, Literal("SPARQL", lang="nb"))
        for fmt in ("RDF_TURTLE", "RDF_XML", "JSON_LD", "RDF_N_TRIPLES"):
            self.add(s, DCTERMS.format, self.concept(FILE_TYPE[fmt], DCTERMS.MediaTypeOrExtent))
        if self.health:
            self.add(s, DCATAP.applicableLegislation, self.legislation(EHDS))

    def paging(self, page: Page) -> None:
        """Hydra paging links when the catalog does not fit one document."""
        if page.total <= page.size and page.number == 1:
            return
        site, profile = self.site, self.profile
        view = site.document(profile, page.number, page.size)
        self.add(view, RDF.type, HYDRA.PartialCollectionView)
        self.add(site.catalog, HYDRA.view, view)
        self.add(view, HYDRA.totalItems, Literal(page.total))
        self.add(view, HYDRA.itemsPerPage, Literal(page.size))
        self.add(view, HYDRA.first, site.document(profile, 1, page.size))
        self.add(view, HYDRA.last, site.document(profile, page.last, page.size))
        if page.number > 1:
            self.add(view, HYDRA.previous, site.document(profile, page.number - 1, page.size))
        if page.number < page.last:
            self.add(view, HYDRA.next, site.document(profile, page.number + 1, page.size))

    # -- agents ------------------------------------------------------------------------------------

    def agent(self, org: URIRef) -> URIRef:
        """An organisation as a DCAT agent: its publisher IRI, name, number and type."""
        if org in self._agents:
            return self._agents[org]
        number = self.facts.value(org, DCTERMS.identifier)
        agent = URIRef(PUBLISHER_PATTERN.format(number)) if number is not None else org
        self._agents[org] = agent
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, RDF.type, FOAF.Organization)
        names = list(self.facts.objects(org, FOAF.name))
        for name in names or [Literal(_slug(org))]:
            self.add(agent, FOAF.name, name)
        if number is not None:
            self.add(agent, DCTERMS.identifier, Literal(str(number)))
            if agent != org:
                self.add(agent, OWL.sameAs, org)
            adms, hdeu = PUBLISHER_TYPES.get(str(number), (None, None))
            kind = hdeu if self.health else adms
            if kind is not None:
                self.add(agent, DCTERMS.type, self.concept(kind))
        if self.health:
            # the contact node is minted under helsegraf's IRI of the organisation, never
            # under the publisher IRI of another register
            self.add(agent, CV.contactPoint, self.cv_contact(org, URIRef(HELSEDATA_LISTING)))
        return agent

    def cv_contact(self, owner: URIRef, page: URIRef) -> Node:
        """A ``cv:ContactPoint`` for an agent (named under ``owner``): the page that says
        how to reach it. The listing gives no organisation addresses, only per-source ones."""
        contact = _hash_node(owner, "contact")
        self.add(contact, RDF.type, CV.ContactPoint)
        self.add(contact, CV.contactPage, page)
        return contact

    # -- datasets --------------------------------------------------------------------------

    def dataset(self, d: _Dataset) -> None:
        iri = d.iri
        self.add(iri, RDF.type, DCAT.Dataset)
        for title in d.objects(DCTERMS.title):
            self.add(iri, DCTERMS.title, title)
        self.add(iri, DCTERMS.identifier, Literal(str(iri)))
        self.description(d)
        publisher = self.publisher(d)
        if publisher is not None:
            self.add(iri, DCTERMS.publisher, self.agent(publisher))
        self.contact(d)
        self.add(iri, DCAT.theme, self.concept(DATA_THEME.HEAL))
        for theme in d.objects(DCAT.theme):
            if isinstance(theme, URIRef):
                self.add(iri, DCAT.theme, self.concept(theme))
        self.keywords(d)
        self.add(
            iri,
            DCTERMS.accessRights,
            self.concept(ACCESS_RIGHT.NON_PUBLIC, DCTERMS.RightsStatement),
        )
        self.add(iri, DCTERMS.spatial, self.concept(COUNTRY.NOR, DCTERMS.Location))
        self.temporal(d)
        laws = self.applicable_legislation(d)
        self.add(iri, DCAT.landingPage, self.document(URIRef(HELSEDATA_LISTING)))
        self.add(iri, DCTERMS.provenance, self.provenance())
        for predicate in (
            DCTERMS.isPartOf,
            DCTERMS.hasPart,
            DCTERMS.replaces,
            DCTERMS.isReplacedBy,
        ):
            for other in d.objects(predicate):
                self.add(iri, predicate, other)
        for alt in d.objects(SKOS.altLabel):
            self.add(iri, DCTERMS.alternative, alt)
        self.distribution(d, laws)
        if self.health:
            self.health_dataset(d, laws)

    def publisher(self, d: _Dataset) -> URIRef | None:
        """The dataset's publisher: as curated, else its controller, else its distributor."""
        for candidate in (
            d.objects(DCTERMS.publisher),
            d.objects(DPV.hasDataController),
            self.attributed(d, HG.DataDistributor),
        ):
            orgs = [o for o in candidate if isinstance(o, URIRef)]
            if orgs:
                return orgs[0]
        return None

    def attributed(self, d: _Dataset, role: URIRef) -> list[Node]:
        agents: list[Node] = []
        for attribution in d.objects(PROV.qualifiedAttribution):
            if (attribution, DCAT.hadRole, role) in self.facts:
                agents.extend(self.facts.objects(attribution, PROV.agent))
        return sorted(agents, key=str)

    def description(self, d: _Dataset) -> None:
        nb, en = _describe(d, self.facts)
        self.texts(d.iri, DCTERMS.description, nb, en)

    def contact(self, d: _Dataset) -> None:
        """The access contact the listing gives; else the listing page, which tells how."""
        contact = URIRef(str(d.iri) + "#contact")
        listed = d.one(DCAT.contactPoint)
        emails = (
            sorted(self.facts.objects(listed, VCARD.hasEmail), key=str)
            if listed is not None
            else []
        )
        self.add(d.iri, DCAT.contactPoint, contact)
        # vcard:Kind for DCAT-AP's range; DCAT-AP-NO asks for one of its subclasses
        self.add(contact, RDF.type, VCARD.Kind)
        self.add(contact, RDF.type, VCARD.Organization)
        name_nb = d.title("nb") or _slug(d.iri)
        if emails:
            self.texts(contact, VCARD.fn, f"Kontakt for {name_nb}", f"Contact for {name_nb}")
            for email in emails:
                self.add(contact, VCARD.hasEmail, email)
        else:
            self.texts(
                contact,
                VCARD.fn,
                f"Kontaktveier for {name_nb} på helsedata.no",
                f"Contact routes for {name_nb} on helsedata.no",
            )
            self.add(contact, VCARD.hasURL, URIRef(HELSEDATA_LISTING))

    def keywords(self, d: _Dataset) -> None:
        kind = d.kind
        if kind is not None:
            nb, en = _KIND_LABELS[kind]
            self.texts(d.iri, DCAT.keyword, nb, en)
        for alt in d.objects(SKOS.altLabel):
            if isinstance(alt, Literal) and len(str(alt)) <= 40:
                self.add(d.iri, DCAT.keyword, alt)

    def temporal(self, d: _Dataset) -> None:
        """Time coverage. The listing gives years; DCAT-AP-NO takes only dates as
        ``dcat:startDate``, so its view states the years as OWL-Time instants
        (``time:inXSDgYear``) rather than inventing a day; DCAT-AP takes the years as they are."""
        for period in d.objects(DCTERMS.temporal):
            node = URIRef(str(period)) if isinstance(period, URIRef) else BNode()
            self.add(d.iri, DCTERMS.temporal, node)
            self.add(node, RDF.type, DCTERMS.PeriodOfTime)
            for predicate, bound, anchor in (
                (DCAT.startDate, TIME.hasBeginning, "start"),
                (DCAT.endDate, TIME.hasEnd, "end"),
            ):
                for value in self.facts.objects(period, predicate):
                    if self.health or not _is_year(value):
                        self.add(node, predicate, value)
                        continue
                    instant = _hash_node(node, anchor)
                    self.add(node, bound, instant)
                    self.add(instant, RDF.type, TIME.Instant)
                    self.add(instant, TIME.inXSDgYear, value)

    def applicable_legislation(self, d: _Dataset) -> list[URIRef]:
        """The acts and regulations a dataset is held under (ELI IRIs)."""
        laws: set[URIRef] = set()
        for basis in d.objects(DPV.hasLegalBasis):
            act = self.facts.value(basis, ELI.is_part_of)
            laws.add(act if isinstance(act, URIRef) else basis)  # type: ignore[arg-type]
        laws.update(o for o in d.objects(HG.regulatedBy) if isinstance(o, URIRef))
        ordered = sorted(laws)
        for law in ordered:
            self.add(d.iri, DCATAP.applicableLegislation, self.legislation(law))
        return ordered

    def legislation(self, law: URIRef) -> URIRef:
        self.add(law, RDF.type, ELI.LegalResource)
        return law

    def rights(self) -> URIRef:
        """What every source's access distribution says about rights: no open use."""
        node = URIRef(self.site.base_iri + "rights/access-by-application")
        self.add(node, RDF.type, DCTERMS.RightsStatement)
        self.add(node, RDF.type, ODRS.RightsStatement)  # the class DCAT-AP-NO asks for
        self.texts(
            node,
            RDFS.label,
            "Opplysningene er ikke åpne data. De kan bare brukes etter søknad og vedtak om "
            "tilgang.",
            "The data are not open data. They may be used only after an application for access "
            "has been granted.",
        )
        return node

    def provenance(self) -> URIRef:
        node = URIRef(self.site.base_iri + "provenance/helsedata-listing")
        self.add(node, RDF.type, DCTERMS.ProvenanceStatement)
        self.texts(
            node,
            RDFS.label,
            "Lest ut av helsedata.no sin oversikt over datakilder av helsegraf; hvert faktum "
            "viser setningen det er lest fra, og helsegrafs kurering sier hvorfor der teksten "
            "er uklar.",
            "Read from helsedata.no's list of data sources by helsegraf; every fact shows the "
            "sentence it was read from, and helsegraf's curation says why where the text is "
            "unclear.",
        )
        return node

    def distribution(self, d: _Dataset, laws: Sequence[URIRef]) -> None:
        """Access by application: the data are not published, the way to apply is."""
        dist = URIRef(str(d.iri) + "#access")
        self.add(d.iri, DCAT.distribution, dist)
        self.add(dist, RDF.type, DCAT.Distribution)
        self.texts(dist, DCTERMS.title, "Tilgang etter søknad", "Access by application")
        via = d.one(HG.applicationViaHelsedata)
        if isinstance(via, Literal) and via.toPython() is True:
            self.texts(
                dist,
                DCTERMS.description,
                "Dataene utleveres ikke fritt. Det søkes om tilgang med søknadsskjemaet på "
                "helsedata.no.",
                "The data are not open. Access is applied for with the application form on "
                "helsedata.no.",
            )
        else:
            self.texts(
                dist,
                DCTERMS.description,
                "Dataene utleveres ikke fritt. Hvordan det søkes om tilgang, står på helsedata.no "
                "sin oversikt over datakilder.",
                "The data are not open. How to apply for access is given on helsedata.no's list "
                "of data sources.",
            )
        self.add(dist, DCAT.accessURL, URIRef(HELSEDATA_LISTING))
        self.add(dist, DCTERMS.rights, self.rights())
        if self.health:
            for law in laws or [EHDS]:
                self.add(dist, DCATAP.applicableLegislation, self.legislation(law))

    # -- HealthDCAT-AP ---------------------------------------------------------------------

    def health_dataset(self, d: _Dataset, laws: Sequence[URIRef]) -> None:
        iri = d.iri
        if not laws:
            self.add(iri, DCATAP.applicableLegislation, self.legislation(EHDS))
        for basis in d.objects(DPV.hasLegalBasis):
            self.add(iri, DPV.hasLegalBasis, basis)
            self.add(basis, RDF.type, DPV.LegalBasis)
            for label in self.facts.objects(basis, RDFS.label):
                self.add(basis, RDFS.label, label)
                self.add(basis, DCTERMS.description, label)
            act = self.facts.value(basis, ELI.is_part_of)
            self.add(basis, DCTERMS.source, act if isinstance(act, URIRef) else basis)
        for controller in d.objects(DPV.hasDataController):
            if isinstance(controller, URIRef):
                self.add(iri, GEODCATAP.custodian, self.agent(controller))
        hdab = self.access_body(d)
        if hdab is not None:
            self.add(iri, HEALTHDCATAP.hdab, self.agent(hdab))
        kind = d.kind
        if kind is not None:
            for category in HEALTH_CATEGORIES.get(kind, ()):
                self.add(iri, HEALTHDCATAP.healthCategory, self.concept(category))
            self.add(iri, DCTERMS.type, self.dataset_type(kind))
        # true would require a variable-level description (csvw), which nothing states
        self.add(iri, HEALTHDCATAP.hasStructuredData, Literal(False))

    def dataset_type(self, kind: URIRef) -> URIRef:
        eu_type = DATASET_TYPES.get(kind)
        if eu_type is not None:
            return self.concept(eu_type)
        # the ontology's class, described here as a concept of a scheme the catalog defines
        scheme = URIRef(str(self.site.catalog) + "#kinds")
        self.add(kind, RDF.type, SKOS.Concept)
        self.add(kind, SKOS.inScheme, scheme)
        nb, en = _KIND_LABELS[kind]
        self.texts(kind, SKOS.prefLabel, nb, en)
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.texts(scheme, DCTERMS.title, "helsegrafs kildetyper", "helsegraf's kinds of source")
        return kind

    def access_body(self, d: _Dataset) -> URIRef | None:
        """Who handles applications: as stated, else the publisher."""
        handlers = [a for a in self.attributed(d, HG.ApplicationHandler) if isinstance(a, URIRef)]
        if handlers:
            return handlers[0]
        return self.publisher(d)


#: The European Health Data Space regulation, (EU) 2025/327.
EHDS: Final = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")


#: EHDS health-data categories (HealthDCAT-AP ``healthCategory``) by kind of source: medical
#: registries (MRMR), population-based registries (PHDR), cohorts and surveys (RQSH), factors
#: impacting on health such as socio-economic data (DIOH), administrative data (HRAD).
HEALTH_CATEGORIES: Final[dict[URIRef, tuple[URIRef, ...]]] = {
    HG.MedicalQualityRegister: (HEALTH_CATEGORY.MRMR,),
    HG.CentralHealthRegister: (HEALTH_CATEGORY.PHDR,),
    HG.PopulationHealthSurvey: (HEALTH_CATEGORY.RQSH,),
    HG.StatisticalDataCollection: (HEALTH_CATEGORY.DIOH,),
    HG.AdministrativeRegister: (HEALTH_CATEGORY.HRAD,),
}
#: EU dataset types by kind of source. Only statistics have a fitting EU type; the other
#: kinds are typed with helsegraf's own kind, which HealthDCAT-AP accepts with a warning.
DATASET_TYPES: Final[dict[URIRef, URIRef]] = {
    HG.StatisticalDataCollection: DATASET_TYPE.STATISTICAL
}


def _hash_node(node: Node, name: str) -> Node:
    """A node owned by ``node``: ``<node#name>``, or ``<node-name>`` under a hash IRI."""
    if not isinstance(node, URIRef):
        return BNode()
    return URIRef(f"{node}-{name}" if "#" in node else f"{node}#{name}")


def _is_year(value: Node) -> bool:
    return isinstance(value, Literal) and value.datatype == XSD.gYear


def _slug(iri: Node) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _names(facts: Graph, orgs: Iterable[Node], lang: str) -> list[str]:
    names = []
    for org in orgs:
        name = facts.value(org, FOAF.name)
        names.append(str(name) if name is not None else _slug(org))
    return names


def _join(items: Sequence[str], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _describe(d: _Dataset, facts: Graph) -> tuple[str, str]:
    """A description in nb and en, composed from the dataset's facts only."""
    name_nb = d.title("nb") or _slug(d.iri)
    name_en = d.title("en") or name_nb
    nb: list[str] = []
    en: list[str] = []
    kind = d.kind
    if kind is not None:
        kind_nb, kind_en = _KIND_LABELS[kind]
        article = "en" if kind in _FEMININE_OR_MASCULINE else "et"
        nb.append(f"{name_nb} er {article} {kind_nb}.")
        en.append(f"{name_en} is a {kind_en}.")
    controllers = _names(facts, d.objects(DPV.hasDataController), "nb")
    if controllers:
        nb.append(f"Dataansvarlig: {_join(controllers, 'og')}.")
        en.append(f"Data controller: {_join(controllers, 'and')}.")
    processors = _names(facts, d.objects(DPV.hasDataProcessor), "nb")
    if processors:
        nb.append(f"Databehandler: {_join(processors, 'og')}.")
        en.append(f"Data processor: {_join(processors, 'and')}.")
    for regime in d.objects(HG.consentRegime):
        if regime in _CONSENT_LABELS:
            c_nb, c_en = _CONSENT_LABELS[regime]  # type: ignore[index]
            nb.append(f"Kilden {c_nb}.")
            en.append(f"The source {c_en}.")
    provisions = [str(facts.value(b, RDFS.label) or _slug(b)) for b in d.objects(DPV.hasLegalBasis)]
    if provisions:
        nb.append(f"Hjemmel: {_join(provisions, 'og')}.")
        en.append(f"Legal basis: {_join(provisions, 'and')}.")
    for period in d.objects(DCTERMS.temporal):
        start = facts.value(period, DCAT.startDate)
        end = facts.value(period, DCAT.endDate)
        if start is not None and end is not None:
            nb.append(f"Dataene dekker {start}–{end}.")
            en.append(f"The data cover {start}–{end}.")
        elif start is not None:
            nb.append(f"Dataene går tilbake til {start}.")
            en.append(f"The data go back to {start}.")
    if not nb:
        nb.append(f"{name_nb} står på helsedata.no sin oversikt over datakilder.")
        en.append(f"{name_en} is on helsedata.no's list of data sources.")
    return " ".join(nb), " ".join(en)


def datasets_of(result_rows: Iterable[Mapping[str, object]]) -> list[URIRef]:
    """The dataset IRIs of an answer binding ``?dataset``."""
    return [row["dataset"] for row in result_rows if isinstance(row.get("dataset"), URIRef)]  # type: ignore[misc]


def merged(graphs: Iterable[Graph]) -> Graph:
    """One graph holding the triples of several (the facts and the organisations)."""
    out = Graph()
    for graph in graphs:
        for triple in graph:
            out.add(triple)
    return out


def page_facts(store: Store, datasets: Sequence[URIRef]) -> Graph:
    """What :func:`build` reads about some datasets: their facts and their organisations."""
    if not datasets:
        return Graph()
    return merged(
        [store.construct(facts_query(datasets)), store.construct(organisations_query(datasets))]
    )


def from_store(
    store: Store,
    profile: Profile,
    site: Site,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    *,
    modified: str | None = None,
) -> Graph:
    """One catalog document read straight from a store (the CLI and the tests)."""
    index = index_of(store.select(INDEX_QUERY).rows)
    datasets = page_of(index, page, page_size)
    page_info = Page(page, page_size, len(index))
    return build(page_facts(store, datasets), datasets, profile, site, page_info, modified=modified)


@dataclass(frozen=True)
class PageRequest:
    """One catalog document to build where the store is (a query worker): picklable."""

    profile: Profile
    site: Site
    datasets: tuple[URIRef, ...]
    page: Page
    modified: str | None
    media: str


def render(store: Store, request: PageRequest) -> bytes:
    """The catalog document ``request`` names, serialised. Runs in a query worker, so a page
    is built on a core of its own while the server's event loop goes on answering."""
    from helsegraf import rdfout

    graph = build(
        page_facts(store, request.datasets),
        request.datasets,
        request.profile,
        request.site,
        request.page,
        modified=request.modified,
    )
    return rdfout.serialize(graph, request.media, request.site.catalog, CATALOG_PREFIXES)
