"""The training server (학습 서버): datasets from feedback, router retraining, LoRA fine-tuning
(docs/training.md)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class TrainingSettings(Section):
    """Datasets, the router's retraining gate and LoRA runs (the `trainer` role)."""

    model_config = SettingsConfigDict(env_prefix="DARI_TRAINING_")

    heldout_percent: int = Field(
        20,
        ge=5,
        le=50,
        description="Share of a dataset's examples kept out of training for the gate (by a "
        "hash of each example, so the split of a dataset version never changes).",
    )
    min_examples: int = Field(
        2,
        ge=2,
        le=10000,
        description="Fewest reviewed examples a dataset needs to be exported (one example "
        "cannot be split into training and held-out parts).",
    )
    base_model: str = Field(
        "",
        description="Base model of `dari train lora`: a Hugging Face model directory (the model "
        "the LLM server runs) or a GGUF file (loaded dequantised by transformers). Empty: the "
        "embedded model's GGUF file.",
    )
    lora_steps: int = Field(
        60, ge=1, le=100000, description="Optimizer steps of a LoRA run (batch size 1)."
    )
    lora_rank: int = Field(8, ge=1, le=256, description="LoRA rank `r` (alpha is twice it).")
    lora_learning_rate: float = Field(
        2e-4, gt=0, le=1, description="Learning rate of a LoRA run (AdamW)."
    )
    lora_max_tokens: int = Field(
        384, ge=16, le=8192, description="Longest training example, in tokens (cut beyond)."
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where LoRA runs train: `auto` uses a GPU when torch sees one."
    )
    stale_after_s: int = Field(
        600,
        ge=30,
        le=86400,
        description="A run whose trainer sent no progress for this long is failed when a "
        "trainer starts (its process died); it is never promoted.",
    )
    job_timeout_s: int = Field(
        21600,
        ge=60,
        description="Longest a LoRA run may take on the trainer queue; then it is stopped and "
        "failed (`interrupted`), nothing switched on.",
    )
