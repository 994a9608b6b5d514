"""ERP answers built from rows: units, totals, counts, the period said, no `2,026`."""

from __future__ import annotations

from dari.chat.assistant.context import ToolOutcome
from dari.chat.assistant.erp_answer import build, facts, format_value
from dari.chat.assistant.verify import check_answer
from dari.chat.router.plan import ToolCall
from dari.erp.catalog import AnswerTemplate


def _outcome(columns: list[tuple[str, str, str]], rows: list[list[object]]) -> ToolOutcome:
    outcome = ToolOutcome(n=2, tool="t", arguments={}, title="조회")
    outcome.ok = True
    outcome.columns = [{"name": n, "label": label, "unit": u} for n, label, u in columns]
    outcome.rows = rows
    outcome.row_count = len(rows)
    return outcome


def test_format_by_unit() -> None:
    assert format_value(3444378066, "원") == "3,444,378,066원"
    assert format_value(11.0, "일") == "11일"
    assert format_value(2026, "") == "2026"  # a year, never 2,026
    assert format_value(1.5, "일") == "1.5일"
    assert format_value(None, "원") == "-"
    assert format_value("2026-10", None) == "2026-10"


def test_one_row_states_the_entity_and_period() -> None:
    outcome = _outcome(
        [
            ("customer_name", "거래처명", ""),
            ("outstanding", "미수금", "원"),
            ("overdue", "연체", "원"),
        ],
        [["한빛상사", 3444378066, 120000]],
    )
    template = AnswerTemplate(
        one="{q.as_of} 기준 {customer_name}의 미수금은 {outstanding}(연체 {overdue})입니다."
    )
    call = ToolCall("receivables_by_customer", labels={"as_of": "2026년 11월 20일"})
    text = build(outcome, call, template)
    assert (
        text
        == "2026년 11월 20일 기준 한빛상사의 미수금은 3,444,378,066원(연체 120,000원)입니다. [2]"
    )


def test_many_rows_sum_count_first_and_list() -> None:
    outcome = _outcome(
        [("order_no", "수주", ""), ("amount", "금액", "원"), ("late", "납기 경과", "")],
        [[f"SO{i}", 1000 * i, "Y" if i % 2 else "N"] for i in range(1, 8)],
    )
    template = AnswerTemplate(
        many="{q.period} 수주 {count}건, 합계 {sum.amount}, "
        "지연 {count.late=Y}건, 첫째 {first.order_no}",
        row="{rank}. {order_no}: {amount}",
    )
    call = ToolCall("order_status", labels={"period": "2026년 10월"})
    lines = build(outcome, call, template, max_rows=3).splitlines()
    assert lines[0] == "2026년 10월 수주 7건, 합계 28,000원, 지연 4건, 첫째 SO1 [2]"
    assert lines[1:4] == ["- 1. SO1: 1,000원", "- 2. SO2: 2,000원", "- 3. SO3: 3,000원"]
    assert lines[4] == "" and "전체 7건 중 3건" in lines[5]  # its own paragraph


def test_empty_and_missing_labels_collapse() -> None:
    outcome = _outcome([("qty", "수량", "개")], [])
    template = AnswerTemplate(empty="{q.period} {q.customer} 매출 내역이 없습니다.")
    text = build(outcome, ToolCall("x", labels={"period": "2026년 10월"}), template)
    assert text == "2026년 10월 매출 내역이 없습니다. [2]"


def test_generic_template_without_catalog_text() -> None:
    outcome = _outcome([("qty", "현재고", "개")], [[318]])
    text = build(outcome, ToolCall("x"), None)
    assert "현재고 318개" in text and text.endswith("[2]")


def test_facts_carry_rows_totals_and_count() -> None:
    outcome = _outcome([("name", "품목", ""), ("qty", "수량", "개")], [["A", 1200], ["B", 30]])
    text = facts(outcome)
    assert "A | 1,200개" in text and "합계 수량 1,230개" in text and "2건" in text


def test_a_conditional_count_in_the_answer_is_in_the_facts() -> None:
    """`{count.late=Y}` says how many rows have a flag: the answer check must find it."""
    rows: list[list[object]] = [[f"SO{i}", "Y" if i < 3 else "N", 10] for i in range(7)]
    outcome = _outcome(
        [("order_no", "수주번호", ""), ("late", "납기 경과", ""), ("qty", "수량", "개")], rows
    )
    text = facts(outcome)
    assert "late=Y 3건" in text and "late=N 4건" in text
    assert "order_no=" not in text  # all different: not a flag
    template = {
        "many": "미출하 수주는 {count}건이며 그중 납기가 지난 수주는 {count.late=Y}건입니다."
    }
    answer = build(outcome, ToolCall("x"), template)
    assert "그중 납기가 지난 수주는 3건입니다. [2]" in answer
    assert check_answer(answer, {2: text}, "미출하 수주 알려줘").ok
    without = text.replace("late=Y 3건", "")
    assert not check_answer(answer, {2: without}, "미출하 수주 알려줘").ok
