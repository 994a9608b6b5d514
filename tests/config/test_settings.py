from pathlib import Path

import pytest

from dari.config import SettingsError, env_name, load_settings, section_classes
from dari.config.docs import render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [
        env_name(cls, field)
        for cls in section_classes().values()
        for field in cls.model_fields
        if f"`{env_name(cls, field)}`" not in text
    ]
    assert not missing, f"add to docs/configuration.md (run `dari config docs`): {missing}"


def test_docs_are_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "run: dari config docs --output docs/configuration.md"
    )


def test_env_and_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DARI_PORT", "9001")
    monkeypatch.setenv("DARI_ROLES", "api,chat")
    monkeypatch.setenv("DARI_LLM_BASE_URL", "http://gpu:8000/v1")
    settings = load_settings()
    assert settings.server.port == 9001
    assert settings.server.roles == ["api", "chat"]
    assert settings.llm.base_url == "http://gpu:8000/v1"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DARI_PORT=8123\n", encoding="utf-8")
    assert load_settings().server.port == 8123


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DARI_PORT", "abc"),
        ("DARI_PORT", "70000"),
        ("DARI_DATABASE_URL", "not a url"),
        ("DARI_DATABASE_URL", "postgresql://x@y/z"),
        ("DARI_REDIS_URL", "http://localhost"),
        ("DARI_ROLES", "api,bogus"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert name in str(info.value)
    assert "\n" not in str(info.value)


def test_production_refuses_default_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DARI_ENV", "production")
    with pytest.raises(SettingsError, match="DARI_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("DARI_SECRET_KEY", "k" * 48)
    assert load_settings().server.is_production


@pytest.mark.parametrize(
    ("roles", "backends", "refused"),
    [
        ("api,chat,worker,auth", {}, False),  # one process: the embedded index is shared
        ("auth", {}, False),  # never searches
        ("api", {}, True),
        ("worker", {"DARI_SEARCH_VECTOR_BACKEND": "qdrant"}, True),  # keyword still embedded
        (
            "api",
            {
                "DARI_SEARCH_KEYWORD_BACKEND": "elasticsearch",
                "DARI_SEARCH_VECTOR_BACKEND": "qdrant",
            },
            False,
        ),
    ],
)
def test_production_refuses_split_roles_on_the_embedded_search_index(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    roles: str,
    backends: dict[str, str],
    refused: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DARI_ENV", "production")
    monkeypatch.setenv("DARI_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DARI_ROLES", roles)
    for name, value in backends.items():
        monkeypatch.setenv(name, value)
    if refused:
        with pytest.raises(SettingsError, match="DARI_SEARCH_KEYWORD_BACKEND=elasticsearch"):
            load_settings()
    else:
        assert load_settings().server.is_production
