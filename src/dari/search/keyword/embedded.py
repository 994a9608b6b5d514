"""The embedded keyword index: BM25 over Kiwi morphemes, persisted to one file on disk."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from dari.search.analyzer import KoreanAnalyzer, default_analyzer
from dari.search.base import ChunkRecord, Scored, keyword_text
from dari.search.keyword.bm25 import BM25Engine

FORMAT = 1
_CHUNKS = TypeAdapter(list[ChunkRecord])


class EmbeddedKeywordIndex:
    """BM25 (k1=1.2, b=0.75) in memory; `persist()` writes `<dir>/keyword.npz` atomically.

    The file holds the analysed terms, so loading never re-runs Kiwi.
    """

    name = "embedded"

    def __init__(self, directory: Path | None, analyzer: KoreanAnalyzer | None = None) -> None:
        self.directory = directory
        self.analyzer = analyzer or default_analyzer()
        self.engine = BM25Engine()
        self._lock = threading.RLock()
        self._dirty = False

    @property
    def path(self) -> Path | None:
        return self.directory / "keyword.npz" if self.directory else None

    # --- writes -----------------------------------------------------------------------------

    def replace_sync(self, document_id: str, chunks: Sequence[ChunkRecord]) -> None:
        # Analyse outside the lock: searches keep running meanwhile.
        terms = self.analyzer.terms_many([keyword_text(c) for c in chunks]) if chunks else []
        with self._lock:
            self.engine.remove_document(document_id)
            for chunk, chunk_terms in zip(chunks, terms, strict=True):
                self.engine.add(chunk, chunk_terms)
            self._dirty = True

    async def replace_document(self, document_id: str, chunks: Sequence[ChunkRecord]) -> None:
        await asyncio.to_thread(self.replace_sync, document_id, chunks)

    async def delete_document(self, document_id: str) -> None:
        with self._lock:
            self.engine.remove_document(document_id)
            self._dirty = True

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None:
        with self._lock:
            self.engine.set_access(document_id, access_tokens)
            self._dirty = True

    # --- reads ------------------------------------------------------------------------------

    def search_sync(
        self,
        query: str,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        terms = self.analyzer.terms(query)
        with self._lock:
            return self.engine.search(terms, access_tokens, k, document_ids)

    async def search(
        self,
        query: str,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        return await asyncio.to_thread(
            self.search_sync, query, access_tokens=access_tokens, k=k, document_ids=document_ids
        )

    async def get(self, chunk_ids: Sequence[str]) -> list[ChunkRecord]:
        with self._lock:
            return [self.engine.chunks[c] for c in chunk_ids if c in self.engine.chunks]

    async def count(self) -> int:
        return self.engine.slots.live

    # --- persistence ------------------------------------------------------------------------

    def persist_sync(self) -> None:
        path = self.path
        if path is None or not self._dirty:
            return
        with self._lock:
            chunks, vocab, offsets, terms, tfs = self.engine.export()
            self._dirty = False
        text = "[" + ",".join(c.model_dump_json() for c in chunks) + "]"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(json.dumps({"format": FORMAT}).encode(), dtype=np.uint8),
            vocab=np.frombuffer(json.dumps(vocab, ensure_ascii=False).encode(), dtype=np.uint8),
            chunks=np.frombuffer(text.encode(), dtype=np.uint8),
            offsets=offsets,
            terms=terms,
            tfs=tfs,
        )
        os.replace(tmp, path)

    async def persist(self) -> None:
        await asyncio.to_thread(self.persist_sync)

    def load_sync(self) -> None:
        path = self.path
        if path is None or not path.exists():
            return
        with np.load(path) as data:
            vocab: list[str] = json.loads(data["vocab"].tobytes().decode())
            raw = data["chunks"].tobytes()
            offsets, terms, tfs = data["offsets"], data["terms"], data["tfs"]
        engine = BM25Engine()
        chunks = _CHUNKS.validate_json(raw)  # one pass in pydantic-core: fast restarts
        engine.bulk_load(chunks, vocab, offsets, terms, tfs)
        with self._lock:
            self.engine = engine
            self._dirty = False

    async def load(self) -> None:
        await asyncio.to_thread(self.load_sync)

    async def close(self) -> None:
        await self.persist()
