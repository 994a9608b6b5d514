"""Whether the evidence found can answer the question at all (or it is about something else).

Search always returns something; `answerable` tells a real answer from the best of the wrong
documents (the rules are measured on the demo questions, docs/assistant.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence_query import _tagged, analyse, mentions
from dari.chat.assistant.synonyms import Synonyms, load

if TYPE_CHECKING:
    from dari.chat.assistant.evidence import Evidence


# Nouns a question uses to ask, not to say what about ("며칠", "최대"): not required in evidence.
_ASKING_NOUNS = frozenset(
    {"며칠", "얼마", "정도", "최대", "최소", "필요", "동안", "이상", "이하", "미만", "초과"}
    | {"회사", "하루", "기준", "내용", "방법", "경우", "관련", "규정", "대신", "때문"}
)
MAX_MISSING_SHARE = 0.5
_MEASURES = frozenset({"percent", "amount", "days"})


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
    signs, measured on the demo questions (docs/assistant.md): the kind of value asked for
    (몇 % → a percentage) appears in no unit, or half or more of the question's own nouns
    (연봉, 할인, 헬스장) appear neither in the units nor in their documents' titles/headings.
    `require_subject`: the question must also name something (a noun) the evidence covers.
    A noun is covered when the evidence holds it or a word of its synonym group (할머니 by
    조부모, 코어타임 by 핵심 근무시간; `synonyms`, default: the built-in groups).
    """
    if not evidence:
        return False
    groups = synonyms if synonyms is not None else load()
    query = analyse(question, groups)
    context = {s.n: f"{s.title} {' '.join(s.heading_path)}" for s in sources}
    text = " ".join(f"{e.text} {context.get(e.n, '')}" for e in evidence)
    # Only measures are required ("몇 %", "얼마", "며칠"): "언제" can be answered by
    # "근속 5년마다", "누구" by a department, with no date or name pattern in sight.
    measures = [kind for kind in query.kinds if kind in _MEASURES]
    if measures and not any(
        query.value_patterns[kind].search(e.text) for e in evidence for kind in measures
    ):
        return False
    nouns = [
        term
        for term, tag in _tagged(question)
        if tag in ("NNG", "NNP", "SL", "SH") and len(term) >= 2 and term not in _ASKING_NOUNS
    ]
    if not nouns:
        # "고마워요" names nothing: only a question already routed to documents passes.
        return not require_subject
    meant = {
        form
        for match in groups.find(question)
        if groups.any_in(match.group, text)
        for form in match.forms
    }
    missing = [term for term in nouns if not mentions(text, term) and term not in meant]
    return len(missing) / len(nouns) < MAX_MISSING_SHARE
