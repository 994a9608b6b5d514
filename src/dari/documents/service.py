"""Document logic: upload, ingest queueing, update, reindex, delete, originals. Never commits.

Callers commit (the request session, a job, the CLI). Changes outside the database — the
search index, stored originals, the job queue — are registered with
`dari.db.aftercommit.after_commit` and happen only once the caller's commit succeeded
(`queue_ingest` for ingestion), so a failed commit leaves them untouched and a worker never
looks for an uncommitted row. Who may read or manage what: `dari.documents.policy`; the
access-checked lookups and reads (metadata, chunk previews, citations) live in
`dari.documents.reads` and are re-exported here for callers.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dari.audit.service import record
from dari.config import Settings
from dari.core.access import AccessList
from dari.core.principal import Principal
from dari.core.runtime import Runtime, Slot
from dari.db.aftercommit import after_commit
from dari.documents import repository
from dari.documents.errors import DocumentError
from dari.documents.models import ACTIVE_STATUSES, Document
from dari.documents.parsers import ParseError, ParseLimits, detect_type
from dari.documents.policy import ADMIN, MANAGE, READ, keeps_manager_reading, may_manage
from dari.documents.reads import (
    get_chunk,
    get_manageable,
    get_visible,
    read,
    read_chunk,
    read_chunks,
)
from dari.documents.storage import OriginalStore, safe_filename, safe_source_path

__all__ = [
    "ADMIN",
    "MANAGE",
    "READ",
    "get_chunk",
    "get_manageable",
    "get_visible",
    "read",
    "read_chunk",
    "read_chunks",
]


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


STORE: Slot[OriginalStore] = Slot("documents.store")


def store(runtime: Runtime) -> OriginalStore:
    return runtime.get(STORE, lambda: OriginalStore.from_settings(runtime.settings))


def search_service(runtime: Runtime) -> Any:
    from dari.search.service import get_search_service

    return get_search_service(runtime)


def check_access_list(principal: Principal | None, access: AccessList) -> None:
    """Refuse (422) an access list that would lock its (non-admin) manager out."""
    if principal is not None and not keeps_manager_reading(principal, access):
        raise DocumentError(
            "invalid_access",
            "이 접근 목록으로는 본인도 문서를 볼 수 없게 됩니다. 본인의 부서(또는 본인)를 "
            "포함하세요. 다른 부서 전용 문서는 관리자(admin)가 등록합니다.",
        )


async def _replaceable(
    session: AsyncSession, source_path: str, uploader: Principal | None
) -> Document | None:
    """The document an upload to `source_path` replaces: the oldest one the uploader manages.

    Documents the uploader may not manage are never replaced (a new document is made beside
    them), so a re-upload can neither take over nor reveal another department's document.
    """
    for document in await repository.by_source_path(session, source_path):
        tokens = await repository.tokens_of(session, document.id)
        if uploader is None or may_manage(uploader, document.uploader_id, tokens):
            return document
    return None


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
        raise DocumentError("empty_file")
    if len(data) > limit * 1024 * 1024:
        raise DocumentError("too_large", f"파일이 {limit}MB보다 큽니다.", max_mb=limit)
    doc_type = "unknown"
    try:
        doc_type = detect_type(data, name)
    except ParseError as exc:
        if exc.code == "unsupported_type":
            raise DocumentError(
                "unsupported_type", f"지원하지 않는 파일 형식입니다. ({exc.reason})"
            ) from None
    check_access_list(uploader, access)
    source = safe_source_path(source_path or name)
    # Written before the commit so a committed row never points at a missing file; after a
    # failed commit the file stays unreferenced (the next identical upload reuses it).
    digest = store(runtime).put(data)
    document = await _replaceable(session, source, uploader)
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


def queue_ingest(
    session: AsyncSession,
    runtime: Runtime,
    document: Document,
    replaced_sha256: str | None = None,
) -> None:
    """Queue ingestion of the document's current version once `session` has committed."""
    after_commit(session, partial(enqueue_ingest, runtime, document, replaced_sha256))


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


async def read_original(
    session: AsyncSession, runtime: Runtime, principal: Principal, document_id: str
) -> tuple[Document, bytes]:
    """The document and its stored original (404 `missing_original` if the file is gone)."""
    document = await get_visible(session, principal, document_id)
    try:
        data = store(runtime).get(document.sha256)
    except FileNotFoundError:
        raise DocumentError("missing_original") from None
    await record(
        session,
        "documents.download",
        actor=principal,
        subject_type="document",
        subject_id=document.id,
    )
    return document, data


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
        check_access_list(actor, access)
        tokens = access.tokens()
        changes["access"] = tokens
        document.access = access.model_dump()
        await repository.set_tokens(session, document.id, tokens)
        if document.indexed_at is not None:
            # Search filters on the chunk tokens: rewriting them is enough, nothing re-embeds.
            # Also while a new version is being ingested: the old chunks are still searchable.
            search = search_service(runtime)
            after_commit(session, partial(search.set_access, document.id, tokens))
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
        raise DocumentError(
            "busy",
            "문서를 처리하는 중입니다. 끝난 뒤에 다시 시도해 주세요.",
            document_status=document.status,
        )
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
    """Remove the rows; after the commit the index entries and the original (if unshared)."""
    digest = document.sha256
    search = search_service(runtime)
    after_commit(session, partial(search.delete_document, document.id))
    after_commit(session, partial(_delete_original_if_unused, runtime, digest))
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


async def _delete_original_if_unused(runtime: Runtime, digest: str) -> None:
    # Checked after the commit in a session of its own: another document with the same
    # content, committed meanwhile, keeps the file.
    async with runtime.sessionmaker() as session:
        if await repository.by_sha256(session, digest):
            return
    store(runtime).delete(digest)
