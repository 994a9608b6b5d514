"""Retrieval settings. Extended by the search domain."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class SearchSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_SEARCH_")

    default_k: int = Field(8, ge=1, le=100, description="Results returned when k is not given.")
