"""Ingest the committed demo documents through the documents domain, with their access lists.

Each file is uploaded with source path `demo/<file>` (`dari.documents.service.upload`), which
is a no-op when the same content is already there — so a second `dari demo setup` uploads
nothing. New or unfinished documents are queued for ingestion; with the in-process queue (the
embedded default) the command runs the worker itself and waits, so the documents are
searchable when it returns. With Redis the server's workers ingest them.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from dari.core.access import AccessList
from dari.core.modules import module_exists
from dari.core.runtime import Runtime
from dari.demo.documents import DEMO_DOCUMENTS, path_of
from dari.demo.model import DemoDocument
from dari.demo.people import Changes

log = logging.getLogger(__name__)
INGEST_JOB = "ingest_document"
SOURCE_PREFIX = "demo/"


def access_for(document: DemoDocument, department_ids: dict[str, str]) -> AccessList:
    """The access list of a demo document: public, or its departments and their sub-departments."""
    if document.public:
        return AccessList()
    return AccessList(
        public=False,
        departments=[department_ids[code] for code in document.departments],
        include_subdepartments=True,
        roles=["admin"],  # administrators manage every document
    )


def _job_registered() -> bool:
    from dari.jobs.registry import load_jobs

    return INGEST_JOB in load_jobs()


async def ensure_documents(
    runtime: Runtime,
    department_ids: dict[str, str],
    progress: Callable[[str], None],
    *,
    wait: bool = True,
    wait_s: float = 900.0,
) -> tuple[Changes, str]:
    """Upload every demo document not yet there and get it ingested; returns (changes, note)."""
    if not module_exists("dari.documents.service"):
        return Changes(), "documents domain not installed; demo documents not ingested"
    documents = importlib.import_module("dari.documents.service")
    changes = Changes()
    pending = []
    async with runtime.sessionmaker() as session:
        for spec in DEMO_DOCUMENTS:
            document, needs_ingest, replaced = await documents.upload(
                session,
                runtime,
                data=path_of(spec).read_bytes(),
                filename=spec.filename,
                access=access_for(spec, department_ids),
                uploader=None,
                source_path=SOURCE_PREFIX + spec.filename,
                title=spec.title,
            )
            if needs_ingest:
                (changes.updated if replaced else changes.created).append(spec.title)
                pending.append((document, replaced))
            elif document.status == "queued":  # queued by an earlier run that did not finish
                changes.updated.append(spec.title)
                pending.append((document, None))
        await session.commit()
    if not pending:
        return changes, ""
    if not _job_registered():
        return changes, "queued; no ingestion job is registered yet (documents worker missing)"
    if not wait and getattr(runtime.queue, "name", "") == "memory":
        # `dari serve` re-queues documents left `queued` when it starts, and ingests them in
        # the background while it already answers.
        return changes, "queued; `dari serve` ingests them in the background"
    for document, replaced in pending:
        await documents.enqueue_ingest(runtime, document, replaced)
    if getattr(runtime.queue, "name", "") != "memory":
        return changes, "queued for the workers of `dari serve`"
    progress(f"문서 {len(pending)}건을 색인하는 중… (파싱·청킹·임베딩)")
    await runtime.queue.start_worker(runtime)
    await runtime.queue.drain(timeout=wait_s)
    failed = await _failed_titles(runtime, [doc.id for doc, _ in pending])
    return changes, f"failed: {', '.join(failed)}" if failed else ""


async def _failed_titles(runtime: Runtime, ids: list[str]) -> list[str]:
    repository = importlib.import_module("dari.documents.repository")
    titles = []
    async with runtime.sessionmaker() as session:
        for document_id in ids:
            document = await repository.get(session, document_id)
            if document is None or document.status != "indexed":
                status = document.status if document else "missing"
                reason = (document.error or "") if document else ""
                titles.append(f"{document.title if document else document_id} ({status} {reason})")
    return titles
