"""The api under test: the real app, over the real graph, through its ASGI interface.

``client`` is one application for the whole session (its query workers take a second to
start); tests must not change its state. A test that needs other settings builds its own
app with :func:`app_client`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from helsegraf.api.app import create_app
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore


@contextmanager
def app_client(store: OxigraphStore, **settings: object) -> Iterator[TestClient]:
    """A started app over ``store`` (in memory), with ``settings`` overriding the defaults."""
    values: dict[str, object] = {"store": "memory", "query_workers": 2, **settings}
    app = create_app(Settings(**values), store=store)  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    """The app over the real graph, started once per session."""
    with app_client(store) as test_client:
        yield test_client
