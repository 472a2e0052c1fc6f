"""The api under test: the real app, over the real graph, through its ASGI interface.

``client`` is one application for the whole session (its query workers take a second to
start); tests must not change its state. A test that needs other settings builds its own
app with :func:`app_client`. The store is the backend's (``--backend``, see tests/conftest.py):
the app then reads it as it would in production, an in-memory store copied into each query
worker or a :class:`~helsegraf.remote.RemoteStore` asked by each worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from helsegraf.api.app import create_app
from helsegraf.remote import RemoteStore
from helsegraf.settings import Settings
from helsegraf.store import Store


@contextmanager
def app_client(store: Store, **settings: object) -> Iterator[TestClient]:
    """A started app over ``store``, with ``settings`` overriding the defaults."""
    where = store.settings.store if isinstance(store, RemoteStore) else "memory"
    values: dict[str, object] = {"store": where, "query_workers": 2, **settings}
    app = create_app(Settings(**values), store=store)  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def client(store: Store) -> Iterator[TestClient]:
    """The app over the real graph, started once per session."""
    with app_client(store) as test_client:
        yield test_client
