"""ERP and mixed questions; every expected number comes from `erp_facts` (SQL), never by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dari.demo.erp_facts import Facts
from dari.demo.questions_docs import MANUAL, PURCHASING, RULES, STRATEGY


def won(amount: int) -> list[str]:
    """Ways an answer may write an amount of won: `12,345,678원`, `1234만`, `1억 2,345만`."""
    forms = [f"{amount:,}"]
    for man in sorted({amount // 10_000, round(amount / 10_000)}):
        if man <= 0 or amount < 100_000:
            continue
        eok, rest = divmod(man, 10_000)
        forms.append(f"{eok}억 {rest:,}만" if eok and rest else f"{eok}억" if eok else f"{man:,}만")
    return forms


def days(value: Decimal) -> str:
    return f"{int(value)}일" if value == int(value) else f"{value.normalize()}일"


def _q(
    qid: str,
    category: str,
    user: str,
    question: str,
    expect: list[Any],
    sources: list[str],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": qid,
        "category": category,
        "user": user,
        "question": question,
        "expect": expect,
        "sources": sources,
        "refuse": False,
        **extra,
    }


def erp_questions(f: Facts) -> list[dict[str, Any]]:
    v = f.values
    ym = f"{f.month_from.year}년 {f.month_from.month}월"
    last_year = f"{f.end.year - 1}년"
    asof = f"{f.end.year}년 {f.end.month}월 {f.end.day}일"
    qs = [
        _q(
            "erp-ar-01",
            "erp",
            "minjun.kim",
            f"{v['hanbit']}의 현재 미수금은 얼마야?",
            [won(v["hanbit_outstanding"])],
            ["receivables_by_customer"],
        ),
        _q(
            "erp-sales-01",
            "erp",
            "minjun.kim",
            f"{ym} 내 매출(공급가액)은 얼마였어?",
            [won(v["rep_month"])],
            ["sales_by_period"],
        ),
        _q(
            "erp-sales-02",
            "erp",
            "jihoon.park",
            f"{ym}에 내 담당 거래처 중 매출이 가장 큰 곳은 어디야?",
            [v["park_top"][0]],
            ["top_customers"],
        ),
        _q(
            "erp-sales-03",
            "erp",
            "sales.head",
            f"{ym} 영업본부 전체 매출(공급가액)은?",
            [won(v["all_month"])],
            ["sales_by_period"],
        ),
        _q(
            "erp-sales-04",
            "erp",
            "sales.head",
            f"{ym} 영업1팀과 영업2팀 매출을 비교해줘",
            [won(v["D110_month"]), won(v["D120_month"])],
            ["sales_by_department"],
        ),
        _q(
            "erp-sales-05",
            "erp",
            "sales1.lead",
            f"{ym} 우리 팀 매출 상위 3개 거래처는 어디야?",
            list(v["team1_top3"]),
            ["top_customers"],
        ),
        _q(
            "erp-sales-06",
            "erp",
            "ceo",
            f"{last_year} 매출 1위 거래처와 그 매출액은?",
            [v["year_top_customer"][0], won(v["year_top_customer"][1])],
            ["top_customers"],
        ),
        _q(
            "erp-sales-07",
            "erp",
            "ceo",
            f"{last_year}에 매출액 기준으로 가장 많이 팔린 품목은?",
            [v["year_top_item"]],
            ["top_items"],
        ),
        _q(
            "erp-stock-01",
            "erp",
            "jaewon.song",
            "모터 H107 전체 재고는 몇 개야?",
            [f"{v['motor_stock']:,}"],
            ["stock_by_item"],
        ),
        _q(
            "erp-stock-02",
            "erp",
            "jaewon.song",
            "안전재고 아래로 떨어진 품목이 몇 개야?",
            [f"{v['shortages']}"],
            ["stock_shortages"],
        ),
        _q(
            "erp-po-01",
            "erp",
            "jaewon.song",
            "아직 입고되지 않은 발주 중에 입고 예정일이 가장 빠른 발주 번호는?",
            [v["first_pending_po"][0]],
            ["pending_receipts"],
        ),
        _q(
            "erp-order-01",
            "erp",
            "minjun.kim",
            f"수주 {v['open_order'][0]}에서 아직 출하되지 않은 수량은 모두 몇 개야?",
            [f"{v['open_order'][1]:,}"],
            ["order_detail"],
        ),
        _q(
            "erp-order-02",
            "erp",
            "minjun.kim",
            f"{asof} 기준으로 납기가 지났는데 출하가 끝나지 않은 내 수주는 몇 건이야?",
            [f"{v['late_orders']}"],
            ["unshipped_orders"],
        ),
    ]
    for qid, user in (
        ("erp-leave-01", "minjun.kim"),
        ("erp-leave-02", "haneul.lim"),
        ("erp-leave-03", "hyunwoo.cho"),
    ):
        code = {"minjun.kim": "E1001", "haneul.lim": "E5001", "hyunwoo.cho": "E4001"}[user]
        remaining = v[f"leave_{code}"]
        if remaining is not None:
            qs.append(
                _q(
                    qid,
                    "erp",
                    user,
                    f"{f.year}년 내 남은 연차는 며칠이야?",
                    [days(remaining)],
                    ["my_leave_balance"],
                )
            )
    qs += [
        _q(
            "deny-erp-01",
            "erp",
            "minjun.kim",
            f"{v['other_customer']} 미수금 얼마인지 알려줘",
            [],
            ["receivables_by_customer"],
            refuse=True,
            forbid=won(v["other_outstanding"])[:1],
        ),
        _q(
            "deny-erp-02",
            "erp",
            "jaewon.song",
            f"{v['hanbit']} {ym} 매출 얼마야?",
            [],
            ["sales_by_customer"],
            refuse=True,
            forbid=won(v["hanbit_month"])[:1],
        ),
        _q(
            "deny-erp-03",
            "erp",
            "jihoon.park",
            f"{ym} 영업1팀 전체 매출은 얼마야?",
            [],
            ["sales_by_period"],
            refuse=True,
            forbid=won(v["D110_month"])[:1],
        ),
    ]
    mine, others = v["leave_E4001"], v["leave_E1001"]
    if mine is not None and others is not None and mine != others:
        qs.append(
            _q(
                "deny-erp-04",
                "erp",
                "hyunwoo.cho",
                "김민준 대리 남은 연차 며칠인지 알려줘",
                [],
                ["my_leave_balance"],
                refuse=True,
                forbid=[days(others)],
            )
        )
    qs += [
        _q(
            "mixed-01",
            "mixed",
            "minjun.kim",
            "서보모터 H107 재고가 지금 몇 개 있고, 보증 기간은 어떻게 돼?",
            [f"{v['motor_stock']:,}", "1년"],
            [MANUAL, "stock_by_item"],
        ),
        _q(
            "mixed-02",
            "mixed",
            "jaewon.song",
            "안전재고 미달 품목이 몇 개인지, 긴급 발주하면 결재는 언제까지 받아야 하는지 알려줘",
            [f"{v['shortages']}", "3일"],
            ["stock_shortages", PURCHASING],
        ),
        _q(
            "mixed-03",
            "mixed",
            "minjun.kim",
            f"{v['hanbit']} 여신 한도는 얼마고, "
            "영업 전략상 여신 한도의 몇 %를 넘으면 팀장 확인이 필요해?",
            [won(v["hanbit_credit"]), "80%"],
            ["customer_info", STRATEGY],
        ),
    ]
    if v["leave_E5001"] is not None:
        qs.append(
            _q(
                "mixed-04",
                "mixed",
                "haneul.lim",
                f"{f.year}년 내 남은 연차가 며칠이고, 다음 해로 최대 며칠까지 이월할 수 있어?",
                [days(v["leave_E5001"]), "5일"],
                ["my_leave_balance", RULES],
            )
        )
    return qs
