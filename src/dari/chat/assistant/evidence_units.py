"""Evidence units: a chunk cut into the pieces an answer can quote (sentences, rows, items).

A chunk (see `dari.documents.chunking`) holds sentences one per line, list items, table rows
written `a | b | c` under their header row (repeated at the top of every table chunk), or
Markdown tables (`| a | b |`). PDF text can arrive as one long line in which a table was
flattened. The rules:

- prose is split into sentences with Kiwi (the process-wide instance of
  `dari.search.analyzer`, so the large model is loaded once and used under its lock);
- list items and `key: value` lines stay whole (their marker is dropped: it carries nothing);
- a table row becomes `header1 a, header2 b`, so a row quoted alone still names its columns;
- a unit longer than `MAX_UNIT_CHARS` is cut: before each record code of a flattened table
  (`E01 … E02 …`), before inline bullets, at sentence ends, and last at a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from dari.search.analyzer import default_analyzer

MAX_UNIT_CHARS = 200
_MIN_PIECE_CHARS = 12  # a smaller cut piece joins its neighbour ("E01," alone means nothing)
_BULLET = re.compile(r"^\s*[-•·*▪○◦●■□➢–]\s+")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|[가-하][.)]|[①-⑳]|\(\d{1,2}\))\s+")
_KEY_VALUE = re.compile(r"^[^:：]{1,24}[:：]\s*\S")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SENTENCE_END = re.compile(r"(?:다|요|함|음|임|됨|것)[.!?]?\s*$|[.!?]\s*$")
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,3})-?\d{2,}(?=\s+[가-힣A-Za-z])")
_SEVERAL = re.compile(r"[.!?。](?:[\"'”’)\]]*)\s+\S")
_INLINE_BULLET = re.compile(r"\s(?=[•▪●■]\s)")
_EMPTY_CELLS = frozenset({"", "-", "–", "—"})


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a chunk, `index` its position (document order)."""

    text: str
    index: int
    kind: str  # sentence | item | heading | row
    cells: tuple[tuple[str, str], ...] = ()  # rows: (column header, value), first = the key

    @property
    def key(self) -> str:
        """A row's first cell: what a question names to pick the row (과장, E04, 10년)."""
        return self.cells[0][1] if self.cells else ""


def split_units(text: str) -> list[str]:
    """The units of `text` (sentences, list items, `key: value` lines, table rows) in order."""
    return [unit.text for unit in parse_units(text)]


@lru_cache(maxsize=2048)
def parse_units(text: str) -> tuple[Unit, ...]:
    """`split_units` with each unit's kind and, for rows, its cells (cached per chunk text:
    the same chunks come back for many questions)."""
    lines = text.splitlines()
    pieces: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []  # (kind, text, cells)
    prose: list[int] = []  # positions in `pieces` still to be split into sentences
    position = 0
    while position < len(lines):
        run = _table_run(lines, position)
        if run:
            pieces += [("row", _row_text(cells), cells) for cells in _rows(lines[position:run])]
            position = run
            continue
        line = lines[position].strip()
        position += 1
        if not line or _SEPARATOR.match(line):
            continue
        kind = _line_kind(line)
        if kind == "item":
            line = _BULLET.sub("", line)
        # Kiwi only where a line may hold several sentences: the chunker already writes one
        # sentence per line, and Kiwi is most of the cost of a cold chunk.
        if (kind == "sentence" and _SEVERAL.search(line)) or len(line) > MAX_UNIT_CHARS:
            prose.append(len(pieces))
        pieces.append((kind, line, ()))
    sentences = _sentences([pieces[i][1] for i in prose])
    split = dict(zip(prose, sentences, strict=True))
    units: list[Unit] = []
    for number, (kind, line, cells) in enumerate(pieces):
        if kind == "row":  # rows are narrowed to the asked columns later, never cut
            units.append(Unit(line, len(units), kind, cells))
            continue
        for part in split.get(number, [line]):
            for cut in _cut(part):
                units.append(Unit(cut, len(units), kind, cells))
    return tuple(units)


def _line_kind(line: str) -> str:
    if _BULLET.match(line) or _KEY_VALUE.match(line):
        return "item"
    if len(line) <= 30 and not _SENTENCE_END.search(line):
        return "heading"  # "2. 비밀번호 규칙", "제4조 (교통비)": a title, no predicate
    return "item" if _NUMBERED.match(line) else "sentence"


def _is_row(line: str) -> bool:
    stripped = line.strip()
    return (stripped.startswith("|") and stripped.count("|") >= 2) or " | " in line


def _table_run(lines: list[str], start: int) -> int:
    """End of the table starting at `start` (two or more row lines), or 0 when none starts."""
    end = start
    while end < len(lines) and (
        _is_row(lines[end]) or (end > start and _SEPARATOR.match(lines[end]))
    ):
        end += 1
    rows = [line for line in lines[start:end] if not _SEPARATOR.match(line)]
    return end if len(rows) >= 2 else 0


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):  # Markdown: the outer pipes delimit nothing
        stripped = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        return [cell.strip() for cell in stripped.split("|")]
    # `a | b | ` from the chunker: a trailing pipe closes an empty last cell
    return [cell.strip() for cell in line.split("|")]


def _rows(lines: list[str]) -> list[tuple[tuple[str, str], ...]]:
    """Each body row paired with the header row (the run's first row)."""
    rows = [_cells(line) for line in lines if not _SEPARATOR.match(line)]
    header, body = rows[0], rows[1:]
    paired = []
    for row in body:
        names = header + [""] * max(0, len(row) - len(header))
        paired.append(tuple((names[i], cell) for i, cell in enumerate(row)))
    return [cells for cells in paired if any(v not in _EMPTY_CELLS for _, v in cells)]


def _row_text(cells: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    parts = [
        f"{name} {value}".strip() if name != value else value
        for name, value in cells
        if value not in _EMPTY_CELLS
    ]
    return ", ".join(parts)


def row_text(cells: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """A row written as `header value, header value` (empty and `-` cells left out)."""
    return _row_text(cells)


def _kiwi() -> tuple[Any, Any]:
    # The analyzer's Kiwi is the process-wide one; `_get`/`_lock` are its loader and guard
    # (Kiwi is not documented as thread-safe, and a second instance would cost ~1 s and RAM).
    analyzer = default_analyzer()
    return analyzer._get(), analyzer._lock


def _sentences(texts: list[str]) -> list[list[str]]:
    """Kiwi sentences of each text (one batched call)."""
    if not texts:
        return []
    kiwi, lock = _kiwi()
    with lock:
        results = kiwi.split_into_sents(texts)
        return [
            [s.text.strip() for s in sents if s.text.strip()] or [text]
            for sents, text in zip(results, texts, strict=True)
        ]


def _cut(text: str, limit: int = MAX_UNIT_CHARS) -> list[str]:
    """A unit in pieces: a flattened table at its record codes (whatever its length: each
    record is one answer), and a piece longer than `limit` at inline bullets, then spaces."""
    pieces = _split_codes(text)
    if all(len(piece) <= limit for piece in pieces):
        return pieces
    pieces = [part for piece in pieces for part in _split_bullets(piece)]
    pieces = [part for piece in pieces for part in _split_spaces(piece, limit)]
    merged: list[str] = []
    for piece in pieces:
        if merged and len(piece) < _MIN_PIECE_CHARS:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _split_codes(text: str) -> list[str]:
    """A flattened table of records (`E01 과전류 … E02 과전압 …`): cut before each new code,
    when three or more distinct codes share a prefix (one code alone is just a mention)."""
    seen: set[str] = set()
    starts: dict[str, list[int]] = {}
    for match in _CODE.finditer(text):
        code = match.group(0)
        if code not in seen:
            seen.add(code)
            starts.setdefault(match.group(1), []).append(match.start())
    cuts = sorted(s for group in starts.values() if len(group) >= 3 for s in group)
    if not cuts:
        return [text]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in pairwise(bounds) if text[a:b].strip()]


def _split_bullets(text: str) -> list[str]:
    parts = [part.strip() for part in _INLINE_BULLET.split(text)]
    return [_BULLET.sub("", part) for part in parts if part]


def _split_spaces(text: str, limit: int) -> list[str]:
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind(", ", 0, limit), text.rfind(" ", 0, limit))
        if cut < limit // 2:
            cut = limit
        pieces.append(text[: cut + 1].strip())
        text = text[cut + 1 :].strip()
    if text:
        pieces.append(text)
    return pieces
