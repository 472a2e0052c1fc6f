"""A real helsegraf server in a subprocess, for tests that talk HTTP over a socket.

:func:`serve` starts ``helsegraf serve`` over a store (a store directory, or the query endpoint
of a SPARQL server with its ``HELSEGRAF_*`` settings in ``env``) on a free loopback port and
waits until ``/ready`` answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port nothing listens on now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(store: Path | str, **env: str) -> Iterator[str]:
    """Run ``helsegraf serve`` over ``store`` (``HELSEGRAF_STORE``) with the other settings
    ``env`` gives; yields its base URL, stops it afterwards."""
    port = free_port()
    environment = {**os.environ, "HELSEGRAF_STORE": str(store), **env}
    # the server's output goes to a file: a pipe nobody reads fills up with the access log
    # (about 1,100 requests) and then blocks the server
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helsegraf.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")
                raise RuntimeError(f"helsegraf serve exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("helsegraf serve did not become ready within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
