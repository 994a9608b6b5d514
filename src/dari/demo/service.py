"""`dari demo setup`: the demo company on a non-production install, idempotently.

Steps, each skipped when already done: departments, roles and users (auth's services); the
sample ERP (loaded only when Dari uses the embedded sample ERP and it is not there yet); the demo
documents (ingested with their access lists unless a document of the same title and content is
already there); the question set for `dari bench assistant`, rebuilt for the loaded ERP data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dari.auth.service import get_auth
from dari.config import Settings
from dari.core.runtime import Runtime
from dari.demo.people import Changes, ensure_departments, ensure_roles, ensure_users

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
QUESTIONS_FILE = Path("demo") / "questions.ko.yaml"  # see dari.demo.questions.default_path


class DemoRefused(Exception):
    """The demo must not be set up here (production mode); the message says why."""


@dataclass
class SetupReport:
    departments: Changes = field(default_factory=Changes)
    roles: Changes = field(default_factory=Changes)
    users: Changes = field(default_factory=Changes)
    erp: str = ""
    documents: Changes = field(default_factory=Changes)
    documents_note: str = ""
    questions: str = ""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(
            part.changed for part in (self.departments, self.roles, self.users, self.documents)
        ) or self.erp.startswith("loaded")


def refuse_in_production(settings: Settings) -> None:
    if settings.server.is_production:
        raise DemoRefused(
            "the demo company (with published passwords) is never set up in production mode "
            "(DARI_ENV=production); create real users with `dari users` instead"
        )


def uses_sample_erp(settings: Settings) -> bool:
    """True when Dari talks to the embedded sample ERP (no DARI_ERP_URL)."""
    return not settings.erp.url


def sample_erp_url(settings: Settings) -> str:
    """The ERP URL the demo reads: DARI_ERP_URL, or the embedded sample ERP file."""
    from dari.erp.service import erp_url

    return erp_url(settings)


def questions_path(settings: Settings) -> Path:
    """The question set built for the loaded ERP data (written by `dari demo setup`)."""
    return settings.server.data_dir / QUESTIONS_FILE


async def erp_has_sample(url: str) -> bool:
    """Whether the sample ERP's tables exist and hold orders at `url`."""
    from dari.erp.connectors import async_url

    target = async_url(url)
    if make_url(target).get_backend_name() == "sqlite":
        # Connecting would create an empty file; a missing file simply means "not loaded".
        database = make_url(target).database or ""
        if not database or not await asyncio.to_thread(Path(database).exists):
            return False
    engine = create_async_engine(target)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            if "sales_orders" not in names or "leave_balances" not in names:
                return False
            from sqlalchemy import text

            count = await connection.scalar(text("SELECT COUNT(*) FROM sales_orders"))
            return bool(count)
    finally:
        await engine.dispose()


async def ensure_people(runtime: Runtime, report: SetupReport) -> dict[str, str]:
    """Departments, roles, users in one transaction; returns department code → id."""
    auth = get_auth(runtime)
    async with runtime.sessionmaker() as session:
        report.departments, ids = await ensure_departments(session)
        report.roles = await ensure_roles(auth, session)
        report.users = await ensure_users(auth, session, ids)
        await session.commit()
    return ids


async def ensure_erp(settings: Settings, report: SetupReport, progress: Progress) -> None:
    url = sample_erp_url(settings)
    if not uses_sample_erp(settings):
        report.erp = "external ERP configured (DARI_ERP_URL); not touched"
        return
    if await erp_has_sample(url):
        report.erp = "sample ERP already loaded"
        return
    from dari.erp.sample.load import load_sample

    settings.server.data_dir.mkdir(parents=True, exist_ok=True)
    progress("샘플 ERP(한빛정밀)를 생성하는 중… (about 10–30 s)")
    loaded = await load_sample(url)
    report.erp = f"loaded sample ERP ({loaded.order_lines:,} order lines)"


async def ensure_questions(settings: Settings, report: SetupReport) -> None:
    """Write the question set for the ERP data actually loaded, if it is not current."""
    from dari.demo.questions import (
        build_question_set,
        dump_question_set,
        is_current,
        load_question_set,
    )

    path = questions_path(settings)
    url = sample_erp_url(settings)
    if not uses_sample_erp(settings) or not await erp_has_sample(url):
        report.questions = "no sample ERP; packaged question set only"
        return
    if path.exists():
        try:
            if await is_current(load_question_set(path), url):
                report.questions = f"{path} is current"
                return
        except ValueError:
            pass  # unreadable or stale: rebuilt below
    question_set = await build_question_set(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_question_set(question_set), encoding="utf-8")
    report.questions = f"wrote {path} ({len(question_set['questions'])} questions)"


async def setup_demo(
    runtime: Runtime,
    *,
    erp: bool = True,
    documents: bool = True,
    wait: bool = True,
    progress: Progress = lambda _message: None,
) -> SetupReport:
    """Set up the demo company; a second run changes nothing. Refuses production mode."""
    settings = runtime.settings
    refuse_in_production(settings)
    started = time.perf_counter()
    report = SetupReport()
    department_ids = await ensure_people(runtime, report)
    if erp:
        await ensure_erp(settings, report, progress)
        await ensure_questions(settings, report)
    if documents:
        from dari.demo.ingest import ensure_documents

        report.documents, report.documents_note = await ensure_documents(
            runtime, department_ids, progress, wait=wait
        )
    report.seconds = time.perf_counter() - started
    return report
