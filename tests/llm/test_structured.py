"""JSON-schema constrained output and tool calling, against a scripted real server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, Field

from dari.llm.base import ChatMessage, LLMError
from tests.llm.conftest import Gateway, script, server_state

ASK = [ChatMessage(role="user", content="지난달 서울 지점 매출 알려줘")]


class Intent(BaseModel):
    intent: str = Field(pattern="^(erp|documents|chat)$")
    confidence: float = Field(ge=0, le=1)


TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "sales_by_branch",
            "description": "지점별 매출 조회",
            "parameters": {
                "type": "object",
                "properties": {"branch": {"type": "string"}, "month": {"type": "string"}},
                "required": ["branch"],
            },
        },
    }
]


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


def native_call(name: str, arguments: Any) -> dict[str, Any]:
    return {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}


async def test_native_tool_call(gateway: Gateway, key: str, scripted_url: str) -> None:
    args = json.dumps({"branch": "서울", "month": "2026-10"}, ensure_ascii=False)
    await script(scripted_url, key, [{"tool_calls": [native_call("sales_by_branch", args)]}])
    result = await gateway(f"script:{key}").call_tools(ASK, TOOLS)
    assert result.route == "native"
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("c1", "sales_by_branch", {"branch": "서울", "month": "2026-10"})
    ]
    (body,) = (await server_state(scripted_url, key))["requests"]
    assert body["tools"] == TOOLS and body["stream"] is False


@pytest.mark.parametrize(
    "call",
    [native_call("drop_tables", "{}"), native_call("sales_by_branch", '{"month": 1}'),
     native_call("sales_by_branch", "{not json")],
)  # fmt: skip
async def test_invalid_native_tool_call_is_bad_output(
    gateway: Gateway, key: str, scripted_url: str, call: dict[str, Any]
) -> None:
    await script(scripted_url, key, [{"tool_calls": [call]}])
    with pytest.raises(LLMError) as caught:
        await gateway(f"script:{key}").call_tools(ASK, TOOLS)
    assert caught.value.code == "llm_bad_output"


async def test_server_without_tools_falls_back_to_json_route(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    call = {"name": "sales_by_branch", "arguments": {"branch": "부산"}}
    choice = {"tool_calls": [call], "content": ""}
    await script(scripted_url, key, [{"text": json.dumps(choice)}], reject_tools=True)
    client = gateway(f"script:{key}")
    result = await client.call_tools(ASK, TOOLS)
    assert result.route == "json" and not client.native_tools
    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        ("sales_by_branch", {"branch": "부산"})
    ]
    rejected, json_route = (await server_state(scripted_url, key))["requests"]
    assert "tools" in rejected and "tools" not in json_route
    schema = json_route["response_format"]["json_schema"]["schema"]
    option = schema["properties"]["tool_calls"]["items"]["anyOf"][0]
    assert option["properties"]["name"] == {"type": "string", "enum": ["sales_by_branch"]}
    assert "sales_by_branch" in json_route["messages"][0]["content"]


async def test_json_route_retries_an_unknown_tool_and_allows_no_tool(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    answers = [
        {"text": '{"tool_calls": [{"name": "rm_rf", "arguments": {}}], "content": ""}'},
        {"text": '{"tool_calls": [], "content": "도구가 필요 없습니다."}'},
    ]
    await script(scripted_url, key, answers)
    result = await gateway(f"script:{key}", tool_calling="json").call_tools(ASK, TOOLS)
    assert result.tool_calls == [] and result.content == "도구가 필요 없습니다."
    _, retry = (await server_state(scripted_url, key))["requests"]
    assert "rm_rf" in retry["messages"][-1]["content"]


async def test_native_mode_does_not_fall_back(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    await script(scripted_url, key, [], reject_tools=True)
    with pytest.raises(LLMError, match="400"):
        await gateway(f"script:{key}", tool_calling="native").call_tools(ASK, TOOLS)
