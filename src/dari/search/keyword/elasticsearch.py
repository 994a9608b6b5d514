"""Elasticsearch with the `nori` Korean analyzer (needs the analysis-nori plugin).

Install the plugin on every node: `bin/elasticsearch-plugin install analysis-nori`. Chunks are
stored whole (the index is also the chunk store); `access_tokens` and `document_id` are
`keyword` fields used as filters inside the query.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError

from dari.search.base import ChunkRecord, Scored

INDEX_SETTINGS: dict[str, Any] = {
    "analysis": {
        "tokenizer": {"dari_nori": {"type": "nori_tokenizer", "decompound_mode": "mixed"}},
        "analyzer": {
            "dari_korean": {
                "type": "custom",
                "tokenizer": "dari_nori",
                "filter": ["nori_part_of_speech", "nori_readingform", "lowercase"],
            }
        },
    }
}
MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "chunk_id": {"type": "keyword"},
        "document_id": {"type": "keyword"},
        "access_tokens": {"type": "keyword"},
        "text": {"type": "text", "analyzer": "dari_korean"},
        "title": {"type": "text", "analyzer": "dari_korean"},
        "heading_path": {"type": "text", "analyzer": "dari_korean"},
    },
}


class ElasticsearchKeywordIndex:
    """BM25 in Elasticsearch; writes use `refresh=wait_for` so a search sees them at once."""

    name = "elasticsearch"

    def __init__(self, url: str, *, index: str = "dari-chunks", api_key: str = "") -> None:
        if not url:
            raise ValueError(
                "DARI_SEARCH_ELASTICSEARCH_URL is required for keyword_backend=elasticsearch"
            )
        self.index = index
        self.client = AsyncElasticsearch(
            url,
            api_key=api_key or None,
            node_class="httpxasync",  # type: ignore[arg-type]
            request_timeout=30,
        )
        self._ready = False

    async def _ensure(self) -> None:
        if self._ready:
            return
        if not await self.client.indices.exists(index=self.index):
            await self.client.indices.create(
                index=self.index, settings=INDEX_SETTINGS, mappings=MAPPINGS
            )
        self._ready = True

    async def replace_document(self, document_id: str, chunks: Sequence[ChunkRecord]) -> None:
        await self._ensure()
        await self.delete_document(document_id)
        if not chunks:
            return
        operations: list[dict[str, Any]] = []
        for chunk in chunks:
            operations.append({"index": {"_index": self.index, "_id": chunk.chunk_id}})
            operations.append(chunk.model_dump())
        response = await self.client.bulk(operations=operations, refresh="wait_for")
        if response.get("errors"):
            raise RuntimeError(f"Elasticsearch rejected chunks of document {document_id}")

    async def delete_document(self, document_id: str) -> None:
        await self._ensure()
        await self.client.delete_by_query(
            index=self.index,
            query={"term": {"document_id": document_id}},
            refresh=True,
            conflicts="proceed",
        )

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None:
        await self._ensure()
        await self.client.update_by_query(
            index=self.index,
            query={"term": {"document_id": document_id}},
            script={
                "source": "ctx._source.access_tokens = params.tokens",
                "params": {"tokens": list(access_tokens)},
            },
            refresh=True,
            conflicts="proceed",
        )

    async def search(
        self,
        query: str,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        await self._ensure()
        filters: list[dict[str, Any]] = [{"terms": {"access_tokens": sorted(set(access_tokens))}}]
        if document_ids is not None:
            filters.append({"terms": {"document_id": sorted(set(document_ids))}})
        response = await self.client.search(
            index=self.index,
            query={
                "bool": {
                    "must": {
                        "multi_match": {
                            "query": query,
                            "fields": ["text", "title", "heading_path"],
                            "type": "most_fields",
                        }
                    },
                    "filter": filters,
                }
            },
            size=k,
            source=False,
        )
        return [(hit["_id"], float(hit["_score"])) for hit in response["hits"]["hits"]]

    async def get(self, chunk_ids: Sequence[str]) -> list[ChunkRecord]:
        if not chunk_ids:
            return []
        await self._ensure()
        try:
            response = await self.client.mget(index=self.index, ids=list(chunk_ids))
        except NotFoundError:
            return []
        return [
            ChunkRecord.model_validate(doc["_source"])
            for doc in response["docs"]
            if doc.get("found")
        ]

    async def count(self) -> int:
        await self._ensure()
        return int((await self.client.count(index=self.index))["count"])

    async def persist(self) -> None:
        return None  # Elasticsearch persists acknowledged writes itself

    async def load(self) -> None:
        await self._ensure()

    async def close(self) -> None:
        await self.client.close()
