"""Snippets with the query's terms marked « like this » (plain text; offsets given too).

Matching is a case-insensitive search for the query's morphemes (from Kiwi) in the chunk
text — no re-analysis of the chunk, so highlighting stays well under a millisecond per hit.
One-syllable Korean morphemes are skipped (수, 것 would light up everywhere).
"""

from __future__ import annotations

import re

from dari.search.base import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN


def _pattern(query_terms: set[str]) -> re.Pattern[str] | None:
    terms = sorted(
        (t for t in query_terms if len(t) >= 2 or (t.isascii() and t.isalnum())),
        key=len,
        reverse=True,
    )
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(
    text: str, query_terms: set[str], width: int = 240
) -> tuple[str, str, list[tuple[int, int]]]:
    """(marked snippet, plain snippet, [start, end) spans in the plain snippet).

    The snippet is the `width`-character window holding the most matches.
    """
    pattern = _pattern(query_terms)
    spans = [m.span() for m in pattern.finditer(text)] if pattern else []
    start = 0
    if len(text) > width and spans:
        best = 0
        for s, _ in spans:
            count = sum(1 for a, b in spans if a >= s and b <= s + width)
            if count > best:
                best, start = count, s
        start = max(0, min(start - width // 4, len(text) - width))
    end = min(len(text), start + width)
    plain = text[start:end]
    local = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    marked, cursor = [], 0
    for a, b in local:
        marked += [plain[cursor:a], HIGHLIGHT_OPEN, plain[a:b], HIGHLIGHT_CLOSE]
        cursor = b
    marked.append(plain[cursor:])
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [(a + len(prefix), b + len(prefix)) for a, b in local]
    return prefix + "".join(marked) + suffix, prefix + plain + suffix, shifted
