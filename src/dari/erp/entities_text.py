"""Text handling for ERP entity linking: normal forms, word breaks, particles, jamo distance.

Names and questions are compared in one normal form: NFKC (full-width letters, ㈜ → (주)),
case-folded, legal-form noise removed (주식회사, (주), 株式會社, Co., Ltd.…), and only letters,
digits and Hangul kept, so "한빛 상사", "(주)한빛상사" and "한빛상사" are the same key. A question
keeps a map from every kept character back to its position, so matches report spans of the
original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import product

# Legal-form words around company names; removed from names and questions alike.
COMPANY_NOISE = re.compile(
    r"주식회사|유한책임회사|유한회사|합자회사|합명회사|\((?:주|유|합|株)\)|株式會社|株式会社|有限會社"
    r"|co\.\s*,?\s*ltd\.?|\binc\.|\bcorp\.|\bltd\.",
    re.IGNORECASE,
)
_NOUN_TAILS = ("", "님", "씨", "회사", "쪽", "측", "건", "거", "것", "들")
_CASE = (
    "", "의", "은", "는", "이", "가", "을", "를", "에", "에서", "에게", "께", "께서", "한테",
    "한테서", "랑", "이랑", "과", "와", "하고", "도", "만", "로", "으로", "까지", "부터", "보다",
    "처럼", "이나", "나", "요", "이요", "야", "이야", "이에요", "예요", "에요", "입니다", "인데",
    "이고", "고", "이며", "며", "이면", "면", "이랑은",
)  # fmt: skip
_TOPIC = ("", "는", "은", "도", "의", "만", "요")
# What may follow a name inside one written word and still end the mention ("한빛상사랑은",
# "김민준님한테", "태광오토 회사의"): a noun tail, a case particle, a topic/extra particle.
PARTICLES = frozenset("".join(p) for p in product(_NOUN_TAILS, _CASE, _TOPIC)) - {""}


def is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _script(ch: str) -> int:
    """0 Hangul, 1 Latin letters and digits, 2 anything else (CJK ideographs, …)."""
    if is_hangul(ch) or "ㄱ" <= ch <= "ㆎ":
        return 0
    return 1 if ch.isascii() else 2


@dataclass(frozen=True)
class Prepared:
    """A text in normal form: `compact` keeps letters, digits and Hangul only.

    `origin[i]`/`origin_end[i]`: the span of `compact[i]` in the original text. `hard`: the
    positions with a space, punctuation or legal-form noise before them (plus 0 and the end);
    `soft`: positions where the script changes ("영업|1팀", "금형부품|L319").
    """

    compact: str
    origin: tuple[int, ...]
    origin_end: tuple[int, ...]
    hard: frozenset[int]
    soft: frozenset[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin_end[end - 1]

    def particles_at(self, start: int) -> bool:
        """True if the rest of the word from `start` is particles ("한빛|이랑은")."""
        end = start + 1
        while end < len(self.compact) and end not in self.hard and end not in self.soft:
            end += 1
        return start < len(self.compact) and self.compact[start:end] in PARTICLES


def prepare(text: str) -> Prepared:
    flat: list[str] = []
    owner: list[int] = []
    for index, ch in enumerate(text):
        for normal in unicodedata.normalize("NFKC", ch).casefold():
            flat.append(normal)
            owner.append(index)
    joined = "".join(flat)
    removed = [False] * len(flat)
    for match in COMPANY_NOISE.finditer(joined):
        for k in range(match.start(), match.end()):
            removed[k] = True
    compact: list[str] = []
    origin: list[int] = []
    hard = {0}
    gap = False
    for k, ch in enumerate(flat):
        if removed[k] or not ch.isalnum():
            gap = True
            continue
        if gap and compact:
            hard.add(len(compact))
        gap = False
        # Characters a single original character expanded to share its span.
        compact.append(ch)
        origin.append(owner[k])
    n = len(compact)
    hard.add(n)
    soft = {
        i for i in range(1, n) if i not in hard and _script(compact[i - 1]) != _script(compact[i])
    }
    return Prepared(
        "".join(compact),
        tuple(origin),
        tuple(o + 1 for o in origin),
        frozenset(hard),
        frozenset(soft),
    )


def normalize(name: str) -> str:
    """The key a name is compared by (a trailing 회사 goes too: "대성회사" = "대성")."""
    key = prepare(name).compact
    if key.endswith("회사") and len(key) >= 4:
        key = key[:-2]
    return key


def word_starts(prepared: Prepared) -> frozenset[int]:
    """Positions where a word of the name begins (after a space or a change of script)."""
    return (prepared.hard | prepared.soft) - {len(prepared.compact)}


def strip_particles(key: str) -> list[str]:
    """`key` and, when it ends in particles, the forms without them ("한빛상사랑" → 한빛상사)."""
    forms = [key]
    for cut in range(1, min(len(key) - 1, 10)):
        if key[-cut:] in PARTICLES:
            forms.append(key[:-cut])
    return forms


# Hangul syllable → jamo: 19 initials × 21 vowels × 28 finals (0 = none).
def jamo(text: str) -> str:
    """Letters split into jamo, so "한빗" and "한빛" differ by one (ㅅ/ㅊ), not a syllable."""
    out: list[str] = []
    for ch in text:
        if is_hangul(ch):
            code = ord(ch) - 0xAC00
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + code % 588 // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def bounded_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it must exceed `limit`.

    Only the diagonal band of width `limit` is computed, and a row whose best cell is over the
    limit stops early, so checking a near-miss costs a few dozen steps, not len(a)·len(b).
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    previous = [j if j <= limit else over for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        current = [over] * (len(b) + 1)
        current[0] = i if i <= limit else over
        best = current[0]
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != b[j - 1]))
            current[j] = value
            best = min(best, value)
        if best > limit:
            return over
        previous = current
    return min(previous[len(b)], over)
