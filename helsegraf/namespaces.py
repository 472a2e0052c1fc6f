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
    "ADMS",
    "DCAT",
    "DCTERMS",
    "DPV",
    "ELI",
    "FOAF",
    "GRAPH",
    "HELSEDATA_LISTING",
    "HG",
    "HGSH",
    "ID",
    "ID_BASE",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "VANN",
    "VCARD",
    "XSD",
    "sparql_prologue",
]
