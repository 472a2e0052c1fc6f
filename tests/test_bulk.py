"""Bulk publishing: a new store generation, gated where it is loaded, switched to atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from bench.generate import graph_files
from helsegraf import fastgate, gate
from helsegraf.bulk import GraphFile, publish_generation
from helsegraf.store import CURRENT_LINK, GENERATION_PREFIX, OxigraphStore, StoreError
from tests.live import serve

COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a dcat:Dataset }"


def _datasets(root: Path) -> int:
    store = OxigraphStore(root, read_only=True)
    try:
        return int(store.select(COUNT).rows[0]["n"])
    finally:
        store.close()


def _generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(GENERATION_PREFIX))


def test_publish_switch_and_collect(tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = publish_generation(root, graph_files(150, tmp_path / "a"))
    assert first.report.conforms, first.report.text()
    assert first.generation is not None
    assert (root / CURRENT_LINK).readlink().name == first.generation.name
    assert _datasets(root) == 150
    second = publish_generation(root, graph_files(40, tmp_path / "b"))
    assert _datasets(root) == 40
    third = publish_generation(root, graph_files(70, tmp_path / "c"))
    assert _datasets(root) == 70
    # the published generation and the one before it stay; older ones go
    assert second.generation is not None
    assert third.generation is not None
    assert _generations(root) == sorted([second.generation.name, third.generation.name])


def test_a_graph_that_fails_the_gate_publishes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    good = publish_generation(root, graph_files(30, tmp_path / "good"))
    assert good.report.conforms
    files = graph_files(30, tmp_path / "bad")
    broken = (
        files[0]
        .path.read_text(encoding="utf-8")
        .replace('"Syntetisk datakilde 3"@nb', '"Syntetisk datakilde 3"')
    )
    files[0].path.write_text(broken, encoding="utf-8")
    bad = publish_generation(root, files)
    assert not bad.report.conforms
    assert bad.generation is None
    assert any("syn-3" in v.focus for v in bad.report.violations)
    assert _generations(root) == [good.generation.name]  # type: ignore[union-attr]
    assert _datasets(root) == 30


ID = "https://w3id.org/helsegraf/id/"
HG = "https://w3id.org/helsegraf/ontology#"
#: Faults added to a generated catalog, several on the same source, each a line of N-Triples.
FAULTS = [
    # syn-3: a second kind, a controller that is no organisation
    f"<{ID}dataset/syn-3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{HG}Act> .",
    f"<{ID}dataset/syn-3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    f"<{HG}CentralHealthRegister> .",
    f"<{ID}dataset/syn-3> <https://w3id.org/dpv#hasDataController> <{ID}organisation/nowhere> .",
    # syn-5: a second position, which syn-6 holds; part of syn-8, stated one way
    f'<{ID}dataset/syn-5> <{HG}listingPosition> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .',
    f"<{ID}dataset/syn-5> <http://purl.org/dc/terms/isPartOf> <{ID}dataset/syn-8> .",
    # syn-9: its period ends before it starts; a fact line of 0
    f"<{ID}dataset/syn-9#temporal> <http://www.w3.org/ns/dcat#endDate> "
    f'"1900"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
    f"<{ID}dataset/syn-9#fact-consent> <{HG}sourceLine> "
    f'"0"^^<http://www.w3.org/2001/XMLSchema#integer> .',
]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[GraphFile], gate.GateReport]:
    """A catalog with :data:`FAULTS`, an untagged title, and triples in two named graphs (an
    ontology axiom and a source's title also in the catalog's and the reference graph), with
    pySHACL's report on the union of its graphs."""
    files = graph_files(40, tmp_path_factory.mktemp("faulty"))
    catalog, reference = files[0].path, files[1].path
    lines = catalog.read_text(encoding="utf-8").replace(
        '"Syntetisk datakilde 3"@nb', '"Syntetisk datakilde 3"'
    )
    axiom = next(
        line
        for line in files[2].path.read_text(encoding="utf-8").splitlines()
        if "subClassOf> <http://www.w3.org/ns/dcat#Dataset>" in line
    )
    catalog.write_text(lines + "\n".join([*FAULTS, axiom]) + "\n", encoding="utf-8")
    title = next(line for line in lines.splitlines() if '"Syntetisk datakilde 4"@nb' in line)
    with reference.open("a", encoding="utf-8") as out:
        out.write(title + "\n")
    union = Graph()
    for file in files:
        union.parse(file.path, format="nt")
    return files, gate.validate(union, ontology=Graph())


@pytest.mark.parametrize("order", ["focus first", "focus last"])
def test_the_bulk_gate_finds_what_pyshacl_finds(
    tmp_path: Path,
    faulty: tuple[list[GraphFile], gate.GateReport],
    order: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The compiled gate over the store's union of named graphs, where a graph fails several
    checks on one node, against pySHACL over the same triples."""
    files, reference = faulty
    if order == "focus last":
        monkeypatch.setattr(fastgate, "LARGE_FOCUS", 1)
    published = publish_generation(tmp_path / "store", files)
    assert published.generation is None
    assert not reference.conforms

    def results(report: gate.GateReport) -> set[tuple[str, str, str, str]]:
        return {(v.focus, v.constraint, v.shape, v.path) for v in report.violations}

    assert results(published.report) == results(reference)
    assert len({v.shape for v in published.report.violations if "syn-3" in v.focus}) >= 4


def test_unreadable_input_publishes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    publish_generation(root, graph_files(20, tmp_path / "good"))
    garbage = tmp_path / "garbage.nt"
    garbage.write_text('<http://a> <http://b> "unterminated .\n', encoding="utf-8")
    with pytest.raises(StoreError, match="nothing was published"):
        publish_generation(root, [GraphFile("https://w3id.org/helsegraf/graph/x", garbage)])
    assert _datasets(root) == 20
    assert len(_generations(root)) == 1


def test_a_single_directory_store_is_not_overwritten(tmp_path: Path) -> None:
    """A store in the layout of older versions (one database in the directory itself)."""
    import pyoxigraph as ox

    root = tmp_path / "legacy"
    legacy = ox.Store(str(root))
    legacy.add(
        ox.Quad(
            ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g")
        )
    )
    legacy.flush()
    del legacy
    with pytest.raises(StoreError, match="single-directory"):
        publish_generation(root, graph_files(5, tmp_path / "x"))


def test_a_running_server_moves_to_the_new_generation(tmp_path: Path) -> None:
    root = tmp_path / "store"
    publish_generation(root, graph_files(25, tmp_path / "a"))
    with serve(root) as url:
        query = {"query": COUNT, "format": "json"}

        def count() -> int:
            answer = httpx.get(f"{url}/sparql", params=query).json()
            return int(answer["results"]["bindings"][0]["n"]["value"])

        assert count() == 25
        publish_generation(root, graph_files(60, tmp_path / "b"))
        assert [count() for _ in range(4)] == [60] * 4


_KILLED_LOAD = """
import sys
from pathlib import Path
from helsegraf.bulk import GraphFile, publish_generation
files = [GraphFile(g, Path(p)) for g, p in zip(sys.argv[2::2], sys.argv[3::2])]
print("start", flush=True)
publish_generation(Path(sys.argv[1]), files)
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.4, 0.9, 1.6])
def test_a_load_killed_at_any_point_leaves_the_published_graph(
    tmp_path: Path, delay: float
) -> None:
    root = tmp_path / "store"
    publish_generation(root, graph_files(25, tmp_path / "a"))
    big = graph_files(20000, tmp_path / "big")  # written before, so the kill hits the load
    arguments = [str(part) for file in big for part in (file.graph, file.path)]
    load = subprocess.Popen(
        [sys.executable, "-c", _KILLED_LOAD, str(root), *arguments],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    assert load.stdout is not None
    assert load.stdout.readline().strip() == b"start"
    time.sleep(delay)
    load.send_signal(signal.SIGKILL)
    load.wait()
    assert _datasets(root) in (25, 20000)  # old or new, never a mix
    if _datasets(root) == 25:
        # the next publish clears the leftovers of the killed one once they are stale
        leftover = [g for g in _generations(root) if g != (root / CURRENT_LINK).readlink().name]
        assert len(leftover) <= 1
