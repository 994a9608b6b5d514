"""Codes in a question that name nothing the user may see ("S200 재고": no item S200).

A code-like word — Latin letters, then digits: `C0004`, `P00001`, `S200`, `W05`, `D-110` — that
links to no entity the user may see must not be dropped: "S200 재고" answered with every item's
stock would be a wrong figure. It becomes a mention of the kind whose codes have its shape,
not visible, so it is routed and refused exactly like a name the user may not see
(`messages.not_found`), with the nearest codes the user may see.

The kind comes from the ERP's own codes of the same shape (same letters, same number of
digits): the entity finder is asked about *other* codes of that shape — the neighbours
(S150–S250) and one of each order of magnitude (S001…S900) — never about the word itself. So
a code of another team's customer and a code that does not exist give the same kind, the same
route and the same sentence; the suggestions are neighbours the user may see. A word no entity
shares the shape of ("E03" of an error message, "ISO9001", a year) is no code and stays a
plain word; so does a code of a catalog parameter's `pattern` (an order number).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dari.chat.router.arguments import CodeShape, Mentioned
from dari.chat.router.features import Mention

# Letters, an optional dash, digits; a whole word of letters and digits (a Korean particle may
# follow: "S200은"). Digits first ("24V", "100mm", "3분기") or one digit ("Q3", "A4") is no code.
CODE_WORD = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,4})([-_]?)([0-9]{2,12})(?![A-Za-z0-9])")
NEIGHBOURS = 50  # codes this far on either side are asked about, and may be suggested
SUGGESTIONS = 3
MAX_WORDS = 3  # code-like words per question looked up (each costs one finder call)


@dataclass(frozen=True)
class CodeWord:
    """A code-like word of the question at [start, end)."""

    start: int
    end: int
    letters: str
    dash: str
    digits: str

    @property
    def text(self) -> str:
        return f"{self.letters}{self.dash}{self.digits}"

    def spelled(self, number: int) -> str:
        """Another code of this shape (`S200` → `S196`)."""
        return f"{self.letters}{self.dash}{number:0{len(self.digits)}d}"


def code_words(text: str) -> list[CodeWord]:
    return [
        CodeWord(m.start(), m.end(), m.group(1), m.group(2), m.group(3))
        for m in CODE_WORD.finditer(text)
    ]


def probe_numbers(word: CodeWord) -> list[int]:
    """The other numbers of `word`'s shape to ask about: its neighbours, then 1…9, 10…90, …
    (where codes of that shape most likely are); never its own."""
    own, width = int(word.digits), len(word.digits)
    top = 10**width
    numbers = dict.fromkeys(range(max(0, own - NEIGHBOURS), min(top, own + NEIGHBOURS + 1)))
    numbers.update(dict.fromkeys(k * 10**j for j in range(width) for k in range(1, 10)))
    numbers.pop(own, None)
    return list(numbers)


def shape_of(word: CodeWord, finder: Callable[[str], Sequence[Mentioned]]) -> CodeShape | None:
    """The kinds of `word`'s shape among the ERP's codes, from the codes around it (None: no
    code has this shape)."""
    numbers = probe_numbers(word)
    starts: dict[int, int] = {}
    parts: list[str] = []
    at = 0
    for number in numbers:
        spelled = word.spelled(number)
        starts[at] = number
        parts.append(spelled)
        at += len(spelled) + 1
    hits = [
        (m, starts[m.start])
        for m in finder(" ".join(parts))
        if m.start in starts and _is_code_of(word.spelled(starts[m.start]), m)
    ]
    if not hits:
        return None
    counts = Counter(m.kind for m, _ in hits)
    kinds = tuple(sorted(counts, key=lambda k: (-counts[k], k)))
    own = int(word.digits)
    near: dict[str, list[str]] = {kind: [] for kind in kinds}
    visible = sorted(
        ((abs(number - own), number, m) for m, number in hits if m.visible),
        key=lambda item: (item[0], item[1]),
    )
    for distance, number, m in visible:
        spelled = word.spelled(number)
        label = m.name if spelled.upper() in m.name.upper() else f"{m.name}({spelled})"
        listed = near[m.kind]
        if distance <= NEIGHBOURS and len(listed) < SUGGESTIONS and label not in listed:
            listed.append(label)
    return CodeShape(kinds, {kind: tuple(labels) for kind, labels in near.items()})


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def _is_code_of(spelled: str, mention: Mentioned) -> bool:
    """`spelled` is the entity's code or a whole word of its name ("S222" of "볼트 S222"), not
    the start of a longer one ("W12" of "볼트 W122")."""
    if _compact(spelled) == _compact(mention.code):
        return True
    words = re.findall(r"[0-9A-Za-z]+(?:[-_][0-9A-Za-z]+)*", mention.name)
    return any(_compact(w) == _compact(spelled) for w in words)


def unseen_codes(
    text: str,
    entities: Sequence[Mentioned],
    finder: Callable[[str], Sequence[Mentioned]],
    covered: Sequence[Mention],
) -> list[Mentioned]:
    """`entities` with each code-like word that names no entity the user may see as a hidden
    mention of its shape's kind (`Mentioned.code_shape`); a code of another team's entity
    loses what the finder linked it to, so it reads exactly like a code that does not exist.
    `covered`:
    spans already read as something else (periods, codes of a parameter's `pattern`). Its kind
    is the one most codes of its shape are; a call that cannot take that kind but takes another
    of them reads it as that one ("D150": departments and items share the shape)."""
    out = list(entities)
    looked = 0
    for word in code_words(text):
        if any(c.start < word.end and word.start < c.end for c in covered):
            continue
        over = [e for e in out if e.start < word.end and word.start < e.end]
        if any(e.visible for e in over):
            continue
        if any(e.start < word.start or e.end > word.end for e in over):
            continue  # part of a longer name ("모터 H107" of another team): that name decides
        if looked >= MAX_WORDS:
            break
        looked += 1
        shape = shape_of(word, finder)
        out = [e for e in out if all(e is not o for o in over)]
        if shape is None:
            continue  # no code has this shape: a plain word, whatever it linked to
        written = text[word.start : word.end]
        out.append(
            Mentioned(shape.kinds[0], "", written, word.start, word.end, False, code_shape=shape)
        )
    return sorted(out, key=lambda e: (e.start, e.end))
