"""Document logic: upload, access, update, reindex, delete, previews. Never commits.

Callers commit (the request session, a job, the CLI). Enqueueing ingestion is the caller's
job too, after its commit (`enqueue_ingest`), so a worker never looks for an uncommitted row.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.problems import Problem
from dari.audit.service import record
from dari.config import Settings
from dari.core.access import AccessList, can_read
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.documents import repository
from dari.documents.models import ACTIVE_STATUSES, Document
from dari.documents.parsers import ParseError, ParseLimits, detect_type
from dari.documents.parsers.base import Location
from dari.documents.schemas import ChunkView
from dari.documents.storage import OriginalStore, safe_filename, safe_source_path

MANAGE = "docs:manage"
READ = "docs:read"


def parse_limits(settings: Settings) -> ParseLimits:
    section = settings.documents
    return ParseLimits(
        max_pages=section.max_pages,
        max_uncompressed_bytes=section.max_uncompressed_mb * 1024 * 1024,
        max_zip_ratio=section.max_zip_ratio,
        ocr=section.ocr,
        ocr_languages=section.ocr_languages,
        ocr_timeout_s=section.ocr_timeout_s,
        ocr_max_pages=section.ocr_max_pages,
    )


def store(runtime: Runtime) -> OriginalStore:
    return runtime.service("documents.store", lambda: OriginalStore.from_settings(runtime.settings))


def search_service(runtime: Runtime) -> Any:
    from dari.search.service import get_search_service

    return get_search_service(runtime)


def can_see(principal: Principal, tokens: list[str]) -> bool:
    return principal.has(MANAGE) or can_read(tokens, principal.access_tokens())


async def upload(
    session: AsyncSession,
    runtime: Runtime,
    *,
    data: bytes,
    filename: str,
    access: AccessList,
    uploader: Principal | None,
    source_path: str | None = None,
    title: str | None = None,
) -> tuple[Document, bool, str | None]:
    """Store an original and its metadata; returns (document, needs ingestion, replaced sha).

    A file with the same source path replaces that document (its version goes up); the
    same content again is a no-op. An empty file or an unsupported type is refused (4xx);
    a damaged file is accepted and ends `failed` with its reason.
    """
    name = safe_filename(filename)
    limit = runtime.settings.documents.max_upload_mb
    if not data:
        raise Problem(400, "empty_file", "The file is empty (0 bytes).")
    if len(data) > limit * 1024 * 1024:
        raise Problem(413, "too_large", f"The file is larger than {limit} MB.")
    doc_type = "unknown"
    try:
        doc_type = detect_type(data, name)
    except ParseError as exc:
        if exc.code == "unsupported_type":
            raise Problem(415, "unsupported_type", exc.reason) from None
    source = safe_source_path(source_path or name)
    digest = store(runtime).put(data)
    document = await repository.by_source_path(session, source)
    replaced: str | None = None
    if document is not None:
        if document.sha256 == digest and document.status != "failed":
            return document, False, None
        replaced = document.sha256 if document.sha256 != digest else None
        document.version += 1
    else:
        document = Document(source_path=source, title=title or name, access={})
        session.add(document)
    document.title = title or document.title
    document.doc_type = doc_type
    document.size_bytes = len(data)
    document.sha256 = digest
    document.status = "queued"
    document.error_code = document.error = None
    document.warnings = []
    document.chunks_done = document.chunks_total = 0
    document.uploader_id = uploader.user_id if uploader else None
    document.uploader_name = uploader.username if uploader else "cli"
    document.access = access.model_dump()
    await session.flush()
    await repository.set_tokens(session, document.id, access.tokens())
    await record(
        session,
        "documents.upload",
        actor=uploader,
        actor_name=None if uploader else "cli",
        subject_type="document",
        subject_id=document.id,
        details={"title": document.title, "version": document.version, "type": doc_type},
    )
    return document, True, replaced


async def enqueue_ingest(
    runtime: Runtime, document: Document, replaced_sha256: str | None = None
) -> str:
    payload = {
        "document_id": document.id,
        "version": document.version,
        "replaced_sha256": replaced_sha256,
    }
    job_id = f"ingest-{document.id}-{document.version}-{uuid.uuid4().hex[:8]}"
    return await runtime.queue.enqueue("ingest_document", payload, job_id=job_id)


async def get_visible(session: AsyncSession, principal: Principal, document_id: str) -> Document:
    """The document if `principal` may see it; 404 otherwise (existence is not revealed)."""
    document = await repository.get(session, document_id)
    if document is None or not can_see(principal, await repository.tokens_of(session, document.id)):
        raise Problem(404, "not_found", "No such document.")
    return document


async def update(
    session: AsyncSession,
    runtime: Runtime,
    document: Document,
    *,
    actor: Principal,
    title: str | None,
    access: AccessList | None,
) -> Document:
    changes: dict[str, Any] = {}
    if title is not None and title != document.title:
        changes["title"] = [document.title, title]
        document.title = title
    if access is not None:
        tokens = access.tokens()
        changes["access"] = tokens
        document.access = access.model_dump()
        await repository.set_tokens(session, document.id, tokens)
        if document.indexed_at is not None:
            # Search filters on the chunk tokens: rewriting them is enough, nothing re-embeds.
            # Also while a new version is being ingested: the old chunks are still searchable.
            await search_service(runtime).set_access(document.id, tokens)
    await session.flush()
    await record(
        session,
        "documents.update",
        actor=actor,
        subject_type="document",
        subject_id=document.id,
        details=changes,
    )
    return document


async def mark_for_reindex(session: AsyncSession, document: Document, actor: Principal) -> None:
    if document.status in ACTIVE_STATUSES and document.status != "queued":
        raise Problem(409, "busy", f"The document is being ingested ({document.status}).")
    document.status = "queued"
    document.version += 1  # the job waits for this version: it never sees the old row
    document.error_code = document.error = None
    document.chunks_done = 0
    await session.flush()
    await record(
        session, "documents.reindex", actor=actor, subject_type="document", subject_id=document.id
    )


async def delete(
    session: AsyncSession, runtime: Runtime, document: Document, actor: Principal | None
) -> None:
    """Remove the index entries, the rows and (if no other document shares it) the original."""
    await search_service(runtime).delete_document(document.id)
    digest = document.sha256
    await record(
        session,
        "documents.delete",
        actor=actor,
        actor_name=None if actor else "cli",
        subject_type="document",
        subject_id=document.id,
        details={"title": document.title},
    )
    await repository.delete_document(session, document)
    if not await repository.by_sha256(session, digest):
        store(runtime).delete(digest)


async def get_chunk(
    session: AsyncSession, chunk_id: str, principal: Principal | None = None
) -> ChunkView | None:
    """A chunk with its document's title and location (None if absent or not visible)."""
    found = await repository.get_chunk(session, chunk_id)
    if found is None:
        return None
    chunk, document = found
    if principal is not None and not can_see(
        principal, await repository.tokens_of(session, document.id)
    ):
        return None
    return ChunkView(
        chunk_id=chunk.id,
        document_id=document.id,
        document_title=document.title,
        doc_type=document.doc_type,
        text=chunk.text,
        heading_path=list(chunk.heading_path),
        location=dict(chunk.location),
        location_label=Location(**chunk.location).label(),
    )
