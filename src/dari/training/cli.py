"""`dari train ...`: datasets, router retraining and LoRA fine-tuning (docs/training.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(name="train", help="The training server: datasets, router, LoRA.")
datasets_app = typer.Typer(help="Dataset versions exported from reviewed answers.")
app.add_typer(datasets_app, name="datasets")

DatasetOpt = Annotated[int, typer.Option("--dataset", help="Dataset version (v1 → 1).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _echo(result: Any, as_json: bool, text: str) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(text)


def _started() -> Any:
    from dari.chat.runner import started_runtime
    from dari.cli.common import settings_or_exit

    return started_runtime(settings_or_exit())


@datasets_app.command("export")
def export_command(as_json: JsonOpt = False) -> None:
    """Export the next dataset version from every review (masked, fixed held-out split)."""
    from dari.cli.common import fail, run
    from dari.training import errors, service

    async def main() -> dict[str, Any]:
        async with _started() as runtime, runtime.sessionmaker() as session:
            out = await service.export_dataset(runtime, session, None)
            await session.commit()
            return out.model_dump(mode="json")

    try:
        result = run(main())
    except errors.TrainingError as exc:
        fail(exc.message)
    _echo(result, as_json, f"데이터셋 v{result['version']}: {result['counts']} → {result['path']}")


@datasets_app.command("list")
def list_command(as_json: JsonOpt = False) -> None:
    """Dataset versions, newest first."""
    from dari.cli.common import run
    from dari.training import repository as repo
    from dari.training import service

    async def main() -> list[dict[str, Any]]:
        async with _started() as runtime, runtime.sessionmaker() as session:
            return [
                service.dataset_out(runtime, d).model_dump(mode="json")
                for d in await repo.datasets(session)
            ]

    rows = run(main())
    _echo(rows, as_json, "\n".join(f"v{r['version']}  {r['counts']}  {r['path']}" for r in rows))


def _train(kind: str, version: int, promote: bool) -> dict[str, Any]:
    from dari.cli.common import fail, run
    from dari.training import errors, service
    from dari.training.runs import execute

    async def main() -> dict[str, Any]:
        async with _started() as runtime:
            async with runtime.sessionmaker() as session:
                run_ = await service.new_run(session, kind, version, "cli")
                run_id = run_.id
                await session.commit()
            status = await execute(runtime, run_id)
            async with runtime.sessionmaker() as session:
                if promote and status == "candidate":
                    try:
                        await service.promote(runtime, session, run_id, None, "cli")
                        await session.commit()
                    except errors.TrainingError as exc:
                        typer.echo(f"적용하지 않았습니다: {exc.message}", err=True)
                out = service.run_out(runtime, await service.get_run(session, run_id))
                return out.model_dump(mode="json")

    try:
        return run(main())
    except errors.TrainingError as exc:
        fail(exc.message)


def _summary(result: dict[str, Any]) -> str:
    if result["status"] in ("failed", "cancelled"):
        return f"실행 {result['id']}: {result['status']} — {result['error']}"
    report = result["report"]
    lines = [f"실행 {result['id']}: {result['status']}{' (적용됨)' if result['active'] else ''}"]
    for key in ("heldout", "bench", "assistant"):
        if key in report.get("before", {}):
            before, after = report["before"][key], report["after"][key]
            lines.append(f"  {key}: {before['accuracy']} → {after['accuracy']} (n={after['n']})")
    if "heldout_loss" in report:
        loss = report["heldout_loss"]
        lines.append(f"  held-out loss: {loss['before']} → {loss['after']} (n={loss['n']})")
        lines.append(
            f"  {report['steps']} steps, {report['s_per_step']} s/step on {report['device']}"
        )
    gate = report.get("gate", {})
    lines.append(f"  gate: {'통과' if gate.get('passed') else '불통과 (후보로 보관)'}")
    return "\n".join(lines)


@app.command("router")
def router_command(
    dataset: DatasetOpt,
    promote: Annotated[
        bool, typer.Option("--promote/--no-promote", help="Switch on if the gate passes.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Retrain the router with the dataset's corrected routes; gate; switch on if not worse."""
    result = _train("router", dataset, promote)
    _echo(result, as_json, _summary(result))
    if result["status"] in ("failed", "cancelled"):
        raise typer.Exit(1)


@app.command("lora")
def lora_command(
    dataset: DatasetOpt,
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue it for a `trainer` process instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Fine-tune the answer model with LoRA on the dataset's answers (here, or --queue)."""
    if queue:
        from dari.cli.common import fail, run
        from dari.training import errors, service
        from dari.training.queue import enqueue_lora

        async def main() -> str:
            async with _started() as runtime:
                async with runtime.sessionmaker() as session:
                    run_ = await service.new_run(session, "lora", dataset, "cli")
                    await session.commit()
                await enqueue_lora(runtime, run_.id)
                return run_.id

        try:
            run_id = run(main())
        except errors.TrainingError as exc:
            fail(exc.message)
        typer.echo(f"대기열에 넣었습니다: {run_id}")
        return
    result = _train("lora", dataset, False)
    _echo(result, as_json, _summary(result))
    if result["status"] in ("failed", "cancelled"):
        raise typer.Exit(1)


@app.command("promote")
def promote_command(run_id: str) -> None:
    """Switch a candidate on (recorded in the audit log; refused when its gate failed)."""
    from dari.cli.common import fail, run
    from dari.training import errors, service

    async def main() -> None:
        async with _started() as runtime, runtime.sessionmaker() as session:
            await service.promote(runtime, session, run_id, None, "cli")
            await session.commit()

    try:
        run(main())
    except errors.TrainingError as exc:
        fail(exc.message)
    typer.echo(f"적용했습니다: {run_id}")


@app.command("rollback")
def rollback_command(
    kind: Annotated[str, typer.Argument(help="router or lora")],
) -> None:
    """Back to what was switched on before the last promotion."""
    from dari.cli.common import fail, run
    from dari.training import errors, service

    if kind not in ("router", "lora"):
        fail("router 또는 lora", code=2)

    async def main() -> dict[str, Any]:
        async with _started() as runtime, runtime.sessionmaker() as session:
            result = await service.rollback(runtime, session, kind, None, "cli")
            await session.commit()
            return result

    try:
        result = run(main())
    except errors.TrainingError as exc:
        fail(exc.message)
    typer.echo(f"되돌렸습니다: {result['rolled_back']} → {result['active'] or '기본'}")
