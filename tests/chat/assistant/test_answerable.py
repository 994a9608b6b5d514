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


WELFARE = """복리후생 안내
- 사내 대출: 근속 3년 이상 직원에게 연 2% 이자로 최대 2천만 원을 빌려준다.
- 통신비: 영업본부 직원에게 월 50,000원을 지급한다."""
PURCHASE = """구매 업무 절차서
결재 기준
| 구매 금액 | 결재권자 |
| --- | --- |
| 5,000,000원 미만 | 구매팀장 |
| 5,000,000원 이상 30,000,000원 미만 | 본부장 |
대금 지급: 검수 완료분은 매월 말 마감하여 다음 달 말일에 공급업체에 지급한다.
단가 계약은 매년 9월에 갱신한다. 자재 입고는 검수 후 등록한다."""
MANUAL = """서보모터 H107 사용 설명서
5. 보증 보증 기간은 구입일로부터 1년이다.
고객지원센터: 031-555-0107 (평일 09:00~18:00).
E09 통신 오류: 통신 케이블을 확인한다."""


def _more() -> list[DocSource]:
    return [
        DocSource(1, "w:1", "w", "복리후생 안내", {}, WELFARE),
        DocSource(2, "p:1", "p", "구매 업무 절차서", {}, PURCHASE),
        DocSource(3, "m:1", "m", "서보모터 H107 사용 설명서", {}, MANUAL),
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The 2 % belongs to a loan rule, not to a discount: the asked value must sit with
        # what the question is about.
        ("영업본부장은 할인 최대 몇%까지 해줄 수 있어?", False),
        ("사내 대출 이자는 몇 %야?", True),
        # 300만원 falls in "5,000,000원 미만": the row is named by the amount.
        ("300만원짜리 공구 사려면 결재 누구한테 받아야돼?", True),
        # 단가 names the topic; 언제 asks (no amount required).
        ("단가계약 언제 갱신해야 돼?", True),
        # A phone number answers 전화번호 (the words that name the value are not required).
        ("H107 AS 맡기려는데 전화번호 뭐에요?", True),
        ("H107 교육 담당자 전화번호 뭐야?", False),
    ],
)
def test_answerable_beyond_shared_words(question: str, expected: bool) -> None:
    sources = _more()
    evidence = select_evidence(question, sources)
    assert answerable(question, evidence, sources) is expected, [e.text for e in evidence]


def test_a_particle_left_on_a_noun_does_not_hide_it() -> None:
    from dari.chat.assistant.evidence_query import analyse, particle_stem

    assert particle_stem("조화도") == "조화"
    assert particle_stem("결재") is None and particle_stem("도") is None
    assert "조화" in analyse("경조금 얼마 나오고 조화도 보내줘요?").terms


RULES = """취업규칙
연차유급휴가는 입사일 기준으로 다음과 같이 부여한다.
| 근속기간 | 부여 일수 |
| --- | --- |
| 1년 미만 | 1개월 개근 시 1일 (최대 11일) |
| 1년 이상 3년 미만 | 15일 |
감봉은 1회 임금 총액의 10분의 1을 넘지 못한다.
인사평가에서 품질 항목의 비중은 40점이다.
보안 사고는 security@hanbit.co.kr 로 즉시 신고한다.
승진 심사는 매년 1월에 하며, 직전 2년 평가에 D가 있으면 승진할 수 없다."""


def _rules() -> list[DocSource]:
    return [DocSource(1, "r:1", "r", "취업규칙", {}, RULES)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("입사 6개월이면 연차 며칠 생겨?", True),  # 6개월 lies in "1년 미만"
        ("감봉 당하면 월급에서 얼마까지 깎여?", True),  # 10분의 1: a quantity, not money
        ("품질 비중 얼마야?", True),  # 40점
        ("해킹 당한 거 같은데 신고 메일 주소 뭐야?", True),  # an e-mail address is the answer
        ("출장 신고 메일 주소 뭐야?", False),  # no unit about 출장 holds an address
        ("재작년에 D 받았는데 이번에 승진 가능?", True),  # 재작년/이번/가능 only say when/whether
    ],
)
def test_answerable_round_three(question: str, expected: bool) -> None:
    sources = _rules()
    evidence = select_evidence(question, sources)
    assert answerable(question, evidence, sources) is expected, [e.text for e in evidence]


def test_months_are_compared_with_years() -> None:
    from dari.chat.assistant.evidence_query import quantities, range_fit

    (six_months,) = quantities("6개월")
    assert range_fit((six_months,), quantities("1년 미만")) == 0.5
    assert range_fit((six_months,), quantities("1년 이상 3년 미만")) == -1.0
    (ten_days,) = quantities("10일")
    assert range_fit((ten_days,), quantities("2주 이내")) == 0.5
