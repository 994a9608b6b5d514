"""Qdrant through `qdrant-client`: a Qdrant server or cluster in production, local mode in tests.

Points carry `chunk_id`, `document_id` and `access_tokens` as payload (keyword-indexed on a
server); the access filter is a `should`-match inside Qdrant's search.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from qdrant_client import AsyncQdrantClient, models

from dari.search.base import ChunkRecord, Scored

_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c1e-9a8f-0d2b5e7c9a13")


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, chunk_id))


class QdrantVectorIndex:
    """`url` for a server; else `path` (local on-disk mode) or in memory when both are empty."""

    name = "qdrant"

    def __init__(
        self,
        dim: int,
        *,
        url: str = "",
        path: Path | None = None,
        api_key: str = "",
        collection: str = "dari_chunks",
    ) -> None:
        self.dim = dim
        self.collection = collection
        if url:
            self.client = AsyncQdrantClient(url=url, api_key=api_key or None, timeout=30)
        elif path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self.client = AsyncQdrantClient(path=str(path))
        else:
            self.client = AsyncQdrantClient(location=":memory:")
        self._remote = bool(url)
        self._ready = False

    async def _ensure(self) -> None:
        if self._ready:
            return
        if not await self.client.collection_exists(self.collection):
            await self.client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=self.dim, distance=models.Distance.COSINE),
            )
            if self._remote:
                for field in ("document_id", "access_tokens"):
                    await self.client.create_payload_index(
                        self.collection, field, models.PayloadSchemaType.KEYWORD
                    )
        self._ready = True

    @staticmethod
    def _doc_filter(document_id: str) -> models.Filter:
        return models.Filter(
            must=[
                models.FieldCondition(key="document_id", match=models.MatchValue(value=document_id))
            ]
        )

    async def replace_document(
        self, document_id: str, chunks: Sequence[ChunkRecord], vectors: np.ndarray
    ) -> None:
        await self._ensure()
        await self.delete_document(document_id)
        if not chunks:
            return
        points = [
            models.PointStruct(
                id=point_id(chunk.chunk_id),
                vector=np.asarray(vector, dtype=np.float32).tolist(),
                payload={
                    "chunk_id": chunk.chunk_id,
                    "document_id": chunk.document_id,
                    "access_tokens": list(chunk.access_tokens),
                },
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        await self.client.upsert(self.collection, points=points, wait=True)

    async def delete_document(self, document_id: str) -> None:
        await self._ensure()
        await self.client.delete(
            self.collection,
            points_selector=models.FilterSelector(filter=self._doc_filter(document_id)),
            wait=True,
        )

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None:
        await self._ensure()
        await self.client.set_payload(
            self.collection,
            payload={"access_tokens": list(access_tokens)},
            points=models.FilterSelector(filter=self._doc_filter(document_id)),
            wait=True,
        )

    async def search(
        self,
        vector: np.ndarray,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        await self._ensure()
        tokens = sorted(set(access_tokens))
        if not tokens:
            return []
        must: list[models.Condition] = [
            models.FieldCondition(key="access_tokens", match=models.MatchAny(any=tokens))
        ]
        if document_ids is not None:
            must.append(
                models.FieldCondition(
                    key="document_id", match=models.MatchAny(any=sorted(set(document_ids)))
                )
            )
        response = await self.client.query_points(
            self.collection,
            query=np.asarray(vector, dtype=np.float32).tolist(),
            query_filter=models.Filter(must=must),
            limit=k,
            with_payload=["chunk_id"],
        )
        return [(str((p.payload or {})["chunk_id"]), float(p.score)) for p in response.points]

    async def count(self) -> int:
        await self._ensure()
        return (await self.client.count(self.collection, exact=True)).count

    async def persist(self) -> None:
        return None  # Qdrant persists every acknowledged write itself

    async def load(self) -> None:
        await self._ensure()

    async def close(self) -> None:
        await self.client.close()
