"""`dari router train` / `dari router explain`: build the router's model, see what it decides."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

app = typer.Typer(name="router", help="The question router (intent, ERP tool, arguments).")


@app.command("train")
def train_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Train the router on the catalog's and the built-in examples and save it (data dir)."""
    from dari.chat import routing
    from dari.chat.router.service import training_mentions
    from dari.chat.router.training import all_examples, model_path, train
    from dari.chat.runner import started_runtime
    from dari.cli.common import run, settings_or_exit

    settings = settings_or_exit()

    async def main() -> dict[str, Any]:
        async with started_runtime(settings) as runtime:
            catalog = routing.catalog(runtime)
            finder = training_mentions(catalog, await routing.all_entities_finder(runtime))
            examples = all_examples(catalog)
            model = train(examples, finder)
            path = model_path(settings.server.data_dir)
            model.save(path)
            routing.forget_router(runtime)
            return {"path": str(path), **model.meta}

    result = run(main())
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"router trained on {result['examples']} examples ({len(result['per_label'])} routes) "
        f"in {result['train_seconds']} s → {result['path']}"
    )


@app.command("explain")
def explain_command(
    question: Annotated[str, typer.Argument(help="The question, in Korean.")],
    as_user: Annotated[str, typer.Option("--as", help="Username whose permissions apply.")],
    today: Annotated[
        str | None, typer.Option(help="What 'today' is (YYYY-MM-DD); default: today.")
    ] = None,
) -> None:
    """Print the router's plan for QUESTION as USER (route, tools, arguments, refusals)."""
    from dari.chat import routing
    from dari.chat.pipeline import Turn
    from dari.chat.runner import principal_for, started_runtime
    from dari.cli.common import fail, run, settings_or_exit

    settings = settings_or_exit()
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        fail(f"--today {today!r} is not a date (YYYY-MM-DD)", code=2)

    async def main() -> dict[str, Any]:
        async with started_runtime(settings) as runtime:
            principal = await principal_for(runtime, as_user)
            turn = Turn(
                principal=principal,
                text=question,
                conversation_id="explain",
                new_conversation=True,
                message_id="explain",
                user_message_id="explain",
                today=day,
            )
            return (await routing.plan_turn(runtime, turn)).to_json()

    typer.echo(json.dumps(run(main()), ensure_ascii=False, indent=2))
