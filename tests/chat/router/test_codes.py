"""Codes that name nothing the user may see ("S200 재고"): refused like an unknown name, never
answered as if no filter had been given, and a hidden code reads exactly like a missing one.

The classifier is trained on the sample catalog (once per module); master data is written here
(what the ERP would return), split into what the user may see and everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from dari.chat.router import codes, messages
from dari.chat.router.arguments import Mentioned
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
    Entity("customer", "C0004", "태광엔지니어링"),  # another team's customer for the rep
    Entity("customer", "C0007", "세원테크"),
    Entity("customer", "C0010", "대성물산"),
    Entity("supplier", "S0001", "금강테크"),
    Entity("supplier", "S0002", "청운기계"),
    Entity("item", "P00001", "베어링 B101"),
    Entity("item", "P00007", "모터 H107"),
    Entity("item", "P00096", "센서 S196"),
    Entity("item", "P00122", "볼트 S222"),
    Entity("item", "P00155", "실린더 D155"),
    Entity("category", "모터", "모터"),
    Entity("warehouse", "W01", "본사 창고"),
    Entity("warehouse", "W02", "평택 물류센터"),
    Entity("department", "D100", "영업본부"),
    Entity("department", "D110", "영업1팀"),
    Entity("department", "D120", "영업2팀"),
    Entity("employee", "E1001", "김민준"),
    Entity("employee", "E1003", "박지훈"),
]
REP = [e.code for e in EVERYONE if e.code not in {"C0004", "C0010", "D100", "D120", "E1003"}]
TOOLS = {
    "sales_by_period",
    "sales_by_customer",
    "receivables_by_customer",
    "customer_info",
    "order_detail",
    "stock_by_item",
    "purchase_order_status",
    "my_leave_balance",
}


@pytest.fixture(scope="module")
def router() -> Router:
    catalog = load_catalog(CATALOG_PATH)
    everything = EntityIndex(EVERYONE)
    model = train(
        all_examples(catalog),
        training_mentions(catalog, lambda text: link_mentions(everything, None, text)),
    )
    return Router(model, catalog)


def ask(
    router: Router,
    question: str,
    *,
    visible: Sequence[str] | None = None,
    everyone: Sequence[Entity] = EVERYONE,
    tools: set[str] = TOOLS,
) -> RoutePlan:
    everything = EntityIndex(everyone)
    mine = EntityIndex([e for e in everyone if visible is None or e.code in visible])

    def closest(kind: str, mention: str) -> list[str]:
        return [m.name for m in mine.closest(kind, mention, n=3)]

    return router.route(
        RouterInput(
            question=question,
            today=TODAY,
            allowed_tools=tools,
            attributes={"department_code": "D110", "erp_employee_code": "E1001"},
            display_name="김민준",
            find_entities=lambda text: link_mentions(everything, mine, text),
            closest=closest,
        )
    )


def blocked(plan: RoutePlan) -> tuple[str | None, str]:
    call = plan.calls[0]
    return call.blocked_code, call.blocked or ""


def test_a_code_no_entity_has_is_refused_not_answered_for_everything(router: Router) -> None:
    plan = ask(router, "S200 재고 몇 개야")
    assert [c.tool for c in plan.calls] == ["stock_by_item"]
    assert "item" not in plan.calls[0].arguments  # never the whole stock "as if" for S200
    assert blocked(plan) == (
        "not_found",
        "조회할 수 있는 품목 중에서 'S200'을(를) 찾을 수 없습니다(조회 권한이 없거나 없는 "
        "품목입니다). 비슷한 코드: 센서 S196, 볼트 S222.",
    )
    # The same for a customer, a supplier, a warehouse, an item number: the kind is the one
    # the ERP's codes of that shape are.
    assert blocked(ask(router, "C0999 미수금 얼마야?")) == (
        "not_found",
        "조회할 수 있는 거래처 중에서 'C0999'을(를) 찾을 수 없습니다(조회 권한이 없거나 없는 "
        "거래처입니다).",
    )
    supplier = ask(router, "S0009 발주 현황 보여줘")
    assert supplier.calls[0].tool == "purchase_order_status"
    assert blocked(supplier)[0] == "not_found" and "공급처 중에서 'S0009'" in blocked(supplier)[1]
    assert "금강테크(S0001)" in blocked(supplier)[1]
    warehouse = ask(router, "W09 창고 재고 알려줘")
    assert "창고 중에서 'W09'" in blocked(warehouse)[1]
    item = ask(router, "P00099 재고 알려줘")
    assert blocked(item)[0] == "not_found" and "품목 중에서 'P00099'" in blocked(item)[1]


def test_a_code_the_tool_cannot_take_is_refused_too(router: Router) -> None:
    # An item code in a sales question: not the total sales "as if" for S200.
    plan = ask(router, "이번 달 S200 매출 얼마야?")
    assert plan.calls and blocked(plan)[0] == "not_found"
    assert "품목 중에서 'S200'" in blocked(plan)[1]
    # A customer code in a stock question, hidden from the rep or missing alike.
    assert blocked(ask(router, "C0004 재고 알려줘", visible=REP))[0] == "not_found"


def test_a_hidden_code_reads_exactly_like_a_missing_one(router: Router) -> None:
    # The same question in two ERPs: C0004 belongs to another team, or there is no C0004.
    # Everything the user gets — route, tools, arguments, sentence, suggestions — is the same.
    without = [e for e in EVERYONE if e.code != "C0004"]
    for question in (
        "C0004 미수금 알려줘",
        "C0004 매출",
        "C0004 재고 알려줘",
        "C0004 거래처 정보 보여줘",
    ):
        hidden = ask(router, question, visible=REP)
        missing = ask(router, question, visible=REP, everyone=without)
        assert hidden.to_json() == missing.to_json(), question
        assert blocked(hidden)[0] == "not_found", question
        assert "태광엔지니어링" not in blocked(hidden)[1]
    # Suggestions are codes the user may see, nearest first.
    assert blocked(ask(router, "C0004 미수금 알려줘", visible=REP))[1].endswith(
        " 비슷한 코드: 한빛상사(C0001), 세원테크(C0007)."
    )
    # Another person's employee code: the code, never the name behind it.
    person = ask(router, "E1003 연차 며칠 남았어?", visible=REP)
    gone = ask(
        router,
        "E1003 연차 며칠 남았어?",
        visible=REP,
        everyone=[e for e in EVERYONE if e.code != "E1003"],
    )
    assert person.to_json() == gone.to_json()
    assert "박지훈" not in (person.calls[0].blocked or "")


def test_the_finder_is_never_asked_about_the_code_itself() -> None:
    asked: list[str] = []

    def finder(text: str) -> list[Mentioned]:
        asked.append(text)
        return []

    assert codes.unseen_codes("S200 재고", [], finder, []) == []
    assert asked and all("S200" not in text.split() for text in asked)


def test_codes_the_user_may_see_and_other_shapes_are_unchanged(router: Router) -> None:
    known = ask(router, "B101 재고 몇 개야")
    assert known.calls[0].arguments.get("item") == "P00001" and not known.calls[0].blocked
    order = ask(router, "SO2611019999 수주 품목별 잔량 알려줘")
    assert order.calls[0].tool == "order_detail" and not order.calls[0].blocked
    assert order.calls[0].arguments["order_no"] == "SO2611019999"
    year = ask(router, "2026년 매출 합계 알려줘")
    assert not year.calls[0].blocked
    # Model numbers in document questions stay document questions.
    assert ask(router, "서보모터 에러코드 E03 뜨면 어떻게 조치해?").intent == "doc_qa"
    assert ask(router, "H107 설치할 때 주의사항 알려줘").intent == "doc_qa"


def test_a_shared_shape_is_read_as_the_kind_the_tool_takes(router: Router) -> None:
    # D1## are departments and item numbers here: a stock question means an item.
    stock = ask(router, "D150 재고 알려줘")
    assert "품목 중에서 'D150'" in blocked(stock)[1]
    assert "실린더 D155" in blocked(stock)[1]


def test_code_words() -> None:
    text = "S200은 24V 100mm Q3 A4 2026년 D-110, 센서S196 ISO9001"
    assert [w.text for w in codes.code_words(text)] == ["S200", "D-110", "S196", "ISO9001"]
    word = codes.code_words("P00099")[0]
    numbers = codes.probe_numbers(word)
    assert 99 not in numbers and {49, 98, 100, 149, 1, 10, 90000} <= set(numbers)
    assert word.spelled(7) == "P00007"


def test_not_found_names_codes_as_codes() -> None:
    assert messages.not_found("S200", "item", lambda _k, _w: ["센서 S196"], "코드") == (
        "조회할 수 있는 품목 중에서 'S200'을(를) 찾을 수 없습니다(조회 권한이 없거나 없는 "
        "품목입니다). 비슷한 코드: 센서 S196."
    )
