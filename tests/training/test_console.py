"""The console's 학습 page in Chromium: correct a 👎 answer's route, accept a 👍 one, export a
dataset, train the router, see before/after and the gate, switch the candidate on."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dari.config.erp import ErpSettings
from dari.config.llm import LLMSettings
from tests.conftest import make_settings
from tests.fixtures.auth import TEST_PASSWORD
from tests.training.conftest import rated_answer
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, CI
from tests.web.harness import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("web")]


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, erp_url: str
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("training-web")
    shutil.copy(sqlite_template, data_dir / "dari.db")
    settings = make_settings(data_dir).model_copy(
        update={"erp": ErpSettings(url=erp_url), "llm": LLMSettings(embedded="off", base_url="")}
    )
    server = LiveServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def page(live: LiveServer) -> Iterator[Any]:
    if not CHROMIUM.exists():
        if CI:
            pytest.fail("/usr/bin/chromium is missing under CI")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
    assert not errors, errors


def test_training_page_from_review_to_promotion(page: Any, live: LiveServer) -> None:
    live.user("train.web", roles=("admin",))
    wrong = "00000000-0000-4000-c000-000000000002"  # in the train split (by hash)
    good = "00000000-0000-4000-c000-000000000001"
    live.call(rated_answer(live.runtime, wrong, "외상 안 갚은 데 어디", "모르겠습니다."))
    live.call(rated_answer(live.runtime, good, "출장비 규정", "하루 10만 원", rating="up"))

    page.goto("/admin/training")
    page.fill("#login-username", "train.web")
    page.fill("#login-password", TEST_PASSWORD)
    page.click("#login-submit")
    card = page.locator(f'article[data-message="{wrong}"]')
    card.wait_for()
    assert "외상 안 갚은 데 어디" in card.inner_text()
    card.locator("summary").click()
    card.locator("select").select_option("erp")
    card.locator('input[aria-label="ERP 도구"]').fill("receivables_by_customer")
    card.get_by_role("button", name="경로 교정 저장").click()
    page.locator(f'article[data-message="{wrong}"] .badge-info').wait_for()
    assert "경로 교정됨" in page.locator(f'article[data-message="{wrong}"]').inner_text()

    page.get_by_role("tab", name="좋아요").click()
    accepted = page.locator(f'article[data-message="{good}"]')
    accepted.get_by_role("button", name="좋은 답변으로 수락").click()
    page.locator(f'article[data-message="{good}"] .badge-info').wait_for()

    page.get_by_role("tab", name="데이터셋").click()
    page.get_by_role("button", name="새 버전 내보내기").click()
    page.locator("table.data-table td", has_text="v1").wait_for()

    page.get_by_role("tab", name="학습 실행").click()
    page.get_by_role("button", name="학습 시작").click()
    row = page.locator("table.data-table tbody tr").first
    row.get_by_text("통과").wait_for(timeout=60_000)
    assert "→" in row.inner_text()
    row.get_by_role("button", name="적용").click()
    page.locator("table.data-table tbody tr").first.get_by_text("적용 중").wait_for()
