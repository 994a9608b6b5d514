"""Names of people in a question, and questions about another employee's record."""

from __future__ import annotations

import pytest

from dari.chat.router.rules import other_person_record, people


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("김민준 대리 연봉 얼마야?", ["김민준"]),
        ("조현우 팀장님 올해 연차 몇일 쓰셨어?", ["조현우"]),  # title + 님
        ("박지훈님 연락처 알려줘", ["박지훈"]),
        ("장모님 칠순잔치 하는데 회사에서 돈 나와?", []),  # family, not a name
        ("사장님 결재 필요해?", []),
        ("영업팀 과장 출장비 한도", []),  # a team, no name
    ],
)
def test_people(text: str, names: list[str]) -> None:
    assert [name for name, _, _ in people(text)] == names


@pytest.mark.parametrize(
    ("text", "employees", "asker", "other"),
    [
        ("김민준 대리 연봉 얼마야?", [], "임하늘", "김민준"),
        ("박지훈 과장 작년 인사평가 등급 뭐 받았어?", ["박지훈"], "송재원", "박지훈"),
        ("한지민 연락처 알려줘", ["한지민"], "김민준", "한지민"),  # the ERP knows the name
        ("김민준 대리 연봉 얼마야?", [], "김민준", None),  # one's own record
        ("박지훈 과장님 국내 출장 가시는데 일비 얼마야?", [], "임하늘", None),  # a policy
        ("연봉 협상은 언제 해?", [], "임하늘", None),  # nobody named
    ],
)
def test_another_persons_record(
    text: str, employees: list[str], asker: str, other: str | None
) -> None:
    assert other_person_record(text, employees, asker) == other
