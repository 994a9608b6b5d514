"""Bad input on the router side: each a clear Korean problem+json, nothing promoted, the
router in use untouched."""

from __future__ import annotations

import httpx

from dari.training import masking, store
from tests.training.conftest import admin_headers, data_dir, rated_answer

ROUTE = {"intent": "erp", "tool": "receivables_by_customer", "arguments": {}}


def problem(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return str(body["detail"])


async def test_empty_and_one_example_datasets(app_client: httpx.AsyncClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    empty = await app_client.post("/api/admin/training/datasets", headers=headers)
    assert "검토된 예시가 없어" in problem(empty, 422, "empty_dataset")

    await rated_answer(runtime, "00000000-0000-4000-a000-000000000001", "미수금?", "모름")
    await app_client.put(
        "/api/admin/training/reviews/00000000-0000-4000-a000-000000000001",
        json={"kind": "route", "route": ROUTE},
        headers=headers,
    )
    one = await app_client.post("/api/admin/training/datasets", headers=headers)
    assert "1개뿐" in problem(one, 422, "too_few_examples")
    assert not (data_dir(app_client) / "training" / "datasets").exists()


async def test_bad_reviews_are_refused(app_client: httpx.AsyncClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    await rated_answer(runtime, "00000000-0000-4000-a000-000000000002", "미수금?", "모름")
    url = "/api/admin/training/reviews/00000000-0000-4000-a000-000000000002"
    unknown = await app_client.put(
        url, json={"kind": "route", "route": {"intent": "erp", "tool": "no_such"}}, headers=headers
    )
    assert "no_such" in problem(unknown, 422, "bad_route")
    no_answer = await app_client.put(url, json={"kind": "answer", "answer": " "}, headers=headers)
    assert "답변을 입력" in problem(no_answer, 422, "answer_required")
    missing = await app_client.put(
        "/api/admin/training/reviews/nope", json={"kind": "accept"}, headers=headers
    )
    problem(missing, 404, "not_found")


async def test_corrupt_rows_and_no_routes_fail_the_run(app_client: httpx.AsyncClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    for n in range(1, 4):
        message_id = f"00000000-0000-4000-b000-00000000000{n}"
        await rated_answer(runtime, message_id, f"못 받은 돈 {n}", "모름")
        await app_client.put(
            f"/api/admin/training/reviews/{message_id}",
            json={"kind": "route", "route": ROUTE},
            headers=headers,
        )
    version = (await app_client.post("/api/admin/training/datasets", headers=headers)).json()[
        "version"
    ]
    path = store.dataset_dir(runtime.settings.server.data_dir, version) / "routes.train.jsonl"
    path.write_text(path.read_text() + "{not json\n", encoding="utf-8")
    run = await app_client.post(
        "/api/admin/training/runs", json={"kind": "router", "dataset": version}, headers=headers
    )
    body = run.json()
    assert body["status"] == "failed" and body["error_code"] == "corrupt_dataset", body
    assert "읽을 수 없습니다" in body["error"]
    refused = await app_client.post(
        f"/api/admin/training/runs/{body['id']}/promote", headers=headers
    )
    problem(refused, 409, "not_promotable")
    assert store.read_pointer(runtime.settings.server.data_dir, "router") is None

    path.write_text("", encoding="utf-8")  # no corrected routes left to learn
    run = await app_client.post(
        "/api/admin/training/runs", json={"kind": "router", "dataset": version}, headers=headers
    )
    assert run.json()["error_code"] == "no_examples"
    missing = await app_client.post(
        "/api/admin/training/runs", json={"kind": "router", "dataset": 99}, headers=headers
    )
    problem(missing, 404, "not_found")


def test_masking_rules() -> None:
    m = masking.Masker(["김민준"], use_kiwi=True)
    text = m.mask(
        "김민준 대리(010-1234-5678, 02-123-4567)의 주민번호 900101-1234567, 박서연 과장님께 전달"
    )
    assert "김민준" not in text and "박서연" not in text
    assert "010-1234-5678" not in text and "02-123-4567" not in text
    assert "900101-1234567" not in text
    assert text.count(masking.NAME_MASK) == 2 and masking.RRN_MASK in text
    assert m.mask("한빛상사 10월 미수금") == "한빛상사 10월 미수금"  # companies stay
    assert m.counts["phone"] == 2 and m.counts["resident_number"] == 1


async def test_lora_without_a_trainer_is_refused(app_client: httpx.AsyncClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    response = await app_client.post(
        "/api/admin/training/runs", json={"kind": "lora", "dataset": 1}, headers=headers
    )
    assert "trainer" in problem(response, 409, "no_trainer")
