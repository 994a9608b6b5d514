"""LoRA runs go through the job queue (arq on Redis) to `trainer` processes only: a process
without the role queues them and never runs them; a trainer picks them up."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from redis.asyncio import Redis

from dari.config import Settings
from dari.config.redis import RedisSettings
from dari.config.training import TrainingSettings
from dari.core.runtime import build_runtime
from dari.training import lifecycle, service
from dari.training.queue import enqueue_lora, training_queue
from tests.conftest import _clear_redis
from tests.training.conftest import rated_answer
from tests.training.tiny import build_tiny_model

pytest.importorskip("peft")


async def test_only_a_trainer_runs_lora_jobs(
    settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    base = build_tiny_model(tmp_path / "tiny", ["출장비 규정?", "하루 10만 원", "다리"])
    prefix = f"dari-test:{uuid.uuid4().hex[:12]}:"
    api = settings.model_copy(
        update={
            "redis": RedisSettings(url=redis_url, key_prefix=prefix),
            "training": TrainingSettings(base_model=str(base), lora_steps=3),
        }
    )
    trainer = api.model_copy(
        update={"server": api.server.model_copy(update={"roles": ["trainer"]})}
    )
    front = build_runtime(api)
    try:
        for n in range(1, 4):
            message_id = f"00000000-0000-4000-e000-00000000000{n}"
            await rated_answer(front, message_id, f"출장비 규정 {n}?", "하루 10만 원", rating="up")
        async with front.sessionmaker() as session:
            from tests.fixtures.auth import create_test_user

            principal, _ = await create_test_user(front, "queue.admin", ("admin",))
            from dari.training.schemas import ReviewRequest

            for n in range(1, 4):
                await service.save_review(
                    session,
                    f"00000000-0000-4000-e000-00000000000{n}",
                    ReviewRequest(kind="accept"),
                    principal,
                )
            dataset = await service.export_dataset(front, session, principal)
            run = await service.new_run(session, "lora", dataset.version, "queue.admin")
            await session.commit()
            run_id = run.id
        await lifecycle.startup(front)  # not a trainer: no worker on the trainer queue
        await enqueue_lora(front, run_id)
        redis = Redis.from_url(redis_url)
        assert await redis.zcard(f"{prefix}train:jobs") == 1
        assert await redis.zcard(f"{prefix}jobs") == 0  # never on the ordinary workers' queue
        await redis.aclose()

        back = build_runtime(trainer)
        try:
            await lifecycle.startup(back)
            await training_queue(back).drain(timeout=120)
            async with back.sessionmaker() as session:
                done = await service.get_run(session, run_id)
                assert done.status == "candidate", (done.status, done.error)
                assert done.progress["step"] == 3
        finally:
            await lifecycle.shutdown(back)
            await back.close()
    finally:
        await lifecycle.shutdown(front)
        await front.close()
        await _clear_redis(api)
