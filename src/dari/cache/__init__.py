"""Cache and message bus: key/value with TTL, counters, lists, pub/sub.

Backends are chosen by settings and imported only when chosen: in-process (default) or Redis
(`DARI_REDIS_URL`).
"""

from __future__ import annotations

from dari.cache.base import Cache, Subscription
from dari.config import Settings

__all__ = ["Cache", "Subscription", "create_cache"]


def create_cache(settings: Settings) -> Cache:
    if settings.redis.url:
        from dari.cache.redis import RedisCache

        cfg = settings.redis
        return RedisCache(
            cfg.url,
            prefix=cfg.key_prefix,
            max_connections=cfg.max_connections,
            pool_timeout_s=cfg.pool_timeout_s,
        )
    from dari.cache.memory import MemoryCache

    return MemoryCache()
