"""Synthetic catalogs in helsegraf's data model, for benchmarks at 1k, 10k and 100k sources.

The shape follows the real graph: every source is a ``dcat:Dataset`` of one of the five
kinds with nb and en titles, an acronym, a description, a unique listing position, a consent
regime and an identifiability level, a controller and a processor from a pool of
organisations (the real ones from ``data/reference`` plus synthetic ones with valid
organisation numbers), a legal basis and a regulation from the real ELI pool, a temporal
coverage, and one provenance statement. One source in twenty is the whole of a part-of family
of four parts; families nest two levels deep. About 23 triples per source, so 100k sources
make about 2.3 million triples (the issue assumed 2.7 million).

Descriptions are generated word salad, never listing prose. The output is the ``helsedata``
named graph as N-Triples; :func:`graphs` gives every named graph a load publishes (with the
ontology and the reference graph), and a test checks that a small catalog passes the gate.

Usage: ``python -m bench.generate 100000 > /tmp/catalog-100k.nt``
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from helsegraf.bulk import GraphFile
from helsegraf.namespaces import DCAT, DCTERMS, DPV, FOAF, GRAPH, HG, ID, PROV, RDF, SKOS, XSD
from helsegraf.reference import reference_graph

KINDS = (
    HG.MedicalQualityRegister,
    HG.CentralHealthRegister,
    HG.PopulationHealthSurvey,
    HG.StatisticalDataCollection,
    HG.AdministrativeRegister,
)
REGIMES = (HG.ConsentRequired, HG.ConsentNotRequired, HG.OptOut, HG.VoluntaryParticipation)
LEVELS = (HG.DirectlyIdentifying, HG.Pseudonymous, HG.DeIdentified, HG.Anonymous)
LISTING = URIRef("https://helsedata.no/no/datakilder/")
WORDS = (
    *("register", "pasienter", "behandling", "data", "opplysninger", "helse", "kvalitet"),
    *("oppfølging", "nasjonalt", "sykehus", "kommune", "diagnose", "utfall", "forskning"),
    *("statistikk", "tjenester", "innsamlet", "siden"),
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def _orgnr(rng: random.Random) -> str:
    """A nine-digit organisation number that passes the mod-11 check."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = [rng.randint(8, 9)] + [rng.randint(0, 9) for _ in range(7)]
        remainder = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def _pools(rng: random.Random, organisations: int) -> tuple[list[URIRef], list[Triple]]:
    """Controllers/processors: the real organisations plus ``organisations`` synthetic ones."""
    reference = reference_graph()
    pool = sorted(
        {URIRef(str(o)) for o in reference.subjects(RDF.type, FOAF.Organization)}, key=str
    )
    triples: list[Triple] = []
    for i in range(organisations):
        org = ID[f"organisation/syntetisk-{i}"]
        pool.append(org)
        triples += [
            (org, RDF.type, FOAF.Organization),
            (org, FOAF.name, Literal(f"Syntetisk helseforetak {i}", lang="nb")),
            (org, DCTERMS.identifier, Literal(_orgnr(rng))),
        ]
    return pool, triples


def _legal(kind: str) -> list[URIRef]:
    reference = reference_graph()
    cls = HG.Act if kind == "act" else HG.Regulation
    return sorted({URIRef(str(s)) for s in reference.subjects(RDF.type, cls)}, key=str)


def triples(count: int, *, seed: int = 1, organisations: int | None = None) -> Iterator[Triple]:
    """The triples of a catalog of ``count`` sources (deterministic for a seed)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    pool, org_triples = _pools(rng, organisations if organisations is not None else count // 50)
    yield from org_triples
    acts, regulations = _legal("act"), _legal("regulation")
    for i in range(count):
        source = ID[f"dataset/syn-{i}"]
        kind = KINDS[i % len(KINDS)]
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        controller = rng.choice(pool)
        yield from (
            (source, RDF.type, DCAT.Dataset),
            (source, RDF.type, kind),
            (source, DCTERMS.title, Literal(f"Syntetisk datakilde {i}", lang="nb")),
            (source, DCTERMS.title, Literal(f"Synthetic data source {i}", lang="en")),
            (source, SKOS.altLabel, Literal(f"SYN{i}", lang="nb")),
            (source, DCTERMS.description, Literal(words.capitalize() + ".", lang="nb")),
            (source, HG.listingPosition, Literal(i + 1)),
            (source, DCTERMS.source, LISTING),
            (source, HG.consentRegime, rng.choice(REGIMES)),
            (source, HG.identifiability, rng.choice(LEVELS)),
            (source, DPV.hasDataController, controller),
            (source, DPV.hasDataProcessor, rng.choice((controller, rng.choice(pool)))),
            (source, DPV.hasLegalBasis, rng.choice(acts)),
            (source, HG.regulatedBy, rng.choice(regulations)),
        )
        period = URIRef(f"{source}#temporal")
        yield from (
            (source, DCTERMS.temporal, period),
            (period, RDF.type, DCTERMS.PeriodOfTime),
            (period, DCAT.startDate, Literal(str(1950 + i % 70), datatype=XSD.gYear)),
        )
        fact = URIRef(f"{source}#fact-consent")
        yield from (
            (fact, RDF.type, RDF.Statement),
            (fact, RDF.subject, source),
            (fact, RDF.predicate, HG.consentRegime),
            (fact, HG.sourceLine, Literal(i + 12)),
            (fact, PROV.wasDerivedFrom, LISTING),
        )
        # families: every 20th source is a whole; the next four are its parts, and the
        # whole of every 100th family is itself a part of the previous family's whole
        family = i - i % 20
        whole = ID[f"dataset/syn-{family}"]
        if 0 < i % 20 <= 4:
            yield (source, DCTERMS.isPartOf, whole)
            yield (whole, DCTERMS.hasPart, source)
        if i % 20 == 0 and i % 2000 == 1000:
            parent = ID[f"dataset/syn-{i - 20}"]
            yield (source, DCTERMS.isPartOf, parent)
            yield (parent, DCTERMS.hasPart, source)


def catalog(count: int, *, seed: int = 1) -> Graph:
    """The catalog as an rdflib graph (small sizes; the benchmarks stream N-Triples)."""
    graph = Graph()
    for triple in triples(count, seed=seed):
        graph.add(triple)
    # the consent fact's object: the regime the source was given
    for fact in list(graph.subjects(RDF.predicate, HG.consentRegime)):
        source = graph.value(fact, RDF.subject)
        graph.add((fact, RDF.object, graph.value(source, HG.consentRegime)))  # type: ignore[arg-type]
    return graph


def graphs(count: int, *, seed: int = 1) -> dict[URIRef, Graph]:
    """Every named graph a load of this catalog publishes."""
    from helsegraf.gate import load_ontology

    return {
        URIRef(str(GRAPH.helsedata)): catalog(count, seed=seed),
        URIRef(str(GRAPH.reference)): reference_graph(),
        URIRef(str(GRAPH.ontology)): load_ontology(),
    }


def write_ntriples(count: int, out: Path | None = None, *, seed: int = 1) -> int:
    """Stream the catalog as N-Triples to ``out`` (stdout when None); returns the triple count."""
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    written = 0
    regimes: dict[URIRef, URIRef] = {}
    try:
        for s, p, o in triples(count, seed=seed):
            if p == HG.consentRegime:
                regimes[s] = o  # type: ignore[assignment]
            stream.write(f"{s.n3()} {p.n3()} {o.n3()} .\n")
            written += 1
            if p == PROV.wasDerivedFrom:
                source = URIRef(str(s).split("#", 1)[0])
                stream.write(f"{s.n3()} {RDF.object.n3()} {regimes.pop(source).n3()} .\n")
                written += 1
    finally:
        if out:
            stream.close()
    return written


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    total = write_ntriples(size, target)
    print(f"{size} sources, {total} triples", file=sys.stderr)


def graph_files(count: int, directory: Path, *, seed: int = 1) -> list[GraphFile]:
    """The catalog, the reference graph and the ontology as files a bulk publish reads."""
    from helsegraf.gate import load_ontology

    directory.mkdir(parents=True, exist_ok=True)
    catalog_file = directory / f"helsedata-{count}.nt"
    write_ntriples(count, catalog_file, seed=seed)
    files = [GraphFile(str(GRAPH.helsedata), catalog_file)]
    for name, graph in (("reference", reference_graph()), ("ontology", load_ontology())):
        path = directory / f"{name}.nt"
        if not path.exists():
            graph.serialize(path, format="nt", encoding="utf-8")
        files.append(GraphFile(str(GRAPH[name]), path))
    return files
