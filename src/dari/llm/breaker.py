"""A circuit breaker: after N consecutive failures, calls fail at once until a cool-down ends.

A dead LLM server then costs callers nothing (no connect timeout per request); after the
cool-down one trial call goes through (half-open) and its outcome closes or reopens the circuit.
While the circuit refuses calls, readiness (`/readyz`) reports the LLM as not ready and names
the cool-down left (`refusing`), so a load balancer and the breaker agree.
"""

from __future__ import annotations

import math
import time

from dari.llm.base import LLMUnavailable
from dari.llm.metrics import LLM_CIRCUIT_OPEN


class CircuitOpen(LLMUnavailable):
    """The breaker refuses calls; `retry_after_s` is the cool-down left (0: a trial is under
    way). The message names no host or server output, so readiness may show it."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.readiness_detail = message


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

    def refusing(self) -> CircuitOpen | None:
        """Why the next call would be refused, without taking the trial; None if it would go.

        Open and cooling down: refused. Cool-down over: the next call is the trial and goes
        through — unless a trial is already under way, which refuses every other call.
        """
        if self.opened_at is None:
            return None
        left = self.cooldown_s - (time.monotonic() - self.opened_at)
        if left > 0:
            return CircuitOpen(
                "The LLM server is not answering (circuit open after repeated failures); "
                f"next try in {math.ceil(left)} s.",
                left,
            )
        if self._trial:
            return CircuitOpen(
                "The LLM server is not answering (circuit open after repeated failures); "
                "a trial call is under way.",
                0.0,
            )
        return None

    def check(self) -> None:
        """Raise `CircuitOpen` (an `LLMUnavailable`) while open; let one trial call through
        after the cool-down."""
        refused = self.refusing()
        if refused is not None:
            raise refused
        if self.opened_at is not None:
            self._trial = True

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
