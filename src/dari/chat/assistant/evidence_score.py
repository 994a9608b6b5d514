"""Scoring of evidence units against a question (see `dari.chat.assistant.evidence`).

Each unit of the retrieved chunks becomes a candidate with its keyword terms, the words of
its chunk's headings and title, the kinds of value it holds, a `base` score that does not
depend on what else is picked (codes, quantities, ranges, row keys, retrieval rank) and,
when an embedder is given, its scaled cosine similarity (`vector`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence_query import Query, idf, mentions, quantities, range_fit
from dari.chat.assistant.evidence_ranks import rank_fit, rank_named
from dari.chat.assistant.evidence_units import Unit, parse_units, row_text
from dari.chat.assistant.synonyms import normal
from dari.search.analyzer import default_analyzer

# Weights, relative to the best keyword match (= 1.0). Chosen on hand-written policy chunks
# (tests/chat/assistant/test_evidence.py), then checked on the demo question set.
K1, B = 1.2, 0.5  # BM25 saturation and length normalisation (units are one sentence long)
HEADING_WEIGHT, TITLE_WEIGHT = 0.5, 0.25
COVERED = 0.5  # a question word an earlier pick already holds
W_CODE, W_QUANTITY, W_RANGE = 0.8, 0.25, 0.45
W_KIND, W_KEY, W_POINTER, W_BRIDGE, W_NEIGHBOUR = 0.4, 0.3, 0.5, 0.5, 0.3
W_PRIOR, W_VECTOR = 0.15, 0.4
# A further pick needs this share of the first pick's score: less next to a pick (the other
# half of a two-part answer), more from another document (answers rarely mix documents).
FOLLOW_SAME_CHUNK, FOLLOW_SAME_DOCUMENT, FOLLOW_OTHER = 0.4, 0.5, 0.7
SHORT_CHARS = 40  # a shorter unit gets its neighbour for context
EMBED_TOP = 12  # only the best lexical candidates are embedded (~25 ms each on a CPU core)
WIDE_TABLE = 4  # rows of tables this wide are narrowed to the asked columns


@dataclass(eq=False)
class Candidate:
    """A unit of a source, with what scoring needs to know about it."""

    source: DocSource
    rank: int
    unit: Unit
    text: str  # what is quoted (a wide row narrowed to the asked columns)
    terms: Counter[str]
    context: dict[str, float]  # heading and title words → weight
    bridge: bool = False  # names a row of its table and a question word no row holds
    identified: bool = False  # a row the question names (its cells, a quantity, a range)
    anchored: bool = False  # holds a code or a quantity of the question
    base: float = 0.0
    vector: float = 0.0
    kinds: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=2048)
def _analysed(text: str) -> tuple[tuple[Unit, ...], tuple[tuple[str, ...], ...]]:
    units = parse_units(text)
    terms = default_analyzer().terms_many([unit.text for unit in units]) if units else []
    return units, tuple(tuple(t) for t in terms)


@lru_cache(maxsize=1024)
def _context_terms(title: str, headings: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    weights: dict[str, float] = {}
    for term in default_analyzer().terms(title):
        weights[term] = TITLE_WEIGHT
    for term in default_analyzer().terms(" ".join(headings)):
        weights[term] = HEADING_WEIGHT
    return tuple(weights.items())


def _narrow(unit: Unit, query: Query) -> str:
    """A wide row keeps its key cell, the columns whose header the question names best and
    the cells the question names: "과장 서울 숙박비" → `직급 과장·대리, 숙박비 상한(서울)
    110,000원` (the other five columns would only be numbers to confuse)."""
    if unit.kind != "row" or len(unit.cells) < WIDE_TABLE:
        return unit.text
    key, rest = unit.cells[0], unit.cells[1:]
    hits = [sum(mentions(name, term) for term in query.terms) for name, _ in rest]
    best = max(hits)
    if not best:
        return unit.text
    keep = [
        cell
        for cell, hit in zip(rest, hits, strict=True)
        if hit == best or any(mentions(cell[1], term) for term in query.terms)
    ]
    return row_text([key, *keep])


def candidates(query: Query, sources: Sequence[DocSource]) -> list[Candidate]:
    seen: set[str] = set()
    found = []
    for rank, source in enumerate(sorted(sources, key=lambda s: s.n)):
        units, terms = _analysed(source.text)
        context = dict(_context_terms(source.title, tuple(source.heading_path)))
        keys = {u.key for u in units if len(u.key) >= 2}
        rows = " ".join(u.text for u in units if u.kind == "row")
        only_outside = [t for t in query.terms if not mentions(rows, t)] if keys else []
        named = _named_rows(query, units)
        for unit, unit_terms in zip(units, terms, strict=True):
            text = _narrow(unit, query)
            key = " ".join(text.split())
            if key in seen:  # overlapping chunks repeat sentences: keep the better-ranked one
                continue
            seen.add(key)
            kinds = frozenset(k for k, p in query.value_patterns.items() if p.search(text))
            bridge = unit.kind != "row" and any(k in text for k in keys)
            bridge = bridge and any(mentions(text, t) for t in only_outside)
            counts = Counter(unit_terms)
            if query.phrases:
                flat = normal(text)
                counts.update({p: flat.count(p) for p in query.phrases if p in flat})
            candidate = Candidate(source, rank, unit, text, counts, context, bridge)
            candidate.kinds = kinds
            candidate.identified = unit.index in named
            found.append(candidate)
    return found


def _named_rows(query: Query, units: tuple[Unit, ...]) -> set[int]:
    """The rows whose cells hold the most question words that only some rows hold (과장,
    부산, 결혼 본인; a word every row holds names none): the rows the question names."""
    rows = [u for u in units if u.kind == "row"]
    hits: dict[int, int] = {}
    for term in query.terms:
        holding = [r for r in rows if any(mentions(value, term) for _, value in r.cells)]
        if 0 < len(holding) < len(rows):
            for row in holding:
                hits[row.index] = hits.get(row.index, 0) + 1
    best = max(hits.values(), default=0)
    return {index for index, count in hits.items() if count == best}


def keyword_scorer(
    query: Query, candidates: list[Candidate]
) -> Callable[[Candidate, set[str]], float]:
    count = len(candidates)
    frequency = Counter(t for c in candidates for t in set(c.terms) if t in query.terms)
    weights = {t: w * idf(frequency.get(t, 0), count) for t, w in query.terms.items()}
    average = sum(sum(c.terms.values()) for c in candidates) / max(1, count) or 1.0

    def score(candidate: Candidate, covered: set[str]) -> float:
        length = sum(candidate.terms.values()) or 1
        total = 0.0
        for term, weight in weights.items():
            tf = candidate.terms.get(term, 0) + candidate.context.get(term, 0.0)
            if tf:
                saturation = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
                total += weight * saturation * (COVERED if term in covered else 1.0)
        return total

    return score


def lexical(candidate: Candidate, query: Query) -> float:
    """Code, quantity, range, row-key and rank evidence (independent of other picks). A row
    the question names (its best-matching cells, a quantity, a range or a code) is
    `identified`, unless its range contradicts the question."""
    text = candidate.unit.text
    score = W_PRIOR / (1 + candidate.rank)
    title = candidate.source.title.lower()
    named = False
    for code in query.codes:
        if mentions(text.lower(), code.lower()):
            # A code in the document's title (the H107 manual) tells documents apart, not
            # the sentences inside one.
            score += W_CODE * (0.25 if mentions(title, code.lower()) else 1.0)
            if text.upper().startswith(code):
                score += W_KEY  # the code opens the unit: its record (`E04 과열 …`)
            named = True
            break
    if any(" ".join(q.text.split()) in " ".join(text.split()) for q in query.quantities):
        score += W_QUANTITY
        named = True
    fit = range_fit(query.quantities, quantities(text)) if query.quantities else 0.0
    ranked = rank_fit(query.ranks, text) if query.ranks else 0.0
    if ranked:  # "과장 이하" and the asked 대리: a range like a quantity's
        fit = min(fit, ranked) if fit else ranked
        named = named or ranked > 0
    if query.ranks and candidate.unit.key and rank_named(query.ranks, candidate.unit.key):
        named = True  # 상무 → the 임원 row
    score += W_RANGE * fit
    if candidate.unit.key and any(mentions(candidate.unit.key, t) for t in query.terms):
        score += W_KEY
    candidate.anchored = named  # a code or a quantity of the question is in the unit
    if candidate.unit.kind == "row":
        named = named or fit > 0 or candidate.identified
        candidate.identified = named and fit >= 0
    return score


def embed_scores(
    top: list[Candidate],
    question: str,
    embed: Callable[[list[str]], np.ndarray],
    query_vector: np.ndarray | None,
) -> None:
    """Cosine similarity of `top` (the best lexical candidates), scaled to 0…1 among them."""
    if not top:
        return
    vectors = np.asarray(embed([c.text for c in top]), dtype=np.float32)
    if query_vector is None:  # only the passage function given: compare passage to passage
        query_vector = np.asarray(embed([question]), dtype=np.float32)[0]
    q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0)
    cosines = vectors @ q / np.where(norms == 0, 1.0, norms)
    low, high = float(cosines.min()), float(cosines.max())
    for candidate, cosine in zip(top, cosines, strict=True):
        candidate.vector = (float(cosine) - low) / (high - low) if high > low else 1.0
