"""One citation mark: binding, checking, history stripping and the web renderer agree on
`[1, 2]` and `[1，2]` (a full-width comma)."""

from __future__ import annotations

import re
from pathlib import Path

from dari.chat.assistant import answer, model_checks, numbers, verify_stream, verify_text
from dari.chat.assistant.marks import CITATION, mark_numbers
from dari.chat.models import Message
from dari.chat.service import history_messages

MARKDOWN_JS = Path(__file__).resolve().parents[3] / "src/dari/web/static/js/markdown.js"


def test_every_checker_uses_the_one_mark() -> None:
    for mark in (answer._CITE, verify_text.CITE, numbers._MARK, model_checks.MARKS):
        assert mark is CITATION
    assert verify_stream._MARK is CITATION


def test_full_width_comma_separates_numbers() -> None:
    assert answer.cited_numbers("매출 [1，3] 그리고 [2, 1]") == [1, 3, 2]
    assert mark_numbers("4 ，5") == [4, 5]
    assert model_checks.MARKS.sub("", "합계 [1，2]입니다") == "합계 입니다"


def test_history_drops_marks_with_either_comma() -> None:
    reply = Message(role="assistant", content="연차는 15일입니다 [1，2]. 이월은 5일 [3, 4].")
    (message,) = history_messages([reply])
    assert message.content == "연차는 15일입니다. 이월은 5일."


def test_the_web_renderer_reads_the_same_mark() -> None:
    source = MARKDOWN_JS.read_text(encoding="utf-8")
    found = re.search(r"export const CITATION_MARK = /(.*)/;", source)
    assert found, "markdown.js CITATION_MARK not found"
    assert found.group(1) == CITATION.pattern.replace("/", r"\/")
    assert "new RegExp(`^${CITATION_MARK.source}" in source and "split(/[,，]/)" in source
    # The conversation list's preview strips the same mark (no pattern of its own).
    conversations = (MARKDOWN_JS.parent / "conversations.js").read_text(encoding="utf-8")
    assert 'import { CITATION_MARK } from "./markdown.js";' in conversations
    assert "${CITATION_MARK.source}" in conversations and r"\[\d+" not in conversations
