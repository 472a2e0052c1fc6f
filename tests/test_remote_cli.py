"""The command line with ``--store http://...``: load, query and export through a real
``oxigraph serve``, compared with the same commands on the embedded store.

The reference is the embedded store directory the session builds from the real listing
(``store_dir`` in conftest), so every expected answer here is what the embedded backend
says, never a number written into the test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic

from helsegraf import paths
from helsegraf.build import HELSEDATA_GRAPH, Build
from helsegraf.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from helsegraf.settings import Settings
from tests.live import free_port
from tests.oxigraph_server import OxigraphServer, running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with running(None, tmp_path_factory.mktemp("oxigraph")) as started:
        yield started


def _settings(tmp: Path, server: OxigraphServer, **changes: object) -> Settings:
    """What HELSEGRAF_* would say; ``--store`` on the command line names the server."""
    values: dict[str, object] = {
        "store": str(tmp / "unused-store-dir"),
        "listing": tmp / "no-listing.txt",
        "update_endpoint": server.update_url,
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def loaded(
    server: OxigraphServer, listing_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The server, loaded from the real listing by ``helsegraf --store URL load PATH``."""
    server.clear()
    settings = _settings(tmp_path_factory.mktemp("cli"), server)
    assert main(["--store", server.query_url, "load", str(listing_path)], settings) == EXIT_OK
    return settings


def _run(
    capsys: pytest.CaptureFixture[str], settings: Settings, store: str, *args: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["--store", store, *args], settings)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_load_publishes_every_graph_to_the_server(
    loaded: Settings, server: OxigraphServer, built: Build
) -> None:
    # Read back with the server's own Graph Store Protocol, not through helsegraf.
    published = Graph().parse(data=server.graph(str(HELSEDATA_GRAPH)), format="nt")
    assert len(published) == len(built.graphs[HELSEDATA_GRAPH])
    assert to_isomorphic(published) == to_isomorphic(built.graphs[HELSEDATA_GRAPH])


@pytest.mark.parametrize(
    "args",
    [
        [
            "consent-free-by-organisation",
            "--param",
            "organisation=helse-bergen-hf",
            "--param",
            "role=controller",
        ],
        ["count-by-kind"],
        ["--sparql", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s hg:listingPosition ?p }"],
    ],
    ids=["named-with-params", "named", "sparql-with-helsegraf-prefix"],
)
def test_queries_answer_as_on_the_embedded_store(
    loaded: Settings,
    server: OxigraphServer,
    store_dir: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    status, remote, err = _run(capsys, loaded, server.query_url, "query", *args, "--format", "json")
    assert status == EXIT_OK, err
    status, local, err = _run(capsys, loaded, str(store_dir), "query", *args, "--format", "json")
    assert status == EXIT_OK, err
    remote_answer, local_answer = json.loads(remote), json.loads(local)
    assert remote_answer["head"] == local_answer["head"]
    rows = local_answer["results"]["bindings"]
    assert rows, "the reference answer is empty: the comparison would prove little"
    key = lambda row: json.dumps(row, sort_keys=True)  # noqa: E731
    assert sorted(remote_answer["results"]["bindings"], key=key) == sorted(rows, key=key)


def test_export_gives_the_same_dataset_as_the_embedded_store(
    loaded: Settings,
    server: OxigraphServer,
    store_dir: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    exports = []
    for store in (server.query_url, str(store_dir)):
        capsysbinary.readouterr()
        assert main(["--store", store, "export", "--format", "nquads"], loaded) == EXIT_OK
        dataset = Dataset()
        dataset.parse(data=capsysbinary.readouterr().out, format="nquads")
        exports.append(dataset)
    remote, local = exports
    names = {g.identifier for g in local.graphs() if len(g)}
    assert {g.identifier for g in remote.graphs() if len(g)} == names
    for name in names:
        assert to_isomorphic(remote.graph(name)) == to_isomorphic(local.graph(name)), name


def test_the_gate_runs_before_anything_is_sent(
    loaded: Settings,
    server: OxigraphServer,
    listing_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    curation = tmp_path / "curation"
    shutil.copytree(paths.CURATION_DIR, curation)
    (curation / "zz-broken.ttl").write_text(
        "@prefix hg: <https://w3id.org/helsegraf/ontology#> .\n"
        "<https://w3id.org/helsegraf/id/dataset/bdr> hg:consentRegime hg:SometimesConsent .\n",
        encoding="utf-8",
    )
    broken = loaded.model_copy(update={"curation": curation})
    before = server.graph(str(HELSEDATA_GRAPH))
    status, out, _err = _run(capsys, broken, server.query_url, "load", str(listing_path))
    assert status == EXIT_INVALID
    assert "does not conform" in out
    assert server.graph(str(HELSEDATA_GRAPH)) == before
    # Aimed at a port where nothing listens, a failing load still stops at the gate (exit 1),
    # not at the network (exit 2): the gate runs before any connection is made.
    nowhere = f"http://127.0.0.1:{free_port()}/query"
    status, _out, err = _run(capsys, broken, nowhere, "load", str(listing_path))
    assert status == EXIT_INVALID, err


def test_a_server_that_is_down_is_a_usage_error_with_a_clear_message(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/query"
    status, _out, err = _run(capsys, loaded, nowhere, "query", "count-by-kind")
    assert status == EXIT_USAGE
    assert f"cannot reach the SPARQL server at {nowhere}" in err
    status, _out, err = _run(capsys, loaded, nowhere, "export")
    assert status == EXIT_USAGE
    assert "cannot reach" in err
