"""Reading the project-authored curation files (``data/curation/*.ttl``).

The curation graph goes to its own named graph; the helsedata.no loader only *reads* it,
for three things:

* ``hg:untitledEntryKey``: which curated dataset an entry whose title the copy lost is;
* names (``dct:title``, ``skos:altLabel``, ``skos:hiddenLabel``) of datasets, so that a
  name variant in the text ("det sentrale hjerte-kar-registeret") finds its dataset;
* which datasets already have a curated Norwegian title (the loader then adds none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from helsegraf import paths
from helsegraf.namespaces import DCTERMS, HG, ID_BASE, PREFIXES, SKOS

#: The curation files of a source checkout.
CURATION_DIR = paths.CURATION_DIR


def default_curation_paths() -> list[Path]:
    """The ``*.ttl`` files of ``data/curation``, sorted."""
    return sorted(CURATION_DIR.glob("*.ttl"))


def parse_curation(files: Iterable[Path] | None = None) -> Graph:
    """Parse curation Turtle files into one graph (all of ``data/curation`` by default).

    >>> g = parse_curation()
    >>> len(g) > 0
    True
    """
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for file in default_curation_paths() if files is None else files:
        graph.parse(file, format="turtle")
    return graph


@dataclass
class CurationIndex:
    """What the loader needs from the curation graph."""

    #: lower-case keyword -> dataset, for entries whose title the copy lost
    untitled_keys: dict[str, URIRef] = field(default_factory=dict)
    #: (dataset, name) pairs usable to recognise a dataset in the text
    names: list[tuple[URIRef, str]] = field(default_factory=list)
    #: datasets with a curated ``dct:title``@nb
    titled: set[URIRef] = field(default_factory=set)

    @classmethod
    def from_graph(cls, graph: Graph) -> CurationIndex:
        """Index a curation graph; anything not about ``hgid:dataset/...`` is ignored."""
        index = cls()
        prefix = ID_BASE + "dataset/"
        for subject, key in graph.subject_objects(HG.untitledEntryKey):
            if isinstance(subject, URIRef) and isinstance(key, Literal):
                index.untitled_keys[str(key).casefold()] = subject
        for predicate in (DCTERMS.title, SKOS.altLabel, SKOS.hiddenLabel):
            for subject, name in sorted(graph.subject_objects(predicate)):
                if not (isinstance(subject, URIRef) and str(subject).startswith(prefix)):
                    continue
                if not isinstance(name, Literal) or "#" in str(subject):
                    continue
                if name.language not in (None, "nb", "no", "nn"):
                    continue
                index.names.append((subject, str(name)))
                if predicate == DCTERMS.title and name.language in ("nb", "no"):
                    index.titled.add(subject)
        return index


__all__ = ["CURATION_DIR", "CurationIndex", "default_curation_paths", "parse_curation"]
