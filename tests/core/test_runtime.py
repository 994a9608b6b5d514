"""Typed slots on the runtime: one singleton per slot, created once, taken back on shutdown."""

from __future__ import annotations

from dari.core.runtime import Runtime, Slot

COUNTER: Slot[list[int]] = Slot("test.counter")


async def test_slots_create_once_peek_and_take(runtime: Runtime) -> None:
    assert runtime.peek(COUNTER) is None
    made = runtime.get(COUNTER, lambda: [1])
    assert runtime.get(COUNTER, lambda: [2]) is made  # the factory runs once
    assert runtime.peek(COUNTER) is made
    assert runtime.take(COUNTER) is made and runtime.peek(COUNTER) is None
    runtime.put(COUNTER, [3])
    assert runtime.peek(COUNTER) == [3]
    runtime.take(COUNTER)
