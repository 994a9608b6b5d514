"""Checks only model sentences get, on top of `verify` (which every answer gets).

A small model picks numbers out of their context ("180원" from "숙박비 상한(USD) 180"),
forgets citation marks, recites its instructions or the data's, and answers "얼마야?" with no
amount. These rules hold its sentences to what it was shown; a sentence that fails is never
sent and the evidence is the answer instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from difflib import SequenceMatcher

from dari.chat.assistant import verify
from dari.chat.assistant.marks import CITATION
from dari.chat.assistant.verify_rules import Problem

MEASURES = frozenset({"percent", "amount", "days"})  # asked values an answer must state
MARKS = CITATION
INSTRUCTION_LIKE = re.compile(
    r"(?i)\b(?:select|insert|update|delete|drop)\b\s+\S|erp_query|\b[a-z]+_[a-z_]+\(|"
    r"지시를?\s*(?:모두\s*)?무시|프롬프트|도구를?\s*호출|호출합니다|〈자료|<\s*/?자료"
)

_FIGURE = re.compile(
    r"\d{1,2}:\d{2}|(\d[\d,]*(?:\.\d+)?)\s*"
    r"(만\s*원|억|천만|만|원|개월|시간|일|시|분|%|점|개|건|회|명|번|년|월|km|kg|W|rpm|USD|달러|자|곳|배)?"
)


def _squeeze(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3})", "", "".join(text.split()))


def figures_shown(sentence: str, evidence: str) -> list[str]:
    """Figures of a model sentence not written so in the evidence it was shown: the number
    *with its unit* ("180원" is not "USD 180", "2번" is not "2200"). Stricter than the
    general check, for a small model that picks numbers out of their context."""
    shown = _squeeze(evidence)
    missing = []
    for match in _FIGURE.finditer(MARKS.sub("", sentence)):
        figure = _squeeze(match.group(0))
        if figure and figure not in shown:
            missing.append(match.group(0).strip())
    return missing


def _bigrams(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def cite(sentence: str, sources: Mapping[int, str], evidence: Mapping[int, str]) -> str:
    """A model sentence without a mark gets the evidence source that holds all its figures and
    shares the most words with it (a small model often forgets the mark); the check then
    holds the sentence to that source."""
    if not sources or "[" in sentence:
        return sentence
    figures = [q.text for q in verify.numbers_in(sentence)]
    pool = [n for n in (evidence or sources) if n in sources]
    holders = [n for n in pool if all(f in sources[n] for f in figures)]
    if not holders:
        return sentence
    words = _bigrams(sentence)
    best = max(holders, key=lambda n: len(words & _bigrams(evidence.get(n, sources[n]))))
    body = sentence.rstrip()
    tail = sentence[len(body) :]
    end = body[-1] if body and body[-1] in ".?!。" else ""
    return f"{body[: len(body) - len(end)]} [{best}]{end}{tail}"


class SmallTalkReader:
    """The check for chit-chat: there is nothing to cite, so no figure or code may appear,
    and the model may not recite its instructions."""

    answered = True

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt

    def read(self, sentence: str) -> list[Problem]:
        if verify.numbers_in(sentence) or verify.codes_in(sentence):
            return [Problem("number_not_in_source", sentence, "chit-chat states no figures")]
        matcher = SequenceMatcher(None, sentence, self.prompt, autojunk=False)
        if matcher.find_longest_match(0, len(sentence), 0, len(self.prompt)).size >= 12:
            return [Problem("repeats_prompt", sentence, "recites the instructions")]
        return []

    def closing(self, text: str) -> list[Problem]:
        return [] if text.strip() else [Problem("empty", "", "no text")]
