"""Words employees say for what documents write (출근 → 시업): found, matched, counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dari.chat.assistant.context import DocSource
from dari.chat.assistant.evidence import answerable, select_evidence
from dari.chat.assistant.evidence_query import analyse
from dari.chat.assistant.synonyms import Synonyms, load, parse
from dari.config.chat import ChatSettings

RULES = """근무시간
1일 근로시간은 8시간으로 한다. 시업 시각은 오전 9시, 종업 시각은 오후 6시로 한다.
유연근무제의 핵심 근무시간은 오전 10시부터 오후 4시까지이다."""
SECURITY = """정보보안 지침
퇴근 시 PC를 종료하고 책상 위에 문서를 두지 않는다.
화면보호기는 10분으로 설정한다."""
EVENTS = """경조휴가
| 구분 | 대상 | 휴가 |
| --- | --- | --- |
| 결혼 | 본인 | 5일 |
| 결혼 | 자녀 | 1일 |
| 사망 | 배우자·부모 | 5일 |
| 사망 | 조부모 | 3일 |"""


def _sources() -> list[DocSource]:
    return [
        DocSource(1, "s:1", "s", "정보보안 지침", {}, SECURITY),
        DocSource(2, "r:1", "r", "취업규칙", {}, RULES),
        DocSource(3, "e:1", "e", "취업규칙", {}, EVENTS),
    ]


def _found(question: str) -> list[tuple[tuple[str, ...], str]]:
    return [(m.forms, m.group[0]) for m in load().find(question)]


def test_words_are_found_by_morphemes_longest_first() -> None:
    assert _found("조부모상 휴가 며칠?") == [(("조부모",), "할머니")]  # not 부모 (parents)
    assert _found("아이디 비번 잊어버렸어") == [(("비", "번"), "비번")]  # 아이디 is not 아이
    assert _found("유연근무제 코어타임 몇시부터?")[1] == (("코어", "타임"), "코어타임")
    assert _found("출장 일정 알려줘") == []


def test_synonyms_find_the_sentence_the_question_means() -> None:
    question = "출근 몇시까지고 퇴근은 몇시에요?"
    none = Synonyms([])
    plain = select_evidence(question, _sources(), synonyms=none)
    assert any("퇴근 시 PC" in e.text for e in plain)  # words alone find the PC rule
    assert all("시업" not in e.text for e in plain)
    assert not answerable(question, plain, _sources(), synonyms=none)
    evidence = select_evidence(question, _sources())
    assert "시업 시각은 오전 9시" in evidence[0].text
    assert answerable(question, evidence, _sources())


def test_a_row_named_by_a_synonym() -> None:
    evidence = select_evidence("할머니 돌아가시면 경조휴가 몇일 나와요?", _sources())
    assert any("조부모" in e.text and "3일" in e.text for e in evidence)
    assert not any("결혼" in e.text for e in evidence)


@pytest.mark.parametrize(
    ("question", "with_synonyms", "without"),
    [
        ("유연근무제 코어타임 몇시부터 몇시까지임?", True, False),
        ("할머니 돌아가시면 휴가 며칠이야?", True, False),
        ("육아휴직은 며칠까지 쓸 수 있어?", False, False),  # meant nowhere either
    ],
)
def test_answerable_counts_a_noun_meant_by_its_synonym(
    question: str, with_synonyms: bool, without: bool
) -> None:
    sources = _sources()
    evidence = select_evidence(question, sources)
    assert answerable(question, evidence, sources) is with_synonyms
    none = Synonyms([])
    evidence = select_evidence(question, sources, synonyms=none)
    assert answerable(question, evidence, sources, synonyms=none) is without


def test_how_much_of_a_period_is_not_money() -> None:
    assert "amount" not in analyse("H107 베어링 교체주기 얼마야?").kinds
    assert "period" in analyse("H107 베어링 교체주기 얼마야?").kinds
    assert "amount" in analyse("출장 숙박비 얼마야?").kinds
    assert "amount" in analyse("정기점검 비용은 얼마야?").kinds


def test_a_company_file_extends_the_groups(tmp_path: Path) -> None:
    extra = tmp_path / "words.txt"
    extra.write_text(
        "# 우리 회사 말\n그룹웨어, 다우오피스, 전자결재\n출근, 등원\n", encoding="utf-8"
    )
    words = load(extra)
    assert words.group_of("다우오피스") == ("그룹웨어", "다우오피스", "전자결재")
    assert "시업" in (words.group_of("등원") or ())  # joined to the built-in group
    assert load().group_of("다우오피스") is None


def test_parse_skips_comments_and_single_words() -> None:
    assert parse("# x\n외톨이\n가, 나 # 끝\n\n다,라,") == [("가", "나"), ("다", "라")]


def test_an_unreadable_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="DARI_CHAT_SYNONYMS_FILE"):
        ChatSettings(synonyms_file=tmp_path / "missing.txt")
    euc_kr = tmp_path / "words.txt"
    euc_kr.write_bytes("출근, 등원\n".encode("euc-kr"))
    with pytest.raises(ValidationError, match=r"not UTF-8.*DARI_CHAT_SYNONYMS_FILE"):
        ChatSettings(synonyms_file=euc_kr)
    with pytest.raises(ValueError, match="DARI_CHAT_SYNONYMS_FILE"):
        load(euc_kr)  # read later (it changed after the start): the same clear error


def test_a_word_in_two_groups_stands_for_both() -> None:
    both = load().group_of("업체") or ()
    assert "거래처" in both and "공급처" in both  # customer and supplier
    customer = load().group_of("거래처") or ()
    assert "공급처" not in customer  # the groups themselves stay apart


def test_a_kinship_prefix_keeps_the_relation() -> None:
    assert _found("친동생 상 당했는데 휴가 며칠?") == [
        (("친동생",), "형제"),
        (("상", "당하"), "돌아가시"),
    ]
    assert _found("큰아버지 생신") == []  # an uncle is no father
    assert [g for _, g in _found("출퇴근 주차 지원돼?")] == ["주차"]  # 출퇴근 is not 퇴근
