"""Request and response models of the documents API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dari.core.access import AccessList
from dari.core.principal import Principal
from dari.documents.policy import manageable_view


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    source_path: str
    doc_type: str = Field(description="pdf, hwp, hwpx, docx, xlsx, pptx, html, markdown, csv, txt")
    size_bytes: int
    sha256: str
    uploader_id: str | None
    uploader_name: str | None
    version: int
    status: str = Field(description="queued → parsing → chunking → embedding → indexed | failed")
    error_code: str | None = Field(None, description="Why it failed, as a stable slug.")
    error: str | None = Field(None, description="Why it failed, for the administrator.")
    warnings: list[str] = Field(default_factory=list, description="e.g. pages that need OCR.")
    page_count: int | None
    chunks_total: int
    chunks_done: int
    progress: float = Field(0.0, description="chunks_done / chunks_total (0–1).")
    access: AccessList
    created_at: datetime
    updated_at: datetime
    indexed_at: datetime | None
    unchanged: bool = Field(False, description="Upload only: the same content was already there.")
    can_manage: bool = Field(
        False, description="Whether the caller may change, reindex or delete it."
    )

    @classmethod
    def of(
        cls, document: Any, *, unchanged: bool = False, viewer: Principal | None = None
    ) -> DocumentOut:
        out = cls.model_validate(document)
        out.access = AccessList.model_validate(document.access or {})
        total = document.chunks_total or 0
        out.progress = round(document.chunks_done / total, 4) if total else 0.0
        if document.status == "indexed":
            out.progress = 1.0
        out.unchanged = unchanged
        out.can_manage = manageable_view(viewer, document)
        return out


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    offset: int
    limit: int


class DocumentUpdate(BaseModel):
    title: str | None = Field(None, min_length=1, max_length=255)
    access: AccessList | None = None


class ChunkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    ordinal: int
    kind: str
    text: str
    heading_path: list[str]
    location: dict[str, Any]
    token_count: int


class PreviewOut(BaseModel):
    document_id: str
    title: str
    status: str
    chunks: list[ChunkOut]
    total_chunks: int


class ChunkView(BaseModel):
    """A chunk with its document, for citations and previews in the assistant."""

    chunk_id: str
    document_id: str
    document_title: str
    doc_type: str
    text: str
    heading_path: list[str]
    location: dict[str, Any]
    location_label: str
