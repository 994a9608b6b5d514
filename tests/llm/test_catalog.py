"""Assembling offline models from their part packages, checked by SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dari.config import Settings
from dari.config.llm import LLMSettings
from dari.llm.catalog import (
    CATALOG,
    CatalogModel,
    ModelError,
    assemble,
    ensure_model,
    is_assembled,
    lookup,
    part_files,
)


def make_parts(directory: Path) -> tuple[list[Path], bytes]:
    parts = []
    for i, content in enumerate([b"GGUF" + b"a" * 3000, b"b" * 5000, b"c" * 7]):
        path = directory / f"part{i:02}.bin"
        path.write_bytes(content)
        parts.append(path)
    return parts, b"".join(p.read_bytes() for p in parts)


def test_assemble_concatenates_in_order_and_stamps(tmp_path: Path) -> None:
    parts, whole = make_parts(tmp_path)
    expected = hashlib.sha256(whole).hexdigest()
    target = tmp_path / "models" / "m.gguf"
    assert assemble(parts, target, expected) == expected
    assert target.read_bytes() == whole
    model = CatalogModel("m", "m.gguf", (), expected, len(whole), "")
    assert is_assembled(model, target)
    assert not is_assembled(CatalogModel("m", "m.gguf", (), "0" * 64, len(whole), ""), target)


def test_hash_mismatch_leaves_no_file(tmp_path: Path) -> None:
    parts, _ = make_parts(tmp_path)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelError, match="expected 0000"):
        assemble(parts, target, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_truncated_file_is_not_taken_as_assembled(tmp_path: Path) -> None:
    parts, whole = make_parts(tmp_path)
    digest = hashlib.sha256(whole).hexdigest()
    target = tmp_path / "m.gguf"
    assemble(parts, target, digest)
    target.write_bytes(whole[:-1])
    assert not is_assembled(CatalogModel("m", "m.gguf", (), digest, len(whole), ""), target)


def test_model_path_overrides_the_catalog(settings: Settings, tmp_path: Path) -> None:
    gguf = tmp_path / "custom.gguf"
    gguf.write_bytes(b"GGUF")
    cfg = LLMSettings(model_path=str(gguf))
    assert ensure_model(settings.model_copy(update={"llm": cfg})) == (gguf, "custom")
    missing = LLMSettings(model_path=str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelError, match="DARI_LLM_MODEL_PATH"):
        ensure_model(settings.model_copy(update={"llm": missing}))


def test_unknown_or_missing_model_says_how_to_fix(settings: Settings) -> None:
    with pytest.raises(ModelError, match=r"qwen2\.5-coder-0\.5b-instruct"):
        lookup("gpt-5")
    absent = CatalogModel("x", "x.gguf", ("dari-no-such-package-part1",), None, None, "")
    assert part_files(absent) is None


def test_catalog_pins_hashes() -> None:
    for model in CATALOG.values():
        assert model.sha256 and len(model.sha256) == 64 and model.size
