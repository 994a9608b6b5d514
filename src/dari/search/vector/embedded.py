"""The embedded vector index: exact cosine search over a float32 matrix; HNSW above a size.

Up to `ann_threshold` chunks (default 200k, ~300 MB at 384 dims) a search is one
matrix-vector product with the access mask applied before ranking — exact and filtered
inside. Above it, a usearch HNSW graph answers; the access filter is then applied while
widening the candidate list until `k` visible chunks are found, falling back to exact search
over the visible chunks when they are rare (so a filter never returns fewer than k).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dari.search.base import ChunkRecord, Scored
from dari.search.slots import SlotTable, top_k


class EmbeddedVectorIndex:
    """Vectors in memory, `persist()` writes `<dir>/vectors.npz` atomically."""

    name = "embedded"

    def __init__(self, directory: Path | None, dim: int, ann_threshold: int = 200000) -> None:
        self.directory = directory
        self.dim = dim
        self.ann_threshold = ann_threshold
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.slots = SlotTable()
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._ann: Any = None
        self._dirty = False

    @property
    def path(self) -> Path | None:
        return self.directory / "vectors.npz" if self.directory else None

    def _append(self, vectors: np.ndarray) -> None:
        used = len(self.slots)
        need = used + len(vectors)
        if need > len(self.matrix):
            grown = np.zeros((max(need, 1024, 2 * len(self.matrix)), self.dim), dtype=np.float32)
            grown[:used] = self.matrix[:used]
            self.matrix = grown
        self.matrix[used:need] = vectors

    def replace_sync(
        self, document_id: str, chunks: Sequence[ChunkRecord], vectors: np.ndarray
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), self.dim)
        with self._lock:
            self.slots.remove_document(document_id)
            self._append(vectors)
            for chunk in chunks:
                self.slots.add(chunk.chunk_id, chunk.document_id, chunk.access_tokens)
            self._ann = None
            self._dirty = True
            if self.slots.dead > 1000 and self.slots.dead > len(self.slots) // 4:
                self._compact()

    def _compact(self) -> None:
        live = self.slots.live_slots()
        ids = [self.slots.ids[s] for s in live]
        docs = [self.slots.docs[s] for s in live]
        tokens = [self.slots.tokens[s] for s in live]
        matrix = self.matrix[live].copy()
        self._reset()
        self._append(matrix)
        for chunk_id, document_id, chunk_tokens in zip(ids, docs, tokens, strict=True):
            self.slots.add(chunk_id, document_id, chunk_tokens)
        self._dirty = True

    async def replace_document(
        self, document_id: str, chunks: Sequence[ChunkRecord], vectors: np.ndarray
    ) -> None:
        await asyncio.to_thread(self.replace_sync, document_id, chunks, vectors)

    async def delete_document(self, document_id: str) -> None:
        with self._lock:
            self.slots.remove_document(document_id)
            self._dirty = True

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None:
        with self._lock:
            self.slots.set_tokens(document_id, access_tokens)
            self._dirty = True

    def search_sync(
        self,
        vector: np.ndarray,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        query = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        with self._lock:
            size = len(self.slots)
            if size == 0:
                return []
            mask = self.slots.mask(access_tokens, document_ids)
            if size > self.ann_threshold:
                return self._ann_search(query, mask, k)
            scores = self.matrix[:size] @ query
            scores[~mask] = -np.inf
            best = top_k(scores, k)
            return [(self.slots.ids[s], float(scores[s])) for s in best]

    def _ann_search(self, query: np.ndarray, mask: np.ndarray, k: int) -> list[Scored]:
        visible = int(mask.sum())
        if visible <= 20 * k:  # rare: exact over the visible rows is cheaper than widening
            rows = np.flatnonzero(mask)
            scores = self.matrix[rows] @ query
            order = np.argsort(-scores)[:k]
            return [(self.slots.ids[rows[i]], float(scores[i])) for i in order]
        if self._ann is None:
            self._build_ann()
        count = 4 * k
        while True:
            matches = self._ann.search(query, count)
            found = [
                (int(key), 1.0 - float(dist))
                for key, dist in zip(matches.keys, matches.distances, strict=True)
                if mask[int(key)]
            ]
            if len(found) >= k or count >= len(self.slots):
                return [(self.slots.ids[s], score) for s, score in found[:k]]
            count *= 4

    def _build_ann(self) -> None:
        from usearch.index import Index

        # Wider expansions than usearch's defaults: the graph is built with several threads
        # (not the same twice), and with the defaults an exact-match query occasionally
        # missed its own vector.
        index = Index(
            ndim=self.dim,
            metric="cos",
            dtype="f16",
            connectivity=16,
            expansion_add=128,
            expansion_search=128,
        )
        live = self.slots.live_slots()
        index.add(live, self.matrix[live])
        self._ann = index

    async def search(
        self,
        vector: np.ndarray,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        return await asyncio.to_thread(
            self.search_sync, vector, access_tokens=access_tokens, k=k, document_ids=document_ids
        )

    async def count(self) -> int:
        return self.slots.live

    def persist_sync(self) -> None:
        path = self.path
        if path is None or not self._dirty:
            return
        with self._lock:
            live = self.slots.live_slots()
            meta = {
                "dim": self.dim,
                "ids": [self.slots.ids[s] for s in live],
                "docs": [self.slots.docs[s] for s in live],
                "tokens": [self.slots.tokens[s] for s in live],
            }
            matrix = self.matrix[live]
            self._dirty = False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        blob = json.dumps(meta, ensure_ascii=False).encode()
        np.savez(tmp, meta=np.frombuffer(blob, dtype=np.uint8), matrix=matrix)
        os.replace(tmp, path)

    async def persist(self) -> None:
        await asyncio.to_thread(self.persist_sync)

    def load_sync(self) -> None:
        path = self.path
        if path is None or not path.exists():
            return
        with np.load(path) as data:
            meta = json.loads(data["meta"].tobytes().decode())
            matrix = data["matrix"]
        if meta["dim"] != self.dim:
            raise ValueError(
                f"{path} holds {meta['dim']}-dimensional vectors but the embedder makes "
                f"{self.dim}; delete the file (and re-index) after changing the embedder"
            )
        with self._lock:
            self._reset()
            self._append(matrix)
            for chunk_id, document_id, tokens in zip(
                meta["ids"], meta["docs"], meta["tokens"], strict=True
            ):
                self.slots.add(chunk_id, document_id, tokens)

    async def load(self) -> None:
        await asyncio.to_thread(self.load_sync)

    async def close(self) -> None:
        await self.persist()
