# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""The phone layout (360 px) and the installable PWA: manifest, icons, service worker that
caches the app shell only — never API answers."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest

from tests.chat import llm_server
from tests.web.conftest import login, screenshot, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(chromium: Any, live: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live.url,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen"


def test_phone_layout(phone: Any, live: LiveServer, script: llm_server.Script) -> None:
    live.user("web_mobile_jung", department="생산팀", display_name="정모바일")
    login(phone, "web_mobile_jung")
    phone.wait_for_selector("#chat-view:not([hidden])")
    no_horizontal_scroll(phone)
    sidebar = phone.locator("#sidebar")
    assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0  # off-canvas
    box = phone.locator("#composer-input").bounding_box()
    assert box["width"] > 240 and box["y"] + box["height"] <= 740

    script.intents.append(llm_server.intent("chitchat", ""))
    script.answers.append(
        {
            "text": "안녕하세요! 사내 규정, 매출·재고 같은 ERP 데이터를 물어보세요.\n\n| 항목 | 값 |\n|---|---|\n| 아주 긴 열 이름이 들어간 표 | 1,234,567,890원 |"
        }
    )
    phone.locator("#composer-input").fill("안녕")
    phone.locator("#send").tap()
    phone.locator(".answer-foot:not([hidden])").wait_for(timeout=30_000)
    no_horizontal_scroll(phone)
    screenshot(phone, "chat-mobile")

    phone.locator("#sidebar-open").tap()
    until(phone, "document.getElementById('sidebar').getBoundingClientRect().x >= 0")
    assert phone.locator("#scrim").is_visible()
    assert phone.locator(".conversation-item").count() == 1
    phone.locator("#scrim").tap(position={"x": 340, "y": 400})
    until(phone, "document.getElementById('sidebar').getBoundingClientRect().right <= 0")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_and_icons(page: Any, live: LiveServer) -> None:
    page.goto("/")
    page.wait_for_selector("#login-form")
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    response = page.request.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["short_name"] == "다리" and manifest["lang"] == "ko"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    pngs = {i["sizes"]: i for i in manifest["icons"] if i["type"] == "image/png"}
    for size in ("192x192", "512x512"):
        icon = page.request.get(pngs[size]["src"])
        assert icon.ok and icon.headers["content-type"] == "image/png"
        assert png_size(icon.body()) == tuple(int(n) for n in size.split("x"))
    assert any(i["purpose"] == "maskable" for i in manifest["icons"])


def test_service_worker_caches_the_shell_but_never_api(page: Any, live: LiveServer) -> None:
    live.user("web_pwa_han")
    login(page, "web_pwa_han")
    page.wait_for_selector("#chat-view:not([hidden])")
    scope = until(
        page,
        "navigator.serviceWorker.getRegistration().then(r => r && r.active ? r.scope : null)",
        timeout=20,
    )
    assert scope == f"{live.url}/"
    # The worker claims the open page once it has precached the shell.
    until(page, "navigator.serviceWorker.controller !== null", timeout=20)
    # Personal data passes through the worker's origin…
    me = page.evaluate(
        """async () => (await fetch('/api/me', {headers: {Authorization:
            'Bearer ' + JSON.parse(sessionStorage.getItem('dari.session')).access_token}})).json()"""
    )
    assert me["username"] == "web_pwa_han"
    cached = page.evaluate(
        """async () => { const out = [];
        for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys())
          out.push(new URL(r.url).pathname);
        return out; }"""
    )
    # …but only the shell is stored.
    assert "/" in cached and "/static/js/app.js" in cached and "/i18n/ko.json" in cached
    assert not [p for p in cached if p.startswith(("/api", "/ws", "/readyz", "/metrics"))]

    # Offline, the app still opens from the cache (and keeps the session of this tab).
    page.context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector("#composer-input")
        assert page.locator("#user-name").inner_text() == "web_pwa_han"
        assert page.locator("#connection").inner_text() != ""  # says it is not connected
    finally:
        page.context.set_offline(False)
