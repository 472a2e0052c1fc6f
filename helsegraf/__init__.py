"""helsegraf: a linked-data knowledge graph of Norway's health data sources."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("helsegraf")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
