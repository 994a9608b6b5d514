"""A PEFT LoRA adapter as a GGUF LoRA for llama.cpp (`llama-server --lora adapter.gguf`).

The same layout llama.cpp's `convert_lora_to_gguf.py` writes, for the architectures whose
attention weights need no reordering (Qwen2, the embedded model's): `general.type = adapter`,
`adapter.type = lora`, `adapter.lora.alpha`, and per adapted weight `<gguf name>.lora_a`
(rank × in) and `.lora_b` (out × rank), named by gguf's tensor map (`model.layers.3.self_attn.
q_proj.weight` → `blk.3.attn_q.weight`). Any other architecture: use llama.cpp's script.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUPPORTED = frozenset({"qwen2"})


class ConversionError(Exception):
    pass


def _base_name(key: str) -> str:
    name = key.replace("base_model.model.", "", 1)
    return name.replace(".lora_A.weight", ".weight").replace(".lora_B.weight", ".weight")


def convert(adapter_dir: Path, out: Path, fingerprint: dict[str, Any]) -> Path:
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    model_type = str(fingerprint.get("model_type") or "")
    if model_type not in SUPPORTED:
        raise ConversionError(
            f"{model_type or '?'}: convert with llama.cpp's convert_lora_to_gguf.py"
        )
    arch = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == model_type)
    names = gguf.get_tensor_name_map(arch, int(fingerprint["num_hidden_layers"]))
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    pairs: dict[str, dict[str, Any]] = {}
    for key, value in tensors.items():
        part = "a" if ".lora_A." in key else "b" if ".lora_B." in key else ""
        if not part:
            raise ConversionError(f"not a LoRA tensor: {key}")
        target = names.get_name(_base_name(key), try_suffixes=(".weight",))
        if target is None:
            raise ConversionError(f"no GGUF name for {key}")
        pairs.setdefault(target, {})[part] = value
    writer = gguf.GGUFWriter(str(out), model_type)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(config["lora_alpha"]))
    for name in sorted(pairs):
        pair = pairs[name]
        if set(pair) != {"a", "b"}:
            raise ConversionError(f"{name}: lora_A or lora_B missing")
        writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(pair["a"], dtype=np.float32))
        writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(pair["b"], dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
