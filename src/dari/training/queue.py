"""The trainer's own job queue.

LoRA runs must run only on `trainer` processes (a GPU server), never on an ordinary
`worker`. They go through the same job queue machinery (`dari.jobs.create_queue`) with a
queue of their own: with Redis the arq queue `<DARI_REDIS_KEY_PREFIX>train:jobs`, served only
by processes with the `trainer` role; embedded, an in-process queue that runs jobs when this
process has the `trainer` role.
"""

from __future__ import annotations

from dari.core.runtime import Runtime
from dari.core.slots import Slot
from dari.jobs import JobQueue, create_queue

QUEUE: Slot[JobQueue] = Slot("training.queue")


def training_queue(runtime: Runtime) -> JobQueue:
    def build() -> JobQueue:
        settings = runtime.settings
        redis = settings.redis.model_copy(
            update={
                "key_prefix": settings.redis.key_prefix + "train:",
                "job_timeout_s": settings.training.job_timeout_s,
                "job_max_tries": 2,  # a retry only fails the run cleanly (dari.training.runs)
            }
        )
        return create_queue(settings.model_copy(update={"redis": redis}))

    return runtime.get(QUEUE, build)


async def enqueue_lora(runtime: Runtime, run_id: str) -> str:
    return await training_queue(runtime).enqueue("train_lora", {"run_id": run_id}, job_id=run_id)
