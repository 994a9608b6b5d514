"""`dari bench ingest PATH… [--json]`: throughput of each ingestion stage on real files.

Stages are timed exactly as the job runs them: parse, chunk, embed (the configured embedder,
with a fresh embedding cache in a temporary data directory so nothing is a cache hit) and
index (`SearchService.replace_document`). Documents without page numbers (HWP, DOCX, text)
count as one page.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer


async def bench_ingest(files: list[Path], settings: Any) -> dict[str, Any]:
    from dari.config import Settings
    from dari.core.runtime import build_runtime
    from dari.documents.parsers import ParseError
    from dari.documents.pipeline import chunk_stage, parse_stage, records_for
    from dari.search.base import passage_text
    from dari.search.service import SEARCH, get_search_service

    stages = {name: 0.0 for name in ("parse", "chunk", "embed", "index")}
    pages = chunks_total = 0
    failures: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="dari-bench-") as directory:
        server = settings.server.model_copy(update={"data_dir": Path(directory)})
        runtime = build_runtime(Settings(**{**dict(settings), "server": server}))
        search = get_search_service(runtime)
        await search.start()
        try:
            for number, file in enumerate(files):
                data = file.read_bytes()
                started = time.perf_counter()
                try:
                    parsed = parse_stage(data, file.name, runtime.settings)
                except ParseError as exc:
                    failures.append({"file": file.name, "reason": exc.reason})
                    continue
                parsed_at = time.perf_counter()
                chunks = chunk_stage(parsed, runtime.settings)
                chunked_at = time.perf_counter()
                records = records_for(f"bench-{number}", 1, file.name, chunks, ["public"])
                search.embedder.embed_passages([passage_text(r) for r in records])
                embedded_at = time.perf_counter()
                await search.replace_document(f"bench-{number}", records)
                indexed_at = time.perf_counter()
                stages["parse"] += parsed_at - started
                stages["chunk"] += chunked_at - parsed_at
                stages["embed"] += embedded_at - chunked_at
                stages["index"] += indexed_at - embedded_at
                pages += parsed.page_count or 1
                chunks_total += len(chunks)
            for number in range(len(files)):
                await search.delete_document(f"bench-{number}")
        finally:
            await search.close()
            runtime.take(SEARCH)
            await runtime.close()
    total = sum(stages.values()) or 1e-9
    return {
        "files": len(files),
        "failed": failures,
        "pages": pages,
        "chunks": chunks_total,
        "total_s": round(total, 3),
        "stages": {
            name: {
                "seconds": round(seconds, 3),
                "share": round(seconds / total, 4),
                "pages_per_s": round(pages / seconds, 2) if seconds else None,
                "chunks_per_s": round(chunks_total / seconds, 2) if seconds else None,
            }
            for name, seconds in stages.items()
        },
    }


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("ingest")
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders of documents.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Pages/s and chunks/s of parse, chunk, embed and index, with each stage's share."""
        from dari.cli.common import run, settings_or_exit
        from dari.documents.cli import collect

        files = [file for file, _ in collect(paths)]
        result = run(bench_ingest(files, settings_or_exit()))
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        typer.echo(f"{result['files']} files, {result['pages']} pages, {result['chunks']} chunks")
        for name, stage in result["stages"].items():
            typer.echo(
                f"  {name:6} {stage['seconds']:8.2f} s  {stage['share'] * 100:5.1f}%  "
                f"{stage['pages_per_s']} pages/s  {stage['chunks_per_s']} chunks/s"
            )
        for failure in result["failed"]:
            typer.echo(f"  failed {failure['file']}: {failure['reason']}")
