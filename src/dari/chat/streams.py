"""Running answers: numbered events kept for resume, live broadcast, cancellation.

Every event of an answer is appended to a cache list (`chat:ev:<message id>`, kept
`resume_ttl_s` after the last event) and published on `chat:live:<message id>`
(`eventlog.AnswerStream`); a client reconnecting to *any* replica replays the list and
follows the channel. Cancel requests travel on
`chat:cancel:<user id>`, which the replica running the answer listens to. With Redis
configured this works across processes; embedded, within one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from dari.cache import Cache
from dari.chat import limits, pipeline, service
from dari.chat.errors import ChatError, dependency_failure
from dari.chat.eventlog import AnswerStream, Sink, events_key, live_key
from dari.core.runtime import Runtime
from dari.llm.base import LLMError

log = logging.getLogger(__name__)
TERMINAL = ("done", "error")
ANSWERS = Counter("dari_chat_answers_total", "Answers by outcome", ["outcome"])
ANSWER_SECONDS = Histogram(
    "dari_chat_answer_seconds", "Question to last event", buckets=(1, 2, 5, 10, 20, 40, 80, 160)
)
FIRST_TOKEN_SECONDS = Histogram(
    "dari_chat_first_token_seconds",
    "Question to first answer token",
    buckets=(0.5, 1, 2, 5, 10, 20, 40),
)
STREAMING = Gauge("dari_chat_streaming", "Answers running in this process")
LLM_MESSAGES = {
    "llm_unavailable": "언어 모델 서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    "llm_timeout": "언어 모델 서버의 응답이 너무 늦습니다. 잠시 후 다시 시도해 주세요.",
    "llm_bad_output": "언어 모델이 질문을 분석하지 못했습니다. 질문을 바꿔 다시 시도해 주세요.",
}


def _owner(message_id: str) -> str:
    return f"chat:owner:{message_id}"


def _running(message_id: str) -> str:
    return f"chat:run:{message_id}"


def _cancel(user_id: str) -> str:
    return f"chat:cancel:{user_id}"


@dataclass
class Ending:
    """An answer that has ended: its last event is stored for resume and the answer no longer
    counts as running, but the event is not yet delivered (`deliver`). `turns` releases the
    user's stream slot in between, so a client may send its next message the moment it sees
    `done`."""

    stream: AnswerStream
    last: dict[str, Any]  # the numbered last event, as delivered
    result: dict[str, Any]  # the last event with the answer's `state`

    async def deliver(self) -> None:
        """Broadcast the last event and hand it to this connection (a failing cache does not
        keep it from the connection)."""
        await self.stream.deliver(self.last, strict=False)


async def run_answer(runtime: Runtime, turn: pipeline.Turn, sink: Sink | None) -> Ending:
    """Run and save one answer up to its stored last event (`done` or `error`).

    Only `turns.start_turn` calls it: it holds the user's stream slot around this call and
    delivers the last event after releasing it.
    """
    user_id = turn.principal.user_id
    cache, settings = runtime.cache, runtime.settings.chat
    stream = AnswerStream(runtime, turn.message_id, sink)
    state = pipeline.TurnState()
    ttl = settings.max_stream_s + settings.resume_ttl_s
    try:
        await cache.set(_owner(turn.message_id), user_id, ttl=ttl)
        await cache.set(_running(turn.message_id), user_id, ttl=settings.max_stream_s)
        subscription = await cache.subscribe(_cancel(user_id))
    except Exception as exc:
        # The cache is gone before the answer started: the client still gets its last event.
        return _end_without_cache(stream, turn, exc)
    user_cancelled = False
    final: dict[str, Any] | None = None
    STREAMING.inc()
    try:
        await stream.emit(
            {
                "type": "started",
                "conversation_id": turn.conversation_id,
                "user_message_id": turn.user_message_id,
                "client_message_id": turn.client_message_id,
            }
        )
        produce = asyncio.create_task(pipeline.answer_turn(runtime, turn, state, stream.emit))

        async def watch() -> None:
            nonlocal user_cancelled
            while not produce.done():
                message = await subscription.get(timeout=1.0)
                if message is not None and message[1].decode() in (turn.message_id, "*"):
                    user_cancelled = True
                    produce.cancel()
                    return

        watcher = asyncio.create_task(watch())
        try:
            async with asyncio.timeout(settings.max_stream_s):
                await produce
        except asyncio.CancelledError:
            if not user_cancelled:
                raise
        finally:
            watcher.cancel()
        await _save(runtime, turn, state, cancelled=user_cancelled)
        state.timings["total_ms"] = state.elapsed_ms()
        final = {
            "type": "done",
            "conversation_id": turn.conversation_id,
            "usage": state.usage,
            "timings": state.timings,
            "cancelled": user_cancelled,
            # The rejected model sentence stays with the stored message (admins), never sent.
            "verification": {k: v for k, v in state.verification.items() if k != "rejected"},
        }
    except LLMError as exc:
        # The gateway's message may name hosts or quote the server; the user gets ours.
        log.warning("answer %s: %s: %s", turn.message_id, exc.code, exc.message)
        final = {"type": "error", "code": exc.code, "message": LLM_MESSAGES[exc.code]}
    except ChatError as exc:
        final = {"type": "error", "code": exc.code, "message": exc.message}
    except TimeoutError:
        final = {"type": "error", "code": "llm_timeout", "message": "답변 시간이 초과되었습니다."}
    except Exception as exc:
        log.exception("answer %s failed", turn.message_id)
        missing = dependency_failure(exc)
        final = {"type": "error", "code": "internal_error", "message": "답변 중 오류가 났습니다."}
        if missing is not None:
            final = {"type": "error", "code": missing.code, "message": missing.message}
    finally:
        STREAMING.dec()
        with contextlib.suppress(Exception):
            await subscription.close()
        if final is None:  # cancelled from outside (shutdown): no longer running
            await _finish(cache, turn.message_id)
    assert final is not None
    outcome = final.get("code") or ("cancelled" if user_cancelled else "ok")
    ANSWERS.labels(outcome).inc()
    ANSWER_SECONDS.observe(state.elapsed_ms() / 1000)
    if state.timings["ttft_ms"]:
        FIRST_TOKEN_SECONDS.observe(state.timings["ttft_ms"] / 1000)
    try:
        last = await stream.record(final)
    except Exception:
        # The cache failed: no resume for this event, but this connection still gets it.
        log.warning("could not store the last event of %s", turn.message_id, exc_info=True)
        stream.seq += 1
        last = {**final, "message_id": turn.message_id, "seq": stream.seq}
    finally:
        # After the last event is stored: a resuming client never sees "not running" with
        # events still to come.
        await _finish(cache, turn.message_id)
    result = {**final, "message_id": turn.message_id, "seq": stream.seq, "state": state}
    return Ending(stream, last, result)


def _end_without_cache(stream: AnswerStream, turn: pipeline.Turn, exc: BaseException) -> Ending:
    log.warning("answer %s could not start: %s", turn.message_id, exc)
    missing = dependency_failure(exc) or ChatError("internal_error", "답변 중 오류가 났습니다.")
    final = {"type": "error", "code": missing.code, "message": missing.message}
    ANSWERS.labels(missing.code).inc()
    stream.seq += 1
    last = {**final, "message_id": turn.message_id, "seq": stream.seq}
    return Ending(stream, last, {**last, "state": pipeline.TurnState()})


async def _finish(cache: Cache, message_id: str) -> None:
    # Never raises: the flag expires on its own if the cache is gone.
    with contextlib.suppress(Exception):
        await cache.delete(_running(message_id))


async def _save(
    runtime: Runtime, turn: pipeline.Turn, state: pipeline.TurnState, *, cancelled: bool
) -> None:
    """One transaction for the whole turn: the question and its answer, or nothing.

    A deadlock or lock timeout runs the transaction again (`retry_transient`: it starts from
    scratch and does nothing outside the database); an unreachable database ends the answer
    with `unavailable`, naming it."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from dari.db.retry import retry_transient

    async def unit() -> None:
        async with runtime.sessionmaker() as session, session.begin():
            await service.save_turn(session, turn, state, cancelled=cancelled)

    try:
        await retry_transient(unit)
    except ChatError:
        raise
    except Exception as exc:
        missing = dependency_failure(exc)
        if missing is not None and isinstance(exc, OperationalError | InterfaceError | OSError):
            log.warning("saving answer %s failed: %s", turn.message_id, exc)
            raise missing from exc
        log.exception("saving answer %s failed", turn.message_id)
        raise ChatError("internal_error", "답변을 저장하지 못했습니다.") from exc


async def cancel(runtime: Runtime, user_id: str, message_id: str | None) -> None:
    """Ask whichever replica runs the answer to stop it; `nothing_to_cancel` if none runs."""
    cache = runtime.cache
    if message_id is not None:
        owner = await cache.get(_running(message_id))
        if owner is None or owner.decode() != user_id:
            raise ChatError("nothing_to_cancel", "중지할 답변이 없습니다.")
    elif await limits.running_streams(cache, user_id) == 0:
        raise ChatError("nothing_to_cancel", "중지할 답변이 없습니다.")
    await cache.publish(_cancel(user_id), message_id or "*")


async def replay(
    runtime: Runtime, user_id: str, message_id: str, after_seq: int
) -> AsyncIterator[dict[str, Any]]:
    """The events of an answer after `after_seq`, then live ones until it ends."""
    cache = runtime.cache
    owner = await cache.get(_owner(message_id))
    if owner is None or owner.decode() != user_id:
        raise ChatError("not_found", "이어받을 답변이 없습니다 (끝난 지 오래되었거나 없는 답변).")
    subscription = await cache.subscribe(live_key(message_id))
    last = after_seq
    try:
        while True:
            # Read "running" *before* the list: the last event is stored before the flag goes.
            running = await cache.get(_running(message_id)) is not None
            kept = await cache.list_range(events_key(message_id))
            for raw in kept:
                event = json.loads(raw)
                if event["seq"] > last:
                    last = event["seq"]
                    yield event
                    if event["type"] in TERMINAL:
                        return
            if not running and not kept and await _saved(runtime, user_id, message_id):
                # Its events expired (DARI_CHAT_RESUME_TTL_S), the answer is in the database.
                raise ChatError(
                    "not_found",
                    "이 답변은 이미 끝나 저장되었습니다. 대화를 다시 열면 볼 수 있습니다.",
                )
            if not running:  # ended without a last event: its process died mid-answer
                yield {
                    "type": "error",
                    "code": "internal_error",
                    "message": "답변이 중단되었습니다. 다시 질문해 주세요.",
                    "message_id": message_id,
                }
                return
            message = await subscription.get(timeout=2.0)
            if message is not None:
                event = json.loads(message[1])
                if event["seq"] == last + 1:
                    last = event["seq"]
                    yield event
                    if event["type"] in TERMINAL:
                        return
    finally:
        await subscription.close()


async def _saved(runtime: Runtime, user_id: str, message_id: str) -> bool:
    """Whether the user's answer `message_id` is stored (finished and saved)."""
    from dari.chat import repository

    async with runtime.sessionmaker() as session:
        return await repository.get_message(session, message_id, user_id) is not None
