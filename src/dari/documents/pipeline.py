"""The ingestion pipeline: parse → chunk → embed → index, committing each stage's status.

Stages are plain functions too, so `dari bench ingest` times exactly what a job runs. A parse
failure (`ParseError`) ends the document `failed` with its reason; an unexpected error ends
it `failed` with the error's type (reindex to retry). A worker that dies mid-way leaves the
document in an active status: arq runs the job again, and the in-process queue re-enqueues
active documents at startup (`lifecycle.py`). Every write checks the version, so an older
job never overwrites a newer upload.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy.orm.exc import StaleDataError

from dari.config import Settings
from dari.core.runtime import Runtime
from dari.db.base import utcnow
from dari.documents import repository
from dari.documents.chunking import Chunk, ChunkOptions, chunk_blocks
from dari.documents.models import ACTIVE_STATUSES, Document, DocumentChunk
from dari.documents.parsers import ParsedDocument, ParseError, parse
from dari.documents.service import parse_limits, search_service, store
from dari.search.base import ChunkRecord, passage_text

INGESTED = Counter(
    "dari_documents_ingested_total",
    "Ingestion jobs by final outcome (indexed, failed, skipped = superseded by a newer version).",
    ["outcome"],
)
INGEST_SECONDS = Histogram(
    "dari_documents_ingest_seconds",
    "Wall time from the start of a job to `indexed`.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800),
)
log = logging.getLogger(__name__)


def chunk_options(settings: Settings) -> ChunkOptions:
    return ChunkOptions(settings.documents.chunk_tokens, settings.documents.chunk_overlap)


def parse_stage(data: bytes, filename: str, settings: Settings) -> ParsedDocument:
    return parse(data, filename, parse_limits(settings))


def chunk_stage(parsed: ParsedDocument, settings: Settings) -> list[Chunk]:
    return chunk_blocks(parsed.blocks, chunk_options(settings))


def records_for(
    document_id: str, version: int, title: str, chunks: Sequence[Chunk], tokens: list[str]
) -> list[ChunkRecord]:
    return [
        ChunkRecord(
            chunk_id=f"{document_id}:{version}:{chunk.ordinal}",
            document_id=document_id,
            text=chunk.text,
            title=title,
            heading_path=list(chunk.heading_path),
            location=chunk.location.as_dict(),
            access_tokens=tokens,
            metadata={"kind": chunk.kind, "ordinal": chunk.ordinal, "version": version},
        )
        for chunk in chunks
    ]


async def _update(runtime: Runtime, document_id: str, version: int, **values: Any) -> bool:
    """Set fields and commit; False when the document is gone or superseded."""
    async with runtime.sessionmaker() as session:
        document = await repository.get(session, document_id)
        if document is None or document.version != version:
            return False
        for name, value in values.items():
            setattr(document, name, value)
        try:
            await session.commit()
        except StaleDataError:  # deleted between the read and the commit
            return False
        return True


async def _start(runtime: Runtime, document_id: str, version: int) -> Document | None:
    """Claim the document (status `parsing`); None when there is nothing to do.

    Jobs are queued only after the commit that wrote their version
    (`dari.documents.service.queue_ingest`), so the row is always there: a missing row was
    deleted, and another version means a newer upload or reindex has its own job.
    """
    async with runtime.sessionmaker() as session:
        document = await repository.get(session, document_id)
        if document is None or document.version != version:
            log.info("document %s v%d deleted or superseded; job skipped", document_id, version)
            return None
        if document.status not in ACTIVE_STATUSES:
            return None  # already done (a duplicate job)
        document.status = "parsing"
        await session.commit()
        return document


async def ingest(
    runtime: Runtime, document_id: str, version: int, replaced_sha256: str | None = None
) -> str:
    """Run the whole pipeline for one document version; returns the final status."""
    started = time.perf_counter()
    status = await _ingest(runtime, document_id, version, replaced_sha256)
    INGESTED.labels(status).inc()
    if status == "indexed":
        INGEST_SECONDS.observe(time.perf_counter() - started)
    return status


async def _ingest(
    runtime: Runtime, document_id: str, version: int, replaced_sha256: str | None
) -> str:
    document = await _start(runtime, document_id, version)
    if document is None:
        return "skipped"
    try:
        status = await _run(runtime, document, version)
    except asyncio.CancelledError:
        raise
    except ParseError as exc:
        await _update(
            runtime, document_id, version, status="failed", error_code=exc.code, error=exc.reason
        )
        return "failed"
    except Exception as exc:
        log.exception("ingestion of %s failed", document_id)
        await _update(
            runtime,
            document_id,
            version,
            status="failed",
            error_code="internal_error",
            error=f"Ingestion failed unexpectedly ({type(exc).__name__}); reindex to retry.",
        )
        return "failed"
    if status == "indexed" and replaced_sha256:
        async with runtime.sessionmaker() as session:
            if not await repository.by_sha256(session, replaced_sha256):
                store(runtime).delete(replaced_sha256)
    return status


async def _run(runtime: Runtime, document: Document, version: int) -> str:
    settings = runtime.settings
    document_id = document.id
    try:
        data = await asyncio.to_thread(store(runtime).get, document.sha256)
    except FileNotFoundError:
        raise ParseError(
            "missing_original", "The stored original is missing; upload it again."
        ) from None
    parsed = await asyncio.to_thread(parse_stage, data, document.source_path, settings)
    if not await _update(
        runtime,
        document_id,
        version,
        status="chunking",
        doc_type=parsed.doc_type,
        page_count=parsed.page_count,
        warnings=parsed.warnings[:100],
    ):
        return "skipped"
    chunks = await asyncio.to_thread(chunk_stage, parsed, settings)
    if not chunks:
        raise ParseError("no_text", "No text could be extracted from the document.")
    if not await _update(
        runtime, document_id, version, status="embedding", chunks_total=len(chunks), chunks_done=0
    ):
        return "skipped"
    search = search_service(runtime)
    records = records_for(document_id, version, document.title, chunks, ["nobody"])
    batch = settings.documents.embed_batch
    for start in range(0, len(records), batch):
        texts = [passage_text(r) for r in records[start : start + batch]]
        # Fills the embedding cache; `replace_document` below then embeds nothing again.
        await asyncio.to_thread(search.embedder.embed_passages, texts)
        done = min(start + batch, len(records))
        if not await _update(runtime, document_id, version, chunks_done=done):
            return "skipped"
    async with runtime.sessionmaker() as session:
        current = await repository.get(session, document_id)
        if current is None or current.version != version:
            return "skipped"
        tokens = await repository.tokens_of(session, document_id) or ["nobody"]
        records = records_for(document_id, version, current.title, chunks, tokens)
        await search.replace_document(document_id, records)
        rows = [
            DocumentChunk(
                id=r.chunk_id,
                document_id=document_id,
                ordinal=c.ordinal,
                kind=c.kind,
                text=c.text,
                heading_path=list(c.heading_path),
                location=c.location.as_dict(),
                token_count=c.token_count,
            )
            for r, c in zip(records, chunks, strict=True)
        ]
        try:
            await repository.replace_chunks(session, document_id, rows)
            current.status = "indexed"
            current.chunks_done = len(chunks)
            current.indexed_at = utcnow()
            current.error_code = current.error = None
            await session.commit()
        except Exception:
            # Deleted while its chunks went into the index (a stale row, a foreign key, a
            # locked SQLite snapshot): the delete's own clean-up may already have run, so take
            # them out again rather than leave orphans in search.
            await session.rollback()
            async with runtime.sessionmaker() as fresh:
                if await repository.get(fresh, document_id) is not None:
                    raise
            await search.delete_document(document_id)
            return "skipped"
    return "indexed"
