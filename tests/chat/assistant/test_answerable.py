"""Evidence that cannot answer is refused: the asked measure is missing, or the subject is."""

from __future__ import annotations

import pytest

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence import answerable, select_evidence

TRAVEL = """출장비 규정
직급별 숙박비 상한은 과장·대리 110,000원, 사원 80,000원이다.
출장비는 출장이 끝난 날부터 7일 이내에 정산한다."""
LEAVE = """리프레시 휴가
근속 5년마다 유급 리프레시 휴가 10일을 부여하며, 부여일로부터 1년 안에 사용해야 한다."""


def _sources() -> list[DocSource]:
    return [
        DocSource(1, "t:1", "t", "출장비 규정", {}, TRAVEL),
        DocSource(2, "l:1", "l", "리프레시 휴가 지침", {}, LEAVE),
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("과장 숙박비 한도는 얼마야?", True),
        ("출장비 정산은 며칠 안에 해야 돼?", True),
        ("리프레시 휴가는 언제 받을 수 있나요?", True),  # "근속 5년마다": no date needed
        ("영업팀 할인 권한은 몇 %까지야?", False),  # no percentage anywhere
        ("사내 헬스장 운영 시간이 어떻게 돼?", False),  # 헬스장 appears nowhere
        ("과장에서 차장 승진에 필요한 승진 포인트 기준 알려줘", False),
    ],
)
def test_answerable(question: str, expected: bool) -> None:
    sources = _sources()
    evidence = select_evidence(question, sources)
    assert answerable(question, evidence, sources) is expected


def test_no_evidence_is_never_answerable() -> None:
    assert not answerable("과장 숙박비 한도는 얼마야?", [], _sources())
