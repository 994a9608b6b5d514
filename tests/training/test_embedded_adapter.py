"""The embedded llama.cpp server serves the promoted LoRA adapter (`--lora_path`), and only one
trained on the model it serves: a wrong or incomplete adapter leaves the base model alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dari.llm.embedded import EmbeddedServer
from dari.training import store
from dari.training.lora import ADAPTER_META, GGUF_NAME
from tests.conftest import make_settings


def _adapter(data_dir: Path, base: Path, *, gguf: str | None = GGUF_NAME) -> Path:
    """A finished run's directory as `training/lora.py` writes it (the weights do not matter)."""
    directory = store.candidate_path(data_dir, "lora", "run-1")
    directory.mkdir(parents=True)
    meta = {"base_model": str(base), "base_fingerprint": {"id": "x"}, "gguf": gguf}
    (directory / ADAPTER_META).write_text(json.dumps(meta), encoding="utf-8")
    if gguf:
        (directory / gguf).write_bytes(b"GGUF")
    return directory


def _command(data_dir: Path, model: Path) -> list[str]:
    server = EmbeddedServer(make_settings(data_dir), model, "dari-test", port=9)
    return server.command()


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "models" / "base.gguf"
    path.parent.mkdir()
    path.write_bytes(b"GGUF")
    return path


def test_no_promoted_adapter_serves_the_base_model(tmp_path: Path, model: Path) -> None:
    assert "--lora_path" not in _command(tmp_path, model)


def test_the_promoted_adapter_is_served_and_rollback_removes_it(
    tmp_path: Path, model: Path
) -> None:
    adapter = _adapter(tmp_path, model)
    store.promote(tmp_path, "lora", "run-1", str(adapter), "admin")
    command = _command(tmp_path, model)
    assert command[command.index("--lora_path") + 1] == str(adapter / GGUF_NAME)
    store.rollback(tmp_path, "lora")
    assert "--lora_path" not in _command(tmp_path, model)


@pytest.mark.parametrize("case", ["other_base", "no_gguf", "gguf_missing", "meta_missing"])
def test_an_adapter_that_does_not_fit_is_not_served(tmp_path: Path, model: Path, case: str) -> None:
    other = model.with_name("other.gguf")
    other.write_bytes(b"GGUF")
    adapter = _adapter(
        tmp_path,
        other if case == "other_base" else model,
        gguf=None if case == "no_gguf" else GGUF_NAME,
    )
    if case == "gguf_missing":
        (adapter / GGUF_NAME).unlink()
    if case == "meta_missing":
        (adapter / ADAPTER_META).unlink()
    store.promote(tmp_path, "lora", "run-1", str(adapter), "admin")
    assert "--lora_path" not in _command(tmp_path, model)
