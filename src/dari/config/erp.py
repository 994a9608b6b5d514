"""ERP integration settings. Extended by the erp domain."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class ErpSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_ERP_")

    url: str = Field(
        "",
        description="ERP connection (SQLAlchemy URL or REST base URL). Empty: the embedded "
        "sample ERP (SQLite file in the data directory).",
    )
    catalog: str = Field(
        "", description="Path of the ERP tool catalog (YAML). Empty: the sample ERP's catalog."
    )
