"""`dari bench router`: is the route, every tool and every argument exactly right, how fast.

Runs `eval.ko.yaml` (or `--questions FILE`) through the same `routing.plan_turn` the chat
uses, as each case's user, with "today" fixed by the file; follow-up turns get the previous
turn's plan. A turn is right when its route, its tools in order, each call's arguments
(all but `limit`, a row cap), its refusal code and whether it asks back all match.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

IGNORED_ARGUMENTS = frozenset({"limit"})


def packaged_eval() -> Path:
    return Path(str(resources.files("dari.chat.router") / "eval.ko.yaml"))


def load_eval(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data.get("cases"), list):
        raise ValueError(f"{path}: no `cases:` list")
    return data


def _arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if v is not None and k not in IGNORED_ARGUMENTS}


def judge(expect: dict[str, Any], plan: Any) -> dict[str, Any]:
    """Compare one plan with its expectation; returns which parts were right."""
    route = plan.intent if plan.refusal_code != "not_korean" else "out_of_scope"
    route_ok = route == expect.get("route")
    wanted = expect.get("calls") or []
    tools_ok = [c["tool"] for c in wanted] == [c.tool for c in plan.calls]
    arguments_ok = tools_ok and all(
        "arguments" not in w or _arguments(dict(w["arguments"])) == _arguments(c.arguments)
        for w, c in zip(wanted, plan.calls, strict=False)
    )
    blocked = next((c.blocked_code for c in plan.calls if c.blocked_code), None)
    blocked_ok = blocked == expect.get("blocked")
    clarify_ok = bool(expect.get("clarify")) == plan.needs_clarification
    return {
        "route_ok": route_ok,
        "tools_ok": tools_ok,
        "arguments_ok": arguments_ok,
        "blocked_ok": blocked_ok,
        "clarify_ok": clarify_ok,
        "exact": route_ok and tools_ok and arguments_ok and blocked_ok and clarify_ok,
    }


async def run_eval(settings: Any, path: Path) -> dict[str, Any]:
    from dari.chat import routing
    from dari.chat.pipeline import Turn
    from dari.chat.runner import principal_for, started_runtime

    data = load_eval(path)
    today = date.fromisoformat(str(data.get("today") or date.today()))
    details: list[dict[str, Any]] = []
    timings: list[float] = []
    async with started_runtime(settings) as runtime:
        started = time.perf_counter()
        await routing.get_router(runtime)  # load or train once, outside the timings
        load_s = time.perf_counter() - started
        for case in data["cases"]:
            principal = await principal_for(runtime, case["user"])
            previous = None
            for number, step in enumerate(case["turns"], start=1):
                turn = Turn(
                    principal=principal,
                    text=step["q"],
                    conversation_id="bench",
                    new_conversation=previous is None,
                    message_id="bench",
                    user_message_id="bench",
                    today=today,
                    previous_plan=previous,
                )
                started = time.perf_counter()
                plan = await routing.plan_turn(runtime, turn)
                timings.append((time.perf_counter() - started) * 1000)
                previous = plan.to_json()
                verdict = judge(step["expect"], plan)
                details.append(
                    {
                        "id": f"{case['id']}#{number}",
                        "user": case["user"],
                        "question": step["q"],
                        **verdict,
                        "route": plan.intent,
                        "calls": [
                            {
                                "tool": c.tool,
                                "arguments": _arguments(c.arguments),
                                "blocked": c.blocked_code,
                            }
                            for c in plan.calls
                        ],
                        "clarification": plan.clarification,
                        "confidence": round(plan.confidence, 3),
                        "ms": round(timings[-1], 2),
                    }
                )
    n = len(details) or 1
    return {
        "questions_file": str(path),
        "turns": len(details),
        "exact": round(sum(d["exact"] for d in details) / n, 3),
        "route": round(sum(d["route_ok"] for d in details) / n, 3),
        "tools": round(sum(d["tools_ok"] for d in details) / n, 3),
        "arguments": round(sum(d["arguments_ok"] for d in details) / n, 3),
        "p50_ms": round(statistics.median(timings), 2) if timings else None,
        "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 2) if timings else None,
        "model_load_s": round(load_s, 2),
        "details": details,
    }


def register(bench_app: Any) -> None:
    import typer

    @bench_app.command("router")
    def router(
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        questions: Path | None = typer.Option(
            None, help="Evaluation set (default: the packaged eval.ko.yaml)."
        ),
    ) -> None:
        """Exactness (route + tools + arguments) and latency of the router on held-out turns."""
        from dari.cli.common import fail, run, settings_or_exit

        settings = settings_or_exit()
        path = questions or packaged_eval()
        if not path.exists():
            fail(f"question file {path} not found")
        try:
            result = run(run_eval(settings, path))
        except ValueError as exc:
            fail(str(exc))
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        for d in result["details"]:
            mark = "✓" if d["exact"] else "✗"
            typer.echo(f"{mark} {d['id']:<26} {d['ms']:>6.1f} ms  {d['question']}")
            if not d["exact"]:
                typer.echo(f"    got {d['route']} {json.dumps(d['calls'], ensure_ascii=False)}")
        summary = {k: v for k, v in result.items() if k != "details"}
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
