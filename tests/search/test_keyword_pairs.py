"""Adjacent-morpheme pairs in the embedded keyword index (dari.search.keyword.pairs)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from dari.search.analyzer import KoreanAnalyzer
from dari.search.base import ChunkRecord
from dari.search.keyword import pairs as pairs_module
from dari.search.keyword.bm25 import BM25Engine
from dari.search.keyword.embedded import EmbeddedKeywordIndex
from dari.search.keyword.pairs import PairPostings, counted, pair_keys

PINNED = 0x4FA7D275D91F61C9  # key of (회사, 매출) since keyword.npz format 2


def chunk(chunk_id: str, text: str, document_id: str | None = None) -> ChunkRecord:
    return ChunkRecord(chunk_id=chunk_id, document_id=document_id or chunk_id, text=text)


def test_pair_keys_are_stable_and_ordered() -> None:
    keys = pair_keys(["회사", "매출", "회사"])
    assert keys.dtype == np.uint64 and len(keys) == 2
    assert keys[0] != keys[1]  # (회사, 매출) is not (매출, 회사)
    assert pair_keys(["회사"]).size == 0
    assert np.array_equal(pair_keys(["회사", "매출"]), pair_keys(["회사", "매출"]))


def test_pair_key_values_do_not_change_between_releases() -> None:
    # keyword.npz stores these keys: a change here would silently break every saved index.
    assert int(pair_keys(["회사", "매출"])[0]) == PINNED


def test_postings_survive_a_merge_and_drop_dead_slots() -> None:
    store = PairPostings()
    a, b = (int(k) for k in pair_keys(["가", "나", "다"]))
    store.add(0, np.array([a, b], dtype=np.uint64), np.array([1, 2], dtype=np.float32))
    store.add(1, np.array([a], dtype=np.uint64), np.array([3], dtype=np.float32))
    before = {k: store.get(k) for k in (a, b)}
    assert sorted(before[a][0].tolist()) == [0, 1]
    store.merge()
    assert store.tail_size == 0 and len(store) == 3
    for key, (slots, tfs) in before.items():
        got = store.get(key)
        assert sorted(zip(got[0].tolist(), got[1].tolist(), strict=True)) == sorted(
            zip(slots.tolist(), tfs.tolist(), strict=True)
        )
    store.add(2, np.array([b], dtype=np.uint64), np.array([1], dtype=np.float32))
    assert sorted(store.get(b)[0].tolist()) == [0, 2]  # base and tail together
    store.merge(alive=np.array([False, True, True]))
    assert store.get(a)[0].tolist() == [1]
    assert store.get(b)[0].tolist() == [2]
    assert store.get(12345)[0].size == 0


def test_adjacent_words_outrank_the_same_words_apart(analyzer: KoreanAnalyzer) -> None:
    near = chunk("near", "임시정부 초대 대통령은 선거로 뽑혔고 헌법을 새로 고쳤다.")
    apart = chunk("apart", "대통령은 선거로 뽑혔고 임시정부 초대 헌법을 새로 고쳤다.")

    def scores(pair_weight: float) -> dict[str, float]:
        index = EmbeddedKeywordIndex(None, analyzer, pair_weight=pair_weight)
        for c in (near, apart):
            index.replace_sync(c.document_id, [c])
        return dict(index.search_sync("초대 대통령", access_tokens=["public"], k=5))

    without, with_pairs = scores(0.0), scores(0.5)
    assert without["near"] == pytest.approx(without["apart"])  # same words, same length
    assert with_pairs["near"] > with_pairs["apart"] * 1.2
    assert with_pairs["apart"] == pytest.approx(without["apart"])  # no adjacent pair there


def random_corpus(rng: random.Random, size: int) -> list[tuple[ChunkRecord, list[str]]]:
    words = [f"w{i}" for i in range(40)]
    return [
        (chunk(f"c{n}", "", f"d{n % 7}"), [rng.choice(words) for _ in range(rng.randint(1, 12))])
        for n in range(size)
    ]


def test_incremental_engine_matches_one_built_from_its_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Adds, deletes and tail merges leave the same scores as a fresh bulk load."""
    monkeypatch.setattr(pairs_module, "_MERGE_AT", 25)  # merge often
    rng = random.Random(3)
    engine = BM25Engine()
    corpus = random_corpus(rng, 200)
    for n, (record, terms) in enumerate(corpus):
        engine.add(record, terms)
        if n % 40 == 39:
            engine.remove_document(f"d{rng.randrange(7)}")
    fresh = BM25Engine()
    fresh.bulk_load(engine.export())
    assert fresh.slots.live == engine.slots.live > 0
    for _ in range(30):
        query = [f"w{rng.randrange(40)}" for _ in range(rng.randint(1, 4))]
        got = dict(engine.search(query, ["public"], 20))
        expected = dict(fresh.search(query, ["public"], 20))
        assert got.keys() == expected.keys()
        for key, score in expected.items():
            assert got[key] == pytest.approx(score, rel=1e-5)


async def test_a_format_1_index_is_reanalysed_on_load(
    tmp_path: Path, analyzer: KoreanAnalyzer
) -> None:
    index = EmbeddedKeywordIndex(tmp_path, analyzer)
    index.replace_sync("d1", [chunk("c1", "초대 대통령은 선거로 뽑혔다.", "d1")])
    index.replace_sync("d2", [chunk("c2", "대통령 선거에서 초대 헌법을 고쳤다.", "d2")])
    expected = index.search_sync("초대 대통령", access_tokens=["public"], k=5)
    index.persist_sync()
    # Rewrite the file as release 1 wrote it: no pair arrays, format 1.
    with np.load(tmp_path / "keyword.npz") as data:
        old = {k: data[k] for k in data.files if not k.startswith("pair_")}
    old["meta"] = np.frombuffer(json.dumps({"format": 1}).encode(), dtype=np.uint8)
    np.savez(tmp_path / "keyword.npz", **old)

    reopened = EmbeddedKeywordIndex(tmp_path, analyzer)
    await reopened.load()
    got = reopened.search_sync("초대 대통령", access_tokens=["public"], k=5)
    assert [c for c, _ in got] == [c for c, _ in expected] == ["c1", "c2"]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected])
    await reopened.close()  # upgraded on the way out
    with np.load(tmp_path / "keyword.npz") as data:
        assert "pair_keys" in data.files
        assert json.loads(data["meta"].tobytes())["format"] == 2


def test_counted_keys() -> None:
    keys, tfs = counted(np.array([5, 3, 5], dtype=np.uint64))
    assert keys.tolist() == [3, 5] and tfs.tolist() == [1.0, 2.0]


async def test_turning_pairs_on_reanalyses_an_index_saved_without_them(
    tmp_path: Path, analyzer: KoreanAnalyzer
) -> None:
    texts = {"c1": "초대 대통령은 선거로 뽑혔다.", "c2": "대통령 선거에서 초대 헌법을 고쳤다."}
    plain = EmbeddedKeywordIndex(tmp_path / "plain", analyzer, pair_weight=0.0)
    paired = EmbeddedKeywordIndex(None, analyzer, pair_weight=0.5)
    for chunk_id, text in texts.items():
        for index in (plain, paired):
            index.replace_sync(chunk_id, [chunk(chunk_id, text)])
    plain.persist_sync()
    reopened = EmbeddedKeywordIndex(tmp_path / "plain", analyzer, pair_weight=0.5)
    await reopened.load()
    got = reopened.search_sync("초대 대통령", access_tokens=["public"], k=5)
    expected = paired.search_sync("초대 대통령", access_tokens=["public"], k=5)
    assert [c for c, _ in got] == [c for c, _ in expected] == ["c1", "c2"]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected])
    assert got[0][1] > plain.search_sync("초대 대통령", access_tokens=["public"], k=5)[0][1]
