"""Files of the training server under `<data_dir>`: dataset versions, candidates and the
pointer files that say which candidate is switched on.

Everything is written to a temporary name and renamed into place (`os.replace`), so a crash or
a full disk leaves the previous file intact: a candidate is complete or absent, and serving
switches from one pointer to the next in one rename — never half-promoted.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dari.training import errors

KINDS = ("router", "lora")


def root(data_dir: Path) -> Path:
    return data_dir / "training"


def dataset_dir(data_dir: Path, version: int) -> Path:
    return root(data_dir) / "datasets" / f"v{version}"


def candidate_path(data_dir: Path, kind: str, run_id: str) -> Path:
    if kind == "router":
        return data_dir / "router" / "candidates" / f"{run_id}.npz"
    return root(data_dir) / "lora" / run_id


def pointer_path(data_dir: Path, kind: str) -> Path:
    """`router/promoted.json` (read by the chat's router) or `training/lora/promoted.json`."""
    if kind == "router":
        from dari.chat.router.training import promoted_pointer

        return promoted_pointer(data_dir)
    return root(data_dir) / "lora" / "promoted.json"


def write_text(path: Path, text: str) -> None:
    """Write atomically; a full disk is a `disk_full` error and leaves nothing behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise errors.disk_full(str(path)) from exc
        raise


def publish_dir(tmp: Path, final: Path) -> None:
    """Move a finished directory into place (replacing an older attempt of the same run)."""
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)


def read_pointer(data_dir: Path, kind: str) -> dict[str, Any] | None:
    path = pointer_path(data_dir, kind)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def promote(data_dir: Path, kind: str, run_id: str, artifact: str, actor: str) -> dict[str, Any]:
    """Switch `kind` to the candidate `artifact`; the old pointer is kept for rollback."""
    previous = read_pointer(data_dir, kind)
    pointer = {
        "run_id": run_id,
        "path": artifact,
        "promoted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": actor,
        "previous": previous,
    }
    write_text(pointer_path(data_dir, kind), json.dumps(pointer, ensure_ascii=False, indent=2))
    return pointer


def rollback(data_dir: Path, kind: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Back to what was switched on before the current promotion (or the base model)."""
    current = read_pointer(data_dir, kind)
    if current is None:
        raise errors.nothing_to_roll_back()
    previous = current.get("previous")
    path = pointer_path(data_dir, kind)
    if previous:
        write_text(path, json.dumps(previous, ensure_ascii=False, indent=2))
    else:
        path.unlink(missing_ok=True)
    return current, previous
