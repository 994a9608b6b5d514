"""HTTP to an OpenAI-compatible server: one request, retried with backoff before any output."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from dari.config.llm import LLMSettings
from dari.llm.base import LLMError, LLMTimeout, LLMUnavailable
from dari.llm.metrics import LLM_RETRIES

RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 10.0


class LLMRejected(LLMUnavailable):
    """The server refused the request itself (4xx): not a sign that the server is down."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Retryable(Exception):
    """A failure before any output that another attempt may fix (connection error, 429, 5xx)."""

    def __init__(self, error: LLMError, delay: float | None = None) -> None:
        self.error = error
        self.delay = delay


class Transport:
    def __init__(self, settings: LLMSettings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        timeout = httpx.Timeout(connect=settings.connect_timeout_s, read=None, write=30, pool=30)
        self.http = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def aclose(self) -> None:
        await self.http.aclose()

    def unreachable(self, exc: BaseException) -> str:
        kind = "timed out" if isinstance(exc, TimeoutError | httpx.TimeoutException) else "failed"
        return (
            f"Cannot reach the LLM server at {self.base_url} (connection {kind}: "
            f"{type(exc).__name__}). Check DARI_LLM_BASE_URL and that the server is running."
        )

    async def get(self, path: str, timeout: float) -> httpx.Response:
        try:
            async with asyncio.timeout(timeout):
                response = await self.http.get(self.base_url + path)
        except (httpx.TransportError, TimeoutError) as exc:
            raise LLMUnavailable(self.unreachable(exc)) from None
        if response.status_code != 200:
            raise LLMUnavailable(f"The LLM server answered {response.status_code} to {path}.")
        return response

    async def open(self, body: dict[str, Any], deadline: float) -> httpx.Response:
        """POST once; a 200 response with its body unread, or an error (`Retryable` or not)."""
        url = self.base_url + "/chat/completions"
        request = self.http.build_request("POST", url, json=body)
        try:
            async with asyncio.timeout_at(deadline):
                response = await self.http.send(request, stream=True)
        except TimeoutError:
            raise LLMTimeout("The LLM server did not start answering in time.") from None
        except httpx.TransportError as exc:
            raise Retryable(LLMUnavailable(self.unreachable(exc))) from None
        if response.status_code == 200:
            return response
        try:
            async with asyncio.timeout_at(deadline):
                text = (await response.aread()).decode("utf-8", "replace")[:300]
        except (TimeoutError, httpx.HTTPError):
            text = ""
        finally:
            await response.aclose()
        status = response.status_code
        message = f"The LLM server answered {status}" + (f": {text}" if text else ".")
        if status in RETRYABLE_STATUS:
            retry_after = response.headers.get("retry-after", "")
            delay = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None
            raise Retryable(LLMUnavailable(message), delay)
        raise LLMRejected(status, message)

    async def open_with_retries(
        self, body: dict[str, Any], first_token_s: float, total_deadline: float
    ) -> tuple[httpx.Response, float]:
        """`open`, retried with backoff; returns the response and its first-token deadline."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            deadline = min(loop.time() + first_token_s, total_deadline)
            try:
                return await self.open(body, deadline), deadline
            except Retryable as retry:
                if attempt >= self.settings.max_retries:
                    raise retry.error from None
                delay = retry.delay if retry.delay is not None else 0.5 * 2**attempt
                delay = min(delay, MAX_BACKOFF_S) * (0.8 + 0.4 * random.random())
                if loop.time() + delay >= total_deadline:
                    raise retry.error from None
                attempt += 1
                LLM_RETRIES.inc()
                await asyncio.sleep(delay)
