"""A real harvester reads our catalog: ckanext-dcat's RDF parser, as CKAN portals run it.

ckanext-dcat (with CKAN) lives in its own venv, ``.venv-ckan``, made by
``tests/harvest/ckan-env.sh`` (``make ckan-venv``); ``parse_catalog.py`` runs its
``RDFParser`` there on a file and prints the CKAN dataset dicts as JSON. No CKAN runs: no
database, no Solr.

Every assertion compares the parser's dicts with facts read, with rdflib, from the very
file the parser read, dataset by dataset: which datasets, titles, publishers, contact
points, access rights, themes, time coverage and, under HealthDCAT-AP, the health fields
ckanext-dcat reads. Nothing expected is written down here.

Without ``.venv-ckan`` the tests skip, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS
from rdflib.term import Node

from helsegraf.namespaces import DPV, HEALTHDCATAP, HYDRA, VCARD
from helsegraf.store import OxigraphStore
from tests.api.conftest import app_client

pytestmark = pytest.mark.harvest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PARSER = HERE / "parse_catalog.py"
SAMPLE = HERE / "sample-catalog.ttl"
#: The ckan venv (``tests/harvest/ckan-env.sh``); ``HELSEGRAF_CKAN_VENV`` names another.
CKAN_VENV = Path(os.environ.get("HELSEGRAF_CKAN_VENV") or ROOT / ".venv-ckan")

#: The namespaces ckanext-dcat 2.4.4 reads HealthDCAT-AP and DPV in.

#: Our catalog profile (``/catalog?profile=``) → the ckanext-dcat profile a portal reads it with.
PROFILES = {"dcat-ap-no": "euro_dcat_ap_3", "healthdcat-ap": "euro_health_dcat_ap"}
HEALTH_PROFILE = "euro_health_dcat_ap"

#: The CKAN config a Norwegian portal would set: titles and names in Norwegian Bokmål.
LOCALE = "nb"

#: HealthDCAT-AP properties ckanext-dcat keeps as a list of strings (IRIs or lexical forms).
HEALTH_LISTS = {
    "analytics": HEALTHDCATAP.analytics,
    "code_values": HEALTHDCATAP.hasCodeValues,
    "coding_system": HEALTHDCATAP.hasCodingSystem,
    "health_category": HEALTHDCATAP.healthCategory,
    "health_theme": HEALTHDCATAP.healthTheme,
    "legal_basis": DPV.hasLegalBasis,
    "personal_data": DPV.hasPersonalData,
    "population_coverage": HEALTHDCATAP.populationCoverage,
    "publisher_note": HEALTHDCATAP.publisherNote,
    "publisher_type": HEALTHDCATAP.publisherType,
    "purpose": DPV.hasPurpose,
}
#: ... as an integer.
HEALTH_INTEGERS = {
    "min_typical_age": HEALTHDCATAP.minTypicalAge,
    "max_typical_age": HEALTHDCATAP.maxTypicalAge,
    "number_of_records": HEALTHDCATAP.numberOfRecords,
    "number_of_unique_individuals": HEALTHDCATAP.numberOfUniqueIndividuals,
}
#: Every dict key the HealthDCAT-AP profile alone adds (for the DCAT-AP 3 reading: absent).
HEALTH_KEYS = {*HEALTH_LISTS, *HEALTH_INTEGERS, "hdab", "trusted_data_holder", "retention_period"}

#: The formats /catalog is read in: media type → rdflib's name for the parser.
FORMATS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}

#: Pages followed at most (hydra:next) before the test calls the paging broken.
MAX_PAGES = 50

Dataset = dict[str, Any]


# --- the ckan venv and the parser ------------------------------------------------------


@pytest.fixture(scope="module")
def ckan_python() -> Path:
    """The ckan venv's Python; a skip (a failure in CI) when the venv is not there."""
    python = CKAN_VENV / "bin" / "python"
    if not python.exists():
        message = (
            f"the ckan venv is not at {CKAN_VENV}: "
            f"run 'bash tests/harvest/ckan-env.sh' (make ckan-venv) to make it"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return python


def run_parser(
    python: Path, path: Path, rdf_format: str, profile: str
) -> tuple[list[Dataset], str | None]:
    """ckanext-dcat's dataset dicts for the file, and the next page it finds."""
    proc = subprocess.run(
        [
            str(python),
            str(PARSER),
            str(path),
            "--format",
            rdf_format,
            "--profile",
            profile,
            "--config",
            f"ckan.locale_default={LOCALE}",
            "--with-next-page",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, (
        f"ckanext-dcat ({profile}) could not read {path.name} as {rdf_format}:\n{proc.stderr}"
    )
    output = json.loads(proc.stdout)
    return output["datasets"], output["next_page"]


# --- facts from our graph --------------------------------------------------------------


def our_datasets(graph: Graph) -> set[Node]:
    """What the catalog lists (``dcat:dataset``) and what it types ``dcat:Dataset``."""
    listed = set(graph.objects(None, DCAT.dataset))
    typed = set(graph.subjects(RDF.type, DCAT.Dataset))
    untyped = listed - typed
    assert not untyped, (
        "datasets the catalog lists must be typed dcat:Dataset, or harvesters skip them: "
        + ", ".join(sorted(map(str, untyped))[:10])
    )
    return listed | typed


def literals(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def preferred(values: list[Literal]) -> set[str]:
    """The values a reader in ``LOCALE`` may get: the ``LOCALE`` one(s), else any."""
    local = {str(v) for v in values if v.language == LOCALE}
    return local or {str(v) for v in values}


def without_mailto(value: Node) -> str:
    text = str(value)
    return text[len("mailto:") :] if text.startswith("mailto:") else text


def emails(graph: Graph, contact: Node) -> set[str]:
    found = set()
    for value in graph.objects(contact, VCARD.hasEmail):
        if isinstance(value, BNode):  # a vcard:Email node with its vcard:hasValue
            found |= {without_mailto(v) for v in graph.objects(value, VCARD.hasValue)}
        else:
            found.add(without_mailto(value))
    return found


def extras(dataset: Dataset) -> dict[str, str]:
    return {extra["key"]: extra["value"] for extra in dataset.get("extras", [])}


class Findings:
    """What differs, dataset by dataset, reported all at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, ok: bool, dataset: Node, what: str, got: object, want: object) -> None:
        if not ok:
            self.lines.append(f"{dataset}: {what}: ckanext-dcat gave {got!r}, our graph {want!r}")

    def assert_none(self, context: str) -> None:
        shown = "\n".join(self.lines[:40])
        more = f"\n... and {len(self.lines) - 40} more" if len(self.lines) > 40 else ""
        assert not self.lines, f"{context}: {len(self.lines)} differences\n{shown}{more}"


# --- the assertions --------------------------------------------------------------------


def check_agent(
    findings: Findings,
    graph: Graph,
    ds: Node,
    what: str,
    agents: list[Node],
    got_uri: str | None,
    got_name: str | None,
    got_identifier: str | None,
) -> None:
    """One agent dict (or ``<what>_*`` extras) against the agents our graph states."""
    if not agents:
        findings.check(not got_uri and not got_name, ds, what, (got_uri, got_name), None)
        return
    iris = {str(a) for a in agents if isinstance(a, URIRef)}
    if iris:
        findings.check(got_uri in iris, ds, f"{what} IRI", got_uri, iris)
        matched = [a for a in agents if str(a) == got_uri] or agents
    else:
        matched = agents
    names = set().union(*(preferred(literals(graph, a, FOAF.name)) for a in matched))
    if names:
        findings.check(got_name in names, ds, f"{what} name", got_name, names)
    identifiers = {str(i) for a in matched for i in graph.objects(a, DCTERMS.identifier)}
    if identifiers:
        findings.check(
            got_identifier in identifiers, ds, f"{what} identifier", got_identifier, identifiers
        )


def check_catalog(graph: Graph, datasets: list[Dataset], profile: str, context: str) -> None:
    """ckanext-dcat's dicts say what our graph says, for every dataset of ours."""
    ours = our_datasets(graph)
    blank = [d for d in ours if not isinstance(d, URIRef)]
    assert not blank, f"{context}: datasets without an IRI cannot be matched: {len(blank)}"
    assert len(datasets) == len(ours), (
        f"{context}: ckanext-dcat read {len(datasets)} datasets, the catalog has {len(ours)}"
    )
    by_uri = {extras(d).get("uri"): d for d in datasets}
    assert set(by_uri) == {str(d) for d in ours}, (
        f"{context}: datasets read ≠ datasets of ours: "
        f"missing {sorted({str(d) for d in ours} - set(by_uri))[:10]}, "
        f"extra {sorted(set(by_uri) - {str(d) for d in ours}, key=str)[:10]}"
    )

    findings = Findings()
    for ds in sorted(ours, key=str):
        got = by_uri[str(ds)]
        ext = extras(got)

        # title and description, in Norwegian Bokmål where we have it
        for key, predicate in (("title", DCTERMS.title), ("notes", DCTERMS.description)):
            values = literals(graph, ds, predicate)
            if values:
                findings.check(got.get(key) in preferred(values), ds, key, got.get(key), values)
            else:
                findings.check(not got.get(key), ds, key, got.get(key), None)

        # publisher: IRI, name, organisation number (the first one, as ckanext-dcat keeps one)
        check_agent(
            findings,
            graph,
            ds,
            "publisher",
            list(graph.objects(ds, DCTERMS.publisher)),
            ext.get("publisher_uri"),
            ext.get("publisher_name"),
            ext.get("publisher_identifier"),
        )

        # contact point: ckanext-dcat keeps one contact and one e-mail of it
        contacts = list(graph.objects(ds, DCAT.contactPoint))
        if contacts:
            addresses = set().union(*(emails(graph, c) for c in contacts))
            if addresses:
                findings.check(
                    ext.get("contact_email") in addresses,
                    ds,
                    "contact e-mail",
                    ext.get("contact_email"),
                    addresses,
                )
            iris = {str(c) for c in contacts if isinstance(c, URIRef)}
            if iris:
                findings.check(
                    ext.get("contact_uri") in iris, ds, "contact IRI", ext.get("contact_uri"), iris
                )
        else:
            findings.check(
                "contact_email" not in ext and "contact_uri" not in ext,
                ds,
                "contact point",
                (ext.get("contact_uri"), ext.get("contact_email")),
                None,
            )

        # access rights: the IRI, or the label of a dct:RightsStatement node
        rights = set()
        for value in graph.objects(ds, DCTERMS.accessRights):
            if isinstance(value, BNode):
                rights |= {str(label) for label in graph.objects(value, RDFS.label)}
            else:
                rights.add(str(value))
        if rights:
            findings.check(
                ext.get("access_rights") in rights,
                ds,
                "access rights",
                ext.get("access_rights"),
                rights,
            )
        else:
            findings.check("access_rights" not in ext, ds, "access rights", ext, None)

        # themes (dcat:theme HEAL): all of them, as a JSON list
        themes = {str(t) for t in graph.objects(ds, DCAT.theme)}
        got_themes = set(json.loads(ext["theme"])) if "theme" in ext else set()
        findings.check(got_themes == themes, ds, "themes", got_themes, themes)

        # time coverage: dcat:startDate / dcat:endDate of dct:temporal
        for key, predicate in (("temporal_start", DCAT.startDate), ("temporal_end", DCAT.endDate)):
            dates = {
                str(v)
                for period in graph.objects(ds, DCTERMS.temporal)
                for v in graph.objects(period, predicate)
            }
            if dates:
                findings.check(ext.get(key) in dates, ds, key, ext.get(key), dates)

        # prov:qualifiedAttribution: each role and agent (DCAT-AP 2+)
        attributions = {
            (str(role), str(agent))
            for attribution in graph.objects(ds, PROV.qualifiedAttribution)
            for role in graph.objects(attribution, DCAT.hadRole)
            for agent in graph.objects(attribution, PROV.agent)
        }
        got_attributions = {
            (a.get("role"), agent.get("uri"))
            for a in got.get("qualified_attribution", [])
            for agent in a.get("agent", [])
        }
        findings.check(
            got_attributions == attributions,
            ds,
            "qualified attributions",
            got_attributions,
            attributions,
        )

        if profile == HEALTH_PROFILE:
            check_health(findings, graph, ds, got)
        else:
            found = HEALTH_KEYS & set(got)
            findings.check(not found, ds, f"HealthDCAT-AP keys under {profile}", found, None)

    findings.assert_none(context)


def check_health(findings: Findings, graph: Graph, ds: Node, got: Dataset) -> None:
    """The HealthDCAT-AP fields ckanext-dcat reads, where our graph has them."""
    for key, predicate in HEALTH_LISTS.items():
        values = {str(v) for v in graph.objects(ds, predicate)}
        got_values = set(got.get(key) or [])
        findings.check(got_values == values, ds, key, got_values, values)

    for key, predicate in HEALTH_INTEGERS.items():
        numbers = {int(float(str(v))) for v in graph.objects(ds, predicate)}
        if numbers:
            findings.check(got.get(key) in numbers, ds, key, got.get(key), numbers)
        else:
            findings.check(key not in got, ds, key, got.get(key), None)

    trusted = {str(v).lower() == "true" for v in graph.objects(ds, HEALTHDCATAP.trustedDataHolder)}
    if trusted:
        findings.check(
            got.get("trusted_data_holder") in trusted,
            ds,
            "trusted data holder",
            got.get("trusted_data_holder"),
            trusted,
        )

    hdabs = list(graph.objects(ds, HEALTHDCATAP.hdab))
    got_hdabs = got.get("hdab") or []
    findings.check(len(got_hdabs) == len(hdabs), ds, "number of HDABs", got_hdabs, hdabs)
    for hdab in got_hdabs:
        check_agent(
            findings,
            graph,
            ds,
            "HDAB",
            hdabs,
            hdab.get("uri"),
            hdab.get("name"),
            hdab.get("identifier"),
        )

    periods = list(graph.objects(ds, HEALTHDCATAP.retentionPeriod))
    if periods:
        got_period = (got.get("retention_period") or [{}])[0]
        for key, predicate in (("start", DCAT.startDate), ("end", DCAT.endDate)):
            # ckanext-dcat gives "" for an end (or start) the period does not state
            dates = {str(v) for p in periods for v in graph.objects(p, predicate)} or {""}
            findings.check(
                got_period.get(key) in dates,
                ds,
                f"retention period {key}",
                got_period.get(key),
                dates,
            )
    else:
        findings.check(not got.get("retention_period"), ds, "retention period", got, None)


def health_facts(graph: Graph) -> int:
    """How many statements of ours the HealthDCAT-AP profile reads (in its namespaces)."""
    predicates = {
        *HEALTH_LISTS.values(),
        *HEALTH_INTEGERS.values(),
        HEALTHDCATAP.hdab,
        HEALTHDCATAP.trustedDataHolder,
        HEALTHDCATAP.retentionPeriod,
    }
    return sum(1 for p in predicates for _ in graph.subject_objects(p))


# --- a known input: the pipeline works ------------------------------------------------


@pytest.mark.parametrize("profile", sorted(PROFILES.values()))
def test_ckanext_dcat_reads_the_sample_catalog(ckan_python: Path, profile: str) -> None:
    graph = Graph().parse(SAMPLE, format="turtle")
    datasets, next_page = run_parser(ckan_python, SAMPLE, "turtle", profile)
    check_catalog(graph, datasets, profile, f"{SAMPLE.name} under {profile}")
    assert next_page is None
    if profile == HEALTH_PROFILE:
        # the sample states every kind of health fact the profile reads: none went unchecked
        assert any(d.get("hdab") for d in datasets)
        assert any(d.get("health_category") for d in datasets)
        assert any(d.get("legal_basis") for d in datasets)
        assert any(d.get("retention_period") for d in datasets)


def test_a_broken_file_fails_with_the_reason(ckan_python: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:x:a> a <urn:x:B>", encoding="utf-8")  # no final dot
    proc = subprocess.run(
        [str(ckan_python), str(PARSER), str(broken), "--profile", "euro_dcat_ap_3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert f"cannot parse {broken} as turtle" in proc.stderr


def test_the_profiles_we_use_are_registered(ckan_python: Path) -> None:
    proc = subprocess.run(
        [str(ckan_python), str(PARSER), "--list-profiles"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert set(PROFILES.values()) <= set(json.loads(proc.stdout))


def test_the_parser_script_imports_without_ckan() -> None:
    """The main venv (pytest's doctests) imports parse_catalog.py: no ckan at module level."""
    proc = subprocess.run(
        [sys.executable, str(PARSER), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--profile" in proc.stdout


# --- our catalog, from GET /catalog ---------------------------------------------------


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[Any]:
    """The app over the real graph (tests/api/conftest.py's, for this module)."""
    with app_client(store) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def fetch(client: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., list[Path]]:
    """``fetch(profile, media_type)``: every page of /catalog, each saved to a file."""
    directory = tmp_path_factory.mktemp("catalog")

    def pages(profile: str, media_type: str) -> list[Path]:
        files: list[Path] = []
        url: str | None = "/catalog"
        params: dict[str, str] | None = {"profile": profile}
        while url is not None:
            assert len(files) < MAX_PAGES, f"/catalog?profile={profile}: over {MAX_PAGES} pages"
            response = client.get(url, params=params, headers={"Accept": media_type})
            assert response.status_code == 200, (
                f"GET {response.request.url} ({media_type}) answered {response.status_code}: "
                "the real-catalog harvest test awaits the /catalog route"
            )
            assert response.headers["content-type"].split(";")[0].strip() == media_type
            path = directory / f"{profile}-{FORMATS[media_type]}-{len(files) + 1}.rdf"
            path.write_bytes(response.content)
            files.append(path)
            graph = Graph().parse(path, format=FORMATS[media_type])
            following = {str(n) for n in graph.objects(None, HYDRA.next)}
            assert len(following) <= 1, f"{path.name}: several hydra:next {following}"
            if following:  # the link's own host may be the public one: ask this app
                parts = urlsplit(following.pop())
                url, params = parts.path + ("?" + parts.query if parts.query else ""), None
            else:
                url = None
        return files

    return pages


@pytest.mark.parametrize("media_type", sorted(FORMATS))
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_ckanext_dcat_reads_our_catalog(
    ckan_python: Path, fetch: Callable[..., list[Path]], profile: str, media_type: str
) -> None:
    ckan_profile = PROFILES[profile]
    rdf_format = FORMATS[media_type]
    seen: set[str] = set()
    health = 0
    for number, path in enumerate(fetch(profile, media_type), start=1):
        graph = Graph().parse(path, format=rdf_format)
        datasets, next_page = run_parser(ckan_python, path, rdf_format, ckan_profile)
        context = f"/catalog?profile={profile} ({media_type}) page {number} under {ckan_profile}"
        check_catalog(graph, datasets, ckan_profile, context)
        # the harvester finds the same next page our graph links to
        ours = {str(n) for n in graph.objects(None, HYDRA.next)}
        assert (next_page is None) if not ours else (next_page in ours), (context, next_page)
        uris = {extras(d)["uri"] for d in datasets}
        assert not uris & seen, f"{context}: datasets repeated from earlier pages"
        seen |= uris
        health += health_facts(graph)
    assert seen, f"/catalog?profile={profile} holds no dataset"
    if ckan_profile == HEALTH_PROFILE:
        assert health, (
            f"/catalog?profile={profile} states no HealthDCAT-AP fact ckanext-dcat reads "
            f"(its namespaces: {HEALTHDCATAP}, {DPV})"
        )
