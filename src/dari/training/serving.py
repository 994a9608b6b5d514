"""The serving side of a LoRA adapter: check it belongs to the served base model, load it.

Dari's gateway talks to an OpenAI-compatible server; the adapter is served by that server
(docs/training.md#serving): llama.cpp `--lora adapter.gguf`, vLLM `--enable-lora
--lora-modules dari=<adapter dir>` (then `DARI_LLM_MODEL=dari`). `load` is the same
adapter loaded in-process with transformers + peft — what the tests and the gate use.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from dari.config import Settings
from dari.training import errors
from dari.training.lora import ADAPTER_META, _split_gguf, base_fingerprint, require_extra

log = logging.getLogger(__name__)


def serving_base(settings: Settings) -> str:
    """The base model adapters are trained on and served with."""
    if settings.training.base_model:
        return settings.training.base_model
    from dari.llm.catalog import ensure_model

    return str(ensure_model(settings)[0])


def adapter_meta(adapter: str) -> dict[str, Any]:
    path = Path(adapter) / ADAPTER_META
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise errors.TrainingError(
            "adapter_unreadable", f"어댑터 {adapter}를 읽을 수 없습니다: {exc}"
        ) from exc
    return data if isinstance(data, dict) else {}


def check_adapter(settings: Settings, adapter: str, base: str | None = None) -> None:
    """Refuse an adapter trained for another base model (architecture or shapes differ)."""
    require_extra()
    base = base or serving_base(settings)
    wanted = base_fingerprint(base)
    found = adapter_meta(adapter).get("base_fingerprint") or {}
    if found.get("id") != wanted["id"]:
        raise errors.base_mismatch(_describe(wanted), _describe(found))


def _describe(fp: dict[str, Any]) -> str:
    return f"{fp.get('model_type')}, {fp.get('num_hidden_layers')}층, 폭 {fp.get('hidden_size')}"


def active_adapter(settings: Settings) -> str | None:
    """The promoted adapter's directory, if any."""
    from dari.training.store import read_pointer

    pointer = read_pointer(settings.server.data_dir, "lora")
    return str(pointer["path"]) if pointer else None


def embedded_adapter(settings: Settings, model_path: Path) -> Path | None:
    """The promoted adapter in llama.cpp's format for the embedded server (`--lora_path`).

    Only when it was trained on the very model file being served and converted to GGUF;
    otherwise the base model is served alone and the reason logged — a wrong adapter would
    stop llama.cpp from starting at all. Read when the embedded server starts: promoting or
    rolling back takes effect at the next start of `dari serve`.
    """
    adapter = active_adapter(settings)
    if adapter is None:
        return None
    try:
        meta = adapter_meta(adapter)
    except errors.TrainingError as exc:
        log.warning("the promoted LoRA adapter is not served: %s", exc.message)
        return None
    base, gguf = meta.get("base_model"), meta.get("gguf")
    if not gguf:
        log.warning("the promoted LoRA adapter %s has no GGUF form; not served", adapter)
        return None
    if not base or Path(str(base)).resolve() != model_path.resolve():
        log.warning(
            "the promoted LoRA adapter was trained on %s, not %s; not served", base, model_path
        )
        return None
    path = Path(adapter) / str(gguf)
    if not path.is_file():
        log.warning("the promoted LoRA adapter's %s is missing; not served", path)
        return None
    return path


def load(base: str, adapter: str | None) -> tuple[Any, Any]:
    """(tokenizer, model): the base model with the adapter applied (checked first)."""
    require_extra()
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    where, extra = _split_gguf(base)
    tokenizer = AutoTokenizer.from_pretrained(where, **extra)
    model: Any = AutoModelForCausalLM.from_pretrained(where, **extra)
    if adapter:
        found = adapter_meta(adapter).get("base_fingerprint") or {}
        wanted = base_fingerprint(base)
        if found.get("id") != wanted["id"]:
            raise errors.base_mismatch(_describe(wanted), _describe(found))
        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    return tokenizer, model


def generate(tokenizer: Any, model: Any, question: str, max_new_tokens: int = 20) -> str:
    """Greedy answer to one question (the prompt format of training)."""
    import torch

    from dari.training.datasets import SYSTEM_PROMPT

    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]
    if getattr(tokenizer, "chat_template", None):
        prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        prompt = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        out = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id or 0,
        )
    return str(tokenizer.decode(out[0][ids.shape[1] :], skip_special_tokens=True))
