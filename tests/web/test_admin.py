# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""The admin console: permissions (an employee gets nothing), users, usage, health, audit."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import httpx
import pytest

from dari.chat.models import Conversation, Feedback, Message
from dari.core.runtime import Runtime
from dari.db.base import utcnow
from dari.search.base import ChunkRecord
from tests.chat import llm_server
from tests.web.conftest import index, login, screenshot, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser

QUALITY = ChunkRecord(
    chunk_id="web-quality-1",
    document_id="web-doc-quality",
    title="품질 관리 지침",
    heading_path=["제2조 검사 주기"],
    text="제2조(검사 주기) 완제품 품질 검사는 매주 월요일에 실시한다.",
)
ADMIN_APIS = [
    "/api/admin/users",
    "/api/admin/roles",
    "/api/admin/departments",
    "/api/admin/audit",
    "/api/admin/usage",
    "/api/admin/conversations?feedback=down",
    "/api/admin/training/reviews",
    "/api/admin/training/runs",
]


def test_employee_cannot_open_the_console_or_call_admin_apis(page: Any, live: LiveServer) -> None:
    token = live.user("web_admin_emp", department="영업1팀")
    login(page, "web_admin_emp", path="/admin/users")
    page.wait_for_selector("#forbidden-view:not([hidden])")
    assert "관리자 권한이 필요합니다" in page.locator("#forbidden-view").inner_text()
    assert page.locator("#admin-view").is_hidden()
    assert page.locator("#nav-list li").count() == 0
    assert page.locator("#page").inner_text() == ""
    # The page's own token is refused by every admin API (the server decides, not the UI).
    statuses = page.evaluate(
        """async (paths) => { const token = JSON.parse(sessionStorage.getItem('dari.session')).access_token;
        const out = {}; for (const p of paths) out[p] = (await fetch(p, {headers: {Authorization: 'Bearer ' + token}})).status;
        return out; }""",
        ADMIN_APIS,
    )
    assert set(statuses.values()) == {403}, statuses
    for path in ADMIN_APIS:
        assert (
            httpx.get(live.url + path, headers={"Authorization": f"Bearer {token}"}).status_code
            == 403
        )
    # Deep links to sections show the same refusal.
    for section in ("documents", "audit", "usage"):
        page.goto(f"/admin/{section}")
        page.wait_for_selector("#forbidden-view:not([hidden])")
        assert page.locator("#page").inner_text() == ""


def test_admin_console_sections(page: Any, live: LiveServer) -> None:
    live.user("web_admin_root", roles=("admin",), department="정보보안팀", display_name="관리자")
    live.user("web_admin_target", department="구매팀", display_name="윤구매")
    login(page, "web_admin_root", path="/admin")
    page.wait_for_selector("#admin-view:not([hidden])")
    nav = page.locator("#nav-list .nav-item").all_inner_texts()
    assert nav == [
        "문서",
        "사용자·부서·역할",
        "ERP 연동",
        "대화·피드백",
        "학습",
        "사용 현황",
        "시스템 상태",
        "감사 로그",
    ]

    page.click("text=사용자·부서·역할")
    page.wait_for_url("**/admin/users")
    row = page.locator("tr", has_text="web_admin_target")
    row.wait_for()
    assert "윤구매" in row.inner_text() and "구매팀" in row.inner_text()
    screenshot(page, "admin-users")
    row.locator("button").click()
    page.locator("dialog.sheet input[name='display_name']").fill("윤구매팀장")
    page.locator("dialog.sheet input[value='manager']").check()
    page.locator("dialog.sheet .btn-primary").click()
    page.locator("tr", has_text="윤구매팀장").wait_for()
    assert "manager" in page.locator("tr", has_text="윤구매팀장").inner_text()

    page.click("text=시스템 상태")
    page.wait_for_url("**/admin/health")
    page.locator("td", has_text="database").wait_for()
    assert "정상" in page.locator("tr", has_text="database").inner_text()

    page.click("text=감사 로그")
    page.wait_for_url("**/admin/audit")
    page.locator("code", has_text="auth.login").first.wait_for()
    page.fill("input[aria-label='이벤트']", "user.update")
    page.click("form.toolbar button[type='submit']")
    until(
        page,
        "[...document.querySelectorAll('#page tbody code')].every(c => c.textContent !== 'auth.login')",
    )

    page.click("text=사용 현황")
    page.wait_for_url("**/admin/usage")
    page.locator(".stat").first.wait_for()
    assert page.locator(".stat").count() == 4
    assert page.locator("svg.chart").count() == 4

    page.click("text=ERP 연동")
    page.wait_for_url("**/admin/erp")
    page.locator("code", has_text="sales_by_period").first.wait_for()
    assert "연결됨" in page.locator(".facts").inner_text()

    # Back and forward work like a normal site.
    page.go_back()
    page.wait_for_url("**/admin/usage")
    page.locator("svg.chart").first.wait_for()


def test_erp_runner_as_another_user(page: Any, live: LiveServer) -> None:
    live.user("web_erp_admin", roles=("admin",))
    live.user("web_erp_employee", department="생산팀")
    live.user("web_erp_rep", roles=(), permissions=["erp:sales_by_period", "erp_scope:all"])
    log: list[str] = []
    page.on("request", lambda r: log.append(f"> {r.method} {r.url}"))
    page.on(
        "requestfinished",
        lambda r: log.append(f"< {r.method} {r.url} {r.response().status if r.response() else ''}"),
    )
    page.on("requestfailed", lambda r: log.append(f"! {r.method} {r.url} {r.failure}"))
    login(page, "web_erp_admin", path="/admin/erp")
    runner = page.locator("form.runner")
    runner.wait_for()
    runner.locator("select").first.select_option("sales_by_period")
    runner.locator("input[name='date_from']").fill("2026-01-01")
    runner.locator("input[name='date_to']").fill("2026-03-31")
    run_as = runner.locator("input[aria-label='실행 사용자']")

    run_as.fill("web_erp_rep")
    runner.locator("button[type='submit']").click()
    table = page.locator(".runner-output table")
    try:
        table.wait_for()
    except Exception:
        raise AssertionError(
            page.locator(".runner-output").inner_text() + "\n" + "\n".join(log[-12:])
        ) from None
    assert table.locator("tbody tr").count() == 3
    assert "공급가액 (원)" in table.locator("thead").inner_text()

    run_as.fill("web_erp_employee")
    runner.locator("button[type='submit']").click()
    refusal = page.locator(".runner-output .state-box")
    try:
        refusal.wait_for()
    except Exception:
        raise AssertionError(
            page.locator(".runner-output").inner_text() + "\n" + "\n".join(log[-12:])
        ) from None
    assert "이 사용자는 이 도구를 쓸 수 없습니다" in refusal.inner_text()
    # The temporary keys were revoked right after each run.
    token = live.user("web_erp_auditor", roles=("admin",))
    keys = httpx.get(
        f"{live.url}/api/admin/api-keys", headers={"Authorization": f"Bearer {token}"}
    ).json()
    mine = [k for k in keys if k["name"] == "관리자 콘솔 ERP 시험 실행"]
    assert len(mine) == 2 and all(k["revoked_at"] for k in mine)


async def _seed_usage(runtime: Runtime, user_ids: list[str]) -> int:
    """30 days of questions, answer times and votes (a realistic dashboard screenshot)."""
    rng = random.Random(7)
    questions = 0
    async with runtime.sessionmaker() as session:
        for days_ago in range(29, -1, -1):
            day = utcnow() - timedelta(days=days_ago, hours=2)
            weekday = day.weekday() < 5
            for n in range(rng.randint(12, 30) if weekday else rng.randint(1, 5)):
                user = rng.choice(user_ids)
                conversation = Conversation(
                    user_id=user, title="seed", created_at=day, updated_at=day
                )
                session.add(conversation)
                await session.flush()
                asked = Message(
                    conversation_id=conversation.id,
                    user_id=user,
                    seq=1,
                    role="user",
                    content="질문",
                    created_at=day,
                )
                answer = Message(
                    conversation_id=conversation.id,
                    user_id=user,
                    seq=2,
                    role="assistant",
                    content="답변",
                    total_ms=rng.randint(1800, 5200),
                    created_at=day,
                )
                session.add_all([asked, answer])
                await session.flush()
                questions += 1
                if n % 3 == 0:
                    rating = "down" if rng.random() < 0.18 else "up"
                    session.add(
                        Feedback(
                            message_id=answer.id,
                            user_id=user,
                            rating=rating,
                            created_at=day,
                            updated_at=day,
                        )
                    )
        await session.commit()
    return questions


def test_feedback_review_and_usage_dashboard(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    index(live, QUALITY)
    token = live.user("web_review_emp", department="품질팀")
    admin_token = live.user("web_review_admin", roles=("admin",))
    script.answers.append({"text": "품질 검사는 **매주 월요일**에 실시합니다 [1]."})
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(
        f"{live.url}/api/chat", json={"text": "품질 검사 주기는?"}, headers=headers, timeout=60
    ).json()
    assert answer["verification"]["status"] == "verified", answer
    voted = httpx.post(
        f"{live.url}/api/messages/{answer['message_id']}/feedback",
        json={"rating": "down", "reason": "outdated", "comment": "격주로 바뀌었습니다"},
        headers=headers,
    )
    assert voted.status_code == 200
    live.call(_seed_usage(live.runtime, [f"seed-user-{i}" for i in range(14)]))

    login(page, "web_review_admin", path="/admin/conversations")
    review = page.locator("article.review", has_text="품질 검사 주기는?")
    review.wait_for()
    assert "오래된 정보" in review.inner_text() and "격주로 바뀌었습니다" in review.inner_text()
    assert review.locator(".review-answer strong").inner_text() == "매주 월요일"
    # The answer as the user saw it (the lead, the checked sentence, the evidence) and its source.
    shown = review.locator(".review-answer").inner_text()
    assert shown.startswith("「품질 관리 지침」에 따르면") and "근거:" in shown
    assert "[1] 품질 관리 지침" in review.inner_text()
    assert page.locator("article.review .badge-ok").count() == 0  # the 👎 filter is on
    page.get_by_role("tab", name="좋아요").click()
    page.locator("article.review .badge-ok").first.wait_for()
    assert page.locator("article.review", has_text="품질 검사 주기는?").count() == 0

    page.click("text=사용 현황")
    page.locator(".stat").first.wait_for()
    api = httpx.get(
        f"{live.url}/api/admin/usage?days=30", headers={"Authorization": f"Bearer {admin_token}"}
    ).json()
    shown = page.locator(".stat-value").first.inner_text().replace(",", "")
    assert int(shown) == api["totals"]["questions"] >= 300
    bars = page.locator("svg.chart").first.locator("rect")
    assert bars.count() == 30
    screenshot(page, "admin-usage")
