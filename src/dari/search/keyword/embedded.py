"""The embedded keyword index: BM25 over Kiwi morphemes, persisted to one file on disk."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from dari.search.analyzer import KoreanAnalyzer, default_analyzer
from dari.search.base import ChunkRecord, Scored, keyword_text
from dari.search.keyword.bm25 import BM25Engine, Snapshot

log = logging.getLogger(__name__)
FORMAT = 2  # 2: adjacent-term pairs stored too (a format-1 file is re-analysed on load)
_CHUNKS = TypeAdapter(list[ChunkRecord])


class EmbeddedKeywordIndex:
    """BM25 over morphemes and adjacent-morpheme pairs in memory; `persist()` writes
    `<dir>/keyword.npz` atomically.

    The file holds the analysed terms, so loading never re-runs Kiwi.
    """

    name = "embedded"

    def __init__(
        self,
        directory: Path | None,
        analyzer: KoreanAnalyzer | None = None,
        *,
        k1: float = 0.6,
        b: float = 0.75,
        pair_weight: float = 0.5,
    ) -> None:
        self.directory = directory
        self.analyzer = analyzer or default_analyzer()
        self.params = (k1, b, pair_weight)
        self.engine = BM25Engine(*self.params)
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
            snapshot = self.engine.export()
            self._dirty = False
        text = "[" + ",".join(c.model_dump_json() for c in snapshot.chunks) + "]"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(
                json.dumps({"format": FORMAT, "pairs": self.params[2] > 0}).encode(), np.uint8
            ),
            vocab=np.frombuffer(
                json.dumps(snapshot.vocab, ensure_ascii=False).encode(), dtype=np.uint8
            ),
            chunks=np.frombuffer(text.encode(), dtype=np.uint8),
            offsets=snapshot.offsets,
            terms=snapshot.terms,
            tfs=snapshot.tfs,
            pair_keys=snapshot.pair_keys,
            pair_offsets=snapshot.pair_offsets,
            pair_slots=snapshot.pair_slots,
            pair_tfs=snapshot.pair_tfs,
        )
        os.replace(tmp, path)

    async def persist(self) -> None:
        await asyncio.to_thread(self.persist_sync)

    def load_sync(self) -> None:
        path = self.path
        if path is None or not path.exists():
            return
        with np.load(path) as data:
            meta = json.loads(data["meta"].tobytes().decode())
            fmt = meta.get("format", 1)
            # Pairs are derived from the terms' order, which only the chunk text still has.
            reanalyse = fmt < 2 or (self.params[2] > 0 and not meta.get("pairs", True))
            vocab: list[str] = json.loads(data["vocab"].tobytes().decode())
            raw = data["chunks"].tobytes()
            arrays = [data[name] for name in ("offsets", "terms", "tfs")]
            if fmt >= 2:
                pair_names = ("pair_keys", "pair_offsets", "pair_slots", "pair_tfs")
                arrays += [data[name] for name in pair_names]
        chunks = _CHUNKS.validate_json(raw)  # one pass in pydantic-core: fast restarts
        engine = BM25Engine(*self.params)
        if not reanalyse:
            engine.bulk_load(Snapshot(chunks, vocab, *arrays))
        else:
            log.info("re-analysing the %d chunks of %s to index word pairs", len(chunks), path)
            texts = [keyword_text(c) for c in chunks]
            for chunk, terms in zip(chunks, self.analyzer.terms_many(texts), strict=True):
                engine.add(chunk, terms)
        with self._lock:
            self.engine = engine
            self._dirty = reanalyse

    async def load(self) -> None:
        await asyncio.to_thread(self.load_sync)

    async def close(self) -> None:
        await self.persist()
