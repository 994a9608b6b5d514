"""`dari demo …`: set up the demo company 한빛정밀 and list its logins (docs/demo.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dari.cli.common import fail, run, settings_or_exit
from dari.demo.company import DEMO_PASSWORD, USERS, department

app = typer.Typer(
    name="demo",
    help="The demo company 한빛정밀 (development only): users, sample ERP, documents.",
    no_args_is_help=True,
)


def _logins_table() -> list[dict[str, str]]:
    return [
        {
            "login": user.username,
            "password": DEMO_PASSWORD,
            "name": user.display_name,
            "department": department(user.department).name,
            "position": user.position,
            "roles": ", ".join(user.roles),
            "erp_employee_code": user.erp_employee_code or "",
            "can": user.note,
        }
        for user in USERS
    ]


def _print_logins() -> None:
    typer.echo(f"데모 로그인 (비밀번호는 모두 {DEMO_PASSWORD} — 데모 전용):")
    for row in _logins_table():
        typer.echo(
            f"  {row['login']:<13} {row['name']:<6} {row['department']:<6} {row['roles']:<18} "
            f"{row['can']}"
        )


@app.command("setup")
def setup(
    erp: Annotated[bool, typer.Option(help="Load the sample ERP if it is absent.")] = True,
    documents: Annotated[bool, typer.Option(help="Ingest the demo documents.")] = True,
    quiet: Annotated[bool, typer.Option(help="Print only the summary line.")] = False,
    wait: Annotated[
        bool,
        typer.Option(
            help="Wait until the documents are indexed. With --no-wait they are only queued "
            "and `dari serve` indexes them in the background (what `make run` does)."
        ),
    ] = True,
) -> None:
    """Create the demo departments, roles and users, load the sample ERP and ingest the demo
    documents — each only if missing. Refuses production mode."""
    from dari.core.runtime import build_runtime
    from dari.db import migrate
    from dari.demo.service import DemoRefused, refuse_in_production, setup_demo
    from dari.search.service import SEARCH

    settings = settings_or_exit()
    try:
        refuse_in_production(settings)
    except DemoRefused as exc:
        fail(str(exc))

    async def _setup():  # type: ignore[no-untyped-def]
        runtime = build_runtime(settings)
        try:
            settings.server.data_dir.mkdir(parents=True, exist_ok=True)
            await migrate.upgrade(runtime.engine)
            return await setup_demo(
                runtime,
                erp=erp,
                documents=documents,
                wait=wait,
                progress=lambda m: typer.echo(m, err=True),
            )
        finally:
            # The search service persists its indexes lazily; this process exits now.
            search = runtime.take(SEARCH)
            if search is not None:
                await search.close()
            await runtime.close()

    report = run(_setup())
    created = (
        len(report.departments.created) + len(report.roles.created) + len(report.users.created)
    )
    updated = (
        len(report.departments.updated) + len(report.roles.updated) + len(report.users.updated)
    )
    typer.echo(
        f"demo: {created} created, {updated} updated (departments, roles, users); "
        f"documents: {len(report.documents.created)} ingested"
        + (f" ({report.documents_note})" if report.documents_note else "")
        + (f"; ERP: {report.erp}" if report.erp else "")
        + f" [{report.seconds:.1f} s]"
    )
    if report.questions and not quiet:
        typer.echo(f"questions: {report.questions}")
    if not quiet:
        _print_logins()


@app.command("users")
def users(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """List the demo logins, their departments, roles and what each can see."""
    if as_json:
        typer.echo(json.dumps(_logins_table(), ensure_ascii=False, indent=2))
        return
    _print_logins()


@app.command("questions")
def questions(
    output: Annotated[
        Path | None, typer.Option(help="Write here (default: <data_dir>/demo/questions.ko.yaml).")
    ] = None,
) -> None:
    """Rebuild the assistant question set from the ERP data currently loaded."""
    from dari.demo.questions import build_question_set, dump_question_set
    from dari.demo.service import erp_has_sample, questions_path, sample_erp_url

    settings = settings_or_exit()
    url = sample_erp_url(settings)
    if not run(erp_has_sample(url)):
        fail("no sample ERP data found; run `dari demo setup` (or `dari erp sample`) first")
    question_set = run(build_question_set(url))
    target = output or questions_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_question_set(question_set), encoding="utf-8")
    typer.echo(f"wrote {target} ({len(question_set['questions'])} questions)")
