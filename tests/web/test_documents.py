# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""Admin uploads documents (drag and drop, several at once), watches them reach `indexed`, a
forbidden file is refused beside its own row while the others continue, and an employee then
finds the new document in the chat."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.chat import llm_server
from tests.web.conftest import login, screenshot, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser

POLICY = """# 리프레시 휴가 운영 지침

## 제1조 목적
이 지침은 장기 근속 직원의 재충전을 위한 리프레시 휴가의 운영 기준을 정한다.

## 제2조 부여 기준
근속 5년마다 유급 리프레시 휴가 10일을 부여하며, 부여일로부터 1년 안에 사용해야 한다.
"""
SUPPLIES = "비품 관리 기준\n\n노트북 교체 주기는 4년이며, 파손 시 총무팀에 신고한다.\n"
EXE = bytes([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF])

DROP = """([selector, files]) => {
  const data = new DataTransfer();
  for (const [name, bytes, type] of files) data.items.add(new File([new Uint8Array(bytes)], name, { type }));
  const zone = document.querySelector(selector);
  for (const kind of ['dragenter', 'dragover', 'drop'])
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
}"""


def test_upload_index_and_an_employee_finds_it(
    page: Any, context: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user("web_docs_admin", roles=("admin",), display_name="문서관리자")
    live.user("web_docs_reader", department="개발팀", display_name="한개발")
    login(page, "web_docs_admin", path="/admin/documents")
    page.wait_for_selector("#dropzone")
    files = [
        ["리프레시휴가_지침.md", list(POLICY.encode()), "text/markdown"],
        ["setup.exe", list(EXE), "application/octet-stream"],
        ["비품관리.txt", list(SUPPLIES.encode()), "text/plain"],
    ]
    page.evaluate(DROP, ["#dropzone", files])
    rows = page.locator(".upload-item")
    assert rows.count() == 3

    refused = page.locator(".upload-item[data-name='setup.exe']")
    message = refused.locator(".upload-message")
    message.wait_for(state="visible")
    assert "지원하지 않는 파일 형식" in message.inner_text()
    assert refused.get_attribute("class").split().count("failed") == 1

    for name in ("리프레시휴가_지침.md", "비품관리.txt"):
        row = page.locator(f".upload-item[data-name='{name}']")
        row.locator("[data-status='indexed']").wait_for(timeout=120_000)
        assert row.locator("progress").get_attribute("value") == "100"
        assert row.locator(".upload-message").is_hidden()
        assert row.get_attribute("data-document-id")
    assert "색인 완료" in page.locator(".upload-item[data-name='비품관리.txt']").inner_text()

    listed = page.locator("#document-list tr", has_text="리프레시휴가_지침")
    listed.wait_for()
    assert "색인 완료" in listed.inner_text() and "MARKDOWN" in listed.inner_text()
    assert "전체 공개" in listed.inner_text()
    screenshot(page, "admin-documents", full_page=True)
    listed.get_by_role("button", name="미리보기").click()
    page.locator("dialog.sheet .preview-chunk").first.wait_for()
    assert "근속 5년마다 유급 리프레시 휴가 10일" in page.locator("dialog.sheet").inner_text()
    page.keyboard.press("Escape")

    # An employee (another browser session) asks about it: the answer cites the new document.
    # The model's sentence carries no mark: it is cited to the one source holding its figures.
    script.answers.append({"text": "근속 5년마다 리프레시 휴가 10일이 주어집니다."})
    reader = context.browser.new_context(base_url=live.url, locale="ko-KR")
    try:
        employee = reader.new_page()
        login(employee, "web_docs_reader")
        employee.wait_for_selector("#chat-view:not([hidden])")
        employee.locator("#composer-input").fill("리프레시 휴가는 몇 년마다 받나요?")
        employee.locator("#composer-input").press("Enter")
        answer = employee.locator(".msg-assistant").last
        answer.locator(".answer-foot:not([hidden])").wait_for(timeout=30_000)
        assert "리프레시휴가_지침" in answer.locator(".source-title").first.inner_text()
        body = answer.locator(".answer-body")
        assert "근속 5년마다 리프레시 휴가 10일이 주어집니다" in body.inner_text()
        assert "근거:" in body.inner_text()
        body.locator("button.cite-chip").first.click()
        until(employee, "document.getElementById('source-body').textContent.includes('10일')")
        assert "리프레시" in employee.locator("#source-title").inner_text()
        employee.keyboard.press("Escape")
        # Listed with a plain-text preview of the answer (the file name's "_" kept).
        preview = employee.locator(".conversation-item .conversation-meta").first
        preview.wait_for()
        shown = preview.inner_text()
        assert "「리프레시휴가_지침.md」에 따르면" in shown
        assert "10일이 주어집니다." in shown and "[" not in shown  # citation marks dropped
        # The model was given the uploaded text as evidence.
        prompt = llm_server.prompt_of(script.requests[-1])
        assert "근속 5년마다 유급 리프레시 휴가 10일" in prompt
    finally:
        reader.close()


def test_restricted_document_is_hidden_from_other_departments(page: Any, live: LiveServer) -> None:
    live.user("web_docs_admin2", roles=("admin",))
    live.user("web_docs_hr", department="인사팀")
    sales = live.user("web_docs_sales", department="영업2팀")
    login(page, "web_docs_admin2", path="/admin/documents")
    page.wait_for_selector("#dropzone")
    page.select_option("select[name='access-mode']", "restricted")
    page.locator(".access-details label", has_text="인사팀").locator("input").check()
    page.evaluate(
        DROP,
        ["#dropzone", [["급여테이블.txt", list("2027 급여 테이블 초안".encode()), "text/plain"]]],
    )
    row = page.locator(".upload-item[data-name='급여테이블.txt']")
    row.locator("[data-status='indexed']").wait_for(timeout=120_000)
    document_id = row.get_attribute("data-document-id")
    listed = page.locator("#document-list tr", has_text="급여테이블")
    listed.wait_for()
    assert "인사팀" in listed.inner_text()
    hidden = httpx.get(
        f"{live.url}/api/documents/{document_id}", headers={"Authorization": f"Bearer {sales}"}
    )
    # Existence is not revealed: a document the reader may not see is not found (not 403).
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
