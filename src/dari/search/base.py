"""Retrieval interfaces: chunks in, permission-filtered hits out.

Binding for other domains (ingestion writes `ChunkRecord`s through `SearchService`; chat and the
API read `SearchHit`s). Backends implement `Embedder`, `KeywordIndex` and `VectorIndex`; one
module per backend, chosen by settings in `dari.search.registry`.

Permissions: a chunk carries `access_tokens` (see `dari.core.access`); a user may see it iff
those tokens intersect `Principal.access_tokens()`. Every index applies that filter *inside*
its search, so a search never returns fewer than `k` hits just because some were hidden.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, Field

# Markers around matched query terms in `SearchHit.highlight` (plain text, never HTML).
HIGHLIGHT_OPEN = "«"
HIGHLIGHT_CLOSE = "»"


class ChunkRecord(BaseModel):
    """One searchable piece of a document, as ingestion produces it."""

    chunk_id: str = Field(min_length=1, description="Unique across all documents.")
    document_id: str = Field(min_length=1)
    text: str
    title: str = Field("", description="The document's title.")
    heading_path: list[str] = Field(default_factory=list, description="Headings above it.")
    location: dict[str, Any] = Field(
        default_factory=dict, description='Where in the original: {"page": 3}, {"sheet": "매출"}.'
    )
    access_tokens: list[str] = Field(default_factory=lambda: ["public"])
    metadata: dict[str, Any] = Field(default_factory=dict)


class SearchHit(ChunkRecord):
    """A chunk the caller may see, with its fused score and how each method ranked it.

    `highlight` is a plain-text snippet of `text` with matched query terms wrapped in « and »
    (render it as text, never as HTML). `highlight_plain` is the same snippet without markers
    and `highlight_spans` the matches as [start, end) offsets into `highlight_plain`.
    """

    score: float = Field(description="Fused score; higher is better. Comparable within a query.")
    keyword_rank: int | None = Field(None, description="1-based rank in the keyword search.")
    keyword_score: float | None = None
    vector_rank: int | None = Field(None, description="1-based rank in the vector search.")
    vector_score: float | None = Field(None, description="Cosine similarity to the query.")
    highlight: str = Field("", description="Snippet with matched terms wrapped in « ».")
    highlight_plain: str = Field("", description="The same snippet without markers.")
    highlight_spans: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) offsets of matches in highlight_plain."
    )


# A scored reference returned by an index: (chunk_id, score), best first.
Scored = tuple[str, float]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors (cosine = dot product)."""

    name: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, shape (dim,). CPU-heavy: call it from a worker thread."""
        ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors, shape (len(texts), dim)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class KeywordIndex(Protocol):
    """Lexical (BM25-like) search over Korean morphemes; also the store of chunk contents.

    Writes are per document: `replace_document` swaps every chunk of a document at once (a
    concurrent search sees all old or all new chunks).
    """

    name: str

    async def replace_document(self, document_id: str, chunks: Sequence[ChunkRecord]) -> None: ...

    async def delete_document(self, document_id: str) -> None: ...

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None: ...

    async def search(
        self,
        query: str,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        """The best `k` visible chunks for `query` (filter applied inside the search)."""
        ...

    async def get(self, chunk_ids: Sequence[str]) -> list[ChunkRecord]:
        """Stored chunks by id, in the given order; unknown ids are skipped."""
        ...

    async def count(self) -> int: ...

    async def persist(self) -> None:
        """Make every write durable (no-op for servers that persist themselves)."""
        ...

    async def load(self) -> None:
        """Open what `persist` wrote (called once at startup)."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest-neighbour search over chunk embeddings, filtered by access tokens inside."""

    name: str

    async def replace_document(
        self, document_id: str, chunks: Sequence[ChunkRecord], vectors: np.ndarray
    ) -> None: ...

    async def delete_document(self, document_id: str) -> None: ...

    async def set_access(self, document_id: str, access_tokens: Sequence[str]) -> None: ...

    async def search(
        self,
        vector: np.ndarray,
        *,
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        """The `k` visible chunks most similar to `vector` (cosine), best first."""
        ...

    async def count(self) -> int: ...

    async def persist(self) -> None: ...

    async def load(self) -> None: ...

    async def close(self) -> None: ...


def passage_text(chunk: ChunkRecord) -> str:
    """What is embedded for a chunk: its title and headings give the passage its context."""
    context = " > ".join(part for part in [chunk.title, *chunk.heading_path] if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


def keyword_text(chunk: ChunkRecord) -> str:
    """What the keyword index analyses for a chunk (title and headings included)."""
    return passage_text(chunk)
