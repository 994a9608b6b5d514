"""Finding and reading documents as a principal. Never commits.

The access-checked lookups (`get_visible`: 404 when unreadable, `get_manageable`: 403 when
only readable), audited reads of the metadata and of chunks (the admin console's preview)
and single chunks as citations (`get_chunk`, also used by chat). Who may read or manage
what: `dari.documents.policy`. The original file is read by `service.read_original`, next to
the store that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from dari.audit.service import record
from dari.core.principal import Principal
from dari.documents import repository
from dari.documents.errors import NOT_FOUND, DocumentError
from dari.documents.models import Document, DocumentChunk
from dari.documents.parsers.base import Location
from dari.documents.policy import may_manage, may_read
from dari.documents.schemas import ChunkView


async def get_visible(session: AsyncSession, principal: Principal, document_id: str) -> Document:
    """The document if `principal` may read it; 404 otherwise (existence is not revealed)."""
    document = await repository.get(session, document_id)
    if document is None or not may_read(
        principal, await repository.tokens_of(session, document.id)
    ):
        raise DocumentError("not_found", NOT_FOUND)
    return document


async def read(
    session: AsyncSession, principal: Principal, document_id: str, action: str = "documents.read"
) -> Document:
    """`get_visible`, audited as `action` (the metadata, a preview, a download…)."""
    document = await get_visible(session, principal, document_id)
    await record(session, action, actor=principal, subject_type="document", subject_id=document.id)
    return document


async def read_chunks(
    session: AsyncSession, principal: Principal, document_id: str, *, offset: int, limit: int
) -> tuple[Document, Sequence[DocumentChunk]]:
    """The document's extracted text chunk by chunk (the admin console's preview)."""
    document = await read(session, principal, document_id, "documents.preview")
    return document, await repository.chunks_of(session, document.id, offset=offset, limit=limit)


async def get_manageable(session: AsyncSession, principal: Principal, document_id: str) -> Document:
    """The document if `principal` may manage it; 404 if unreadable, 403 if only readable."""
    document = await get_visible(session, principal, document_id)
    tokens = await repository.tokens_of(session, document.id)
    if not may_manage(principal, document.uploader_id, tokens):
        raise DocumentError(
            "forbidden",
            "이 문서를 관리할 권한이 없습니다. 팀장은 본인이 올렸거나 접근 목록에 본인 부서가 "
            "있는 문서만 관리합니다.",
        )
    return document


async def read_chunk(session: AsyncSession, principal: Principal, chunk_id: str) -> ChunkView:
    """One chunk with its document's title and location (a citation), audited; 404 if absent
    or not readable."""
    view = await get_chunk(session, chunk_id, principal)
    if view is None:
        raise DocumentError("not_found", "문서 조각을 찾을 수 없습니다.")
    await record(
        session,
        "documents.read_chunk",
        actor=principal,
        subject_type="document",
        subject_id=view.document_id,
        details={"chunk_id": chunk_id},
    )
    return view


async def get_chunk(
    session: AsyncSession, chunk_id: str, principal: Principal | None = None
) -> ChunkView | None:
    """A chunk with its document's title and location (None if absent or not visible)."""
    found = await repository.get_chunk(session, chunk_id)
    if found is None:
        return None
    chunk, document = found
    if principal is not None and not may_read(
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
