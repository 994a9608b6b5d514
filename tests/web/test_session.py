"""An expired session sends the user back to the login form without losing what they typed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import PASSWORD, login, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser

DRAFT = "다음 주 부산 출장 일비와 숙박비 한도를 정리해 줘.\n특히 KTX 비용 처리 방법도"


def test_expired_session_returns_to_login_and_keeps_the_draft(page: Any, live: LiveServer) -> None:
    live.user("web_session_oh", display_name="오세션")
    page.clock.install()
    login(page, "web_session_oh")
    page.wait_for_selector("#chat-view:not([hidden])")
    composer = page.locator("#composer-input")
    composer.fill(DRAFT)

    # The session ends on the server (signed out elsewhere / revoked by an admin)…
    refresh_token = page.evaluate(
        "JSON.parse(sessionStorage.getItem('dari.session')).refresh_token"
    )
    revoked = httpx.post(f"{live.url}/api/auth/logout", json={"refresh_token": refresh_token})
    assert revoked.status_code == 204
    # …and the access token runs out: the app's refresh is refused.
    page.clock.fast_forward("16:00")
    page.wait_for_selector("#login-view:not([hidden])")
    assert page.locator("#chat-view").is_hidden()
    notice = page.locator("#login-notice")
    assert notice.is_visible() and "작성 중이던 메시지" in notice.inner_text()
    assert page.evaluate("sessionStorage.getItem('dari.session')") is None

    page.fill("#login-username", "web_session_oh")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#chat-view:not([hidden])")
    assert composer.input_value() == DRAFT


def test_draft_survives_a_reload_but_not_a_different_user(page: Any, live: LiveServer) -> None:
    live.user("web_session_a")
    live.user("web_session_b")
    login(page, "web_session_a")
    page.wait_for_selector("#chat-view:not([hidden])")
    page.locator("#composer-input").fill("작성 중인 질문")
    page.reload()
    page.wait_for_selector("#chat-view:not([hidden])")
    assert page.locator("#composer-input").input_value() == "작성 중인 질문"

    # The tab's session is gone (e.g. token revoked): someone else signs in on this PC.
    page.evaluate("sessionStorage.removeItem('dari.session')")
    page.reload()
    page.wait_for_selector("#login-view:not([hidden])")
    page.fill("#login-username", "web_session_b")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#chat-view:not([hidden])")
    until(page, "document.getElementById('user-name').textContent === 'web_session_b'")
    assert page.locator("#composer-input").input_value() == ""
