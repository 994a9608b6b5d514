"""Background jobs of the documents domain."""

from __future__ import annotations

from dari.core.runtime import Runtime
from dari.jobs import job


@job("ingest_document")
async def ingest_document(
    runtime: Runtime, document_id: str, version: int, replaced_sha256: str | None = None
) -> None:
    """Parse, chunk, embed and index one document version (see `dari.documents.pipeline`)."""
    from dari.documents.pipeline import ingest

    await ingest(runtime, document_id, version, replaced_sha256)
