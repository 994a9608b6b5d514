"""End to end: 👎 on the demo company's answers → corrected routes → dataset → `dari train
router` (gate) → the corrected question now routes right → promoted → rolled back."""

from __future__ import annotations

import json
from datetime import date

import httpx
from sqlalchemy import select

from dari.audit.models import AuditEvent
from dari.chat import routing
from dari.chat.router.service import RouterInput
from dari.training.router_run import plan_label
from tests.training.conftest import admin_headers, data_dir, rated_answer

WRONG = {  # questions the catalog's examples route wrongly, all meaning receivables
    "00000000-0000-4000-8000-000000000001": "외상 안 갚은 데 어디",
    "00000000-0000-4000-8000-000000000002": "결제 안 한 업체 목록",
    "00000000-0000-4000-8000-000000000003": "입금 안 된 금액 총액",
    "00000000-0000-4000-8000-000000000004": "외상 안 갚은 곳 알려줘",
    "00000000-0000-4000-8000-000000000005": "결제 안 해준 업체 어디야",
    "00000000-0000-4000-8000-000000000006": "입금 안 된 돈 총액 알려줘",
}
RECEIVABLES = {"intent": "erp", "tool": "receivables_by_customer", "arguments": {}}


async def route_of(client: httpx.AsyncClient, question: str) -> str:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    router = await routing.get_router(runtime)
    everything = await routing._entity_index(runtime, None)
    plan = router.route(
        RouterInput(
            question=question,
            today=date(2026, 11, 20),
            allowed_tools=set(router.tools),
            find_entities=lambda t: routing.link_mentions(everything, None, t),
        )
    )
    return plan_label(plan)


async def test_feedback_to_a_promoted_router_and_back(app_client: httpx.AsyncClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    before = {q: await route_of(app_client, q) for q in WRONG.values()}
    assert sum(label != "receivables_by_customer" for label in before.values()) >= 3

    for message_id, question in WRONG.items():
        await rated_answer(runtime, message_id, question, "질문을 이해하지 못했습니다.")
    listed = await app_client.get("/api/admin/training/reviews?feedback=down", headers=headers)
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert item["question"] in WRONG.values() and item["sources"] and item["intent"]
    for message_id in WRONG:
        saved = await app_client.put(
            f"/api/admin/training/reviews/{message_id}",
            json={"kind": "route", "route": RECEIVABLES},
            headers=headers,
        )
        assert saved.status_code == 200, saved.text

    exported = await app_client.post("/api/admin/training/datasets", headers=headers)
    assert exported.status_code == 201, exported.text
    version = exported.json()["version"]
    directory = data_dir(app_client) / "training" / "datasets" / f"v{version}"
    train_rows = [
        json.loads(x) for x in (directory / "routes.train.jsonl").read_text().splitlines()
    ]
    held = [json.loads(x) for x in (directory / "routes.heldout.jsonl").read_text().splitlines()]
    assert train_rows and held and len(train_rows) + len(held) == len(WRONG)
    assert {r["label"] for r in train_rows + held} == {"receivables_by_customer"}

    started = await app_client.post(
        "/api/admin/training/runs", json={"kind": "router", "dataset": version}, headers=headers
    )
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "candidate", run
    report = run["report"]
    assert report["after"]["heldout"]["accuracy"] >= report["before"]["heldout"]["accuracy"]
    assert report["after"]["bench"]["accuracy"] >= report["before"]["bench"]["accuracy"]
    assert report["gate"]["passed"] and not run["active"]
    # a candidate changes nothing until it is promoted
    assert await route_of(app_client, train_rows[0]["text"]) == before[train_rows[0]["text"]]

    promoted = await app_client.post(
        f"/api/admin/training/runs/{run['id']}/promote", headers=headers
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["active"] and promoted.json()["status"] == "promoted"
    for row in train_rows:
        assert await route_of(app_client, row["text"]) == "receivables_by_customer"

    rolled = await app_client.post("/api/admin/training/router/rollback", headers=headers)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == {"rolled_back": run["id"], "active": None}
    assert await route_of(app_client, train_rows[0]["text"]) == before[train_rows[0]["text"]]
    again = await app_client.post("/api/admin/training/router/rollback", headers=headers)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "되돌릴" in again.json()["detail"]

    async with runtime.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert {"training.review", "training.dataset_export", "training.promote"} <= set(actions)
    assert "training.rollback" in actions
