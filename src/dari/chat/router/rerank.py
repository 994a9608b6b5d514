"""Choosing among the classifier's likely tools by what the question names.

The classifier reads words; it does not know which tool can take the customer, item or
order number a question names, nor which tool shows only the user's own data. These rules
pick, among its close or likely runners-up, the tool that can answer what was asked: one
that takes the named entities and codes, one about the same thing that takes a name the
best tool cannot, the only such tool the user may call, and a tool about the department
for a question about a group of people.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dari.chat.router import messages, rules
from dari.chat.router.calls import about_group, entity_kinds, self_only, subject, takes
from dari.chat.router.classifier import Prediction
from dari.chat.router.features import Mention


class Reranker:
    """The rerank rules over one catalog's tools (name → tool)."""

    def __init__(self, tools: Mapping[str, Any]):
        self.tools = tools
        self._subjects: dict[str, set[str]] = {}  # tool → the content words of its subject

    def tool_for(self, prediction: Prediction, kinds: set[str]) -> str | None:
        """The most probable tool that takes one of `kinds`."""
        if not kinds:
            return None
        for label, _ in prediction.ranked:
            tool = self.tools.get(label)
            if tool is not None and kinds & entity_kinds(tool.parameters):
                return label
        return None

    def rerank(
        self,
        prediction: Prediction,
        spans: Sequence[Mention],
        text: str,
        allowed: Collection[str] | None,
        *,
        takes_named: float,
    ) -> str:
        """Among close runners-up, prefer a tool that takes what the question names
        ("한빛상사 매출" is a per-customer question even if "매출" alone is per-period;
        "SO2611015700" is an order number only one tool takes). And when the best tool cannot
        take something the question names at all, a runner-up at least `takes_named` likely
        and about the same thing that can take it wins ("3분기 모터 품목군 매출": the per-item
        sales of 모터, not the total of all sales), or the only such tool the user may call
        (`allowed`; None: all). A question about a group of people never goes to a tool that
        shows only the user's own data while a tool about the department is a candidate
        ("우리 팀원들 남은 연차")."""
        group = self._for_group(prediction, spans, text)
        if group is not None:
            return group
        kinds = {m.kind for m in spans if m.kind != "period"}
        best = prediction.label
        if not kinds or best not in self.tools:
            return best
        best_score = -1.0
        for label, probability in prediction.ranked[:4]:
            tool = self.tools.get(label)
            if tool is None or probability < prediction.confidence * 0.3:
                continue
            score = probability + 0.25 * len(takes(tool, kinds))
            if score > best_score + 1e-9:
                best, best_score = label, score
        return self._taking_named(prediction, spans, kinds, best, text, allowed, takes_named)

    def _for_group(self, prediction: Prediction, spans: Sequence[Mention], text: str) -> str | None:
        """For a question naming a group of people ("팀원들", "부서원", "다들") whose best tool
        shows only the user's own data: the most probable candidate about a department or
        team that shares a word with the question or with the best tool's subject."""
        best = self.tools.get(prediction.label)
        if best is None or not rules.names_group(text) or not self_only(best):
            return None
        words = set(rules.content_words(text, spans)) | self._subject_words(best.name)
        for label, _ in prediction.ranked[:4]:
            tool = self.tools.get(label)
            if tool is not None and about_group(tool) and words & self._subject_words(label):
                return label
        return None

    def _taking_named(
        self,
        prediction: Prediction,
        spans: Sequence[Mention],
        kinds: set[str],
        best: str,
        text: str,
        allowed: Collection[str] | None,
        takes_named: float,
    ) -> str:
        """`best`, or the runner-up that takes more of the named `kinds`: at least
        `takes_named` likely and about what the question asks (a content word of the
        question is in what the tool gives), so a name never picks an unrelated tool
        ("세원테크 재고" does not become the customer's details). Failing that, the one tool
        the user may call that takes more of them and is about the same thing, however
        unlikely ("작년 4분기 베어링 매출": the per-item sales, the only tool taking a
        category that gives 매출): asking back would only name that tool."""
        taken = len(takes(self.tools[best], kinds))
        if taken == len(kinds):
            return best
        words: set[str] | None = None
        choice, choice_taken = best, taken
        for label, probability in prediction.ranked[:4]:
            tool = self.tools.get(label)
            if tool is None or probability < takes_named:
                continue
            covered = len(takes(tool, kinds))
            if covered <= choice_taken:
                continue
            if words is None:
                words = set(rules.content_words(text, spans))
            if words & self._subject_words(label):
                choice, choice_taken = label, covered
        if choice != best:
            return choice
        return self._only_taking(kinds, best, taken, text, spans, allowed) or best

    def _only_taking(
        self,
        kinds: set[str],
        best: str,
        taken: int,
        text: str,
        spans: Sequence[Mention],
        allowed: Collection[str] | None,
    ) -> str | None:
        """The one tool the user may call that takes more of `kinds` than `best` and shares
        the most words with the question (or, when none shares any, with `best`'s subject),
        words naming the kinds aside; None on a tie ("베어링 수량": sold or short in stock)."""
        able = [
            label
            for label, tool in self.tools.items()
            if label != best
            and (allowed is None or label in allowed)
            and len(takes(tool, kinds)) > taken
        ]
        if not able:
            return None
        # Words naming the kind ("모터 품목군"): every tool taking it has them.
        kind_words = [messages.KIND_LABELS.get(kind, kind) for kind in kinds]
        asked = {
            word
            for word in rules.content_words(text, spans)
            if not any(word in label for label in kind_words)
        }
        for words in (asked, self._subject_words(best)):
            shared = {label: len(words & self._subject_words(label)) for label in able}
            most = max(shared.values())
            if most:
                about = [label for label, count in shared.items() if count == most]
                return about[0] if len(about) == 1 else None
        return None

    def _subject_words(self, label: str) -> set[str]:
        if label not in self._subjects:
            self._subjects[label] = set(rules.content_words(subject(self.tools[label]), []))
        return self._subjects[label]
