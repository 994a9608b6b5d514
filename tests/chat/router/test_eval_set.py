"""The router's evaluation sets are kept apart from its training examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dari.chat.router.bench import judge, load_eval
from dari.chat.router.plan import RoutePlan, ToolCall
from dari.chat.router.training import all_examples
from dari.erp.catalog import load_catalog
from dari.erp.sample import CATALOG_PATH

ROUTER = Path(__file__).resolve().parents[3] / "src" / "dari" / "chat" / "router"
SETS = sorted(ROUTER.glob("eval*.ko.yaml"))
DEMO_SET = ROUTER.parents[1] / "demo" / "questions.ko.yaml"


def _norm(text: str) -> str:
    return re.sub(r"[\s?!.,~]", "", text)


def _training() -> set[str]:
    return {_norm(e.text) for e in all_examples(load_catalog(CATALOG_PATH))}


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_evaluation_questions_are_not_training_examples(path: Path) -> None:
    training = _training()
    data = load_eval(path)
    questions = [_norm(turn["q"]) for case in data["cases"] for turn in case["turns"]]
    assert questions, "empty evaluation set"
    assert not [q for q in questions if q in training]


def test_benchmark_questions_are_not_training_examples() -> None:
    training = _training()
    questions = yaml.safe_load(DEMO_SET.read_text(encoding="utf-8"))["questions"]
    assert not [q["id"] for q in questions if _norm(q["question"]) in training]


def test_judge_compares_route_tools_arguments_refusal_and_clarification() -> None:
    plan = RoutePlan(
        intent="erp",
        calls=[ToolCall("sales_by_period", {"date_from": "2026-10-01", "limit": 500})],
    )
    expect = {
        "route": "erp",
        "calls": [{"tool": "sales_by_period", "arguments": {"date_from": "2026-10-01"}}],
    }
    assert judge(expect, plan)["exact"]  # `limit` is a row cap, not compared
    wrong = {
        "route": "erp",
        "calls": [{"tool": "sales_by_period", "arguments": {"date_from": "2026-09-01"}}],
    }
    assert not judge(wrong, plan)["exact"]
    assert not judge({**expect, "blocked": "erp_forbidden"}, plan)["exact"]
    assert not judge({**expect, "clarify": True}, plan)["exact"]
