"""Waiting in line for the model: first come first served, places reported, cancel-safe."""

from __future__ import annotations

import asyncio

import pytest

from dari.llm.queue import LLMQueue


async def test_one_slot_serves_in_order_and_reports_places() -> None:
    queue = LLMQueue(1)
    order: list[int] = []
    places: dict[int, list[int]] = {i: [] for i in range(4)}
    release = asyncio.Event()

    async def ask(i: int) -> None:
        async def on_place(place: int) -> None:
            places[i].append(place)

        async with queue.slot(on_place):
            order.append(i)
            if i == 0:
                await release.wait()

    tasks = []
    for i in range(4):
        tasks.append(asyncio.create_task(ask(i)))
        await asyncio.sleep(0.01)
    assert order == [0] and queue.busy == 1
    assert places[1] == [1] and places[2] == [2] and places[3] == [3]
    release.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3]
    assert queue.busy == 0 and not queue._waiting


async def test_cancelled_waiter_leaves_the_line() -> None:
    queue = LLMQueue(1)
    hold = asyncio.Event()

    async def first() -> None:
        async with queue.slot():
            await hold.wait()

    async def waiter() -> None:
        async with queue.slot():
            pass

    a = asyncio.create_task(first())
    await asyncio.sleep(0.01)
    b = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    b.cancel()
    with pytest.raises(asyncio.CancelledError):
        await b
    assert not queue._waiting
    hold.set()
    await a
    assert queue.busy == 0
    async with queue.slot():  # the slot is free again
        assert queue.busy == 1


async def test_unlimited_never_waits() -> None:
    queue = LLMQueue(None)
    async with queue.slot(), queue.slot():
        assert queue.busy == 0
