"""Kiwi's tokens of a question, computed once per question.

Evidence scoring (`evidence_query.analyse`), the synonyms (`synonyms.Synonyms.find`) and
`answerable()` all read the same question's morphemes, for the probe and the answer alike;
one cached analysis serves them all.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dari.search.analyzer import default_analyzer


@lru_cache(maxsize=1024)
def question_tokens(text: str) -> tuple[Any, ...]:
    """Kiwi's tokens of `text` (form, tag, start, len), with the process-wide Kiwi."""
    analyzer = default_analyzer()
    # `_get`/`_lock`: the process-wide Kiwi and its guard (`terms()` drops the tags).
    with analyzer._lock:
        return tuple(analyzer._get().tokenize(text[: analyzer.max_chars]))
