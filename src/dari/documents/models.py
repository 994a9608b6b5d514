"""Documents, their chunks (for previews and citations) and their access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dari.db.base import Base, IdMixin, LongText, TimestampMixin, UTCDateTime

STATUSES = ("queued", "parsing", "chunking", "embedding", "indexed", "failed")
ACTIVE_STATUSES = ("queued", "parsing", "chunking", "embedding")


class Document(IdMixin, TimestampMixin, Base):
    """One uploaded original; re-uploading a changed file bumps `version`.

    The uploader is stored as plain columns (no foreign key into the auth branch): the
    record of who uploaded a file survives the user's deletion.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_status", "status"),
        Index("ix_documents_sha256", "sha256"),
        Index("ix_documents_source_path", "source_path"),
    )

    title: Mapped[str] = mapped_column(String(255))
    source_path: Mapped[str] = mapped_column(String(255))
    doc_type: Mapped[str] = mapped_column(String(16), default="unknown")
    size_bytes: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64))
    uploader_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    uploader_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON(), default=list)
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chunks_total: Mapped[int] = mapped_column(Integer, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    access: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DocumentAccessToken(Base):
    """The document's access list as tokens (`dari.core.access`), for filtering in SQL."""

    __tablename__ = "document_access_tokens"
    __table_args__ = (Index("ix_document_access_tokens_token", "token"),)

    document_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(128), primary_key=True)


class DocumentChunk(Base):
    """A chunk as indexed: text, heading path and location, for previews and citations."""

    __tablename__ = "document_chunks"
    __table_args__ = (Index("ix_document_chunks_document_id", "document_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("documents.id", ondelete="CASCADE")
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(LongText)
    heading_path: Mapped[list[str]] = mapped_column(JSON(), default=list)
    location: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
