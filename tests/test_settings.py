"""Settings: one typed object, and a .env.example that documents every field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from helsegraf import paths
from helsegraf.settings import Settings


def test_env_example_names_every_setting() -> None:
    lines = (paths.PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    documented = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    expected = {f"HELSEGRAF_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELSEGRAF_STORE", str(tmp_path))
    monkeypatch.setenv("HELSEGRAF_QUERY_TIMEOUT", "2.5")
    settings = Settings()
    assert settings.store == str(tmp_path)
    assert settings.query_timeout == 2.5


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(port=0)
    with pytest.raises(ValidationError):
        Settings(query_timeout=-1)
