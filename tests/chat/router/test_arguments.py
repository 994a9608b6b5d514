"""Tool arguments from the question: an enum value named like the tool's subject ("발주" of
발주 현황) is a filter only when said as a state, in a whole word."""

from __future__ import annotations

from datetime import date

import pytest

from dari.chat.router.arguments import fill

STATUS = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["발주", "부분입고", "입고완료", "취소"]},
    },
}


def status(question: str) -> str | None:
    result = fill(
        STATUS,
        question,
        today=date(2026, 11, 20),
        periods=[],
        mentions=[],
        attributes={},
        topic="발주",
    )
    return result.arguments.get("status")


@pytest.mark.parametrize(
    "question",
    [
        "2026년 10월 발주 건수랑 발주 금액 합계 알려줘",
        "발주 건 수 알려줘",
        "발주 건별 금액 보여줘",
        "발주 건당 평균 금액",
        "발주 상태별 건수",
        "발주 중에서 제일 큰 거",
        "발주 처리량 알려줘",
        "발주 인원은?",
        "이번 달 발주 금액",
    ],
)
def test_a_longer_word_starting_like_a_state_word_is_not_a_state(question: str) -> None:
    assert status(question) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("최근 발주 건 알려줘", "발주"),
        ("발주 건만 보여줘", "발주"),
        ("발주 상태인 것만", "발주"),
        ("발주 상태 목록", "발주"),
        ("발주된 거 있어?", "발주"),
        ("발주됐어?", "발주"),
        ("발주 중인 건", "발주"),
        ("발주중", "발주"),
        ("발주 처리된 건", "발주"),
        ("발주인지 확인해줘", "발주"),
        ("지난달 취소된 발주 있어?", "취소"),
        ("금강테크 발주 중에 부분입고 상태인 건 뭐야?", "부분입고"),
    ],
)
def test_a_state_word_alone_or_with_a_particle_is_a_state(question: str, expected: str) -> None:
    assert status(question) == expected
