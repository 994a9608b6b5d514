"""Personal data out of training data (docs/training.md#masking).

Rules, applied in this order to every question, answer and argument value of an export:

1. resident registration numbers (주민등록번호, `900101-1234567`, with or without the dash,
   7th digit 1–8) → `******-*******`;
2. phone numbers — mobile (`010-1234-5678`, `01012345678`, `010 1234 5678`) and landlines
   (`02-123-4567`, `031-1234-5678`) → `***-****-****`;
3. names of people Dari knows: the ERP's employees (its master data) and Dari's users (their
   display names), longest first, wherever they occur → `○○○`;
4. names Kiwi tags as a proper noun (NNP) of 2–4 Hangul syllables starting with a common Korean
   family name and followed by a title or honorific (님, 씨, 대리, 과장, 팀장 …) → `○○○`;
   and, since Kiwi's tags depend on the sentence, any word of exactly 3 Hangul syllables
   starting with a family name and followed by such a title (`박서연 과장님`) → `○○○`.

Company, item and department names are not personal data and stay (the router learns from
them as placeholders). What was masked is counted per rule in the dataset's manifest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

NAME_MASK = "○○○"
RRN_MASK = "******-*******"
PHONE_MASK = "***-****-****"

_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-?\s?[1-8]\d{6}(?!\d)")
_PHONE = re.compile(
    r"(?<!\d)(?:01[016789][-.\s]?\d{3,4}[-.\s]?\d{4}|0(?:2|[3-6][1-5])[-.)\s]\d{3,4}[-.\s]\d{4})(?!\d)"
)
SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용"
)
TITLES = frozenset(
    [
        "님",
        "씨",
        "군",
        "양",
        "대리",
        "과장",
        "차장",
        "부장",
        "팀장",
        "사원",
        "주임",
        "이사",
        "상무",
        "전무",
        "사장",
        "대표",
        "선임",
        "책임",
        "수석",
        "실장",
        "본부장",
        "센터장",
        "매니저",
        "프로",
        "선생",
        "교수",
    ]
)
_HANGUL_NAME = re.compile(r"^[가-힣]{2,4}$")
_TITLED = re.compile(
    r"(?<![가-힣])([가-힣]{3})\s?(?=(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r"))"
)


@dataclass
class Masker:
    """Masks the personal data of one export; `counts` says how much of each kind it found."""

    names: list[str] = field(default_factory=list)
    use_kiwi: bool = True
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        unique = {n.strip() for n in self.names if len(n.strip()) >= 2}
        self.names = sorted(unique, key=len, reverse=True)
        self._names = re.compile("|".join(map(re.escape, self.names))) if self.names else None

    def mask(self, text: str) -> str:
        text, n = _RRN.subn(RRN_MASK, text)
        self.counts["resident_number"] += n
        text, n = _PHONE.subn(PHONE_MASK, text)
        self.counts["phone"] += n
        if self._names is not None:
            text, n = self._names.subn(NAME_MASK, text)
            self.counts["known_name"] += n
        if self.use_kiwi and re.search(r"[가-힣]", text):
            text = self._mask_tagged(text)
        return text

    def _mask_tagged(self, text: str) -> str:
        from dari.search.analyzer import default_analyzer

        tokens = default_analyzer()._get().tokenize(text)
        spans = []
        for token, following in zip(tokens, [*tokens[1:], None], strict=False):
            if token.tag != "NNP" or not _HANGUL_NAME.match(token.form):
                continue
            if token.form[0] not in SURNAMES or following is None:
                continue
            if following.form in TITLES or text[following.start :].startswith(tuple(TITLES)):
                spans.append((token.start, token.start + token.len))
        for match in _TITLED.finditer(text):
            if match.group(1)[0] in SURNAMES:
                spans.append(match.span(1))
        spans = sorted(set(spans))
        for start, end in reversed(spans):
            text = text[:start] + NAME_MASK + text[end:]
        self.counts["tagged_name"] += len(spans)
        return text

    def mask_value(self, value: Any) -> Any:
        """Strings inside JSON-like values (route arguments) masked; codes and numbers kept."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_value(v) for v in value]
        return value


def people_names(entities: Iterable[Any], users: Iterable[str]) -> list[str]:
    """Names of the people Dari knows: ERP employees and Dari's users' display names."""
    names = [str(e.name) for e in entities if getattr(e, "kind", "") == "employee"]
    return names + [u for u in users if u]
