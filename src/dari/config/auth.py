"""Authentication settings: token lifetimes, signing keys, password policy and lockout."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class AuthSettings(Section):
    """Sign-in, tokens, API keys and brute-force protection (see docs/auth.md)."""

    model_config = SettingsConfigDict(env_prefix="DARI_AUTH_")

    access_token_ttl_s: int = Field(
        900, ge=30, le=86400, description="Lifetime of an access token (JWT), in seconds."
    )
    refresh_token_ttl_s: int = Field(
        1209600, ge=300, description="Lifetime of a refresh token, in seconds (default 14 days)."
    )
    jwt_algorithm: Literal["EdDSA", "ES256"] = Field(
        "EdDSA",
        description="Signature algorithm of generated keys: `EdDSA` (Ed25519) or `ES256` "
        "(ECDSA P-256). A key given by `DARI_AUTH_SIGNING_KEY_FILE` decides for itself.",
    )
    keys_dir: Path | None = Field(
        None,
        description="Directory of the signing keys (generated at first start, rotated by "
        "`dari users rotate-keys`). Empty: `<data_dir>/keys`. Share it between replicas.",
    )
    signing_key_file: Path | None = Field(
        None,
        description="A PEM private key (Ed25519 or EC P-256) to sign with instead of the "
        "generated ones, e.g. from a secrets manager. Rotation is then done by replacing it.",
    )
    issuer: str = Field("dari", description="`iss` claim of access tokens.")
    audience: str = Field("dari", description="`aud` claim of access tokens.")
    password_min_length: int = Field(
        10, ge=8, le=128, description="Shortest accepted password, in characters."
    )
    argon2_memory_kib: int = Field(
        19456,
        ge=8192,
        le=4194304,
        description="argon2id memory cost per password hash, KiB (OWASP minimum: 19456). "
        "Stored in each hash; raising it applies to passwords set afterwards.",
    )
    argon2_time_cost: int = Field(2, ge=1, le=20, description="argon2id iterations.")
    argon2_parallelism: int = Field(1, ge=1, le=16, description="argon2id lanes (threads).")
    password_min_score: int = Field(
        2,
        ge=0,
        le=4,
        description="Least zxcvbn strength score (0-4) of a new password; below it the "
        "password is refused as too common or easy to guess. 0 turns the check off.",
    )
    max_failures_per_user: int = Field(
        5,
        ge=1,
        description="Failed sign-ins for one login id from one client address before that "
        "login id is locked from that address (429).",
    )
    max_failures_per_ip: int = Field(
        20, ge=1, description="Failed sign-ins from one IP address before it is locked (429)."
    )
    max_failures_per_account: int = Field(
        50,
        ge=1,
        description="Failed sign-ins for one login id from all addresses together, within "
        "`DARI_AUTH_ACCOUNT_LOCKOUT_WINDOW_S`, before it is locked for every address the user "
        "has not signed in from successfully before (429).",
    )
    account_lockout_window_s: int = Field(
        3600,
        ge=1,
        description="Window of the per-login-id counter over all addresses, in seconds.",
    )
    lockout_window_s: int = Field(
        900,
        ge=1,
        description="Window of the failure counters, in seconds; a lock lifts when it ends.",
    )
    api_key_touch_interval_s: int = Field(
        60,
        ge=0,
        description="An API key's last-used time is written at most this often, in seconds.",
    )
