"""Dataset versions: reviewed answers exported, masked and split (docs/training.md#datasets).

A version is a directory `<data_dir>/training/datasets/v<N>/`:

- `chat.train.jsonl`, `chat.heldout.jsonl` — `{"messages": [system, user, assistant]}` per line,
  the chat format fine-tuning libraries read (TRL's SFTTrainer, axolotl, LLaMA-Factory);
- `routes.train.jsonl`, `routes.heldout.jsonl` — `{"text", "label", "route"}` per line, the
  router's own format (`label`: the ERP tool, or `doc_qa` / `chitchat` / `out_of_scope`);
- `manifest.json` — counts, masking counts and rules, the split.

The split is fixed when the version is written: an example is held out when a hash of its
message id falls under `DARI_TRAINING_HELDOUT_PERCENT` (at least one example on each side).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from dari.training import errors
from dari.training.masking import Masker

SYSTEM_PROMPT = "당신은 회사 업무를 돕는 AI 비서 '다리'입니다. 한국어로 정확하고 간결하게 답하세요."
FILES = ("chat.train", "chat.heldout", "routes.train", "routes.heldout")


def route_label(route: dict[str, Any]) -> str:
    """The router's label for a corrected route: its ERP tool, else its intent."""
    intent = str(route.get("intent") or "")
    tool = route.get("tool")
    if intent in ("erp", "mixed") and tool:
        return str(tool)
    return intent


def _bucket(example_id: str) -> int:
    return int(hashlib.sha256(example_id.encode()).hexdigest()[:8], 16) % 100


def split(ids: list[str], heldout_percent: int) -> set[str]:
    """The held-out ids: by hash, at least one held out and one kept for training."""
    heldout = {i for i in ids if _bucket(i) < heldout_percent}
    ordered = sorted(ids, key=_bucket)
    if not heldout and len(ids) >= 2:
        heldout = {ordered[0]}
    if len(heldout) == len(ids) and len(ids) >= 2:
        heldout.discard(ordered[-1])
    return heldout


def build(reviews: list[Any], masker: Masker, heldout_percent: int) -> dict[str, list[Any]]:
    """The four files' rows from reviews (accepted/corrected answers, corrected routes)."""
    held = split([r.message_id for r in reviews], heldout_percent)
    out: dict[str, list[Any]] = {name: [] for name in FILES}
    for review in reviews:
        part = "heldout" if review.message_id in held else "train"
        question = masker.mask(review.question)
        if review.answer:
            out[f"chat.{part}"].append(
                {
                    "id": review.message_id,
                    "messages": [
                        {"role": "system", "content": SYSTEM_PROMPT},
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": masker.mask(review.answer)},
                    ],
                }
            )
        if review.route:
            route = masker.mask_value(dict(review.route))
            out[f"routes.{part}"].append(
                {
                    "id": review.message_id,
                    "text": question,
                    "label": route_label(route),
                    "route": route,
                }
            )
    return out


def write(directory: Path, rows: dict[str, list[Any]], manifest: dict[str, Any]) -> None:
    from dari.training.store import write_text

    for name in FILES:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows[name])
        write_text(directory / f"{name}.jsonl", text)
    write_text(directory / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def read(directory: Path, name: str) -> list[dict[str, Any]]:
    """One file's rows; a row that is not a JSON object of the right shape is an error."""
    path = directory / f"{name}.jsonl"
    if not path.exists():
        raise errors.not_found(f"데이터셋 파일 {path.name}")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise errors.corrupt(path.name, number, "JSON이 아닙니다") from exc
        if not isinstance(row, dict):
            raise errors.corrupt(path.name, number, "객체가 아닙니다")
        if name.startswith("routes") and not (
            isinstance(row.get("text"), str) and row["text"] and isinstance(row.get("label"), str)
        ):
            raise errors.corrupt(path.name, number, "text와 label이 필요합니다")
        if name.startswith("chat") and not _chat_ok(row.get("messages")):
            raise errors.corrupt(path.name, number, "messages(user, assistant)가 필요합니다")
        rows.append(row)
    return rows


def _chat_ok(messages: Any) -> bool:
    if not isinstance(messages, list) or not messages:
        return False
    roles = [m.get("role") for m in messages if isinstance(m, dict)]
    return (
        len(roles) == len(messages)
        and "user" in roles
        and roles[-1] == "assistant"
        and all(isinstance(m.get("content"), str) for m in messages)
    )
