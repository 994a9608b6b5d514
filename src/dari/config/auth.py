"""Authentication settings (the auth role). Extended by the auth domain."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class AuthSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_AUTH_")

    access_token_ttl_s: int = Field(
        900, ge=30, le=86400, description="Lifetime of an access token (JWT), in seconds."
    )
    refresh_token_ttl_s: int = Field(
        1209600, ge=300, description="Lifetime of a refresh token, in seconds (default 14 days)."
    )
