"""Whether the evidence found can answer the question at all (or it is about something else).

Search always returns something; `answerable` tells a real answer from the best of the wrong
documents (the rules are measured on the demo questions, docs/assistant.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence_query import (
    MONEY,
    VALUE_PATTERNS,
    Query,
    _tagged,
    analyse,
    mentions,
    particle_stem,
    quantities,
    range_fit,
)
from dari.chat.assistant.evidence_ranks import rank_fit
from dari.chat.assistant.synonyms import Synonyms, load
from dari.chat.router.rules import PERSON_TITLE, people

if TYPE_CHECKING:
    from dari.chat.assistant.evidence import Evidence


# Nouns a question uses to ask, not to say what about ("며칠", "최대"): not required in evidence.
_ASKING_NOUNS = frozenset(
    {"며칠", "얼마", "정도", "최대", "최소", "필요", "동안", "이상", "이하", "미만", "초과"}
    | {"회사", "하루", "기준", "내용", "방법", "경우", "관련", "규정", "대신", "때문"}
    # when and whether: "이번에 … 가능?", "작년 기준", "재작년에 D 받았는데"
    | {"이번", "올해", "작년", "재작년", "내년", "지금", "현재", "가능", "여부", "타사"}
)
MAX_MISSING_SHARE = 0.5
_MEASURES = frozenset({"percent", "amount", "days", "phone", "email"})
# Nouns that name a kind of value rather than a subject ("전화번호 뭐야?" asks for the number).
_KIND_NOUNS = {
    "phone": frozenset({"전화", "번호", "전화번호", "연락처", "내선"}),
    "amount": frozenset({"금액", "비용", "가격"}),
    "percent": frozenset({"비율", "퍼센트", "프로"}),
    "days": frozenset({"일수", "날짜"}),
    "email": frozenset({"메일", "이메일", "주소", "메일주소"}),
}


# An interrogative that asks for something else than a measure ("단가 계약은 언제까지?": the 단가
# names the topic, 언제 asks), and the interrogatives that ask for a measure.
_OTHER_ASK = re.compile(r"언제|누구|누가|어떻게|어디|무엇|뭐|어느|무슨|되나|되나요|될까")
_MEASURE_ASK = re.compile(r"얼마|몇\s*(?:%|퍼센트|프로|일)|며칠|전화\s*번호|연락처|메일")


def answerable(
    question: str,
    evidence: Sequence[Evidence],
    sources: Sequence[DocSource],
    *,
    require_subject: bool = False,
    synonyms: Synonyms | None = None,
) -> bool:
    """Whether the evidence can answer the question at all.

    Search always returns *something* the user may read; when the document that answers is
    one they may not read (or none exists), the best units are about something else. Two
    signs, measured on the demo questions and two held-out sets (docs/assistant.md):

    - the kind of value asked for (몇 % → a percentage) appears in no unit that also holds one
      of the question's nouns (the 2 % of a loan rule does not answer a discount question);
    - half or more of the question's own nouns (연봉, 할인, 헬스장) appear neither in the
      evidence, its documents' titles and headings, nor the rest of its chunks. A quantity of
      the question that a unit's range holds (300만원 in "500만원 미만") counts as one more
      covered word.

    `require_subject`: the question must also name something (a noun) the evidence covers.
    A noun is covered when the text holds it or a word of its synonym group (할머니 by 조부모,
    코어타임 by 핵심 근무시간; `synonyms`, default: the built-in groups).
    """
    if not evidence:
        return False
    groups = synonyms if synonyms is not None else load()
    query = analyse(question, groups)
    context = {s.n: f"{s.title} {' '.join(s.heading_path)}" for s in sources}
    chunks = {s.n: s.text for s in sources}
    text = " ".join(f"{e.text} {context.get(e.n, '')}" for e in evidence)
    matches = groups.find(question)

    def covered(term: str, where: str) -> bool:
        stem = particle_stem(term)
        return (
            mentions(where, term)
            or (stem is not None and mentions(where, stem))
            or any(term in m.forms and groups.any_in(m.group, where) for m in matches)
        )

    tagged = [
        (term, tag)
        for term, tag in _tagged(question)
        if tag in ("NNG", "NNP", "SL", "SH") and len(term) >= 2 and term not in _ASKING_NOUNS
    ]
    # each noun once: "자기평가 … 평가" is one word missing, not two; a person the question
    # names with a title ("박지훈 과장님 … 일비") says who asks about it, not what about.
    named_at = {start for _, start, _ in people(question)}
    person = " ".join(m.group(0) for m in PERSON_TITLE.finditer(question) if m.start(1) in named_at)
    nouns = list(dict.fromkeys(term for term, _ in tagged if term not in person))
    # Only measures are required ("몇 %", "얼마", "며칠"): "언제" can be answered by
    # "근속 5년마다", "누구" by a department, with no date or name pattern in sight.
    measures = [kind for kind in query.kinds if kind in _MEASURES]
    if _OTHER_ASK.search(question) and not _MEASURE_ASK.search(question):
        measures = []
    patterns = dict(query.value_patterns)
    if "amount" in patterns and not MONEY.search(question):
        # "감봉은 얼마까지?" (10분의 1), "품질 비중 얼마야?" (40점): money most likely (scoring
        # prefers it), but any quantity may answer.
        patterns["amount"] = re.compile(f"{VALUE_PATTERNS['amount']}|{VALUE_PATTERNS['quantity']}")

    def about(e: Evidence) -> bool:  # the unit is about what the question names
        return _anchors(query, [e.text]) > 0 or any(
            covered(t, f"{e.text} {context.get(e.n, '')}") for t in nouns
        )

    if measures and not any(
        patterns[kind].search(e.text) and (not nouns or about(e))
        for e in evidence
        for kind in measures
    ):
        return False
    if measures:
        # Found: the words that only name the asked value (전화번호 → a phone number) are
        # answered by it, not by the same word in the text.
        named = {word for kind in measures for word in _KIND_NOUNS.get(kind, ())}
        nouns = [t for t in nouns if t not in named]
    if not nouns:
        # "고마워요" names nothing: only a question already routed to documents passes.
        return not require_subject
    around = " ".join(chunks.get(n, "") for n in dict.fromkeys(e.n for e in evidence))
    missing = [t for t in nouns if not covered(t, text) and not covered(t, around)]
    fitting = _anchors(query, [e.text for e in evidence])
    return len(missing) / (len(nouns) + fitting) < MAX_MISSING_SHARE


def _anchors(query: Query, units: Sequence[str]) -> int:
    """How many of the question's anchors the units hold: each quantity a unit states or whose
    range holds it (300만원 in "500만원 미만"), each exact code, and its ranks ("과장 이하"
    holds 대리)."""
    held = sum(
        1
        for asked in query.quantities
        if any(asked.text in u or range_fit((asked,), quantities(u)) > 0 for u in units)
    )
    held += sum(1 for code in query.codes if any(mentions(u, code.lower()) for u in units))
    return held + int(any(rank_fit(query.ranks, u) > 0 for u in units))
