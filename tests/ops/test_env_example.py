"""deploy/env.production.example: real settings only, valid values, and refused as shipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dari.config import SettingsError, env_name, load_settings, section_classes
from tests.ops.deploy import DEPLOY

EXAMPLE = DEPLOY / "env.production.example"
LINE = re.compile(r"^#?(DARI_[A-Z0-9_]+)=(.*)$")


def known_settings() -> set[str]:
    return {
        env_name(cls, field) for cls in section_classes().values() for field in cls.model_fields
    }


def entries(*, commented: bool) -> dict[str, str]:
    found = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match and (commented or not line.startswith("#")):
            found[match.group(1)] = match.group(2)
    return found


def test_every_variable_is_a_real_setting() -> None:
    unknown = set(entries(commented=True)) - known_settings()
    assert not unknown, f"not Dari settings (docs/configuration.md): {sorted(unknown)}"


def test_production_essentials_are_there() -> None:
    values = entries(commented=False)
    assert values["DARI_ENV"] == "production"
    for name in (
        "DARI_SECRET_KEY",
        "DARI_DATABASE_URL",
        "DARI_REDIS_URL",
        "DARI_LLM_BASE_URL",
        "DARI_SEARCH_ELASTICSEARCH_URL",
        "DARI_SEARCH_QDRANT_URL",
        "DARI_ERP_URL",
        "DARI_PUBLIC_URL",
        "DARI_AUTH_KEYS_DIR",
    ):
        assert values.get(name), name
    assert "charset=utf8mb4" in values["DARI_DATABASE_URL"]
    assert values["DARI_LLM_EMBEDDED"] == "off"


def _load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **override: str) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in known_settings():
        monkeypatch.delenv(name, raising=False)
    for name, value in {**entries(commented=False), **override}.items():
        monkeypatch.setenv(name, value)
    load_settings()


def test_example_is_refused_until_the_secret_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="DARI_SECRET_KEY"):
        _load(monkeypatch, tmp_path)
    _load(monkeypatch, tmp_path, DARI_SECRET_KEY="k" * 20 + "x7Qe9LmZ2wP4rT6yU8iO")


def test_no_secret_values_in_the_example() -> None:
    for name, value in entries(commented=True).items():
        if re.search(r"(SECRET|PASSWORD|API_KEY)$", name):
            assert value in ("", "CHANGE_ME"), f"{name} holds a value"
        assert "CHANGE_ME" in value or not re.search(r"://[^/@\s]+:[^/@\s]+@", value), name
