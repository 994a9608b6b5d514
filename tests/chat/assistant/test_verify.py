"""The answer check: numbers against cited sources, citations, non-answers, streamed sentences."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dari.chat.assistant.verify import (
    CheckedStream,
    SentenceStream,
    check_answer,
    check_sentence,
    codes_in,
    numbers_in,
    split_sentences,
)

LEAVE = (
    "제5조(연차휴가) 1년 이상 근속한 직원에게 15일의 유급휴가를 준다. "
    "휴가 신청은 사용일 3일 전까지 한다."
)
SALES = (
    "| 거래처 | 매출액(원) | 비율(%) | 납기일 |\n"
    "| 한빛상사 | 3,444,378,066 | 8.35 | 2026-11-20 |\n"
    "| 대성기계 | 1,200,000 | 12 | 2026-06-30 |"
)
TRAVEL = (
    "출장 일비는 하루 50,000원이며 숙박비는 110000원 한도로 한다. "
    "H107 모터 교육은 14:00에 시작한다."
)
SOURCES = {1: LEAVE, 2: SALES, 3: TRAVEL}
QUESTION = "연차휴가는 며칠이야?"


def codes(problems: list) -> set[str]:
    return {p.code for p in problems}


@pytest.mark.parametrize(
    ("said", "source"),
    [
        ("15일", "15 일"),
        ("11만 원", "110,000원"),
        ("11만원", "110000"),
        ("110,000원", "11만 원"),
        ("120만 원", "1,200,000"),
        ("1억 2천만 원", "120,000,000"),
        ("3천5백만 원", "35,000,000원"),
        ("34억 4,437만 원", "3,444,378,066"),  # truncated to 만
        ("34억 4,438만 원", "3,444,378,066"),  # rounded to 만
        ("약 34억 원", "3444378066"),
        ("약 3,444,000,000원", "3,444,378,066"),
        ("8%", "8 %"),
        ("8 %", "8퍼센트"),
        ("8.4%", "8.35"),  # an ERP ratio column holds the bare number
        ("-5%", "△5%"),
        ("1.5배", "1.5 배"),
        ("6월 30일", "6/30"),
        ("6/30", "06-30"),
        ("2026년 11월 20일", "2026-11-20"),
        ("2026-11-20", "2026. 11. 20."),
        ("14:00", "14시"),
        ("오후 2시", "14:00"),
        ("2시", "14:00"),
        ("오전 9시 30분", "09:30"),
        ("30일", "6월 30일"),  # a day of a month is still the source's figure
        ("2026년", "2,026"),  # an ERP year column with a thousands separator
        ("2026 회계연도", "2026년"),
    ],
)
def test_equivalent_forms_are_found(said: str, source: str) -> None:
    sentence = f"해당 값은 {said}입니다 [1]."
    assert check_sentence(sentence, {1: f"기준: {source}."}) == []


@pytest.mark.parametrize(
    ("said", "source"),
    [
        ("17일", "15일"),
        ("12만 원", "110,000원"),
        ("35억 원", "3,444,378,066"),  # neither 34억 truncated nor rounded
        ("34억 4,400만 원", "3,444,378,066"),
        ("1,200,001원", "1,200,000원"),
        ("18%", "8%"),
        ("12.5%", "12.35%"),
        ("6월 3일", "6월 30일"),
        ("2026년 11월 21일", "2026-11-20"),
        ("오후 3시", "14:00"),
        ("오후 2시", "오전 2시"),
        ("18일", "14:00~18:00"),  # an hour is not a count of days
        ("12일", "12월 31일"),  # nor is a month
        ("2,026원", "2026년"),  # nor is a year an amount
    ],
)
def test_a_different_figure_is_not_in_the_source(said: str, source: str) -> None:
    problems = check_sentence(f"해당 값은 {said}입니다 [1].", {1: f"기준: {source}."})
    assert codes(problems) == {"number_not_in_source"}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2026년", "year", Decimal(2026)),
        ("34억 4,437만 원", "number", Decimal(3444370000)),
        ("오후 2시 30분", "time", Decimal(14 * 60 + 30)),
        ("2시간", "number", Decimal(2)),
        ("-5%", "percent", Decimal(-5)),
        ("8퍼센트", "percent", Decimal(8)),
        ("1.5배", "number", Decimal("1.5")),
    ],
)
def test_numbers_are_normalised(text: str, kind: str, value: Decimal) -> None:
    [quantity] = numbers_in(text)
    assert (quantity.kind, quantity.value) == (kind, value)


def test_dates_codes_marks_and_markers() -> None:
    assert [q.date for q in numbers_in("2026. 11. 20.부터 6월 30일까지")] == [
        (2026, 11, 20),
        (None, 6, 30),
    ]
    text = "1. H107과 PO261002032의 납기는 15일 [1]이며 1위입니다."
    assert [q.value for q in numbers_in(text)] == [Decimal(15)]
    assert codes_in(text) == ["H107", "PO261002032"]
    assert numbers_in("[1][2, 3]") == []


def test_the_real_failure_a_bare_mark_and_number() -> None:
    verdict = check_answer("[1] 5", {1: "1년 이상 근속한 직원에게 15일의 유급휴가"}, QUESTION)
    assert not verdict.ok
    assert codes(verdict.problems) == {"only_citations"}


@pytest.mark.parametrize("answer", ["[1]", "[1][2].", "5 [1]", "[1] 5."])
def test_marks_and_bare_numbers_are_not_an_answer(answer: str) -> None:
    assert "only_citations" in codes(check_answer(answer, SOURCES, QUESTION).problems)


def test_a_right_answer_passes_and_a_wrong_number_fails() -> None:
    good = "연차휴가는 1년 이상 근속하면 15일입니다 [1]. 신청은 사용일 3일 전까지 합니다 [1]."
    assert check_answer(good, SOURCES, QUESTION).ok
    wrong = good.replace("15일", "17일")
    verdict = check_answer(wrong, SOURCES, QUESTION)
    assert [(p.code, p.sentence) for p in verdict.problems] == [
        ("number_not_in_source", "연차휴가는 1년 이상 근속하면 17일입니다 [1].")
    ]


def test_numbers_must_be_in_a_cited_source() -> None:
    # 15 is in source 1, but the sentence cites only source 3.
    problems = check_sentence("연차휴가는 15일입니다 [3].", SOURCES)
    assert codes(problems) == {"number_not_in_source"}
    assert check_sentence("연차휴가는 15일입니다 [1, 3].", SOURCES) == []


def test_amounts_in_man_units_against_an_erp_table() -> None:
    answer = "한빛상사 매출은 약 34억 4,437만 원이고 대성기계는 120만 원입니다 [2]."
    assert check_answer(answer, SOURCES, "거래처별 매출 알려줘").ok
    assert not check_answer(answer.replace("120만", "130만"), SOURCES, "매출").ok


def test_figures_from_the_question_are_allowed() -> None:
    answer = "2026년 10월 SO2611015700 주문의 매출은 3,444,378,066원입니다 [2]."
    assert check_answer(answer, SOURCES, "2026년 10월 SO2611015700 주문 매출은?").ok
    problems = check_answer(answer, SOURCES, "주문 매출은?").problems
    assert codes(problems) == {"number_not_in_source", "code_not_in_source"}


def test_a_year_counts_when_any_source_or_the_question_has_it() -> None:
    # 2026 is only in source 2; the sentence cites source 1.
    assert check_sentence("2026년에도 연차휴가는 15일입니다 [1].", SOURCES) == []
    assert codes(check_sentence("2031년에도 연차휴가는 15일입니다 [1].", SOURCES)) == {
        "number_not_in_source"
    }
    assert check_sentence("2031년에도 15일입니다 [1].", SOURCES, question="2031년 연차는?") == []


def test_codes_must_appear_somewhere() -> None:
    assert check_sentence("h107 모터 교육은 14시에 시작합니다 [3].", SOURCES) == []
    assert codes(check_sentence("H108 모터 교육은 14시에 시작합니다 [3].", SOURCES)) == {
        "code_not_in_source"
    }


def test_citations() -> None:
    assert codes(check_sentence("연차휴가는 15일입니다.", SOURCES)) == {"no_citation"}
    assert codes(check_sentence("연차휴가는 15일입니다 [4].", SOURCES)) == {"unknown_source"}
    assert codes(check_sentence("재택근무는 주 2회까지 가능합니다.", SOURCES)) >= {"no_citation"}
    relaxed = check_sentence("연차휴가는 15일입니다.", SOURCES, require_citation=False)
    assert relaxed == []
    wrong = check_sentence("연차휴가는 17일입니다.", SOURCES, require_citation=False)
    assert codes(wrong) == {"number_not_in_source"}


@pytest.mark.parametrize(
    "sentence",
    [
        "도움이 되었길 바랍니다.",
        "더 궁금한 점이 있으신가요?",
        "안녕하세요!",
        "연차휴가 규정은 다음과 같습니다:",
        "제공된 자료에서 찾을 수 없습니다.",
        "네.",
        "### 연차휴가 규정",
        "**연차휴가 요약**",
        "| 거래처 | 매출액 |",
    ],
)
def test_courtesy_and_declines_need_no_citation(sentence: str) -> None:
    assert check_sentence(sentence, SOURCES, question=QUESTION) == []


def test_repeating_the_question_or_the_prompt_fails() -> None:
    for echo in ("연차휴가는 며칠이야?", "연차휴가는 며칠인가요?", "질문: 연차휴가는 며칠이야?"):
        assert "repeats_question" in codes(check_answer(echo, SOURCES, QUESTION).problems)
    prompt = (
        "위 자료를 근거로 한국어 문장으로 답하고, 근거 자료의 번호를 문장 끝에 [1]처럼 붙이세요."
    )
    assert "repeats_prompt" in codes(check_answer(prompt, SOURCES, QUESTION).problems)
    restated = "연차휴가는 며칠이야? 1년 이상 근속하면 15일입니다 [1]."
    assert not check_answer(restated, SOURCES, QUESTION).ok


@pytest.mark.parametrize(
    "answer",
    ["15일입니다 [1].", "네, 가능합니다 [1].", "1년 넘게 일한 직원은 유급휴가를 받습니다 [1]."],
)
def test_short_and_paraphrased_answers_are_not_off_topic(answer: str) -> None:
    assert check_answer(answer, SOURCES, QUESTION).ok


@pytest.mark.parametrize(
    "answer",
    [
        "서울의 오늘 날씨는 맑고 기온은 영상입니다 [1].",
        "연차휴가에 대해 알려드리겠습니다.",
        "네, 알겠습니다.",
    ],
)
def test_an_answer_that_answers_nothing_fails(answer: str) -> None:
    assert codes(check_answer(answer, SOURCES, QUESTION).problems) == {"off_topic"}


def test_empty_answer() -> None:
    assert codes(check_answer("  \n", SOURCES, QUESTION).problems) == {"empty"}


STREAMED = [
    (
        "연차는 15일입니다 [1]. 신청은 3일 전까지 합니다. [1] 감사합니다.",
        ["연차는 15일입니다 [1].", "신청은 3일 전까지 합니다. [1]", "감사합니다."],
    ),
    ("비율은 3.5배이고 금액은 1,200원입니다.", ["비율은 3.5배이고 금액은 1,200원입니다."]),
    (
        "1. 연차는 15일입니다.\n2. 반차도 있습니다 [1]\n[2]\n",
        ["1. 연차는 15일입니다.", "2. 반차도 있습니다 [1]\n[2]"],
    ),
    ("연차는 15일입니다 [1] 반차도 있습니다", ["연차는 15일입니다 [1]", "반차도 있습니다"]),
    (
        "e.g. 예시입니다. 주소는 hanbit.co.kr입니다!",
        ["e.g. 예시입니다.", "주소는 hanbit.co.kr입니다!"],
    ),
    ("기한은 2026. 11. 20.입니다. 끝.", ["기한은 2026. 11. 20.입니다.", "끝."]),
    ("[1] 5", ["[1] 5"]),
    ("| 월 | 금액 |\n| 6월 | 1,200 |", ["| 월 | 금액 |", "| 6월 | 1,200 |"]),
]


@pytest.mark.parametrize(("text", "sentences"), STREAMED)
@pytest.mark.parametrize("step", [1, 2, 3, 7, 1000])
def test_stream_splits_the_same_way_at_any_chunking(
    text: str, sentences: list[str], step: int
) -> None:
    stream = SentenceStream()
    pieces = [p for i in range(0, len(text), step) for p in stream.feed(text[i : i + step])]
    pieces += stream.flush()
    assert "".join(pieces) == text  # nothing lost, nothing added: pieces can be sent as is
    assert [p.strip() for p in pieces if p.strip()] == sentences == split_sentences(text)


def test_stream_waits_until_a_sentence_has_certainly_ended() -> None:
    stream = SentenceStream()
    assert stream.feed("연차는 15일입니다") == []
    assert stream.feed(".") == []  # a mark may still follow
    assert stream.feed(" [") == []
    assert stream.feed("1] 다") == ["연차는 15일입니다. [1] "]
    assert stream.feed("음은 3.") == []  # 3.5 or the end?
    assert stream.feed("5배입니다. ") == []
    assert stream.feed("끝") == ["다음은 3.5배입니다. "]
    assert stream.flush() == ["끝"]


def test_checked_stream_releases_only_checked_sentences() -> None:
    answer = "연차휴가는 15일입니다 [1]. 신청은 3일 전까지 합니다 [1]. 도움이 되었길 바랍니다."
    stream = CheckedStream(SOURCES, QUESTION)
    sent = "".join(stream.feed(ch) for ch in answer)
    rest, verdict = stream.finish()
    assert (sent + rest, verdict.ok) == (answer, True)

    wrong = answer.replace("3일", "5일")
    stream = CheckedStream(SOURCES, QUESTION)
    sent = "".join(stream.feed(ch) for ch in wrong)
    rest, verdict = stream.finish()
    assert sent + rest == "연차휴가는 15일입니다 [1]. "
    assert check_answer(sent + rest, SOURCES, QUESTION).ok  # what was shown stands on its own
    assert codes(verdict.problems) == {"number_not_in_source"}


def test_checked_stream_holds_an_introduction_until_an_answer_follows() -> None:
    stream = CheckedStream(SOURCES, QUESTION)
    assert stream.feed("연차휴가 규정은 다음과 같습니다. ") == ""
    assert stream.feed("1년 이상이면 15일입니다 [1]. ") == ""
    assert stream.feed("끝") == "연차휴가 규정은 다음과 같습니다. 1년 이상이면 15일입니다 [1]. "

    intro_only = CheckedStream(SOURCES, QUESTION)
    assert intro_only.feed("연차휴가에 대해 알려드리겠습니다.") == ""
    rest, verdict = intro_only.finish()
    assert (rest, codes(verdict.problems)) == ("", {"off_topic"})


@pytest.mark.parametrize(
    "answer",
    [
        "[1] 5",
        "연차휴가는 15일입니다 [1].",
        "연차휴가는 17일입니다 [1]. 도움이 되었길 바랍니다.",
        "연차휴가는 며칠인가요?",
        "네, 알겠습니다.",
        "제공된 자료에서 찾을 수 없습니다.",
        "한빛상사 매출은 34억 4,437만 원입니다 [2]. 대성기계는 [5] 120만 원입니다.",
    ],
)
def test_checked_stream_agrees_with_check_answer(answer: str) -> None:
    stream = CheckedStream(SOURCES, QUESTION)
    for i in range(0, len(answer), 4):
        stream.feed(answer[i : i + 4])
    _, verdict = stream.finish()
    assert verdict.ok == check_answer(answer, SOURCES, QUESTION).ok


def test_an_answer_to_a_different_question_fails() -> None:
    travel = "출장 일비는 얼마야?"
    verdict = check_answer("연차휴가는 1년 이상 근속하면 15일입니다 [1].", SOURCES, travel)
    assert codes(verdict.problems) == {"off_topic"}
    assert check_answer("출장 일비는 하루 5만 원입니다 [3].", SOURCES, travel).ok
    # No source shares the question's words (급여 vs 임금): nothing better was at hand.
    pay = {1: "임금은 매월 25일에 지급한다."}
    assert check_answer("매월 25일에 지급됩니다 [1].", pay, "급여일이 언제야?").ok


def test_list_items_take_the_marks_of_their_introduction() -> None:
    listed = (
        "거래처별 매출은 다음과 같습니다 [2].\n- 한빛상사: 3,444,378,066원\n- 대성기계: 120만 원\n"
    )
    assert check_answer(listed, SOURCES, "거래처별 매출은?").ok
    wrong = listed.replace("120만", "130만")
    assert codes(check_answer(wrong, SOURCES, "거래처별 매출은?").problems) == {
        "number_not_in_source"
    }
    unmarked = listed.replace(" [2]", "")
    assert codes(check_answer(unmarked, SOURCES, "거래처별 매출은?").problems) == {"no_citation"}
    table = "매출은 다음과 같습니다 [2].\n\n| 거래처 | 매출액 |\n|---|---|\n| 대성 | 120만 원 |"
    assert check_answer(table, SOURCES, "거래처별 매출은?").ok
    # A plain sentence after the list lends nothing and borrows nothing.
    after = listed + "한빛상사가 가장 큽니다."
    assert codes(check_answer(after, SOURCES, "거래처별 매출은?").problems) == {"no_citation"}
