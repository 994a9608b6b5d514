"""Adjacent-morpheme pairs as extra BM25 terms, stored compactly.

A question's words usually appear next to each other in the passage that answers it
("임시정부의 초대 대통령" → 임시정부+초대, 초대+대통령). Indexing each pair of adjacent index
terms rewards that closeness: on KorQuAD it lifts hybrid R@1 by about 0.009 (docs/retrieval.md).

Pairs outnumber single morphemes several times over, so they are not kept as Python objects:
each pair is a 64-bit key (from blake2b hashes of its two terms) and its postings live in one
sorted CSR block of numpy arrays, plus a flat, unsorted tail of the postings added since the
last merge (scanned with one vectorised comparison; merged once it holds `_MERGE_AT`).
Dead slots stay in the arrays until a merge; searches count only live ones.
"""

from __future__ import annotations

from array import array
from hashlib import blake2b

import numpy as np

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier: (a, b) and (b, a) get different keys
_MERGE_AT = 250_000  # tail postings that trigger a merge: bounds the scan and its memory


def _term_hash(term: str) -> int:
    return int.from_bytes(blake2b(term.encode(), digest_size=8).digest(), "little")


def pair_keys(terms: list[str]) -> np.ndarray:
    """Keys of the adjacent pairs of `terms`, in order (uint64; stable across processes)."""
    if len(terms) < 2:
        return np.zeros(0, dtype=np.uint64)
    hashes = np.fromiter((_term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))
    return hashes[:-1] * _MIX + hashes[1:]  # wraps modulo 2**64 by design


def counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and how often each occurs: (uint64 keys, float32 frequencies)."""
    unique, counts = np.unique(keys, return_counts=True)
    return unique, counts.astype(np.float32)


class PairPostings:
    """key → (slots, frequencies). Not thread-safe: the keyword index holds its lock."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)  # sorted, distinct
        self.offsets = np.zeros(1, dtype=np.int64)
        self.slots = np.zeros(0, dtype=np.int32)
        self.tfs = np.zeros(0, dtype=np.float32)
        self._clear_tail()

    def _clear_tail(self) -> None:
        self.tail_keys, self.tail_slots, self.tail_tfs = array("Q"), array("i"), array("f")

    @property
    def tail_size(self) -> int:
        return len(self.tail_keys)

    def __len__(self) -> int:
        return len(self.slots) + self.tail_size

    def add(self, slot: int, keys: np.ndarray, tfs: np.ndarray) -> None:
        self.tail_keys.frombytes(keys.astype(np.uint64).tobytes())
        self.tail_slots.frombytes(np.full(len(keys), slot, dtype=np.int32).tobytes())
        self.tail_tfs.frombytes(tfs.astype(np.float32).tobytes())

    def needs_merge(self) -> bool:
        return self.tail_size >= _MERGE_AT

    def get(self, key: int) -> tuple[np.ndarray, np.ndarray]:
        """The postings of one key (copies: safe to keep while the store changes)."""
        parts_s, parts_f = [], []
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        if i < len(self.keys) and int(self.keys[i]) == key:
            a, b = self.offsets[i], self.offsets[i + 1]
            parts_s.append(self.slots[a:b])
            parts_f.append(self.tfs[a:b])
        if self.tail_size:
            hits = np.flatnonzero(np.frombuffer(self.tail_keys, dtype=np.uint64) == np.uint64(key))
            if hits.size:
                parts_s.append(np.frombuffer(self.tail_slots, dtype=np.int32)[hits])
                parts_f.append(np.frombuffer(self.tail_tfs, dtype=np.float32)[hits])
        if not parts_s:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        return np.concatenate(parts_s), np.concatenate(parts_f)

    def merge(self, alive: np.ndarray | None = None) -> None:
        """Fold the tail into the sorted block (dropping postings of dead slots if given)."""
        tail_keys = np.array(self.tail_keys, dtype=np.uint64)
        tail_slots = np.array(self.tail_slots, dtype=np.int32)
        tail_tfs = np.array(self.tail_tfs, dtype=np.float32)
        base_keys = np.repeat(self.keys, np.diff(self.offsets))
        # The block is one sorted run: the stable sort (timsort) merges it with the tail cheaply.
        self.build(
            np.concatenate([self.slots, tail_slots]),
            np.concatenate([base_keys, tail_keys]),
            np.concatenate([self.tfs, tail_tfs]),
            alive,
        )

    def build(
        self,
        slots: np.ndarray,
        keys: np.ndarray,
        tfs: np.ndarray,
        alive: np.ndarray | None = None,
    ) -> None:
        """Replace everything with these postings (one entry per slot and key)."""
        if alive is not None and len(slots):
            keep = alive[slots]
            slots, keys, tfs = slots[keep], keys[keep], tfs[keep]
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        if len(keys):
            starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
            offsets = np.append(starts, len(keys))
            self.load(keys[starts], offsets, slots[order], tfs[order])
        else:
            self.load(np.zeros(0, np.uint64), np.zeros(1, np.int64), slots[:0], tfs[:0])

    def load(
        self, keys: np.ndarray, offsets: np.ndarray, slots: np.ndarray, tfs: np.ndarray
    ) -> None:
        """Take a sorted block as `export` returns it (nothing to sort: restarts stay fast)."""
        self.keys = keys.astype(np.uint64, copy=False)
        self.offsets = offsets.astype(np.int64, copy=False)
        self.slots = slots.astype(np.int32, copy=False)
        self.tfs = tfs.astype(np.float32, copy=False)
        self._clear_tail()

    def export(self, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(keys, offsets, slots, tfs) of the live postings, slots renumbered 0..live-1 in
        slot order (the order `BM25Engine.export` lists the live chunks in)."""
        self.merge(alive)
        renumber = np.cumsum(alive, dtype=np.int64) - 1
        return self.keys, self.offsets, renumber[self.slots].astype(np.int32), self.tfs
