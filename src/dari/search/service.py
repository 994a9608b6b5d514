"""`SearchService`: the one entry point for indexing chunks and searching them.

Ingestion calls `replace_document` / `delete_document` / `set_access`; chat and the API call
`search`. Keyword and vector searches run concurrently, are filtered by access tokens inside
each backend, and are fused (`dari.search.fusion`). Index writes take an exclusive lock, so a
concurrent search sees either every old chunk of a document or every new one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from dari.config import Settings
from dari.config.search import SearchSettings
from dari.core.slots import Slot
from dari.search.analyzer import KoreanAnalyzer, default_analyzer
from dari.search.base import ChunkRecord, Embedder, KeywordIndex, SearchHit, VectorIndex
from dari.search.base import passage_text as _passage_text
from dari.search.fusion import fuse
from dari.search.highlight import highlight
from dari.search.rwlock import RWLock

log = logging.getLogger(__name__)
FILTER_KEYS = ("document_id",)


class SearchInputError(ValueError):
    """The query or its options are invalid; the message says what to change."""


class SearchService:
    """Hybrid retrieval over one keyword index, one vector index and one embedder."""

    def __init__(
        self,
        settings: SearchSettings,
        embedder: Embedder,
        keyword: KeywordIndex,
        vector: VectorIndex,
        analyzer: KoreanAnalyzer | None = None,
        persist_delay_s: float = 5.0,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.keyword = keyword
        self.vector = vector
        self.analyzer = analyzer or default_analyzer()
        self.persist_delay_s = persist_delay_s
        self._lock = RWLock()
        self._started = False
        self._start_lock: asyncio.Lock | None = None
        self._persist_task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchService:
        from dari.search.registry import create_embedder, create_keyword_index, create_vector_index

        embedder = create_embedder(settings)
        return cls(
            settings.search,
            embedder,
            create_keyword_index(settings),
            create_vector_index(settings, embedder.dim),
        )

    async def start(self) -> None:
        """Load both indexes from disk (once)."""
        if self._started:
            return
        self._start_lock = self._start_lock or asyncio.Lock()
        async with self._start_lock:
            if not self._started:
                await asyncio.gather(self.keyword.load(), self.vector.load())
                self._started = True

    # --- writes -----------------------------------------------------------------------------

    async def replace_document(self, document_id: str, chunks: list[ChunkRecord]) -> None:
        """Index `chunks` as the whole content of `document_id` (replacing what was there)."""
        ids = [c.chunk_id for c in chunks]
        if len(set(ids)) != len(ids):
            raise SearchInputError("chunk ids must be unique within a document")
        if any(c.document_id != document_id for c in chunks):
            raise SearchInputError("every chunk must belong to the document being replaced")
        await self.start()
        # Embedding is the slow part (cached by content hash): done before taking the lock.
        vectors = await asyncio.to_thread(
            self.embedder.embed_passages, [_passage_text(c) for c in chunks]
        )
        async with self._lock.write():
            await self.keyword.replace_document(document_id, chunks)
            await self.vector.replace_document(document_id, chunks, vectors)
        self._schedule_persist()

    async def delete_document(self, document_id: str) -> None:
        await self.start()
        async with self._lock.write():
            await self.keyword.delete_document(document_id)
            await self.vector.delete_document(document_id)
        self._schedule_persist()

    async def set_access(self, document_id: str, access_tokens: list[str]) -> None:
        """Change who may see a document's chunks (no re-embedding)."""
        if not access_tokens:
            raise SearchInputError("access_tokens must not be empty (use ['nobody'])")
        await self.start()
        async with self._lock.write():
            await self.keyword.set_access(document_id, access_tokens)
            await self.vector.set_access(document_id, access_tokens)
        self._schedule_persist()

    # --- search -----------------------------------------------------------------------------

    def _validate(self, query: str, k: int, filters: dict[str, Any] | None) -> str:
        text = " ".join(query.split())
        if not text:
            raise SearchInputError("query is empty; type a question or some keywords")
        if len(text) > self.settings.max_query_chars:
            raise SearchInputError(
                f"query is {len(text)} characters; the limit is {self.settings.max_query_chars}"
            )
        if not 1 <= k <= self.settings.max_k:
            raise SearchInputError(f"k must be between 1 and {self.settings.max_k}")
        unknown = set(filters or {}) - set(FILTER_KEYS)
        if unknown:
            raise SearchInputError(
                f"unknown filter {sorted(unknown)[0]!r}; supported: {', '.join(FILTER_KEYS)}"
            )
        return text

    @staticmethod
    def _document_ids(filters: dict[str, Any] | None) -> list[str] | None:
        value = (filters or {}).get("document_id")
        if value is None:
            return None
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SearchInputError("filter document_id must be a string or a list of strings")
        return values

    async def search(
        self,
        query: str,
        *,
        access_tokens: Iterable[str],
        k: int = 8,
        filters: dict[str, Any] | None = None,
    ) -> list[SearchHit]:
        """The best `k` chunks the holder of `access_tokens` may see, best first."""
        text = self._validate(query, k, filters)
        document_ids = self._document_ids(filters)
        tokens = frozenset(access_tokens)
        if not tokens or not any(ch.isalnum() for ch in text):
            return []  # punctuation or emoji only: nothing meaningful to match
        await self.start()
        terms, vector = await asyncio.gather(
            asyncio.to_thread(self.analyzer.terms, text),
            asyncio.to_thread(self.embedder.embed_query, text),
        )
        return await self.search_prepared(text, set(terms), vector, tokens, k, document_ids)

    def warm_up(self) -> None:
        """Load Kiwi and the embedding model now (seconds) instead of at the first query."""
        self.analyzer.terms("워밍업 검색")
        self.embedder.embed_query("워밍업 검색")

    async def search_prepared(
        self,
        text: str,
        terms: set[str],
        vector: np.ndarray,
        tokens: frozenset[str],
        k: int,
        document_ids: list[str] | None = None,
        *,
        with_highlight: bool = True,
    ) -> list[SearchHit]:
        """Search with the query already embedded (the benchmark times this part)."""
        n = max(self.settings.candidates, k)
        async with self._lock.read():
            keyword_hits, vector_hits = await asyncio.gather(
                self.keyword.search(text, access_tokens=tokens, k=n, document_ids=document_ids),
                self.vector.search(vector, access_tokens=tokens, k=n, document_ids=document_ids),
            )
            fused = fuse(
                self.settings.fusion, keyword_hits, vector_hits, self.settings.keyword_weight
            )[:k]
            chunks = {c.chunk_id: c for c in await self.keyword.get([f.chunk_id for f in fused])}
        hits = []
        for item in fused:
            chunk = chunks.get(item.chunk_id)
            if chunk is None:
                continue
            marked, plain, spans = highlight(chunk.text, terms) if with_highlight else ("", "", [])
            hits.append(
                SearchHit(
                    **chunk.model_dump(),
                    score=item.score,
                    keyword_rank=item.keyword_rank,
                    keyword_score=item.keyword_score,
                    vector_rank=item.vector_rank,
                    vector_score=item.vector_score,
                    highlight=marked,
                    highlight_plain=plain,
                    highlight_spans=spans,
                )
            )
        return hits

    # --- lifecycle --------------------------------------------------------------------------

    def _schedule_persist(self) -> None:
        if self._persist_task is None or self._persist_task.done():
            self._persist_task = asyncio.get_running_loop().create_task(self._persist_later())

    async def _persist_later(self) -> None:
        await asyncio.sleep(self.persist_delay_s)
        try:
            await self.persist()
        except Exception:
            log.exception("could not persist the search indexes")

    async def persist(self) -> None:
        """Write both indexes to disk now."""
        async with self._lock.read():
            await asyncio.gather(self.keyword.persist(), self.vector.persist())

    async def ready(self) -> None:
        """Raise if an index cannot answer (readiness check)."""
        await self.start()
        await asyncio.gather(self.keyword.count(), self.vector.count())

    async def close(self) -> None:
        if self._persist_task is not None and not self._persist_task.done():
            self._persist_task.cancel()
        if self._started:
            await self.persist()
        await asyncio.gather(self.keyword.close(), self.vector.close())
        await asyncio.to_thread(self.embedder.close)


SEARCH: Slot[SearchService] = Slot("search")


def get_search_service(runtime: Any) -> SearchService:
    """The process's search service (one per runtime, in the `SEARCH` slot)."""
    service: SearchService = runtime.get(
        SEARCH, lambda: SearchService.from_settings(runtime.settings)
    )
    return service
