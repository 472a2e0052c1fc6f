"""The command line, end to end on the real listing, with a store of the backend under test
(``--backend``: a store directory, or an ``oxigraph serve``; see tests/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from helsegraf import paths
from helsegraf.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from helsegraf.namespaces import HG
from helsegraf.settings import Settings
from tests.conftest import StoreBackend, Stores, StoreTarget


def _settings(target: StoreTarget, tmp: Path, **changes: object) -> Settings:
    """Settings naming ``target``, and a listing path where no listing is."""
    return target.settings(listing=tmp / "no-listing.txt", **changes)


@pytest.fixture(scope="module")
def loaded_store(
    store_backend: StoreBackend, tmp_path_factory: pytest.TempPathFactory, listing_path: Path
) -> Iterator[StoreTarget]:
    """A store loaded from the real listing by ``helsegraf load PATH``."""
    with store_backend.stores() as stores:
        target = stores.new()
        settings = _settings(target, tmp_path_factory.mktemp("cli"))
        assert main(["load", str(listing_path)], settings) == EXIT_OK
        yield target


@pytest.fixture(scope="module")
def loaded(loaded_store: StoreTarget, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings that name :func:`loaded_store`."""
    return _settings(loaded_store, tmp_path_factory.mktemp("cli"))


def _export(settings: Settings, capsys: pytest.CaptureFixture[bytes], *args: str) -> bytes:
    capsys.readouterr()
    assert main(["export", *args], settings) == EXIT_OK
    return capsys.readouterr().out


def test_load_then_export_gives_all_graphs(
    loaded: Settings, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = _export(loaded, capsysbinary, "--format", "nquads")
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert {
        "https://w3id.org/helsegraf/graph/ontology",
        "https://w3id.org/helsegraf/graph/helsedata",
        "https://w3id.org/helsegraf/graph/curation",
        "https://w3id.org/helsegraf/graph/reference",
    } <= names


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("ntriples", "nt")])
def test_export_union_formats_parse_with_rdflib(
    loaded: Settings, capsysbinary: pytest.CaptureFixture[bytes], fmt: str, rdflib_format: str
) -> None:
    graph = Graph().parse(data=_export(loaded, capsysbinary, "--format", fmt), format=rdflib_format)
    listed = set(graph.subjects(predicate=None, object=None))
    assert len(listed) > 83
    assert len(list(graph.objects(None, HG.listingPosition))) == 83


def test_query_sparql_json(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s hg:listingPosition ?p }"
    assert main(["query", "--sparql", query, "--format", "json"], loaded) == EXIT_OK
    answer = json.loads(capsys.readouterr().out)
    assert answer["results"]["bindings"][0]["n"]["value"] == "83"


def test_query_malformed_is_a_clear_error(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--sparql", "SELECT ?s WHERE { ?s ?p"], loaded) == EXIT_USAGE
    assert "error" in capsys.readouterr().err


def test_validate_reports_conformance(
    listing_path: Path, tmp_path: Path, new_store: Stores, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(listing_path)], _settings(new_store.new(), tmp_path)) == EXIT_OK
    assert "conforms" in capsys.readouterr().err


def test_default_load_without_listing_uses_the_snapshot(tmp_path: Path, new_store: Stores) -> None:
    settings = _settings(new_store.new(), tmp_path)
    assert main(["load"], settings) == EXIT_OK
    assert (
        main(["query", "--sparql", "ASK WHERE { ?s hg:listingPosition 83 }"], settings) == EXIT_OK
    )


def test_a_failing_gate_publishes_nothing(
    loaded_store: StoreTarget,
    new_store: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    listing_path: Path,
) -> None:
    store_copy = new_store.copy(loaded_store)
    curation = tmp_path / "curation"
    shutil.copytree(paths.CURATION_DIR, curation)
    # A curator's mistake: a second Norwegian title and a consent regime outside the scheme.
    (curation / "zz-broken.ttl").write_text(
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix hg: <https://w3id.org/helsegraf/ontology#> .\n"
        '<https://w3id.org/helsegraf/id/dataset/bdr> dct:title "Et annet navn"@nb ;\n'
        "    hg:consentRegime hg:SometimesConsent .\n",
        encoding="utf-8",
    )
    settings = _settings(store_copy, tmp_path, curation=curation)
    before = _dump(settings)
    capsys.readouterr()
    assert main(["load", str(listing_path)], settings) == EXIT_INVALID
    report = capsys.readouterr().out
    assert "https://w3id.org/helsegraf/id/dataset/bdr" in report
    assert "does not conform" in report
    assert _dump(settings) == before


@pytest.mark.parametrize("content", ["", "root:x:0:0:root:/root:/bin/bash\n", "\u00ff" * 40])
def test_a_listing_without_sources_publishes_nothing(
    loaded_store: StoreTarget,
    new_store: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
) -> None:
    settings = _settings(new_store.copy(loaded_store), tmp_path)
    before = _dump(settings)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert main(["load", str(wrong)], settings) == EXIT_INVALID
    captured = capsys.readouterr()
    assert "no data source" in captured.out
    assert f"{wrong}:1:" in captured.err
    assert _dump(settings) == before


def _dump(settings: Settings) -> bytes:
    from helsegraf.store import ExportFormat, open_store

    store = open_store(settings, read_only=True)
    try:
        return store.export(ExportFormat.NQUADS)
    finally:
        store.close()


def test_missing_listing_and_empty_store_are_usage_errors(
    tmp_path: Path,
    new_store: Stores,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _settings(new_store.new(), tmp_path)
    assert main(["load", str(tmp_path / "nope.txt")], settings) == EXIT_USAGE
    assert main(["export"], settings) == EXIT_USAGE
    assert "helsegraf load" in capsys.readouterr().err


def test_the_installed_console_script_runs(new_store: Stores) -> None:
    script = Path(sys.executable).with_name("helsegraf")
    done = subprocess.run(
        [str(script), "--store", new_store.new().location, "query", "--list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "consent-free" in done.stdout
