# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""Signing in and out, the session across reloads, and what the login form says on failure."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import PASSWORD, login, screenshot, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser


def test_login_shows_the_chat_and_logout_revokes(page: Any, live: LiveServer) -> None:
    live.user("web_login_kim", department="영업1팀", display_name="김다리")
    page.goto("/")
    page.wait_for_selector("#login-form")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("#login-submit").inner_text() == "로그인"
    screenshot(page, "login")

    login(page, "web_login_kim", "wrong-password-123")
    error = page.locator("#login-error")
    error.wait_for()
    assert "올바르지 않습니다" in error.inner_text()
    assert page.locator("#chat-view").is_hidden()

    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#chat-view:not([hidden])")
    assert page.locator("#user-name").inner_text() == "김다리"
    assert page.locator("#user-dept").inner_text() == "영업1팀"
    assert "김다리님" in page.locator("#welcome-title").inner_text()
    assert page.locator("#admin-link").is_hidden()  # an employee has no console
    # The session lives in this tab (sessionStorage), never in localStorage or cookies.
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('dari.session'))")
    assert stored["access_token"] and stored["refresh_token"]
    assert page.evaluate("Object.keys(localStorage)") in ([], ["dari.lang"])
    assert page.context.cookies() == []

    page.reload()
    page.wait_for_selector("#chat-view:not([hidden])")
    assert page.locator("#user-name").inner_text() == "김다리"

    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert page.evaluate("sessionStorage.getItem('dari.session')") is None
    # The refresh token was revoked on the server, not just forgotten here.
    status = page.evaluate(
        """async (token) => (await fetch('/api/auth/refresh', {method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({refresh_token: token})})).status""",
        stored["refresh_token"],
    )
    assert status == 401


def test_language_switch(page: Any, live: LiveServer) -> None:
    page.goto("/")
    page.wait_for_selector("#login-form")
    page.locator("#login-view .lang-toggle").click()
    until(page, "document.documentElement.lang === 'en'")
    assert page.locator("#login-submit").inner_text() == "Sign in"
    page.reload()
    page.wait_for_selector("#login-form")
    assert page.locator("#login-submit").inner_text() == "Sign in"  # remembered
    page.locator("#login-view .lang-toggle").click()
    until(page, "document.documentElement.lang === 'ko'")
    assert page.locator("#login-submit").inner_text() == "로그인"


def test_token_is_refreshed_before_it_expires(page: Any, live: LiveServer) -> None:
    live.user("web_refresh_lee")
    login(page, "web_refresh_lee")
    page.wait_for_selector("#chat-view:not([hidden])")
    before = page.evaluate("JSON.parse(sessionStorage.getItem('dari.session'))")
    # Pretend the token is about to expire: the next API call refreshes first.
    page.evaluate(
        """() => { const s = JSON.parse(sessionStorage.getItem('dari.session'));
        s.expires_at = Date.now() + 1000; sessionStorage.setItem('dari.session', JSON.stringify(s)); }"""
    )
    page.reload()
    page.wait_for_selector("#chat-view:not([hidden])")
    until(
        page,
        "(old) => JSON.parse(sessionStorage.getItem('dari.session')).refresh_token !== old",
        before["refresh_token"],
    )
    after = page.evaluate("JSON.parse(sessionStorage.getItem('dari.session'))")
    assert after["access_token"] != before["access_token"]
    assert after["expires_at"] > before["expires_at"] - 60_000
