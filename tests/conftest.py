"""Shared fixtures: the real graph, built once per test session from the real listing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helsegraf import paths
from helsegraf.store import OxigraphStore
from tests.listener import listener  # noqa: F401 - a fixture for every test module

if TYPE_CHECKING:
    from helsegraf.build import Build

#: The shared seed copy of the helsedata.no listing (beside the repository, never in it).
LISTING = paths.DEFAULT_LISTING


def _require_shared(path: Path, what: str) -> Path:
    """``path`` from ../shared; outside CI a missing file skips, in CI it fails.

    CI always has ../shared beside the clone, so a missing file there is a broken run, not
    a reason to pass quietly with the real-data tests unrun.
    """
    if not path.exists():
        message = f"{what} is not at {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def listing_path() -> Path:
    """The real listing (``../shared/seeds``)."""
    return _require_shared(LISTING, "the helsedata.no listing")


@pytest.fixture(scope="session")
def require_shared() -> Callable[[Path, str], Path]:
    """A function that returns a file from ../shared, skipping (failing in CI) when absent."""
    return _require_shared


@pytest.fixture(scope="session")
def built(listing_path: Path) -> Build:
    """Ontology, curation, reference and the listing's facts and prose, as named graphs."""
    from helsegraf.build import build

    return build(listing_path)


@pytest.fixture(scope="session")
def store(built: Build) -> OxigraphStore:
    """An in-memory store holding the published real graph (read-only use, please)."""
    from helsegraf.build import publish

    s = OxigraphStore(None)
    publish(s, built)
    return s


@pytest.fixture(scope="session")
def store_dir(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory holding the published real graph (for servers in subprocesses)."""
    from helsegraf.build import publish

    path = tmp_path_factory.mktemp("store")
    disk = OxigraphStore(path)
    publish(disk, built)
    disk.close()
    return path


@pytest.fixture(scope="session")
def live_server(store_dir: Path) -> Iterator[str]:
    """``helsegraf serve`` over the real graph on a free loopback port; its base URL."""
    from tests.live import serve

    with serve(store_dir) as url:
        yield url
