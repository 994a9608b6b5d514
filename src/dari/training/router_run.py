"""`dari train router`: the router learns a dataset's corrected routes on top of the catalog
examples, and the candidate is measured against the router in use before anything changes.

The gate compares both routers on the same two sets, with every tool allowed and every ERP
entity linked (who asks does not change the route):

- the dataset's held-out routes: the plan's label (its first tool, else its route) = `label`;
- the router benchmark (`chat/router/eval.ko.yaml`, `dari bench router`): route and tools
  right, turn by turn (follow-ups get the previous plan);
- the assistant question set (`dari/demo/questions.ko.yaml`): the route = its category.

The candidate passes when none of the three accuracies is lower. It is saved as a candidate
either way; only `promote` switches it on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dari.chat.router.plan import RoutePlan
from dari.chat.router.service import Router, RouterInput, training_mentions
from dari.chat.router.training import Example, all_examples, fingerprint, train
from dari.core.runtime import Runtime
from dari.training import datasets, errors, store

log = logging.getLogger(__name__)


def plan_label(plan: RoutePlan) -> str:
    if plan.calls:
        return plan.calls[0].tool
    return plan.intent


def heldout_accuracy(
    router: Router, rows: list[dict[str, Any]], find: Callable[[str], Any], today: date
) -> dict[str, Any]:
    tools = set(router.tools)
    wrong = []
    for row in rows:
        plan = router.route(
            RouterInput(question=row["text"], today=today, allowed_tools=tools, find_entities=find)
        )
        if plan_label(plan) != row["label"]:
            wrong.append({"text": row["text"], "label": row["label"], "got": plan_label(plan)})
    n = len(rows)
    return {
        "n": n,
        "accuracy": round((n - len(wrong)) / n, 4) if n else None,
        "wrong": wrong[:20],
    }


def bench_accuracy(router: Router, find: Callable[[str], Any], path: Path | None = None) -> Any:
    from dari.chat.router.bench import judge, load_eval, packaged_eval

    data = load_eval(path or packaged_eval())
    today = date.fromisoformat(str(data.get("today") or date.today()))
    tools = set(router.tools)
    right = total = 0
    for case in data["cases"]:
        previous = None
        for step in case["turns"]:
            plan = router.route(
                RouterInput(
                    question=step["q"],
                    today=today,
                    allowed_tools=tools,
                    find_entities=find,
                    previous=previous,
                )
            )
            previous = plan
            verdict = judge(step["expect"], plan)
            right += verdict["route_ok"] and verdict["tools_ok"]
            total += 1
    return {"n": total, "accuracy": round(right / total, 4) if total else None}


def assistant_accuracy(router: Router, find: Callable[[str], Any]) -> dict[str, Any]:
    """The assistant question set (`dari/demo/questions.ko.yaml`, docs/demo.md): the plan's
    route = the question's category. Its answers need a served model; the route does not."""
    from importlib import resources

    import yaml

    raw = (resources.files("dari.demo") / "questions.ko.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    today = date.fromisoformat(str((data.get("erp_data") or {}).get("end") or date.today()))
    tools = set(router.tools)
    questions = data.get("questions") or []
    right = 0
    for item in questions:
        plan = router.route(
            RouterInput(
                question=item["question"], today=today, allowed_tools=tools, find_entities=find
            )
        )
        route = plan.intent if plan.refusal_code != "not_korean" else "out_of_scope"
        right += route == item.get("category")
    n = len(questions)
    return {"n": n, "accuracy": round(right / n, 4) if n else None}


def _not_lower(after: Any, before: Any) -> bool:
    return before is None or (after is not None and after >= before)


def gate(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    heldout_ok = _not_lower(after["heldout"]["accuracy"], before["heldout"]["accuracy"])
    bench_ok = _not_lower(after["bench"]["accuracy"], before["bench"]["accuracy"])
    assistant_ok = _not_lower(after["assistant"]["accuracy"], before["assistant"]["accuracy"])
    return {
        "passed": heldout_ok and bench_ok and assistant_ok,
        "heldout_ok": heldout_ok,
        "bench_ok": bench_ok,
        "assistant_ok": assistant_ok,
    }


async def train_candidate(
    runtime: Runtime, version: int, run_id: str
) -> tuple[str, dict[str, Any]]:
    """Train, evaluate and save one candidate; returns (artifact path, report)."""
    from dari.chat import routing

    data_dir = runtime.settings.server.data_dir
    directory = store.dataset_dir(data_dir, version)
    if not directory.exists():
        raise errors.not_found(f"데이터셋 v{version}")
    train_rows = datasets.read(directory, "routes.train")
    heldout_rows = datasets.read(directory, "routes.heldout")
    if not train_rows:
        raise errors.no_examples("routes")
    catalog = routing.catalog(runtime)
    labels = {t.name for t in getattr(catalog, "tools", [])} | {
        "doc_qa",
        "chitchat",
        "out_of_scope",
    }
    unknown = sorted({r["label"] for r in train_rows} - labels)
    if unknown:
        raise errors.corrupt("routes.train.jsonl", 0, f"알 수 없는 경로 {', '.join(unknown)}")
    current = await routing.get_router(runtime)
    everything = await routing._entity_index(runtime, None)

    def find(text: str) -> Any:
        return routing.link_mentions(everything, None, text) if everything is not None else []

    finder = training_mentions(catalog, await routing.all_entities_finder(runtime))
    base = all_examples(catalog)
    extra = [Example(r["text"], r["label"], f"feedback:v{version}") for r in train_rows]
    today = date.today()

    def work() -> tuple[str, dict[str, Any]]:
        started = time.perf_counter()
        model = train(all_examples(catalog, extra=extra), finder)
        model.meta.update(
            {"base_fingerprint": fingerprint(base), "dataset": version, "run_id": run_id}
        )
        candidate = Router(model, catalog, current.thresholds)
        before = {
            "heldout": heldout_accuracy(current, heldout_rows, find, today),
            "bench": bench_accuracy(current, find),
            "assistant": assistant_accuracy(current, find),
        }
        after = {
            "heldout": heldout_accuracy(candidate, heldout_rows, find, today),
            "bench": bench_accuracy(candidate, find),
            "assistant": assistant_accuracy(candidate, find),
        }
        path = store.candidate_path(data_dir, "router", run_id)
        try:
            model.save(path)
        except OSError as exc:
            import errno

            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise errors.disk_full(str(path)) from exc
            raise
        report = {
            "examples": {"train": len(train_rows), "heldout": len(heldout_rows)},
            "before": before,
            "after": after,
            "gate": gate(before, after),
            "seconds": round(time.perf_counter() - started, 2),
        }
        return str(path), report

    return await asyncio.to_thread(work)
