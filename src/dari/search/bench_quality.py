"""Retrieval quality on a SQuAD-v1.1-format file (`dari bench retrieval --dataset FILE`).

The corpus is the set of paragraphs (one document each, titled by its article); each
question's gold document is its paragraph. Query embedding is timed separately from search.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from dari.search.base import ChunkRecord, Scored
from dari.search.fusion import fuse
from dari.search.service import SearchService

USER = frozenset({"public"})


def load_squad(path: Path) -> tuple[list[ChunkRecord], list[tuple[str, str]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    chunks: list[ChunkRecord] = []
    questions: list[tuple[str, str]] = []
    for a, article in enumerate(data["data"]):
        title = str(article.get("title", "")).replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            chunk_id = f"{a}-{p}"
            chunks.append(
                ChunkRecord(
                    chunk_id=chunk_id, document_id=chunk_id, title=title, text=paragraph["context"]
                )
            )
            questions += [(qa["question"], chunk_id) for qa in paragraph["qas"]]
    return chunks, questions


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def metrics(ranked: list[list[str]], gold: list[str], times_ms: list[float]) -> dict[str, float]:
    r1 = r5 = r10 = mrr = ndcg = 0.0
    for results, answer in zip(ranked, gold, strict=True):
        top = results[:10]
        if answer in top:
            rank = top.index(answer) + 1
            r1 += rank == 1
            r5 += rank <= 5
            r10 += 1
            mrr += 1 / rank
            ndcg += 1 / math.log2(rank + 1)
    n = max(len(gold), 1)
    out = {
        "recall@1": r1 / n,
        "recall@5": r5 / n,
        "recall@10": r10 / n,
        "mrr@10": mrr / n,
        "ndcg@10": ndcg / n,
    }
    out = {key: round(value, 4) for key, value in out.items()}
    if times_ms:
        out["p50_ms"] = round(float(np.percentile(times_ms, 50)), 2)
        out["p95_ms"] = round(float(np.percentile(times_ms, 95)), 2)
    return out


async def build(service: SearchService, chunks: list[ChunkRecord]) -> dict[str, float]:
    started = time.perf_counter()
    for n, chunk in enumerate(chunks, 1):
        await service.replace_document(chunk.document_id, [chunk])
        if n % 100 == 0:
            progress(f"indexed {n}/{len(chunks)}")
    return {"index_build_s": round(time.perf_counter() - started, 2)}


def sweep(kw: list[list[Scored]], vec: list[list[Scored]], gold: list[str]) -> dict[str, Any]:
    """Choose the fusion weight on even-numbered questions, report it on the odd ones."""
    grid = [round(w, 2) for w in np.arange(0.0, 1.01, 0.05)]

    def score(weight: float, part: int) -> dict[str, float]:
        idx = range(part, len(gold), 2)
        ranked = [[f.chunk_id for f in fuse("weighted", kw[i], vec[i], weight)[:10]] for i in idx]
        return metrics(ranked, [gold[i] for i in idx], [])

    tune = {w: score(w, 0) for w in grid}
    best = max(grid, key=lambda w: (tune[w]["mrr@10"], tune[w]["recall@1"]))
    return {
        "grid_mrr@10_tune": {str(w): tune[w]["mrr@10"] for w in grid},
        "best_weight": best,
        "held_out": score(best, 1),
        "held_out_rrf": metrics(
            [
                [f.chunk_id for f in fuse("rrf", kw[i], vec[i], 0)[:10]]
                for i in range(1, len(gold), 2)
            ],
            [gold[i] for i in range(1, len(gold), 2)],
            [],
        ),
    }


async def evaluate(
    service: SearchService,
    chunks: list[ChunkRecord],
    questions: list[tuple[str, str]],
    *,
    do_sweep: bool = False,
) -> dict[str, Any]:
    result: dict[str, Any] = {"corpus": len(chunks), "queries": len(questions)}
    result.update(await build(service, chunks))
    embedder: Any = service.embedder
    inner = getattr(embedder, "inner", embedder)
    sample = [q for q, _ in questions[:30]]
    started = time.perf_counter()
    for question in sample:
        inner.embed_query(question)
    result["embed_ms_per_query"] = round(1000 * (time.perf_counter() - started) / len(sample), 2)
    n = max(service.settings.candidates, 10)
    kw_lists, vec_lists, hyb = [], [], []
    kw_ms, vec_ms, hyb_ms = [], [], []
    gold = [g for _, g in questions]
    for i, (question, _) in enumerate(questions):
        vector = embedder.embed_query_cached(question)
        terms = set(service.analyzer.terms(question))
        t0 = time.perf_counter()
        kw = await service.keyword.search(question, access_tokens=USER, k=n)
        t1 = time.perf_counter()
        vec = await service.vector.search(vector, access_tokens=USER, k=n)
        t2 = time.perf_counter()
        hits = await service.search_prepared(question, terms, vector, USER, 10)
        t3 = time.perf_counter()
        kw_lists.append(kw)
        vec_lists.append(vec)
        hyb.append([h.chunk_id for h in hits])
        kw_ms.append(1000 * (t1 - t0))
        vec_ms.append(1000 * (t2 - t1))
        hyb_ms.append(1000 * (t3 - t2))
        if (i + 1) % 500 == 0:
            progress(f"searched {i + 1}/{len(questions)}")
    result["methods"] = {
        "keyword": metrics([[c for c, _ in r] for r in kw_lists], gold, kw_ms),
        "dense": metrics([[c for c, _ in r] for r in vec_lists], gold, vec_ms),
        "hybrid": metrics(hyb, gold, hyb_ms),
    }
    result["fusion"] = {
        "method": service.settings.fusion,
        "keyword_weight": service.settings.keyword_weight,
        "bm25_k1": service.settings.bm25_k1,
        "bm25_b": service.settings.bm25_b,
        "bigram_weight": service.settings.bigram_weight,
        "candidates": n,
    }
    if do_sweep:
        result["sweep"] = sweep(kw_lists, vec_lists, gold)
    return result
