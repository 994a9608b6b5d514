"""Entity-linking value types and the matching rules' scores (used by `EntityIndex`).

Rules, from best to weakest (`EntityMatch.score`, `EntityMatch.how`):

- 1.0 `code` ("C0004", case-insensitive) or `name`, the whole name in normal form (spacing,
  주식회사/(주)/㈜ ignored) — both `exact`; 0.95 `alias`, an alias column's value (`exact`);
- 0.9 `word`: a model number that is a word of the name ("H107" → "서보모터 H107");
- 0.85 / 0.8 `typo`: jamo edit distance 1 (names of 4–5 syllables) or 2 (6 or more), Hangul
  names only ("한빗상사" → 한빛상사, "태광엔지니링" → 태광엔지니어링);
- 0.7 `partial`: part of a name starting at one of its words ("한빛" → 한빛상사, "2팀" →
  영업2팀); a part under 3 syllables links only when it names one entity ("미래의" does not);
- 0.6 `infix`: any other part of 3+ syllables ("엔지니어링" → every …엔지니어링, a tie).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from dari.erp.entities_text import (
    bounded_distance,
    is_hangul,
    jamo,
    normalize,
    prepare,
    word_starts,
)

SCORES = {"code": 1.0, "name": 1.0, "alias": 0.95, "word": 0.9, "partial": 0.7, "infix": 0.6}
TYPO_SCORES = {1: 0.85, 2: 0.8}
EXACT = frozenset({"code", "name", "alias"})
MIN_TYPO_LENGTH = 4  # shorter names (people: 김민준/김민주) are too close to each other
MIN_INFIX_SYLLABLES = 3  # "상사", "전자" inside names are words, not a choice of company
MIN_RESEMBLANCE = 0.4  # weaker "did you mean" suggestions are noise


@dataclass(frozen=True, slots=True)
class Entity:
    """One row of master data. Kinds without a code column use the name as the code."""

    kind: str
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """`mention` is the question's text at `span`; `how` says which rule matched."""

    kind: str
    code: str
    name: str
    mention: str
    span: tuple[int, int]
    score: float
    exact: bool
    how: str


@dataclass(frozen=True, slots=True)
class NameKey:
    """A name (or alias) of entity number `entity` in normal form, with what matching needs."""

    entity: int
    text: str
    how: str  # "name" or "alias"
    starts: frozenset[int]  # where the name's words begin
    words: frozenset[str]  # words holding a letter and a digit (model numbers)
    jamo: str | None  # set for all-Hangul keys long enough for typo matching


def syllables(text: str) -> int:
    return sum(is_hangul(ch) for ch in text)


def hangul_only(text: str) -> bool:
    return all(is_hangul(ch) for ch in text)


def partial_ok(mention: str) -> bool:
    """Long enough to be a deliberate part of a name: 2+ syllables, "2팀", or "L319"-like."""
    count = syllables(mention)
    digits = any(c.isdigit() for c in mention)
    if count >= 2 or (count and digits):
        return True
    return len(mention) >= 3 and digits and any(c.isalpha() for c in mention)


def typo_limit(shortest: int) -> int:
    """Jamo edits allowed between a mention and a name whose shorter one has `shortest`
    syllables: 0 under 4, 1 up to 5, 2 from 6."""
    if shortest < MIN_TYPO_LENGTH:
        return 0
    return 1 if shortest <= 5 else 2


def name_key(entity: int, text: str, how: str) -> NameKey | None:
    """The key of one name; None for names under two letters (they name nothing reliably)."""
    key = normalize(text)
    if len(key) < 2:
        return None
    starts = frozenset(s for s in word_starts(prepare(text)) if s < len(key))
    bounds = sorted(starts | {len(key)})
    words = frozenset(
        w
        for w in (key[a:b] for a, b in pairwise(bounds))
        if any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
    )
    typo = jamo(key) if hangul_only(key) and len(key) >= MIN_TYPO_LENGTH else None
    return NameKey(entity, key, how, starts, words, typo)


def resemblance(form: str, spelled: str, key: NameKey) -> float:
    """0–1: how alike a mention (`form`, its jamo `spelled`) and a name look, for suggestions.
    Jamo edit distance relative to the longer; a mention inside the name counts at least ½."""
    target = key.jamo or jamo(key.text)
    longest = max(len(spelled), len(target))
    # Past this many edits the name is under MIN_RESEMBLANCE anyway: stop computing there.
    limit = int(longest * (1 - MIN_RESEMBLANCE)) + 1
    similarity = max(0.0, 1 - bounded_distance(spelled, target, limit) / longest)
    if form in key.text:
        similarity = max(similarity, 0.5 + 0.5 * len(form) / len(key.text))
    return similarity


def keep_best(found: dict[int, tuple[float, str]], entity: int, score: float, how: str) -> None:
    """Record a candidate, keeping an entity's best rule when several match."""
    if entity not in found or found[entity][0] < score:
        found[entity] = (score, how)
