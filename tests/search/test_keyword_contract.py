"""The contract every KeywordIndex backend passes (embedded always; Elasticsearch when
DARI_TEST_ELASTICSEARCH_URL points at a cluster with the analysis-nori plugin)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from dari.search.base import KeywordIndex
from tests.search.conftest import CORPUS, chunk

ES_URL = os.environ.get("DARI_TEST_ELASTICSEARCH_URL", "")
OpenIndex = Callable[[], Awaitable[KeywordIndex]]


@pytest.fixture(params=["embedded", "elasticsearch"])
async def open_index(
    request: pytest.FixtureRequest, tmp_path: Path, analyzer: object
) -> AsyncIterator[OpenIndex]:
    """A factory opening (or re-opening, for restart tests) the same index."""
    opened: list[KeywordIndex] = []
    name = f"dari-test-{uuid.uuid4().hex[:12]}"

    async def factory() -> KeywordIndex:
        index: KeywordIndex
        if request.param == "embedded":
            from dari.search.keyword.embedded import EmbeddedKeywordIndex

            index = EmbeddedKeywordIndex(tmp_path, analyzer)  # type: ignore[arg-type]
        else:
            if not ES_URL:
                pytest.skip("set DARI_TEST_ELASTICSEARCH_URL to run the Elasticsearch contract")
            from dari.search.keyword.elasticsearch import ElasticsearchKeywordIndex

            index = ElasticsearchKeywordIndex(ES_URL, index=name)
        await index.load()
        opened.append(index)
        return index

    yield factory
    if request.param == "elasticsearch" and opened:
        await opened[-1].client.indices.delete(index=name, ignore_unavailable=True)  # type: ignore[attr-defined]
    for index in opened:
        await index.close()


async def ids(
    index: KeywordIndex, query: str, tokens: list[str] | None = None, k: int = 5
) -> list[str]:
    return [c for c, _ in await index.search(query, access_tokens=tokens or ["public"], k=k)]


async def add_corpus(index: KeywordIndex) -> None:
    for name, text in CORPUS.items():
        await index.replace_document(f"doc-{name}", [chunk(f"{name}-1", f"doc-{name}", text)])


async def test_korean_particles_match_the_noun(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    # "회사는" / "매출이" never appear verbatim: only morphological analysis finds them.
    assert (await ids(index, "회사는 매출이 얼마였나요?"))[0] == "sales-1"
    assert (await ids(index, "연차를 이월할 수 있나요"))[0] == "leave-1"
    assert (await ids(index, "USB 사용 규정"))[0] == "security-1"
    assert await index.count() == len(CORPUS)


async def test_replace_swaps_all_chunks_of_a_document(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.replace_document(
        "doc-sales",
        [
            chunk("sales-a", "doc-sales", "2024년 영업이익은 500억 원이다."),
            chunk("sales-b", "doc-sales", "해외 법인의 영업이익이 크게 늘었다."),
        ],
    )
    assert await ids(index, "매출 증가") == [] or "sales-1" not in await ids(index, "매출 증가")
    assert set(await ids(index, "영업이익")) == {"sales-a", "sales-b"}
    assert [c.chunk_id for c in await index.get(["sales-b", "missing", "sales-a"])] == [
        "sales-b",
        "sales-a",
    ]
    assert await index.count() == len(CORPUS) + 1


async def test_delete_removes_the_document(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.delete_document("doc-travel")
    assert "travel-1" not in await ids(index, "출장비 정산")
    assert await index.get(["travel-1"]) == []
    await index.delete_document("never-indexed")  # deleting nothing is fine


async def test_access_filter_is_applied_inside_the_search(open_index: OpenIndex) -> None:
    index = await open_index()
    for n in range(12):
        tokens = ["dept+:hr"] if n < 10 else ["public"]
        await index.replace_document(
            f"d{n}", [chunk(f"c{n}", f"d{n}", f"인사 평가 기준 문서 {n}번", tokens)]
        )
    # The 10 best matches are hidden from a public user: still the 2 visible ones, not 0.
    assert set(await ids(index, "인사 평가 기준", k=2)) == {"c10", "c11"}
    assert len(await ids(index, "인사 평가 기준", ["public", "dept+:hr"], k=12)) == 12
    assert await ids(index, "인사 평가", ["user:nobody-else"]) == []
    hits = await index.search("인사 평가", access_tokens=["dept+:hr"], k=20, document_ids=["d3"])
    assert [c for c, _ in hits] == ["c3"]


async def test_set_access_changes_visibility(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.set_access("doc-security", ["role:admin"])
    assert "security-1" not in await ids(index, "보안 규정 USB")
    assert "security-1" in await ids(index, "보안 규정 USB", ["role:admin"])
    assert (await index.get(["security-1"]))[0].access_tokens == ["role:admin"]


async def test_persists_across_restart(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.delete_document("doc-cafeteria")
    await index.set_access("doc-leave", ["dept:hr"])
    await index.persist()
    await index.close()
    reopened = await open_index()
    assert await reopened.count() == len(CORPUS) - 1
    assert (await ids(reopened, "회사의 매출"))[0] == "sales-1"
    assert "cafeteria-1" not in await ids(reopened, "구내식당 운영 시간")
    assert "leave-1" not in await ids(reopened, "연차 휴가")
    assert (await ids(reopened, "연차 휴가", ["dept:hr"]))[0] == "leave-1"
    stored = (await reopened.get(["sales-1"]))[0]
    assert stored.text == CORPUS["sales"]


async def test_queries_without_terms_find_nothing(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    assert await ids(index, "?!… 😀") == []
    assert await ids(index, "   ") == []


async def test_english_and_mixed_queries(open_index: OpenIndex) -> None:
    index = await open_index()
    await add_corpus(index)
    await index.replace_document(
        "doc-vpn", [chunk("vpn-1", "doc-vpn", "Remote VPN access needs OTP.")]
    )
    assert (await ids(index, "vpn otp"))[0] == "vpn-1"
    assert (await ids(index, "usb 저장장치"))[0] == "security-1"
