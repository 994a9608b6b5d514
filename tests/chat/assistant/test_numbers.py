"""Digit-dash codes next to Korean: read whole, whatever particle or word touches them."""

from __future__ import annotations

import pytest

from dari.chat.assistant.numbers import codes_in, numbers_in
from dari.chat.assistant.verify import check_answer


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("사업자등록번호는 438-12-72990입니다.", "438-12-72990"),
        ("대표 번호 02-1234-5678로 연락하세요.", "02-1234-5678"),
        ("휴대폰010-1234-5678은 담당자 번호", "010-1234-5678"),
        ("438-12-72990", "438-12-72990"),
        ("번호: 438-12-72990, 확인", "438-12-72990"),
    ],
)
def test_a_digit_dash_code_followed_or_preceded_by_hangul_is_one_code(text: str, code: str) -> None:
    assert codes_in(text) == [code]
    assert numbers_in(text) == []


def test_a_code_inside_a_longer_ascii_token_is_still_not_cut_out() -> None:
    # Letters or another dash glued to it: not a digit-dash identifier (as before).
    assert codes_in("1-2-3x") == []
    assert codes_in("1-2-3-") == []


def test_the_answer_check_reads_a_code_with_a_particle_as_that_code() -> None:
    source = "거래처 정보: 한빛상사, 사업자등록번호 438-12-72990, 대표 김한빛"
    verdict = check_answer(
        "한빛상사의 사업자등록번호는 438-12-72990입니다 [1].",
        {1: source},
        "한빛상사 사업자등록번호 알려줘",
    )
    assert verdict.ok, verdict.problems
    # A different code is still caught.
    wrong = check_answer(
        "한빛상사의 사업자등록번호는 438-12-72991입니다 [1].",
        {1: source},
        "한빛상사 사업자등록번호 알려줘",
    )
    assert not wrong.ok
