"""The gateway to an OpenAI-compatible server (vLLM, llama.cpp, Ollama) over httpx.

Why httpx and not the `openai` client: the gateway needs exact control over the first-token
deadline, retries only before the first token, and closing the connection when the caller
stops reading (which is what makes vLLM and llama.cpp stop generating).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from dari.config.llm import LLMSettings
from dari.llm import structured
from dari.llm.base import (
    ChatMessage,
    LLMBadOutput,
    LLMDelta,
    LLMError,
    LLMResult,
    LLMTimeout,
    LLMUnavailable,
)
from dari.llm.breaker import CircuitBreaker
from dari.llm.metrics import (
    LLM_ERRORS,
    LLM_REQUESTS,
    LLM_RETRIES,
    LLM_TOKENS,
    LLM_TOKENS_PER_S,
    LLM_TTFT,
)
from dari.llm.sse import DONE, StreamState, parse_event
from dari.llm.transport import MAX_BACKOFF_S, LLMRejected, Transport

M = TypeVar("M", bound=BaseModel)


class OpenAICompatClient:
    """`LLMClient` over the OpenAI chat-completions API. One instance per process."""

    def __init__(
        self, settings: LLMSettings, base_url: str, *, embedded: bool = False, model: str = ""
    ) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.embedded = embedded
        self._model = model or settings.model
        self.transport = Transport(settings, base_url)
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_s)

    @property
    def json_flavour(self) -> str:
        if self.settings.structured_output != "auto":
            return self.settings.structured_output
        return "json_object" if self.embedded else "json_schema"

    async def aclose(self) -> None:
        await self.transport.aclose()

    # --- requests ------------------------------------------------------------------------

    async def model(self) -> str:
        """The configured model, or the first one the server lists."""
        if not self._model:
            response = await self.transport.get("/models", self.settings.first_token_timeout_s)
            try:
                self._model = str(response.json()["data"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise LLMBadOutput("The LLM server lists no model; set DARI_LLM_MODEL.") from None
        return self._model

    async def health(self) -> None:
        await self.transport.get("/models", min(5.0, self.settings.first_token_timeout_s))

    async def payload(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        stream: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": await self.model(),
            "messages": [m.to_openai() for m in messages],
            "max_tokens": max_tokens or self.settings.max_tokens,
            "temperature": self.settings.temperature if temperature is None else temperature,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if stop:
            body["stop"] = stop
        body.update({k: v for k, v in extra.items() if v is not None})
        return body

    async def _stream(
        self, body: dict[str, Any], limit_tokens: int
    ) -> AsyncGenerator[LLMDelta, None]:
        cfg = self.settings
        loop = asyncio.get_running_loop()
        total_deadline = loop.time() + cfg.total_timeout_s
        state = StreamState()
        attempt = 0
        while True:
            response, first_deadline = await self.transport.open_with_retries(
                body, cfg.first_token_timeout_s, total_deadline
            )
            try:
                reader = self._read(response, state, first_deadline, total_deadline, limit_tokens)
                async with contextlib.aclosing(reader):
                    async for delta in reader:
                        yield delta
                break
            except LLMUnavailable:
                # Cut (or a server error event) before any token: nobody saw output, so retry.
                if state.first_token_at is not None or attempt >= cfg.max_retries:
                    raise
                attempt += 1
                LLM_RETRIES.inc()
                await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), MAX_BACKOFF_S))
            finally:
                await response.aclose()
        usage, timings = state.final_usage(), state.timings()
        LLM_TTFT.observe(timings.ttft_ms / 1000)
        LLM_TOKENS.labels("prompt").inc(usage.prompt_tokens)
        LLM_TOKENS.labels("completion").inc(usage.completion_tokens)
        if timings.tokens_per_s:
            LLM_TOKENS_PER_S.observe(timings.tokens_per_s)
        yield LLMDelta(done=True, finish_reason=state.finish_reason, usage=usage, timings=timings)

    async def _read(
        self,
        response: httpx.Response,
        state: StreamState,
        first_deadline: float,
        total_deadline: float,
        limit_tokens: int,
    ) -> AsyncGenerator[LLMDelta, None]:
        loop = asyncio.get_running_loop()
        lines = response.aiter_lines()
        ended = False
        while True:
            if state.first_token_at is None:
                deadline = first_deadline
            else:
                deadline = min(loop.time() + self.settings.idle_timeout_s, total_deadline)
            try:
                async with asyncio.timeout_at(deadline):
                    line = await anext(lines)
            except StopAsyncIteration:
                break
            except TimeoutError:
                what = "start answering" if state.first_token_at is None else "finish"
                raise LLMTimeout(f"The LLM server did not {what} in time.") from None
            except httpx.HTTPError:
                break  # the connection dropped: judged below as a cut stream
            event = parse_event(line)
            if event is None:
                continue
            if event is DONE:
                ended = True
                break
            assert isinstance(event, dict)
            text = state.take(event)
            if state.pieces > limit_tokens + 16 or state.chars > limit_tokens * 16:
                raise LLMBadOutput(f"The LLM answer exceeded the limit of {limit_tokens} tokens.")
            if text:
                yield LLMDelta(text=text)
        if not ended and state.finish_reason is None:
            raise LLMUnavailable("The LLM server ended the answer mid-way.")

    def _check_breaker(self) -> None:
        try:
            self.breaker.check()
        except LLMError as exc:
            LLM_ERRORS.labels(exc.code).inc()
            LLM_REQUESTS.labels("error").inc()
            raise

    async def _guarded(self, body: dict[str, Any]) -> AsyncGenerator[LLMDelta, None]:
        """`_stream` behind the circuit breaker, with outcome metrics."""
        self._check_breaker()
        outcome = "cancelled"
        try:
            async for delta in self._stream(body, int(body["max_tokens"])):
                yield delta
            outcome = "ok"
            self.breaker.success()
        except LLMError as exc:
            outcome = "error"
            LLM_ERRORS.labels(exc.code).inc()
            if isinstance(exc, LLMRejected | LLMBadOutput):
                self.breaker.release_trial()
            else:
                self.breaker.failure()
            raise
        finally:
            if outcome == "cancelled":
                self.breaker.release_trial()
            LLM_REQUESTS.labels(outcome).inc()

    # --- the LLMClient interface ---------------------------------------------------------

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        **extra: Any,
    ) -> AsyncGenerator[LLMDelta, None]:
        body = await self.payload(
            messages, max_tokens=max_tokens, temperature=temperature, stop=stop, **extra
        )
        stream = self._guarded(body)
        try:
            async for delta in stream:
                yield delta
        finally:
            await stream.aclose()

    async def chat(self, messages: Sequence[ChatMessage], **kw: Any) -> LLMResult:
        pieces: list[str] = []
        result = LLMResult(text="")
        stream = self.stream_chat(messages, **kw)
        try:
            async for delta in stream:
                if delta.done:
                    result.finish_reason = delta.finish_reason
                    result.usage = delta.usage or result.usage
                    result.timings = delta.timings or result.timings
                else:
                    pieces.append(delta.text)
        finally:
            await stream.aclose()
        result.text = "".join(pieces)
        result.model = self._model
        return result

    async def generate_json(self, messages: Sequence[ChatMessage], schema: type[M], **kw: Any) -> M:
        return await structured.generate_json(self, messages, schema, **kw)
