"""Korean period expressions → date ranges (dari.chat.router.periods).

Expected dates are worked out by hand from each row's today; the calendar properties at the
end check the same rules for every day of two years, leap day included.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest

from dari.chat.router.periods import (
    Period,
    PeriodError,
    find_period,
    find_periods,
    strip_periods,
)

NOV20 = date(2026, 11, 20)  # a Friday
JAN3 = date(2026, 1, 3)  # a Saturday; its week began on 2025-12-29
LEAP = date(2024, 2, 29)  # a Thursday
APR1 = date(2026, 4, 1)  # a Wednesday, first day of Q2

D = date.fromisoformat

# (today, question with [the expression as matched], start, end, label)
CASES = [
    # this / last month
    (NOV20, "[이번 달] 매출", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[이달] 입고 현황", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[금월] 실적", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[이번달]매출", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[이번 달 들어] 출하", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[지난달]에 한빛상사 미수금", "2026-10-01", "2026-10-31", "2026년 10월"),
    (NOV20, "[지난 달] 매출", "2026-10-01", "2026-10-31", "2026년 10월"),
    (NOV20, "[저번 달] 거", "2026-10-01", "2026-10-31", "2026년 10월"),
    (NOV20, "[전월] 대비 매출", "2026-10-01", "2026-10-31", "2026년 10월"),
    (NOV20, "[지지난달] 매출", "2026-09-01", "2026-09-30", "2026년 9월"),
    (NOV20, "[지난달 15일] 출하", "2026-10-15", "2026-10-15", "2026년 10월 15일"),
    # weeks
    (NOV20, "[이번 주] 출하", "2026-11-16", "2026-11-20", "2026년 11월 16일~20일"),
    (NOV20, "[금주] 입고", "2026-11-16", "2026-11-20", "2026년 11월 16일~20일"),
    (NOV20, "[지난주] 출하", "2026-11-09", "2026-11-15", "2026년 11월 9일~15일"),
    (NOV20, "[저번 주]에 들어온 주문", "2026-11-09", "2026-11-15", "2026년 11월 9일~15일"),
    (NOV20, "[지지난주]", "2026-11-02", "2026-11-08", "2026년 11월 2일~8일"),
    # days
    (NOV20, "[오늘] 기준 재고", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[금일] 출하", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[어제] 출하 건수", "2026-11-19", "2026-11-19", "2026년 11월 19일"),
    (NOV20, "[전일] 대비", "2026-11-19", "2026-11-19", "2026년 11월 19일"),
    (NOV20, "[그저께] 입고", "2026-11-18", "2026-11-18", "2026년 11월 18일"),
    (NOV20, "[그제] 주문", "2026-11-18", "2026-11-18", "2026년 11월 18일"),
    # years
    (NOV20, "[올해]는 어때", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[금년] 매출", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[올 한 해] 실적", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[이번 년도] 경비", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[작년] 매출", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[지난해] 실적", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[전년] 대비", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[작년 한 해 동안]", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[재작년] 매출", "2024-01-01", "2024-12-31", "2024년"),
    (NOV20, "[2025년] 매출", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[2025년도] 예산", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[25년도] 예산", "2025-01-01", "2025-12-31", "2025년"),
    (NOV20, "[2026년] 내 남은 연차", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    # halves and quarters
    (NOV20, "[상반기] 매출", "2026-01-01", "2026-06-30", "2026년 상반기"),
    (NOV20, "[하반기] 매출", "2026-07-01", "2026-11-20", "2026년 7월 1일~11월 20일"),
    (NOV20, "[작년 하반기]", "2025-07-01", "2025-12-31", "2025년 하반기"),
    (NOV20, "[2025년 상반기]", "2025-01-01", "2025-06-30", "2025년 상반기"),
    (NOV20, "[3분기]의 매출", "2026-07-01", "2026-09-30", "2026년 3분기"),
    (NOV20, "[1사분기] 실적", "2026-01-01", "2026-03-31", "2026년 1분기"),
    (NOV20, "[일사분기] 실적", "2026-01-01", "2026-03-31", "2026년 1분기"),
    (NOV20, "[Q3] 실적", "2026-07-01", "2026-09-30", "2026년 3분기"),
    (NOV20, "[3Q] 실적", "2026-07-01", "2026-09-30", "2026년 3분기"),
    (NOV20, "[2025 3분기]", "2025-07-01", "2025-09-30", "2025년 3분기"),
    (NOV20, "[2025Q3] 매출", "2025-07-01", "2025-09-30", "2025년 3분기"),
    (NOV20, "[지난 분기] 매출", "2026-07-01", "2026-09-30", "2026년 3분기"),
    (NOV20, "[전 분기] 대비", "2026-07-01", "2026-09-30", "2026년 3분기"),
    (NOV20, "[이번 분기]", "2026-10-01", "2026-11-20", "2026년 10월 1일~11월 20일"),
    (NOV20, "[1~3분기] 누적", "2026-01-01", "2026-09-30", "2026년 1월~9월"),
    # rolling windows
    (NOV20, "[최근 3개월] 매출", "2026-08-21", "2026-11-20", "2026년 8월 21일~11월 20일"),
    (NOV20, "[지난 3개월간]", "2026-08-21", "2026-11-20", "2026년 8월 21일~11월 20일"),
    (NOV20, "[최근 석 달]", "2026-08-21", "2026-11-20", "2026년 8월 21일~11월 20일"),
    (NOV20, "[최근 두 달]", "2026-09-21", "2026-11-20", "2026년 9월 21일~11월 20일"),
    (NOV20, "[최근 2주] 출하", "2026-11-07", "2026-11-20", "2026년 11월 7일~20일"),
    (NOV20, "[최근 일주일]", "2026-11-14", "2026-11-20", "2026년 11월 14일~20일"),
    (NOV20, "[최근 30일]", "2026-10-22", "2026-11-20", "2026년 10월 22일~11월 20일"),
    (NOV20, "[최근 1년]", "2025-11-21", "2026-11-20", "2025년 11월 21일~2026년 11월 20일"),
    # months
    (NOV20, "[2025년 5월] 매출", "2025-05-01", "2025-05-31", "2025년 5월"),
    (NOV20, "[25년 5월]", "2025-05-01", "2025-05-31", "2025년 5월"),
    (NOV20, "[5월] 매출", "2026-05-01", "2026-05-31", "2026년 5월"),
    (NOV20, "[12월] 매출", "2025-12-01", "2025-12-31", "2025년 12월"),
    (NOV20, "[5월 한 달 동안]", "2026-05-01", "2026-05-31", "2026년 5월"),
    (NOV20, "[2026.05] 매출", "2026-05-01", "2026-05-31", "2026년 5월"),
    (NOV20, "[2026-05] 매출", "2026-05-01", "2026-05-31", "2026년 5월"),
    (NOV20, "[2026/5] 매출", "2026-05-01", "2026-05-31", "2026년 5월"),
    (NOV20, "[삼월] 매출", "2026-03-01", "2026-03-31", "2026년 3월"),
    (NOV20, "[십일월]", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[１１월] 매출", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[지난 3월] 매출", "2026-03-01", "2026-03-31", "2026년 3월"),
    (NOV20, "[11월 중순]", "2026-11-11", "2026-11-20", "2026년 11월 11일~20일"),
    # to date
    (NOV20, "[연초부터 지금까지]", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[연초 이후] 매출", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[올해 들어] 입사", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[월초부터] 출하", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    (NOV20, "[YTD] 매출", "2026-01-01", "2026-11-20", "2026년 1월 1일~11월 20일"),
    (NOV20, "[3월부터] 입사한 직원", "2026-03-01", "2026-11-20", "2026년 3월 1일~11월 20일"),
    # ranges
    (NOV20, "[2025년 3월부터 6월까지] 매출", "2025-03-01", "2025-06-30", "2025년 3월~6월"),
    (NOV20, "[3월~5월] 매출", "2026-03-01", "2026-05-31", "2026년 3월~5월"),
    (NOV20, "[3~5월] 매출", "2026-03-01", "2026-05-31", "2026년 3월~5월"),
    (NOV20, "[2026-01-01부터 2026-03-31까지]", "2026-01-01", "2026-03-31", "2026년 1분기"),
    (NOV20, "[10월 1일부터 15일까지]", "2026-10-01", "2026-10-15", "2026년 10월 1일~15일"),
    (NOV20, "[10월 1~15일] 출하", "2026-10-01", "2026-10-15", "2026년 10월 1일~15일"),
    (NOV20, "[작년 11월부터 올해 2월까지]", "2025-11-01", "2026-02-28", "2025년 11월~2026년 2월"),
    (NOV20, "[지난주부터 오늘까지]", "2026-11-09", "2026-11-20", "2026년 11월 9일~20일"),
    (NOV20, "[1일부터 25일까지]", "2026-11-01", "2026-11-20", "2026년 11월 1일~20일"),
    # single days
    (NOV20, "[2026년 11월 20일] 현재", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[11월 20일] 기준", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[11/20] 출하", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[2026-11-20] 입고", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[2026.11.20] 입고", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[20일] 기준 재고", "2026-11-20", "2026-11-20", "2026년 11월 20일"),
    (NOV20, "[11월 25일] 출하", "2025-11-25", "2025-11-25", "2025년 11월 25일"),
    (NOV20, "[작년 12월 31일] 기준", "2025-12-31", "2025-12-31", "2025년 12월 31일"),
    # 2026-01-03: year boundary
    (JAN3, "[이번 주]", "2025-12-29", "2026-01-03", "2025년 12월 29일~2026년 1월 3일"),
    (JAN3, "[지난주]", "2025-12-22", "2025-12-28", "2025년 12월 22일~28일"),
    (JAN3, "[지난달]", "2025-12-01", "2025-12-31", "2025년 12월"),
    (JAN3, "[이번 달]", "2026-01-01", "2026-01-03", "2026년 1월 1일~3일"),
    (JAN3, "[올해]", "2026-01-01", "2026-01-03", "2026년 1월 1일~3일"),
    (JAN3, "[작년]", "2025-01-01", "2025-12-31", "2025년"),
    (JAN3, "[지난 분기]", "2025-10-01", "2025-12-31", "2025년 4분기"),
    (JAN3, "[4분기]", "2025-10-01", "2025-12-31", "2025년 4분기"),
    (JAN3, "[1분기]", "2026-01-01", "2026-01-03", "2026년 1월 1일~3일"),
    (JAN3, "[하반기]", "2025-07-01", "2025-12-31", "2025년 하반기"),
    (JAN3, "[12월 31일]", "2025-12-31", "2025-12-31", "2025년 12월 31일"),
    (JAN3, "[어제]", "2026-01-02", "2026-01-02", "2026년 1월 2일"),
    (JAN3, "[그저께]", "2026-01-01", "2026-01-01", "2026년 1월 1일"),
    (JAN3, "[최근 1개월]", "2025-12-04", "2026-01-03", "2025년 12월 4일~2026년 1월 3일"),
    (JAN3, "[11월~2월]", "2025-11-01", "2026-01-03", "2025년 11월 1일~2026년 1월 3일"),
    (JAN3, "[10월~12월]", "2025-10-01", "2025-12-31", "2025년 4분기"),
    (
        JAN3,
        "[12월 25일부터 1월 2일까지]",
        "2025-12-25",
        "2026-01-02",
        "2025년 12월 25일~2026년 1월 2일",
    ),
    (JAN3, "[25일부터 2일까지]", "2025-12-25", "2026-01-02", "2025년 12월 25일~2026년 1월 2일"),
    (JAN3, "[31일] 기준", "2025-12-31", "2025-12-31", "2025년 12월 31일"),
    (JAN3, "[지난 12월]", "2025-12-01", "2025-12-31", "2025년 12월"),
    # 2024-02-29: leap day
    (LEAP, "[2월 29일] 출하", "2024-02-29", "2024-02-29", "2024년 2월 29일"),
    (LEAP, "[이번 주]", "2024-02-26", "2024-02-29", "2024년 2월 26일~29일"),
    (LEAP, "[최근 1년]", "2023-03-01", "2024-02-29", "2023년 3월~2024년 2월"),
    (LEAP, "[최근 1개월]", "2024-01-30", "2024-02-29", "2024년 1월 30일~2월 29일"),
    (LEAP, "[작년 2월]", "2023-02-01", "2023-02-28", "2023년 2월"),
    (LEAP, "[이번 달]", "2024-02-01", "2024-02-29", "2024년 2월"),
    (LEAP, "[말일] 기준", "2024-02-29", "2024-02-29", "2024년 2월 29일"),
    (LEAP, "[지난달 말일]", "2024-01-31", "2024-01-31", "2024년 1월 31일"),
    (LEAP, "[어제]", "2024-02-28", "2024-02-28", "2024년 2월 28일"),
    (LEAP, "[상반기]", "2024-01-01", "2024-02-29", "2024년 1월~2월"),
    # 2026-04-01: first day of a quarter
    (APR1, "[하반기]", "2025-07-01", "2025-12-31", "2025년 하반기"),
    (APR1, "[이번 분기]", "2026-04-01", "2026-04-01", "2026년 4월 1일"),
    (APR1, "[지난 분기]", "2026-01-01", "2026-03-31", "2026년 1분기"),
    (APR1, "[상반기]", "2026-01-01", "2026-04-01", "2026년 1월 1일~4월 1일"),
    (APR1, "[4월]", "2026-04-01", "2026-04-01", "2026년 4월 1일"),
    (APR1, "[5월]", "2025-05-01", "2025-05-31", "2025년 5월"),
    (APR1, "[지난 4월]", "2025-04-01", "2025-04-30", "2025년 4월"),
    (APR1, "[지난 3월]", "2026-03-01", "2026-03-31", "2026년 3월"),
    (APR1, "[이번 주]", "2026-03-30", "2026-04-01", "2026년 3월 30일~4월 1일"),
    (APR1, "[어제]", "2026-03-31", "2026-03-31", "2026년 3월 31일"),
    (APR1, "[3분기]", "2025-07-01", "2025-09-30", "2025년 3분기"),
    (APR1, "[최근 3개월]", "2026-01-02", "2026-04-01", "2026년 1월 2일~4월 1일"),
    (APR1, "[지난달]", "2026-03-01", "2026-03-31", "2026년 3월"),
    # today is whatever the turn says, not the clock
    (date(2019, 6, 15), "[올해]", "2019-01-01", "2019-06-15", "2019년 1월 1일~6월 15일"),
    (date(2031, 3, 10), "[2030년]", "2030-01-01", "2030-12-31", "2030년"),
]

# Questions whose single period is a point in time (used for "as of" arguments).
SINGLE_DAY_TEXTS = {"오늘", "금일", "어제", "전일", "그저께", "그제", "지난달 15일", "20일"}
SINGLE_DAY_TEXTS |= {"2026년 11월 20일", "11월 20일", "11/20", "2026-11-20", "2026.11.20"}
SINGLE_DAY_TEXTS |= {"11월 25일", "작년 12월 31일", "12월 31일", "31일", "2월 29일", "말일"}
SINGLE_DAY_TEXTS |= {"지난달 말일"}


@pytest.mark.parametrize(
    ("today", "marked", "start", "end", "label"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_period_table(today: date, marked: str, start: str, end: str, label: str) -> None:
    question = marked.replace("[", "").replace("]", "")
    text = marked[marked.index("[") + 1 : marked.index("]")]
    periods = find_periods(question, today)
    assert len(periods) == 1, periods
    period = periods[0]
    assert (period.start, period.end) == (D(start), D(end))
    assert period.label == label
    assert period.text == text
    assert period.span == (marked.index("["), marked.index("]") - 1)
    assert period.single_day == (text in SINGLE_DAY_TEXTS)
    assert period.end <= today


def test_table_is_thorough() -> None:
    assert len(CASES) >= 60
    assert {c[0] for c in CASES} >= {NOV20, JAN3, LEAP, APR1}


@pytest.mark.parametrize(
    ("today", "question", "message"),
    [
        (NOV20, "13월 매출", "13월은 없는 달입니다."),
        (NOV20, "0월 매출", "0월은 없는 달입니다."),
        (NOV20, "2월 30일 출하", "2월 30일은 없는 날짜입니다."),
        (NOV20, "11/31 출하", "11월 31일은 없는 날짜입니다."),
        (NOV20, "32일 기준", "32일은 없는 날짜입니다."),
        (NOV20, "5분기 실적", "5분기는 없는 분기입니다. 분기는 1~4분기입니다."),
        (LEAP, "2023년 2월 29일", "2023년 2월 29일은 없는 날짜입니다(2023년은 윤년이 아닙니다)."),
        (NOV20, "2030년 매출", "2030년은 아직 오지 않은 기간입니다(오늘 2026년 11월 20일)."),
        (NOV20, "다음 달 매출", "2026년 12월은 아직 오지 않은 기간입니다(오늘 2026년 11월 20일)."),
        (NOV20, "내년 예산", "2027년은 아직 오지 않은 기간입니다(오늘 2026년 11월 20일)."),
        (NOV20, "다음 분기", "2027년 1분기는 아직 오지 않은 기간입니다(오늘 2026년 11월 20일)."),
        (
            NOV20,
            "다음 주 출하",
            "2026년 11월 23일~29일은 아직 오지 않은 기간입니다(오늘 2026년 11월 20일).",
        ),
        (
            NOV20,
            "내일 출하",
            "2026년 11월 21일은 아직 오지 않은 날짜입니다(오늘 2026년 11월 20일).",
        ),
        (
            NOV20,
            "이번 달 25일",
            "2026년 11월 25일은 아직 오지 않은 날짜입니다(오늘 2026년 11월 20일).",
        ),
        (APR1, "올해 하반기", "2026년 하반기는 아직 오지 않은 기간입니다(오늘 2026년 4월 1일)."),
        (
            NOV20,
            "2026-03-31부터 2026-01-01까지",
            "기간의 시작(2026년 3월 31일)이 끝(2026년 1월 1일)보다 늦습니다. "
            "시작과 끝을 확인해 주세요.",
        ),
    ],
)
def test_impossible_and_future_periods(today: date, question: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        find_periods(question, today)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)
    with pytest.raises(PeriodError):
        find_period(question, today)


def test_error_anywhere_in_question_raises() -> None:
    with pytest.raises(PeriodError, match="13월"):
        find_periods("10월과 13월 비교", NOV20)


@pytest.mark.parametrize(
    "question",
    [
        "주문 3개",
        "H107 재고",
        "SO2611015700 출하 상태",
        "5% 할인",
        "10,000원 이상",
        "1년 지난 직원",
        "근속 5년 이상 직원",
        "5년 이상",
        "30분 회의",
        "3일 이내 출하",
        "연차 15일 남았어?",
        "연차는 15일까지 써야 해",
        "1990년생 직원",
        "90년대",
        "10년도 넘게 근무",
        "재고 2025개",
        "3분기 연속 적자",
        "13월의 월급",
        "이번 주문 상태",
        "지난 달성률",
        "이번 주말",
        "지난 해외 출장",
        "전일제 근무",
        "요금월별 청구",
        "구월동 지점",
        "그제서야 알았다",
        "오늘날",
        "이월 재고",
        "2.5월",
        "3/4 이상",
        "출장 1~3일 소요",
        "재고 현황 보여줘",
        "다음 해외 출장 일정",
        "남은 휴가를 내년으로 넘길 수 있어?",
        "다음 달로 연기된 주문",
    ],
)
def test_numbers_that_are_not_periods(question: str) -> None:
    assert find_periods(question, NOV20) == []
    assert find_period(question, NOV20) is None


def _summary(periods: list[Period]) -> list[tuple[str, str, str, tuple[int, int]]]:
    return [(p.start.isoformat(), p.end.isoformat(), p.text, p.span) for p in periods]


def test_two_months_compared() -> None:
    assert _summary(find_periods("10월과 11월 비교", NOV20)) == [
        ("2026-10-01", "2026-10-31", "10월", (0, 3)),
        ("2026-11-01", "2026-11-20", "11월", (5, 8)),
    ]


def test_two_quarters_compared() -> None:
    assert _summary(find_periods("작년 3분기랑 올해 3분기 영업이익", NOV20)) == [
        ("2025-07-01", "2025-09-30", "작년 3분기", (0, 6)),
        ("2026-07-01", "2026-09-30", "올해 3분기", (8, 14)),
    ]


def test_listed_month_takes_the_year_before_it() -> None:
    # On 2026-11-20 a bare 11월 would be 2026's; after "2025년 10월과" it is 2025's.
    assert _summary(find_periods("2025년 10월과 11월 매출", NOV20)) == [
        ("2025-10-01", "2025-10-31", "2025년 10월", (0, 9)),
        ("2025-11-01", "2025-11-30", "11월", (11, 14)),
    ]


def test_last_month_against_this_month_and_two_days() -> None:
    assert _summary(find_periods("지난달 대비 이번 달", NOV20)) == [
        ("2026-10-01", "2026-10-31", "지난달", (0, 3)),
        ("2026-11-01", "2026-11-20", "이번 달", (7, 11)),
    ]
    days = find_periods("어제와 오늘 출하", NOV20)
    assert [(p.start, p.single_day) for p in days] == [(D("2026-11-19"), True), (NOV20, True)]


def test_future_destination_is_left_out_but_a_future_question_is_not() -> None:
    question = "2026년 내 남은 연차가 며칠이고, 다음 해로 최대 며칠까지 이월할 수 있어?"
    assert [p.text for p in find_periods(question, NOV20)] == ["2026년"]
    with pytest.raises(PeriodError) as caught:
        find_periods("다음 해 매출 목표", NOV20)
    assert caught.value.future
    with pytest.raises(PeriodError) as impossible:
        find_periods("13월로 옮겨줘", NOV20)  # impossible stays an error, destination or not
    assert not impossible.value.future


def test_span_inside_a_sentence() -> None:
    question = "한빛상사 지난달에 미수금 얼마야?"
    period = find_period(question, NOV20)
    assert period is not None
    assert period.span == (5, 8)
    assert period.text == "지난달"


def test_find_period_is_the_first_and_keeps_combinations_whole() -> None:
    first = find_period("작년 3월 매출과 올해 3월 매출", NOV20)
    assert first is not None
    assert (first.start, first.end, first.label) == (D("2025-03-01"), D("2025-03-31"), "2025년 3월")


def test_ranges_are_not_single_days() -> None:
    for question in ("10월 1일부터 15일까지", "11월 20일 이후", "어제부터"):
        (period,) = find_periods(question, NOV20)
        assert not period.single_day, question


@pytest.mark.parametrize(
    ("question", "stripped"),
    [
        ("지난달에 한빛상사 미수금", "한빛상사 미수금"),
        ("10월과 11월 한빛상사 매출 비교", "한빛상사 매출 비교"),
        ("2025년 3월부터 6월까지 H107 입고", "H107 입고"),
        ("최근 3개월간 거래처별 매출 상위 5곳", "거래처별 매출 상위 5곳"),
        ("13월 매출", "매출"),  # impossible, still removed; never raises
        ("다음 달 한빛상사", "한빛상사"),
        ("근속 5년 직원 연차", "근속 5년 직원 연차"),
        ("재고 현황", "재고 현황"),
    ],
)
def test_strip_periods(question: str, stripped: str) -> None:
    assert strip_periods(question, NOV20) == stripped


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _one(question: str, today: date) -> Period:
    (period,) = find_periods(question, today)
    return period


def test_calendar_properties_for_every_day() -> None:
    # Two years around the 2024 leap day, each rule checked against plain calendar facts.
    for today in _days(date(2023, 12, 25), date(2025, 1, 5)):
        this_month = _one("이번 달", today)
        assert (this_month.start, this_month.end) == (today.replace(day=1), today)
        last_month = _one("지난달", today)
        assert last_month.end == today.replace(day=1) - timedelta(days=1)
        assert last_month.start == last_month.end.replace(day=1)
        week = _one("이번 주", today)
        assert week.start.weekday() == 0 and 0 <= (today - week.start).days <= 6
        assert week.end == today
        last_week = _one("지난주", today)
        assert last_week.start.weekday() == 0 and last_week.end == week.start - timedelta(days=1)
        quarter = _one("이번 분기", today)
        assert quarter.start.day == 1 and quarter.start.month == 3 * ((today.month - 1) // 3) + 1
        rolling = _one("최근 3개월", today)
        assert rolling.end == today and 89 <= (today - rolling.start).days + 1 <= 92
        year = _one("작년", today)
        assert (year.start, year.end) == (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


@pytest.mark.parametrize("month", range(1, 13))
def test_bare_month_is_the_latest_begun(month: int) -> None:
    for today in (NOV20, JAN3, LEAP, APR1):
        period = _one(f"{month}월 매출", today)
        assert period.start.month == month and period.start.day == 1
        assert period.start <= today < period.start.replace(year=period.start.year + 1)


def test_fast_enough() -> None:
    questions = [
        "한빛상사 지난달 미수금 얼마야?",
        "최근 3개월간 거래처별 매출 상위 5곳 알려줘",
        "연차 규정에서 근속 5년 이상이면 며칠이야?",
        "2025년 3월부터 6월까지 H107 입고 내역",
        "SO2611015700 출하 상태 알려줘",
        "작년 3분기랑 올해 3분기 영업이익 비교",
    ]
    rounds = 200
    started = time.process_time()  # CPU time: other processes on the machine do not count
    for _ in range(rounds):
        for question in questions:
            find_periods(question, NOV20)
    per_question = (time.process_time() - started) / (rounds * len(questions))
    # Measured about 0.1 ms; the bound leaves room for slow machines.
    assert per_question < 0.002


def test_any_mix_of_words_gives_ordered_spans_or_a_period_error() -> None:
    # Seeded mixes of period words, numbers and filler: nothing but PeriodError may escape,
    # periods never overlap and each `text` is exactly the question at its span.
    words = "지난달 이번 주 작년 3월 15일 2025년 ~ 부터 까지 최근 3개월 Q3 분기 13월 2월 30일"
    words += " 말일 기준 연차 근속 5년 11/20 2026-11-20 하반기 올 들어 다음 달 로 과 H107 의"
    vocabulary = words.split()
    rng = random.Random(20261120)
    for _ in range(1500):
        question = "".join(
            rng.choice(vocabulary) + rng.choice(["", " "]) for _ in range(rng.randint(1, 6))
        )
        today = rng.choice([NOV20, JAN3, LEAP, APR1])
        try:
            periods = find_periods(question, today)
        except PeriodError as exc:
            assert exc.message
            continue
        last_end = 0
        for period in periods:
            assert last_end <= period.span[0] < period.span[1]
            assert question[period.span[0] : period.span[1]] == period.text
            assert period.start <= period.end <= today
            last_end = period.span[1]
        assert isinstance(strip_periods(question, today), str)
