"""One typed settings object, read from ``HELSEGRAF_*`` environment variables.

Build one with :class:`Settings` (tests pass their own values) and hand it to whatever
needs it; nothing reads the environment anywhere else.

>>> Settings(store="memory").store_is_memory
True
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from helsegraf import paths
from helsegraf.namespaces import ID_BASE


class Settings(BaseSettings):
    """helsegraf's configuration. Every field can be set as ``HELSEGRAF_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HELSEGRAF_", env_file=None, extra="forbid")

    store: str = Field(
        default=str(paths.DEFAULT_STORE),
        description="Where the graph is kept: a directory for the embedded store, or 'memory'.",
    )
    listing: Path = Field(
        default=paths.DEFAULT_LISTING,
        description="The helsedata.no listing read by a default load when the file exists.",
    )
    curation: Path = Field(
        default=paths.CURATION_DIR,
        description="Directory of the project-authored curation files (*.ttl).",
    )
    base_iri: str = Field(default=ID_BASE, description="Base of resource IRIs.")
    query_timeout: float = Field(
        default=10.0, gt=0, description="Time limit of one query, in seconds."
    )
    max_results: int = Field(default=10_000, gt=0, description="Most rows one query may return.")
    query_workers: int = Field(
        default=2, ge=1, le=64, description="Worker processes that answer SPARQL queries."
    )
    max_query_length: int = Field(
        default=100_000, gt=0, description="Longest SPARQL query text accepted, in characters."
    )
    max_request_bytes: int = Field(
        default=1_000_000, gt=0, description="Largest HTTP request body accepted, in bytes."
    )
    service_allow: list[str] = Field(
        default_factory=list,
        description="SPARQL endpoints a query may call with SERVICE (exact IRIs; none by default).",
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Origins that may read the api from a browser script (reads only).",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")

    @property
    def store_is_memory(self) -> bool:
        """True when the store lives in memory only (tests)."""
        return self.store == "memory"
