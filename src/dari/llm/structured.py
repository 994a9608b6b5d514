"""Structured output on top of a chat client: JSON-schema constrained answers and tool choice.

The server is asked for constrained decoding (`response_format`); the answer is still
validated here, and on failure the model gets one more try with the validation error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import jsonschema
from pydantic import BaseModel, ValidationError

from dari.config.llm import LLMSettings
from dari.llm import prompts
from dari.llm.base import ChatMessage, LLMBadOutput, LLMResult, ToolCall, ToolCallResult

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class StructuredClient(Protocol):
    """What structured output needs of a chat client (`OpenAICompatClient` is one); a Protocol,
    so this module does not import the client that imports it."""

    settings: LLMSettings
    native_tools: bool

    @property
    def json_flavour(self) -> str: ...

    async def chat(self, messages: Sequence[ChatMessage], **kw: Any) -> LLMResult: ...

    async def payload(
        self, messages: Sequence[ChatMessage], *, stream: bool = True, **extra: Any
    ) -> dict[str, Any]: ...

    async def post(self, body: dict[str, Any]) -> dict[str, Any]: ...


def response_format(flavour: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """`response_format` for vLLM/Ollama/llama-server (`json_schema`) or llama-cpp-python."""
    if flavour == "json_object":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


def with_system(messages: Sequence[ChatMessage], instructions: str) -> list[ChatMessage]:
    """Prepend `instructions` to the system message (or add one)."""
    result = list(messages)
    if result and result[0].role == "system":
        content = f"{result[0].content}\n\n{instructions}"
        result[0] = result[0].model_copy(update={"content": content})
    else:
        result.insert(0, ChatMessage(role="system", content=instructions))
    return result


def _strip(text: str) -> str:
    return _FENCE.sub("", text.strip())


async def structured(
    client: StructuredClient,
    messages: Sequence[ChatMessage],
    name: str,
    schema: dict[str, Any],
    validate: Callable[[str], T],
    **kw: Any,
) -> T:
    """Ask for JSON matching `schema`; `validate` parses it or raises ValueError."""
    schema_text = json.dumps(schema, ensure_ascii=False)
    conversation = with_system(messages, prompts.render("json_system", schema=schema_text))
    rf = response_format(client.json_flavour, name, schema)
    error = ""
    for _attempt in range(2):
        result = await client.chat(conversation, response_format=rf, **kw)
        try:
            return validate(_strip(result.text))
        except (ValueError, ValidationError, jsonschema.ValidationError) as exc:
            error = _short(exc)
        conversation = [
            *conversation,
            ChatMessage(role="assistant", content=result.text[:4000]),
            ChatMessage(role="user", content=prompts.render("json_retry", error=error)),
        ]
    raise LLMBadOutput(f"The LLM answer did not match the expected format ({error[:200]}).")


def _short(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in exc.errors()[:5]
        ]
        return "; ".join(parts)
    if isinstance(exc, jsonschema.ValidationError):
        path = ".".join(str(p) for p in exc.absolute_path) or "(root)"
        return f"{path}: {exc.message}"[:300]
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


async def generate_json(
    client: StructuredClient, messages: Sequence[ChatMessage], schema: type[M], **kw: Any
) -> M:
    return await structured(
        client, messages, schema.__name__, schema.model_json_schema(),
        schema.model_validate_json, **kw,
    )  # fmt: skip


# --- tools -------------------------------------------------------------------------------------


def _functions(tools: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    functions = {}
    for tool in tools:
        function = tool.get("function", tool)
        functions[str(function["name"])] = function
    return functions


def _check_call(functions: dict[str, dict[str, Any]], name: str, arguments: Any) -> ToolCall:
    if name not in functions:
        raise ValueError(f"unknown tool {name!r}; choose one of {sorted(functions)}")
    if not isinstance(arguments, dict):
        raise ValueError(f"arguments of {name} must be a JSON object")
    jsonschema.validate(arguments, functions[name].get("parameters") or {"type": "object"})
    return ToolCall(name=name, arguments=arguments)


def tool_choice_schema(functions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A schema whose instances are `{"tool_calls": [{name, arguments}], "content": str}`."""
    options = [
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": [name]},
                "arguments": function.get("parameters") or {"type": "object"},
            },
            "required": ["name", "arguments"],
        }
        for name, function in functions.items()
    ]
    return {
        "type": "object",
        "properties": {
            "tool_calls": {"type": "array", "items": {"anyOf": options}},
            "content": {"type": "string"},
        },
        "required": ["tool_calls", "content"],
    }


async def call_tools(
    client: StructuredClient,
    messages: Sequence[ChatMessage],
    tools: list[dict[str, Any]],
    **kw: Any,
) -> ToolCallResult:
    from dari.llm.transport import LLMRejected

    functions = _functions(tools)
    if client.native_tools:
        try:
            return await _native(client, messages, tools, functions, **kw)
        except LLMRejected:
            if client.settings.tool_calling == "native":
                raise
            client.native_tools = False  # this server does not take `tools`: use JSON from now

    def validate(text: str) -> ToolCallResult:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("tool_calls", []), list):
            raise ValueError("expected an object with a tool_calls array")
        calls = [
            _check_call(functions, str(c.get("name", "")), c.get("arguments"))
            for c in data.get("tool_calls", [])
            if isinstance(c, dict)
        ]
        for i, call in enumerate(calls):
            call.id = f"call_{i}"
        return ToolCallResult(tool_calls=calls, content=str(data.get("content") or ""))

    listing = json.dumps(list(functions.values()), ensure_ascii=False, indent=1)
    conversation = with_system(messages, prompts.render("tools_system", tools=listing))
    schema = tool_choice_schema(functions)
    return await structured(client, conversation, "tool_choice", schema, validate, **kw)


async def _native(
    client: StructuredClient,
    messages: Sequence[ChatMessage],
    tools: list[dict[str, Any]],
    functions: dict[str, dict[str, Any]],
    **kw: Any,
) -> ToolCallResult:
    body = await client.payload(messages, stream=False, tools=tools, tool_choice="auto", **kw)
    message = (await client.post(body)).get("message") or {}
    calls = []
    try:
        for i, raw in enumerate(message.get("tool_calls") or []):
            function = raw["function"]
            arguments = function.get("arguments") or "{}"
            parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
            call = _check_call(functions, str(function["name"]), parsed)
            call.id = str(raw.get("id") or f"call_{i}")
            calls.append(call)
    except (ValueError, KeyError, TypeError, jsonschema.ValidationError) as exc:
        raise LLMBadOutput(f"The LLM asked for an invalid tool call ({_short(exc)}).") from None
    return ToolCallResult(
        tool_calls=calls, content=str(message.get("content") or ""), route="native"
    )


def decode_completion(data: bytes) -> dict[str, Any]:
    """The first choice of a non-streamed completion, or `LLMBadOutput`."""
    try:
        body = json.loads(data)
        choice = body["choices"][0]
        if not isinstance(choice, dict):
            raise TypeError
        return choice
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMBadOutput("The LLM server sent a malformed answer.") from None
