"""A multinomial logistic-regression classifier over sparse features, in numpy.

Small on purpose: a few hundred labelled questions, tens of thousands of features, a few
dozen labels. Training is full-batch Adam on a dense design matrix (seconds on 2 cores);
prediction is a sparse dot product (well under a millisecond). The model is saved as one
`.npz` (weights) plus its vocabulary and labels in JSON inside it — no pickle, so loading a
file never runs code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = 1


@dataclass(frozen=True)
class Prediction:
    """Labels with their probabilities, best first."""

    ranked: list[tuple[str, float]]

    @property
    def label(self) -> str:
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        return self.ranked[0][1]

    @property
    def margin(self) -> float:
        """Probability of the best label minus the runner-up's."""
        second = self.ranked[1][1] if len(self.ranked) > 1 else 0.0
        return self.ranked[0][1] - second


class Classifier:
    """Labels ← features. Build with `train`, or `load` a saved one."""

    def __init__(
        self,
        labels: Sequence[str],
        vocabulary: Mapping[str, int],
        weights: np.ndarray,
        bias: np.ndarray,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        self.labels = list(labels)
        self.vocabulary = dict(vocabulary)
        self.weights = weights.astype(np.float32)  # (features, labels)
        self.bias = bias.astype(np.float32)
        self.meta = dict(meta or {})

    @classmethod
    def train(
        cls,
        samples: Sequence[Mapping[str, float]],
        targets: Sequence[str],
        *,
        l2: float = 1e-4,
        steps: int = 150,
        learning_rate: float = 0.08,
        seed: int = 7,
    ) -> Classifier:
        """Fit on feature dicts and their labels (deterministic for a given seed)."""
        if not samples or len(samples) != len(targets):
            raise ValueError("training needs as many labels as samples, and at least one")
        labels = sorted(set(targets))
        vocabulary: dict[str, int] = {}
        for sample in samples:
            for name in sample:
                vocabulary.setdefault(name, len(vocabulary))
        x = np.zeros((len(samples), len(vocabulary)), dtype=np.float32)
        for row, sample in enumerate(samples):
            for name, value in sample.items():
                x[row, vocabulary[name]] = value
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
        index = {label: i for i, label in enumerate(labels)}
        y = np.zeros((len(samples), len(labels)), dtype=np.float32)
        y[np.arange(len(samples)), [index[t] for t in targets]] = 1.0
        # Balance labels: a tool with 15 examples counts as much as documents with 120.
        counts = y.sum(axis=0)
        sample_weight = (len(samples) / (len(labels) * counts))[np.argmax(y, axis=1)]
        sample_weight = (sample_weight / sample_weight.sum()).astype(np.float32)[:, None]

        rng = np.random.default_rng(seed)
        w = (rng.standard_normal((len(vocabulary), len(labels))) * 0.01).astype(np.float32)
        b = np.zeros(len(labels), dtype=np.float32)
        m_w, v_w = np.zeros_like(w), np.zeros_like(w)
        m_b, v_b = np.zeros_like(b), np.zeros_like(b)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        for step in range(1, steps + 1):
            p = _softmax(x @ w + b)
            error = (p - y) * sample_weight
            g_w = x.T @ error + l2 * w
            g_b = error.sum(axis=0)
            m_w = beta1 * m_w + (1 - beta1) * g_w
            v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
            m_b = beta1 * m_b + (1 - beta1) * g_b
            v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
            correction1, correction2 = 1 - beta1**step, 1 - beta2**step
            w -= learning_rate * (m_w / correction1) / (np.sqrt(v_w / correction2) + eps)
            b -= learning_rate * (m_b / correction1) / (np.sqrt(v_b / correction2) + eps)
        return cls(labels, vocabulary, w, b)

    def predict(self, sample: Mapping[str, float]) -> Prediction:
        """Every label with its probability, best first (unknown features are ignored)."""
        known = [(self.vocabulary[n], v) for n, v in sample.items() if n in self.vocabulary]
        logits: np.ndarray = self.bias.copy()
        if known:
            rows = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
            values = np.fromiter((v for _, v in known), dtype=np.float32, count=len(known))
            norm = float(np.sqrt(sum(v * v for v in sample.values()))) or 1.0
            logits = logits + (values / norm) @ self.weights[rows]
        p = _softmax(logits[None, :])[0]
        order = np.argsort(-p)
        return Prediction([(self.labels[i], float(p[i])) for i in order])

    def save(self, path: Path) -> None:
        """Write the model atomically (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "format": FORMAT,
            "labels": self.labels,
            "vocabulary": self.vocabulary,
            "meta": self.meta,
        }
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Read a model written by `save`; `ValueError` if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode())
                weights, bias = data["weights"].astype(np.float32), data["bias"]
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path} is not a router model: {exc}") from exc
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: router model format {header.get('format')} != {FORMAT}")
        return cls(header["labels"], header["vocabulary"], weights, bias, header.get("meta"))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
