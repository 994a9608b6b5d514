"""Korean rules around the classifier: clauses, follow-ups, unknown companies, people."""

from __future__ import annotations

import pytest

from dari.chat.router import rules
from dari.chat.router.features import Mention
from dari.chat.router.plan import Choice, RoutePlan, ToolCall


def _pieces(text: str) -> list[str]:
    return [text[s:e].strip(" ,") for s, e in rules.clauses(text)]


def test_clauses_split_two_questions() -> None:
    assert _pieces("모터 재고가 몇 개 있고, 보증 기간은 어떻게 돼?") == [
        "모터 재고가 몇 개 있고",
        "보증 기간은 어떻게 돼?",
    ]
    assert len(_pieces("안전재고 미달 품목이 몇 개인지 긴급 발주 결재는 언제 받는지 알려줘")) == 2
    assert _pieces("연차 규정 알려줘") == ["연차 규정 알려줘"]


@pytest.mark.parametrize(
    ("text", "mentions", "expected"),
    [
        ("그럼 지난달은?", [Mention("period", 3, 6)], True),
        ("2팀은?", [Mention("department", 0, 2)], True),
        ("세원테크는?", [Mention("customer", 0, 4)], True),
        ("그 중 제일 큰 거래처는?", [], True),
        ("재고 부족한 품목 보여줘", [], False),
        ("출장비 규정 알려줘", [], False),
    ],
)
def test_follow_up(text: str, mentions: list[Mention], expected: bool) -> None:
    assert rules.is_follow_up(text, mentions) is expected


def test_unknown_company_only_when_not_linked() -> None:
    assert rules.unknown_companies("없는상사 미수금 얼마야?", []) == ["없는상사"]
    assert rules.unknown_companies("㈜대박산업의 매출", []) == ["대박산업"]
    assert rules.unknown_companies("한빛상사 미수금", [Mention("customer", 0, 4)]) == []
    assert rules.unknown_companies("재고 부족한 품목", []) == []


def test_people_with_titles() -> None:
    assert [p[0] for p in rules.people("김민준 대리 남은 연차 알려줘")] == ["김민준"]
    assert rules.people("과장이 해외 출장을 가면") == []


def test_plan_round_trip() -> None:
    plan = RoutePlan(
        intent="erp",
        route="sales_by_period",
        calls=[ToolCall("sales_by_period", {"date_from": "2026-10-01"}, {"period": "10월"})],
        choices=[Choice("a", "b")],
    )
    data = plan.to_json()
    assert data["erp_tool_calls"] == [
        {"tool": "sales_by_period", "arguments": {"date_from": "2026-10-01"}}
    ]
    back = RoutePlan.from_json(data)
    assert back is not None and back.calls[0].labels == {"period": "10월"}
    assert RoutePlan.from_json({"intent": "erp"}) is None  # the first release's format
    assert RoutePlan.from_json(None) is None
