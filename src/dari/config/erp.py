"""ERP integration settings (see docs/erp.md)."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class ErpSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_ERP_")

    url: str = Field(
        "",
        description="ERP connection: a SQLAlchemy URL for a read-only database account "
        "(`mysql+asyncmy://erp_ro:pw@erp-db:3306/erp`, `postgresql+asyncpg://…`, "
        "`sqlite:///path.db`) or a REST base URL (`https://erp.example/api`). Empty: the "
        "embedded sample ERP, `erp-sample.db` in the data directory (`dari erp sample`).",
    )
    catalog: str = Field(
        "",
        description="Path of the ERP tool catalog (YAML). Empty: the sample ERP's catalog "
        "shipped with Dari. Re-read automatically when the file changes.",
    )
    timeout_s: float = Field(
        10.0, gt=0, le=300, description="Statement timeout for one ERP call, in seconds."
    )
    max_rows: int = Field(
        1000, ge=1, le=100_000, description="Most rows one catalog tool call returns."
    )
    query_max_rows: int = Field(
        200, ge=1, le=10_000, description="Most rows one ad-hoc `erp_query` returns (LIMIT)."
    )
    pool_size: int = Field(5, ge=1, le=100, description="Connections kept to a SQL ERP.")
    rest_auth: Literal["none", "api_key", "bearer", "basic"] = Field(
        "none", description="How Dari authenticates to a REST ERP."
    )
    rest_api_key_header: str = Field(
        "X-API-Key", description="Header carrying the key when `rest_auth` is `api_key`."
    )
    rest_secret: SecretStr = Field(
        SecretStr(""),
        description="API key, bearer token or basic-auth password for a REST ERP.",
    )
    rest_username: str = Field("", description="Basic-auth user name for a REST ERP.")
    rest_rate_limit: float = Field(
        10.0, gt=0, le=1000, description="Most requests per second Dari sends to a REST ERP."
    )
