"""Crash recovery, the ingest CLI and the versions that keep stale jobs from writing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from dari.config import Settings
from dari.core.access import AccessList
from dari.core.runtime import Runtime
from dari.documents import repository, service
from dari.documents.lifecycle import resume_interrupted
from dari.documents.models import Document
from dari.documents.pipeline import ingest
from dari.search.service import get_search_service

TEXT = "보안 규정: 사내 노트북은 퇴근 시 잠금 캐비닛에 보관한다."


async def _uploaded(runtime: Runtime, name: str = "보안.txt", text: str = TEXT) -> Document:
    async with runtime.sessionmaker() as session:
        document, needed, _ = await service.upload(
            session,
            runtime,
            data=text.encode(),
            filename=name,
            access=AccessList(),
            uploader=None,
        )
        await session.commit()
    assert needed
    return document


async def test_a_document_left_mid_ingestion_is_resumed(runtime: Runtime) -> None:
    document = await _uploaded(runtime)
    async with runtime.sessionmaker() as session:  # the worker died while embedding
        row = await repository.get(session, document.id)
        assert row is not None
        row.status, row.chunks_total, row.chunks_done = "embedding", 1, 0
        await session.commit()
    assert await resume_interrupted(runtime) == 1
    await get_search_service(runtime).start()
    await runtime.queue.start_worker(runtime)
    await runtime.queue.drain(timeout=120)
    async with runtime.sessionmaker() as session:
        row = await repository.get(session, document.id)
        assert row is not None and row.status == "indexed" and row.chunks_done == 1
    await get_search_service(runtime).close()


async def test_a_stale_job_does_not_overwrite_a_newer_version(runtime: Runtime) -> None:
    document = await _uploaded(runtime)
    async with runtime.sessionmaker() as session:
        newer, _, _ = await service.upload(
            session,
            runtime,
            data=b"new content",
            filename="x",
            source_path="보안.txt",
            access=AccessList(),
            uploader=None,
        )
        await session.commit()
    assert newer.version == 2
    assert await ingest(runtime, document.id, 1) == "skipped"
    assert await ingest(runtime, document.id, 2) == "indexed"
    assert await ingest(runtime, document.id, 2) == "skipped"  # a duplicate delivery
    await get_search_service(runtime).close()


async def test_ingest_cli_skips_unchanged_files(
    settings: Settings, tmp_path: Path, monkeypatch
) -> None:
    from dari.documents import cli

    folder = tmp_path / "규정"
    (folder / "sub").mkdir(parents=True)
    (folder / "보안.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sub" / "휴가.md").write_text("# 휴가\n\n연차는 15일이다.", encoding="cp949")
    (folder / "empty.txt").write_bytes(b"")
    (folder / ".hidden").write_text("x")
    monkeypatch.setattr(cli, "settings_or_exit", lambda: settings)
    files = cli.collect([folder])
    assert [source for _, source in files] == [
        "규정/empty.txt",
        "규정/sub/휴가.md",
        "규정/보안.txt",
    ]
    counts = await cli.ingest_paths(files, None, wait=True)
    assert counts["indexed"] == 2 and counts["refused"] == 1
    counts = await cli.ingest_paths(files, None, wait=True)
    assert counts["unchanged"] == 2 and counts["indexed"] == 0
    from dari.core.runtime import build_runtime

    runtime = build_runtime(settings)
    async with runtime.sessionmaker() as session:
        paths = sorted((await session.scalars(select(Document.source_path))).all())
    await runtime.close()
    assert paths == ["규정/sub/휴가.md", "규정/보안.txt"]
