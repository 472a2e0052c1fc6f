"""Shared fixtures: the real graph, built once per test session from the real listing, in the
store backend under test.

**The backend.** ``pytest --backend=embedded`` (the default) runs the tests on the embedded
pyoxigraph store; ``pytest --backend=remote`` (or ``HELSEGRAF_TEST_BACKEND=remote``) runs
them on a :class:`~helsegraf.remote.RemoteStore` talking to a real ``oxigraph serve``
(``--union-default-graph``) that the session starts on loopback. The fixtures that hand out
stores follow the backend:

- ``store``: the published real graph (embedded: in memory; remote: on the session's server);
- ``published_store``: the same graph as a :class:`StoreTarget` (settings, environment), for
  servers and commands in subprocesses (embedded: the directory ``store_dir``);
- ``live_server``: ``helsegraf serve`` over ``published_store``;
- ``new_store``: a :class:`Stores` factory of empty writable stores for one test (embedded: a
  fresh directory or an in-memory store; remote: a fresh in-memory ``oxigraph serve``, stopped
  after the test); module fixtures open their own with ``store_backend.stores()``.

``store_dir`` is always an embedded store directory (the reference the remote CLI tests
compare with). A test about the embedded directory store itself is marked
``@pytest.mark.embedded_only("why")``; the remote run leaves it out (it is deselected, and
the run says how many). When the oxigraph server cannot start, a remote test skips on a
developer's machine and fails in CI (``CI`` set), never passing quietly there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helsegraf import paths
from helsegraf.settings import Settings
from helsegraf.store import OxigraphStore, Store, open_store
from tests.listener import listener  # noqa: F401 - a fixture for every test module
from tests.oxigraph_server import OxigraphServer, started

if TYPE_CHECKING:
    from helsegraf.build import Build

#: The shared seed copy of the helsedata.no listing (beside the repository, never in it).
LISTING = paths.DEFAULT_LISTING

#: The store backends the tests run on (``--backend``).
BACKENDS = ("embedded", "remote")
#: The environment variable that chooses the backend when ``--backend`` is not given.
BACKEND_VARIABLE = "HELSEGRAF_TEST_BACKEND"
#: The test servers' own limit on one query, in seconds (``oxigraph serve --timeout-s``): a
#: query whose worker helsegraf killed at its time limit stops on the server too, instead of
#: keeping one of the machine's cores busy for the rest of the run.
SERVER_QUERY_TIMEOUT = 10


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default=None,
        help=(
            "the store the tests run on: 'embedded' (pyoxigraph, the default) or 'remote' (a "
            f"real oxigraph serve on loopback); default from ${BACKEND_VARIABLE}"
        ),
    )


def _backend_name(config: pytest.Config) -> str:
    name: str | None = config.getoption("--backend")
    if name is None:
        name = os.environ.get(BACKEND_VARIABLE) or "embedded"
    if name not in BACKENDS:
        raise pytest.UsageError(f"{BACKEND_VARIABLE}={name!r}: use one of {', '.join(BACKENDS)}")
    return name


def pytest_configure(config: pytest.Config) -> None:
    _backend_name(config)  # a wrong HELSEGRAF_TEST_BACKEND stops the run before it starts


def pytest_report_header(config: pytest.Config) -> str:
    return f"helsegraf store backend: {_backend_name(config)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the remote backend, leave out the tests about the embedded directory store."""
    for item in items:
        marker = item.get_closest_marker("embedded_only")
        if marker is not None and not (marker.args and str(marker.args[0]).strip()):
            raise pytest.UsageError(f"{item.nodeid}: embedded_only needs a reason")
    if _backend_name(config) != "remote":
        return
    kept = [item for item in items if item.get_closest_marker("embedded_only") is None]
    left = [item for item in items if item.get_closest_marker("embedded_only") is not None]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


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


# -- stores of the backend under test ------------------------------------------------------------


@dataclass(frozen=True)
class StoreTarget:
    """Where one test store lives: an embedded store directory, or an ``oxigraph serve``.

    ``location`` is what ``HELSEGRAF_STORE`` says: the directory, or the server's query
    endpoint (its update endpoint is set beside it).
    """

    location: str
    server: OxigraphServer | None = None

    @property
    def is_remote(self) -> bool:
        """True for a store on an oxigraph server."""
        return self.server is not None

    def settings(self, **changes: object) -> Settings:
        """Settings naming this store, with ``changes`` (other fields) on top."""
        values: dict[str, object] = {"store": self.location}
        if self.server is not None:
            values["update_endpoint"] = self.server.update_url
        values.update(changes)
        return Settings(**values)  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """The ``HELSEGRAF_*`` variables that name this store (for a subprocess)."""
        env = {"HELSEGRAF_STORE": self.location}
        if self.server is not None:
            env["HELSEGRAF_UPDATE_ENDPOINT"] = self.server.update_url
        return env

    def open(self, *, read_only: bool = False) -> Store:
        """The store, opened as helsegraf opens it (``open_store``)."""
        return open_store(self.settings(), read_only=read_only)


@dataclass
class Stores:
    """Makes empty, writable stores of one backend; :meth:`close` stops the servers it started."""

    remote: bool
    tmp: pytest.TempPathFactory
    servers: list[OxigraphServer] = field(default_factory=list)

    def new(self) -> StoreTarget:
        """A store holding nothing: a directory not yet created, or a fresh in-memory server."""
        if not self.remote:
            return StoreTarget(str(self.tmp.mktemp("store") / "store"))
        # skips (fails in CI) when the server cannot start
        server = started(None, self.tmp.mktemp("oxigraph"), timeout_s=SERVER_QUERY_TIMEOUT)
        self.servers.append(server)
        return StoreTarget(server.query_url, server)

    def empty(self) -> Store:
        """An open, empty store: in memory (embedded), or on a fresh server (remote)."""
        return OxigraphStore(None) if not self.remote else self.new().open()

    def copy(self, source: StoreTarget) -> StoreTarget:
        """A new store holding what ``source`` holds, copied beside helsegraf, not through it:
        the directory as ``shutil.copytree`` copies it (following the ``current`` link), or
        the server's dataset read and written with the Graph Store Protocol."""
        target = self.new()
        if source.server is None:
            shutil.copytree(source.location, target.location)
        else:
            assert target.server is not None
            target.server.add_quads(source.server.dataset())
        return target

    def close(self) -> None:
        """Stop every server this factory started."""
        while self.servers:
            self.servers.pop().stop()


@dataclass(frozen=True)
class StoreBackend:
    """The store backend the session runs on (``--backend``)."""

    name: str
    tmp: pytest.TempPathFactory

    @property
    def remote(self) -> bool:
        """True when the tests run on an oxigraph server."""
        return self.name == "remote"

    @contextmanager
    def stores(self) -> Iterator[Stores]:
        """A factory of empty stores; the servers it started stop when the block ends."""
        factory = Stores(self.remote, self.tmp)
        try:
            yield factory
        finally:
            factory.close()


@pytest.fixture(scope="session")
def store_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> StoreBackend:
    """The backend under test (``--backend``, ``$HELSEGRAF_TEST_BACKEND``)."""
    return StoreBackend(_backend_name(request.config), tmp_path_factory)


@pytest.fixture
def new_store(store_backend: StoreBackend) -> Iterator[Stores]:
    """Empty stores of the backend under test for one test (servers stopped after it)."""
    with store_backend.stores() as factory:
        yield factory


# -- the real graph ------------------------------------------------------------------------------


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
def store_dir(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store directory holding the published real graph, whatever the backend
    (for servers in subprocesses on the embedded backend, and as the remote tests' reference)."""
    from helsegraf.build import publish

    path = tmp_path_factory.mktemp("store")
    disk = OxigraphStore(path)
    publish(disk, built)
    disk.close()
    return path


@pytest.fixture(scope="session")
def remote_published(store_backend: StoreBackend, built: Build) -> Iterator[StoreTarget | None]:
    """On the remote backend, the session's server with the real graph published to it by
    helsegraf's own publishing path (:class:`~helsegraf.remote.RemoteStore`); else None."""
    from helsegraf.build import publish

    if not store_backend.remote:
        yield None
        return
    with store_backend.stores() as factory:
        target = factory.new()
        writer = target.open()
        publish(writer, built)
        writer.close()
        yield target


@pytest.fixture(scope="session")
def published_store(
    remote_published: StoreTarget | None, request: pytest.FixtureRequest
) -> StoreTarget:
    """The published real graph in the backend under test: ``store_dir``, or the server."""
    if remote_published is not None:
        return remote_published
    store_dir: Path = request.getfixturevalue("store_dir")
    return StoreTarget(str(store_dir))


@pytest.fixture(scope="session")
def store(remote_published: StoreTarget | None, built: Build) -> Store:
    """The published real graph (read-only use, please): in memory, or on the session's
    oxigraph server (opened read-only)."""
    from helsegraf.build import publish

    if remote_published is not None:
        return remote_published.open(read_only=True)
    memory = OxigraphStore(None)
    publish(memory, built)
    return memory


@pytest.fixture(scope="session")
def live_server(published_store: StoreTarget) -> Iterator[str]:
    """``helsegraf serve`` over the real graph on a free loopback port; its base URL."""
    from tests.live import serve

    with serve(published_store.location, **published_store.environment()) as url:
        yield url
