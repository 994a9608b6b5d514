"""Embeddings cached by content hash (SQLite in the data directory): never embed twice."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from dari.search.base import Embedder


def content_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


class CachedEmbedder:
    """Wraps an `Embedder`: passages already embedded by the same model come from the cache.

    Keyed by sha256(model name, passage text), so re-ingesting an unchanged chunk (or the
    same paragraph in another document) costs a lookup, not an embedding.
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB)")
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_query_cached(self, text: str) -> np.ndarray:
        """A query vector through the cache (benchmarks repeat the same questions)."""
        key = content_key(self.name + "#query", text)
        with self._lock:
            row = self._db.execute("SELECT v FROM vectors WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return np.frombuffer(row[0], dtype=np.float32)
        vector = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO vectors (key, v) VALUES (?, ?)", (key, vector.tobytes())
            )
        return vector

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [content_key(self.name, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, v FROM vectors WHERE key IN ({marks})", part
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = sorted({i for i, key in enumerate(keys) if key not in found}, key=int)
        seen: dict[str, int] = {}
        todo = [i for i in missing if seen.setdefault(keys[i], i) == i]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            vectors = self.inner.embed_passages([texts[i] for i in todo])
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, v) VALUES (?, ?)",
                    [
                        (keys[i], vectors[n].astype(np.float32).tobytes())
                        for n, i in enumerate(todo)
                    ],
                )
            for n, i in enumerate(todo):
                found[keys[i]] = vectors[n].astype(np.float32)
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            result[i] = found[key]
        return result

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self.inner.close()
