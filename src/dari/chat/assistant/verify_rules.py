"""The per-sentence rules of the answer check (`verify` has the overview and the entry points)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dari.chat.assistant import verify_text as vt
from dari.chat.assistant.numbers import Quantity, scan
from dari.chat.assistant.verify_facts import facts_of

OFF_TOPIC_MIN_GRAMS = 4  # shorter statements ("네, 가능합니다 [1].") are never judged off topic
OFF_TOPIC_SUPPORT = 0.15  # a paraphrase keeps ~40% of its source's bigrams; unrelated text ~0%
MIN_CLAIM_GRAMS = 2  # content bigrams that make a sentence a statement ("재택근무는 가능합니다")
RELATED_MIN_GRAMS = 2  # a question with fewer content bigrams ("며칠 쉬어?") is never judged


@dataclass(frozen=True)
class Problem:
    """One reason an answer may not be shown: a code, the sentence and what was wrong."""

    code: str
    sentence: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    """Whether the answer may stand, and every problem found (empty when it may)."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)


def prepare(sources: Mapping[int, str], question: str) -> None:
    """Index the sources and the question ahead (e.g. while the model starts to answer), so
    that checking a sentence costs only the sentence; the checks work without it."""
    for text in (*sources.values(), question):
        facts_of(text)
        vt.bigrams(text)
        vt.squashed(text)


def _known_years(sources: Mapping[int, str], question: str) -> set[int]:
    years = set(facts_of(question).year_like)
    for text in sources.values():
        years |= facts_of(text).year_like
    return years


def _missing(q: Quantity, refs: list[str], question: str, years: set[int]) -> bool:
    if facts_of(question).admits(q, years):
        return False
    return not any(facts_of(text).admits(q, years) for text in refs)


def _ungrounded(
    sentence: str, known: list[int], sources: Mapping[int, str], question: str, years: set[int]
) -> list[Problem]:
    """Numbers missing from the cited sources (all sources when none is cited), unknown codes."""
    quantities, codes = scan(vt.body(sentence))
    refs = [sources[n] for n in known] if known else list(sources.values())
    where = f"sources {known}" if known else "any source"
    problems = [
        Problem("number_not_in_source", sentence, f"{q.text!r} not in {where}")
        for q in quantities
        if _missing(q, refs, question, years)
    ]
    pool = [vt.squashed(t) for t in (*sources.values(), question)]
    for code in codes:
        if not any(vt.squashed(code) in text for text in pool):
            problems.append(Problem("code_not_in_source", sentence, f"{code!r} in no source"))
    return problems


def _related(grams: frozenset[str], known: list[int], sources: Mapping[int, str], q: str) -> bool:
    """False for an answer to a different question: neither the sentence nor its sources share
    a word with the question, while another source does (so the right one was at hand)."""
    asked = vt.content(q)
    if len(asked) < RELATED_MIN_GRAMS or grams & asked:
        return True
    if vt.support(asked, [sources[n] for n in known]) > 0:
        return True
    others = [text for n, text in sources.items() if n not in known]
    return vt.support(asked, others) == 0


def _inspect(
    sentence: str,
    sources: Mapping[int, str],
    question: str,
    require_citation: bool,
    lent: list[int] | None = None,
) -> tuple[list[Problem], bool]:
    """The sentence's problems, and whether it answers (a cited statement, or a decline).

    `lent`: the marks of the sentence that introduced a list, for an item without its own."""
    text = vt.body(sentence)
    own = vt.cited(sentence)
    marks = own or list(lent or ())
    if not vt.has_words(text):
        if own or any(c.isdigit() for c in text):
            return [Problem("only_citations", sentence, "no words, only marks or numbers")], False
        return [], False  # blank or a Markdown rule
    problems: list[Problem] = []
    known = [n for n in marks if n in sources]
    unknown = [n for n in marks if n not in sources]
    if unknown:
        problems.append(Problem("unknown_source", sentence, f"no source {unknown}"))
    if vt.PROMPT_ECHO.search(sentence):
        problems.append(Problem("repeats_prompt", sentence, "copies the prompt's instructions"))
    quantities, codes = scan(text)
    grams = vt.content(text)
    claim = not vt.is_non_claim(sentence, text) and bool(
        quantities or codes or len(grams) >= MIN_CLAIM_GRAMS or (known and grams)
    )
    if require_citation and claim and not marks:
        problems.append(Problem("no_citation", sentence, "a statement without a source mark"))
    years = _known_years(sources, question)
    problems += _ungrounded(sentence, known, sources, question, years)
    asked = facts_of(question)
    adds_number = any(not asked.admits(q, years) for q in quantities)
    if question and not adds_number and vt.echoes(text, question, verbatim=True):
        problems.append(Problem("repeats_question", sentence, "restates the question"))
    if claim and not quantities and len(grams) >= OFF_TOPIC_MIN_GRAMS:
        refs = [sources[n] for n in known] if known else list(sources.values())
        share = vt.support(grams, [*refs, question])
        if share < OFF_TOPIC_SUPPORT:
            problems.append(Problem("off_topic", sentence, f"{share:.0%} of it in the sources"))
    cited_claim = claim and (bool(known) or not require_citation)
    answers = (cited_claim and _related(grams, known, sources, question)) or vt.is_decline(text)
    return problems, answers and not problems


def check_sentence(
    sentence: str, sources: Mapping[int, str], *, question: str = "", require_citation: bool = True
) -> list[Problem]:
    """The problems of one sentence (with its marks) against the numbered sources."""
    return _inspect(sentence, sources, question, require_citation)[0]


_ITEM = re.compile(r"\s*(?:[-*•]\s|\d{1,2}[.)]\s|\||\()")


class Reader:
    """Reads one answer's sentences in order, for `check_answer` and `CheckedStream` alike.

    A list item, table row or parenthesised note without marks takes the marks of the
    sentence that introduced it ("거래처별 매출은 다음과 같습니다 [2]." then "- 한빛상사
    3,444,378,066원"), the layout the built ERP answers use too. Marks after a list are not
    lent backwards: a stream would have to hold every item until the list ends.
    """

    def __init__(self, sources: Mapping[int, str], question: str, require_citation: bool):
        self.sources, self.question, self.require_citation = sources, question, require_citation
        self.answered = not (require_citation and sources)
        self._scope: list[int] = []

    def read(self, sentence: str) -> list[Problem]:
        """The sentence's problems; notes whether it answered and what marks it lends."""
        own = vt.cited(sentence)
        item = bool(_ITEM.match(sentence))
        lent = self._scope if item and not own else []
        problems, answers = _inspect(
            sentence, self.sources, self.question, self.require_citation, lent
        )
        if not item and sentence.strip():
            self._scope = [n for n in own if n in self.sources]
        self.answered = self.answered or answers
        return problems

    def closing(self, text: str) -> list[Problem]:
        """The whole answer's problems once every sentence passed: empty, or not answered."""
        if not text.strip():
            return [Problem("empty", "", "the answer has no text")]
        if self.answered:
            return []
        if self.question and vt.echoes(vt.body(text), self.question):
            return [Problem("repeats_question", text, "the answer only restates the question")]
        return [Problem("off_topic", text, "no sentence answers the question from the sources")]
