"""Browser tests: a real Dari server (thread), a scripted LLM server, Debian's Chromium.

Under CI (CI=true) these tests must run; elsewhere they are skipped with a reason when
/usr/bin/chromium is missing (`apt-get install chromium`).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dari.chat import pipeline
from dari.chat import service as chat_service
from dari.config import Settings
from dari.config.erp import ErpSettings
from dari.config.llm import LLMSettings
from tests.chat import llm_server
from tests.conftest import make_settings
from tests.fixtures.auth import TEST_PASSWORD
from tests.fixtures.erp import ERP_END, sample_erp_url
from tests.web.harness import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LLM_KEY = "web"
PASSWORD = TEST_PASSWORD


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One server and one browser per worker: keep the web tests together.
    for item in items:
        if "tests/web/" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("web"))


@pytest.fixture
def chromium(live: LiveServer) -> Iterator[Any]:
    """A fresh Chromium per test (about a second to start).

    While Playwright's sync API is started it marks an event loop as running in this thread,
    so no other test (async tests, `asyncio.run` in fixtures) may run meanwhile: it is stopped
    after each test, and the server (`live`, its own thread and loop) is started before it.
    """
    if not CHROMIUM.exists():
        if CI:
            pytest.fail("/usr/bin/chromium is missing under CI (.ci/run installs it)")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    with llm_server.serve() as url:
        yield url


@pytest.fixture
def script(llm_url: str) -> llm_server.Script:
    """What the scripted LLM answers next (`script.answers`: the model's phrasing of a document
    answer or a chit-chat reply; the router makes no model call). Emptied for each test, so an
    answer one test scripted but never used is not read by the next."""
    script = llm_server.SCRIPTS[LLM_KEY]
    script.answers.clear()
    script.intents.clear()
    script.requests.clear()
    script.disconnected = script.completed = script.max_active = 0
    return script


@pytest.fixture(autouse=True)
def erp_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Every turn's `today` (what "올해", "이번 달" mean) is the sample ERP's last day, so the
    periods, rows and tables the tests see do not depend on the day they run."""
    monkeypatch.setattr(chat_service, "Turn", functools.partial(pipeline.Turn, today=ERP_END))
    return ERP_END


@pytest.fixture(scope="session")
def erp_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_erp_url(tmp_path_factory)


@pytest.fixture(scope="session")
def web_settings(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, llm_url: str, erp_url: str
) -> Settings:
    data_dir = tmp_path_factory.mktemp("web-data")
    shutil.copy(sqlite_template, data_dir / "dari.db")
    base = make_settings(data_dir)
    llm = LLMSettings(
        base_url=llm_url,
        model=f"chat:{LLM_KEY}",
        max_retries=0,
        connect_timeout_s=2,
        first_token_timeout_s=10,
        idle_timeout_s=10,
        total_timeout_s=60,
        breaker_failures=1000,  # a test's unscripted call (HTTP 500) must not open the circuit
        max_concurrent_requests=1,  # one slot, like the embedded model: later answers queue
    )
    return base.model_copy(update={"llm": llm, "erp": ErpSettings(url=erp_url)})


@pytest.fixture(scope="session")
def live(web_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(web_settings).start()
    yield server
    server.stop()


class PageErrors(list[str]):
    """Uncaught exceptions in the page: a test fails if any happened."""


@pytest.fixture
def context(live: LiveServer, chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live.url, viewport={"width": 1280, "height": 800}, locale="ko-KR"
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    errors = PageErrors()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


def index(live: LiveServer, *chunks: Any) -> None:
    """Put document chunks (`ChunkRecord`s, readable by everyone) in the server's search index."""
    from dari.search.service import get_search_service

    async def run() -> None:
        search = get_search_service(live.runtime)
        await search.start()
        for chunk in chunks:
            await search.replace_document(chunk.document_id, [chunk])

    live.call(run())


def login(page: Any, username: str, password: str = PASSWORD, path: str = "/") -> None:
    """Open `path` and sign in through the login form."""
    page.goto(path)
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")


def screenshot(page: Any, name: str, *, full_page: bool = False) -> None:
    """Save docs/screenshots/<name>.png (the README shows the chat and admin ones)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toasts')?.remove()")  # transient, not the screen
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def until(page: Any, expression: str, arg: Any = None, timeout: float = 15) -> Any:
    """Poll a JS expression until it is truthy (the page's CSP forbids `wait_for_function`'s
    in-page eval; `evaluate` goes through the debugging protocol instead)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)
