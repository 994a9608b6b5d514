"""`dari bench assistant`: answer, citation and refusal correctness on a Korean question set,
with time to first token and total time per stage (format of the set: docs/demo.md)."""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

DECLINE_MARKERS = (
    "찾을 수 없",
    "권한이 없",
    "답할 수 없",
    "확인할 수 없",
    "알 수 없",
    "조회할 수 없",
    "제공된 자료에",
)


def declined(answer: str) -> bool:
    """The answer says it cannot answer (fixed replies and the model's own wording)."""
    from dari.chat.assistant.prompts import fixed

    fixed_replies = (fixed("not_found"), fixed("forbidden"), fixed("out_of_scope"))
    return answer.strip() in fixed_replies or any(m in answer for m in DECLINE_MARKERS)


def cited_names(citations: list[dict[str, Any]]) -> set[str]:
    """Document titles and ERP tool names among the citations."""
    return {str(c.get("tool") if c["kind"] == "erp" else c.get("title")) for c in citations}


def judge(question: dict[str, Any], answer: str, citations: list[dict[str, Any]]) -> dict[str, Any]:
    """Score one answer against its expectations (matching rules: docs/demo.md)."""
    from dari.demo.questions import expectation_met, forbidden_found

    cited = cited_names(citations)
    sources = set(question.get("sources") or [])
    said_no = declined(answer)
    if question["refuse"]:
        leaked = forbidden_found(answer, question.get("forbid") or [])
        answer_ok = said_no and not leaked
        citation_ok = not (sources & cited)
        refusal_ok = answer_ok and citation_ok
    else:
        answer_ok = expectation_met(answer, question.get("expect") or [])
        citation_ok = sources <= cited
        # Declining an out-of-scope question is right; declining anything else is not.
        refusal_ok = question["category"] == "out_of_scope" or not said_no
        if question["category"] == "out_of_scope":
            answer_ok = answer_ok and said_no
    return {
        "answer_correct": answer_ok,
        "citation_correct": citation_ok,
        "refusal_correct": refusal_ok,
    }


def default_questions(data_dir: Path) -> Path:
    """The set `dari demo setup` computed on the loaded ERP, else the packaged one."""
    installed = data_dir / "demo" / "questions.ko.yaml"
    if installed.exists():
        return installed
    from dari.demo.questions import PACKAGED_PATH

    return PACKAGED_PATH


async def run_set(settings: Any, path: Path, limit: int, only: str) -> dict[str, Any]:
    from dari.chat.runner import ask_once, principal_for, started_runtime
    from dari.demo.questions import load_question_set

    data = load_question_set(path)
    questions = [q for q in data["questions"] if not only or q["id"].startswith(only)]
    questions = questions[:limit] if limit else questions
    end = (data.get("erp_data") or {}).get("end")
    today = date.fromisoformat(str(end)) if end else None
    details = []
    async with started_runtime(settings) as runtime:
        principals: dict[str, Any] = {}
        for question in questions:
            user = question["user"]
            if user not in principals:
                principals[user] = await principal_for(runtime, user)
            started = time.perf_counter()
            final = await ask_once(runtime, principals[user], question["question"], today=today)
            state = final["state"]
            scores = (
                judge(question, state.answer, state.citations)
                if final["type"] == "done"
                else dict.fromkeys(("answer_correct", "citation_correct", "refusal_correct"), False)
            )
            details.append(
                {
                    "id": question["id"],
                    "category": question["category"],
                    "user": user,
                    "intent": (state.intent or {}).get("intent"),
                    "tools": [t.tool for t in state.tools],
                    "error": final.get("code"),
                    **scores,
                    "answer": state.answer,
                    "cited": sorted(cited_names(state.citations)),
                    "verification": state.verification if final["type"] == "done" else None,
                    "timings": {**state.timings, "wall_ms": (time.perf_counter() - started) * 1e3},
                    "usage": state.usage,
                }
            )
            # One JSON line per question on stderr: progress, and partial results of long runs.
            typer.echo(json.dumps(details[-1], ensure_ascii=False, default=str), err=True)
    return summarize(path, details)


def _count(verifications: Any) -> dict[str, int]:
    """How many answers were verified (model text passed), fallback or built by code."""
    counts: dict[str, int] = {}
    for verification in verifications:
        status = (verification or {}).get("status", "none")
        counts[status] = counts.get(status, 0) + 1
    return counts


def _p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def summarize(path: Path, details: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(details) or 1
    stages = ("intent_ms", "retrieval_ms", "erp_ms", "ttft_ms", "total_ms")
    by_category: dict[str, dict[str, float]] = {}
    for category in sorted({d["category"] for d in details}):
        rows = [d for d in details if d["category"] == category]
        by_category[category] = {
            key: round(sum(d[key] for d in rows) / len(rows), 3)
            for key in ("answer_correct", "citation_correct", "refusal_correct")
        }
    return {
        "questions_file": str(path),
        "questions": len(details),
        "answer_correct": round(sum(d["answer_correct"] for d in details) / n, 3),
        "citation_correct": round(sum(d["citation_correct"] for d in details) / n, 3),
        "refusal_correct": round(sum(d["refusal_correct"] for d in details) / n, 3),
        "errors": sum(1 for d in details if d["error"]),
        "verification": _count(d.get("verification") for d in details),
        "ttft_p50_ms": _p50([d["timings"]["ttft_ms"] for d in details if not d["error"]]),
        "total_p50_ms": _p50([d["timings"]["total_ms"] for d in details if not d["error"]]),
        "stages_p50_ms": {s: _p50([d["timings"][s] for d in details]) for s in stages},
        "by_category": by_category,
        "details": details,
    }


def register(bench_app: typer.Typer) -> None:
    from dari.chat import bench_concurrency, bench_load
    from dari.chat.router import bench as router_bench

    router_bench.register(bench_app)
    bench_concurrency.register(bench_app)
    bench_load.register(bench_app)  # chat-load and chat-soak

    @bench_app.command("assistant")
    def assistant(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        questions: Annotated[
            Path | None,
            typer.Option(help="Question set (docs/demo.md format); default: the demo set."),
        ] = None,
        limit: Annotated[int, typer.Option(help="Only the first N questions (0: all).")] = 0,
        only: Annotated[str, typer.Option(help="Only questions whose id starts so.")] = "",
    ) -> None:
        """Answer/citation/refusal correctness and TTFT/total time of the assistant."""
        from dari.cli.common import fail, run, settings_or_exit

        settings = settings_or_exit()
        path = questions or default_questions(settings.server.data_dir)
        if not path.exists():
            fail(f"question file {path} not found")
        result = run(run_set(settings, path, limit, only))
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        for d in result["details"]:
            marks = "".join(
                "✓" if d[k] else "✗"
                for k in ("answer_correct", "citation_correct", "refusal_correct")
            )
            typer.echo(
                f"{d['id']:<16} {marks} {d['timings']['total_ms']:>8.0f} ms {d['error'] or ''}"
            )
        summary = {k: v for k, v in result.items() if k != "details"}
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
