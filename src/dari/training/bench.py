"""`dari bench lora`: is a short LoRA run on this machine practical? Time per step, memory.

Trains the base model (`--base`, default the serving base: the embedded GGUF, dequantised by
transformers) on a few Korean question/answer pairs for `--steps` steps in a temporary
directory and prints load time, seconds per step, peak memory (RSS) and the losses. A
benchmark, not a test: the measured figures are in docs/training.md#cpu.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLES = [
    ("출장 숙박비 한도는 얼마야?", "출장비 규정에 따르면 숙박비는 1박에 10만 원까지입니다."),
    ("연차는 언제까지 써야 해?", "연차는 발생한 해의 12월 31일까지 사용해야 합니다."),
    ("보안 USB는 어디서 신청해?", "보안 USB는 정보보안팀에 전자결재로 신청합니다."),
    ("병가 신청 서류는 뭐가 필요해?", "3일 이상 병가는 진단서를 첨부해야 합니다."),
]


_LLAMA_SCRIPT = """
import json, sys
from llama_cpp import Llama
base, adapter, question = sys.argv[1:4]
models = {}
for key, lora in (("base", None), ("with_adapter", adapter)):
    models[key] = Llama(model_path=base, lora_path=lora, n_ctx=512, n_threads=2, verbose=False)
    print(json.dumps({"loaded": key}), flush=True)
for key, model in models.items():
    reply = model.create_chat_completion(
        messages=[{"role": "user", "content": question}], max_tokens=24, temperature=0.0
    )
    print(json.dumps({key: reply["choices"][0]["message"]["content"]}), flush=True)
"""


def llama_cpp_check(base: str, adapter: str, question: str) -> dict[str, Any]:
    """Load the GGUF adapter into llama.cpp (llama-cpp-python, in a child process so a crash
    of the engine is reported, not fatal) beside its base; answer without and with it."""
    import subprocess
    import sys

    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _LLAMA_SCRIPT, base, adapter, question],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out: dict[str, Any] = {"adapter": Path(adapter).name, "loaded": []}
    for line in done.stdout.splitlines():
        item = json.loads(line)
        if "loaded" in item:
            out["loaded"].append(item["loaded"])
        else:
            out.update(item)
    if done.returncode:
        out["error"] = (
            f"llama.cpp stopped with signal {-done.returncode}"
            if done.returncode < 0
            else done.stderr.strip().splitlines()[-1:]
        )
    return out


def measure(
    base: str, steps: int, threads: int, max_tokens: int, llama_check: bool = True
) -> dict[str, Any]:
    import torch

    from dari.training import lora
    from dari.training.datasets import SYSTEM_PROMPT

    torch.set_num_threads(threads)
    rows = [
        {
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": q},
                {"role": "assistant", "content": a},
            ]
        }
        for q, a in SAMPLES
    ]
    losses: list[float] = []
    started = time.perf_counter()
    llama: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report = lora.train(
            base,
            rows[:3],
            rows[3:],
            Path(tmp) / "adapter",
            lora.LoraOptions(steps=steps, max_tokens=max_tokens, device="cpu"),
            lambda s, n, loss: losses.append(round(loss, 3)),
        )
        gguf_adapter = Path(tmp) / "adapter" / lora.GGUF_NAME
        if llama_check and base.endswith(".gguf") and gguf_adapter.exists():
            llama = llama_cpp_check(base, str(gguf_adapter), SAMPLES[0][0])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "base": base,
        "threads": threads,
        "steps": steps,
        "load_s": report["load_s"],
        "s_per_step": report["s_per_step"],
        "total_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(peak_mb),
        "losses": losses,
        "heldout_loss": report["heldout_loss"],
        "trainable_parameters": report["trainable_parameters"],
        "llama_cpp": llama,
    }


def register(bench_app: Any) -> None:
    import typer

    @bench_app.command("lora")
    def lora_bench(
        steps: int = typer.Option(5, help="Optimizer steps to time."),
        threads: int = typer.Option(2, help="CPU threads for torch."),
        max_tokens: int = typer.Option(128, help="Longest example, in tokens."),
        base: str = typer.Option(
            "", help="Base model (default: DARI_TRAINING_BASE_MODEL or the embedded GGUF)."
        ),
    ) -> None:
        """Time a short CPU LoRA run (seconds per step, peak memory)."""
        from dari.cli.common import settings_or_exit
        from dari.training.serving import serving_base

        settings = settings_or_exit()
        result = measure(base or serving_base(settings), steps, threads, max_tokens)
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
