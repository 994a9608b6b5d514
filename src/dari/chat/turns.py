"""Starting a chat turn: the one way the WebSocket, `POST /api/chat` and the CLI run an answer.

`start_turn` validates the question (`service.prepare_turn`), takes the user's stream slot
(`limits.StreamSlot`: the per-user concurrent-answer counter shared by every replica), counts
the message against the per-minute limit, and runs the answer (`streams.run_answer`) in its
own task. The slot belongs to that task: it is released once, never raising, when the answer
ends — after its last event is stored and before it is delivered, so a client may send its
next message the moment it sees `done` — and in any case when the task ends (failure,
cancellation at shutdown). A refused question (`ChatError`) leaves no slot taken.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

from dari.chat import limits, pipeline, service, streams
from dari.chat.eventlog import Sink
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.core.slots import Slot

# The answers running in this process (cancelled at shutdown by `chat.lifecycle`).
RUNNING: Slot[set[asyncio.Task[dict[str, Any]]]] = Slot("chat.tasks")


@dataclass
class StartedTurn:
    """A turn whose answer is running: its ids (`turn`) and the task that ends with the answer's
    last event (`done` or `error`, with the answer's `state`)."""

    turn: pipeline.Turn
    task: asyncio.Task[dict[str, Any]]

    async def result(self) -> dict[str, Any]:
        return await self.task


def running_tasks(runtime: Runtime) -> set[asyncio.Task[dict[str, Any]]]:
    return runtime.get(RUNNING, set)


async def start_turn(
    runtime: Runtime,
    principal: Principal,
    text: str,
    *,
    conversation_id: str | None = None,
    client_message_id: str | None = None,
    sink: Sink | None = None,
    limited: bool = True,
    today: date | None = None,
) -> StartedTurn:
    """Validate the question, take the user's stream slot and start its answer.

    `limited=False` (an operator's command: `dari ask`, `dari bench`) still counts the answer
    as running for the user but applies neither the concurrent-stream nor the message limit.
    Raises `ChatError` (`empty_message`, `not_found`, `busy`, `rate_limited`, …) before
    anything is streamed; then no slot is held.
    """
    settings = runtime.settings.chat
    async with runtime.sessionmaker() as session:
        turn = await service.prepare_turn(
            session,
            settings,
            principal,
            text=text,
            conversation_id=conversation_id,
            client_message_id=client_message_id,
        )
    if today is not None:
        turn.today = today
    slot = await limits.StreamSlot.acquire(
        runtime.cache, settings, principal.user_id, limited=limited
    )
    try:
        if limited:
            await limits.count_message(runtime.cache, settings, principal.user_id)
    except BaseException:
        await slot.release()
        raise
    task = asyncio.create_task(_run(runtime, turn, sink, slot))
    tasks = running_tasks(runtime)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return StartedTurn(turn, task)


async def _run(
    runtime: Runtime, turn: pipeline.Turn, sink: Sink | None, slot: limits.StreamSlot
) -> dict[str, Any]:
    try:
        ending = await streams.run_answer(runtime, turn, sink)
    finally:
        # Also when the answer failed or was cancelled (shutdown); never raises.
        await slot.release()
    # After the slot is free: a client may send its next message the moment it sees `done`.
    await ending.deliver()
    return ending.result
