"""Fusing keyword and vector rankings into one list.

`weighted` (the default, chosen by measurement — docs/retrieval.md): each method's scores are
min-max normalised over its own candidate list, a chunk missing from one list gets 0 there,
and the fused score is `w·keyword + (1-w)·vector`. `rrf` (reciprocal rank fusion) is kept as
the rank-only alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from dari.search.base import Scored


@dataclass
class Fused:
    chunk_id: str
    score: float
    keyword_rank: int | None = None
    keyword_score: float | None = None
    vector_rank: int | None = None
    vector_score: float | None = None


def _minmax(results: list[Scored]) -> dict[str, float]:
    if not results:
        return {}
    scores = [s for _, s in results]
    low, high = min(scores), max(scores)
    span = high - low
    if span <= 1e-12:
        return {c: 1.0 for c, _ in results}
    return {c: (s - low) / span for c, s in results}


def _collect(keyword: list[Scored], vector: list[Scored]) -> dict[str, Fused]:
    fused: dict[str, Fused] = {}
    for rank, (chunk_id, score) in enumerate(keyword, 1):
        fused[chunk_id] = Fused(chunk_id, 0.0, keyword_rank=rank, keyword_score=score)
    for rank, (chunk_id, score) in enumerate(vector, 1):
        item = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
        item.vector_rank, item.vector_score = rank, score
    return fused


def weighted(keyword: list[Scored], vector: list[Scored], weight: float) -> list[Fused]:
    """Min-max normalised scores mixed with `weight` on the keyword side, best first."""
    fused = _collect(keyword, vector)
    kw, vec = _minmax(keyword), _minmax(vector)
    for item in fused.values():
        item.score = weight * kw.get(item.chunk_id, 0.0) + (1 - weight) * vec.get(
            item.chunk_id, 0.0
        )
    return sorted(fused.values(), key=lambda f: (-f.score, f.chunk_id))


def rrf(keyword: list[Scored], vector: list[Scored], k: int = 60) -> list[Fused]:
    """Reciprocal rank fusion: sum of 1/(k + rank), best first."""
    fused = _collect(keyword, vector)
    for item in fused.values():
        item.score = sum(1.0 / (k + r) for r in (item.keyword_rank, item.vector_rank) if r)
    return sorted(fused.values(), key=lambda f: (-f.score, f.chunk_id))


def fuse(method: str, keyword: list[Scored], vector: list[Scored], weight: float) -> list[Fused]:
    if method == "rrf":
        return rrf(keyword, vector)
    return weighted(keyword, vector, weight)
