"""In-memory BM25 over Kiwi morphemes with growable postings (the embedded keyword engine).

Postings are per term: slot ids (int32) and term frequencies (float32) in `array.array`s that
grow in place; a search views them with `np.frombuffer` and scores every posting of the query
terms in a few vectorised operations. Deleted chunks leave dead postings that the access mask
zeroes; `compact()` rebuilds everything once a quarter of the slots are dead. Adjacent-term
pairs (`dari.search.keyword.pairs`) score next to single terms with `pair_weight`.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Collection, Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from dari.search.base import ChunkRecord, Scored
from dari.search.keyword.pairs import PairPostings, counted, pair_keys
from dari.search.slots import SlotTable, top_k


class Snapshot(NamedTuple):
    """Live chunks and their terms as flat arrays (what `keyword.npz` holds)."""

    chunks: list[ChunkRecord]
    vocab: list[str]
    offsets: np.ndarray  # chunk i's terms are terms[offsets[i]:offsets[i+1]]
    terms: np.ndarray  # term ids into vocab
    tfs: np.ndarray
    pair_keys: np.ndarray  # adjacent-term pairs, CSR by key: sorted distinct keys,
    pair_offsets: np.ndarray  # key i's postings are [offsets[i]:offsets[i+1]]
    pair_slots: np.ndarray  # of these chunk positions (0..len(chunks)-1)
    pair_tfs: np.ndarray


class BM25Engine:
    """Not thread-safe by itself: `EmbeddedKeywordIndex` serialises access with a lock."""

    def __init__(self, k1: float = 0.6, b: float = 0.75, pair_weight: float = 0.5) -> None:
        self.k1 = k1
        self.b = b
        self.pair_weight = pair_weight
        self.pairs = PairPostings()
        self.slots = SlotTable()
        self.chunks: dict[str, ChunkRecord] = {}
        self.vocab: dict[str, int] = {}
        self.postings: list[tuple[array, array]] = []
        self.df: list[int] = []
        self.lengths = array("f")
        self.doc_terms: list[tuple[np.ndarray, np.ndarray]] = []
        self.total_length = 0.0

    def add(self, chunk: ChunkRecord, terms: list[str]) -> None:
        slot = self.slots.add(chunk.chunk_id, chunk.document_id, chunk.access_tokens)
        self.chunks[chunk.chunk_id] = chunk
        counts = Counter(terms)
        ids = np.empty(len(counts), dtype=np.int32)
        tfs = np.empty(len(counts), dtype=np.float32)
        for n, (term, tf) in enumerate(counts.items()):
            term_id = self.vocab.get(term)
            if term_id is None:
                term_id = self.vocab[term] = len(self.postings)
                self.postings.append((array("i"), array("f")))
                self.df.append(0)
            slots, freqs = self.postings[term_id]
            slots.append(slot)
            freqs.append(tf)
            self.df[term_id] += 1
            ids[n], tfs[n] = term_id, tf
        self.doc_terms.append((ids, tfs))
        self.lengths.append(len(terms))
        self.total_length += len(terms)
        if self.pair_weight > 0 and len(terms) > 1:
            self.pairs.add(slot, *counted(pair_keys(terms)))
            if self.pairs.needs_merge():
                self.pairs.merge(self.slots.alive)

    def bulk_load(self, snapshot: Snapshot) -> None:
        """Fill an empty engine from persisted arrays (vectorised: restart stays fast)."""
        chunks, vocab, offsets, terms, tfs = snapshot[:5]
        for chunk in chunks:
            self.slots.add(chunk.chunk_id, chunk.document_id, chunk.access_tokens)
            self.chunks[chunk.chunk_id] = chunk
        self.vocab = {term: i for i, term in enumerate(vocab)}
        terms = terms.astype(np.int32)
        tfs = tfs.astype(np.float32)
        bounds = offsets.tolist()
        self.doc_terms = [(terms[a:b], tfs[a:b]) for a, b in pairwise(bounds)]
        sums = np.concatenate([[0.0], np.cumsum(tfs, dtype=np.float64)])
        lengths = (sums[offsets[1:]] - sums[offsets[:-1]]).astype(np.float32)
        self.lengths = array("f", lengths.tobytes())
        self.total_length = float(lengths.sum())
        owners = np.repeat(np.arange(len(chunks), dtype=np.int32), np.diff(offsets))
        order = np.argsort(terms, kind="stable")
        counts = np.bincount(terms, minlength=len(vocab))
        starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
        slots_sorted, tfs_sorted = owners[order], tfs[order]
        self.df = counts.tolist()
        self.postings = []
        for term_id in range(len(vocab)):
            a, b = starts[term_id], starts[term_id + 1]
            slot_array, tf_array = array("i"), array("f")
            slot_array.frombytes(slots_sorted[a:b].tobytes())
            tf_array.frombytes(tfs_sorted[a:b].tobytes())
            self.postings.append((slot_array, tf_array))
        if self.pair_weight > 0:
            self.pairs.load(
                snapshot.pair_keys, snapshot.pair_offsets, snapshot.pair_slots, snapshot.pair_tfs
            )

    def remove_document(self, document_id: str) -> None:
        for slot in self.slots.remove_document(document_id):
            chunk_id = self.slots.ids[slot]
            if self.slots.slot_of.get(chunk_id) is None:
                self.chunks.pop(chunk_id, None)
            ids, _ = self.doc_terms[slot]
            for term_id in ids:
                self.df[term_id] -= 1
            self.total_length -= self.lengths[slot]
        if self.slots.dead > 1000 and self.slots.dead > len(self.slots) // 4:
            self.compact()

    def set_access(self, document_id: str, tokens: Sequence[str]) -> None:
        self.slots.set_tokens(document_id, tokens)
        for slot in self.slots.doc_slots.get(document_id, []):
            chunk_id = self.slots.ids[slot]
            self.chunks[chunk_id] = self.chunks[chunk_id].model_copy(
                update={"access_tokens": list(tokens)}
            )

    def search(
        self,
        terms: list[str],
        access_tokens: Collection[str],
        k: int,
        document_ids: Collection[str] | None = None,
    ) -> list[Scored]:
        live = self.slots.live
        if not terms or live == 0:
            return []
        size = len(self.slots)
        scores = np.zeros(size, dtype=np.float32)
        lengths = np.frombuffer(self.lengths, dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * lengths / max(self.total_length / live, 1e-9))
        matched = False
        for term in dict.fromkeys(terms):
            term_id = self.vocab.get(term)
            if term_id is None or self.df[term_id] <= 0:
                continue
            matched = True
            df = self.df[term_id]
            idf = math.log(1 + (live - df + 0.5) / (df + 0.5))
            slots_a, freqs_a = self.postings[term_id]
            slots = np.frombuffer(slots_a, dtype=np.int32)
            tf = np.frombuffer(freqs_a, dtype=np.float32)
            scores[slots] += idf * tf * (self.k1 + 1) / (tf + norm[slots])
            del slots, tf  # release the buffer views before the arrays may grow again
        if not matched:
            return []
        if self.pair_weight > 0:
            self._score_pairs(terms, scores, norm, live)
        scores[~self.slots.mask(access_tokens, document_ids)] = -np.inf
        scores[scores <= 0] = -np.inf
        best = top_k(scores, k)
        return [(self.slots.ids[s], float(scores[s])) for s in best]

    def _score_pairs(
        self, terms: list[str], scores: np.ndarray, norm: np.ndarray, live: int
    ) -> None:
        alive = self.slots.alive
        for key in set(pair_keys(terms).tolist()):
            slots, tf = self.pairs.get(key)
            df = int(alive[slots].sum()) if len(slots) else 0
            if df == 0:
                continue
            idf = math.log(1 + (live - df + 0.5) / (df + 0.5))
            weight = self.pair_weight * idf * (self.k1 + 1)
            scores[slots] += weight * tf / (tf + norm[slots])

    def export(self) -> Snapshot:
        """Live chunks and their terms as flat arrays."""
        live = self.slots.live_slots().tolist()
        chunks = [self.chunks[self.slots.ids[s]] for s in live]
        pairs = [self.doc_terms[s] for s in live]
        offsets = np.cumsum([0] + [ids.size for ids, _ in pairs], dtype=np.int64)
        terms = np.concatenate([ids for ids, _ in pairs] or [np.zeros(0, np.int32)])
        tfs = np.concatenate([tf for _, tf in pairs] or [np.zeros(0, np.float32)])
        used = np.unique(terms)
        remap = np.zeros(len(self.postings) + 1, dtype=np.int32)
        remap[used] = np.arange(used.size, dtype=np.int32)
        inverse = {i: t for t, i in self.vocab.items()}
        vocab = [inverse[int(i)] for i in used]
        return Snapshot(
            chunks, vocab, offsets, remap[terms], tfs, *self.pairs.export(self.slots.alive)
        )

    def compact(self) -> None:
        """Rebuild without dead slots (and without terms no live chunk uses)."""
        fresh = BM25Engine(self.k1, self.b, self.pair_weight)
        fresh.bulk_load(self.export())
        self.__dict__.update(fresh.__dict__)
