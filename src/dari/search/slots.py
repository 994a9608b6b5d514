"""Bookkeeping shared by the embedded indexes: chunk slots, documents and access masks.

Each chunk occupies an integer slot (rows of a matrix, ids in postings). Deleting marks slots
dead; `compact()` happens when the dead share grows. Access tokens map to sorted slot arrays so
a user's visibility mask is built with a few vectorised writes — the filter runs inside the
search, before ranking.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np


class SlotTable:
    """slot ⇄ chunk id, document → slots, token → slots, liveness."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.docs: list[str] = []
        self.slot_of: dict[str, int] = {}
        self.doc_slots: dict[str, list[int]] = {}
        self.tokens: list[tuple[str, ...]] = []
        self._token_slots: dict[str, set[int]] = {}
        self._token_cache: dict[str, np.ndarray] = {}
        self._alive = np.zeros(0, dtype=bool)
        self.dead = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def live(self) -> int:
        return len(self.ids) - self.dead

    @property
    def alive(self) -> np.ndarray:
        return self._alive[: len(self.ids)]

    def add(self, chunk_id: str, document_id: str, tokens: Sequence[str]) -> int:
        slot = len(self.ids)
        if slot >= len(self._alive):
            grown = np.zeros(max(1024, 2 * len(self._alive)), dtype=bool)
            grown[: len(self._alive)] = self._alive
            self._alive = grown
        self._alive[slot] = True
        self.ids.append(chunk_id)
        self.docs.append(document_id)
        self.slot_of[chunk_id] = slot
        self.doc_slots.setdefault(document_id, []).append(slot)
        self.tokens.append(tuple(sorted(set(tokens))))
        self._index_tokens(slot)
        return slot

    def _index_tokens(self, slot: int) -> None:
        for token in self.tokens[slot]:
            self._token_slots.setdefault(token, set()).add(slot)
            self._token_cache.pop(token, None)

    def _unindex_tokens(self, slot: int) -> None:
        for token in self.tokens[slot]:
            slots = self._token_slots.get(token)
            if slots is not None:
                slots.discard(slot)
                if not slots:
                    del self._token_slots[token]
            self._token_cache.pop(token, None)

    def remove_document(self, document_id: str) -> list[int]:
        slots = self.doc_slots.pop(document_id, [])
        for slot in slots:
            if self._alive[slot]:
                self._alive[slot] = False
                self.dead += 1
                self._unindex_tokens(slot)
                if self.slot_of.get(self.ids[slot]) == slot:
                    del self.slot_of[self.ids[slot]]
        return slots

    def set_tokens(self, document_id: str, tokens: Sequence[str]) -> None:
        for slot in self.doc_slots.get(document_id, []):
            self._unindex_tokens(slot)
            self.tokens[slot] = tuple(sorted(set(tokens)))
            self._index_tokens(slot)

    def _slots_for(self, token: str) -> np.ndarray:
        cached = self._token_cache.get(token)
        if cached is None:
            slots = self._token_slots.get(token, ())
            cached = np.fromiter(slots, dtype=np.int64, count=len(slots))
            self._token_cache[token] = cached
        return cached

    def mask(
        self, access_tokens: Collection[str], document_ids: Collection[str] | None = None
    ) -> np.ndarray:
        """Boolean mask over slots: alive, visible to these tokens, in these documents."""
        allowed = np.zeros(len(self.ids), dtype=bool)
        for token in set(access_tokens):
            allowed[self._slots_for(token)] = True
        if document_ids is not None:
            in_docs = np.zeros(len(self.ids), dtype=bool)
            for document_id in document_ids:
                in_docs[self.doc_slots.get(document_id, [])] = True
            allowed &= in_docs
        return allowed

    def live_slots(self) -> np.ndarray:
        return np.flatnonzero(self.alive)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest finite scores, best first."""
    candidates = np.flatnonzero(np.isfinite(scores))
    if candidates.size > k:
        part = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[part]
    return candidates[np.argsort(-scores[candidates], kind="stable")]
