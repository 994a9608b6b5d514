"""The auth domain's error: a catalogue code (`dari.core.errors`) and a Korean message.

Token failures stay `dari.api.problems.Problem(401)` (`service.unauthorized()`): they answer
an HTTP request before any domain logic runs, and never say which part was wrong.
"""

from __future__ import annotations

from dari.core.errors import DariError


class AuthError(DariError):
    """Raised by the auth services (users, roles, departments, API keys)."""
