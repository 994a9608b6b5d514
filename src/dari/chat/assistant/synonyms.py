"""Words employees say for what documents write otherwise: 출근 → 시업, 할머니 → 조부모.

Word matching alone misses them: "출근 몇 시까지야?" finds the security rule about turning off
the PC "퇴근 시", not 제10조 "시업 시각은 오전 9시"; and a question whose main noun appears
nowhere in the evidence is taken for one the documents cannot answer. Groups of equivalent
words (`synonyms.ko.txt`, plus a company's own file, `DARI_CHAT_SYNONYMS_FILE`) fix both:
`find` locates group words in a question by its Kiwi morphemes (so 아이디 is not 아이 and
조부모 is not 부모: the longest match wins), and the other words of each group found count as
the question's words at a lower weight (`evidence_query.analyse`) and as proof that the
evidence is about the question (`evidence.answerable`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from dari.chat.assistant.tokens import question_tokens

MAX_TOKENS = 5  # the longest group word, in morphemes ("배우자 의 부모")
_PUNCTUATION = re.compile(r"S[FPEOW]")
_KIN_PREFIXES = ("막내", "친", "외", "남", "여")


def normal(text: str) -> str:
    """How group words are compared: lower case, no spaces."""
    return re.sub(r"\s+", "", text.lower())


@dataclass(frozen=True)
class Match:
    """A group word found in a question."""

    start: int  # character offsets in the question
    end: int
    forms: tuple[str, ...]  # the morphemes it covers (lower case)
    group: tuple[str, ...]  # every word of its group, as written in the file


class Synonyms:
    """Groups of equivalent words (compared by `normal`); a word may be in several groups."""

    def __init__(self, groups: list[tuple[str, ...]]) -> None:
        self.groups = groups
        holding: dict[str, list[int]] = {}
        for i, group in enumerate(groups):
            for word in group:
                key = normal(word)
                if len(key) >= 2:
                    holding.setdefault(key, []).append(i)
        # A word stands for every group it is in (업체: 거래처 and 공급처).
        self._index = {
            key: tuple(dict.fromkeys(word for i in ids for word in groups[i]))
            for key, ids in holding.items()
        }

    def group_of(self, word: str) -> tuple[str, ...] | None:
        return self._index.get(normal(word))

    def find(self, question: str) -> list[Match]:
        """Group words in `question`, longest first, none overlapping."""
        if not self._index:
            return []
        tokens = [t for t in question_tokens(question) if not _PUNCTUATION.fullmatch(str(t.tag))]
        found: list[Match] = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + MAX_TOKENS) + 1):
                run = tokens[i:j]
                # Only morphemes next to each other or apart by spaces form a word.
                if any(
                    question[a.start + a.len : b.start].strip() for a, b in itertools.pairwise(run)
                ):
                    break
                group = self._index.get(normal("".join(t.form for t in run)))
                if group is None and len(run) == 1:
                    group = self._tail(str(run[0].form))
                if group is not None:
                    forms = tuple(str(t.form).lower() for t in run)
                    found.append(Match(run[0].start, run[-1].start + run[-1].len, forms, group))
        found.sort(key=lambda m: m.end - m.start, reverse=True)
        kept: list[Match] = []
        for match in found:
            if all(match.end <= k.start or match.start >= k.end for k in kept):
                kept.append(match)
        return sorted(kept, key=lambda m: m.start)

    def _tail(self, word: str) -> tuple[str, ...] | None:
        """The group of a kinship word behind its prefix (친동생, 남동생 → 동생): Kiwi keeps them
        whole. Only these prefixes: in general a compound's end is not what it means (출퇴근 is
        not 퇴근, 큰아버지 is no 아버지)."""
        key = normal(word)
        for prefix in _KIN_PREFIXES:
            if key.startswith(prefix) and len(key) - len(prefix) >= 2:
                group = self._index.get(key[len(prefix) :])
                if group is not None:
                    return group
        return None

    def any_in(self, group: tuple[str, ...], text: str) -> bool:
        """Whether `text` holds a word of `group` (Latin words whole, Hangul as substrings)."""
        flat = normal(text)
        for word in group:
            key = normal(word)
            if len(key) < 2:
                continue
            if key.isascii():
                if re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", flat):
                    return True
            elif key in flat:
                return True
        return False


def parse(text: str) -> list[tuple[str, ...]]:
    """Groups from the file format: one group per line, words separated by commas, `#` comments."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        words = tuple(w.strip() for w in line.split(",") if w.strip())
        if len(words) >= 2:
            groups.append(words)
    return groups


@lru_cache(maxsize=8)
def load(extra: Path | None = None) -> Synonyms:
    """The built-in groups, then those of `extra` (a company's own words), read once."""
    builtin = resources.files("dari.chat.assistant").joinpath("synonyms.ko.txt")
    groups = parse(builtin.read_text(encoding="utf-8"))
    if extra is not None:
        try:
            groups = _extended(groups, parse(extra.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"DARI_CHAT_SYNONYMS_FILE: cannot read {extra} ({exc}); "
                "point it at a readable UTF-8 file or unset it"
            ) from exc
    return Synonyms(groups)


def _extended(builtin: list[tuple[str, ...]], own: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A company's group that shares a word with built-in groups joins them ("출근, 등원"
    makes 등원 stand for 시업 too); the built-in groups stay apart from each other."""
    groups = list(builtin)
    for group in own:
        keys = {normal(w) for w in group}
        hits = [i for i, g in enumerate(groups) if keys & {normal(w) for w in g}]
        if not hits:
            groups.append(group)
        for i in hits:
            groups[i] = tuple(dict.fromkeys([*groups[i], *group]))
    return groups
