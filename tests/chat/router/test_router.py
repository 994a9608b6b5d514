"""The router over the sample catalog: routes, arguments, refusals, follow-ups, clauses.

Real parts throughout: the sample catalog's examples train the classifier (once per module),
the Korean period parser, and the entity matcher over master-data rows written here
(what the ERP would return), split into what the user may see and everything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dari.chat.router.plan import RoutePlan
from dari.chat.router.service import Router, RouterInput, training_mentions
from dari.chat.router.training import all_examples, train
from dari.chat.routing import link_mentions
from dari.erp.catalog import load_catalog
from dari.erp.entities_index import Entity, EntityIndex
from dari.erp.sample import CATALOG_PATH

TODAY = date(2026, 11, 20)
EVERYONE = [
    Entity("customer", "C0001", "한빛상사"),
    Entity("customer", "C0007", "세원테크"),
    Entity("customer", "C0004", "태광엔지니어링"),
    Entity("customer", "C0008", "금강물산"),
    Entity("customer", "C0048", "금강물산"),
    Entity("item", "P00007", "모터 H107"),
    Entity("category", "모터", "모터"),
    Entity("department", "D110", "영업1팀"),
    Entity("department", "D120", "영업2팀"),
    Entity("employee", "E1001", "김민준"),
    Entity("employee", "E1003", "박지훈"),
]
SALES_TOOLS = {
    "sales_by_period",
    "sales_by_customer",
    "top_customers",
    "receivables_by_customer",
    "customer_info",
    "order_detail",
    "stock_by_item",
    "my_leave_balance",
}


@pytest.fixture(scope="module")
def router() -> Router:
    catalog = load_catalog(CATALOG_PATH)
    everything = EntityIndex(EVERYONE)

    def spans(text: str) -> list[Any]:
        return link_mentions(everything, None, text)

    model = train(all_examples(catalog), training_mentions(catalog, lambda t: spans(t)))
    return Router(model, catalog)


def ask(
    router: Router,
    question: str,
    *,
    visible: list[str] | None = None,
    tools: set[str] = SALES_TOOLS,
    previous: RoutePlan | None = None,
    attributes: dict[str, str] | None = None,
    name: str = "김민준",
) -> RoutePlan:
    everything = EntityIndex(EVERYONE)
    mine = EntityIndex([e for e in EVERYONE if visible is None or e.code in visible])
    return router.route(
        RouterInput(
            question=question,
            today=TODAY,
            allowed_tools=tools,
            attributes=attributes or {"department_code": "D110", "erp_employee_code": "E1001"},
            display_name=name,
            find_entities=lambda text: link_mentions(everything, mine, text),
            previous=previous,
        )
    )


def calls(plan: RoutePlan) -> list[tuple[str, dict[str, Any]]]:
    return [
        (c.tool, {k: v for k, v in c.arguments.items() if v is not None and k != "limit"})
        for c in plan.calls
    ]


def test_customer_question_gets_tool_and_linked_code(router: Router) -> None:
    plan = ask(router, "세원테크 미수금 얼마나 남았어?")
    assert plan.intent == "erp"
    assert calls(plan) == [
        ("receivables_by_customer", {"as_of": "2026-11-20", "customer": "C0007"})
    ]
    assert plan.calls[0].labels["customer"] == "세원테크"


def test_period_words_become_dates_of_the_turn(router: Router) -> None:
    plan = ask(router, "지난달 매출 합계 알려줘")
    assert calls(plan) == [
        ("sales_by_period", {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    ]
    assert plan.calls[0].labels["period"] == "2026년 10월"


def test_documents_chitchat_and_out_of_scope(router: Router) -> None:
    assert ask(router, "경조휴가 규정이 어떻게 돼?").intent == "doc_qa"
    assert ask(router, "좋은 아침이에요 다리님").intent == "chitchat"
    assert ask(router, "이번 주말 날씨 알려줘").intent == "out_of_scope"
    english = ask(router, "How many leave days do I have?")
    assert english.refusal_code == "not_korean" and "한국어" in (english.refusal or "")


def test_tool_without_permission_is_blocked(router: Router) -> None:
    plan = ask(router, "한빛상사 미수금 얼마야?", tools={"my_leave_balance"})
    assert plan.calls[0].tool == "receivables_by_customer"
    assert plan.calls[0].blocked_code == "erp_forbidden" and "권한이 없" in plan.calls[0].blocked


def test_entity_the_user_may_not_see_is_blocked_without_naming_it(router: Router) -> None:
    plan = ask(router, "태광엔지 미수금 알려줘", visible=["C0001", "C0007"])
    call = plan.calls[0]
    assert call.blocked_code == "not_found"
    assert "태광엔지니어링" not in (call.blocked or "")  # the canonical name would confirm it
    # Outside the scope and not existing read the same: nothing tells them apart.
    unknown = ask(router, "없는상사 미수금 알려줘", visible=["C0001", "C0007"]).calls[0]
    assert unknown.blocked_code == call.blocked_code
    assert (call.blocked or "").replace("태광엔지", "X") == (unknown.blocked or "").replace(
        "없는상사", "X"
    )


def test_unknown_company_and_impossible_period(router: Router) -> None:
    unknown = ask(router, "없는상사 미수금 얼마야?")
    assert unknown.calls[0].blocked_code == "not_found" and "없는상사" in unknown.calls[0].blocked
    month = ask(router, "13월 매출 알려줘")
    assert month.calls[0].blocked_code == "bad_period" and "13월" in month.calls[0].blocked
    future = ask(router, "2030년 매출은?")
    assert future.calls[0].blocked_code == "bad_period"


def test_another_persons_leave_is_refused(router: Router) -> None:
    plan = ask(router, "박지훈 대리 연차 며칠 남았어?")
    assert (
        plan.calls[0].tool == "my_leave_balance" and plan.calls[0].blocked_code == "erp_forbidden"
    )
    own = ask(router, "올해 내 연차 며칠 남았어?")
    assert calls(own) == [("my_leave_balance", {"year": 2026})] and not own.calls[0].blocked


def test_two_equal_names_ask_back_with_choices(router: Router) -> None:
    plan = ask(router, "금강물산 미수금 알려줘")
    assert plan.needs_clarification and len(plan.choices) == 2
    assert {c.text for c in plan.choices} == {"C0008 미수금 알려줘", "C0048 미수금 알려줘"}
    assert "C0008" in (plan.clarification or "")


def test_follow_ups_change_only_what_they_name(router: Router) -> None:
    first = ask(router, "이번 달 우리 팀 매출 얼마야?", tools=SALES_TOOLS | {"sales_by_department"})
    assert calls(first) == [
        (
            "sales_by_period",
            {"date_from": "2026-11-01", "date_to": "2026-11-20", "department": "D110"},
        )
    ]
    again = RoutePlan.from_json(first.to_json())
    second = ask(router, "그럼 지난달은?", previous=again)
    assert second.source == "follow_up"
    assert calls(second) == [
        (
            "sales_by_period",
            {"date_from": "2026-10-01", "date_to": "2026-10-31", "department": "D110"},
        )
    ]
    third = ask(router, "그 중 제일 큰 거래처는?", previous=RoutePlan.from_json(second.to_json()))
    assert calls(third) == [
        (
            "top_customers",
            {"date_from": "2026-10-01", "date_to": "2026-10-31", "department": "D110", "top": 1},
        )
    ]


def test_two_clauses_make_a_mixed_plan_each_with_its_own_conditions(router: Router) -> None:
    plan = ask(router, "올해 내 연차 며칠 남았고, 다음 해로 최대 며칠까지 이월할 수 있어?")
    assert plan.intent == "mixed"
    assert calls(plan) == [("my_leave_balance", {"year": 2026})]
    assert "이월" in plan.search_query


def test_codes_and_ranks(router: Router) -> None:
    order = ask(router, "SO2611015700 수주 품목별 잔량 알려줘")
    assert calls(order) == [("order_detail", {"order_no": "SO2611015700"})]
    top = ask(router, "올해 매출 상위 3개 거래처", tools=SALES_TOOLS)
    assert calls(top)[0][1]["top"] == 3


def test_a_document_question_naming_a_customer_gets_its_data_too(router: Router) -> None:
    plan = ask(router, "세원테크랑 거래 조건이 어떻게 돼?")
    assert plan.intent == "mixed" and plan.search_query
    assert calls(plan) == [("customer_info", {"customer": "C0007"})]


ALL_TOOLS = SALES_TOOLS | {
    "sales_by_item",
    "stock_shortages",
    "purchase_order_status",
    "top_items",
    "department_leave",
}


def test_a_count_of_orders_is_not_a_status_filter(router: Router) -> None:
    # 건수 starts with 건 ("발주 건" names the state 발주); a count must not become a filter.
    plan = ask(router, "2026년 10월 발주 건수랑 발주 금액 합계 알려줘", tools=ALL_TOOLS)
    assert calls(plan) == [
        ("purchase_order_status", {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    ]
    stated = ask(router, "지난달 발주 상태인 건 보여줘", tools=ALL_TOOLS)
    assert calls(stated)[0][1].get("status") == "발주"


def test_a_named_category_is_never_dropped(router: Router) -> None:
    # The held-out failure: the per-period total won by its score and 모터 was silently
    # dropped. Whether the per-item sales are likely enough to win depends on the trained
    # model (0.20 on the demo data, below 0.1 here); either way no total ignores 모터.
    plan = ask(router, "올해 3분기 모터 품목군 매출 합계 알려줘", tools=ALL_TOOLS)
    period = {"date_from": "2026-07-01", "date_to": "2026-09-30"}
    if plan.needs_clarification:
        assert calls(plan) == [("sales_by_period", period)]
        assert "품목군('모터')으로 거를 수 없어" in (plan.clarification or "")
        assert "품목별 매출 수량과 공급가액" in (plan.clarification or "")
    else:
        assert calls(plan) == [("sales_by_item", {**period, "category": "모터"})]


def test_a_runner_up_is_preferred_only_if_likely_and_about_the_question(router: Router) -> None:
    from dari.chat.router.classifier import Prediction
    from dari.chat.router.features import Mention

    question = "올해 3분기 모터 품목군 매출 합계 알려줘"
    spans = [Mention("period", 0, 6), Mention("category", 7, 9)]
    ranked = [("sales_by_period", 0.617), ("sales_by_item", 0.204), ("top_items", 0.05)]
    assert router._rerank(Prediction(ranked), spans, question) == "sales_by_item"
    # Negligible (below `takes_named`) but the only tool the user may call that takes it and
    # gives 매출: chosen (see the next test); without permission for it the call asks back.
    unlikely = [("sales_by_period", 0.9), ("sales_by_item", 0.05), ("top_items", 0.02)]
    assert router._rerank(Prediction(unlikely), spans, question) == "sales_by_item"
    allowed = ALL_TOOLS - {"sales_by_item"}
    assert router._rerank(Prediction(unlikely), spans, question, allowed) == "sales_by_period"
    # Likely, but about something else: a customer named in a stock question does not
    # turn it into the customer's details.
    stock = "세원테크 재고"
    ranked = [("stock_by_item", 0.56), ("customer_info", 0.2), ("sales_by_customer", 0.09)]
    assert router._rerank(Prediction(ranked), [Mention("customer", 0, 4)], stock) == "stock_by_item"


def test_a_name_the_tool_cannot_take_asks_back_instead_of_answering(router: Router) -> None:
    # No tool of the question's kind takes the category: no total "as if" it were 모터's.
    plan = ask(router, "이번 달 모터 H107 매출 합계 알려줘", tools=ALL_TOOLS)
    assert plan.calls[0].tool == "sales_by_period" and not plan.calls[0].blocked
    assert plan.needs_clarification
    assert "품목('모터 H107')으로 거를 수 없어" in (plan.clarification or "")
    assert "품목의 창고별 현재고" in (plan.clarification or "")  # a tool that can take it
    # Without permission for that tool it is not offered.
    narrow = ask(
        router, "이번 달 모터 H107 매출 합계 알려줘", tools=SALES_TOOLS - {"stock_by_item"}
    )
    assert narrow.needs_clarification and "현재고" not in (narrow.clarification or "")


def test_a_department_the_user_may_not_see_reads_as_not_found_for_any_tool(
    router: Router,
) -> None:
    # 영업2팀 is outside the user's scope; receivables cannot take a department at all, and
    # the answer is still the one for a name that does not exist (no existence leak).
    plan = ask(router, "영업2팀 미수금 얼마야?", visible=["C0001", "D110"])
    assert plan.calls[0].blocked_code == "not_found"
    assert not plan.needs_clarification


def test_a_company_the_tool_cannot_take_reads_the_same_whether_hidden_or_unknown(
    router: Router,
) -> None:
    hidden = ask(router, "태광엔지니어링 재고 얼마나 있어?", visible=["C0001", "C0007"])
    unknown = ask(router, "백두엔지니어링 재고 얼마나 있어?", visible=["C0001", "C0007"])
    assert hidden.calls[0].blocked_code == unknown.calls[0].blocked_code == "not_found"
    assert not hidden.needs_clarification and not unknown.needs_clarification
    # A customer the user may see: the stock cannot be narrowed to it, so it asks back.
    mine = ask(router, "세원테크 재고 얼마나 있어?", visible=["C0001", "C0007"])
    assert mine.calls[0].tool == "stock_by_item" and not mine.calls[0].blocked
    assert mine.needs_clarification and "거래처('세원테크')로" in (mine.clarification or "")


def test_the_only_tool_taking_a_named_kind_is_used_however_unlikely(router: Router) -> None:
    # The held-out failure: 베어링 (a category) needs the per-item sales, scored 0.049, and the
    # router asked back naming that very tool.
    from dari.chat.router.classifier import Prediction
    from dari.chat.router.features import Mention

    question = "작년 4분기 베어링 매출 얼마였어?"
    spans = [Mention("period", 0, 6), Mention("category", 7, 10)]
    ranked = [("sales_by_period", 0.56), ("top_items", 0.2), ("sales_by_item", 0.049)]
    assert router._rerank(Prediction(ranked), spans, question, ALL_TOOLS) == "sales_by_item"
    # Two tools taking a category are about what is asked (수량: sold, or short in stock):
    # no guess, the call asks back.
    both = "작년 4분기 베어링 수량 얼마였어?"
    ranked = [("sales_by_period", 0.56), ("top_items", 0.2), ("stock_shortages", 0.04)]
    tools = ALL_TOOLS | {"stock_shortages"}
    assert router._rerank(Prediction(ranked), spans, both, tools) == "sales_by_period"
    # Through the router, whatever the model scores: the category is applied.
    plan = ask(router, "작년 4분기 모터 매출 얼마였어?", tools=ALL_TOOLS)
    assert calls(plan) == [
        ("sales_by_item", {"date_from": "2025-10-01", "date_to": "2025-12-31", "category": "모터"})
    ]
    assert not plan.needs_clarification


def test_a_group_of_people_never_goes_to_a_tool_of_ones_own_data(router: Router) -> None:
    # The held-out failure: "우리 팀원들 …" scored the user's own leave 0.41, the department's
    # 0.36. Self-only is read from the catalog (every row-scope rule binds the user's own
    # employee code), not from the tool's name.
    from dari.chat.router.calls import about_group, self_only
    from dari.chat.router.classifier import Prediction

    assert self_only(router.tools["my_leave_balance"])
    assert not self_only(router.tools["department_leave"])
    assert not self_only(router.tools["sales_by_period"])
    assert about_group(router.tools["department_leave"])
    assert about_group(router.tools["sales_by_department"])
    ranked = [("my_leave_balance", 0.41), ("department_leave", 0.36), ("doc_qa", 0.1)]
    for question in (
        "우리 팀원들 남은 연차 다 합치면 며칠이야?",
        "부서원 연차 며칠씩 남았어?",
        "우리 팀 사람들 휴가 얼마나 썼어?",
        "직원들 남은 연차 알려줘",
        "다들 연차 며칠 남았어?",
    ):
        assert router._rerank(Prediction(ranked), [], question) == "department_leave", question
    # One's own leave stays one's own.
    assert router._rerank(Prediction(ranked), [], "내 남은 연차 며칠이야?") == "my_leave_balance"
    # A department tool about something else is no candidate.
    other = [("my_leave_balance", 0.41), ("sales_by_department", 0.36), ("doc_qa", 0.1)]
    group = "우리 팀원들 남은 연차 다 합치면 며칠이야?"
    assert router._rerank(Prediction(other), [], group) == "my_leave_balance"


def test_no_permission_names_the_tool_without_its_parenthesis(router: Router) -> None:
    # "우리 부서(하위 부서 포함) 직원의 연차 현황" was cut at "(" into "'우리 부서'".
    plan = ask(router, "우리 팀원들 연차 현황 보여줘")
    call = plan.calls[0]
    assert call.tool == "department_leave" and call.blocked_code == "erp_forbidden"
    assert (call.blocked or "").startswith("'우리 부서 직원의 연차 현황' 데이터를 조회할 권한이")
