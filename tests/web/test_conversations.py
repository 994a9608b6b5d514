"""The conversation list (search, open, rename, delete) and keyboard/screen-reader basics."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from dari.search.base import ChunkRecord
from tests.chat import llm_server
from tests.web.conftest import index, login, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser


RULES = [
    ChunkRecord(
        chunk_id="web-leave-1",
        document_id="web-doc-leave",
        title="연차휴가 규정",
        heading_path=["제7조 이월"],
        text="제7조(이월) 사용하지 못한 연차휴가는 다음 해로 최대 5일까지 이월할 수 있다.",
    ),
    ChunkRecord(
        chunk_id="web-card-1",
        document_id="web-doc-card",
        title="법인카드 사용 지침",
        heading_path=["제4조 한도"],
        text="제4조(한도) 법인카드의 월 사용 한도는 300만 원으로 한다.",
    ),
]


def chat(
    live: LiveServer, token: str, script: llm_server.Script, question: str, answer: str
) -> str:
    """Ask over REST (a document question: the model's sentence, checked, then the evidence)."""
    script.answers.append({"text": answer})
    response = httpx.post(
        f"{live.url}/api/chat",
        json={"text": question},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["conversation_id"])


def test_search_open_rename_delete(page: Any, live: LiveServer, script: llm_server.Script) -> None:
    index(live, *RULES)
    token = live.user("web_conv_kang")
    leave = "연차는 최대 5일까지 이월됩니다 [1]."
    first = chat(live, token, script, "연차 이월 규정 알려줘", leave)
    # Timestamps are stored to the second (MariaDB DATETIME): "newest first" needs them apart.
    time.sleep(1.1)
    second = chat(live, token, script, "법인카드 한도는?", "법인카드 월 한도는 300만 원입니다 [1].")
    login(page, "web_conv_kang")
    items = page.locator(".conversation-item")
    until(page, "document.querySelectorAll('.conversation-item').length === 2")
    assert items.first.get_attribute("data-id") == second  # newest first

    page.fill("#conversation-search", "법인카드")
    until(page, "document.querySelectorAll('.conversation-item').length === 1")
    assert items.first.get_attribute("data-id") == second
    page.fill("#conversation-search", "")
    until(page, "document.querySelectorAll('.conversation-item').length === 2")

    page.locator(f".conversation-item[data-id='{first}'] .conversation-open").click()
    page.locator(".msg-assistant .answer-body", has_text="최대 5일까지 이월됩니다").wait_for()
    assert page.locator(".msg-assistant .source-title").inner_text() == "연차휴가 규정"
    assert page.locator(".msg-user .bubble").inner_text() == "연차 이월 규정 알려줘"
    assert page.evaluate("new URLSearchParams(location.search).get('c')") == first

    page.get_by_role("button", name="‘연차 이월 규정 알려줘’ 이름 바꾸기").click()
    page.fill(".rename-input", "연차 이월")
    page.press(".rename-input", "Enter")
    page.locator(".conversation-title", has_text="연차 이월").wait_for()
    assert page.locator("#chat-title").inner_text() == "연차 이월"
    stored = httpx.get(
        f"{live.url}/api/conversations/{first}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert stored["title"] == "연차 이월"

    page.locator(f".conversation-item[data-id='{second}']").get_by_role(
        "button", name="삭제"
    ).first.click()
    page.locator(".confirm-row .btn-danger").click()
    until(page, "document.querySelectorAll('.conversation-item').length === 1")
    gone = httpx.get(
        f"{live.url}/api/conversations/{second}", headers={"Authorization": f"Bearer {token}"}
    )
    assert gone.status_code == 404

    page.click("#new-chat")
    assert page.locator("#welcome").is_visible()
    assert page.locator(".msg").count() == 0


def test_keyboard_and_labels(page: Any, live: LiveServer, script: llm_server.Script) -> None:
    live.user("web_conv_key")
    login(page, "web_conv_key")
    page.wait_for_selector("#chat-view:not([hidden])")
    box = page.locator("#composer-input")
    assert box.get_attribute("aria-label") == "메시지 입력"
    assert page.locator("#send").get_attribute("aria-label") == "보내기"
    assert page.locator("#messages").get_attribute("role") == "log"
    for button in page.locator("button.icon-btn:visible").all():
        assert button.get_attribute("aria-label"), button.evaluate("b => b.outerHTML")

    box.focus()
    page.keyboard.type("첫 줄")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("둘째 줄")
    assert box.input_value() == "첫 줄\n둘째 줄"
    assert page.locator(".msg").count() == 0  # Shift+Enter did not send

    script.answers.append({"text": "두 줄 모두 받았습니다."})
    page.keyboard.press("Enter")
    page.locator(".answer-foot:not([hidden])").wait_for(timeout=30_000)
    assert page.locator(".msg-user .bubble").inner_text() == "첫 줄\n둘째 줄"
    assert box.input_value() == ""
    # Every icon-only button of the answer is named for screen readers.
    labels = page.locator(".answer-foot button").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label'))"
    )
    assert labels == ["좋아요", "별로예요", "답변 복사"]
