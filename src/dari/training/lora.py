"""LoRA fine-tuning of the answer model with transformers + peft (the `train` extra).

`train(...)` is plain synchronous code (run in a thread by the job): a short manual loop —
batch size 1, AdamW, the loss only on the assistant's answer — so progress (step, loss) and
cancellation are checked after every step. The base model is a Hugging Face directory or a
GGUF file (transformers dequantises it; needs the `gguf` package). The adapter is written to a
temporary directory and renamed into place when complete, with `dari_adapter.json` naming
the base model it belongs to (checked before it is served) and `adapter.gguf`, the same
adapter for llama.cpp (`dari.training.gguf_lora`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dari.training import errors

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int, float], None]  # (step, steps, loss); raises to stop
ADAPTER_META = "dari_adapter.json"
GGUF_NAME = "adapter.gguf"  # the same adapter for llama.cpp (`--lora`), when convertible
ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass
class LoraOptions:
    steps: int = 60
    rank: int = 8
    learning_rate: float = 2e-4
    max_tokens: int = 384
    device: str = "auto"
    seed: int = 0


def require_extra() -> None:
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise errors.extra_missing() from exc


def _split_gguf(base: str) -> tuple[str, dict[str, Any]]:
    """A GGUF file is loaded from its directory with `gguf_file=` (dequantised)."""
    path = Path(base)
    if path.suffix == ".gguf":
        return str(path.parent), {"gguf_file": path.name}
    return base, {}


def base_fingerprint(base: str) -> dict[str, Any]:
    """What an adapter must match: the architecture and shapes of its base model."""
    from transformers import AutoConfig

    where, extra = _split_gguf(base)
    config = AutoConfig.from_pretrained(where, **extra)
    shape = {
        key: getattr(config, key, None)
        for key in (
            "model_type",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "intermediate_size",
            "vocab_size",
        )
    }
    digest = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
    return {"id": digest, **shape}


def load_base(base: str, device: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    where, extra = _split_gguf(base)
    tokenizer = AutoTokenizer.from_pretrained(where, **extra)
    model: Any = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **extra)
    return tokenizer, model.to(device)


def pick_device(wanted: str) -> str:
    import torch

    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return wanted


def encode(tokenizer: Any, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
    """Token ids of a conversation; labels only on the last (assistant) message."""
    prompt_messages, answer = messages[:-1], messages[-1]["content"]
    if getattr(tokenizer, "chat_template", None):
        prompt = tokenizer.apply_chat_template(
            prompt_messages, tokenize=False, add_generation_prompt=True
        )
    else:
        prompt = "".join(f"{m['role']}: {m['content']}\n" for m in prompt_messages)
        prompt += "assistant: "
    eos = tokenizer.eos_token or ""
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer + eos, add_special_tokens=False)["input_ids"]
    ids = (prompt_ids + answer_ids)[:max_tokens]
    labels = ([-100] * len(prompt_ids) + answer_ids)[:max_tokens]
    return {"input_ids": ids, "labels": labels}


def mean_loss(model: Any, batches: list[dict[str, Any]], device: str) -> float | None:
    import torch

    if not batches:
        return None
    total = 0.0
    with torch.no_grad():
        for batch in batches:
            total += float(_loss(model, batch, device))
    return round(total / len(batches), 4)


def _loss(model: Any, batch: dict[str, Any], device: str) -> Any:
    import torch

    ids = torch.tensor([batch["input_ids"]], device=device)
    labels = torch.tensor([batch["labels"]], device=device)
    return model(input_ids=ids, labels=labels).loss


def train(
    base: str,
    train_rows: list[dict[str, Any]],
    heldout_rows: list[dict[str, Any]],
    out_dir: Path,
    options: LoraOptions,
    on_step: ProgressFn | None = None,
) -> dict[str, Any]:
    """Train an adapter; returns the report (losses before/after on the held-out split)."""
    require_extra()
    import torch
    from peft import LoraConfig, get_peft_model

    if not train_rows:
        raise errors.no_examples("chat")
    torch.manual_seed(options.seed)
    device = pick_device(options.device)
    started = time.perf_counter()
    tokenizer, model = load_base(base, device)
    load_s = time.perf_counter() - started
    fingerprint = base_fingerprint(base)
    batches = [encode(tokenizer, r["messages"], options.max_tokens) for r in train_rows]
    held = [encode(tokenizer, r["messages"], options.max_tokens) for r in heldout_rows]
    batches = [b for b in batches if any(label != -100 for label in b["labels"])]
    if not batches:
        raise errors.no_examples("chat")
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets: Any = [t for t in ATTENTION if t in names] or "all-linear"
    config = LoraConfig(
        r=options.rank,
        lora_alpha=2 * options.rank,
        lora_dropout=0.0,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, config)
    with model.disable_adapter():
        before = mean_loss(model, held, device)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=options.learning_rate
    )
    model.train()
    losses: list[float] = []
    step_times: list[float] = []
    for step in range(1, options.steps + 1):
        t0 = time.perf_counter()
        loss = _loss(model, batches[(step - 1) % len(batches)], device)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        value = float(loss.detach())
        if not math.isfinite(value):
            raise errors.TrainingError("diverged", f"{step}번째 단계에서 손실이 발산했습니다.")
        losses.append(round(value, 4))
        step_times.append(time.perf_counter() - t0)
        log.info("lora step %d/%d loss %.4f", step, options.steps, value)
        if on_step is not None:
            on_step(step, options.steps, value)
    model.eval()
    after = mean_loss(model, held, device)
    save_adapter(model, out_dir, base, fingerprint)
    return {
        "device": device,
        "steps": options.steps,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "load_s": round(load_s, 2),
        "s_per_step": round(sum(step_times) / len(step_times), 3),
        "heldout_loss": {"before": before, "after": after, "n": len(held)},
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "base": fingerprint,
    }


def save_adapter(model: Any, out_dir: Path, base: str, fingerprint: dict[str, Any]) -> None:
    """Write the adapter next to its final place and rename it there when complete."""
    import errno

    from dari.training.gguf_lora import ConversionError, convert
    from dari.training.store import publish_dir

    tmp = out_dir.with_name(f".{out_dir.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        model.save_pretrained(str(tmp))
        meta: dict[str, Any] = {
            "base_model": base,
            "base_fingerprint": fingerprint,
            "gguf": GGUF_NAME,
        }
        try:
            convert(tmp, tmp / GGUF_NAME, fingerprint)
        except ConversionError as exc:  # served by vLLM only; llama.cpp's script converts it
            log.warning("adapter not converted to GGUF: %s", exc)
            meta["gguf"] = None
        (tmp / ADAPTER_META).write_text(json.dumps(meta, ensure_ascii=False, indent=2))
        publish_dir(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise errors.disk_full(str(out_dir)) from exc
        raise
