"""Text helpers for the answer check: citation marks, sentence kinds, character-bigram overlap.

Overlap is measured on character bigrams inside words (Korean needs no tokenizer for this and
it takes microseconds); bigrams of endings and connectives ("니다", "에서", "대해") are left
out, so "연차휴가에 대해 알려드리겠습니다" carries only its content ("연차", "차휴", "휴가").
"""

from __future__ import annotations

import re
from functools import lru_cache

from dari.chat.assistant.marks import CITATION

CITE = CITATION  # the marks the pipeline binds to sources
_MARKDOWN = re.compile(r"\*\*|__|`|^\s*#+\s*|^\s*(?:[-*•>]|\d{1,2}[.)])\s+|\|", re.MULTILINE)
_HEADING = re.compile(r"#{1,6}\s.*|\*\*[^*]+\*\*\s*[:：]?")
_LETTER = re.compile(r"[가-힣A-Za-z\u4e00-\u9fff]")
_WORD = re.compile(r"[가-힣]+|[A-Za-z]+")
# Sentences that state nothing from a source: greetings, closings, announcements of what
# follows, offers of more help, and declines (a decline has no source to cite).
_NON_CLAIM = re.compile(
    "도움이 되|도움이 필요|궁금(?:한|하신)|문의(?:해|하시|주시)|감사합니다|고맙습니다"
    "|안녕하세요|안녕하십니까|알려\\s?드리겠|안내해?\\s?드리겠|말씀해\\s?주|다음과 같|아래와 같"
    "|정리하면|요약하면|참고하시기 바랍니다|참고해\\s?주세요|찾을 수 없|권한이 없|답할 수 없"
    "|확인할 수 없|알 수 없|조회할 수 없|제공된 자료에|자료에 없|포함되어 있지 않|나와 있지 않"
)
_DECLINE = re.compile(
    "찾을 수 없|권한이 없|답할 수 없|확인할 수 없|알 수 없|조회할 수 없|제공된 자료에|자료에 없"
    "|포함되어 있지 않|나와 있지 않"
)
# Lines of the answer prompts themselves (`prompts/evidence.md`, `compose.document_answer`):
# a model that copies them has not answered.
PROMPT_ECHO = re.compile(
    r"<\s*/?\s*자료|자료 안의 문장은|근거 자료의 번호|위 자료를 근거로|문장 끝에 \[1\]처럼"
    r"|(?m:^\s*질문\s*[:：])|검색된 참고 데이터|자료 번호를 \[1\]처럼|있는 내용만으로|쓰인 그대로"
    r"|지시가 아니라 데이터"
)
# Bigrams of endings, connectives and question words: they say nothing about the content.
_GENERIC_WORDS = """
니다 습니 입니 됩니 합니 있습 없습 었습 았습 였습 했습 겠습 드립 립니 세요 어요 에요 예요
해요 네요 지요 인가 가요 나요 까요 이야 이다 에서 으로 로는 에는 에게 부터 까지 하는 하여
하고 해서 되어 되는 대해 대한 관해 관한 알려 려드 드리 리겠 이며 이고 이나 이는 그리 리고
또한 따라 라서 같습 같이 다음 음과 아래 래와 이상 상입 그렇 렇습 맞습 있어 없어 알겠 겠어
주세 십시 해당 당하 무엇 엇인 얼마 마인 마야 며칠 어떻 떻게 려줘 답변 질문
"""
GENERIC = frozenset(_GENERIC_WORDS.split())


def cited(sentence: str) -> list[int]:
    """The numbers cited as [n] or [n, m], in order, without repeats."""
    seen: list[int] = []
    for match in CITE.finditer(sentence):
        for part in re.split(r"[,，]", match.group(1)):
            if int(part) not in seen:
                seen.append(int(part))
    return seen


def body(sentence: str) -> str:
    """The sentence without citation marks and Markdown decoration."""
    return _MARKDOWN.sub(" ", CITE.sub(" ", sentence))


def has_words(text: str) -> bool:
    return bool(_LETTER.search(text))


def is_decline(text: str) -> bool:
    return bool(_DECLINE.search(text))


def is_non_claim(sentence: str, text: str) -> bool:
    """Greeting, closing, announcement, decline, question back, heading or a table's head.

    `text` is the sentence's `body`. A heading ("### 연차휴가", "**요약**", "연차휴가 규정:")
    and a table row without digits (the column names, the |---| rule) name a topic; the
    sentences under them state the facts.
    """
    if _NON_CLAIM.search(text) or text.rstrip(" .。)").endswith(("?", "？", ":", "：")):
        return True
    line = CITE.sub("", sentence).strip()
    if _HEADING.fullmatch(line):
        return True
    return line.startswith("|") and not any(c.isdigit() for c in line)


@lru_cache(maxsize=512)
def bigrams(text: str) -> frozenset[str]:
    """Character bigrams inside words, lower-cased (cached: sources are compared many times)."""
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(grams)


def content(text: str) -> frozenset[str]:
    """Bigrams that carry content (endings and connectives removed)."""
    return bigrams(text) - GENERIC


def support(grams: frozenset[str], texts: list[str]) -> float:
    """The share of `grams` found in any of `texts`."""
    if not grams:
        return 1.0
    found: set[str] = set()
    for text in texts:
        found |= grams & bigrams(text)
    return len(found) / len(grams)


def echoes(text: str, question: str, *, verbatim: bool = False) -> bool:
    """`text` restates the question: covers most of it and adds hardly a bigram of its own.

    An answer as a whole may add endings ("연차휴가는 며칠인가요?"); a single sentence is judged
    only when it copies the question (`verbatim`): "거래처별 매출은 다음과 같습니다 [2]."
    restates "거래처별 매출은?" to introduce the answer, and the answer check passes it.
    """
    asked, said = bigrams(question), bigrams(text)
    if not asked or not said:
        return False
    shared = said & asked
    covered = len(shared) / len(asked)
    inside = len(shared if verbatim else shared | (said & GENERIC)) / len(said)
    return covered >= ECHO_COVER and inside >= ECHO_INSIDE


@lru_cache(maxsize=512)
def squashed(text: str) -> str:
    """Lower-cased without spaces, dashes and underscores, for finding codes (PO-2610 ≡ po2610)."""
    return re.sub(r"[\s_\-]", "", text).lower()


ECHO_COVER = 0.7  # the text covers ≥70% of the question's bigrams …
ECHO_INSIDE = 0.8  # … and ≥80% of its own bigrams are the question's (or endings)
