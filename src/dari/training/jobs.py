"""Training jobs: `train_lora` runs on the trainer's queue (see `dari.training.queue`)."""

from __future__ import annotations

from typing import Any

from dari.jobs import job


@job("train_lora", max_tries=2)
async def train_lora(runtime: Any, run_id: str) -> None:
    """One LoRA run; a repeated try after a trainer died finds it failed and does nothing."""
    from dari.training.runs import execute

    await execute(runtime, run_id)
