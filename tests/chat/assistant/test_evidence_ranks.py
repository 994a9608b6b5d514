"""Job ranks compared on a ladder, and units said aloud matched to their symbols."""

from __future__ import annotations

import pytest

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence import answerable, select_evidence
from dari.chat.assistant.evidence_query import analyse
from dari.chat.assistant.evidence_ranks import rank_fit

DOMESTIC = """| 직급 | 일비 |
| --- | --- |
| 부장·차장 | 40,000원 |
| 과장·대리 | 30,000원 |"""
ABROAD = """| 직급 | 일비(USD) |
| --- | --- |
| 임원 | 100 |
| 부장·차장 | 70 |
| 과장 이하 | 60 |"""
MANUAL = """서보모터 H107 사용 설명서
| 항목 | 사양 |
| --- | --- |
| 정격 출력 | 400 W |
| 정격 전압 | AC 220 V, 단상 |
| 정격 회전수 | 3,000 rpm |"""


@pytest.mark.parametrize(
    ("question", "ranks"),
    [
        ("나 대리인데 해외 출장 일비 얼마야?", (2,)),
        ("과장급 숙박비 상한", (3,)),
        ("신입사원 연차", (0,)),
        ("대리점 할인율", ()),  # 대리점 is a dealer, not a rank
    ],
)
def test_ranks_a_question_names(question: str, ranks: tuple[int, ...]) -> None:
    assert analyse(question).ranks == ranks


def test_rank_ranges() -> None:
    assert rank_fit((2,), "직급 과장 이하, 일비(USD) 60") == 1.0  # 대리 ≤ 과장
    assert rank_fit((4,), "직급 과장 이하") == -1.0  # 차장 is above
    assert rank_fit((5,), "부장급 이상 비즈니스석") == 1.0
    assert rank_fit((2,), "직급 부장·차장") == 0.0  # no range stated


def test_the_row_of_a_rank_range_is_picked() -> None:
    sources = [
        DocSource(1, "t:1", "t", "출장비 규정", {}, DOMESTIC, ["제3조 (국내 출장)"]),
        DocSource(2, "t:2", "t", "출장비 규정", {}, ABROAD, ["제5조 (해외 출장)"]),
    ]
    question = "나 대리인데 해외 출장 일비 얼마야?"
    evidence = select_evidence(question, sources)
    assert any("과장 이하" in e.text and "60" in e.text for e in evidence), evidence
    assert answerable(question, evidence, sources)


def test_a_unit_said_aloud_finds_its_symbol() -> None:
    sources = [DocSource(1, "m:1", "m", "서보모터 H107 사용 설명서", {}, MANUAL)]
    evidence = select_evidence("H107 전압 몇 볼트야?", sources)
    assert any("220 V" in e.text for e in evidence), evidence


def test_a_rank_alias_names_its_row_and_permission_endings() -> None:
    from dari.chat.assistant.evidence_ranks import rank_named

    assert analyse("상무님 해외 출장 일비 얼마야?").ranks == (6,)
    assert rank_named((6,), "임원") and not rank_named((6,), "부장·차장")
    assert analyse("사용설명서 고객한테 보내줘도 돼?").kinds[:1] == ("permission",)
    assert analyse("접지 저항 몇 옴 이하야?").kinds[:1] == ("count:옴",)
