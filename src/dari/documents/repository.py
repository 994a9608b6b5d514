"""All SQL of the documents domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from dari.documents.models import Document, DocumentAccessToken, DocumentChunk


async def get(session: AsyncSession, document_id: str) -> Document | None:
    return await session.get(Document, document_id)


async def by_source_path(session: AsyncSession, source_path: str) -> Sequence[Document]:
    """Documents with this source path, oldest first (managers of different departments may
    each have uploaded a file of the same name)."""
    query = (
        select(Document)
        .where(Document.source_path == source_path)
        .order_by(Document.created_at, Document.id)
    )
    return (await session.scalars(query)).all()


async def by_sha256(session: AsyncSession, digest: str) -> Sequence[Document]:
    return (await session.scalars(select(Document).where(Document.sha256 == digest))).all()


def _filtered(
    query: Select[Any],
    *,
    status: str | None,
    doc_type: str | None,
    department: str | None,
    visible_to: Collection[str] | None,
    q: str | None,
) -> Select[Any]:
    if status:
        query = query.where(Document.status == status)
    if doc_type:
        query = query.where(Document.doc_type == doc_type)
    if q:
        query = query.where(Document.title.contains(q, autoescape=True))
    if department:
        tokens = [f"dept:{department}", f"dept+:{department}"]
        query = query.where(
            exists().where(
                DocumentAccessToken.document_id == Document.id,
                DocumentAccessToken.token.in_(tokens),
            )
        )
    if visible_to is not None:
        query = query.where(
            exists().where(
                DocumentAccessToken.document_id == Document.id,
                DocumentAccessToken.token.in_(list(visible_to)),
            )
        )
    return query


async def list_documents(
    session: AsyncSession,
    *,
    status: str | None = None,
    doc_type: str | None = None,
    department: str | None = None,
    visible_to: Collection[str] | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Document], int]:
    """A page of documents (newest first) and the total count under the same filters."""

    def filtered(query: Select[Any]) -> Select[Any]:
        return _filtered(
            query,
            status=status,
            doc_type=doc_type,
            department=department,
            visible_to=visible_to,
            q=q,
        )

    query = filtered(select(Document)).order_by(Document.created_at.desc(), Document.id)
    count_query = filtered(select(func.count()).select_from(Document))
    total = int((await session.execute(count_query)).scalar_one())
    items = (await session.scalars(query.offset(offset).limit(limit))).all()
    return items, total


async def documents_in_status(
    session: AsyncSession, statuses: Collection[str]
) -> Sequence[Document]:
    return (await session.scalars(select(Document).where(Document.status.in_(statuses)))).all()


async def set_tokens(session: AsyncSession, document_id: str, tokens: Sequence[str]) -> None:
    await session.execute(
        delete(DocumentAccessToken).where(DocumentAccessToken.document_id == document_id)
    )
    session.add_all(DocumentAccessToken(document_id=document_id, token=t) for t in set(tokens))
    await session.flush()


async def tokens_of(session: AsyncSession, document_id: str) -> list[str]:
    query = select(DocumentAccessToken.token).where(DocumentAccessToken.document_id == document_id)
    return sorted((await session.scalars(query)).all())


async def replace_chunks(
    session: AsyncSession, document_id: str, chunks: Sequence[DocumentChunk]
) -> None:
    await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document_id))
    session.add_all(chunks)
    await session.flush()


async def chunks_of(
    session: AsyncSession, document_id: str, *, offset: int = 0, limit: int = 1000
) -> Sequence[DocumentChunk]:
    query = (
        select(DocumentChunk)
        .where(DocumentChunk.document_id == document_id)
        .order_by(DocumentChunk.ordinal)
        .offset(offset)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def get_chunk(session: AsyncSession, chunk_id: str) -> tuple[DocumentChunk, Document] | None:
    query = (
        select(DocumentChunk, Document)
        .join(Document, Document.id == DocumentChunk.document_id)
        .where(DocumentChunk.id == chunk_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def delete_document(session: AsyncSession, document: Document) -> None:
    await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document.id))
    await session.execute(
        delete(DocumentAccessToken).where(DocumentAccessToken.document_id == document.id)
    )
    await session.delete(document)
    await session.flush()
