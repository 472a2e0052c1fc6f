"""A real ``oxigraph serve`` for the remote-store tests (PyPI package ``oxigraph``).

:class:`OxigraphServer` starts the server on a free loopback port, waits until it answers a
query, and stops it; it can stop and start again on the same port and location, which is how
the tests show that a :class:`~helsegraf.remote.RemoteStore` recovers by itself.

:func:`running` (a context manager) and :func:`started` (the caller stops the server) are what
fixtures use. When the server cannot start they skip the test on a developer's machine but
fail it in CI (``CI`` set): there the remote backend must be tested, never quietly left out
(CONVENTIONS.md "What we take" 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest

from helsegraf.settings import Settings
from tests.live import free_port


class ServerError(RuntimeError):
    """The server could not be started (the message says why, with its output)."""


def oxigraph_command() -> str:
    """The ``oxigraph`` executable: beside this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError(
            "the 'oxigraph' command is not installed (pip install oxigraph; it is a dev extra)"
        )
    return found


class OxigraphServer:
    """One ``oxigraph serve`` process: ``location`` on disk (or in memory when None).

    Its output goes to the file ``log`` (a pipe nobody reads could fill and stall it).
    """

    def __init__(
        self,
        location: Path | None,
        *,
        log: Path,
        union_default_graph: bool = True,
        port: int | None = None,
        timeout_s: int | None = None,
    ) -> None:
        self.location = location
        self.union_default_graph = union_default_graph
        #: the server's own limit on a query (``--timeout-s``): a query helsegraf gave up on
        #: (its worker killed at the time limit) does not keep a core busy on the server
        self.timeout_s = timeout_s
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        """The SPARQL 1.1 Update endpoint."""
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def settings(self, *, gsp: bool = False, **changes: object) -> Settings:
        """Settings for a helsegraf store on this server (updates, or GSP with ``gsp``)."""
        values: dict[str, object] = {
            "store": self.query_url,
            "update_endpoint": self.update_url,
            "gsp_endpoint": self.store_url if gsp else None,
            "remote_timeout": 10.0,
            **changes,
        }
        return Settings(**values)  # type: ignore[arg-type]

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers a query."""
        command = [oxigraph_command(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
            command += ["--location", str(self.location)]
        if self.union_default_graph:
            command.append("--union-default-graph")
        if self.timeout_s is not None:
            command += ["--timeout-s", str(self.timeout_s)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None:
                raise ServerError(
                    f"oxigraph serve exited with {self.process.returncode}:\n{self._output()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"oxigraph serve did not answer within {timeout:g} s")
            time.sleep(0.05)

    def answers(self) -> bool:
        """True when the query endpoint answers ``ASK {}``."""
        try:
            with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=2) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Stop the server (and wait for it, so that its port and location are free)."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def update(self, text: str) -> None:
        """Run a SPARQL Update directly (test setup, not through helsegraf)."""
        request = urllib.request.Request(
            self.update_url,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            reply.read()

    def add_quads(self, nquads: bytes) -> None:
        """Add a dataset (N-Quads) with the Graph Store Protocol (test setup, not helsegraf)."""
        request = urllib.request.Request(
            self.store_url,
            data=nquads,
            headers={"Content-Type": "application/n-quads"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            reply.read()

    def clear(self) -> None:
        """Remove every graph."""
        self.update("DROP ALL")

    def graph(self, name: str) -> bytes:
        """One named graph as N-Triples, read with the Graph Store Protocol (not helsegraf)."""
        request = urllib.request.Request(
            f"{self.store_url}?graph={quote(name, safe='')}",
            headers={"Accept": "application/n-triples"},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            data: bytes = reply.read()
            return data

    def dataset(self) -> bytes:
        """Every graph as N-Quads, read with the Graph Store Protocol (not helsegraf)."""
        request = urllib.request.Request(self.store_url, headers={"Accept": "application/n-quads"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            data: bytes = reply.read()
            return data

    def _output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            return ""


def unavailable(message: str) -> NoReturn:
    """Fail in CI, skip elsewhere: the remote backend must not go untested in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"the oxigraph server is required in CI: {message}")
    pytest.skip(f"no oxigraph server: {message}")


@contextmanager
def running(
    location: Path | None,
    log_dir: Path,
    *,
    union_default_graph: bool = True,
    port: int | None = None,
    timeout_s: int | None = None,
) -> Iterator[OxigraphServer]:
    """A started server (skipped locally, failed in CI, when it cannot start); stopped after."""
    server = started(
        location,
        log_dir,
        union_default_graph=union_default_graph,
        port=port,
        timeout_s=timeout_s,
    )
    try:
        yield server
    finally:
        server.stop()


def started(
    location: Path | None,
    log_dir: Path,
    *,
    union_default_graph: bool = True,
    port: int | None = None,
    timeout_s: int | None = None,
) -> OxigraphServer:
    """A started server (skipped locally, failed in CI, when it cannot start); the caller
    stops it."""
    server = OxigraphServer(
        location,
        log=log_dir / "oxigraph.log",
        union_default_graph=union_default_graph,
        port=port,
        timeout_s=timeout_s,
    )
    try:
        server.start()
    except (ServerError, OSError) as err:
        unavailable(str(err))
    return server
