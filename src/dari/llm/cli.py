"""`dari llm …`: run the embedded LLM server, list models, ask a question."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Annotated

import typer

from dari.cli.common import fail, run, settings_or_exit
from dari.llm.catalog import CATALOG, ModelError, ensure_model, is_assembled, models_dir, part_files

app = typer.Typer(name="llm", help="The LLM server and gateway.", no_args_is_help=True)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port (DARI_LLM_EMBEDDED_PORT; 0 = free).")] = -1,
    host: Annotated[str | None, typer.Option(help="Address (DARI_LLM_EMBEDDED_HOST).")] = None,
) -> None:
    """Run the embedded llama.cpp server (OpenAI-compatible) in the foreground."""
    from dari.config import Settings
    from dari.llm.embedded import EmbeddedServer, llama_cpp_installed

    settings = settings_or_exit()
    llm = settings.llm.model_copy(
        update={
            "embedded_port": settings.llm.embedded_port if port < 0 else port,
            "embedded_host": host or settings.llm.embedded_host,
        }
    )
    settings = Settings(**{**dict(settings), "llm": llm})
    if not llama_cpp_installed():
        fail("llama-cpp-python is not installed; run `pip install -e '.[llm]'` (or `make run`)")
    try:
        model_path, alias = ensure_model(settings)
    except ModelError as exc:
        fail(str(exc))
    server = EmbeddedServer(settings, model_path, alias)
    typer.echo(f"serving {alias} ({model_path}) at {server.base_url}  (Ctrl-C stops)")
    typer.echo(f"point Dari at it with DARI_LLM_BASE_URL={server.base_url}")

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # a service manager's SIGTERM stops the model server too

    signal.signal(signal.SIGTERM, terminate)
    server.start()
    assert server.process is not None
    try:
        code = server.process.wait()
    except KeyboardInterrupt:
        run(server.stop())
        code = 0
    raise typer.Exit(code)


@app.command()
def models(
    assemble: Annotated[
        bool, typer.Option("--assemble", help="Assemble the configured model now.")
    ] = False,
) -> None:
    """List the offline models: installed packages, assembled files, the configured one."""
    settings = settings_or_exit()
    if assemble:
        try:
            path, _ = ensure_model(settings)
        except ModelError as exc:
            fail(str(exc))
        typer.echo(f"ready: {path}")
    cfg = settings.llm
    for model in CATALOG.values():
        target = models_dir(settings) / model.filename
        if is_assembled(model, target):
            state = f"assembled: {target}"
        elif part_files(model) is not None:
            state = "installed (assembled on first use)"
        else:
            state = f"not installed (pip install {model.packages[0]} … {model.packages[-1]})"
        chosen = "*" if not cfg.model_path and cfg.embedded_model == model.name else " "
        typer.echo(f"{chosen} {model.name:30} {state}")
        typer.echo(f"    {model.note}; sha256 {model.sha256 or '(not pinned)'}")
    if cfg.model_path:
        typer.echo(f"* {cfg.model_path} (DARI_LLM_MODEL_PATH)")
    if cfg.base_url:
        typer.echo(f"DARI_LLM_BASE_URL={cfg.base_url}: the embedded server is not used")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, e.g. '연차 휴가는 며칠인가요?'")],
    max_tokens: Annotated[int, typer.Option(help="Answer length limit (tokens).")] = 256,
) -> None:
    """Ask the configured LLM (or a temporary embedded server) and stream the answer."""
    from dari.llm import llm_session, prompts
    from dari.llm.base import ChatMessage, LLMError

    settings = settings_or_exit()

    async def go() -> None:
        async with llm_session(settings) as client:
            messages = [
                ChatMessage(role="system", content=prompts.render("system")),
                ChatMessage(role="user", content=question),
            ]
            async for delta in client.stream_chat(messages, max_tokens=max_tokens):
                if delta.done and delta.timings and delta.usage:
                    t = delta.timings
                    typer.echo(
                        f"\n[{delta.usage.completion_tokens} tokens, first token "
                        f"{t.ttft_ms:.0f} ms, {t.tokens_per_s:.1f} tokens/s]",
                        err=True,
                    )
                else:
                    sys.stdout.write(delta.text)
                    sys.stdout.flush()

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(go())
    except (LLMError, ModelError) as exc:
        fail(str(exc))
