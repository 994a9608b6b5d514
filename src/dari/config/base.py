"""The base class every settings section derives from."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Section(BaseSettings):
    """A small typed group of settings read from `DARI_*` variables and `.env`.

    Each section sets its own `env_prefix`, so a field `url` of the `DARI_DATABASE_` section is
    read from `DARI_DATABASE_URL`. Fields need a `description`: `docs/configuration.md` is
    generated from them (`dari config docs`).
    """

    model_config = SettingsConfigDict(
        env_prefix="DARI_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )
