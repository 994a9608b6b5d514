"""Password hashing (argon2id through pwdlib) and the minimum password policy.

Cost parameters come from settings (defaults: OWASP's argon2id minimum, m=19 MiB, t=2, p=1).
They are stored in each hash, so changing them later still verifies old hashes.
"""

from __future__ import annotations

import asyncio
from functools import cached_property

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from dari.config.auth import AuthSettings

MAX_PASSWORD_CHARS = 1024


class Passwords:
    """Hash and verify passwords off the event loop with the configured argon2id cost."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_kib,
                    parallelism=settings.argon2_parallelism,
                ),
            )
        )

    @cached_property
    def _dummy(self) -> str:
        # Verified against when the login id is unknown, so both cases cost one argon2 check.
        return self._hasher.hash("dari-dummy-password-never-valid")

    def _verify(self, password: str, hashed: str | None) -> bool:
        if hashed is None:
            self._hasher.verify(password, self._dummy)
            return False
        try:
            return self._hasher.verify(password, hashed)
        except Exception:  # a corrupt stored hash is a failed login, not a 500
            return False

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Check a password; `None` (no such user) costs the same and fails."""
        return await asyncio.to_thread(self._verify, password, hashed)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)


def policy_problem(password: str, username: str, min_length: int) -> str | None:
    """Why `password` is not acceptable (a Korean/English sentence), or None."""
    if len(password) < min_length:
        return f"비밀번호는 {min_length}자 이상이어야 합니다 (at least {min_length} characters)."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"비밀번호가 너무 깁니다 (at most {MAX_PASSWORD_CHARS} characters)."
    if password.strip().casefold() == username.strip().casefold():
        return "비밀번호는 로그인 ID와 달라야 합니다 (must differ from the login id)."
    return None
