"""JSON-schema constrained output, against a scripted real server."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from dari.llm.base import ChatMessage, LLMError
from tests.llm.conftest import Gateway, script, server_state

ASK = [ChatMessage(role="user", content="지난달 서울 지점 매출 알려줘")]


class Intent(BaseModel):
    intent: str = Field(pattern="^(erp|documents|chat)$")
    confidence: float = Field(ge=0, le=1)


async def test_generate_json_asks_for_the_schema_and_validates(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    await script(scripted_url, key, [{"text": '{"intent": "erp", "confidence": 0.9}'}])
    result = await gateway(f"script:{key}").generate_json(ASK, Intent)
    assert result == Intent(intent="erp", confidence=0.9)
    (body,) = (await server_state(scripted_url, key))["requests"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Intent"
    assert fmt["json_schema"]["schema"] == Intent.model_json_schema()
    assert body["messages"][0]["role"] == "system" and "JSON" in body["messages"][0]["content"]
    assert body["messages"][-1]["content"] == ASK[0].content


async def test_embedded_flavour_uses_json_object_with_schema(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    await script(scripted_url, key, [{"text": '{"intent": "chat", "confidence": 0.1}'}])
    client = gateway(f"script:{key}", structured_output="json_object")
    await client.generate_json(ASK, Intent)
    (body,) = (await server_state(scripted_url, key))["requests"]
    assert body["response_format"] == {"type": "json_object", "schema": Intent.model_json_schema()}


async def test_generate_json_retries_once_with_the_validation_error(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    answers = [
        {"text": '{"intent": "weather", "confidence": 3}'},
        {"text": '```json\n{"intent": "documents", "confidence": 0.5}\n```'},
    ]
    await script(scripted_url, key, answers)
    result = await gateway(f"script:{key}").generate_json(ASK, Intent)
    assert result.intent == "documents"
    first, second = (await server_state(scripted_url, key))["requests"]
    assert second["messages"][: len(first["messages"])] == first["messages"]
    bad, retry = second["messages"][-2:]
    assert bad == {"role": "assistant", "content": answers[0]["text"]}
    assert retry["role"] == "user" and "intent" in retry["content"]
    assert "confidence" in retry["content"]  # both validation errors are named


async def test_generate_json_gives_up_after_one_retry(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    await script(scripted_url, key, [{"text": "죄송합니다"}, {"text": "{broken"}, {"text": "{}"}])
    with pytest.raises(LLMError) as caught:
        await gateway(f"script:{key}").generate_json(ASK, Intent)
    assert caught.value.code == "llm_bad_output"
    assert len((await server_state(scripted_url, key))["requests"]) == 2
