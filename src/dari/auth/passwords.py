"""Password hashing (argon2id through pwdlib) and the password policy (with zxcvbn).

Cost parameters come from settings (defaults: OWASP's argon2id minimum, m=19 MiB, t=2, p=1).
They are stored in each hash, so changing them later still verifies old hashes.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable
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


# zxcvbn reads at most this many characters (it raises beyond); the rest only adds strength.
ZXCVBN_MAX_CHARS = 72
# Control characters cannot be typed into a sign-in form reliably (a tab moves the focus), and
# lone surrogates cannot even be encoded: a password holding either would lock its user out.
_UNTYPABLE = frozenset({"Cc", "Cs"})


def policy_problem(
    password: str,
    username: str,
    min_length: int,
    *,
    min_score: int = 0,
    user_inputs: Iterable[str] = (),
) -> str | None:
    """Why `password` is not acceptable (a Korean sentence, English in parentheses), or None.

    Refused: too short or too long, control characters, whitespace only, one character
    repeated, the login id itself, and (with `min_score`) anything zxcvbn scores lower —
    common passwords, keyboard runs, dates, words with digits swapped in, or the user's own
    name or login id with a little added.
    """
    if len(password) < min_length:
        return f"비밀번호는 {min_length}자 이상이어야 합니다 (at least {min_length} characters)."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"비밀번호가 너무 깁니다 (at most {MAX_PASSWORD_CHARS} characters)."
    if any(unicodedata.category(c) in _UNTYPABLE for c in password):
        return (
            "비밀번호에 탭·줄바꿈 같은 제어 문자는 쓸 수 없습니다 "
            "(no control characters such as tab or newline)."
        )
    if not password.strip():
        return "비밀번호가 공백으로만 되어 있습니다 (whitespace only)."
    if len(set(password)) == 1:
        return "비밀번호가 한 글자를 되풀이한 것입니다 (a single repeated character)."
    if password.strip().casefold() == username.strip().casefold():
        return "비밀번호는 로그인 ID와 달라야 합니다 (must differ from the login id)."
    if min_score > 0:
        return _guessable(password, [username, *user_inputs], min_score)
    return None


def _guessable(password: str, user_inputs: list[str], min_score: int) -> str | None:
    from zxcvbn import zxcvbn  # imported on first use: its word lists take a moment to load

    inputs = [value for value in user_inputs if value]
    result = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=inputs)
    if int(result["score"]) >= min_score:
        return None
    warning = str(result.get("feedback", {}).get("warning") or "too easy to guess")
    return (
        "비밀번호가 너무 흔하거나 추측하기 쉽습니다. 흔하지 않은 단어 몇 개와 숫자·기호를 "
        f"섞어 더 길게 만드세요 ({warning.rstrip('.')})."
    )
