"""Sentences out of a streamed answer, each handed over only once it has certainly ended.

A sentence ends at . ? ! 。 … or a line break, or after a formal ending ("…니다", "…어요")
followed by a space, but not inside a number ("3.5", "2026. 11. 20."), an abbreviation ("e.g."),
a domain ("hanbit.co.kr") or after a list marker ("1. "). Citation marks that follow the end
("…입니다. [1]", or "[1]" alone on the next line) stay with their sentence, so the check sees
each sentence with its marks. Whitespace after a sentence goes with it: the pieces joined are
exactly the text fed, so a caller can send each piece as it is.
"""

from __future__ import annotations

import re

from dari.chat.assistant.marks import CITATION

_TERMINATORS = ".?!。？！…"
_CLOSERS = "\"'”’)）」』"
_ENDINGS = ("니다", "어요", "아요", "에요", "예요", "해요", "세요", "네요", "지요")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "no", "co", "ltd", "inc", "mr", "ms", "dr", "fig", "p"}
_MARK = CITATION
_PARTIAL_MARK = re.compile(r"\[[\d\s,，]*")
_ONLY_MARKS = re.compile(rf"(?:\s*{CITATION.pattern})+[\s.。]*")
_DOTTED_DATE = re.compile(r"\d{4}\.\s?\d{1,2}\.\s?\d{1,2}$")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _period_ends(buf: str, i: int, final: bool) -> bool | None:
    """Whether the '.' at `i` ends a sentence (None: the text so far cannot tell)."""
    after = buf[i + 1 : i + 3]
    if len(after) < 2 and not final and (not after or after == " "):
        return None
    nxt = after[:1]
    if nxt.isascii() and nxt.isalnum():
        return False  # 3.5, hanbit.co.kr, e.g
    before = buf[max(0, i - 80) : i]  # enough for any rule below, and no whole-prefix scans
    if before[-1:].isdigit():
        if nxt == " " and after[1:2].isdigit():
            return False  # 2026. 11. 20.
        if nxt.strip() and _DOTTED_DATE.search(before):
            return False  # "2026. 11. 20.에": the date's own dot, followed by a particle
        line = before[before.rfind("\n") + 1 :].rstrip("0123456789")
        if not line.strip(" \t>*-•"):
            return False  # "1. " list marker
    word = _WORD_BEFORE.search(before)
    return not (word and word.group(1).lower() in _ABBREVIATIONS)


def _extend(buf: str, p: int, final: bool) -> int | None:
    """From the end of a sentence, take in closers, marks and spaces that belong to it."""
    n = len(buf)
    while p < n:
        c = buf[p]
        if c in " \t" or c in _CLOSERS or c in _TERMINATORS:
            p += 1
        elif c == "[":
            mark = _MARK.match(buf, p)
            if mark:
                p = mark.end()
                continue
            if not final and _PARTIAL_MARK.fullmatch(buf, p):
                return None
            return p
        elif c in "\r\n":
            return _next_line(buf, p, final)
        else:
            return p
    return n if final else None


def _next_line(buf: str, p: int, final: bool) -> int | None:
    """After a line break: a following line of only citation marks belongs to this sentence."""
    n = len(buf)
    q = p
    while q < n and buf[q] in " \t\r\n":
        q += 1
    if q == n:
        return n if final else None
    end = buf.find("\n", q)
    line = buf[q:] if end == -1 else buf[q:end]
    if _ONLY_MARKS.fullmatch(line):
        if end == -1:
            # "[1]" may still grow into "[1] 5", a sentence of its own.
            return n if final else None
        return _next_line(buf, end, final)
    if end == -1 and not final and _PARTIAL_MARK.fullmatch(line):
        return None
    return q


def _boundary(buf: str, final: bool, start: int = 0) -> tuple[int | None, int]:
    """The end of the first complete sentence in `buf` (None: not yet known), and where to
    resume the search when more text arrives (nothing before it can end a sentence)."""
    n = len(buf)
    i = start
    while i < n:
        c = buf[i]
        if c in "\r\n" and buf[:i].strip():
            return _next_line(buf, i, final), i
        if c in _TERMINATORS:
            j = i
            while j < n and buf[j] in _TERMINATORS:
                j += 1
            if j == i + 1 and c == ".":
                ends = _period_ends(buf, i, final)
                if ends is None:
                    return None, i
                if not ends:
                    i += 1
                    continue
            return _extend(buf, j, final), i
        if buf.startswith(_ENDINGS, i) and i + 2 < n and buf[i + 2] in " \t[":
            return _extend(buf, i + 2, final), i
        i += 1
    # A two-character ending may be split across deltas: look at the last one again.
    return (n if final and n else None), max(start, n - 2)


class SentenceStream:
    """Feed streamed deltas; get back each sentence as soon as it has ended."""

    def __init__(self) -> None:
        self._buf = ""
        self._resume = 0

    def feed(self, delta: str) -> list[str]:
        """The sentences completed by `delta` (with their marks and following whitespace)."""
        self._buf += delta
        return self._drain(final=False)

    def flush(self) -> list[str]:
        """The rest, at the end of the stream."""
        return self._drain(final=True)

    def _drain(self, final: bool) -> list[str]:
        out: list[str] = []
        while self._buf:
            end, self._resume = _boundary(self._buf, final, self._resume)
            if end is None:
                break
            out.append(self._buf[:end])
            self._buf = self._buf[end:]
            self._resume = 0
        return out


def split_sentences(text: str) -> list[str]:
    """The sentences of a whole text, stripped, without empty ones."""
    stream = SentenceStream()
    pieces = stream.feed(text) + stream.flush()
    return [p.strip() for p in pieces if p.strip()]
