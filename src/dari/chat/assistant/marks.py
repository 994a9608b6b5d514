"""The citation mark `[n]` / `[n, m]` (a full-width "，" also separates): one definition for
binding, checking, stripping and streaming. `web/static/js/markdown.js` mirrors it for display
(`CITATION_MARK`, which `conversations.js` imports); tests/chat/assistant/test_marks.py keeps
them equal."""

from __future__ import annotations

import re

# group 1: the numbers, separated by "," or "，"
CITATION = re.compile(r"\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]")
SEPARATOR = re.compile(r"[,，]")


def mark_numbers(numbers: str) -> list[int]:
    """The numbers of a mark's group 1 (`"1，2"` → [1, 2])."""
    return [int(part.strip()) for part in SEPARATOR.split(numbers)]
