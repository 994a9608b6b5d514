"""The whole pipeline with the real embedded model (0.5B, CPU): CI runs it (`-m llm`)."""

from __future__ import annotations

from typing import Any

import pytest

from dari.chat.protocol import SERVER_EVENTS
from dari.config import Settings
from dari.config.llm import LLMSettings
from dari.llm.embedded import running
from tests.chat.conftest import Servers, chat_settings, connect
from tests.chat.data import DOCUMENTS, of, text_of
from tests.llm.conftest import require_embedded_model


@pytest.mark.llm
@pytest.mark.slow
async def test_document_question_with_the_embedded_model(
    servers: Servers, settings: Settings, erp_url: str, make_user: Any, tmp_path: Any
) -> None:
    require_embedded_model()
    model_settings = settings.model_copy(
        update={"llm": LLMSettings(embedded="on", first_token_timeout_s=600)}
    )
    async with running(model_settings) as model:
        base = chat_settings(settings, model.base_url, erp_url, "unused")
        # llama-cpp-python's server: JSON output as `json_object` with a schema.
        overrides = {
            "model": model.alias,
            "structured_output": "json_object",
            "first_token_timeout_s": 600,
            "idle_timeout_s": 120,
            "total_timeout_s": 1200,
        }
        llm = base.llm.model_copy(update=overrides)
        server = await servers.start(base.model_copy(update={"llm": llm}))
        await server.index(DOCUMENTS)
        _, token = await make_user(server.runtime, username="real", roles=("employee",))
        async with connect(server, token) as client:
            await client.send({"type": "message", "text": "국내 출장 일비는 하루에 얼마인가요?"})
            events = await client.until("done", "error", timeout=1200)
        # The model really answered: it did not fail or crash (a build with CPU instructions
        # this machine cannot run dies at its first decode, and the evidence alone would
        # still make a `done`).
        alive = model.process is not None and model.process.poll() is None
        assert alive, "the embedded model server died while answering"
    for event in events:
        SERVER_EVENTS.validate_python(event)
    assert events[-1]["type"] == "done", events[-1]
    problems = events[-1]["verification"]["problems"]
    assert not [p for p in problems if p.startswith("llm_")], problems
    assert of(events, "intent")[0]["intent"] in (
        "doc_qa",
        "mixed",
        "erp",
        "chitchat",
        "out_of_scope",
    )
    assert text_of(events).strip()
    given = {s["chunk_id"] for s in of(events, "sources")[0]["sources"]}
    for citation in of(events, "citation"):
        assert citation["chunk_id"] in given
