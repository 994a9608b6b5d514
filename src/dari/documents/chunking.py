"""Structure-aware chunking: blocks → chunks bounded by embedding-model tokens.

Rules:
- A chunk never spans two sections (a change of heading path or location starts a new one),
  so its heading path and location are exact for citations.
- Text is split at Korean sentence boundaries (Kiwi `split_into_sents`); consecutive chunks
  of one section overlap by about `overlap` of the budget, in whole sentences.
- A table that fits joins the surrounding text; a larger one is cut between rows, and every
  table chunk starts with the header row repeated.
- A sentence or row longer than the budget is cut by characters (the only hard cut).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dari.documents.parsers.base import Block, Location
from dari.documents.tokens import TokenCounter, e5_counter

_kiwi_lock = threading.Lock()


@dataclass
class Chunk:
    ordinal: int
    text: str
    heading_path: tuple[str, ...]
    location: Location
    token_count: int
    kind: str = "text"  # text | table


@dataclass(frozen=True)
class ChunkOptions:
    max_tokens: int = 400
    overlap: float = 0.15


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


def split_sentences(paragraphs: Sequence[str]) -> list[list[str]]:
    """Sentences of each paragraph (one batched Kiwi call: ~15× faster than one by one)."""
    if not paragraphs:
        return []
    with _kiwi_lock:
        results = _kiwi().split_into_sents(list(paragraphs))
        return [
            [s.text.strip() for s in sents if s.text.strip()] or [p]
            for sents, p in zip(results, paragraphs, strict=True)
        ]


class _Packer:
    def __init__(self, options: ChunkOptions, count: TokenCounter) -> None:
        self.options = options
        self.count = count
        self.chunks: list[Chunk] = []
        self.overhead = count("")  # special tokens and the `passage: ` prefix
        self._pieces: dict[str, int] = {}

    def fits(self, lines: list[str], limit: int) -> bool:
        """Whether the joined lines stay within `limit` tokens.

        SentencePiece never merges across whitespace, so a joined text costs the sum of its
        pieces (plus one token of slack per line); the exact count is taken only near the
        limit. This keeps chunking linear instead of re-tokenising the chunk per sentence.
        """
        bound = self.overhead
        for line in lines:
            cost = self._pieces.get(line)
            if cost is None:
                cost = self._pieces[line] = max(self.count(line) - self.overhead, 0)
            bound += cost + 1
        if bound <= limit:
            return True
        return self.count("\n".join(lines)) <= limit

    def emit(self, lines: list[str], path: tuple[str, ...], location: Location, kind: str) -> None:
        text = "\n".join(lines).strip()
        if text:
            self.chunks.append(
                Chunk(len(self.chunks), text, path, location, self.count(text), kind)
            )

    def hard_split(self, text: str, limit: int | None = None) -> list[str]:
        """Cut a piece longer than the budget by characters (binary search on the length)."""
        pieces: list[str] = []
        limit = limit or self.options.max_tokens
        while text:
            if self.count(text) <= limit:
                pieces.append(text)
                break
            low, high = 1, len(text)
            while low < high:
                middle = (low + high + 1) // 2
                if self.count(text[:middle]) <= limit:
                    low = middle
                else:
                    high = middle - 1
            pieces.append(text[:low])
            text = text[low:].lstrip()
        return pieces

    def section(self, blocks: list[Block], sentences: dict[int, list[str]]) -> None:
        path, location = blocks[0].heading_path, blocks[0].location
        limit = self.options.max_tokens
        overlap_budget = int(limit * self.options.overlap)
        current: list[str] = []
        tail: list[str] = []  # recent sentences that may be carried into the next chunk
        fresh = False  # whether `current` holds more than the carried overlap

        def flush() -> None:
            nonlocal current, tail, fresh
            self.emit(current, path, location, "text")
            carried: list[str] = []
            for sentence in reversed(tail):
                if not self.fits([sentence, *carried], overlap_budget):
                    break
                carried.insert(0, sentence)
            current, tail, fresh = list(carried), list(carried), False

        for index, block in enumerate(blocks):
            if block.kind == "heading":
                continue
            if block.kind == "table" and block.rows:
                rows = [" | ".join(row) for row in block.rows]
                if self.fits([*current, *rows], limit):
                    current.extend(rows)
                    tail, fresh = [], True
                    continue
                if fresh:
                    self.emit(current, path, location, "text")
                current, tail, fresh = [], [], False
                self.table(rows, path, location)
                continue
            for sentence in sentences.get(index, [block.text]):
                for piece in self.hard_split(sentence):
                    if current and not self.fits([*current, piece], limit):
                        if fresh:
                            flush()
                        while current and not self.fits([*current, piece], limit):
                            current.pop(0)
                        tail = list(current)
                    current.append(piece)
                    tail.append(piece)
                    fresh = True
        if fresh:
            self.emit(current, path, location, "text")

    def table(self, rows: list[str], path: tuple[str, ...], location: Location) -> None:
        limit = self.options.max_tokens
        # A header longer than a third of the budget is content (a one-cell box), not a header.
        header = [rows[0]] if self.count(rows[0]) <= limit // 3 else []
        body = rows[len(header) :]
        room = limit - (self.count(header[0]) if header else 0) - 2
        current: list[str] = []
        for row in body:
            for piece in self.hard_split(row, room) if self.count(row) > room else [row]:
                if current and not self.fits([*header, *current, piece], limit):
                    self.emit([*header, *current], path, location, "table")
                    current = []
                current.append(piece)
        if current or not body:
            self.emit([*header, *current], path, location, "table")


def _sections(blocks: Iterable[Block]) -> list[list[Block]]:
    sections: list[list[Block]] = []
    key: tuple[Any, ...] | None = None
    for block in blocks:
        block_key = (block.heading_path, block.location)
        if block_key != key:
            sections.append([])
            key = block_key
        sections[-1].append(block)
    return sections


def chunk_blocks(
    blocks: Sequence[Block],
    options: ChunkOptions | None = None,
    count: TokenCounter | None = None,
) -> list[Chunk]:
    """Chunks of a parsed document, in reading order, numbered from 0."""
    options = options or ChunkOptions()
    packer = _Packer(options, count or e5_counter())
    text_blocks = [b for b in blocks if b.kind in ("paragraph", "list") and b.text]
    split = dict(
        zip(map(id, text_blocks), split_sentences([b.text for b in text_blocks]), strict=True)
    )
    for section in _sections(blocks):
        sentences = {i: split[id(b)] for i, b in enumerate(section) if id(b) in split}
        packer.section(section, sentences)
    return packer.chunks
