"""Question → sparse features for the intent classifier.

What is *said* decides the route, not which customer or month is named: entity mentions,
periods and codes are replaced by typed placeholders first (`한빛상사 10월 미수금` →
`ENTCUSTOMER ENTPERIOD 미수금`), so one training example stands for every customer and
period. The rest becomes Kiwi morphemes (robust to particles and endings), morpheme pairs
(`남/VA 연차` vs `연차 규정`) and character n-grams (robust to typos and Kiwi's mistakes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from dari.search.analyzer import default_analyzer

# Kiwi tags that carry no meaning for routing (punctuation, symbols).
_SKIP_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB", "UN", "W_URL"})
_PLACEHOLDER = re.compile(r"ENT[A-Z]+")
_SPACES = re.compile(r"\s+")
_PARTICLE = re.compile(
    r"(?:은|는|이|가|을|를|의|에|에서|으로|로|와|과|랑|이랑|도|만|까지|부터|요|이야|야|[?!.,])+$"
)


@dataclass(frozen=True)
class Mention:
    """A span of the question that stands for a typed value (an entity, a period, a code)."""

    kind: str
    start: int
    end: int


def placeholder(kind: str) -> str:
    """The token a mention of `kind` becomes (`customer` → `ENTCUSTOMER`)."""
    return "ENT" + re.sub(r"[^A-Za-z]", "", kind).upper()


def normalise(text: str, mentions: Sequence[Mention] = ()) -> str:
    """`text` with each mention replaced by its placeholder (overlaps: the longer wins)."""
    text = unicodedata.normalize("NFKC", text)
    chosen: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    out, last = [], 0
    for mention in sorted(chosen, key=lambda m: m.start):
        out.append(text[last : mention.start].lower())
        out.append(f" {placeholder(mention.kind)} ")
        last = mention.end
    out.append(text[last:].lower())
    return _SPACES.sub(" ", "".join(out)).strip()


def _morphemes(text: str) -> list[str]:
    analyzer = default_analyzer()
    with analyzer._lock:  # one Kiwi instance for the process; it is not thread-safe
        tokens = analyzer._get().tokenize(text)
    result = []
    for token in tokens:
        tag = str(token.tag).split("-")[0]
        if tag in _SKIP_TAGS:
            continue
        form = token.form.lower()
        if tag == "SL" and _PLACEHOLDER.fullmatch(token.form):
            result.append(token.form)
        elif tag.startswith(("E", "J")):
            # Endings and particles: their kind matters (question vs. statement), their exact
            # form much less; keeping the form for EF only separates 해줘 / 야? / 습니다.
            result.append(f"{form}/{tag}" if tag in ("EF", "JKS", "JX") else f"/{tag}")
        else:
            result.append(form)
    return result


def features(text: str) -> dict[str, float]:
    """Weighted features of an already normalised question (see `normalise`)."""
    found: dict[str, float] = {}

    def add(names: Iterable[str], weight: float) -> None:
        for name in names:
            found[name] = found.get(name, 0.0) + weight

    morphemes = _morphemes(text)
    add((f"m:{m}" for m in morphemes), 1.0)
    add((f"b:{a}_{b}" for a, b in pairwise(morphemes)), 0.7)
    # Character n-grams over the text without spaces and placeholders (typo tolerance).
    plain = _PLACEHOLDER.sub("#", text).replace(" ", "")
    add((f"c:{plain[i : i + 2]}" for i in range(len(plain) - 1)), 0.6)
    add((f"c:{plain[i : i + 3]}" for i in range(len(plain) - 2)), 0.5)
    # Whole words without their particle: Kiwi splits some nouns wrongly (재고 → 재+고).
    add((f"w:{_PARTICLE.sub('', w)}" for w in text.split() if len(w) > 1), 0.8)
    for kind in sorted(set(_PLACEHOLDER.findall(text))):
        found[f"has:{kind}"] = 1.0
    if len(plain) <= 8:
        found["short"] = 1.0
    # Sub-linear counts: a word said twice is not twice the evidence.
    return {name: min(value, 2.0) for name, value in found.items()}
