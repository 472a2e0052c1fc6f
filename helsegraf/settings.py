"""One typed settings object, read from ``HELSEGRAF_*`` environment variables.

Build one with :class:`Settings` (tests pass their own values) and hand it to whatever
needs it; nothing reads the environment anywhere else.

>>> Settings(store="memory").store_is_memory
True
>>> remote = Settings(store="http://127.0.0.1:7878/query", remote_password="s3cret")
>>> remote.store_is_remote, "s3cret" in repr(remote)
(True, False)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from helsegraf import paths
from helsegraf.namespaces import ID_BASE


class Settings(BaseSettings):
    """helsegraf's configuration. Every field can be set as ``HELSEGRAF_<NAME>``."""

    # hide_input_in_errors: a validation error must not echo a value that may hold a secret
    # (a password, or a URL someone wrote credentials into).
    model_config = SettingsConfigDict(
        env_prefix="HELSEGRAF_", env_file=None, extra="forbid", hide_input_in_errors=True
    )

    store: str = Field(
        default=str(paths.DEFAULT_STORE),
        description=(
            "Where the graph is kept: a directory for the embedded store, 'memory', or the "
            "http(s) URL of a SPARQL 1.1 query endpoint (a remote store)."
        ),
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
    standards: Path = Field(
        default=paths.DEFAULT_STANDARDS,
        description=(
            "Directory of the official DCAT-AP, DCAT-AP-NO and HealthDCAT-AP SHACL shapes, used "
            "for the DCAT-AP compliance indicator of the quality report (skipped when absent)."
        ),
    )
    query_timeout: float = Field(
        default=10.0, gt=0, description="Time limit of one query, in seconds."
    )
    max_results: int = Field(default=10_000, gt=0, description="Most rows one query may return.")
    query_workers: int = Field(
        default=2, ge=1, le=64, description="Worker processes that answer SPARQL queries."
    )
    answer_cache_mb: int = Field(
        default=64,
        ge=0,
        description=(
            "Memory for /sparql answers kept until the next publish, in MB (0: none). The "
            "published graph cannot change between publishes, so a kept answer is exact."
        ),
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
    update_endpoint: str | None = Field(
        default=None,
        description="SPARQL 1.1 Update endpoint of a remote store (default: the query endpoint).",
    )
    gsp_endpoint: str | None = Field(
        default=None,
        description=(
            "Graph Store Protocol endpoint of a remote store; when set, a load PUTs each graph "
            "there instead of sending one SPARQL Update."
        ),
    )
    remote_user: str | None = Field(
        default=None, description="User name for HTTP basic authentication to a remote store."
    )
    remote_password: SecretStr | None = Field(
        default=None, description="Password for HTTP basic authentication to a remote store."
    )
    remote_timeout: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Longest wait for a remote store in one network step (connecting, or the next bytes "
            "of an answer), in seconds."
        ),
    )

    @field_validator(
        "update_endpoint", "gsp_endpoint", "remote_user", "remote_password", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty value (``HELSEGRAF_GSP_ENDPOINT=`` as in .env.example) means not set."""
        return None if value == "" else value

    @field_validator("store", "update_endpoint", "gsp_endpoint")
    @classmethod
    def _no_credentials_in_urls(cls, value: str | None) -> str | None:
        """Credentials belong in ``remote_user``/``remote_password``, never in a URL.

        A URL is printed in progress messages and error reports; a password inside it would
        be printed with it.
        """
        if value is not None and _is_url(value) and "@" in urlsplit(value).netloc:
            raise ValueError(
                "put credentials in HELSEGRAF_REMOTE_USER and HELSEGRAF_REMOTE_PASSWORD, "
                "not in the URL"
            )
        return value

    @field_validator("update_endpoint", "gsp_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not _is_url(value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @property
    def store_is_memory(self) -> bool:
        """True when the store lives in memory only (tests)."""
        return self.store == "memory"

    @property
    def store_is_remote(self) -> bool:
        """True when ``store`` is the URL of a SPARQL 1.1 server rather than a directory."""
        return _is_url(self.store)


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))
