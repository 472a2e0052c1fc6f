"""The one place where helsegraf's namespaces and well-known IRIs are defined.

Every module imports its prefixes from here; none redefines them.

>>> str(HG.consentRegime)
'https://w3id.org/helsegraf/ontology#consentRegime'
>>> str(ID.dataset)
'https://w3id.org/helsegraf/id/dataset'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VANN, XSD

#: The ontology's namespace (DESIGN.md section 3).
HG = Namespace("https://w3id.org/helsegraf/ontology#")
#: Default base of resource IRIs; the api serves ``/id/...`` under it. The base is a setting,
#: but the committed snapshot and the tests use this default.
ID_BASE = "https://w3id.org/helsegraf/id/"
ID = Namespace(ID_BASE)
#: The project's SHACL shapes.
HGSH = Namespace("https://w3id.org/helsegraf/shapes#")
#: Named graphs of the store.
GRAPH = Namespace("https://w3id.org/helsegraf/graph/")

DPV = Namespace("https://w3id.org/dpv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ORG = Namespace("http://www.w3.org/ns/org#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SH = Namespace("http://www.w3.org/ns/shacl#")

# The application profiles of the catalog (helsegraf.catalog).
DCATAP = Namespace("http://data.europa.eu/r5r/")
HEALTHDCATAP = Namespace("http://healthdataportal.eu/ns/health#")
CV = Namespace("http://data.europa.eu/m8g/")
GEODCATAP = Namespace("http://data.europa.eu/930/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
TIME = Namespace("http://www.w3.org/2006/time#")
ODRS = Namespace("http://schema.theodi.org/odrs#")

# Controlled vocabularies the catalog takes its concepts from (data/vocabularies).
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
COUNTRY = Namespace(EU_AUTHORITY + "country/")
LANGUAGE = Namespace(EU_AUTHORITY + "language/")
FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
DATASET_TYPE = Namespace(EU_AUTHORITY + "dataset-type/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
HDEU_AUTHORITY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
HEALTH_CATEGORY = Namespace(HDEU_AUTHORITY + "healthcategories/")
HDEU_PUBLISHER_TYPE = Namespace(HDEU_AUTHORITY + "publisher-type/")

#: The helsedata.no listing of data sources, the page the first loader reads.
HELSEDATA_LISTING = "https://helsedata.no/no/datakilder/"

#: Prefixes bound when a graph is serialised (Turtle, TriG) and offered to SPARQL users.
PREFIXES: dict[str, str] = {
    "hg": str(HG),
    "hgid": ID_BASE,
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "dpv": str(DPV),
    "eli": str(ELI),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "vann": str(VANN),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


def sparql_prologue() -> str:
    """The PREFIX lines of :data:`PREFIXES`, for the start of a SPARQL query.

    >>> sparql_prologue().splitlines()[0]
    'PREFIX hg: <https://w3id.org/helsegraf/ontology#>'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


__all__ = [
    "ACCESS_RIGHT",
    "ADMS",
    "ADMS_PUBLISHER_TYPE",
    "COUNTRY",
    "CV",
    "DATASET_TYPE",
    "DATA_THEME",
    "DCAT",
    "DCATAP",
    "DCTERMS",
    "DPV",
    "ELI",
    "EU_AUTHORITY",
    "FILE_TYPE",
    "FOAF",
    "GEODCATAP",
    "GRAPH",
    "HDEU_AUTHORITY",
    "HDEU_PUBLISHER_TYPE",
    "HEALTHDCATAP",
    "HEALTH_CATEGORY",
    "HELSEDATA_LISTING",
    "HG",
    "HGSH",
    "HYDRA",
    "ID",
    "ID_BASE",
    "LANGUAGE",
    "ODRS",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "TIME",
    "VANN",
    "VCARD",
    "XSD",
    "sparql_prologue",
]
