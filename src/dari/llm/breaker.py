"""A circuit breaker: after N consecutive failures, calls fail at once until a cool-down ends.

A dead LLM server then costs callers nothing (no connect timeout per request); after the
cool-down one trial call goes through (half-open) and its outcome closes or reopens the circuit.
"""

from __future__ import annotations

import time

from dari.llm.base import LLMUnavailable
from dari.llm.metrics import LLM_CIRCUIT_OPEN


class CircuitBreaker:
    def __init__(self, failures: int, cooldown_s: float) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self.failures = 0
        self.opened_at: float | None = None
        self._trial = False

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def check(self) -> None:
        """Raise `LLMUnavailable` while open; let one trial call through after the cool-down."""
        if self.opened_at is None:
            return
        waited = time.monotonic() - self.opened_at
        if waited >= self.cooldown_s and not self._trial:
            self._trial = True
            return
        retry_in = max(0.0, self.cooldown_s - waited)
        raise LLMUnavailable(
            "The LLM server is not answering (circuit open after repeated failures); "
            f"next try in {retry_in:.0f} s."
        )

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._trial = False
        LLM_CIRCUIT_OPEN.set(0)

    def failure(self) -> None:
        self.failures += 1
        if self._trial or self.failures >= self.threshold:
            self.opened_at = time.monotonic()
            self._trial = False
            LLM_CIRCUIT_OPEN.set(1)

    def release_trial(self) -> None:
        """A trial call ended without verdict (cancelled, or the caller's fault)."""
        self._trial = False
