"""The contract every VectorIndex backend passes: embedded exact, embedded HNSW (usearch,
forced by a tiny threshold) and Qdrant (qdrant-client's local mode speaks the server's API)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest

from dari.search.base import ChunkRecord, VectorIndex
from tests.search.conftest import CORPUS, HashEmbedder, chunk

OpenIndex = Callable[[], Awaitable[VectorIndex]]
EMBED = HashEmbedder()


@pytest.fixture(params=["embedded", "embedded-ann", "qdrant"])
async def open_index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenIndex]:
    opened: list[VectorIndex] = []

    async def factory() -> VectorIndex:
        index: VectorIndex
        if request.param.startswith("embedded"):
            from dari.search.vector.embedded import EmbeddedVectorIndex

            threshold = 5 if request.param == "embedded-ann" else 200000
            index = EmbeddedVectorIndex(tmp_path, EMBED.dim, ann_threshold=threshold)
        else:
            from dari.search.vector.qdrant import QdrantVectorIndex

            for previous in opened:  # local mode locks its directory: one client at a time
                await previous.close()
            index = QdrantVectorIndex(EMBED.dim, path=tmp_path / "qdrant", collection="test")
        await index.load()
        opened.append(index)
        return index

    yield factory
    for index in opened:
        await index.close()


async def put(index: VectorIndex, document_id: str, chunks: list[ChunkRecord]) -> None:
    await index.replace_document(
        document_id, chunks, EMBED.embed_passages([c.text for c in chunks])
    )


async def ids(
    index: VectorIndex, query: str, tokens: list[str] | None = None, k: int = 5
) -> list[str]:
    vector = EMBED.embed_query(query)
    return [c for c, _ in await index.search(vector, access_tokens=tokens or ["public"], k=k)]


async def add_corpus(index: VectorIndex) -> None:
    for name, text in CORPUS.items():
        await put(index, f"doc-{name}", [chunk(f"{name}-1", f"doc-{name}", text)])


async def test_nearest_korean_passage_first(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    assert (await ids(index, CORPUS["travel"]))[0] == "travel-1"
    assert (await ids(index, "구내식당은 평일 오전 11시 30분부터"))[0] == "cafeteria-1"
    hits = await index.search(EMBED.embed_query(CORPUS["sales"]), access_tokens=["public"], k=3)
    assert hits[0][1] == pytest.approx(1.0, abs=1e-2)  # cosine of identical text
    assert hits[0][1] >= hits[1][1] >= hits[2][1]
    assert await index.count() == len(CORPUS)


async def test_replace_and_delete(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    new = [
        chunk("sales-a", "doc-sales", "영업이익 500억"),
        chunk("sales-b", "doc-sales", "해외 법인"),
    ]
    await put(index, "doc-sales", new)
    found = await ids(index, CORPUS["sales"], k=10)
    assert "sales-1" not in found and {"sales-a", "sales-b"} <= set(found)
    await index.delete_document("doc-sales")
    assert not {"sales-a", "sales-b"} & set(await ids(index, "영업이익 500억", k=10))
    assert await index.count() == len(CORPUS) - 1
    await index.delete_document("never-indexed")


async def test_access_filter_returns_k_visible_hits(open_index: OpenIndex) -> None:
    index = await open_index()
    for n in range(40):
        tokens = ["dept+:hr"] if n % 10 else ["public"]  # 4 of 40 are public
        await put(index, f"d{n}", [chunk(f"c{n}", f"d{n}", f"인사 평가 기준 {n}번 문서")])
        await index.set_access(f"d{n}", tokens)
    public = await ids(index, "인사 평가 기준", k=4)
    assert sorted(public) == ["c0", "c10", "c20", "c30"]
    assert len(await ids(index, "인사 평가 기준", ["dept+:hr"], k=10)) == 10
    assert await ids(index, "인사 평가", ["user:stranger"]) == []
    only = await index.search(
        EMBED.embed_query("인사"), access_tokens=["dept+:hr"], k=5, document_ids=["d3", "d4"]
    )
    assert sorted(c for c, _ in only) == ["c3", "c4"]


async def test_persists_across_restart(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.delete_document("doc-cafeteria")
    await index.set_access("doc-leave", ["dept:hr"])
    await index.persist()
    await index.close()
    reopened = await open_index()
    assert await reopened.count() == len(CORPUS) - 1
    assert (await ids(reopened, CORPUS["travel"]))[0] == "travel-1"
    assert "cafeteria-1" not in await ids(reopened, CORPUS["cafeteria"])
    assert "leave-1" not in await ids(reopened, CORPUS["leave"])
    assert (await ids(reopened, CORPUS["leave"], ["dept:hr"]))[0] == "leave-1"


async def test_wrong_dimension_is_refused(open_index: OpenIndex) -> None:
    index = await open_index()
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own error type
        await index.replace_document(
            "d", [chunk("c", "d", "텍스트")], np.ones((1, EMBED.dim + 3), dtype=np.float32)
        )


async def test_hnsw_path_filters_inside(tmp_path: Path) -> None:
    """Above the threshold the usearch graph answers; hidden chunks never displace k hits."""
    from dari.search.vector.embedded import EmbeddedVectorIndex

    rng = np.random.default_rng(1)
    index = EmbeddedVectorIndex(tmp_path, 32, ann_threshold=100)
    vectors = rng.standard_normal((600, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for d in range(60):
        tokens = ["public"] if d % 3 == 0 else ["dept:x"]
        chunks = [chunk(f"c{d}-{i}", f"d{d}", "t", tokens) for i in range(10)]
        await index.replace_document(f"d{d}", chunks, vectors[d * 10 : d * 10 + 10])
    target = vectors[133]  # chunk c13-3, in a document hidden from public
    hidden = await index.search(target, access_tokens=["public"], k=10)
    assert len(hidden) == 10 and all(int(c[1:].split("-")[0]) % 3 == 0 for c, _ in hidden)
    visible = await index.search(target, access_tokens=["dept:x"], k=5)
    assert visible[0][0] == "c13-3" and visible[0][1] == pytest.approx(1.0, abs=1e-2)
    assert index._ann is not None  # the graph, not the exact path, answered
