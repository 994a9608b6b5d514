"""Structured output on top of a chat client: JSON-schema constrained answers.

The server is asked for constrained decoding (`response_format`); the answer is still
validated here, and on failure the model gets one more try with the validation error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from dari.config.llm import LLMSettings
from dari.llm import prompts
from dari.llm.base import ChatMessage, LLMBadOutput, LLMResult

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class StructuredClient(Protocol):
    """What structured output needs of a chat client (`OpenAICompatClient` is one); a Protocol,
    so this module does not import the client that imports it."""

    settings: LLMSettings

    @property
    def json_flavour(self) -> str: ...

    async def chat(self, messages: Sequence[ChatMessage], **kw: Any) -> LLMResult: ...


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
        except (ValueError, ValidationError) as exc:
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
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


async def generate_json(
    client: StructuredClient, messages: Sequence[ChatMessage], schema: type[M], **kw: Any
) -> M:
    return await structured(
        client, messages, schema.__name__, schema.model_json_schema(),
        schema.model_validate_json, **kw,
    )  # fmt: skip
