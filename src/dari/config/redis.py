"""Cache, bus and job-queue settings."""

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class RedisSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_REDIS_")

    url: str = Field(
        "",
        description="Redis URL (e.g. redis://127.0.0.1:6379/0). Empty: in-process cache, "
        "bus and job queue (single process only). TLS: `rediss://:pass@host:6379/0"
        "?ssl_ca_certs=/path/ca.pem&ssl_certfile=…&ssl_keyfile=…` (the server's certificate "
        "is verified; the job queue takes the CA from SSL_CERT_FILE, docs/containers.md).",
    )
    key_prefix: str = Field(
        "dari:", description="Prefix of every key and channel Dari uses in Redis."
    )
    max_connections: int = Field(
        32,
        ge=2,
        le=10000,
        description="Connections one process opens to Redis for the cache and bus, at most. "
        "Commands share them, and one of them carries every pub/sub subscription of the "
        "process (answers in progress, resumed answers). At the limit a command waits for a "
        "free connection (DARI_REDIS_POOL_TIMEOUT_S). The job queue has a pool of its own with "
        "the same bound.",
    )
    pool_timeout_s: float = Field(
        5.0,
        gt=0,
        le=120,
        description="Seconds a command waits for a free connection when all "
        "DARI_REDIS_MAX_CONNECTIONS are busy; then it fails (503, cache unavailable).",
    )
    job_max_tries: int = Field(3, ge=1, le=20, description="Attempts per background job.")
    job_timeout_s: int = Field(
        1800, ge=1, description="A background job running longer is cancelled and retried."
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value
