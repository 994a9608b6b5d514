"""Training data and the trained model of the router: where they come from, where they live.

Examples come from two places: each ERP tool's `examples:` in the catalog (so a company that
adds a tool teaches the router in the same file) and `examples.ko.yaml` beside this module
for documents, chit-chat and out-of-scope questions. `dari router train` (or the first
question after the catalog changed) fits the classifier and saves it under the data
directory with a fingerprint of its examples; a saved model whose fingerprint no longer
matches is trained again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dari.chat.router.classifier import Classifier
from dari.chat.router.features import Mention, features, normalise

log = logging.getLogger(__name__)
FEATURE_VERSION = 4
MentionFinder = Callable[[str], Sequence[Mention]]


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    origin: str  # "catalog:<tool>" or "builtin"


def builtin_examples() -> list[Example]:
    """Documents / chit-chat / out-of-scope examples shipped with Dari."""
    raw = (resources.files("dari.chat.router") / "examples.ko.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    return [
        Example(str(text), str(label), "builtin")
        for label, texts in (data.get("routes") or {}).items()
        for text in texts or []
    ]


def catalog_examples(catalog: Any) -> list[Example]:
    """Each catalog tool's `examples:` labelled with the tool's name."""
    return [
        Example(str(text), tool.name, f"catalog:{tool.name}")
        for tool in getattr(catalog, "tools", [])
        for text in getattr(tool, "examples", []) or []
    ]


def all_examples(catalog: Any, extra: Sequence[Example] = ()) -> list[Example]:
    """The training set: built-in routes, the catalog's tools, and `extra` (e.g. feedback)."""
    return [*builtin_examples(), *catalog_examples(catalog), *extra]


def fingerprint(examples: Sequence[Example]) -> str:
    """Changes whenever an example, a label or the featurizer changes."""
    payload = json.dumps(
        [FEATURE_VERSION, sorted((e.label, e.text) for e in examples)], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def featurize(text: str, find_mentions: MentionFinder | None) -> dict[str, float]:
    """The classifier's input for one question (mentions become placeholders)."""
    mentions = list(find_mentions(text)) if find_mentions else []
    return features(normalise(text, mentions))


def train(examples: Sequence[Example], find_mentions: MentionFinder | None = None) -> Classifier:
    """Fit the router's classifier on `examples` (a few seconds on 2 cores)."""
    started = time.perf_counter()
    samples = [featurize(e.text, find_mentions) for e in examples]
    model = Classifier.train(samples, [e.label for e in examples])
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.label] = counts.get(example.label, 0) + 1
    model.meta.update(
        {
            "fingerprint": fingerprint(examples),
            "examples": len(examples),
            "per_label": counts,
            "trained_at": date.today().isoformat(),
            "train_seconds": round(time.perf_counter() - started, 2),
        }
    )
    return model


def model_path(data_dir: Path) -> Path:
    return data_dir / "router" / "model.npz"


def load_or_train(
    path: Path, examples: Sequence[Example], find_mentions: MentionFinder | None
) -> tuple[Classifier, bool]:
    """The saved model if it was trained on exactly `examples`, else a new one (saved).

    Returns the model and whether it was (re)trained.
    """
    wanted = fingerprint(examples)
    if path.exists():
        try:
            model = Classifier.load(path)
        except ValueError as exc:
            log.warning("router model unreadable, training again: %s", exc)
        else:
            if model.meta.get("fingerprint") == wanted:
                return model, False
            log.info("router examples changed; training again")
    model = train(examples, find_mentions)
    try:
        model.save(path)
    except OSError as exc:  # a read-only data dir still gets a working router
        log.warning("could not save the router model to %s: %s", path, exc)
    return model, True


def promoted_pointer(data_dir: Path) -> Path:
    """`router/promoted.json`: which retrained router is switched on (written by training)."""
    return data_dir / "router" / "promoted.json"


def promoted_marker(data_dir: Path) -> str:
    """Changes whenever a router is promoted or rolled back (cheap: one small file)."""
    try:
        return promoted_pointer(data_dir).read_text(encoding="utf-8")
    except OSError:
        return ""


def load_promoted(data_dir: Path, examples: Sequence[Example]) -> Classifier | None:
    """The promoted router, if any and if it was trained on top of exactly `examples`
    (a changed catalog makes it stale: the base router is used until it is retrained)."""
    marker = promoted_marker(data_dir)
    if not marker:
        return None
    try:
        pointer = json.loads(marker)
        model = Classifier.load(Path(pointer["path"]))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        log.warning("promoted router unusable, using the base router: %s", exc)
        return None
    if model.meta.get("base_fingerprint") != fingerprint(examples):
        log.warning("promoted router was trained on other catalog examples; using the base one")
        return None
    return model
