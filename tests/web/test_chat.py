# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""The chat app against the real chat server, the router pipeline and a scripted LLM: document
answers (lead, checked model sentences, cited evidence) streaming, citations, feedback, ERP
answers built from rows with their table and chart, stop, reconnect-and-resume, XSS in answers
and sources, same-name customers asked back with choice buttons, the place in line while the
model is busy. Every turn's today is the sample ERP's last day (`erp_today`)."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from typing import Any

import httpx
import pytest

from dari.erp.service import get_erp_toolset
from dari.search.base import ChunkRecord
from tests.chat import llm_server
from tests.fixtures.auth import create_test_user
from tests.web.conftest import PASSWORD, index, login, screenshot, until
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
CANTEEN = ChunkRecord(  # found by the search too, but it answers nothing about travel
    chunk_id="web-canteen-1",
    document_id="web-doc-canteen",
    title="구내식당 운영 안내",
    text="구내식당은 평일 점심에만 운영하며, 메뉴는 매주 금요일에 게시한다.",
)
HOSTILE = ChunkRecord(
    chunk_id="web-hostile-1",
    document_id="web-doc-hostile",
    title='보안 지침 <img src=x onerror="window.__xss=1">',
    location={"page": 1},
    text="비밀번호는 90일마다 변경한다. <script>window.__xss=2</script> [포털](javascript:window.__xss=3)",
)
LEAD = "「출장비 규정」에 따르면 다음과 같습니다."
# The model's phrasing: sent sentence by sentence, each once it passed the check (its figures
# are in the cited source); the evidence follows under "근거:".
SENTENCES = [
    "국내 출장 **일비는 1일 25,000원**입니다 [1].",
    "해외 출장 일비는 별표 1에 따릅니다 [1].",
]
ANSWER = " ".join(SENTENCES)


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
    index(live, TRAVEL, CANTEEN)
    token = live.user("web_chat_park", department="인사팀", display_name="박직원")
    script.answers.append({"text": ANSWER, "delay": 0.05})
    login(page, "web_chat_park")
    page.wait_for_selector("#chat-view:not([hidden])")
    # Record every text the answer showed while streaming.
    page.evaluate(
        """() => { window.__seen = [];
        new MutationObserver(() => { const b = document.querySelector('.msg-assistant .answer-body');
          if (b && window.__seen.at(-1) !== b.textContent) window.__seen.push(b.textContent); })
        .observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true}); }"""
    )
    answer = ask(page, "국내 출장 일비가 얼마야?")
    page.locator("#stop").wait_for(state="visible")  # a stop button while it streams
    wait_done(answer)
    assert page.locator("#stop").is_hidden() and page.locator("#send").is_visible()
    assert page.locator(".msg-user .bubble").inner_text() == "국내 출장 일비가 얼마야?"
    body = answer.locator(".answer-body")
    text = body.inner_text()
    # The lead, the model's checked sentences (Markdown rendered), then the evidence, cited.
    assert text.startswith(LEAD)
    assert (
        "국내 출장 일비는 1일 25,000원입니다" in text
        and "해외 출장 일비는 별표 1에 따릅니다" in text
    )
    assert body.locator("strong").inner_text() == "일비는 1일 25,000원"
    assert "근거:" in text and text.index("근거:") > text.index("별표 1에 따릅니다")
    evidence = body.locator("li").all_inner_texts()
    assert any("국내 출장 시 일비는 1일 25,000원을 지급한다" in item for item in evidence)
    # Streamed: the lead before the model was heard, then one checked sentence at a time.
    seen = page.evaluate("window.__seen")
    assert any(t.startswith(LEAD) and "25,000원입니다" not in t for t in seen), seen
    assert any("25,000원입니다" in t and "별표 1에 따릅니다" not in t for t in seen), seen

    chips = body.locator("button.cite-chip")
    assert chips.count() >= 3  # each model sentence and each evidence line
    chip = chips.first
    assert chip.inner_text() == "1"
    assert chip.get_attribute("aria-label") == "출처 1: 출장비 규정"
    # Under the answer: what it cites, not every chunk the search found.
    assert answer.locator(".source-title").all_inner_texts() == ["출장비 규정"]
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
    assert assistant["content"].startswith(f"{LEAD}\n\n{ANSWER}\n\n근거:\n")
    assert assistant["verification"]["status"] == "verified"
    assert {source["title"] for source in assistant["sources"]} >= {
        "출장비 규정",
        "구내식당 운영 안내",
    }
    (request,) = script.requests  # the model phrased once, from the evidence
    assert "1일 25,000원" in llm_server.prompt_of(request)

    # The conversation is listed, and survives a reload with its citation chips.
    item = page.locator(f".conversation-item[data-id='{conversation_id}']")
    item.wait_for()
    assert item.evaluate("e => e.classList.contains('active')")
    page.reload()
    page.wait_for_selector(".msg-assistant .answer-body button.cite-chip")
    reloaded = page.locator(".msg-assistant .answer-body")
    assert reloaded.inner_text() == text
    assert reloaded.locator("strong").inner_text() == "일비는 1일 25,000원"
    assert page.locator(".msg-assistant .source-title").all_inner_texts() == ["출장비 규정"]
    assert page.locator(".msg-assistant .fb-up").get_attribute("aria-pressed") == "true"
    assert page.locator("#chat-title").inner_text() == "국내 출장 일비가 얼마야?"
    screenshot(page, "chat-desktop")


def test_thumbs_down_with_reason(page: Any, live: LiveServer, script: llm_server.Script) -> None:
    index(live, TRAVEL)
    token = live.user("web_chat_down")
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
    login(page, "web_chat_sales")
    answer = ask(page, "올해 월별 매출 추이 보여줘")
    wait_done(answer)
    # "올해" on the turn's today (2026-11-23): January to today, month by month.
    result = answer.locator(".tool-result")
    assert result.count() == 1
    headers = result.locator("th").all_inner_texts()
    assert headers[0] == "기간" and "공급가액 (원)" in headers and "세금계산서 수 (건)" in headers
    rows = result.locator("tbody tr")
    assert rows.count() == 11
    months = [rows.nth(i).locator("td").first.inner_text() for i in range(11)]
    assert months == [f"2026-{m:02d}" for m in range(1, 12)]
    amount = rows.first.locator("td.num").nth(1).inner_text()
    assert "," in amount and amount.replace(",", "").isdigit()
    chart = result.locator("svg.chart")
    assert chart.count() == 1 and chart.get_attribute("role") == "img"
    assert chart.locator("circle").count() == 11  # one point per month
    assert "11건" in result.locator(".tool-foot").inner_text()
    # The answer is written by code from the rows: the period used, the figures of the table.
    text = answer.locator(".answer-body").inner_text()
    assert text.startswith("2026년 1월 1일~11월 23일 매출")
    assert f"2026-01: {amount}원" in text
    assert script.requests == []  # no model call
    # The conversation list previews the answer as plain text, its period intact.
    meta = page.locator(".conversation-item.active .conversation-meta")
    until(
        page,
        "document.querySelector('.conversation-item.active .conversation-meta')?.textContent.includes('매출')",
    )
    assert "2026년 1월 1일~11월 23일 매출(공급가액)은 모두" in meta.inner_text()
    chip = answer.locator(".answer-body button.cite-erp")
    assert chip.inner_text() == "1"
    chip.click()
    page.locator("#source-dialog").wait_for(state="visible")
    assert page.locator("#source-kind").inner_text() == "ERP 데이터"
    called = page.locator("#source-body").inner_text()
    assert "2026-01-01" in called and "2026-11-23" in called
    page.keyboard.press("Escape")
    screenshot(page, "chat-erp")


def test_stop_button_cancels_the_answer(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user("web_chat_stop")
    long = "아주 긴 답변입니다. " * 80
    script.answers.append({"text": long, "delay": 0.05})
    login(page, "web_chat_stop")
    answer = ask(page, "안녕하세요")  # chit-chat: the model's reply, sentence by sentence
    until(page, "document.querySelector('.msg-assistant .answer-body')?.textContent.length > 10")
    page.click("#stop")
    wait_done(answer)
    assert answer.locator(".answer-foot .badge").inner_text() == "중지됨"
    shown = answer.locator(".answer-body").inner_text()
    assert shown.startswith("아주 긴 답변입니다.")
    assert len(shown) < len(long) - 50
    assert page.locator("#send").is_visible()
    # The model was stopped too (its request closed), not left writing for nobody.
    for _ in range(100):
        if script.disconnected:
            break
        page.wait_for_timeout(50)
    assert script.disconnected == 1 and script.completed == 0


def test_reconnect_resumes_without_losing_or_repeating_tokens(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    live.user("web_chat_resume")
    # Twenty-four different sentences, no figures (a chit-chat reply may state none; it is
    # short: DARI's 80-token limit for chit-chat).
    names = "가나다라마바사아자차카타파하거너더러머버서어저처"
    text = " ".join(f"문장{name}입니다." for name in names)
    assert len(set(names)) == 24
    script.answers.append({"text": text, "delay": 0.04})
    login(page, "web_chat_resume")
    answer = ask(page, "재연결 테스트")
    until(
        page,
        "document.querySelector('.msg-assistant .answer-body')?.textContent.includes('문장라입니다')",
    )
    page.evaluate("window.dariDebug.dropConnection()")
    wait_done(answer)
    assert answer.locator(".answer-body").inner_text().strip() == text
    assert script.completed == 1  # one model answer, carried on while the page was away


def test_hostile_answer_and_source_are_inert(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    """Markup from a document (its title and text, quoted in the answer's lead and evidence) and
    from the model (a sentence that passes the check) shows as text; links show where they go."""
    index(live, HOSTILE)
    live.user("web_chat_xss")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    script.answers.append(
        {
            "text": (
                "비밀번호는 [https://portal.example](https://evil.example/steal)에서 90일마다 "
                "바꿉니다 [1]. "
                '<img src=x onerror="window.__xss=4"> <script>window.__xss=5</script>'
            )
        }
    )
    login(page, "web_chat_xss")
    answer = ask(page, "비밀번호 변경 주기는?")
    wait_done(answer)
    answer.locator("button.cite-chip").first.click()
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
    body = answer.locator(".answer-body").inner_text()
    # The lead names the document by its title, as text.
    assert body.startswith('「보안 지침 <img src=x onerror="window.__xss=1">」에 따르면')
    # The evidence quotes the source as text: its <script> and javascript: link are inert.
    assert "<script>window.__xss=2</script>" in body
    assert "<script>" in page.locator("#source-body").inner_text()
    assert page.locator("#source-title").inner_text().startswith("보안 지침 <img")
    # The model's sentence passed the check: its links become links that show their target.
    hrefs = answer.locator(".answer-body a").evaluate_all("as => as.map(a => a.href)")
    assert hrefs == ["https://evil.example/steal"]
    assert "(https://evil.example/steal)" in body
    assert all(not href.startswith("javascript:") for href in hrefs)
    # The model's raw markup after that sentence failed the check: it was never sent.
    assert "__xss=4" not in body and "__xss=5" not in body


def same_name_customers(erp_url: str) -> tuple[str, list[str]]:
    """A customer name two customers of the sample ERP share, and their codes."""
    with closing(sqlite3.connect(erp_url.split(":///", 1)[1])) as erp:
        name, codes = erp.execute(
            "SELECT customer_name, group_concat(customer_code) FROM customers"
            " GROUP BY customer_name HAVING count(*) = 2 ORDER BY customer_name LIMIT 1"
        ).fetchone()
    return str(name), sorted(str(codes).split(","))


def test_same_name_customers_are_asked_back_with_choice_buttons(
    page: Any, live: LiveServer, script: llm_server.Script, erp_url: str
) -> None:
    name, codes = same_name_customers(erp_url)
    principal, token = live.call(
        create_test_user(
            live.runtime,
            "web_chat_clarify",
            roles=("manager",),
            permissions=["erp_scope:all"],
            password=PASSWORD,
        )
    )
    login(page, "web_chat_clarify")
    question = ask(page, f"{name} 미수금 알려줘")
    wait_done(question)
    # The assistant asks back (no ERP call yet), with one button per customer.
    asked = question.locator(".answer-body").inner_text()
    assert name in asked and all(code in asked for code in codes)
    assert question.locator(".tool-result").count() == 0
    group = question.locator(".clarify-choices")
    assert group.get_attribute("role") == "group"
    assert group.get_attribute("aria-label") == "하나를 고르세요"
    buttons = group.get_by_role("button")
    assert sorted(buttons.all_inner_texts()) == [f"{name} ({code})" for code in codes]
    conversation_id = page.evaluate("new URLSearchParams(location.search).get('c')")

    # Clicking one sends that question, in the same conversation, and answers for that customer.
    picked = codes[1]
    group.get_by_role("button", name=f"{name} ({picked})").click()
    answer = page.locator(".msg-assistant").nth(1)
    wait_done(answer)
    assert page.locator(".msg-assistant").count() == 2
    sent = page.locator(".msg-user .bubble").nth(1).inner_text()
    assert picked in sent and codes[0] not in sent
    assert page.evaluate("new URLSearchParams(location.search).get('c')") == conversation_id
    assert answer.locator(".clarify-choices").count() == 0
    rows = answer.locator(".tool-result tbody tr")
    assert rows.count() == 1 and rows.first.locator("td").first.inner_text() == picked

    stored = httpx.get(
        f"{live.url}/api/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant"] * 2
    (result,) = stored["messages"][3]["tool_results"]
    assert result["tool"] == "receivables_by_customer"
    assert result["arguments"]["customer"] == picked
    expected = live.call(
        get_erp_toolset(live.runtime).call_tool(principal, result["tool"], result["arguments"])
    )
    assert [row[0] for row in expected.rows] == [picked]
    assert (
        f"{name}의 미수금은 {expected.rows[0][3]:,}원"
        in answer.locator(".answer-body").inner_text()
    )
    assert script.requests == []  # routing, asking back and the answer need no model


def test_a_question_waits_in_line_while_the_model_is_busy(
    page: Any, live: LiveServer, script: llm_server.Script
) -> None:
    """The model answers one request at a time (`max_concurrent_requests=1`): a document answer
    that must wait shows its place in line, after its lead, until the model is free."""
    index(live, TRAVEL)
    first = live.user("web_chat_busy")
    live.user("web_chat_queued")
    sentence = "국내 출장 일비는 1일 25,000원입니다 [1]."
    script.answers.append({"text": sentence, "wait": 3})  # someone else's answer holds the model
    script.answers.append({"text": sentence})
    login(page, "web_chat_queued")
    page.wait_for_selector("#chat-view:not([hidden])")
    done: dict[str, Any] = {}
    other = threading.Thread(
        target=lambda: done.update(
            httpx.post(
                f"{live.url}/api/chat",
                json={"text": "국내 출장 일비가 얼마야?"},
                headers={"Authorization": f"Bearer {first}"},
                timeout=60,
            ).json()
        )
    )
    other.start()
    try:
        for _ in range(200):
            if script.active:
                break
            page.wait_for_timeout(25)
        assert script.active == 1, "the first answer did not reach the model"
        answer = ask(page, "국내 출장 일비가 얼마야?")
        until(
            page,
            "document.querySelector('.msg-assistant .status-text')?.textContent"
            ".includes('대기 순서 1번째')",
        )
        status = answer.locator(".answer-status")
        assert status.is_visible()
        assert status.inner_text() == "다른 질문에 답하는 중입니다. 대기 순서 1번째…"
        # The lead needs no model: it is already there while the answer waits.
        assert answer.locator(".answer-body").inner_text().startswith(LEAD)
        wait_done(answer)
    finally:
        other.join(60)
    assert status.is_hidden()
    assert sentence.removesuffix(" [1].") in answer.locator(".answer-body").inner_text()
    assert done["verification"]["status"] == "verified"
    assert script.max_active == 1 and len(script.requests) == 2  # one at a time
