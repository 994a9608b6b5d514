"""`dari demo setup`: creates the company once, changes nothing the second time, refuses
production; the demo users get different documents and different ERP rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from dari.auth import repository as repo
from dari.auth.models import Department, User
from dari.auth.service import authenticate, build_principal, get_auth
from dari.config import Settings
from dari.config.erp import ErpSettings
from dari.config.server import ServerSettings
from dari.core.access import can_read
from dari.core.principal import Principal
from dari.core.runtime import Runtime, build_runtime
from dari.demo.company import DEMO_PASSWORD, DEPARTMENTS, ROLES, USERS
from dari.demo.documents import DEMO_DOCUMENTS
from dari.demo.ingest import access_for
from dari.demo.questions import expectation_met, load_question_set
from dari.demo.service import DemoRefused, questions_path, setup_demo
from dari.erp.base import ErpError
from dari.erp.sample.load import load_sample
from dari.erp.service import build_toolset, sample_path


async def _principal(runtime: Runtime, login: str) -> Principal:
    async with runtime.sessionmaker() as session:
        user = await repo.get_user_by_username(session, login)
        assert user is not None
        return await build_principal(session, user)


async def test_setup_creates_the_company_then_changes_nothing(any_runtime: Runtime) -> None:
    runtime = any_runtime
    first = await setup_demo(runtime, erp=False, documents=False)
    assert sorted(first.departments.created) == sorted(d.code for d in DEPARTMENTS)
    assert sorted(first.roles.created) == sorted(r.name for r in ROLES)
    assert sorted(first.users.created) == sorted(u.username for u in USERS)

    second = await setup_demo(runtime, erp=False, documents=False)
    assert not second.changed
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == len(USERS)
        assert await session.scalar(select(func.count()).select_from(Department)) == len(
            DEPARTMENTS
        )
        auth = get_auth(runtime)
        assert await authenticate(auth, session, "minjun.kim", DEMO_PASSWORD) is not None
        assert await authenticate(auth, session, "haneul.lim", DEMO_PASSWORD) is not None
        assert await authenticate(auth, session, "minjun.kim", "wrong-password!") is None

    minjun = await _principal(runtime, "minjun.kim")
    assert minjun.display_name == "김민준"
    assert minjun.roles == {"employee", "sales"}
    assert minjun.has("erp:receivables_by_customer") and not minjun.has("erp:department_leave")
    assert dict(minjun.attributes) == {
        "department_code": "D110",
        "erp_employee_code": "E1001",
        "sales_region": "수도권",
    }
    assert len(minjun.department_path) == 3  # 대표이사 > 영업본부 > 영업1팀
    ceo = await _principal(runtime, "ceo")
    assert ceo.has("erp_scope:all")


async def test_setup_repairs_drift_but_keeps_a_changed_password(runtime: Runtime) -> None:
    await setup_demo(runtime, erp=False, documents=False)
    async with runtime.sessionmaker() as session:
        user = await repo.get_user_by_username(session, "jihoon.park")
        assert user is not None
        await repo.set_roles(session, user.id, ["employee"])
        user.attributes = {}
        user.password_hash = await get_auth(runtime).passwords.hash("my-own-password-1")
        await session.commit()

    report = await setup_demo(runtime, erp=False, documents=False)
    assert report.users.updated == ["jihoon.park"] and not report.users.created
    park = await _principal(runtime, "jihoon.park")
    assert park.roles == {"employee", "sales"}
    assert park.attributes["erp_employee_code"] == "E1003"
    async with runtime.sessionmaker() as session:
        auth = get_auth(runtime)
        assert await authenticate(auth, session, "jihoon.park", "my-own-password-1") is not None


async def test_production_mode_is_refused_before_anything_is_written(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "dari.db")
    settings = Settings(server=ServerSettings(env="production", data_dir=tmp_path))
    runtime = build_runtime(settings)
    try:
        with pytest.raises(DemoRefused, match="production"):
            await setup_demo(runtime)
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 0
    finally:
        await runtime.close()
    assert not (tmp_path / "erp-sample.db").exists()


def test_cli_refuses_production_and_lists_logins(tmp_path: Path) -> None:
    from dari.cli.main import app

    runner = CliRunner()
    env = {"DARI_ENV": "production", "DARI_DATA_DIR": str(tmp_path), "DARI_SECRET_KEY": "x" * 48}
    result = runner.invoke(app, ["demo", "setup"], env=env)
    assert result.exit_code == 1
    assert "production" in result.output
    assert not (tmp_path / "dari.db").exists()

    listed = runner.invoke(app, ["demo", "users", "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.output)
    assert {r["login"] for r in rows} == {u.username for u in USERS}
    assert all(r["password"] == DEMO_PASSWORD for r in rows)


async def test_restricted_documents_follow_departments(runtime: Runtime) -> None:
    await setup_demo(runtime, erp=False, documents=False)
    async with runtime.sessionmaker() as session:
        ids = {d.code: d.id for d in await repo.list_departments(session)}
    tokens = {u.username: (await _principal(runtime, u.username)).access_tokens() for u in USERS}
    evaluation = next(d for d in DEMO_DOCUMENTS if d.key == "hanbit-hr-evaluation-criteria")
    strategy = next(d for d in DEMO_DOCUMENTS if d.key == "hanbit-2026-sales-strategy")
    rules = next(d for d in DEMO_DOCUMENTS if d.public)

    def readers(document: Any) -> set[str]:
        allowed = access_for(document, ids).tokens()
        return {login for login, held in tokens.items() if can_read(allowed, held)}

    assert readers(evaluation) == {"haneul.lim", "admin"}
    assert readers(strategy) == {"sales.head", "sales1.lead", "minjun.kim", "jihoon.park", "admin"}
    assert readers(rules) == {u.username for u in USERS}


@pytest.fixture
def small_erp(settings: Settings) -> Settings:
    """A small sample ERP (5 % volume) in the test's data directory."""
    import asyncio

    asyncio.run(
        load_sample(f"sqlite:///{sample_path(settings)}", scale=0.05, end=date(2026, 11, 20))
    )
    return settings


async def test_erp_step_detects_loaded_sample_and_writes_questions(
    small_erp: Settings, runtime: Runtime
) -> None:
    first = await setup_demo(runtime, documents=False)
    assert first.erp == "sample ERP already loaded"
    assert first.questions.startswith("wrote")
    question_set = load_question_set(questions_path(small_erp))
    assert len(question_set["questions"]) >= 40
    second = await setup_demo(runtime, documents=False)
    assert second.questions.endswith("is current") and not second.changed

    external = Settings(**{**dict(small_erp), "erp": ErpSettings(url="sqlite:///elsewhere.db")})
    other = build_runtime(external)
    try:
        report = await setup_demo(other, documents=False)
    finally:
        await other.close()
    assert "not touched" in report.erp


async def test_demo_users_get_their_own_erp_rows_matching_the_questions(
    small_erp: Settings, runtime: Runtime
) -> None:
    await setup_demo(runtime, documents=False)
    questions = {q["id"]: q for q in load_question_set(questions_path(small_erp))["questions"]}
    toolset = build_toolset(small_erp, runtime)
    try:
        minjun = await _principal(runtime, "minjun.kim")
        park = await _principal(runtime, "jihoon.park")
        song = await _principal(runtime, "jaewon.song")
        args = {"as_of": "2026-11-20", "limit": 500}
        mine = await toolset.call_tool(minjun, "receivables_by_customer", args)
        theirs = await toolset.call_tool(park, "receivables_by_customer", args)
        names_mine = {r["customer_name"] for r in mine.records()}
        names_theirs = {r["customer_name"] for r in theirs.records()}
        assert names_mine and names_theirs and not names_mine & names_theirs

        hanbit = next(r for r in mine.records() if r["customer_name"] == "한빛상사")
        assert expectation_met(f"{hanbit['outstanding']:,}원", questions["erp-ar-01"]["expect"])
        other = questions["deny-erp-01"]["question"].split(" 미수금")[0]
        assert other in names_theirs and other not in names_mine

        with pytest.raises(ErpError) as denied:
            await toolset.call_tool(
                song, "sales_by_customer", {"date_from": "2026-10-01", "date_to": "2026-10-31"}
            )
        assert denied.value.code == "erp_forbidden"

        lead = await _principal(runtime, "sales1.lead")
        month = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
        top = await toolset.call_tool(lead, "top_customers", {**month, "top": 3})
        assert [r["customer_name"] for r in top.records()] == questions["erp-sales-05"]["expect"]

        stock = await toolset.call_tool(song, "stock_by_item", {"item": "P00007"})
        total = sum(r["qty"] for r in stock.records())
        assert expectation_met(f"{total:,}개", questions["erp-stock-01"]["expect"])
        short = await toolset.call_tool(song, "stock_shortages", {"limit": 500})
        assert expectation_met(f"{short.row_count}개", questions["erp-stock-02"]["expect"])

        order_no = questions["erp-order-01"]["question"].split()[1].removesuffix("에서")
        detail = await toolset.call_tool(minjun, "order_detail", {"order_no": order_no})
        remaining = sum(r["remaining_qty"] for r in detail.records())
        assert expectation_met(f"{remaining:,}개", questions["erp-order-01"]["expect"])

        leave = await toolset.call_tool(minjun, "my_leave_balance", {"year": 2026})
        remaining = leave.records()[0]["remaining_days"]
        assert expectation_met(f"{float(remaining):g}일", questions["erp-leave-01"]["expect"])
    finally:
        await toolset.close()


@pytest.mark.slow
async def test_documents_are_ingested_once_and_searchable_by_department(runtime: Runtime) -> None:
    """End to end with the real parsers, chunker and embedder (about 90 s on 2 cores)."""
    from dari.search.service import get_search_service

    first = await setup_demo(runtime, erp=False)
    assert sorted(first.documents.created) == sorted(d.title for d in DEMO_DOCUMENTS)
    assert first.documents_note == ""
    second = await setup_demo(runtime, erp=False)
    assert not second.changed and not second.documents.created

    search = get_search_service(runtime)

    async def titles(login: str, query: str) -> set[str]:
        principal = await _principal(runtime, login)
        hits = await search.search(query, access_tokens=principal.access_tokens(), k=8)
        async with runtime.sessionmaker() as session:
            from dari.documents import repository as documents

            found = set()
            for hit in hits:
                document = await documents.get(session, hit.document_id)
                assert document is not None
                found.add(document.title)
        return found

    query = "인사평가 S등급 연봉 인상률"
    assert "인사평가 기준 (대외비)" in await titles("haneul.lim", query)
    assert "인사평가 기준 (대외비)" not in await titles("minjun.kim", query)
    query = "영업 담당자 할인 한도"
    assert "2026년 하반기 영업 전략 (대외비)" in await titles("minjun.kim", query)
    assert "2026년 하반기 영업 전략 (대외비)" not in await titles("jaewon.song", query)
    assert "서보모터 H107 사용 설명서" in await titles("hyunwoo.cho", "E04 과열 오류 조치")
