"""Document ingestion settings. Extended by the documents domain."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class DocumentSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_DOCUMENTS_")

    max_upload_mb: int = Field(100, ge=1, le=10240, description="Largest accepted upload, MB.")
