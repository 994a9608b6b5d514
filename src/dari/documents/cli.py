"""`dari documents …` commands; `dari documents ingest PATH…` loads files and folders.

The lead mounts `ingest` also as a top-level `dari ingest` (see docs/documents.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dari.cli.common import fail, run, settings_or_exit

app = typer.Typer(
    name="documents", help="Documents: ingest files and folders.", no_args_is_help=True
)


def collect(paths: list[Path]) -> list[tuple[Path, str]]:
    """(file, source path) for every file under `paths` (folders recursively, sorted)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in file.relative_to(path).parts):
                    found.append((file, f"{path.name}/{file.relative_to(path).as_posix()}"))
        elif path.is_file():
            found.append((path, path.name))
        else:
            fail(f"{path} does not exist")
    return found


async def ingest_paths(
    files: list[tuple[Path, str]], access: str | None, wait: bool
) -> dict[str, int]:
    from dari.core.access import AccessList
    from dari.core.errors import DariError
    from dari.core.runtime import build_runtime
    from dari.documents import service
    from dari.documents.pipeline import ingest

    settings = settings_or_exit()
    access_list = AccessList.model_validate_json(access) if access else AccessList()
    runtime = build_runtime(settings)
    counts = {"queued": 0, "unchanged": 0, "refused": 0, "indexed": 0, "failed": 0}
    try:
        from dari.search.service import get_search_service

        await get_search_service(runtime).start()
        with typer.progressbar(files, label="ingesting", show_pos=True) as bar:
            for file, source in bar:
                try:
                    async with runtime.sessionmaker() as session:
                        document, needed, replaced = await service.upload(
                            session,
                            runtime,
                            data=file.read_bytes(),
                            filename=file.name,
                            source_path=source,
                            access=access_list,
                            uploader=None,
                        )
                        await session.commit()
                except DariError as exc:
                    counts["refused"] += 1
                    typer.echo(f"\n  refused {source}: {exc.message}", err=True)
                    continue
                if not needed:
                    counts["unchanged"] += 1
                    continue
                counts["queued"] += 1
                if wait:
                    status = await ingest(runtime, document.id, document.version, replaced)
                    counts[status if status in counts else "failed"] += 1
                    if status == "failed":
                        async with runtime.sessionmaker() as session:
                            from dari.documents import repository

                            failed = await repository.get(session, document.id)
                            reason = failed.error if failed else ""
                        typer.echo(f"\n  failed {source}: {reason}", err=True)
                else:
                    await service.enqueue_ingest(runtime, document, replaced)
    finally:
        from dari.search.service import get_search_service

        await get_search_service(runtime).close()
        await runtime.close()
    return counts


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    access: Annotated[
        str | None,
        typer.Option(help='Access list as JSON, e.g. {"public": false, "roles": ["hr"]}.'),
    ] = None,
    wait: Annotated[
        bool, typer.Option(help="Ingest here and now (default); --no-wait queues for a worker.")
    ] = True,
) -> None:
    """Upload files and folders, skipping files whose content is unchanged."""
    files = collect(paths)
    if not files:
        fail("no files found")
    counts = run(ingest_paths(files, access, wait))
    typer.echo(", ".join(f"{name}: {value}" for name, value in counts.items() if value))
    if counts["failed"] or counts["refused"]:
        raise typer.Exit(1)


TOP_LEVEL_COMMANDS = {"ingest": ingest_command}
