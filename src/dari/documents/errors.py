"""The documents domain's error: a catalogue code (`dari.core.errors`) and a Korean message."""

from __future__ import annotations

from dari.core.errors import DariError

NOT_FOUND = "문서를 찾을 수 없습니다."


class DocumentError(DariError):
    """Raised by the documents service; answered as problem+json (404 `not_found`, 413
    `too_large`, …) and reported by `dari documents` commands."""
