"""Shared fixtures: the real graph, built once per test session from the real listing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helsegraf import paths
from helsegraf.store import OxigraphStore

if TYPE_CHECKING:
    from helsegraf.build import Build

#: The shared seed copy of the helsedata.no listing (beside the repository, never in it).
LISTING = paths.DEFAULT_LISTING


@pytest.fixture(scope="session")
def listing_path() -> Path:
    """The real listing; tests that need its text skip only where it is not shipped."""
    if not LISTING.exists():
        pytest.skip(f"the helsedata.no listing is not at {LISTING}")
    return LISTING


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
