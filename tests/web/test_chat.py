# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""The chat app against the real chat server and a scripted LLM: streaming, citations,
feedback, ERP tables, stop, reconnect-and-resume, XSS in answers and sources."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dari.search.base import ChunkRecord
from dari.search.service import get_search_service
from tests.chat import llm_server
from tests.web.conftest import login, screenshot, until
from tests.web.harness import LiveServer

pytestmark = pytest.mark.browser

TRAVEL = ChunkRecord(
    chunk_id="web-travel-1",
    document_id="web-doc-travel",
    title="출장비 규정",
    heading_path=["제3조 일비"],
    location={"page": 2},
    text="제3조(일비) 국내 출장 시 일비는 1일 25,000원을 지급한다. 해외 출장 일비는 별표 1에 따른다.",
)
HOSTILE = ChunkRecord(
    chunk_id="web-hostile-1",
    document_id="web-doc-hostile",
    title='보안 지침 <img src=x onerror="window.__xss=1">',
    location={"page": 1},
    text="비밀번호는 90일마다 변경한다. <script>window.__xss=2</script> [포털](javascript:window.__xss=3)",
)
ANSWER = "국내 출장 **일비는 1일 25,000원**입니다 [1].\n\n- 해외 출장은 별표 1을 따릅니다."
SALES_ARGS = {"date_from": "2026-01-01", "date_to": "2026-10-31", "group_by": "month"}


def index(live: LiveServer, *chunks: ChunkRecord) -> None:
    async def run() -> None:
        search = get_search_service(live.runtime)
        await search.start()
        for chunk in chunks:
            await search.replace_document(chunk.document_id, [chunk])

    live.call(run())


def ask(page: Any, text: str) -> Any:
    box = page.locator("#composer-input")
    box.fill(text)
    box.press("Enter")
    return page.locator(".msg-assistant").last


def wait_done(answer: Any) -> None:
    answer.locator(".answer-foot:not([hidden])").wait_for(timeout=30_000)


def test_document_question_streams_cites_and_takes_feedback(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    index(live, TRAVEL)
    token = live.user("web_chat_park", department="인사팀", display_name="박직원")
    script.intents.append(llm_server.intent("doc_qa", "국내 출장 일비"))
    script.answers.append({"text": ANSWER, "delay": 0.04})
    login(page, "web_chat_park")
    page.wait_for_selector("#chat-view:not([hidden])")
    # Record every text the answer showed while streaming.
    page.evaluate(
        """() => { window.__seen = new Set();
        new MutationObserver(() => { const b = document.querySelector('.msg-assistant .answer-body');
          if (b) window.__seen.add(b.textContent); })
        .observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true}); }"""
    )
    answer = ask(page, "국내 출장 일비가 얼마야?")
    page.locator("#stop").wait_for(state="visible")  # a stop button while it streams
    wait_done(answer)
    assert page.locator("#stop").is_hidden() and page.locator("#send").is_visible()
    assert page.locator(".msg-user .bubble").inner_text() == "국내 출장 일비가 얼마야?"
    body = answer.locator(".answer-body")
    assert "일비는 1일 25,000원입니다" in body.inner_text()
    assert body.locator("strong").inner_text() == "일비는 1일 25,000원"
    assert body.locator("li").inner_text() == "해외 출장은 별표 1을 따릅니다."
    partial = page.evaluate("[...window.__seen].length")
    assert partial >= 5, f"the answer appeared in {partial} steps: not streamed"

    chip = body.locator("button.cite-chip")
    assert chip.inner_text() == "1"
    assert chip.get_attribute("aria-label") == "출처 1: 출장비 규정"
    assert answer.locator(".source-title").inner_text() == "출장비 규정"
    assert answer.locator(".source-loc").inner_text() == "2쪽"
    chip.click()
    dialog = page.locator("#source-dialog")
    dialog.wait_for(state="visible")
    until(page, "document.getElementById('source-body').textContent.includes('25,000원')")
    assert page.locator("#source-title").inner_text() == "출장비 규정"
    assert page.locator("#source-location").inner_text() == "2쪽 · 제3조 일비"
    assert (
        "국내 출장 시 일비는 1일 25,000원을 지급한다" in page.locator("#source-body").inner_text()
    )
    screenshot(page, "chat-source")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    answer.locator(".fb-up").click()
    page.wait_for_selector(".msg-assistant .fb-up[aria-pressed='true']")
    conversation_id = page.evaluate("new URLSearchParams(location.search).get('c')")
    assert conversation_id
    stored = httpx.get(
        f"{live.url}/api/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assistant = next(m for m in stored["messages"] if m["role"] == "assistant")
    assert assistant["feedback"]["rating"] == "up"
    assert assistant["content"] == ANSWER

    # The conversation is listed, and survives a reload with its citation chips.
    item = page.locator(f".conversation-item[data-id='{conversation_id}']")
    item.wait_for()
    assert item.evaluate("e => e.classList.contains('active')")
    page.reload()
    page.wait_for_selector(".msg-assistant .answer-body button.cite-chip")
    assert page.locator(".msg-assistant .fb-up").get_attribute("aria-pressed") == "true"
    assert page.locator("#chat-title").inner_text() == "국내 출장 일비가 얼마야?"
    screenshot(page, "chat-desktop")


def test_thumbs_down_with_reason(page: Any, live: LiveServer, script: llm_server.Script) -> None:
    index(live, TRAVEL)
    token = live.user("web_chat_down")
    script.intents.append(llm_server.intent("doc_qa", "일비"))
    script.answers.append({"text": "일비는 1일 25,000원입니다 [1]."})
    login(page, "web_chat_down")
    answer = ask(page, "일비?")
    wait_done(answer)
    answer.locator(".fb-down").click()
    page.locator("#feedback-dialog").wait_for(state="visible")
    page.check("#feedback-form input[value='wrong_source']")
    page.fill("#feedback-form textarea[name='comment']", "출처가 다른 규정입니다")
    page.click("#feedback-form button[type='submit']")
    page.wait_for_selector(".msg-assistant .fb-down[aria-pressed='true']")
    conversation_id = page.evaluate("new URLSearchParams(location.search).get('c')")
    stored = httpx.get(
        f"{live.url}/api/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    feedback = next(m for m in stored["messages"] if m["role"] == "assistant")["feedback"]
    assert feedback == {
        "rating": "down",
        "reason": "wrong_source",
        "comment": "출처가 다른 규정입니다",
    }


def test_erp_question_shows_a_table_and_chart(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user(
        "web_chat_sales",
        roles=(),
        permissions=["chat:use", "erp:sales_by_period", "erp_scope:all"],
        display_name="최영업",
    )
    call = {"tool": "sales_by_period", "arguments": SALES_ARGS}
    script.intents.append(llm_server.intent("erp", "월별 매출", [call]))
    script.answers.append({"text": "1월부터 10월까지의 월별 매출은 표와 같습니다 [1]."})
    login(page, "web_chat_sales")
    answer = ask(page, "올해 월별 매출 추이 보여줘")
    wait_done(answer)
    result = answer.locator(".tool-result")
    assert result.count() == 1
    headers = result.locator("th").all_inner_texts()
    assert headers[0] == "기간" and "공급가액 (원)" in headers and "세금계산서 수 (건)" in headers
    rows = result.locator("tbody tr")
    assert rows.count() == 10
    assert rows.first.locator("td").first.inner_text() == "2026-01"
    amount = rows.first.locator("td.num").nth(1).inner_text()
    assert "," in amount and amount.replace(",", "").isdigit()
    chart = result.locator("svg.chart")
    assert chart.count() == 1 and chart.get_attribute("role") == "img"
    assert chart.locator("circle").count() == 10  # one point per month
    assert "10건" in result.locator(".tool-foot").inner_text()
    chip = answer.locator(".answer-body button.cite-erp")
    assert chip.inner_text() == "1"
    chip.click()
    page.locator("#source-dialog").wait_for(state="visible")
    assert page.locator("#source-kind").inner_text() == "ERP 데이터"
    assert "2026-01-01" in page.locator("#source-body").inner_text()
    page.keyboard.press("Escape")
    screenshot(page, "chat-erp")


def test_stop_button_cancels_the_answer(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user("web_chat_stop")
    script.intents.append(llm_server.intent("chitchat", ""))
    script.answers.append({"text": "아주 긴 답변입니다. " * 80, "delay": 0.05})
    login(page, "web_chat_stop")
    answer = ask(page, "길게 설명해줘")
    until(page, "document.querySelector('.msg-assistant .answer-body')?.textContent.length > 10")
    page.click("#stop")
    wait_done(answer)
    assert answer.locator(".answer-foot .badge").inner_text() == "중지됨"
    shown = answer.locator(".answer-body").inner_text()
    assert 0 < len(shown) < len("아주 긴 답변입니다. " * 80) - 50
    assert page.locator("#send").is_visible()


def test_reconnect_resumes_without_losing_or_repeating_tokens(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user("web_chat_resume")
    text = "".join(f"문장{i:02d}. " for i in range(40))
    script.intents.append(llm_server.intent("chitchat", ""))
    script.answers.append({"text": text, "delay": 0.04})
    login(page, "web_chat_resume")
    answer = ask(page, "재연결 테스트")
    until(
        page,
        "document.querySelector('.msg-assistant .answer-body')?.textContent.includes('문장03')",
    )
    page.evaluate("window.dariDebug.dropConnection()")
    wait_done(answer)
    assert answer.locator(".answer-body").inner_text().strip() == text.strip()


def test_hostile_answer_and_source_are_inert(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    index(live, HOSTILE)
    live.user("web_chat_xss")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    script.intents.append(llm_server.intent("doc_qa", "비밀번호 변경 주기"))
    script.answers.append(
        {
            "text": (
                '비밀번호는 90일마다 바꿉니다 [1]. <img src=x onerror="window.__xss=4">\n\n'
                "<script>window.__xss=5</script> [자세히](javascript:window.__xss=6) "
                "[https://portal.example](https://evil.example/steal) ![추적](https://evil.example/t.png)"
            )
        }
    )
    login(page, "web_chat_xss")
    answer = ask(page, "비밀번호 변경 주기는?")
    wait_done(answer)
    answer.locator("button.cite-chip").click()
    until(page, "document.getElementById('source-body').textContent.includes('90일')")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert not dialogs
    roots = [
        answer.locator(".answer-body"),
        answer.locator(".answer-sources"),
        page.locator("#source-title"),
        page.locator("#source-body"),
    ]
    for root in roots:
        assert root.locator("img, script, iframe, svg, [onerror]").count() == 0
    assert "<script>" in answer.locator(".answer-body").inner_text()
    assert "<script>" in page.locator("#source-body").inner_text()
    assert page.locator("#source-title").inner_text().startswith("보안 지침 <img")
    hrefs = answer.locator(".answer-body a").evaluate_all("as => as.map(a => a.href)")
    assert hrefs == ["https://evil.example/steal", "https://evil.example/t.png"]
    assert "(https://evil.example/steal)" in answer.locator(".answer-body").inner_text()
