"""HTTP API of the documents domain (`/api/documents`)."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from dari.api.deps import RuntimeDep, SessionDep
from dari.auth.deps import require
from dari.core.access import AccessList
from dari.core.principal import Principal
from dari.documents import repository, service
from dari.documents.errors import DocumentError
from dari.documents.models import STATUSES
from dari.documents.policy import sees_all
from dari.documents.schemas import (
    ChunkOut,
    ChunkView,
    DocumentOut,
    DocumentPage,
    DocumentUpdate,
    PreviewOut,
)

router = APIRouter(prefix="/api/documents", tags=["documents"])
Manager = Annotated[Principal, Depends(require(service.MANAGE))]
Reader = Annotated[Principal, Depends(require(service.READ))]
# Originals are served with their own type only for formats a browser does not execute in
# our origin; HTML, Markdown, CSV and text (which may hold markup or script) are plain bytes.
_MEDIA = {
    "pdf": "application/pdf",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_DOWNLOAD_HEADERS = {
    # Even if a browser renders the download, it runs nothing and reaches nothing of ours.
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


def _access(raw: str | None) -> AccessList:
    if not raw:
        return AccessList()
    try:
        return AccessList.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        raise DocumentError(
            "invalid_access",
            '`access` 필드는 JSON 접근 목록이어야 합니다. 예: {"public": false, "departments": '
            '["영업1팀"]}',
        ) from None


@router.post("", status_code=201, response_model=DocumentOut)
async def upload_document(
    runtime: RuntimeDep,
    session: SessionDep,
    user: Manager,
    file: Annotated[UploadFile, File(description="The document (PDF, HWP, HWPX, Office, …).")],
    access: Annotated[str | None, Form(description="Access list as JSON.")] = None,
    title: Annotated[str | None, Form(max_length=255)] = None,
) -> DocumentOut:
    """Upload a document; ingestion runs in the background (poll `GET /api/documents/{id}`)."""
    access_list = _access(access)
    limit = runtime.settings.documents.max_upload_mb * 1024 * 1024
    data = await file.read(limit + 1)
    document, needs_ingest, replaced = await service.upload(
        session,
        runtime,
        data=data,
        filename=file.filename or "",
        access=access_list,
        uploader=user,
        title=title or None,
    )
    if needs_ingest:
        service.queue_ingest(session, runtime, document, replaced)
    return DocumentOut.of(document, unchanged=not needs_ingest, viewer=user)


@router.get("", response_model=DocumentPage)
async def list_documents(
    session: SessionDep,
    user: Reader,
    status: Annotated[str | None, Query(description=", ".join(STATUSES))] = None,
    type: Annotated[str | None, Query(alias="type", description="pdf, hwp, …")] = None,
    department: Annotated[
        str | None, Query(description="Department id in the access list.")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Title contains.")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DocumentPage:
    """Documents the caller may read (every one with `docs:admin`), newest first."""
    visible = None if sees_all(user) else user.access_tokens()
    items, total = await repository.list_documents(
        session,
        status=status,
        doc_type=type,
        department=department,
        visible_to=visible,
        q=q,
        offset=offset,
        limit=limit,
    )
    return DocumentPage(
        items=[DocumentOut.of(d, viewer=user) for d in items],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get("/chunks/{chunk_id}", response_model=ChunkView)
async def get_chunk(session: SessionDep, user: Reader, chunk_id: str) -> ChunkView:
    """One chunk with its document title and location (citations)."""
    view = await service.read_chunk(session, user, chunk_id)
    return view


@router.get("/{document_id}", response_model=DocumentOut)
async def get_document(session: SessionDep, user: Reader, document_id: str) -> DocumentOut:
    """A document with its status and progress (chunks done / total)."""
    document = await service.read(session, user, document_id)
    return DocumentOut.of(document, viewer=user)


@router.get("/{document_id}/original")
async def download_original(
    runtime: RuntimeDep, session: SessionDep, user: Reader, document_id: str
) -> Response:
    """The uploaded file as it was, as an attachment that never runs in the browser."""
    document, data = await service.read_original(session, runtime, user, document_id)
    name = quote(document.title.split("/")[-1])
    return Response(
        data,
        media_type=_MEDIA.get(document.doc_type, "application/octet-stream"),
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            **_DOWNLOAD_HEADERS,
        },
    )


@router.get("/{document_id}/text", response_model=PreviewOut)
async def preview_text(
    session: SessionDep,
    user: Reader,
    document_id: str,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PreviewOut:
    """The extracted text as indexed, chunk by chunk (admin console preview)."""
    document, chunks = await service.read_chunks(
        session, user, document_id, offset=offset, limit=limit
    )
    return PreviewOut(
        document_id=document.id,
        title=document.title,
        status=document.status,
        chunks=[ChunkOut.model_validate(c) for c in chunks],
        total_chunks=document.chunks_total,
    )


@router.patch("/{document_id}", response_model=DocumentOut)
async def update_document(
    runtime: RuntimeDep,
    session: SessionDep,
    user: Manager,
    document_id: str,
    body: DocumentUpdate,
) -> DocumentOut:
    """Change the title or the access list (search applies a new access list at once)."""
    document = await service.get_manageable(session, user, document_id)
    await service.update(
        session, runtime, document, actor=user, title=body.title, access=body.access
    )
    return DocumentOut.of(document, viewer=user)


@router.post("/{document_id}/reindex", status_code=202, response_model=DocumentOut)
async def reindex_document(
    runtime: RuntimeDep, session: SessionDep, user: Manager, document_id: str
) -> DocumentOut:
    """Parse, chunk and index the stored original again."""
    document = await service.get_manageable(session, user, document_id)
    await service.mark_for_reindex(session, document, user)
    service.queue_ingest(session, runtime, document)
    return DocumentOut.of(document, viewer=user)


@router.delete("/{document_id}", status_code=204)
async def delete_document(
    runtime: RuntimeDep, session: SessionDep, user: Manager, document_id: str
) -> Response:
    """Delete the original, the rows and the index entries."""
    document = await service.get_manageable(session, user, document_id)
    await service.delete(session, runtime, document, user)
    return Response(status_code=204)
