"""Startup: re-enqueue documents a crashed in-process worker left half-ingested.

With Redis, arq keeps unfinished jobs and runs them again itself; the in-process queue loses
its jobs with the process, so documents still in an active status are queued once more.
"""

from __future__ import annotations

import logging

from dari.core.runtime import Runtime
from dari.documents import repository
from dari.documents.models import ACTIVE_STATUSES

log = logging.getLogger(__name__)


async def resume_interrupted(runtime: Runtime) -> int:
    """Queue an ingestion job for every document in an active status; returns how many."""
    from dari.documents.service import enqueue_ingest

    async with runtime.sessionmaker() as session:
        documents = await repository.documents_in_status(session, ACTIVE_STATUSES)
        for document in documents:
            if document.status != "queued":
                document.status = "queued"
        await session.commit()
    for document in documents:
        await enqueue_ingest(runtime, document)
    if documents:
        log.info("re-queued %d interrupted document ingestions", len(documents))
    return len(documents)


async def startup(runtime: Runtime) -> None:
    if "worker" in runtime.settings.server.roles and runtime.queue.name == "memory":
        await resume_interrupted(runtime)
