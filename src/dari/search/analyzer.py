"""Korean morphological analysis with Kiwi: text → index terms (with their character spans).

Splitting on spaces leaves particles glued to nouns (회사의, 회사는); Kiwi separates them so
both become the term 회사. Which parts of speech become terms was chosen by measurement on
KorQuAD (docs/retrieval.md): nouns, roots, foreign words, numbers and Hanja, verb and
adjective stems, adverbs, determiners and derivational affixes (R@1 0.870 nouns only → 0.911).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

# Kiwi tags kept as index terms (Sejong tagset as Kiwi extends it).
INDEX_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "NP", "XR", "SL", "SH", "SN"}
    | {"VV", "VA", "VX", "MAG", "MM", "XSN", "XPN", "W_HASHTAG"}
)
# Kiwi marks verb/adjective stems whose conjugation is irregular with a -I suffix.
_SUFFIXES = ("-I", "-R")

Term = tuple[str, int, int]  # (term, start, end) in characters of the analysed text


class KoreanAnalyzer:
    """Thread-safe wrapper around one Kiwi instance (loaded on first use, ~1 s)."""

    def __init__(self, tags: frozenset[str] = INDEX_TAGS, max_chars: int = 200000) -> None:
        self.tags = tags
        self.max_chars = max_chars
        self._kiwi: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            self._kiwi = Kiwi(num_workers=1)
        return self._kiwi

    def _terms(self, tokens: Iterable[Any]) -> Iterator[Term]:
        for token in tokens:
            tag = str(token.tag)
            for suffix in _SUFFIXES:
                tag = tag.removesuffix(suffix)
            if tag not in self.tags:
                continue
            form = token.form.lower()
            if not form.strip():
                continue
            yield form, token.start, token.start + token.len

    def analyze(self, text: str) -> list[Term]:
        """Index terms of `text` with character offsets (for highlighting)."""
        text = text[: self.max_chars]
        if not text.strip():
            return []
        with self._lock:
            tokens = self._get().tokenize(text)
        return list(self._terms(tokens))

    def terms(self, text: str) -> list[str]:
        return [term for term, _, _ in self.analyze(text)]

    def terms_many(self, texts: list[str]) -> list[list[str]]:
        """Terms of many texts (batched through Kiwi)."""
        clipped = [t[: self.max_chars] for t in texts]
        with self._lock:
            kiwi = self._get()
            return [[term for term, _, _ in self._terms(kiwi.tokenize(t))] for t in clipped]


_default: KoreanAnalyzer | None = None


def default_analyzer() -> KoreanAnalyzer:
    """The process-wide analyzer (Kiwi's model is large: load it once)."""
    global _default
    if _default is None:
        _default = KoreanAnalyzer()
    return _default
