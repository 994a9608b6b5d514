"""`dari ask "질문" --as USER [--json]`: run the assistant once and print the answer."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="ask",
    help='Ask the assistant once: dari ask "질문" --as USER [--json].',
    no_args_is_help=True,
    # A group (sub-apps are groups) stops parsing options at the first argument by default;
    # `dari ask "질문" --as kim` needs the options after it.
    context_settings={"allow_interspersed_args": True},
)


def _print_text(final: dict[str, Any]) -> None:
    state = final["state"]
    typer.echo("")
    for tool in state.tools:
        status = f"{tool.row_count}행" if tool.ok else f"오류 {(tool.error or {}).get('code')}"
        arguments = json.dumps(tool.arguments, ensure_ascii=False)
        typer.echo(f"[{tool.n}] ERP {tool.tool} {arguments} → {status}")
    for citation in state.citations:
        if citation["kind"] == "document":
            where = json.dumps(citation.get("location") or {}, ensure_ascii=False)
            typer.echo(f"[{citation['n']}] {citation['title']} {where} ({citation['chunk_id']})")
    timings = ", ".join(f"{k}={v:.0f}" for k, v in state.timings.items())
    typer.echo(f"({timings} ms)")


def _as_json(final: dict[str, Any]) -> dict[str, Any]:
    # An operator's command: the rejected model sentence, if any, is shown too.
    return {"message_id": final["message_id"], **final["state"].outcome()}


@app.callback(invoke_without_command=True)
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Korean.")],
    as_user: Annotated[
        str, typer.Option("--as", help="Ask as this user (username); their rights apply.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the assistant pipeline once as USER and print the answer, citations and ERP calls."""
    from dari.chat.errors import ChatError
    from dari.chat.runner import ask_once, principal_for, started_runtime
    from dari.cli.common import fail, run, settings_or_exit

    settings = settings_or_exit()

    async def main() -> dict[str, Any]:
        async with started_runtime(settings) as runtime:
            principal = await principal_for(runtime, as_user)

            async def sink(event: dict[str, Any]) -> None:
                if event["type"] == "token" and not as_json:
                    sys.stdout.write(event["delta"])
                    sys.stdout.flush()

            return await ask_once(runtime, principal, question, sink=sink)

    try:
        final = run(main())
    except ChatError as exc:
        fail(f"{exc.code}: {exc.message}")
    if final["type"] == "error":
        fail(f"{final['code']}: {final['message']}")
    if as_json:
        typer.echo(json.dumps(_as_json(final), ensure_ascii=False, indent=2, default=str))
    else:
        _print_text(final)


def _router_app() -> typer.Typer:
    from dari.chat.router.cli import app as router_app

    return router_app


GROUPS = {"router": _router_app()}
