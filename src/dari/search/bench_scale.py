"""Latency and memory at scale (`dari bench retrieval --synthetic N`).

Synthetic corpus: pseudo-Korean words (Hangul syllables) drawn from a Zipf distribution with
particles attached, analysed by Kiwi once per distinct word; random unit vectors; ten chunks
per document; access lists mixing public, department and role tokens. Queries run with a
permission filter (a user holding public + two departments + a role).
"""

from __future__ import annotations

import gc
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from dari.search.base import ChunkRecord
from dari.search.bench_quality import progress
from dari.search.service import SearchService

PARTICLES = ["", "은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "와", "과", "도"]
USER = frozenset({"public", "dept+:d3", "dept+:d17", "role:employee", "user:u1"})


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def vocabulary(size: int, rng: random.Random) -> list[str]:
    syllables = [chr(0xAC00 + i) for i in range(0, 11172, 3)]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def zipf_sampler(size: int, rng: np.random.Generator) -> Any:
    cdf = np.cumsum(1.0 / np.arange(1, size + 1) ** 1.05)
    cdf /= cdf[-1]
    return lambda n: np.minimum(np.searchsorted(cdf, rng.random(n)), size - 1)


def access(n: int, rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.2:
        return ["public"]
    if roll < 0.9:
        return [f"dept+:d{rng.randrange(50)}" for _ in range(rng.randint(1, 2))]
    return [f"role:{rng.choice(['employee', 'manager', 'hr', 'finance'])}", f"user:u{n % 500}"]


async def run_scale(
    service: SearchService, size: int, queries: int, directory: Path
) -> dict[str, Any]:
    from dari.search.keyword.embedded import EmbeddedKeywordIndex
    from dari.search.vector.embedded import EmbeddedVectorIndex

    keyword, vector = service.keyword, service.vector
    if not isinstance(keyword, EmbeddedKeywordIndex) or not isinstance(vector, EmbeddedVectorIndex):
        raise SystemExit("--synthetic measures the embedded backends (omit --backend)")
    rng, nrng = random.Random(7), np.random.default_rng(7)
    words = vocabulary(30000, rng)
    started = time.perf_counter()
    analysed = keyword.analyzer.terms_many(words)
    progress(f"analysed {len(words)} distinct words in {time.perf_counter() - started:.1f} s")
    draw = zipf_sampler(len(words), nrng)
    baseline = rss_mb()
    started = time.perf_counter()
    dim = vector.dim
    for doc in range(0, size, 10):
        document_id = f"doc{doc // 10}"
        tokens = access(doc, rng)
        chunks, terms = [], []
        for n in range(doc, min(doc + 10, size)):
            picks = draw(40).tolist()
            text = " ".join(words[i] + rng.choice(PARTICLES) for i in picks)
            chunks.append(
                ChunkRecord(
                    chunk_id=f"c{n}",
                    document_id=document_id,
                    text=text,
                    title=f"문서 {doc // 10}",
                    access_tokens=tokens,
                )
            )
            terms.append([t for i in picks for t in analysed[i]])
        for chunk, chunk_terms in zip(chunks, terms, strict=True):
            keyword.engine.add(chunk, chunk_terms)
        vectors = nrng.standard_normal((len(chunks), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        vector.replace_sync(document_id, chunks, vectors)
        if doc and doc % 20000 == 0:
            progress(f"indexed {doc}/{size}")
    build_s = time.perf_counter() - started
    gc.collect()
    index_mb = rss_mb() - baseline
    keyword._dirty = vector._dirty = True
    started = time.perf_counter()
    await service.persist()
    persist_s = time.perf_counter() - started
    k1, b, pair_weight = keyword.params
    service.keyword = service.vector = None  # type: ignore[assignment]
    del keyword, vector
    gc.collect()
    started = time.perf_counter()
    reloaded_kw = EmbeddedKeywordIndex(
        directory / "search", service.analyzer, k1=k1, b=b, pair_weight=pair_weight
    )
    reloaded_vec = EmbeddedVectorIndex(directory / "search", dim)
    reloaded_kw.load_sync()
    reloaded_vec.load_sync()
    restart_s = time.perf_counter() - started
    service.keyword, service.vector = reloaded_kw, reloaded_vec
    gc.collect()
    progress(f"built in {build_s:.1f} s, reloaded in {restart_s:.1f} s; timing {queries} queries")
    times, cpu_times, kw_times, vec_times, found = [], [], [], [], []
    for _ in range(queries):
        picks = draw(rng.randint(2, 5)).tolist()
        text = " ".join(words[i] + rng.choice(PARTICLES) for i in picks)
        query_vector = nrng.standard_normal(dim).astype(np.float32)
        query_vector /= np.linalg.norm(query_vector)
        query_terms = set(service.analyzer.terms(text))
        c0, t0 = time.process_time(), time.perf_counter()
        hits = await service.search_prepared(text, query_terms, query_vector, USER, 8)
        t1, c1 = time.perf_counter(), time.process_time()
        cpu_times.append(1000 * (c1 - c0))
        await reloaded_kw.search(text, access_tokens=USER, k=50)
        t2 = time.perf_counter()
        await reloaded_vec.search(query_vector, access_tokens=USER, k=50)
        t3 = time.perf_counter()
        times.append(1000 * (t1 - t0))
        kw_times.append(1000 * (t2 - t1))
        vec_times.append(1000 * (t3 - t2))
        found.append(len(hits))

    def pct(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(float(np.percentile(values, 50)), 2),
            "p95_ms": round(float(np.percentile(values, 95)), 2),
        }

    return {
        "synthetic_chunks": size,
        "queries": queries,
        "user_tokens": sorted(USER),
        "visible_share": round(float(reloaded_vec.slots.mask(USER).mean()), 3),
        "hybrid": pct(times),
        "hybrid_cpu": pct(cpu_times),  # CPU time: what the search costs when cores are shared
        "keyword": pct(kw_times),
        "vector": pct(vec_times),
        "mean_hits": round(float(np.mean(found)), 2),
        "index_build_s": round(build_s, 1),
        "persist_s": round(persist_s, 1),
        "restart_s": round(restart_s, 2),
        "index_rss_mb": round(index_mb, 1),
        "process_rss_mb": round(rss_mb(), 1),
    }
